/**
 * The change-event producer of a test: the local stream reader over the test table's stream, handing each batch
 * to the container's event-stream handler (the same middy handler the Lambda entry exports, over the test's core),
 * as `npm start` does.
 */
import type { Container } from '../../functions/compose/container';
import { startEventStream } from '../../functions/local/event-stream';
import type { StreamReader } from '../../shared/adapters/dynamodb/stream-reader';
import { localTableClient } from '../../shared/adapters/dynamodb/create-table';

export function startTestEventStream(
  container: Container,
  onError: (error: unknown) => void,
  idleMs = 100,
): Promise<StreamReader> {
  return startEventStream({
    client: localTableClient(container.config.DYNAMODB_ENDPOINT ?? '', container.config.AWS_REGION),
    ...(container.config.DYNAMODB_ENDPOINT ? { endpoint: container.config.DYNAMODB_ENDPOINT } : {}),
    region: container.config.AWS_REGION ?? 'us-east-1',
    tableName: container.config.TABLE_NAME,
    handler: container.events.streamHandler,
    onError,
    idleMs,
  });
}
