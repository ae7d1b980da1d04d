/** Composition root of the background membership worker (stream consumer, sweep, the local loop): docs/decisions/0013. */
import { MembershipWorker } from '../../shared/adapters/dynamodb/membership-worker';
import type { Core } from '../runtime/core';

export function membershipWorker(core: Core): MembershipWorker {
  return new MembershipWorker(core.doc, core.config.TABLE_NAME, {
    secondPassDelayMs: Number(core.config.MEMBERSHIP_SECOND_PASS_SECONDS ?? 60) * 1000,
  });
}
