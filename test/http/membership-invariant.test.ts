/**
 * No drift (issue 9): random concurrent member adds, removes, replaces (PATCH and PUT), creates with members,
 * failing requests (a member that does not exist), user and group deletes, all at once against the HTTP API over
 * DynamoDB Local. Afterwards, and again once the background work is done, every user's `groups` is exactly the set
 * of groups whose member list names the user, no member list names a deleted resource, and no membership item of a
 * deleted resource is left in the table.
 */
import { QueryCommand, ScanCommand } from '../../shared/adapters/dynamodb/commands';
import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import { keys } from '../../shared/adapters/dynamodb/table-design';
import { startHarness, type Harness } from '../support/harness';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const USERS = 6;
const GROUPS = 3;

let h: Harness;

beforeAll(async () => {
  h = await startHarness({ tenantId: 'drift' });
});

afterAll(async () => {
  await h.close();
});

type Op =
  | { op: 'add'; g: number; us: number[] }
  | { op: 'remove'; g: number; u: number }
  | { op: 'replace'; g: number; us: number[] }
  | { op: 'put'; g: number; us: number[] }
  | { op: 'addMissing'; g: number; us: number[] }
  | { op: 'create'; us: number[] }
  | { op: 'deleteUser'; u: number }
  | { op: 'deleteGroup'; g: number };

const user = fc.integer({ min: 0, max: USERS - 1 });
const group = fc.integer({ min: 0, max: GROUPS - 1 });
const someUsers = fc.uniqueArray(user, { minLength: 1, maxLength: USERS });
const operation: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constant('add' as const), g: group, us: someUsers }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('remove' as const), g: group, u: user }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('replace' as const), g: group, us: someUsers }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('put' as const), g: group, us: someUsers }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('addMissing' as const), g: group, us: someUsers }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('create' as const), us: someUsers }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('deleteUser' as const), u: user }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('deleteGroup' as const), g: group }) },
);

const patch = (...operations: Record<string, unknown>[]) => ({ schemas: [PATCH], Operations: operations });
const refs = (ids: string[]) => ids.map((value) => ({ value }));

let run = 0;

async function setUp(): Promise<{ users: string[]; groups: string[] }> {
  run++;
  const users = await Promise.all(
    Array.from({ length: USERS }, async (_, i) => {
      const res = await h.request('POST', 'Users', { body: { schemas: [USER], userName: `r${run}-u${i}` } });
      expect(res.status).toBe(201);
      return res.body.id as string;
    }),
  );
  const groups = await Promise.all(
    Array.from({ length: GROUPS }, async (_, i) => {
      const res = await h.request('POST', 'Groups', {
        body: { schemas: [GROUP], displayName: `r${run}-g${i}`, members: refs(users.slice(0, i + 1)) },
      });
      expect(res.status).toBe(201);
      return res.body.id as string;
    }),
  );
  return { users, groups };
}

async function apply(o: Op, users: string[], groups: string[]): Promise<number> {
  const u = (i: number) => users[i]!;
  const g = (i: number) => groups[i]!;
  const us = (is: number[]) => is.map(u);
  let res;
  switch (o.op) {
    case 'add':
      res = await h.request('PATCH', `Groups/${g(o.g)}`, {
        body: patch({ op: 'add', path: 'members', value: refs(us(o.us)) }),
      });
      break;
    case 'remove':
      res = await h.request('PATCH', `Groups/${g(o.g)}`, {
        body: patch({ op: 'remove', path: `members[value eq "${u(o.u)}"]` }),
      });
      break;
    case 'replace':
      res = await h.request('PATCH', `Groups/${g(o.g)}`, {
        body: patch({ op: 'replace', path: 'members', value: refs(us(o.us)) }),
      });
      break;
    case 'put':
      res = await h.request('PUT', `Groups/${g(o.g)}`, {
        body: { schemas: [GROUP], displayName: `put-${g(o.g)}`, members: refs(us(o.us)) },
      });
      break;
    case 'addMissing':
      res = await h.request('PATCH', `Groups/${g(o.g)}`, {
        body: patch({ op: 'add', path: 'members', value: refs([...us(o.us), randomUUID()]) }),
      });
      break;
    case 'create':
      res = await h.request('POST', 'Groups', {
        body: { schemas: [GROUP], displayName: `c-${randomUUID()}`, members: refs(us(o.us)) },
      });
      break;
    case 'deleteUser':
      res = await h.request('DELETE', `Users/${u(o.u)}`);
      break;
    case 'deleteGroup':
      res = await h.request('DELETE', `Groups/${g(o.g)}`);
      break;
  }
  return res.status;
}

