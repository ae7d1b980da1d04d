/**
 * Composition root of the event-stream function (docs/events.md): one batch of the table's stream → the pure
 * producer → SETs → the tenant's event log → EventBridge (AWS) or a webhook URL (locally). The EventBridge client
 * is imported on the first batch. The local producer (functions/local/event-stream.ts) runs the same handler.
 */
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { decodeStreamRecord, type StreamRecordLike } from '../../shared/adapters/dynamodb/stream-records';
import { WebhookPublisher } from '../../shared/adapters/local/webhook-publisher';
import type { AppConfig } from '../../shared/config';
import type { ChangeEvent, EventPublisher } from '../../shared/domain/events/model';
import { EventPipeline } from '../../shared/domain/events/pipeline';
import type { EdgeLogger } from '../../shared/http/api-family';
import type { Core } from '../runtime/core';
import { signerOf } from './event-keys';
import { eventStore } from './event-log';

/** EventBridge when the stack names a bus (client loaded on the first batch); a webhook URL locally. */
function configuredPublishers(config: AppConfig): EventPublisher[] {
  const publishers: EventPublisher[] = [];
  const busName = config.EVENT_BUS_NAME;
  if (busName) {
    let publisher: Promise<EventPublisher> | undefined;
    const load = async (): Promise<EventPublisher> => {
      const [{ EventBridgeClient }, { EventBridgePublisher }] = await Promise.all([
        import('@aws-sdk/client-eventbridge'),
        import('../../shared/adapters/aws/eventbridge-publisher'),
      ]);
      return new EventBridgePublisher(new EventBridgeClient({ region: config.AWS_REGION }), busName);
    };
    publishers.push({ publish: async (entries) => (await (publisher ??= load())).publish(entries) });
  }
  if (config.EVENTS_WEBHOOK_URL) publishers.push(new WebhookPublisher(config.EVENTS_WEBHOOK_URL));
  return publishers;
}

export interface EventStreamServices {
  pipeline: EventPipeline;
}

/** The stream consumer's services; `publishers` replaces the configured ones (tests). */
export function eventStreamServices(core: Core, publishers?: EventPublisher[]): EventStreamServices {
  const signer = signerOf(core);
  return {
    pipeline: new EventPipeline({
      store: eventStore(core),
      publishers: publishers ?? configuredPublishers(core.config),
      ...(signer ? { signer } : {}),
    }),
  };
}

/** Records of the table's stream, as Lambda's event source mapping and the local stream reader hand them over. */
export interface StreamBatch {
  Records: StreamRecordLike[];
}

/**
 * One batch of the table's stream → change events. A thrown error fails the batch: Lambda retries it (bisecting),
 * then sends its description to the dead-letter queue; the local reader retries it from the same record.
 */
export async function consumeStream(
  services: EventStreamServices,
  event: StreamBatch | DynamoDBStreamEvent,
  logger: EdgeLogger,
): Promise<{ events: number }> {
  const records = event.Records as StreamRecordLike[];
  const produced: ChangeEvent[] = await services.pipeline.handle(records.map((r) => decodeStreamRecord(r)));
  // Counts and types only: the events carry personal data.
  logger.info?.('change events produced', {
    records: records.length,
    events: produced.length,
    types: [...new Set(produced.map((e) => e.type))],
  });
  return { events: produced.length };
}
