import { v7 as uuidv7 } from 'uuid';
import { DynamoResourceRepository } from '../../shared/adapters/dynamodb/resource-repository';
import {
  VersionConflict,
  type IndexValues,
  type Scope,
  type StoredResource,
} from '../../shared/domain/ports';
import { ScimError } from '../../shared/scim/errors';
import { createTestTable } from '../support/tables';

let repo: DynamoResourceRepository;
const scope: Scope = { tenantId: 'acme', endpointId: 'default' };
const otherTenant: Scope = { tenantId: 'globex', endpointId: 'default' };
const now = '2026-11-24T12:00:00.000Z';

beforeAll(async () => {
  const t = await createTestTable();
  repo = new DynamoResourceRepository(t.doc, t.tableName);
});

function user(
  userName: string,
  extra: Record<string, unknown> = {},
): { res: StoredResource; index: IndexValues } {
  return {
    res: {
      id: uuidv7(),
      kind: 'User',
      data: { userName, ...extra },
      version: 1,
      created: now,
      lastModified: now,
    },
    index: { name: userName },
  };
}

function group(displayName: string): { res: StoredResource; index: IndexValues } {
  return {
    res: {
      id: uuidv7(),
      kind: 'Group',
      data: { displayName },
      version: 1,
      created: now,
      lastModified: now,
    },
    index: { name: displayName },
  };
}

async function expectScimError(p: Promise<unknown>, status: number, scimType?: string): Promise<void> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ScimError);
  expect((err as ScimError).status).toBe(status);
  if (scimType) expect((err as ScimError).scimType).toBe(scimType);
}

