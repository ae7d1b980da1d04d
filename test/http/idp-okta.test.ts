/**
 * Okta provisioning replayed over HTTP: its lookups, creates with a placeholder password, GET-then-PUT updates,
 * deactivation (PATCH for template apps, PUT for custom apps), paged imports, group push, and the checks of Okta's
 * published SCIM test suite. Shapes follow docs idp-behaviour.md and Okta's SCIM 2.0 guide.
 */
import { failNextDynamoCalls, sdkError } from '../support/storage-faults';
import { jest } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { startHarness, type Harness, type RequestOptions, type TestResponse } from '../support/harness';

const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const PATCH_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const LIST_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';

const OKTA_HEADERS = {
  'user-agent': 'Okta SCIM Client 1.0.0',
  accept: 'application/scim+json',
};

// DynamoDB Local is shared by every test file running in parallel: allow for a slow machine.
jest.setTimeout(30_000);

let h: Harness;
beforeAll(async () => {
  // With the change-event producer over the table's stream, as `npm start` runs it (docs/events.md).
  h = await startHarness({ events: true });
});
afterAll(async () => {
  await h.close();
});

/** The change events of one resource (or about one member), in log order, once `count` are readable. */
function eventsAbout(id: string, count: number) {
  return h.waitForEvents(count, { where: (e) => e.resourceId === id || e.member?.value === id });
}

function okta(method: string, path: string, options: RequestOptions = {}): Promise<TestResponse> {
  return h.request(method, path, { ...options, headers: { ...OKTA_HEADERS, ...options.headers } });
}

function lookup(userName: string, base = ''): Promise<TestResponse> {
  const filter = encodeURIComponent(`userName eq "${userName}"`);
  return okta('GET', `${base}Users?filter=${filter}&startIndex=1&count=100`);
}

function patchBody(...operations: Record<string, unknown>[]) {
  return { schemas: [PATCH_SCHEMA], Operations: operations };
}

/** Okta's POST /Users body: placeholder password, empty groups, active. */
function oktaUser(userName: string, extra: Record<string, unknown> = {}) {
  const [given = 'Test', family = 'User'] = userName.split('@')[0]?.split('.') ?? [];
  return {
    schemas: [USER_SCHEMA],
    userName,
    name: { givenName: given, familyName: family },
    emails: [{ primary: true, value: userName, type: 'work' }],
    displayName: `${given} ${family}`,
    locale: 'en-US',
    externalId: `00u${randomUUID().replace(/-/g, '').slice(0, 17)}`,
    groups: [],
    password: 'Pl4ceholder-1mz050nq',
    active: true,
    ...extra,
  };
}

async function createUser(userName: string, extra: Record<string, unknown> = {}) {
  const res = await okta('POST', 'Users', { body: oktaUser(userName, extra) });
  expect(res.status).toBe(201);
  return res.body as { id: string; meta: { version: string } } & Record<string, unknown>;
}

async function createGroup(displayName: string, members: { value: string; display?: string }[] = []) {
  const res = await okta('POST', 'Groups', { body: { schemas: [GROUP_SCHEMA], displayName, members } });
  expect(res.status).toBe(201);
  return res.body as { id: string } & Record<string, unknown>;
}

async function memberIds(groupId: string): Promise<string[]> {
  const res = await okta('GET', `Groups/${groupId}`);
  expect(res.status).toBe(200);
  return ((res.body.members ?? []) as { value: string }[]).map((m) => m.value).sort();
}

