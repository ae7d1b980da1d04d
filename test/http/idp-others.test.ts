/**
 * OneLogin, JumpCloud and Ping provisioning replayed over HTTP (docs idp-behaviour.md, "Others"): OneLogin's
 * admin-written SCIM 1.1-style templates and application/json answers, JumpCloud's activation round trip, Ping's
 * PUT-only user updates, PATCH-only group updates and group discovery by listing.
 */
import { jest } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { startHarness, type Harness, type RequestOptions, type TestResponse } from '../support/harness';

const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const SCIM11_CORE = 'urn:scim:schemas:core:1.0';
const SCIM11_ENTERPRISE = 'urn:scim:schemas:extension:enterprise:1.0';
const PATCH_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const LIST_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';

// DynamoDB Local is shared by every test file running in parallel: allow for a slow machine.
jest.setTimeout(30_000);

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

function filterQuery(filter: string): string {
  return `filter=${encodeURIComponent(filter)}`;
}

function patchBody(...operations: Record<string, unknown>[]) {
  return { schemas: [PATCH_SCHEMA], Operations: operations };
}

function ids(list: TestResponse): string[] {
  return (list.body.Resources as { id: string }[]).map((r) => r.id);
}

describe('OneLogin', () => {
  const ONELOGIN_HEADERS = { 'user-agent': 'OneLogin SCIM Provisioner', accept: 'application/json' };

  /** OneLogin sends what its admin-written template produces, as application/json, and wants JSON back. */
  function onelogin(method: string, path: string, options: RequestOptions = {}): Promise<TestResponse> {
    const headers: Record<string, string> = { ...ONELOGIN_HEADERS, ...options.headers };
    if (options.body !== undefined) headers['content-type'] = 'application/json; charset=utf-8';
    return h.request(method, path, { ...options, headers });
  }

  function template(userName: string, extra: Record<string, unknown> = {}) {
    return {
      schemas: [SCIM11_CORE, SCIM11_ENTERPRISE],
      userName,
      externalId: '48213577',
      name: { givenName: 'Jane', familyName: 'Doe', formatted: 'Jane Doe' },
      displayName: 'Jane Doe',
      emails: { value: userName, type: 'work', primary: true },
      phoneNumbers: { value: '+1 555 0100', type: 'work' },
      title: 'Engineer',
      [SCIM11_ENTERPRISE]: { department: 'R&D', employeeNumber: '4711' },
      ...extra,
    };
  }

  it('should answer the connection test for a user known not to exist with an empty JSON list', async () => {
    const res = await onelogin('GET', `Users?${filterQuery('userName eq "onelogin-connection-test-user"')}`);

    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/json');
    expect(res.headers.get('content-type')).not.toContain('scim+json');
    expect(res.body).toMatchObject({ schemas: [LIST_SCHEMA], totalResults: 0, Resources: [] });
  });

  it('should create from a SCIM 1.1 template with emails as a single object, answering JSON', async () => {
    const created = await onelogin('POST', 'Users', { body: template('jane.doe@onelogin.example') });

    expect(created.status).toBe(201);
    expect(created.headers.get('content-type')).toContain('application/json');
    expect(created.body).toMatchObject({
      schemas: [USER_SCHEMA, ENTERPRISE],
      userName: 'jane.doe@onelogin.example',
      emails: [{ value: 'jane.doe@onelogin.example', type: 'work', primary: true }],
      phoneNumbers: [{ value: '+1 555 0100', type: 'work' }],
      [ENTERPRISE]: { department: 'R&D', employeeNumber: '4711' },
    });
    const found = await onelogin('GET', `Users?${filterQuery('userName eq "jane.doe@onelogin.example"')}`);
    expect(ids(found)).toEqual([created.body.id]);
    const byEmail = await onelogin(
      'GET',
      `Users?${filterQuery('emails[type eq "work"].value eq "jane.doe@onelogin.example"')}`,
    );
    expect(ids(byEmail)).toEqual([created.body.id]);
  });

  it('should accept SCIM 1.1 URN-qualified attribute names in bodies and filters', async () => {
    const created = await onelogin('POST', 'Users', {
      body: {
        schemas: [SCIM11_CORE],
        [`${SCIM11_CORE}:userName`]: 'urn.user@onelogin.example',
        emails: { value: 'urn.user@onelogin.example' },
      },
    });

    expect(created.status).toBe(201);
    expect(created.body.userName).toBe('urn.user@onelogin.example');
    const found = await onelogin(
      'GET',
      `Users?${filterQuery(`${SCIM11_CORE}:userName eq "URN.user@onelogin.example"`)}`,
    );
    expect(ids(found)).toEqual([created.body.id]);
  });

  it('should update with a PUT from the template and delete the user', async () => {
    const created = await onelogin('POST', 'Users', { body: template('john.roe@onelogin.example') });
    expect(created.status).toBe(201);
    const id = created.body.id as string;

    const put = await onelogin('PUT', `Users/${id}`, {
      body: template('john.roe@onelogin.example', {
        emails: { value: 'john.roe@new.onelogin.example', type: 'work', primary: true },
        title: 'Lead',
        active: 'false',
      }),
    });
    expect(put.status).toBe(200);
    expect(put.headers.get('content-type')).toContain('application/json');
    const got = await onelogin('GET', `Users/${id}`);
    expect(got.body).toMatchObject({
      title: 'Lead',
      active: false,
      emails: [{ value: 'john.roe@new.onelogin.example', type: 'work', primary: true }],
    });

    const del = await onelogin('DELETE', `Users/${id}`);
    expect(del.status).toBe(204);
    expect(del.text).toBe('');
    const gone = await onelogin('GET', `Users/${id}`);
    expect(gone.status).toBe(404);
    expect(gone.headers.get('content-type')).toContain('application/json');
    expect(gone.body.schemas).toEqual([ERROR_SCHEMA]);
    const again = await onelogin('DELETE', `Users/${id}`);
    expect(again.status).toBe(404);
  });

  it('should answer errors as application/json too', async () => {
    const res = await onelogin('POST', 'Users', {
      body: { schemas: [SCIM11_CORE], displayName: 'No userName' },
    });
    const unauthenticated = await onelogin('GET', 'Users', { token: null });

    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/json');
    expect(res.body).toMatchObject({ schemas: [ERROR_SCHEMA], status: '400' });
    expect(unauthenticated.status).toBe(401);
    expect(unauthenticated.headers.get('content-type')).toContain('application/json');
  });

  it('should create a group from a SCIM 1.1 template and manage its members', async () => {
    const user = await onelogin('POST', 'Users', { body: template('member@onelogin.example') });
    const group = await onelogin('POST', 'Groups', {
      body: { schemas: [SCIM11_CORE], displayName: 'OneLogin Role', members: { value: user.body.id } },
    });

    expect(group.status).toBe(201);
    expect(group.body.schemas).toEqual([GROUP_SCHEMA]);
    expect(group.body.members.map((m: { value: string }) => m.value)).toEqual([user.body.id]);
    const remove = await onelogin('PATCH', `Groups/${group.body.id}`, {
      body: patchBody({ op: 'remove', path: `members[value eq "${user.body.id}"]` }),
    });
    expect(remove.status).toBe(204);
    expect((await onelogin('GET', `Groups/${group.body.id}`)).body).not.toHaveProperty('members');
  });
});