describe('DynamoResourceRepository (DynamoDB Local)', () => {
  it('should create a user and read it back with one get', async () => {
    const { res, index } = user('alice@example.com', { active: true });
    await repo.create(scope, res, index, []);
    expect(await repo.get(scope, 'User', res.id)).toEqual(res);
    expect(await repo.get(otherTenant, 'User', res.id)).toBeUndefined();
  });

  it('should refuse a second user with the same userName in any case, but allow it in another tenant', async () => {
    const a = user('Bob@Example.com');
    await repo.create(scope, a.res, a.index, []);
    const b = user('bob@example.COM');
    await expectScimError(repo.create(scope, b.res, b.index, []), 409, 'uniqueness');
    await repo.create(otherTenant, b.res, b.index, []);
    expect(await repo.get(scope, 'User', b.res.id)).toBeUndefined();
  });

  it('should give exactly one winner for 20 concurrent creates of one userName', async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, () => {
        const u = user('race@example.com');
        return repo.create(scope, u.res, u.index, []);
      }),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(rejected).toHaveLength(19);
    for (const r of rejected) expect((r.reason as ScimError).status).toBe(409);
    expect(await repo.findByIndex(scope, 'User', 'name', 'RACE@example.com')).toHaveLength(1);
  });

  it('should find users by userName, externalId and work email through the indexes', async () => {
    const u = user('Carol', { externalId: 'ext-1' });
    await repo.create(
      scope,
      u.res,
      { name: 'Carol', externalId: 'ext-1', workEmails: ['Carol@Work.example'] },
      [],
    );
    expect((await repo.findByIndex(scope, 'User', 'name', 'carol')).map((r) => r.id)).toEqual([u.res.id]);
    expect((await repo.findByIndex(scope, 'User', 'externalId', 'ext-1')).map((r) => r.id)).toEqual([
      u.res.id,
    ]);
    expect(await repo.findByIndex(scope, 'User', 'externalId', 'EXT-1')).toEqual([]);
    expect(
      (await repo.findByIndex(scope, 'User', 'workEmail', 'carol@work.example')).map((r) => r.id),
    ).toEqual([u.res.id]);
    expect(await repo.findByIndex(otherTenant, 'User', 'name', 'carol')).toEqual([]);
  });

  it('should replace with a version check and move the uniqueness guard on rename', async () => {
    const u = user('dave');
    await repo.create(scope, u.res, u.index, []);
    const next = { ...u.res, data: { userName: 'david' }, version: 2 };
    await repo.replace(scope, next, { name: 'david' }, u.index, 1);
    expect((await repo.get(scope, 'User', u.res.id))?.data).toEqual({ userName: 'david' });
    await expect(
      repo.replace(scope, { ...next, version: 3 }, { name: 'david' }, { name: 'david' }, 1),
    ).rejects.toBeInstanceOf(VersionConflict);
    // the old name is free again, the new one is taken
    const again = user('DAVE');
    await repo.create(scope, again.res, again.index, []);
    const clash = user('David');
    await expectScimError(repo.create(scope, clash.res, clash.index, []), 409, 'uniqueness');
  });

  it('should refuse a rename onto a taken name without changing anything', async () => {
    const a = user('erin');
    const b = user('frank');
    await repo.create(scope, a.res, a.index, []);
    await repo.create(scope, b.res, b.index, []);
    await expectScimError(
      repo.replace(scope, { ...b.res, data: { userName: 'ERIN' }, version: 2 }, { name: 'ERIN' }, b.index, 1),
      409,
      'uniqueness',
    );
    expect(await repo.get(scope, 'User', b.res.id)).toEqual(b.res);
  });

  it('should page through a collection in a stable order and count it', async () => {
    const s: Scope = { tenantId: 'paging', endpointId: 'default' };
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) {
      const u = user(`p${i}`);
      ids.push(u.res.id);
      await repo.create(s, u.res, u.index, []);
    }
    const seen: string[] = [];
    let after: string | undefined;
    do {
      const page = await repo.list(s, 'User', { after, limit: 3 });
      seen.push(...page.items.map((r) => r.id));
      after = page.next;
    } while (after);
    expect(seen).toEqual([...ids].sort());
    expect((await repo.count(s, 'User')).total).toBe(7);
    const idsPage = await repo.listIds(s, 'User', { limit: 2 });
    expect(idsPage.ids).toEqual(seen.slice(0, 2));
  });

  it('should add and remove members without losing concurrent adds', async () => {
    const g = group('Engineering');
    await repo.create(scope, g.res, g.index, []);
    const users = await Promise.all(
      Array.from({ length: 30 }, async (_, i) => {
        const u = user(`member${i}@example.com`);
        await repo.create(scope, u.res, u.index, []);
        return u.res.id;
      }),
    );
    await Promise.all(
      users.map((id) => repo.changeMembers(scope, g.res.id, { add: [{ value: id }], remove: [] }, now)),
    );
    const members = await repo.listMembers(scope, g.res.id);
    expect(members.map((m) => m.value).sort()).toEqual([...users].sort());
    expect(members.every((m) => m.type === 'User')).toBe(true);
    expect((await repo.get(scope, 'Group', g.res.id))?.version).toBe(31);
    expect(await repo.groupsOf(scope, users[0]!)).toEqual([{ value: g.res.id, display: 'Engineering' }]);

    await repo.changeMembers(scope, g.res.id, { add: [], remove: users.slice(0, 10) }, now);
    expect((await repo.listMembers(scope, g.res.id)).map((m) => m.value).sort()).toEqual(
      users.slice(10).sort(),
    );
    expect(await repo.groupsOf(scope, users[0]!)).toEqual([]);
    expect((await repo.get(scope, 'Group', g.res.id))?.version).toBe(32);
  });

  it('should refuse a member that does not exist and add nothing', async () => {
    const g = group('Sales');
    await repo.create(scope, g.res, g.index, []);
    const u = user('real@example.com');
    await repo.create(scope, u.res, u.index, []);
    await expectScimError(
      repo.changeMembers(
        scope,
        g.res.id,
        { add: [{ value: u.res.id }, { value: 'missing-id' }], remove: [] },
        now,
      ),
      400,
      'invalidValue',
    );
    expect(await repo.listMembers(scope, g.res.id)).toEqual([]);
    await expectScimError(
      repo.changeMembers(scope, 'no-such-group', { add: [{ value: u.res.id }], remove: [] }, now),
      404,
    );
  });

  it('should accept groups as members and create a group with initial members atomically', async () => {
    const inner = group('Inner');
    await repo.create(scope, inner.res, inner.index, []);
    const u = user('nested@example.com');
    await repo.create(scope, u.res, u.index, []);
    const outer = group('Outer');
    await repo.create(scope, outer.res, outer.index, [
      { value: inner.res.id },
      { value: u.res.id, type: 'User' },
    ]);
    const members = await repo.listMembers(scope, outer.res.id);
    expect(members).toEqual(
      expect.arrayContaining([
        { value: inner.res.id, type: 'Group' },
        { value: u.res.id, type: 'User' },
      ]),
    );
    const bad = group('Broken');
    await expectScimError(repo.create(scope, bad.res, bad.index, [{ value: 'nope' }]), 400, 'invalidValue');
    expect(await repo.get(scope, 'Group', bad.res.id)).toBeUndefined();
    expect(await repo.findByIndex(scope, 'Group', 'name', 'broken')).toEqual([]);
  });

  it('should remove a deleted user from its groups and leave users intact when a group is deleted', async () => {
    const g1 = group('G1');
    const g2 = group('G2');
    await repo.create(scope, g1.res, g1.index, []);
    await repo.create(scope, g2.res, g2.index, []);
    const u1 = user('leaver@example.com');
    const u2 = user('stayer@example.com');
    await repo.create(scope, u1.res, u1.index, []);
    await repo.create(scope, u2.res, u2.index, []);
    for (const g of [g1, g2]) {
      await repo.changeMembers(
        scope,
        g.res.id,
        { add: [{ value: u1.res.id }, { value: u2.res.id }], remove: [] },
        now,
      );
    }
    const stored = (await repo.get(scope, 'User', u1.res.id))!;
    await repo.delete(scope, stored, u1.index);
    expect(await repo.get(scope, 'User', u1.res.id)).toBeUndefined();
    expect((await repo.listMembers(scope, g1.res.id)).map((m) => m.value)).toEqual([u2.res.id]);
    expect((await repo.listMembers(scope, g2.res.id)).map((m) => m.value)).toEqual([u2.res.id]);

    const storedGroup = (await repo.get(scope, 'Group', g1.res.id))!;
    await repo.delete(scope, storedGroup, g1.index);
    expect(await repo.get(scope, 'Group', g1.res.id)).toBeUndefined();
    expect(await repo.groupsOf(scope, u2.res.id)).toEqual([{ value: g2.res.id, display: 'G2' }]);
    // the name is free again
    const again = group('g1');
    await repo.create(scope, again.res, again.index, []);
  });

  it('should refuse a delete when the version moved', async () => {
    const u = user('versioned@example.com');
    await repo.create(scope, u.res, u.index, []);
    await repo.replace(scope, { ...u.res, version: 2 }, u.index, u.index, 1);
    await expect(repo.delete(scope, u.res, u.index)).rejects.toBeInstanceOf(VersionConflict);
    expect(await repo.get(scope, 'User', u.res.id)).toBeDefined();
  });

  it('should find the nearest startIndex bookmark at or below a position, and forget all of them after a delete', async () => {
    const s: Scope = { tenantId: 'bookmarks', endpointId: 'default' };
    const users = [user('bm1'), user('bm2'), user('bm3')];
    for (const u of users) await repo.create(s, u.res, u.index, []);
    const before = await repo.count(s, 'User');
    expect(before).toEqual({ total: 3, deletions: 0 });
    expect(await repo.findBookmark(s, 'User', 5, 0)).toBeUndefined();
    await repo.putBookmark(s, 'User', 1, users[0]!.res.id, 0);
    await repo.putBookmark(s, 'User', 2, users[1]!.res.id, 0);
    expect(await repo.findBookmark(s, 'User', 5, 0)).toEqual({ position: 2, id: users[1]!.res.id });
    expect(await repo.findBookmark(s, 'User', 1, 0)).toEqual({ position: 1, id: users[0]!.res.id });
    expect(await repo.findBookmark(otherTenant, 'User', 5, 0)).toBeUndefined();
    // Deleting the first user shifts every later position: bookmarks made before are void, not only its own.
    await repo.delete(s, (await repo.get(s, 'User', users[0]!.res.id))!, users[0]!.index);
    const after = await repo.count(s, 'User');
    expect(after).toEqual({ total: 2, deletions: 1 });
    expect(await repo.findBookmark(s, 'User', 5, after.deletions)).toBeUndefined();
    expect(await repo.findBookmark(s, 'User', 2, after.deletions)).toBeUndefined();
  });

  it("should fill a page across DynamoDB's 1 MB query cut", async () => {
    const s: Scope = { tenantId: 'bigpages', endpointId: 'default' };
    const made: string[] = [];
    for (let i = 0; i < 60; i++) {
      const u = user(`big${i}`, { title: 'x'.repeat(20_000) });
      await repo.create(s, u.res, u.index, []);
      made.push(u.res.id);
    }
    const page = await repo.list(s, 'User', { limit: 60 });
    expect(page.items.map((r) => r.id)).toEqual(made);
    const ids = await repo.listIds(s, 'User', { limit: 60 });
    expect(ids.ids).toEqual(made);
    const first = await repo.list(s, 'User', { limit: 55 });
    expect(first.items).toHaveLength(55);
    expect(first.next).toBe(made[54]);
  });
});
