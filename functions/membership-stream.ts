/**
 * Lambda entry point: the table's stream → the background membership worker (docs/decisions/0014-*.md). The work
 * is in compose/membership.ts (same worker code as the sweep and the local loop).
 */
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { membershipServices, membershipStreamWork } from './compose/membership';
import { lambdaEventFunction } from './runtime/event-function';

export const handler = await lambdaEventFunction<
  ReturnType<typeof membershipServices>,
  DynamoDBStreamEvent,
  DynamoDBBatchResponse
>('membership stream', membershipServices, membershipStreamWork());
