/**
 * Group membership at real scale and atomic group writes (issues 9 and 13), over HTTP against DynamoDB Local:
 * creates with 10 000 members, all-or-nothing PATCH and PUT at any size, versions that move with the member list
 * (also when a member is deleted) and not for a no-op, every work e-mail indexed, deletes answered at once with the
 * memberships removed in the background, the membership filters, and the bound on a group's representation.
 */
import { QueryCommand } from '../../shared/adapters/dynamodb/commands';
import { randomUUID } from 'node:crypto';
import { keys } from '../../shared/adapters/dynamodb/table-design';
import { MAX_MEMBERS_IN_RESPONSE } from '../../shared/domain/scim-resources';
import { seedUsers } from '../../bench/seed';
import { issuedSecrets, startHarness, type Harness } from '../support/harness';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

let h: Harness;

beforeAll(async () => {
  // The production client's timeouts: a 10 000-member group's reads and writes fan out within them (client.ts).
  h = await startHarness({ tenantId: 'members' });
});

afterAll(async () => {
  await h.close();
});

let seededSoFar = 100_000;

/** Users seeded straight into the table (the layout the server writes; bench/seed.ts checks it), fast. */
async function createUsers(_prefix: string, n: number): Promise<string[]> {
  const from = seededSoFar;
  seededSoFar += n;
  const seeded = await seedUsers({
    doc: h.container.doc,
    tableName: h.container.config.TABLE_NAME,
    scope: { tenantId: h.tenantId, endpointId: 'default' },
    from,
    to: from + n,
    mode: 'batch',
    parallel: 4,
  });
  return seeded.users.map((u) => u.id);
}

async function createGroup(displayName: string, members: string[] = []) {
  const res = await h.request('POST', 'Groups', {
    body: { schemas: [GROUP], displayName, members: members.map((value) => ({ value })) },
  });
  expect(res.status).toBe(201);
  return res.body as { id: string; meta: { version: string; lastModified: string } };
}

const patch = (...operations: Record<string, unknown>[]) => ({ schemas: [PATCH], Operations: operations });

async function memberIds(groupId: string): Promise<string[]> {
  const res = await h.request('GET', `Groups/${groupId}?attributes=members`);
  expect(res.status).toBe(200);
  return ((res.body.members ?? []) as { value: string }[]).map((m) => m.value).sort();
}

async function groupIdsOf(userId: string): Promise<string[]> {
  const res = await h.request('GET', `Users/${userId}?attributes=groups`);
  expect(res.status).toBe(200);
  return ((res.body.groups ?? []) as { value: string }[]).map((g) => g.value).sort();
}

/** Every membership item still stored for a group (staged or not), read straight from the table. */
async function storedMembershipItems(groupId: string): Promise<number> {
  let count = 0;
  let start: Record<string, unknown> | undefined;
  do {
    const out = await h.container.doc.send(
      new QueryCommand({
        TableName: h.container.config.TABLE_NAME,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': keys.members(keys.scope(h.tenantId, 'default'), groupId) },
        Select: 'COUNT',
        ExclusiveStartKey: start,
      }),
    );
    count += out.Count ?? 0;
    start = out.LastEvaluatedKey;
  } while (start);
  return count;
}

/** Change locks (`chg#` pending records) still held in the scope: a request must never leave one behind. */
async function heldLocks(): Promise<number> {
  const out = await h.container.doc.send(
    new QueryCommand({
      TableName: h.container.config.TABLE_NAME,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :chg)',
      ExpressionAttributeValues: { ':pk': keys.pending(keys.scope(h.tenantId, 'default')), ':chg': 'chg#' },
      Select: 'COUNT',
    }),
  );
  return out.Count ?? 0;
}

