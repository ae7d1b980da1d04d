/**
 * Seeding users straight into the table (POSTing 100 000 users through HTTP takes too long on a small machine).
 *
 * Two modes, same items:
 *  - `batch`: BatchWriteItem of the exact item layout `DynamoResourceRepository.create` writes (resource item with
 *    its index attributes, uniqueness guard), with the key builders of table-design.ts, then one `ADD` per counter
 *    shard so `totalResults` is right. `checkSeedLayout` compares a seeded item with one the server wrote.
 *  - `repo`: `DynamoResourceRepository.create` itself (one transaction per user), many in parallel.
 *
 * Seeding uses its own document client, so its calls are not counted as the server's.
 */
import { isDeepStrictEqual } from 'node:util';
import {
  BatchWriteCommand,
  GetCommand,
  UpdateCommand,
  type DocumentClient,
} from '../shared/adapters/dynamodb/commands';
import { v7 as uuidv7 } from 'uuid';
import { DynamoResourceRepository } from '../shared/adapters/dynamodb/resource-repository';
import { COUNTER_SHARDS, SINGLETON_SK, keys } from '../shared/adapters/dynamodb/table-design';
import type { IndexValues, Scope, StoredResource } from '../shared/domain/ports';
import { StorageUnavailable } from '../shared/domain/storage-errors';
import { normalizeResource } from '../shared/scim/resource';
import { ENTERPRISE_USER_SCHEMA, USER_SCHEMA } from '../shared/scim/schemas';
import type { ScimResource } from '../shared/scim/types';
import type { SeedMode } from './config';

/** An Entra-like user body (core + enterprise extension, one work e-mail). */
export function userBody(userName: string, n: number): Record<string, unknown> {
  return {
    schemas: [USER_SCHEMA, ENTERPRISE_USER_SCHEMA],
    userName,
    externalId: `ext-${userName}`,
    active: true,
    displayName: `Bench User ${n}`,
    name: { givenName: 'Bench', familyName: `User${n}`, formatted: `Bench User${n}` },
    emails: [{ value: userName, type: 'work', primary: true }],
    title: 'Engineer',
    [ENTERPRISE_USER_SCHEMA]: { department: `Dept ${n % 50}`, employeeNumber: String(n) },
  };
}

export const seededUserName = (n: number): string => `seed${n}@bench.example.com`;

/** What the service stores for a POSTed body: the normalised resource without id, meta and password. */
function storedData(body: unknown): ScimResource {
  const {
    id: _id,
    meta: _meta,
    password: _password,
    ...data
  } = normalizeResource('User', body, {
    mode: 'create',
  });
  return data;
}

/** The index values the service derives from a user (userName, externalId, the work e-mail). */
function indexValuesOf(data: ScimResource): IndexValues {
  const out: IndexValues = { name: typeof data.userName === 'string' ? data.userName : '' };
  if (typeof data.externalId === 'string') out.externalId = data.externalId;
  if (Array.isArray(data.emails)) {
    const work = (data.emails as Record<string, unknown>[])
      .filter(
        (e) => typeof e?.type === 'string' && e.type.toLowerCase() === 'work' && typeof e.value === 'string',
      )
      .map((e) => e.value as string);
    if (work.length > 0) out.workEmails = work;
  }
  return out;
}

/** The resource item and the uniqueness guard `DynamoResourceRepository.create` writes for a new user. */
export function userItems(
  scope: Scope,
  stored: StoredResource,
  index: IndexValues,
  writer: unknown = { credentialId: 'bench-seed', idp: null, at: stored.created },
): { item: Record<string, unknown>; guard: Record<string, unknown> } {
  const s = keys.scope(scope.tenantId, scope.endpointId);
  const item: Record<string, unknown> = {
    pk: keys.resources(s, 'User'),
    sk: stored.id,
    kind: 'User',
    data: stored.data,
    version: stored.version,
    created: stored.created,
    lastModified: stored.lastModified,
    nameKey: keys.nameIndex(s, 'User', index.name),
    // Who wrote it (the server records the request's credential and IdP: docs/events.md).
    writer,
  };
  if (index.externalId !== undefined) item.externalIdKey = keys.externalIdIndex(s, 'User', index.externalId);
  const firstWork = index.workEmails?.[0];
  if (firstWork !== undefined) item.workEmailKey = keys.workEmailIndex(s, firstWork);
  const guard = { pk: keys.uniqueName(s, 'User', index.name), sk: SINGLETON_SK, id: stored.id };
  return { item, guard };
}

function newStored(
  body: Record<string, unknown>,
  now: string,
): { stored: StoredResource; index: IndexValues } {
  const data = storedData(body);
  return {
    stored: { id: uuidv7(), kind: 'User', data, version: 1, created: now, lastModified: now },
    index: indexValuesOf(data),
  };
}

/** Runs `fn(0..n-1)` with at most `parallel` calls in flight. */
export async function forEachParallel(
  n: number,
  parallel: number,
  fn: (i: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < n) {
      const i = next++;
      await fn(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, n) }, worker));
}

export interface SeededUser {
  id: string;
  userName: string;
}

export interface SeedResult {
  users: SeededUser[];
  seconds: number;
  mode: SeedMode;
}

const USERS_PER_BATCH = 12; // 2 items each; BatchWriteItem takes 25

