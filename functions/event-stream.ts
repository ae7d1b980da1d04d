/**
 * Lambda entry point: the table's change stream (DynamoDB event source mapping) → change events → the tenant's event
 * log, the EventBridge bus and their SETs (docs/events.md). A thrown error fails the batch: the mapping retries it,
 * bisecting to isolate a bad record, and after its last attempt sends the batch's description to the dead-letter
 * queue, which an alarm watches. Redelivery is safe: the log stores an event id once.
 */
import { consumeStream, eventStreamServices } from './compose/event-stream';
import { lambdaEventFunction } from './runtime/event-function';

export const handler = await lambdaEventFunction(
  'event stream',
  (core) => eventStreamServices(core),
  consumeStream,
);
