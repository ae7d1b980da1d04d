/**
 * Composition root of the background membership worker (docs/decisions/0014-*.md), and the work of its two
 * Lambda drivers: the table's stream (functions/membership-stream.ts) and the sweep schedule
 * (functions/membership-sweep.ts). The local loop (functions/local/membership-loop.ts) runs the same worker.
 */
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import {
  MembershipWorker,
  taskFromImage,
  type SweepReport,
} from '../../shared/adapters/dynamodb/membership-worker';
import type { Clock } from '../../shared/domain/ports';
import type { EdgeLogger } from '../../shared/http/api-family';
import type { Core } from '../runtime/core';

export function membershipWorker(core: Core): MembershipWorker {
  return new MembershipWorker(core.doc, core.config.TABLE_NAME, {
    secondPassDelayMs: Number(core.config.MEMBERSHIP_SECOND_PASS_SECONDS ?? 60) * 1000,
  });
}

export interface MembershipServices {
  membershipWorker: Pick<MembershipWorker, 'run' | 'runDue'>;
  clock: Clock;
}

export const membershipServices = (core: Core): MembershipServices => ({
  membershipWorker: membershipWorker(core),
  clock: core.clock,
});

/** A delete's first pass is due a moment after the delete (index propagation): wait at most this long for it. */
const MAX_WAIT_MS = 5_000;

/**
 * One stream batch: the event source mapping delivers only inserted pending records that ask for work (a filter in
 * infra/membership.ts). A record whose work fails is reported as a batch item failure, so Lambda retries from it
 * (bisecting) and after the last retry sends it to the dead-letter queue; the pending record stays in the table,
 * so the sweep finishes it later anyway.
 */
export function membershipStreamWork(
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
) {
  return async (
    c: MembershipServices,
    event: DynamoDBStreamEvent,
    logger: EdgeLogger,
  ): Promise<DynamoDBBatchResponse> => {
    const failures: DynamoDBBatchResponse['batchItemFailures'] = [];
    let ran = 0;
    for (const record of event.Records ?? []) {
      const image = record.dynamodb?.NewImage
        ? unmarshall(record.dynamodb.NewImage as Parameters<typeof unmarshall>[0])
        : undefined;
      const task = taskFromImage(record.eventName, image);
      if (!task) continue;
      const due = Date.parse(String(image?.dueAt ?? '')) - c.clock.now().getTime();
      if (due > 0) await sleep(Math.min(due, MAX_WAIT_MS));
      try {
        await c.membershipWorker.run(task, c.clock.now());
        ran++;
      } catch (e) {
        logger.error('membership work failed', { task: task.taskType, error: (e as Error).message });
        // Lambda retries from the first failed record on (the records after it are redelivered too: idempotent).
        failures.push({ itemIdentifier: record.dynamodb?.SequenceNumber ?? '' });
        break;
      }
    }
    logger.info?.('membership stream batch', { ran, failed: failures.length });
    return { batchItemFailures: failures };
  };
}

/**
 * One sweep: every pending record that is due (byDue index, `TASK#` shards): second passes over deleted
 * resources' memberships, staged changes whose lease ran out, and any work the stream driver gave up on.
 */
export async function membershipSweepWork(
  c: MembershipServices,
  _event: { time?: string },
  logger: EdgeLogger,
): Promise<SweepReport> {
  const report = await c.membershipWorker.runDue(c.clock.now());
  const line = { ran: report.ran, failures: report.failures };
  if (report.failures.length) logger.warn('membership sweep ran', line);
  else logger.info?.('membership sweep ran', line);
  if (report.failures.length > 0 && report.ran === 0)
    throw new Error(`membership sweep: ${report.failures.length} failures and nothing done; retried`);
  return report;
}