async function waitFor(check: () => Promise<boolean>, what: string, seconds = 30): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('group writes: all or nothing at any size', () => {
  it('should refuse a PATCH with one nonexistent member and change nothing (small and large changes)', async () => {
    const users = await createUsers('atomic', 160);
    const group = await createGroup('Atomic', users.slice(0, 5));
    const before = await h.request('GET', `Groups/${group.id}`);
    for (const size of [60, 150]) {
      const value = [...users.slice(10, 10 + size).map((v) => ({ value: v })), { value: randomUUID() }];
      const res = await h.request('PATCH', `Groups/${group.id}`, {
        body: patch({ op: 'add', path: 'members', value }),
      });
      expect(res.status).toBe(400);
      expect(res.body.scimType).toBe('invalidValue');
      const after = await h.request('GET', `Groups/${group.id}`);
      expect(after.body.meta.version).toBe(before.body.meta.version);
      expect(after.body.meta.lastModified).toBe(before.body.meta.lastModified);
      expect(await memberIds(group.id)).toEqual([...users.slice(0, 5)].sort());
      expect(await groupIdsOf(users[20]!)).toEqual([]);
    }
    // Nothing staged is left behind either, nor the change lock the large request took with its reads.
    expect(await storedMembershipItems(group.id)).toBe(5);
    expect(await heldLocks()).toBe(0);
  });

  it('should release the change lock of a large request that changes little or nothing', async () => {
    const users = await createUsers('lock', 201);
    const group = await createGroup('Lock', users.slice(0, 100));
    const add = (ids: string[]) =>
      h.request('PATCH', `Groups/${group.id}`, {
        body: patch({ op: 'add', path: 'members', value: ids.map((value) => ({ value })) }),
      });
    // 100 members already there: a no-op (version and lastModified unchanged), and no lock left behind.
    expect((await add(users.slice(0, 100))).status).toBe(204);
    let after = await h.request('GET', `Groups/${group.id}?excludedAttributes=members`);
    expect(after.body.meta.version).toBe(group.meta.version);
    expect(after.body.meta.lastModified).toBe(group.meta.lastModified);
    expect(await heldLocks()).toBe(0);
    // 99 there and 1 new: one transaction that also releases the lock; the version moves once.
    expect((await add(users.slice(1, 101))).status).toBe(204);
    after = await h.request('GET', `Groups/${group.id}?excludedAttributes=members`);
    expect(after.body.meta.version).not.toBe(group.meta.version);
    expect(await heldLocks()).toBe(0);
    // The next large change is not kept waiting.
    expect((await add(users.slice(101, 201))).status).toBe(204);
    expect(await memberIds(group.id)).toEqual([...users].sort());
    expect(await heldLocks()).toBe(0);
  });

  it('should refuse a PUT with one nonexistent member and change neither members, name nor version', async () => {
    const users = await createUsers('atomic-put', 120);
    const group = await createGroup('Atomic PUT', users.slice(0, 3));
    for (const members of [users.slice(3, 40), users.slice(0, 120)]) {
      const res = await h.request('PUT', `Groups/${group.id}`, {
        body: {
          schemas: [GROUP],
          displayName: 'Renamed by a failed PUT',
          members: [...members, randomUUID()].map((value) => ({ value })),
        },
      });
      expect(res.status).toBe(400);
      const after = await h.request('GET', `Groups/${group.id}`);
      expect(after.body.displayName).toBe('Atomic PUT');
      expect(after.body.meta.version).toBe(group.meta.version);
      expect(await memberIds(group.id)).toEqual([...users.slice(0, 3)].sort());
    }
  });

  it('should show a change of 300 members to concurrent readers either wholly or not at all', async () => {
    const users = await createUsers('visible', 300);
    const group = await createGroup('Visible');
    const seen = new Set<number>();
    const seenGroups = new Set<number>();
    let done = false;
    const readers = Array.from({ length: 3 }, async () => {
      while (!done) {
        const [members, groups] = await Promise.all([memberIds(group.id), groupIdsOf(users[299]!)]);
        seen.add(members.length);
        seenGroups.add(groups.length);
      }
    });
    const res = await h.request('PATCH', `Groups/${group.id}`, {
      body: patch({ op: 'add', path: 'members', value: users.map((value) => ({ value })) }),
    });
    done = true;
    await Promise.all(readers);
    expect(res.status).toBe(204);
    expect([...seen].every((n) => n === 0 || n === 300)).toBe(true);
    expect([...seenGroups].every((n) => n === 0 || n === 1)).toBe(true);
    expect(await memberIds(group.id)).toHaveLength(300);
    expect(await groupIdsOf(users[299]!)).toEqual([group.id]);
  });

  it('should replace all members of a large group by writing only the difference', async () => {
    const users = await createUsers('replace', 250);
    const group = await createGroup('Replace', users.slice(0, 200));
    const want = users.slice(50, 250);
    const res = await h.request('PATCH', `Groups/${group.id}`, {
      body: patch({ op: 'replace', path: 'members', value: want.map((value) => ({ value })) }),
    });
    expect(res.status).toBe(204);
    expect(await memberIds(group.id)).toEqual([...want].sort());
    expect(await groupIdsOf(users[0]!)).toEqual([]);
    expect(await groupIdsOf(users[249]!)).toEqual([group.id]);
    const after = await h.request('GET', `Groups/${group.id}?excludedAttributes=members`);
    expect(after.body.meta.version).toBe('W/"2"');
    // Removed members of a large change are erased in the background.
    await waitFor(async () => (await storedMembershipItems(group.id)) === 200, 'tombstones erased');
  });
});

