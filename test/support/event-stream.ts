/**
 * The change-event producer of a test: the local stream reader over the test table's stream, handing each batch
 * to the container's event-stream handler (the same middy handler the Lambda entry exports, over the test's core),
 * as `npm start` does.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Container } from '../../functions/compose/container';
import { startEventStream } from '../../functions/local/event-stream';
import type { StreamReader } from '../../shared/adapters/dynamodb/stream-reader';

export function startTestEventStream(
  container: Container,
  onError: (error: unknown) => void,
  idleMs = 100,
): Promise<StreamReader> {
  return startEventStream({
    client: container.doc as unknown as DynamoDBClient,
    ...(container.config.DYNAMODB_ENDPOINT ? { endpoint: container.config.DYNAMODB_ENDPOINT } : {}),
    region: container.config.AWS_REGION ?? 'us-east-1',
    tableName: container.config.TABLE_NAME,
    handler: container.events.streamHandler,
    onError,
    idleMs,
  });
}