/** Every user's `groups` against every group's member list, as the API shows them now. */
async function checkInvariant(users: string[]): Promise<void> {
  const allGroups = await h.request('GET', `Groups?count=1000&excludedAttributes=members`);
  expect(allGroups.status).toBe(200);
  const groupIds = (allGroups.body.Resources as { id: string }[]).map((r) => r.id);
  const membersOf = new Map<string, string[]>();
  for (const id of groupIds) {
    const res = await h.request('GET', `Groups/${id}?attributes=members`);
    expect(res.status).toBe(200);
    membersOf.set(
      id,
      ((res.body.members ?? []) as { value: string }[]).map((m) => m.value),
    );
  }
  const alive = new Set<string>();
  for (const id of users) {
    const res = await h.request('GET', `Users/${id}?attributes=groups`);
    if (res.status === 404) continue;
    expect(res.status).toBe(200);
    alive.add(id);
    const groups = ((res.body.groups ?? []) as { value: string }[]).map((x) => x.value).sort();
    const listing = groupIds.filter((g) => membersOf.get(g)!.includes(id)).sort();
    expect(groups).toEqual(listing);
  }
  for (const [, members] of membersOf) {
    for (const m of members.filter((m) => users.includes(m))) expect(alive.has(m)).toBe(true);
  }
}

/** Waits until the scope has no background work left (the pending partition is empty). */
async function settle(): Promise<void> {
  const pk = keys.pending(keys.scope(h.tenantId, 'default'));
  const deadline = Date.now() + 30_000;
  for (;;) {
    const out = await h.container.doc.send(
      new QueryCommand({
        TableName: h.container.config.TABLE_NAME,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': pk },
        Select: 'COUNT',
      }),
    );
    if ((out.Count ?? 0) === 0) return;
    if (Date.now() > deadline) throw new Error('background membership work did not finish');
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** No membership item names a resource that no longer exists (read straight from the table). */
async function checkNoLeftovers(): Promise<void> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await h.container.doc.send(
      new ScanCommand({ TableName: h.container.config.TABLE_NAME, ExclusiveStartKey: start }),
    );
    items.push(...(out.Items ?? []));
    start = out.LastEvaluatedKey;
  } while (start);
  const scope = keys.scope(h.tenantId, 'default');
  const exists = new Set(
    items
      .filter((i) => i.pk === keys.resources(scope, 'User') || i.pk === keys.resources(scope, 'Group'))
      .map((i) => i.sk as string),
  );
  const memberships = items.filter((i) => String(i.pk).endsWith('#MEMBERS'));
  for (const m of memberships) {
    expect(exists.has(m.sk as string)).toBe(true);
    expect(exists.has(m.groupKey as string)).toBe(true);
  }
}

describe('membership invariant under concurrent changes', () => {
  it('should keep every user’s groups equal to the groups listing the user', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(operation, { minLength: 4, maxLength: 12 }), async (ops) => {
        const { users, groups } = await setUp();
        const statuses = await Promise.all(ops.map((o) => apply(o, users, groups)));
        // Every answer is a success or a clean refusal: never a 500.
        expect(statuses.filter((s) => ![200, 201, 204, 400, 404, 409, 412, 503].includes(s))).toEqual([]);
        // A request naming a member that does not exist is refused (400, or 404 once its group is gone).
        const refused = statuses.filter((_, i) => ops[i]?.op === 'addMissing');
        expect(refused.filter((s) => s !== 400 && s !== 404)).toEqual([]);
        await checkInvariant(users);
        await settle();
        await checkInvariant(users);
        await checkNoLeftovers();
      }),
      { numRuns: 5 },
    );
  }, 600_000);
});