describe('versions that tell the truth', () => {
  it('should leave version and lastModified alone for a no-op PATCH (re-adding a member)', async () => {
    const [u] = await createUsers('noop', 1);
    const group = await createGroup('No-op', [u!]);
    const res = await h.request('PATCH', `Groups/${group.id}`, {
      body: patch({ op: 'add', path: 'members', value: [{ value: u }] }),
    });
    expect(res.status).toBe(204);
    const after = await h.request('GET', `Groups/${group.id}`);
    expect(after.body.meta.version).toBe(group.meta.version);
    expect(after.body.meta.lastModified).toBe(group.meta.lastModified);
    // Removing a non-member is a no-op too.
    await h.request('PATCH', `Groups/${group.id}`, {
      body: patch({ op: 'remove', path: `members[value eq "${randomUUID()}"]` }),
    });
    expect((await h.request('GET', `Groups/${group.id}`)).body.meta.version).toBe(group.meta.version);
  });

  it('should move the version of a group when a member user is deleted, and hide the user at once', async () => {
    const [gone, stays] = await createUsers('leaver', 2);
    const group = await createGroup('Leavers', [gone!, stays!]);
    const etag = (await h.request('GET', `Groups/${group.id}`)).headers.get('etag')!;
    expect((await h.request('DELETE', `Users/${gone}`)).status).toBe(204);
    // At once: the member list no longer names the deleted user.
    expect(await memberIds(group.id)).toEqual([stays]);
    await waitFor(async () => (await storedMembershipItems(group.id)) === 1, 'membership removed');
    const after = await h.request('GET', `Groups/${group.id}`, { headers: { 'if-none-match': etag } });
    expect(after.status).toBe(200);
    expect(after.body.meta.version).not.toBe(group.meta.version);
    expect(after.body.meta.lastModified > group.meta.lastModified).toBe(true);
  });
});

describe('deletes answer at once; memberships go in the background', () => {
  it('should delete a 500-member group at once and remove every membership in the background', async () => {
    const users = await createUsers('big-delete', 500);
    const group = await createGroup('Big delete', users);
    const other = await createGroup('Other', users.slice(0, 2));
    expect((await h.request('DELETE', `Groups/${group.id}`)).status).toBe(204);
    expect((await h.request('GET', `Groups/${group.id}`)).status).toBe(404);
    // Never visible half-deleted: no user lists the group from the moment of the delete.
    expect(await groupIdsOf(users[0]!)).toEqual([other.id]);
    const found = await h.request(
      'GET',
      `Groups?filter=${encodeURIComponent(`members.value eq "${users[7]}"`)}`,
    );
    expect(found.body.totalResults).toBe(0);
    await waitFor(async () => (await storedMembershipItems(group.id)) === 0, 'every membership removed');
    expect(await memberIds(other.id)).toEqual(users.slice(0, 2).sort());
  });

  it('should remove a deleted member group from the groups that contain it', async () => {
    const inner = await createGroup('Inner');
    const outer = await createGroup('Outer', [inner.id]);
    expect((await h.request('DELETE', `Groups/${inner.id}`)).status).toBe(204);
    expect(await memberIds(outer.id)).toEqual([]);
    await waitFor(async () => (await storedMembershipItems(outer.id)) === 0, 'nested membership removed');
  });
});