describe('JumpCloud', () => {
  const JUMPCLOUD_HEADERS = { 'user-agent': 'JumpCloud SCIM Client', accept: 'application/scim+json' };

  function jumpcloud(method: string, path: string, options: RequestOptions = {}): Promise<TestResponse> {
    return h.request(method, path, { ...options, headers: { ...JUMPCLOUD_HEADERS, ...options.headers } });
  }

  it('should create a test user and a test group during activation, then delete both', async () => {
    const suffix = randomUUID().slice(0, 8);
    const userName = `jc-test-user-${suffix}@jumpcloud.example`;
    const user = await jumpcloud('POST', 'Users', {
      body: {
        schemas: [USER_SCHEMA],
        userName,
        externalId: '5f0c1d2e3a4b5c6d7e8f9a0b',
        name: { givenName: 'JumpCloud', familyName: 'Test User' },
        displayName: 'JumpCloud Test User',
        emails: [{ value: userName, type: 'work', primary: true }],
        active: true,
      },
    });
    expect(user.status).toBe(201);
    const group = await jumpcloud('POST', 'Groups', {
      body: { schemas: [GROUP_SCHEMA], displayName: `jc-test-group-${suffix}`, members: [] },
    });
    expect(group.status).toBe(201);
    const add = await jumpcloud('PATCH', `Groups/${group.body.id}`, {
      body: patchBody({ op: 'add', path: 'members', value: [{ value: user.body.id }] }),
    });
    expect(add.status).toBe(204);
    const inGroup = await jumpcloud('GET', `Users/${user.body.id}?attributes=groups`);
    expect(inGroup.body.groups).toEqual([expect.objectContaining({ value: group.body.id })]);

    const delUser = await jumpcloud('DELETE', `Users/${user.body.id}`);
    const delGroup = await jumpcloud('DELETE', `Groups/${group.body.id}`);

    expect(delUser.status).toBe(204);
    expect(delGroup.status).toBe(204);
    expect((await jumpcloud('GET', `Users/${user.body.id}`)).status).toBe(404);
    expect((await jumpcloud('GET', `Groups/${group.body.id}`)).status).toBe(404);
    const lookups = await Promise.all([
      jumpcloud('GET', `Users?${filterQuery(`userName eq "${userName}"`)}`),
      jumpcloud('GET', `Groups?${filterQuery(`displayName eq "jc-test-group-${suffix}"`)}`),
    ]);
    expect(lookups.map((r) => r.body.totalResults)).toEqual([0, 0]);

    const recreated = await jumpcloud('POST', 'Users', { body: { schemas: [USER_SCHEMA], userName } });
    expect(recreated.status).toBe(201);
  });

  it('should deactivate the test user when told to instead of deleting it', async () => {
    const user = await jumpcloud('POST', 'Users', {
      body: { schemas: [USER_SCHEMA], userName: `jc-deactivate-${randomUUID()}`, active: true },
    });

    const res = await jumpcloud('PATCH', `Users/${user.body.id}`, {
      body: patchBody({ op: 'replace', path: 'active', value: false }),
    });

    expect(res.status).toBe(200);
    expect((await jumpcloud('GET', `Users/${user.body.id}`)).body.active).toBe(false);
  });
});

