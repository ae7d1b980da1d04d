/**
 * Local server: the change-event producer over DynamoDB Local's stream, the way Lambda's event source mapping runs
 * the event-stream function in AWS: the stream reader hands each batch of records to the function's handler (the
 * very handler functions/event-stream.ts exports, or one over a test's core). The events API, `scimgate events tail`
 * and EVENTS_WEBHOOK_URL work without AWS. A failed batch is logged and retried from the same record
 * (docs/events.md).
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { StreamReader } from '../../shared/adapters/dynamodb/stream-reader';
import type { StreamBatch } from '../compose/event-stream';

export interface LocalEventStreamOptions {
  /** A client of the table's DynamoDB (DescribeTable), where it is, and the table. */
  client: DynamoDBClient;
  endpoint?: string;
  region: string;
  tableName: string;
  /** The event-stream function's handler. */
  handler: (batch: StreamBatch) => Promise<unknown>;
  onError?: (error: unknown) => void;
  idleMs?: number;
  startAt?: 'oldest' | 'latest';
}

export async function startEventStream(options: LocalEventStreamOptions): Promise<StreamReader> {
  const reader = new StreamReader({
    client: options.client,
    tableName: options.tableName,
    region: options.region,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    handle: async (records) => {
      await options.handler({ Records: records });
    },
    onError:
      options.onError ??
      ((e) =>
        console.error(`scimgate: event stream: ${e instanceof Error ? e.message : String(e)} (retrying)`)),
    ...(options.idleMs !== undefined ? { idleMs: options.idleMs } : {}),
    ...(options.startAt ? { startAt: options.startAt } : {}),
  });
  await reader.start();
  return reader;
}