describe('membership filters and indexes', () => {
  it('should answer members[value eq], members.value eq and groups.value eq from the memberships', async () => {
    const [a, b] = await createUsers('filters', 2);
    const g1 = await createGroup('Filter one', [a!]);
    const g2 = await createGroup('Filter two', [a!, b!]);
    const groupsWith = async (filter: string) =>
      (
        (await h.request('GET', `Groups?excludedAttributes=members&filter=${encodeURIComponent(filter)}`))
          .body.Resources as { id: string }[]
      )
        .map((r) => r.id)
        .sort();
    expect(await groupsWith(`members[value eq "${a}"]`)).toEqual([g1.id, g2.id].sort());
    expect(await groupsWith(`members.value eq "${b}"`)).toEqual([g2.id]);
    expect(await groupsWith(`members.value eq "${b}" and displayName eq "Filter two"`)).toEqual([g2.id]);
    expect(await groupsWith(`members.value eq "${b}" and displayName eq "Filter one"`)).toEqual([]);
    const users = await h.request('GET', `Users?filter=${encodeURIComponent(`groups.value eq "${g2.id}"`)}`);
    expect((users.body.Resources as { id: string }[]).map((r) => r.id).sort()).toEqual([a, b].sort());
  });

  it('should find a user by any of its work e-mails', async () => {
    const res = await h.request('POST', 'Users', {
      body: {
        schemas: [USER],
        userName: 'two-mails@example.com',
        emails: [
          { value: 'first@work.example', type: 'work', primary: true },
          { value: 'Second@Work.example', type: 'work' },
          { value: 'home@home.example', type: 'home' },
        ],
      },
    });
    expect(res.status).toBe(201);
    const find = async (address: string) =>
      (
        await h.request(
          'GET',
          `Users?filter=${encodeURIComponent(`emails[type eq "work"].value eq "${address}"`)}`,
        )
      ).body.totalResults as number;
    expect(await find('first@work.example')).toBe(1);
    expect(await find('second@work.example')).toBe(1);
    expect(await find('home@home.example')).toBe(0);
    // Replaced: the old second address no longer finds the user, the new one does.
    const put = await h.request('PUT', `Users/${res.body.id}`, {
      body: {
        schemas: [USER],
        userName: 'two-mails@example.com',
        emails: [
          { value: 'first@work.example', type: 'work' },
          { value: 'third@work.example', type: 'work' },
        ],
      },
    });
    expect(put.status).toBe(200);
    expect(await find('second@work.example')).toBe(0);
    expect(await find('third@work.example')).toBe(1);
    expect((await h.request('DELETE', `Users/${res.body.id}`)).status).toBe(204);
    expect(await find('third@work.example')).toBe(0);
  });
});