describe('Okta user provisioning', () => {
  it('should look up a missing user with startIndex=1&count=100 and get an empty list with integer fields', async () => {
    const res = await lookup('nobody.here@okta.example');

    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      schemas: [LIST_SCHEMA],
      totalResults: 0,
      itemsPerPage: 0,
      startIndex: 1,
      Resources: [],
    });
  });

  it('should create with a placeholder password that is never returned, then find the user', async () => {
    const body = oktaUser('test.user@okta.example');
    const created = await okta('POST', 'Users', { body });

    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      userName: 'test.user@okta.example',
      externalId: body.externalId,
      active: true,
      name: { givenName: 'test', familyName: 'user' },
      locale: 'en-US',
    });
    expect(created.body).not.toHaveProperty('password');
    expect(created.body).not.toHaveProperty('groups');
    const found = await lookup('test.user@okta.example');
    expect(found.body.totalResults).toBe(1);
    expect(found.body.Resources[0].id).toBe(created.body.id);
    expect(found.body.Resources[0]).not.toHaveProperty('password');
  });

  it('should answer a re-create with 409 uniqueness, also in another case', async () => {
    await createUser('dupe.user@okta.example');

    const again = await okta('POST', 'Users', { body: oktaUser('dupe.user@okta.example') });
    const otherCase = await okta('POST', 'Users', { body: oktaUser('DUPE.User@Okta.Example') });

    for (const res of [again, otherCase]) {
      expect(res.status).toBe(409);
      expect(res.body).toMatchObject({ schemas: [ERROR_SCHEMA], status: '409', scimType: 'uniqueness' });
      expect(res.body.detail).toEqual(expect.any(String));
    }
  });

  it('should find a user by a differently-cased userName', async () => {
    const u = await createUser('Mixed.Case@Okta.Example');

    const res = await lookup('mIXED.cASE@okta.EXAMPLE');

    expect(res.status).toBe(200);
    expect(res.body.Resources.map((r: { id: string }) => r.id)).toEqual([u.id]);
    expect(res.body.Resources[0].userName).toBe('Mixed.Case@Okta.Example');
  });

  it('should return an empty list for a filter on an unknown email', async () => {
    await createUser('known.mail@okta.example');

    const byValue = await okta(
      'GET',
      `Users?filter=${encodeURIComponent('emails.value eq "unknown.mail@okta.example"')}`,
    );
    const byAttr = await okta(
      'GET',
      `Users?filter=${encodeURIComponent('emails eq "unknown.mail@okta.example"')}`,
    );
    const hit = await okta(
      'GET',
      `Users?filter=${encodeURIComponent('emails.value eq "KNOWN.mail@okta.example"')}`,
    );

    expect(byValue.status).toBe(200);
    expect(byValue.body.totalResults).toBe(0);
    expect(byAttr.status).toBe(200);
    expect(byAttr.body.totalResults).toBe(0);
    expect(hit.body.totalResults).toBe(1);
  });

  it('should update with GET then full PUT, echoing id, meta and schemas', async () => {
    const u = await createUser('put.user@okta.example');
    const got = await okta('GET', `Users/${u.id}`);
    expect(got.status).toBe(200);

    const put = await okta('PUT', `Users/${u.id}`, {
      body: {
        ...got.body,
        name: { givenName: 'Put', familyName: 'Updated' },
        displayName: 'Put Updated',
        title: 'Manager',
        password: 'Another-Placeholder-9',
      },
    });

    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({
      id: u.id,
      userName: 'put.user@okta.example',
      name: { givenName: 'Put', familyName: 'Updated' },
      displayName: 'Put Updated',
      title: 'Manager',
      active: true,
    });
    expect(put.body.meta.version).not.toBe(u.meta.version);
    expect(put.body.meta.created).toBe(got.body.meta.created);
    expect(put.body).not.toHaveProperty('password');
    const after = await okta('GET', `Users/${u.id}`);
    expect(after.body).toEqual(put.body);
  });

  it('should deactivate with a path-less PATCH replace and reactivate', async () => {
    const u = await createUser('patch.deact@okta.example');

    const off = await okta('PATCH', `Users/${u.id}`, {
      body: patchBody({ op: 'replace', value: { active: false } }),
    });
    expect(off.status).toBe(200);
    expect(off.body.active).toBe(false);
    expect((await okta('GET', `Users/${u.id}`)).body.active).toBe(false);

    const on = await okta('PATCH', `Users/${u.id}`, {
      body: patchBody({ op: 'replace', value: { active: true } }),
    });
    expect(on.status).toBe(200);
    expect((await okta('GET', `Users/${u.id}`)).body.active).toBe(true);

    const events = await eventsAbout(u.id, 3);
    expect(events.map((e) => [e.type, e.version, e.actor?.idp])).toEqual([
      ['user.created', 1, 'okta'],
      ['user.deactivated', 2, 'okta'],
      ['user.reactivated', 3, 'okta'],
    ]);
  });

  it('should accept a password PATCH without storing or returning the password', async () => {
    const u = await createUser('patch.pw@okta.example');

    const res = await okta('PATCH', `Users/${u.id}`, {
      body: patchBody({ op: 'replace', value: { password: 'N3w-Okta-Pa55word' } }),
    });

    expect(res.status).toBe(200);
    expect(res.body).not.toHaveProperty('password');
    expect(res.text).not.toContain('N3w-Okta-Pa55word');
    const got = await okta('GET', `Users/${u.id}?attributes=password,userName`);
    expect(got.body).not.toHaveProperty('password');
    expect(got.body.userName).toBe('patch.pw@okta.example');
  });

  it('should deactivate with a full PUT (custom apps) and keep the user (Okta never deletes)', async () => {
    const u = await createUser('put.deact@okta.example');
    const got = await okta('GET', `Users/${u.id}`);

    const put = await okta('PUT', `Users/${u.id}`, { body: { ...got.body, active: false } });

    expect(put.status).toBe(200);
    expect(put.body.active).toBe(false);
    const after = await lookup('put.deact@okta.example');
    expect(after.body.Resources).toHaveLength(1);
    expect(after.body.Resources[0]).toMatchObject({ id: u.id, active: false });

    // The full PUT changed only `active`: one user.deactivated, no user.updated.
    const events = await eventsAbout(u.id, 2);
    expect(events.map((e) => e.type)).toEqual(['user.created', 'user.deactivated']);
  });
});

