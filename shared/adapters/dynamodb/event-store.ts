/**
 * The tenant's change-event log in the one table (docs/events.md):
 *
 *   T#<tenant>#EVENTS       / <16-digit sequence>   the event (and its SET), TTL = retention
 *   T#<tenant>#EVENTS#SEQ   / -                      the sequence counter
 *   T#<tenant>#EVENTS#ID#<event id> / -              "stored" mark, so a redelivered event is stored once
 *
 * Appending claims a range of sequence numbers with one atomic, token-guarded update, then writes each event together with its mark
 * in one transaction (the mark's condition makes a redelivery a no-op: its claimed number becomes a `skip` item).
 * A reader sees numbers in order; a number claimed but not yet written is a gap: the reader stops before it, and
 * passes it only once the events after it are older than GAP_GRACE_MS (the writer died between claim and write;
 * the stream redelivers its events under new numbers). The SCIM request path never touches any of this.
 */
import { randomUUID } from 'node:crypto';
import {
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
  type DocumentClient,
} from './commands';
import type { ChangeEvent, EventEntry, EventStore, StoredEvent } from '../../domain/events/model';
import type { Clock } from '../../domain/ports';
import { ScimError } from '../../scim/errors';
import { SINGLETON_SK, TTL_ATTRIBUTE, keys } from './table-design';

/** How long events stay readable through the events API (DynamoDB TTL deletes them afterwards). */
export const EVENT_RETENTION_DAYS = 30;
/** A sequence gap older than this is a claim whose write never happened: readers pass it. */
export const GAP_GRACE_MS = 10_000;
/** Events per transaction (each with its mark: two items). */
const EVENTS_PER_TRANSACTION = 25;

const pad = (n: number) => String(n).padStart(16, '0');

interface EventItem {
  pk: string;
  sk: string;
  storedAt: number;
  event?: ChangeEvent;
  set?: string;
  skip?: boolean;
}

export function parseEventCursor(cursor: string | undefined): number | undefined {
  if (cursor === undefined || cursor === '') return undefined;
  if (!/^\d{1,16}$/.test(cursor)) throw ScimError.invalidValue(`'after' is not a cursor of this events API`);
  return Number(cursor);
}

export class DynamoEventStore implements EventStore {
  constructor(
    private readonly doc: DocumentClient,
    private readonly tableName: string,
    private readonly clock: Clock,
  ) {}

  async append(entries: EventEntry[]): Promise<void> {
    const byTenant = new Map<string, EventEntry[]>();
    for (const e of entries) {
      const list = byTenant.get(e.event.tenant) ?? [];
      list.push(e);
      byTenant.set(e.event.tenant, list);
    }
    for (const [tenantId, list] of byTenant) await this.appendTenant(tenantId, list);
  }

  private async appendTenant(tenantId: string, entries: EventEntry[]): Promise<void> {
    const last = await this.claim(tenantId, entries.length);
    const first = last - entries.length + 1;
    for (let i = 0; i < entries.length; i += EVENTS_PER_TRANSACTION) {
      const chunk = entries.slice(i, i + EVENTS_PER_TRANSACTION).map((entry, j) => ({
        entry,
        seq: first + i + j,
      }));
      try {
        await this.write(tenantId, chunk);
      } catch (e) {
        if ((e as { name?: string }).name !== 'TransactionCanceledException') throw e;
        // Some were stored before (a redelivery): one by one, each duplicate's number becomes a skip.
        for (const one of chunk) {
          try {
            await this.write(tenantId, [one]);
          } catch (err) {
            if ((err as { name?: string }).name !== 'TransactionCanceledException') throw err;
            await this.skip(tenantId, one.seq);
          }
        }
      }
    }
  }