describe('Ping', () => {
  const PING_HEADERS = { 'user-agent': 'PingFederate SCIM Connector', accept: 'application/scim+json' };

  function ping(method: string, path: string, options: RequestOptions = {}): Promise<TestResponse> {
    return h.request(method, path, { ...options, headers: { ...PING_HEADERS, ...options.headers } });
  }

  function pingUser(userName: string, extra: Record<string, unknown> = {}) {
    return {
      schemas: [USER_SCHEMA, ENTERPRISE],
      userName,
      externalId: randomUUID(),
      name: { givenName: 'Pat', familyName: 'Ping' },
      displayName: 'Pat Ping',
      emails: [{ value: userName, type: 'work', primary: true }],
      phoneNumbers: [{ value: '+44 20 7946 0000', type: 'work' }],
      title: 'Analyst',
      active: true,
      [ENTERPRISE]: { department: 'Finance', costCenter: 'CC-7' },
      ...extra,
    };
  }

  it('should update users with full PUTs only, clearing what a PUT omits', async () => {
    const created = await ping('POST', 'Users', { body: pingUser('pat.ping@ping.example') });
    expect(created.status).toBe(201);
    const id = created.body.id as string;

    const put = await ping('PUT', `Users/${id}`, {
      body: {
        ...pingUser('pat.ping@ping.example', {
          title: 'Senior Analyst',
          [ENTERPRISE]: { department: 'Risk' },
        }),
        id,
        phoneNumbers: undefined,
      },
    });

    expect(put.status).toBe(200);
    const got = await ping('GET', `Users/${id}`);
    expect(got.body).toMatchObject({
      id,
      title: 'Senior Analyst',
      [ENTERPRISE]: { department: 'Risk' },
      active: true,
    });
    expect(got.body[ENTERPRISE]).not.toHaveProperty('costCenter');
    expect(got.body).not.toHaveProperty('phoneNumbers');
    expect(got.body.meta.version).toBe('W/"2"');
  });

  it('should deactivate a user with a PUT and reactivate it with another', async () => {
    const created = await ping('POST', 'Users', { body: pingUser('leaver@ping.example') });
    const id = created.body.id as string;

    const off = await ping('PUT', `Users/${id}`, {
      body: { ...pingUser('leaver@ping.example'), active: false },
    });
    const offRead = await ping('GET', `Users/${id}`);
    const on = await ping('PUT', `Users/${id}`, {
      body: { ...pingUser('leaver@ping.example'), active: true },
    });

    expect(off.status).toBe(200);
    expect(offRead.body.active).toBe(false);
    expect(on.status).toBe(200);
    expect((await ping('GET', `Users/${id}`)).body.active).toBe(true);
  });

  it('should rename a user by PUT and keep it findable under the new userName only', async () => {
    const created = await ping('POST', 'Users', { body: pingUser('old.name@ping.example') });

    const put = await ping('PUT', `Users/${created.body.id}`, { body: pingUser('New.Name@ping.example') });

    expect(put.status).toBe(200);
    const byNew = await ping('GET', `Users?${filterQuery('userName eq "new.name@ping.example"')}`);
    const byOld = await ping('GET', `Users?${filterQuery('userName eq "old.name@ping.example"')}`);
    expect(ids(byNew)).toEqual([created.body.id]);
    expect(byOld.body.totalResults).toBe(0);
  });

  it('should manage groups with PATCH and find them by listing all groups cheaply', async () => {
    const tenant = 'ping-groups';
    const token = await h.issueToken(tenant);
    const base = `/scim/v2/${tenant}/default/`;
    const users = await Promise.all(
      ['a', 'b', 'c'].map(async (n) => {
        const r = await ping('POST', `${base}Users`, { token, body: pingUser(`${n}@ping.example`) });
        expect(r.status).toBe(201);
        return r.body.id as string;
      }),
    );
    const groups: string[] = [];
    for (let i = 0; i < 12; i++) {
      const g = await ping('POST', `${base}Groups`, {
        token,
        body: { schemas: [GROUP_SCHEMA], displayName: `Ping Group ${String(i).padStart(2, '0')}` },
      });
      expect(g.status).toBe(201);
      groups.push(g.body.id as string);
    }
    const target = groups[5] as string;

    const add = await ping('PATCH', `${base}Groups/${target}`, {
      token,
      body: patchBody({ op: 'add', path: 'members', value: users.map((value) => ({ value })) }),
    });
    const remove = await ping('PATCH', `${base}Groups/${target}`, {
      token,
      body: patchBody(
        { op: 'remove', path: `members[value eq "${users[0]}"]` },
        { op: 'replace', path: 'displayName', value: 'Ping Group 05 renamed' },
      ),
    });
    expect(add.status).toBe(204);
    expect(remove.status).toBe(204);

    const send = jest.spyOn(h.container.doc, 'send');
    const slim = await ping('GET', `${base}Groups?excludedAttributes=members`, { token });
    const slimCalls = send.mock.calls.length;
    send.mockClear();
    const named = await ping('GET', `${base}Groups?attributes=displayName`, { token });
    const namedCalls = send.mock.calls.length;
    send.mockRestore();
    const full = await ping('GET', `${base}Groups`, { token });

    expect(slim.status).toBe(200);
    expect(slim.body.totalResults).toBe(12);
    expect(ids(slim)).toEqual([...groups].sort());
    expect(slim.body.Resources.every((g: object) => !('members' in g))).toBe(true);
    expect(named.body.Resources.every((g: object) => !('members' in g))).toBe(true);
    // Listing without members costs a constant number of storage calls, not one per group.
    expect(slimCalls).toBeLessThan(groups.length);
    expect(namedCalls).toBeLessThan(groups.length);

    expect(full.status).toBe(200);
    const renamed = full.body.Resources.find((g: { id: string }) => g.id === target);
    expect(renamed.displayName).toBe('Ping Group 05 renamed');
    expect(renamed.members.map((m: { value: string }) => m.value).sort()).toEqual(
      [users[1], users[2]].sort(),
    );
    expect(full.body.Resources.filter((g: { members?: unknown }) => g.members !== undefined)).toHaveLength(1);
  });
});