describe("Okta's SCIM test suite", () => {
  it('should answer GET /Users?count=1&startIndex=1 with one resource and integer paging fields', async () => {
    await createUser('count.one.a@okta.example');
    await createUser('count.one.b@okta.example');

    const res = await okta('GET', 'Users?count=1&startIndex=1');

    expect(res.status).toBe(200);
    expect(res.body.schemas).toEqual([LIST_SCHEMA]);
    expect(res.body.Resources).toHaveLength(1);
    expect(res.body.itemsPerPage).toBe(1);
    expect(res.body.startIndex).toBe(1);
    expect(Number.isInteger(res.body.totalResults)).toBe(true);
    expect(res.body.totalResults).toBeGreaterThanOrEqual(2);
    const one = await okta('GET', `Users/${res.body.Resources[0].id}`);
    expect(one.status).toBe(200);
    expect(one.body).toEqual(res.body.Resources[0]);
  });

  it('should answer 404 with a SCIM error for an unknown user id and group id', async () => {
    const user = await okta('GET', `Users/${randomUUID()}`);
    const group = await okta('GET', `Groups/${randomUUID()}`);

    for (const res of [user, group]) {
      expect(res.status).toBe(404);
      expect(res.body).toMatchObject({ schemas: [ERROR_SCHEMA], status: '404' });
    }
  });

  it('should answer 401 to a request without credentials', async () => {
    const res = await okta('GET', 'Users?count=1&startIndex=1', { token: null });

    expect(res.status).toBe(401);
    expect(res.body.schemas).toEqual([ERROR_SCHEMA]);
    expect(res.headers.get('www-authenticate')).toEqual(expect.any(String));
  });

  it('should accept the header token without a scheme (Authorization: <token>)', async () => {
    const res = await okta('GET', 'Users?count=1&startIndex=1', { headers: { authorization: h.token } });

    expect(res.status).toBe(200);
    expect(res.body.schemas).toEqual([LIST_SCHEMA]);
  });

  it('should answer a burst of bad credentials with 429 and an integer Retry-After', async () => {
    const tenant = 'okta-lockout';
    await h.issueToken(tenant);
    const path = `/scim/v2/${tenant}/default/Users?count=1&startIndex=1`;
    const statuses: number[] = [];
    let limited: TestResponse | undefined;
    // 20 failures a minute per source and tenant are answered 401; a window boundary may reset the count once.
    for (let i = 0; i < 50 && limited === undefined; i++) {
      const res = await okta('GET', path, { headers: { authorization: 'Bearer scgb_nottherightshape' } });
      statuses.push(res.status);
      if (res.status === 429) limited = res;
    }

    expect(statuses.filter((s) => s !== 401 && s !== 429)).toEqual([]);
    expect(limited?.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(Number(limited?.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(Number(limited?.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    expect(limited?.body).toMatchObject({ schemas: [ERROR_SCHEMA], status: '429' });
  });

  it('should report storage throttling with an integer Retry-After', async () => {
    const undo = failNextDynamoCalls(h.container.doc, () =>
      sdkError('ProvisionedThroughputExceededException', 'Rate of requests exceeds the allowed throughput'),
    );

    const res = await lookup('throttled@okta.example');
    undo();

    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(res.body.schemas).toEqual([ERROR_SCHEMA]);
    expect((await lookup('throttled@okta.example')).status).toBe(200);
  });
});

describe('Okta import', () => {
  // A bulk import asserts no events: its own table without a change stream (on DynamoDB Local a streamed table
  // slows every write down, and 50 parallel creates on a loaded machine then outlast the client's timeouts).
  let plain: Harness;
  beforeAll(async () => {
    plain = await startHarness();
  });
  afterAll(async () => {
    await plain.close();
  });
  const okta = (method: string, path: string, options: RequestOptions = {}): Promise<TestResponse> =>
    plain.request(method, path, { ...options, headers: { ...OKTA_HEADERS, ...options.headers } });

  it('should page 150 users with count=100 in a stable order, whatever the count', async () => {
    const tenant = 'okta-import';
    const token = await plain.issueToken(tenant);
    const base = `/scim/v2/${tenant}/default/`;
    const total = 150;
    for (let i = 0; i < total; i += 50) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(50, total - i) }, (_, j) =>
          okta('POST', `${base}Users`, { token, body: oktaUser(`import.${i + j}@okta.example`) }),
        ),
      );
      expect(batch.every((r) => r.status === 201)).toBe(true);
    }

    const pages: TestResponse[] = [];
    for (let start = 1; start <= total; start += 100) {
      pages.push(await okta('GET', `${base}Users?startIndex=${start}&count=100`, { token }));
    }

    expect(pages.map((p) => [p.status, p.body.totalResults, p.body.startIndex, p.body.itemsPerPage])).toEqual(
      [
        [200, total, 1, 100],
        [200, total, 101, 50],
      ],
    );
    const ids: string[] = pages.flatMap((p) => p.body.Resources.map((r: { id: string }) => r.id));
    expect(new Set(ids).size).toBe(total);
    const small = await okta('GET', `${base}Users?startIndex=95&count=10`, { token });
    expect(small.body.Resources.map((r: { id: string }) => r.id)).toEqual(ids.slice(94, 104));
    const again = await okta('GET', `${base}Users?startIndex=101&count=100`, { token });
    expect(again.body.Resources.map((r: { id: string }) => r.id)).toEqual(ids.slice(100, 150));
  }, 60_000);
});

describe('Okta group push', () => {
  it('should push a group, find it by displayName, rename it echoing its id, and refuse another id', async () => {
    const created = await okta('POST', 'Groups', {
      body: { schemas: [GROUP_SCHEMA], displayName: 'Test SCIMv2', members: [] },
    });
    expect(created.status).toBe(201);
    const gid = created.body.id as string;

    const found = await okta(
      'GET',
      `Groups?filter=${encodeURIComponent('displayName eq "Test SCIMv2"')}&startIndex=1&count=100`,
    );
    expect(found.status).toBe(200);
    expect(found.body.Resources.map((r: { id: string }) => r.id)).toEqual([gid]);

    const rename = await okta('PATCH', `Groups/${gid}`, {
      body: patchBody({ op: 'replace', value: { id: gid, displayName: 'Test SCIMv2 renamed' } }),
    });
    expect([200, 204]).toContain(rename.status);
    const renamed = await okta('GET', `Groups/${gid}`);
    expect(renamed.body.displayName).toBe('Test SCIMv2 renamed');

    const otherId = await okta('PATCH', `Groups/${gid}`, {
      body: patchBody({ op: 'replace', value: { id: randomUUID(), displayName: 'Hijacked' } }),
    });
    expect(otherId.status).toBe(400);
    expect(otherId.body.scimType).toBe('mutability');
    expect((await okta('GET', `Groups/${gid}`)).body.displayName).toBe('Test SCIMv2 renamed');
  });

  it('should change memberships by add list, remove filter and full replace', async () => {
    const [a, b, c, d] = await Promise.all(
      ['push.a', 'push.b', 'push.c', 'push.d'].map((n) => createUser(`${n}@okta.example`)),
    );
    const g = await createGroup('Push Members');

    const add = await okta('PATCH', `Groups/${g.id}`, {
      body: patchBody({
        op: 'add',
        path: 'members',
        value: [
          { value: a!.id, display: 'push.a@okta.example' },
          { value: b!.id, display: 'push.b@okta.example' },
          { value: c!.id, display: 'push.c@okta.example' },
        ],
      }),
    });
    expect(add.status).toBe(204);
    expect(await memberIds(g.id)).toEqual([a!.id, b!.id, c!.id].sort());

    const remove = await okta('PATCH', `Groups/${g.id}`, {
      body: patchBody({ op: 'remove', path: `members[value eq "${b!.id}"]` }),
    });
    expect(remove.status).toBe(204);
    expect(await memberIds(g.id)).toEqual([a!.id, c!.id].sort());

    const replace = await okta('PATCH', `Groups/${g.id}`, {
      body: patchBody({
        op: 'replace',
        path: 'members',
        value: [
          { value: c!.id, display: 'push.c@okta.example' },
          { value: d!.id, display: 'push.d@okta.example' },
        ],
      }),
    });
    expect(replace.status).toBe(204);
    expect(await memberIds(g.id)).toEqual([c!.id, d!.id].sort());
    const member = await okta('GET', `Users/${d!.id}?attributes=groups`);
    expect(member.body.groups).toEqual([expect.objectContaining({ value: g.id, display: 'Push Members' })]);

    // The push as the application hears it: one event per member change, request after request (the changes of
    // one request are one transaction: no order among its members).
    const events = await eventsAbout(g.id, 7);
    expect(events.map((e) => e.type).slice(0, 5)).toEqual([
      'group.created',
      'group.member_added',
      'group.member_added',
      'group.member_added',
      'group.member_removed',
    ]);
    expect(
      events
        .slice(1, 4)
        .map((e) => e.member?.value)
        .sort(),
    ).toEqual([a!.id, b!.id, c!.id].sort());
    expect(events[4]?.member?.value).toBe(b!.id);
    expect(events.slice(5).map((e) => `${e.type} ${e.member?.value}`)).toEqual(
      expect.arrayContaining([`group.member_removed ${a!.id}`, `group.member_added ${d!.id}`]),
    );
    expect(events).toHaveLength(7);
    expect(events.filter((e) => e.type === 'group.member_added').every((e) => e.actor?.idp === 'okta')).toBe(
      true,
    );
  });

  it('should replace a group with PUT carrying its members', async () => {
    const [a, b, c] = await Promise.all(
      ['put.a', 'put.b', 'put.c'].map((n) => createUser(`${n}@okta.example`)),
    );
    const g = await createGroup('Put Members', [{ value: a!.id }, { value: b!.id }]);

    const put = await okta('PUT', `Groups/${g.id}`, {
      body: {
        schemas: [GROUP_SCHEMA],
        id: g.id,
        displayName: 'Put Members v2',
        members: [
          { value: b!.id, display: 'put.b@okta.example' },
          { value: c!.id, display: 'put.c@okta.example' },
        ],
      },
    });

    expect(put.status).toBe(200);
    expect(put.body.displayName).toBe('Put Members v2');
    expect(put.body.members.map((m: { value: string }) => m.value).sort()).toEqual([b!.id, c!.id].sort());
    expect(await memberIds(g.id)).toEqual([b!.id, c!.id].sort());
    const gone = await okta('GET', `Users/${a!.id}?attributes=groups`);
    expect(gone.body).not.toHaveProperty('groups');
  });

  it('should accept a group PUT that echoes a GET, members with $ref and type included', async () => {
    const [a, b] = await Promise.all(['echo.a', 'echo.b'].map((n) => createUser(`${n}@okta.example`)));
    const g = await createGroup('Echo Group', [{ value: a!.id }]);
    const got = await okta('GET', `Groups/${g.id}`);

    const put = await okta('PUT', `Groups/${g.id}`, {
      body: {
        ...got.body,
        displayName: 'Echo Group renamed',
        members: [...got.body.members, { value: b!.id, display: 'echo.b@okta.example' }],
      },
    });

    expect(put.status).toBe(200);
    expect(put.body.displayName).toBe('Echo Group renamed');
    expect(await memberIds(g.id)).toEqual([a!.id, b!.id].sort());
  });

  it('should delete a group on explicit unlink and answer 404 afterwards', async () => {
    const g = await createGroup('Unlinked');

    const del = await okta('DELETE', `Groups/${g.id}`);

    expect(del.status).toBe(204);
    expect((await okta('GET', `Groups/${g.id}`)).status).toBe(404);
    const patch = await okta('PATCH', `Groups/${g.id}`, {
      body: patchBody({ op: 'add', path: 'members', value: [{ value: randomUUID() }] }),
    });
    expect(patch.status).toBe(404);
  });
});
