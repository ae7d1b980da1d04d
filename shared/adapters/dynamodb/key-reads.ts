/**
 * Reading many items of one partition by sort key: which of these ids are there? Used for a member change's two
 * reads (do the added members exist? are the touched ids members already?). See docs/decisions/0020.
 *
 * Two plans, the same answer:
 * - **By key**: BatchGetItem, 100 keys a call, FAN_OUT calls at a time. Costs one read per key, found or not.
 * - **By range** (RANGE_READ_MIN ids or more): one Query of the ids' key range (`sk BETWEEN lowest AND highest`),
 *   stopped after ids + 1 items. When the range holds no more than that (ids created together, as an IdP's batch
 *   of new users is, since ids are UUIDv7; or memberships being added to a group that has few members there), one
 *   call answers for every id, and it reads only the items that exist. When the Query stops early, the ids past
 *   where it stopped are read by key: at worst one extra round trip and ids + 1 items read for nothing.
 */
import { BatchGetCommand, QueryCommand, type DocumentClient } from './commands';
import { FAN_OUT, forEachLimited, sleep } from './membership-items';
import { RETRY_AFTER_BUSY_SECONDS } from './errors';
import { StorageUnavailable } from '../../domain/storage-errors';

/** Fewer ids than this are read by key: a range saves little, and a dense one would cost a round trip. */
export const RANGE_READ_MIN = 10;

export interface KeyReadOptions {
  /** Attributes to return (besides the keys): undefined = the whole item. */
  attributes?: string[];
}

type Item = Record<string, unknown>;

/** Calls of one BatchGetItem chunk while DynamoDB leaves keys unprocessed (throttling), backing off between them. */
const UNPROCESSED_ROUNDS = 6;

/** DynamoDB orders string keys by their UTF-8 bytes (not by UTF-16 code units, as `<` does). */
const byteOrder = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));

/** ProjectionExpression and its names (`#a0`… ; the Query adds `#pk` and `#sk` for its key condition). */
function projection(o: KeyReadOptions): {
  ProjectionExpression?: string;
  ExpressionAttributeNames: Record<string, string>;
} {
  if (!o.attributes) return { ExpressionAttributeNames: {} };
  const names = ['pk', 'sk', ...o.attributes.filter((a) => a !== 'pk' && a !== 'sk')];
  return {
    ProjectionExpression: names.map((_, i) => `#a${i}`).join(', '),
    ExpressionAttributeNames: Object.fromEntries(names.map((n, i) => [`#a${i}`, n])),
  };
}

/** The items of partition `pk` whose sort key is one of `ids` (strongly consistent; each found item once). */
export async function readKeys(
  doc: DocumentClient,
  tableName: string,
  pk: string,
  ids: string[],
  options: KeyReadOptions = {},
): Promise<Item[]> {
  const unique = [...new Set(ids)];
  if (unique.length < RANGE_READ_MIN) return readByKey(doc, tableName, pk, unique, options);
  const sorted = unique.sort(byteOrder);
  const p = projection(options);
  const out = await doc.send(
    new QueryCommand({
      TableName: tableName,
      KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :lo AND :hi',
      ExpressionAttributeValues: { ':pk': pk, ':lo': sorted[0], ':hi': sorted[sorted.length - 1] },
      ConsistentRead: true,
      Limit: sorted.length + 1,
      ...p,
      ExpressionAttributeNames: { ...p.ExpressionAttributeNames, '#pk': 'pk', '#sk': 'sk' },
    }),
  );
  const wanted = new Set(sorted);
  const found = (out.Items ?? []).filter((it) => wanted.has(it.sk as string));
  const last = out.LastEvaluatedKey?.sk as string | undefined;
  if (last === undefined) return found;
  const rest = sorted.filter((id) => byteOrder(id, last) > 0);
  return rest.length ? [...found, ...(await readByKey(doc, tableName, pk, rest, options))] : found;
}

/** The items of partition `pk` whose sort key is one of `ids` (distinct), by key: BatchGetItem, 100 a call. */
export function readByKey(
  doc: DocumentClient,
  tableName: string,
  pk: string,
  ids: string[],
  options: KeyReadOptions = {},
): Promise<Item[]> {
  return readItems(
    doc,
    tableName,
    ids.map((sk) => ({ pk, sk })),
    options,
  );
}

/** The items at `keys` (distinct) that exist, strongly consistent: BatchGetItem, 100 keys a call, FAN_OUT at once. */
export async function readItems(
  doc: DocumentClient,
  tableName: string,
  keys: { pk: string; sk: string }[],
  options: KeyReadOptions = {},
): Promise<Item[]> {
  const found: Item[] = [];
  const chunks: { pk: string; sk: string }[][] = [];
  for (let i = 0; i < keys.length; i += 100) chunks.push(keys.slice(i, i + 100));
  const p = projection(options);
  await forEachLimited(chunks, FAN_OUT, async (chunk) => {
    let request: Record<string, unknown> | undefined = {
      [tableName]: { Keys: chunk, ConsistentRead: true, ...(p.ProjectionExpression ? p : {}) },
    };
    for (let attempt = 0; request && Object.keys(request).length > 0; attempt++) {
      // Keys left unprocessed mean the table is throttling: back off (jittered), and give up as busy (503 with
      // Retry-After) rather than hold the request.
      if (attempt >= UNPROCESSED_ROUNDS) throw new StorageUnavailable('busy', RETRY_AFTER_BUSY_SECONDS);
      if (attempt > 0) await sleep(Math.random() * 25 * 2 ** attempt);
      const out = await doc.send(new BatchGetCommand({ RequestItems: request as never }));
      found.push(...(out.Responses?.[tableName] ?? []));
      request = out.UnprocessedKeys as typeof request;
    }
  });
  return found;
}