describe('groups of 10 000 members', () => {
  it('should create a group with 10 000 members in one POST, and bound its representation', async () => {
    const scope = { tenantId: h.tenantId, endpointId: 'default' };
    const seeded = await seedUsers({
      doc: h.container.doc,
      tableName: h.container.config.TABLE_NAME,
      scope,
      from: 0,
      to: MAX_MEMBERS_IN_RESPONSE + 1,
      mode: 'batch',
      parallel: 8,
    });
    const ids = seeded.users.map((u) => u.id);
    const group = await createGroup('All employees', ids.slice(0, MAX_MEMBERS_IN_RESPONSE));
    expect(await groupIdsOf(ids[9_999]!)).toEqual([group.id]);
    const full = await h.request('GET', `Groups/${group.id}`);
    expect(full.status).toBe(200);
    expect(full.body.members).toHaveLength(MAX_MEMBERS_IN_RESPONSE);

    const add = await h.request('PATCH', `Groups/${group.id}`, {
      body: patch({ op: 'add', path: 'members', value: [{ value: ids[MAX_MEMBERS_IN_RESPONSE] }] }),
    });
    expect(add.status).toBe(204);
    // More members than one representation carries: a documented error that says what to do instead.
    const tooBig = await h.request('GET', `Groups/${group.id}`);
    expect(tooBig.status).toBe(400);
    expect(tooBig.body.scimType).toBe('tooMany');
    expect(tooBig.body.detail).toMatch(/excludedAttributes=members/);
    const slim = await h.request('GET', `Groups/${group.id}?excludedAttributes=members`);
    expect(slim.status).toBe(200);
    expect(slim.body.meta.version).toBe('W/"2"');
    const byMember = await h.request(
      'GET',
      `Groups?excludedAttributes=members&filter=${encodeURIComponent(`members.value eq "${ids[MAX_MEMBERS_IN_RESPONSE]}"`)}`,
    );
    expect(byMember.body.totalResults).toBe(1);

    // A replace of the whole list of a group past the bound: refused before anything is written (its difference
    // would grow with the group), PATCH and PUT alike; adds and removes still work.
    for (const refused of [
      h.request('PATCH', `Groups/${group.id}`, {
        body: patch({ op: 'replace', path: 'members', value: [{ value: ids[0] }] }),
      }),
      h.request('PUT', `Groups/${group.id}`, { body: { schemas: [GROUP], displayName: 'All employees' } }),
    ]) {
      const res = await refused;
      expect(res.status).toBe(400);
      expect(res.body.scimType).toBe('tooMany');
      expect(res.body.detail).toMatch(/add and remove/);
    }
    // A credential limited to e-mail domains must check every member before it deletes a group; past the bound
    // that check is refused rather than grown with the group (the members are all in its domain).
    const limited = await h.container.credentials.issue(
      h.tenantId,
      { kind: 'bearer', name: 'domain-limited', allowedDomains: ['bench.example.com'] } as never,
      { actor: 'test', origin: h.server.origin },
    );
    issuedSecrets.push(limited.secret);
    const limitedDelete = await h.request('DELETE', `Groups/${group.id}`, { token: limited.secret });
    expect(limitedDelete.status).toBe(400);
    expect(limitedDelete.body.scimType).toBe('tooMany');
    expect(limitedDelete.body.detail).toMatch(/not limited to e-mail domains/);
    const unchanged = await h.request('GET', `Groups/${group.id}?excludedAttributes=members`);
    expect(unchanged.body.meta.version).toBe('W/"2"');
    expect(await groupIdsOf(ids[0]!)).toEqual([group.id]);

    // Back at the bound: a replace is diffed against the whole list and writes only what changed (one member out,
    // one in: one small transaction, nothing staged).
    const removed = await h.request('PATCH', `Groups/${group.id}`, {
      body: patch({ op: 'remove', path: `members[value eq "${ids[0]}"]` }),
    });
    expect(removed.status).toBe(204);
    const wanted = [...ids.slice(2, MAX_MEMBERS_IN_RESPONSE + 1), ids[0]!];
    const replaced = await h.request('PATCH', `Groups/${group.id}`, {
      body: patch({ op: 'replace', path: 'members', value: wanted.map((value) => ({ value })) }),
    });
    expect(replaced.status).toBe(204);
    expect(await groupIdsOf(ids[0]!)).toEqual([group.id]);
    expect(await groupIdsOf(ids[1]!)).toEqual([]);
    const after = await h.request('GET', `Groups/${group.id}?excludedAttributes=members`);
    expect(after.body.meta.version).toBe('W/"4"');
    expect(await storedMembershipItems(group.id)).toBe(MAX_MEMBERS_IN_RESPONSE);
  }, 600_000);
});
