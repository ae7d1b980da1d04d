/**
 * The consumer side of the change stream: a batch of decoded item changes → events (the pure producer) → signed as
 * SETs when a signer is configured → appended to the tenant's event log → published (EventBridge, webhooks).
 * The same pipeline runs in the stream Lambda and in `npm start`'s local stream reader.
 *
 * A failure anywhere fails the batch; the stream redelivers it (AWS: retries, bisection, then the dead-letter
 * queue). Redelivery is safe: event ids derive from the change records, the log stores an id once, and publishers
 * may deliver again (consumers deduplicate on `id`; docs/events.md).
 */
import type { ChangeEvent, EventEntry, EventPublisher, EventSigner, EventStore } from './model';
import { eventsOf, type ItemChange } from './produce';

export interface EventPipelineDeps {
  store: EventStore;
  publishers: EventPublisher[];
  signer?: EventSigner;
}

export class EventPipeline {
  constructor(private readonly deps: EventPipelineDeps) {}

  /** Handles the changes of one batch, in order; returns the events they produced. */
  async handle(changes: readonly (ItemChange | undefined)[]): Promise<ChangeEvent[]> {
    const events = changes.flatMap((c) => (c ? eventsOf(c) : []));
    if (events.length === 0) return events;
    const signer = this.deps.signer;
    const entries: EventEntry[] = await Promise.all(
      events.map(async (event) => (signer ? { event, set: await signer.sign(event) } : { event })),
    );
    await this.deps.store.append(entries);
    for (const publisher of this.deps.publishers) await publisher.publish(entries);
    return events;
  }
}
