/**
 * Lambda entry point: the membership sweep, on a schedule (every minute): due background membership work
 * (docs/decisions/0014-*.md). The work is in compose/membership.ts.
 */
import { membershipServices, membershipSweepWork } from './compose/membership';
import { lambdaEventFunction } from './runtime/event-function';

export const handler = await lambdaEventFunction('membership sweep', membershipServices, membershipSweepWork);
