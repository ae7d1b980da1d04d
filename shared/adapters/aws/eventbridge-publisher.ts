/**
 * Publishes change events on the stack's custom EventBridge bus: source `scimgate`, detail-type = the event type,
 * detail = the event plus its SET (`set`), so a rule can route on type, tenant or resource and an API destination
 * can deliver either form (docs/events.md). PutEvents takes 10 entries per call; entries EventBridge reports as
 * failed are retried twice, then the batch fails (the stream redelivers it).
 */
import {
  PutEventsCommand,
  type EventBridgeClient,
  type PutEventsRequestEntry,
} from '@aws-sdk/client-eventbridge';
import { EVENT_SOURCE, type EventEntry, type EventPublisher } from '../../domain/events/model';

const ENTRIES_PER_CALL = 10;
const ATTEMPTS = 3;

export class EventBridgePublisher implements EventPublisher {
  constructor(
    private readonly client: EventBridgeClient,
    private readonly busName: string,
  ) {}

  async publish(entries: EventEntry[]): Promise<void> {
    for (let i = 0; i < entries.length; i += ENTRIES_PER_CALL) {
      let pending: PutEventsRequestEntry[] = entries.slice(i, i + ENTRIES_PER_CALL).map(({ event, set }) => ({
        EventBusName: this.busName,
        Source: EVENT_SOURCE,
        DetailType: event.type,
        Time: new Date(event.time),
        Detail: JSON.stringify(set ? { ...event, set } : event),
      }));
      for (let attempt = 1; pending.length > 0; attempt++) {
        const out = await this.client.send(new PutEventsCommand({ Entries: pending }));
        if (!out.FailedEntryCount) break;
        if (attempt >= ATTEMPTS) {
          const codes = [...new Set((out.Entries ?? []).map((e) => e.ErrorCode).filter(Boolean))];
          throw new Error(`EventBridge refused ${out.FailedEntryCount} events (${codes.join(', ')})`);
        }
        pending = pending.filter((_, j) => out.Entries?.[j]?.ErrorCode);
      }
    }
  }
}