  /**
   * Claims `count` sequence numbers; returns the last. The claim carries a token, so that the SDK's retry of a
   * claim whose answer timed out after it was applied finds its own token and reads the number it got instead of
   * claiming again (which would leave a gap readers wait GAP_GRACE_MS for).
   */
  private async claim(tenantId: string, count: number): Promise<number> {
    const key = { pk: keys.eventSequence(tenantId), sk: SINGLETON_SK };
    const token = randomUUID();
    try {
      const out = await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key,
          UpdateExpression: 'SET n = if_not_exists(n, :zero) + :k, claim = :token',
          ConditionExpression: 'attribute_not_exists(claim) OR claim <> :token',
          ExpressionAttributeValues: { ':k': count, ':zero': 0, ':token': token },
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      return Number(out.Attributes?.n);
    } catch (e) {
      if ((e as { name?: string }).name !== 'ConditionalCheckFailedException') throw e;
      // An earlier attempt of this very claim was applied and nothing was claimed since: its number is ours.
      const got = await this.doc.send(
        new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }),
      );
      return Number(got.Item?.n);
    }
  }

  /**
   * A number this append claimed whose event was stored before (a redelivery) becomes a skip. Conditional: if an
   * earlier attempt of this very write was applied (its answer timed out), the number already holds the event,
   * which a blind put would overwrite, losing it (its id mark would make every redelivery skip it).
   */
  private async skip(tenantId: string, seq: number): Promise<void> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            pk: keys.events(tenantId),
            sk: pad(seq),
            storedAt: this.clock.now().getTime(),
            skip: true,
            [TTL_ATTRIBUTE]: Math.floor(this.clock.now().getTime() / 1000) + EVENT_RETENTION_DAYS * 86_400,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (e) {
      if ((e as { name?: string }).name !== 'ConditionalCheckFailedException') throw e;
    }
  }

  /** Writes events with their marks, each at its claimed number (never over an item already there). */
  private async write(tenantId: string, items: { seq: number; entry: EventEntry }[]): Promise<void> {
    const now = this.clock.now().getTime();
    const ttl = Math.floor(now / 1000) + EVENT_RETENTION_DAYS * 86_400;
    const transact = items.flatMap(({ seq, entry }) => {
      const item: EventItem = { pk: keys.events(tenantId), sk: pad(seq), storedAt: now, event: entry.event };
      if (entry.set) item.set = entry.set;
      return [
        {
          Put: {
            TableName: this.tableName,
            Item: { ...item, [TTL_ATTRIBUTE]: ttl },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        {
          Put: {
            TableName: this.tableName,
            Item: { pk: keys.eventId(tenantId, entry.event.id), sk: SINGLETON_SK, [TTL_ATTRIBUTE]: ttl },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
      ];
    });
    await this.doc.send(new TransactWriteCommand({ TransactItems: transact }));
  }

  async read(
    tenantId: string,
    options: { after?: string; limit: number },
  ): Promise<{ events: StoredEvent[]; next?: string }> {
    const after = parseEventCursor(options.after);
    const pk = keys.events(tenantId);
    const out = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: after === undefined ? 'pk = :pk' : 'pk = :pk AND sk > :after',
        ExpressionAttributeValues: { ':pk': pk, ...(after === undefined ? {} : { ':after': pad(after) }) },
        ConsistentRead: true,
        Limit: options.limit,
      }),
    );
    const now = this.clock.now().getTime();
    const events: StoredEvent[] = [];
    // Numbers start at 1: a first read waits for number 1 too, unless retention has expired it.
    let position = after ?? 0;
    for (const raw of out.Items ?? []) {
      const item = raw as EventItem;
      const seq = Number(item.sk);
      // A gap: a number claimed but not written yet. Wait for it unless it is old enough to be a lost claim.
      if (seq !== position + 1 && now - Number(item.storedAt) < GAP_GRACE_MS) break;
      position = seq;
      if (item.skip || !item.event) continue;
      events.push({ cursor: String(seq), event: item.event, ...(item.set ? { set: item.set } : {}) });
    }
    return { events, next: String(position) };
  }
}
