/**
 * The background membership worker and its AWS drivers against DynamoDB Local: the stream handler fed with the
 * stream image of a real pending record, the sweep, the abort of a stale staged change, the purge of a deleted
 * endpoint, and the one-off migration from the 0002 layout.
 */
import { GetCommand, PutCommand, QueryCommand } from '../../shared/adapters/dynamodb/commands';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { v7 as uuidv7 } from 'uuid';
import {
  membershipStreamWork,
  membershipSweepWork,
  type MembershipServices,
} from '../../functions/compose/membership';
import { pendingRecord, scopeKey } from '../../shared/adapters/dynamodb/membership-items';
import { MembershipWorker } from '../../shared/adapters/dynamodb/membership-worker';
import { migrateTo0014 } from '../../shared/adapters/dynamodb/migrate-0014';
import { DynamoResourceRepository } from '../../shared/adapters/dynamodb/resource-repository';
import { keys } from '../../shared/adapters/dynamodb/table-design';
import { systemClock, type Scope, type StoredResource } from '../../shared/domain/ports';
import { createTestTable, type TestTable } from '../support/tables';

const quiet = { error: () => undefined, warn: () => undefined, info: () => undefined };
/** The Lambda drivers' work over the given services, as their entries run it. */
const membershipStreamHandler =
  (services: () => MembershipServices) => (event: Parameters<ReturnType<typeof membershipStreamWork>>[1]) =>
    membershipStreamWork()(services(), event, quiet);
const membershipSweepHandler = (services: () => MembershipServices) => (event: { time?: string }) =>
  membershipSweepWork(services(), event, quiet);

let t: TestTable;
let repo: DynamoResourceRepository;
let worker: MembershipWorker;
const now = '2026-12-01T12:00:00.000Z';

beforeAll(async () => {
  t = await createTestTable();
  repo = new DynamoResourceRepository(t.doc, t.tableName, { firstPassDelayMs: 0 });
  worker = new MembershipWorker(t.doc, t.tableName, { secondPassDelayMs: 0 });
});

function resource(kind: 'User' | 'Group', name: string): StoredResource {
  const data = kind === 'User' ? { userName: name } : { displayName: name };
  return { id: uuidv7(), kind, data, version: 1, created: now, lastModified: now };
}

async function users(scope: Scope, n: number, prefix: string): Promise<string[]> {
  return Promise.all(
    Array.from({ length: n }, async (_, i) => {
      const u = resource('User', `${prefix}${i}@example.com`);
      await repo.create(scope, u, { name: u.data.userName as string }, []);
      return u.id;
    }),
  );
}

async function groupWith(scope: Scope, name: string, members: string[]): Promise<StoredResource> {
  const g = resource('Group', name);
  await repo.create(
    scope,
    g,
    { name },
    members.map((value) => ({ value })),
  );
  return g;
}

async function pendingItem(scope: Scope, sk: string) {
  const out = await t.doc.send(
    new GetCommand({ TableName: t.tableName, Key: { pk: keys.pending(scopeKey(scope)), sk } }),
  );
  return out.Item;
}

async function partition(pk: string) {
  const out = await t.doc.send(
    new QueryCommand({
      TableName: t.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': pk },
    }),
  );
  return out.Items ?? [];
}

const streamEvent = (image: Record<string, unknown>, eventName = 'INSERT'): DynamoDBStreamEvent => ({
  Records: [
    {
      eventName: eventName as 'INSERT',
      dynamodb: {
        NewImage: marshall(image, { removeUndefinedValues: true }) as never,
        SequenceNumber: '100',
      },
    },
  ],
});