async function batchWrite(doc: DocumentClient, tableName: string, items: Record<string, unknown>[]) {
  let request: Record<string, unknown>[] | undefined = items.map((Item) => ({ PutRequest: { Item } }));
  for (let attempt = 0; request && request.length > 0; attempt++) {
    if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(1000, 20 * 2 ** attempt)));
    let out;
    try {
      out = await doc.send(new BatchWriteCommand({ RequestItems: { [tableName]: request as never } }));
    } catch (e) {
      // Puts are idempotent: a store too busy to answer in time (a loaded machine) is asked again.
      if (e instanceof StorageUnavailable && attempt < 8) continue;
      throw e;
    }
    request = out.UnprocessedItems?.[tableName] as Record<string, unknown>[] | undefined;
  }
}

/** Seeds users number `from` .. `to - 1` (names from `seededUserName`). */
export async function seedUsers(options: {
  doc: DocumentClient;
  tableName: string;
  scope: Scope;
  from: number;
  to: number;
  mode: SeedMode;
  parallel: number;
  onProgress?: (done: number) => void;
}): Promise<SeedResult> {
  const { doc, tableName, scope, from, to, mode, parallel } = options;
  const started = performance.now();
  const count = to - from;
  const users: SeededUser[] = new Array<SeededUser>(count);
  const now = new Date().toISOString();
  let done = 0;
  const progress = (n: number) => {
    const before = Math.floor(done / 10_000);
    done += n;
    if (Math.floor(done / 10_000) !== before) options.onProgress?.(done);
  };

  if (mode === 'repo') {
    const repo = new DynamoResourceRepository(doc, tableName);
    await forEachParallel(count, parallel, async (i) => {
      const userName = seededUserName(from + i);
      const { stored, index } = newStored(userBody(userName, from + i), now);
      await repo.create(scope, stored, index, []);
      users[i] = { id: stored.id, userName };
      progress(1);
    });
  } else {
    const batches = Math.ceil(count / USERS_PER_BATCH);
    await forEachParallel(batches, parallel, async (b) => {
      const items: Record<string, unknown>[] = [];
      for (let i = b * USERS_PER_BATCH; i < Math.min(count, (b + 1) * USERS_PER_BATCH); i++) {
        const userName = seededUserName(from + i);
        const { stored, index } = newStored(userBody(userName, from + i), now);
        const { item, guard } = userItems(scope, stored, index);
        items.push(item, guard);
        users[i] = { id: stored.id, userName };
      }
      await batchWrite(doc, tableName, items);
      progress(items.length / 2);
    });
    // The sharded counter: the repository ADDs 1 to a random shard per create; spread the seeded count evenly.
    const counterPk = keys.counter(keys.scope(scope.tenantId, scope.endpointId), 'User');
    for (let shard = 0; shard < COUNTER_SHARDS; shard++) {
      const share = Math.floor(count / COUNTER_SHARDS) + (shard < count % COUNTER_SHARDS ? 1 : 0);
      if (share === 0) continue;
      await doc.send(
        new UpdateCommand({
          TableName: tableName,
          Key: { pk: counterPk, sk: `shard#${String(shard).padStart(2, '0')}` },
          UpdateExpression: 'ADD n :d',
          ExpressionAttributeValues: { ':d': share },
        }),
      );
    }
  }
  return { users, seconds: (performance.now() - started) / 1000, mode };
}

/**
 * Checks that a seeded user looks exactly like one the server created: the same attributes on the resource item
 * (same data, same index keys) and on the guard item. Throws on any difference.
 */
export async function checkSeedLayout(options: {
  doc: DocumentClient;
  tableName: string;
  scope: Scope;
  /** A user the server created from `userBody(userName, n)`. */
  serverCreated: { id: string; userName: string; n: number };
}): Promise<void> {
  const { doc, tableName, scope, serverCreated } = options;
  const s = keys.scope(scope.tenantId, scope.endpointId);
  const real = await doc.send(
    new GetCommand({ TableName: tableName, Key: { pk: keys.resources(s, 'User'), sk: serverCreated.id } }),
  );
  const realGuard = await doc.send(
    new GetCommand({
      TableName: tableName,
      Key: { pk: keys.uniqueName(s, 'User', serverCreated.userName), sk: SINGLETON_SK },
    }),
  );
  if (!real.Item || !realGuard.Item) throw new Error('seed layout check: the server-created user is missing');
  const { stored, index } = newStored(userBody(serverCreated.userName, serverCreated.n), '');
  stored.id = serverCreated.id;
  stored.created = String(real.Item.created);
  stored.lastModified = String(real.Item.lastModified);
  const mine = userItems(scope, stored, index, real.Item.writer);
  const problems: string[] = [];
  if (!isDeepStrictEqual(Object.keys(real.Item).sort(), Object.keys(mine.item).sort())) {
    problems.push(
      `resource item attributes differ: server ${Object.keys(real.Item).sort().join(',')} vs seed ${Object.keys(mine.item).sort().join(',')}`,
    );
  }
  for (const [k, v] of Object.entries(mine.item)) {
    if (!isDeepStrictEqual(real.Item[k], v)) problems.push(`attribute ${k} differs`);
  }
  if (!isDeepStrictEqual(realGuard.Item, mine.guard)) problems.push('uniqueness guard item differs');
  if (problems.length > 0) throw new Error(`seed layout check failed: ${problems.join('; ')}`);
}
