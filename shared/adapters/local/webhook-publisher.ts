/**
 * Local stand-in for EventBridge API destinations: POSTs each event, as JSON (the event plus its SET in `set`,
 * the body an API destination with input path `$.detail` sends), to a URL (`EVENTS_WEBHOOK_URL`). A non-2xx answer
 * or a network error fails the batch, which the local stream reader retries (docs/events.md).
 */
import type { EventEntry, EventPublisher } from '../../domain/events/model';

export class WebhookPublisher implements EventPublisher {
  constructor(
    private readonly url: string,
    private readonly timeoutMs = 5000,
  ) {}

  async publish(entries: EventEntry[]): Promise<void> {
    for (const { event, set } of entries) {
      const res = await fetch(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-scimgate-event-id': event.id },
        body: JSON.stringify(set ? { ...event, set } : event),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      await res.arrayBuffer();
      if (res.status < 200 || res.status > 299) {
        throw new Error(`webhook answered ${res.status} for event ${event.id}`);
      }
    }
  }
}