describe('membership worker', () => {
  it('should remove a deleted user from its groups when the stream delivers its pending record', async () => {
    const scope: Scope = { tenantId: 'w1', endpointId: 'default' };
    const [gone, stays] = await users(scope, 2, 'stream');
    const g = await groupWith(scope, 'Stream', [gone!, stays!]);
    await repo.delete(scope, (await repo.get(scope, 'User', gone!))!, { name: 'stream0@example.com' });
    const record = await pendingItem(scope, `del#${gone}`);
    expect(record).toBeDefined();

    const handler = membershipStreamHandler(() => ({ membershipWorker: worker, clock: systemClock }));
    // A change lock (no work for the stream) and a modify event are ignored.
    expect(await handler(streamEvent({ ...record, taskType: 'change' }))).toEqual({ batchItemFailures: [] });
    expect(await handler(streamEvent(record!, 'MODIFY'))).toEqual({ batchItemFailures: [] });
    expect((await partition(keys.members(scopeKey(scope), g.id))).length).toBe(2);

    expect(await handler(streamEvent(record!))).toEqual({ batchItemFailures: [] });
    expect((await partition(keys.members(scopeKey(scope), g.id))).map((i) => i.sk)).toEqual([stays]);
    expect((await repo.get(scope, 'Group', g.id))?.version).toBe(2);
    // First pass done: the record waits for its second pass, which the sweep runs.
    expect((await pendingItem(scope, `del#${gone}`))?.pass).toBe(2);
    const sweep = membershipSweepHandler(() => ({ membershipWorker: worker, clock: systemClock }));
    expect((await sweep({})).failures).toEqual([]);
    expect(await pendingItem(scope, `del#${gone}`)).toBeUndefined();
  });

  it('should report a stream record whose work failed, for Lambda to retry', async () => {
    const broken = new MembershipWorker(t.doc, 'no-such-table');
    const scope: Scope = { tenantId: 'w2', endpointId: 'default' };
    const task = { taskType: 'delete' as const, ...scope, id: uuidv7(), kind: 'User' as const, pass: 1 };
    const handler = membershipStreamHandler(() => ({ membershipWorker: broken, clock: systemClock }));
    expect(await handler(streamEvent(pendingRecord(task, new Date())))).toEqual({
      batchItemFailures: [{ itemIdentifier: '100' }],
    });
  });

  it('should discard a staged change whose lease ran out, and restore what it would have removed', async () => {
    const scope: Scope = { tenantId: 'w3', endpointId: 'default' };
    const [kept, added] = await users(scope, 2, 'stale');
    const g = await groupWith(scope, 'Stale', [kept!]);
    const change = uuidv7();
    const pk = keys.members(scopeKey(scope), g.id);
    // What a request that died between staging and commit leaves behind.
    await t.doc.send(
      new PutCommand({
        TableName: t.tableName,
        Item: pendingRecord({ taskType: 'change', ...scope, id: g.id, change }, new Date(Date.now() - 1000)),
      }),
    );
    await t.doc.send(
      new PutCommand({
        TableName: t.tableName,
        Item: {
          pk,
          sk: added,
          type: 'User',
          memberKey: keys.memberIndex(scopeKey(scope), added!),
          groupKey: g.id,
          pend: change,
          pop: 'add',
        },
      }),
    );
    const keptItem = (await partition(pk)).find((i) => i.sk === kept)!;
    await t.doc.send(
      new PutCommand({ TableName: t.tableName, Item: { ...keptItem, pend: change, pop: 'rm' } }),
    );
    // Not committed: readers see the group as it was.
    expect((await repo.listMembers(scope, g.id)).map((m) => m.value)).toEqual([kept]);
    expect(await repo.groupsOf(scope, added!)).toEqual([]);

    const report = await worker.runDue(new Date());
    expect(report.failures).toEqual([]);
    expect(await pendingItem(scope, `chg#${g.id}`)).toBeUndefined();
    expect(await partition(pk)).toEqual([keptItem]);
    expect((await repo.listMembers(scope, g.id)).map((m) => m.value)).toEqual([kept]);
  });

  it('should purge every item of a deleted endpoint and let its id be created again only after', async () => {
    const scope: Scope = { tenantId: 'w4', endpointId: 'gone' };
    const ids = await users(scope, 3, 'purge');
    await groupWith(scope, 'Purged', ids);
    const task = { taskType: 'endpoint' as const, ...scope, id: scope.endpointId };
    await t.doc.send(new PutCommand({ TableName: t.tableName, Item: pendingRecord(task, new Date()) }));
    await worker.runDue(new Date());
    const s = scopeKey(scope);
    for (const pk of [
      keys.resources(s, 'User'),
      keys.resources(s, 'Group'),
      keys.counter(s, 'User'),
      keys.pending(s),
      keys.uniqueName(s, 'User', 'purge0@example.com'),
    ]) {
      expect(await partition(pk)).toEqual([]);
    }
    // The same names can be used again.
    await users(scope, 1, 'purge');
  });
});

describe('migration from the 0002 layout', () => {
  it('should index old memberships and second work e-mails, drop memberOf and mv, and be idempotent', async () => {
    const scope: Scope = { tenantId: 'legacy', endpointId: 'default' };
    const s = scopeKey(scope);
    const userId = uuidv7();
    const groupId = uuidv7();
    const old = [
      {
        pk: keys.resources(s, 'User'),
        sk: userId,
        kind: 'User',
        data: {
          userName: 'legacy@example.com',
          emails: [
            { value: 'first@legacy.example', type: 'work' },
            { value: 'second@legacy.example', type: 'work' },
          ],
        },
        version: 1,
        created: now,
        lastModified: now,
        nameKey: keys.nameIndex(s, 'User', 'legacy@example.com'),
        workEmailKey: keys.workEmailIndex(s, 'first@legacy.example'),
        memberOf: new Set([groupId]),
        mv: 1,
      },
      {
        pk: keys.resources(s, 'Group'),
        sk: groupId,
        kind: 'Group',
        data: { displayName: 'Legacy group' },
        version: 2,
        created: now,
        lastModified: now,
        nameKey: keys.nameIndex(s, 'Group', 'Legacy group'),
      },
      { pk: keys.members(s, groupId), sk: userId, type: 'User' },
    ];
    for (const Item of old) await t.doc.send(new PutCommand({ TableName: t.tableName, Item }));
    expect(await repo.groupsOf(scope, userId)).toEqual([]);

    const report = await migrateTo0014(t.doc, t.tableName);
    expect(report).toMatchObject({ membershipsIndexed: 1, aliasesWritten: 1, resourcesCleaned: 1 });
    expect(await repo.groupsOf(scope, userId)).toEqual([{ value: groupId, display: 'Legacy group' }]);
    expect(
      (await repo.findByIndex(scope, 'User', 'workEmail', 'Second@Legacy.example')).map((u) => u.id),
    ).toEqual([userId]);
    const user = await t.doc.send(
      new GetCommand({ TableName: t.tableName, Key: { pk: keys.resources(s, 'User'), sk: userId } }),
    );
    expect(user.Item).not.toHaveProperty('memberOf');
    expect(user.Item).not.toHaveProperty('mv');

    expect(await migrateTo0014(t.doc, t.tableName)).toMatchObject({
      membershipsIndexed: 0,
      aliasesWritten: 0,
      resourcesCleaned: 0,
    });
  });
});
