/**
 * Microsoft Entra ID provisioning cycles replayed over HTTP, in both PATCH dialects (default and
 * `?aadOptscim062020`), plus the checks of Microsoft's SCIM validator. Shapes follow docs idp-behaviour.md and
 * Microsoft's published request examples.
 */
import { jest } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { startHarness, type Harness, type RequestOptions, type TestResponse } from '../support/harness';

const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const PATCH_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const LIST_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';
const MS_GROUP_SCHEMA = 'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group';
const FLAG = 'aadOptscim062020';

/** Headers of the Entra provisioning service (its User-Agent names the provisioning client). */
const ENTRA_HEADERS = {
  'user-agent': 'Microsoft Azure Active Directory SCIM Provisioning Client',
  accept: 'application/scim+json',
};

// DynamoDB Local is shared by every test file running in parallel: allow for a slow machine.
jest.setTimeout(30_000);

let h: Harness;
beforeAll(async () => {
  // With the change-event producer over the table's stream, as `npm start` runs it (docs/events.md).
  h = await startHarness({ events: true });
});

/** The change events of one resource (or about one member), in log order, once `count` are readable. */
function eventsAbout(id: string, count: number) {
  return h.waitForEvents(count, { where: (e) => e.resourceId === id || e.member?.value === id });
}
afterAll(async () => {
  await h.close();
});

/** A request as Entra sends it: its headers, JSON bodies as application/scim+json. */
function entra(method: string, path: string, options: RequestOptions = {}): Promise<TestResponse> {
  return h.request(method, path, { ...options, headers: { ...ENTRA_HEADERS, ...options.headers } });
}

function filterQuery(filter: string): string {
  return `filter=${encodeURIComponent(filter)}`;
}

function patchBody(...operations: Record<string, unknown>[]) {
  return { schemas: [PATCH_SCHEMA], Operations: operations };
}

/** The POST /Users body of Entra's provisioning service (Microsoft's documented example shape). */
function entraUser(userName: string, extra: Record<string, unknown> = {}) {
  return {
    schemas: [USER_SCHEMA, ENTERPRISE],
    externalId: randomUUID(),
    userName,
    active: true,
    emails: [{ primary: true, type: 'work', value: userName }],
    meta: { resourceType: 'User' },
    name: { formatted: 'givenName familyName', familyName: 'familyName', givenName: 'givenName' },
    roles: [],
    ...extra,
  };
}

/** Filter miss then create: step 2 of an Entra cycle. Returns the created user's id. */
async function provisionUser(userName: string, extra: Record<string, unknown> = {}): Promise<string> {
  const lookup = await entra('GET', `Users?${filterQuery(`userName eq "${userName}"`)}`);
  expect(lookup.status).toBe(200);
  expect(lookup.body.totalResults).toBe(0);
  const created = await entra('POST', 'Users', { body: entraUser(userName, extra) });
  expect(created.status).toBe(201);
  return created.body.id as string;
}

describe('Entra ID test connection', () => {
  it('should answer a filter on a random GUID with 200 and an empty ListResponse', async () => {
    const res = await entra('GET', `Users?${filterQuery(`userName eq "${randomUUID()}"`)}`);

    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/scim+json');
    expect(res.body).toEqual({
      schemas: [LIST_SCHEMA],
      totalResults: 0,
      itemsPerPage: 0,
      startIndex: 1,
      Resources: [],
    });
  });

  it('should answer a filter on an unquoted GUID with 200 and an empty list', async () => {
    const res = await entra('GET', `Users?${filterQuery(`userName eq ${randomUUID()}`)}`);

    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ schemas: [LIST_SCHEMA], totalResults: 0, Resources: [] });
  });

  it('should accept the filter with + for spaces as Entra encodes it', async () => {
    const res = await entra('GET', `Users?filter=userName+eq+%22${randomUUID()}%22`);

    expect(res.status).toBe(200);
    expect(res.body.totalResults).toBe(0);
  });

  it('should answer 404 for a random user id and 200 for a random group filter', async () => {
    const user = await entra('GET', `Users/${randomUUID()}`);
    const groups = await entra(
      'GET',
      `Groups?excludedAttributes=members&${filterQuery(`displayName eq "${randomUUID()}"`)}`,
    );

    expect(user.status).toBe(404);
    expect(user.body.schemas).toEqual([ERROR_SCHEMA]);
    expect(groups.status).toBe(200);
    expect(groups.body.totalResults).toBe(0);
  });
});

describe('Entra ID user cycle, default PATCH dialect', () => {
  it('should create a user after a filter miss and find it by userName, externalId and work email', async () => {
    const body = entraUser('Test_User_ab6490ee@contoso.example');
    const miss = await entra('GET', `Users?${filterQuery(`userName eq "${body.userName}"`)}`);
    const created = await entra('POST', 'Users', { body });

    expect(miss.body.totalResults).toBe(0);
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe(created.body.meta.location);
    expect(created.body).toMatchObject({
      userName: body.userName,
      externalId: body.externalId,
      active: true,
      meta: { resourceType: 'User' },
    });
    // "roles": [] is accepted; an empty multi-valued attribute is omitted (RFC 7643 §2.4, a design decision).
    expect(created.body).not.toHaveProperty('roles');

    const hit = await entra('GET', `Users?${filterQuery(`userName eq "${body.userName}"`)}`);
    const byExternalId = await entra('GET', `Users?${filterQuery(`externalId eq "${body.externalId}"`)}`);
    const byEmail = await entra(
      'GET',
      `Users?${filterQuery(`emails[type eq "work"].value eq "${body.userName}"`)}`,
    );
    expect(hit.body.Resources.map((r: { id: string }) => r.id)).toEqual([created.body.id]);
    expect(byExternalId.body.Resources.map((r: { id: string }) => r.id)).toEqual([created.body.id]);
    expect(byEmail.body.Resources.map((r: { id: string }) => r.id)).toEqual([created.body.id]);
  });

  it('should apply capitalised ops, "False" booleans and a work-email value-path upsert', async () => {
    const id = await provisionUser('upsert@contoso.example', { emails: [] });

    const res = await entra('PATCH', `Users/${id}`, {
      body: patchBody(
        { op: 'Replace', path: 'emails[type eq "work"].value', value: 'updatedEmail@contoso.example' },
        { op: 'Replace', path: 'name.familyName', value: 'updatedFamilyName' },
        { op: 'Replace', path: 'active', value: 'False' },
      ),
    });

    expect(res.status).toBe(200);
    const got = await entra('GET', `Users/${id}`);
    expect(got.body.active).toBe(false);
    expect(got.body.emails).toEqual([{ type: 'work', value: 'updatedEmail@contoso.example' }]);
    expect(got.body.name).toEqual({
      formatted: 'givenName familyName',
      familyName: 'updatedFamilyName',
      givenName: 'givenName',
    });
    const byEmail = await entra(
      'GET',
      `Users?${filterQuery('emails[type eq "work"].value eq "updatedemail@contoso.example"')}`,
    );
    expect(byEmail.body.Resources.map((r: { id: string }) => r.id)).toEqual([id]);
  });

  it('should replace an existing work email in place through the value path', async () => {
    const id = await provisionUser('inplace@contoso.example', {
      emails: [
        { primary: true, type: 'work', value: 'inplace@contoso.example' },
        { type: 'home', value: 'inplace@home.example' },
      ],
    });

    const res = await entra('PATCH', `Users/${id}`, {
      body: patchBody({
        op: 'Replace',
        path: 'emails[type eq "work"].value',
        value: 'moved@contoso.example',
      }),
    });

    expect(res.status).toBe(200);
    expect(res.body.emails).toEqual([
      { primary: true, type: 'work', value: 'moved@contoso.example' },
      { type: 'home', value: 'inplace@home.example' },
    ]);
    const old = await entra(
      'GET',
      `Users?${filterQuery('emails[type eq "work"].value eq "inplace@contoso.example"')}`,
    );
    expect(old.body.totalResults).toBe(0);
  });

  it('should accept real booleans in Replace active as well', async () => {
    const id = await provisionUser('realbool@contoso.example');

    const off = await entra('PATCH', `Users/${id}`, {
      body: patchBody({ op: 'Replace', path: 'active', value: false }),
    });
    const on = await entra('PATCH', `Users/${id}`, {
      body: patchBody({ op: 'Replace', path: 'active', value: 'True' }),
    });

    expect(off.status).toBe(200);
    expect(off.body.active).toBe(false);
    expect(on.status).toBe(200);
    expect((await entra('GET', `Users/${id}`)).body.active).toBe(true);
  });

  it('should set the enterprise department with Add', async () => {
    const id = await provisionUser('dept@contoso.example');

    const res = await entra('PATCH', `Users/${id}`, {
      body: patchBody(
        { op: 'Add', path: `${ENTERPRISE}:department`, value: 'Finance' },
        { op: 'Add', path: `${ENTERPRISE}:employeeNumber`, value: '000123' },
      ),
    });

    expect(res.status).toBe(200);
    const got = await entra('GET', `Users/${id}`);
    expect(got.body[ENTERPRISE]).toEqual({ department: 'Finance', employeeNumber: '000123' });
    expect(got.body.schemas).toEqual([USER_SCHEMA, ENTERPRISE]);
  });

  it('should add a manager as a bare string, replace it, then remove it with an empty value', async () => {
    const bossA = await provisionUser('boss-a@contoso.example');
    const bossB = await provisionUser('boss-b@contoso.example');
    const id = await provisionUser('report@contoso.example');

    const add = await entra('PATCH', `Users/${id}`, {
      body: patchBody({ op: 'Add', path: `${ENTERPRISE}:manager`, value: bossA }),
    });
    expect(add.status).toBe(200);
    expect((await entra('GET', `Users/${id}`)).body[ENTERPRISE]).toEqual({ manager: { value: bossA } });

    const replace = await entra('PATCH', `Users/${id}`, {
      body: patchBody({ op: 'Replace', path: `${ENTERPRISE}:manager`, value: bossB }),
    });
    expect(replace.status).toBe(200);
    expect((await entra('GET', `Users/${id}`)).body[ENTERPRISE]).toEqual({ manager: { value: bossB } });

    const remove = await entra('PATCH', `Users/${id}`, {
      body: patchBody({ op: 'Replace', path: `${ENTERPRISE}:manager`, value: '' }),
    });
    expect(remove.status).toBe(200);
    const got = await entra('GET', `Users/${id}`);
    expect(got.body).not.toHaveProperty(ENTERPRISE);
    expect(got.body.schemas).toEqual([USER_SCHEMA]);
  });

  it('should clear a manager replaced with an object whose value is empty', async () => {
    const boss = await provisionUser('boss-c@contoso.example');
    const id = await provisionUser('report-c@contoso.example', {
      [ENTERPRISE]: { manager: { value: boss }, department: 'Sales' },
    });

    const res = await entra('PATCH', `Users/${id}`, {
      body: patchBody({ op: 'Replace', path: `${ENTERPRISE}:manager`, value: { value: '' } }),
    });

    expect(res.status).toBe(200);
    expect((await entra('GET', `Users/${id}`)).body[ENTERPRISE]).toEqual({ department: 'Sales' });
  });

  it('should store roles whose value is a JSON-encoded string exactly as sent', async () => {
    const id = await provisionUser('roles@contoso.example');
    const roleValue = JSON.stringify({ id: randomUUID(), value: 'Admin', displayName: 'Administrator' });

    const res = await entra('PATCH', `Users/${id}`, {
      body: patchBody({
        op: 'Add',
        path: 'roles',
        value: [
          { primary: 'True', type: 'WindowsAzureActiveDirectoryRole', display: 'Admin', value: roleValue },
        ],
      }),
    });

    expect(res.status).toBe(200);
    const got = await entra('GET', `Users/${id}`);
    expect(got.body.roles).toEqual([
      { primary: true, type: 'WindowsAzureActiveDirectoryRole', display: 'Admin', value: roleValue },
    ]);
  });

  it('should soft-delete with Replace active "False", keep the user readable, and DELETE it later', async () => {
    const id = await provisionUser('leaver@contoso.example');

    const soft = await entra('PATCH', `Users/${id}`, {
      body: patchBody({ op: 'Replace', path: 'active', value: 'False' }),
    });
    expect(soft.status).toBe(200);
    const afterSoft = await entra('GET', `Users?${filterQuery('userName eq "leaver@contoso.example"')}`);
    expect(afterSoft.body.Resources).toHaveLength(1);
    expect(afterSoft.body.Resources[0].active).toBe(false);

    const hard = await entra('DELETE', `Users/${id}`);
    expect(hard.status).toBe(204);
    expect(hard.text).toBe('');
    expect((await entra('GET', `Users/${id}`)).status).toBe(404);

    // The application hears: created, one deactivation (nothing else changed), deleted — attributed to Entra.
    const events = await eventsAbout(id, 3);
    expect(events.map((e) => [e.type, e.version])).toEqual([
      ['user.created', 1],
      ['user.deactivated', 2],
      ['user.deleted', 3],
    ]);
    expect(events[1]).toMatchObject({ actor: { idp: 'entra' }, data: { active: false } });
    expect(events[1]?.changedAttributes).toBeUndefined();
  });
});

describe('Entra ID user cycle, ?aadOptscim062020 dialect', () => {
  it('should answer the test connection with the flag in the query string', async () => {
    const res = await entra('GET', `Users?${FLAG}&${filterQuery(`userName eq "${randomUUID()}"`)}`);

    expect(res.status).toBe(200);
    expect(res.body.totalResults).toBe(0);
  });

  it('should create with the flag and apply lowercase ops with a real boolean', async () => {
    const body = entraUser('flagged@contoso.example');
    const created = await entra('POST', `Users?${FLAG}`, { body });
    expect(created.status).toBe(201);

    const res = await entra('PATCH', `Users/${created.body.id}?${FLAG}`, {
      body: patchBody({ op: 'replace', path: 'active', value: false }),
    });

    expect(res.status).toBe(200);
    expect((await entra('GET', `Users/${created.body.id}?${FLAG}`)).body.active).toBe(false);
  });

  it('should apply one path-less replace with plain, dotted, value-path and URN-prefixed keys', async () => {
    const created = await entra('POST', `Users?${FLAG}`, { body: entraUser('multi@contoso.example') });
    const id = created.body.id as string;

    const res = await entra('PATCH', `Users/${id}?${FLAG}`, {
      body: patchBody({
        op: 'replace',
        value: {
          displayName: 'Henrietta Pvlo',
          'name.givenName': 'Henrietta',
          'name.familyName': 'Pvlo',
          'emails[type eq "work"].value': 'henrietta@contoso.example',
          [`${ENTERPRISE}:employeeNumber`]: '4711',
          [`${ENTERPRISE}:department`]: 'Research',
        },
      }),
    });

    expect(res.status).toBe(200);
    const got = await entra('GET', `Users/${id}?${FLAG}`);
    expect(got.body).toMatchObject({
      userName: 'multi@contoso.example',
      displayName: 'Henrietta Pvlo',
      name: { formatted: 'givenName familyName', givenName: 'Henrietta', familyName: 'Pvlo' },
      emails: [{ primary: true, type: 'work', value: 'henrietta@contoso.example' }],
      [ENTERPRISE]: { employeeNumber: '4711', department: 'Research' },
    });
  });
});

describe('Entra ID group cycle', () => {
  it('should look up, create, fill, trim, rename and delete a group as Entra does', async () => {
    const users = await Promise.all(
      ['g1', 'g2', 'g3', 'g4'].map((n) => provisionUser(`${n}-member@contoso.example`)),
    );
    const [u1, u2, u3, u4] = users as [string, string, string, string];
    const displayName = 'Entra Group 7f3c';

    const miss = await entra(
      'GET',
      `Groups?excludedAttributes=members&${filterQuery(`displayName eq "${displayName}"`)}`,
    );
    expect(miss.status).toBe(200);
    expect(miss.body.totalResults).toBe(0);

    const created = await entra('POST', 'Groups', {
      body: {
        schemas: [GROUP_SCHEMA, MS_GROUP_SCHEMA],
        externalId: randomUUID(),
        displayName,
        meta: { resourceType: 'Group' },
        members: [],
      },
    });
    expect(created.status).toBe(201);
    expect(created.body.schemas).toEqual([GROUP_SCHEMA]);
    expect(created.body.displayName).toBe(displayName);
    const gid = created.body.id as string;

    const add = await entra('PATCH', `Groups/${gid}`, {
      body: patchBody({
        op: 'Add',
        path: 'members',
        value: [
          { $ref: null, value: u1 },
          { $ref: null, value: u2 },
          { $ref: null, value: u3 },
          { $ref: null, value: u4 },
        ],
      }),
    });
    expect(add.status).toBe(204);
    expect(add.text).toBe('');
    const full = await entra('GET', `Groups/${gid}`);
    expect(full.body.members.map((m: { value: string }) => m.value).sort()).toEqual([...users].sort());

    const remove = await entra('PATCH', `Groups/${gid}`, {
      body: patchBody({
        op: 'Remove',
        path: 'members',
        value: [
          { $ref: null, value: u1 },
          { $ref: null, value: u2 },
        ],
      }),
    });
    expect(remove.status).toBe(204);

    const filterRemove = await entra('PATCH', `Groups/${gid}?${FLAG}`, {
      body: patchBody({ op: 'remove', path: `members[value eq "${u3}"]` }),
    });
    expect(filterRemove.status).toBe(204);
    const trimmed = await entra('GET', `Groups/${gid}`);
    expect(trimmed.body.members.map((m: { value: string }) => m.value)).toEqual([u4]);

    const rename = await entra('PATCH', `Groups/${gid}`, {
      body: patchBody({ op: 'Replace', path: 'displayName', value: 'Entra Group renamed' }),
    });
    expect(rename.status).toBe(204);

    const hit = await entra(
      'GET',
      `Groups?excludedAttributes=members&${filterQuery('displayName eq "Entra Group renamed"')}`,
    );
    expect(hit.body.totalResults).toBe(1);
    expect(hit.body.Resources[0]).toMatchObject({ id: gid, displayName: 'Entra Group renamed' });
    expect(hit.body.Resources[0]).not.toHaveProperty('members');
    const read = await entra('GET', `Groups/${gid}?excludedAttributes=members`);
    expect(read.status).toBe(200);
    expect(read.body).not.toHaveProperty('members');

    const before = await entra('GET', `Users/${u4}?attributes=groups`);
    expect(before.body.groups).toEqual([
      expect.objectContaining({ value: gid, display: 'Entra Group renamed' }),
    ]);
    expect((await entra('DELETE', `Groups/${gid}`)).status).toBe(204);
    expect((await entra('GET', `Groups/${gid}`)).status).toBe(404);
    const after = await entra('GET', `Users/${u4}?attributes=groups`);
    expect(after.body).not.toHaveProperty('groups');

    // One event per member of each bulk PATCH, the rename as group.updated, then the delete: the group goes at once
    // and its last membership is removed in the background, after it (docs/decisions/0014).
    const events = await eventsAbout(gid, 11);
    expect(events.map((e) => e.type)).toEqual([
      'group.created',
      ...Array<string>(4).fill('group.member_added'),
      ...Array<string>(3).fill('group.member_removed'),
      'group.updated',
      'group.deleted',
      'group.member_removed',
    ]);
    const members = (from: number, to: number) =>
      events
        .slice(from, to)
        .map((e) => e.member?.value)
        .sort();
    expect(members(1, 5)).toEqual([u1, u2, u3, u4].sort());
    expect(members(5, 7)).toEqual([u1, u2].sort());
    expect(members(7, 8)).toEqual([u3]);
    expect(events[8]?.changedAttributes).toEqual(['displayName']);
    expect(members(10, 11)).toEqual([u4]);
    expect(events.slice(1, 5).every((e) => e.actor?.idp === 'entra')).toBe(true);
  });

  it('should refuse a second group with the same displayName in another case', async () => {
    const first = await entra('POST', 'Groups', {
      body: { schemas: [GROUP_SCHEMA, MS_GROUP_SCHEMA], displayName: 'Unique Entra Group', members: [] },
    });
    const second = await entra('POST', 'Groups', {
      body: { schemas: [GROUP_SCHEMA, MS_GROUP_SCHEMA], displayName: 'unique entra group', members: [] },
    });

    expect(first.status).toBe(201);
    expect(second.status).toBe(409);
    expect(second.body.scimType).toBe('uniqueness');
  });
});

describe("Microsoft's SCIM validator", () => {
  it('should clear attributes patched with empty strings, then accept nulls for them', async () => {
    const id = await provisionUser('clearme@contoso.example', {
      displayName: 'Clear Me',
      title: 'Engineer',
      nickName: 'cm',
      preferredLanguage: 'en-US',
      [ENTERPRISE]: { department: 'Ops', costCenter: 'CC1' },
    });

    const empty = await entra('PATCH', `Users/${id}`, {
      body: patchBody(
        { op: 'Replace', path: 'displayName', value: '' },
        { op: 'Replace', path: 'title', value: '' },
        { op: 'Replace', path: 'name.givenName', value: '' },
        { op: 'Replace', path: `${ENTERPRISE}:department`, value: '' },
      ),
    });
    expect(empty.status).toBe(200);
    const afterEmpty = await entra('GET', `Users/${id}`);
    expect(afterEmpty.body).not.toHaveProperty('displayName');
    expect(afterEmpty.body).not.toHaveProperty('title');
    expect(afterEmpty.body.name).toEqual({ formatted: 'givenName familyName', familyName: 'familyName' });
    expect(afterEmpty.body[ENTERPRISE]).toEqual({ costCenter: 'CC1' });

    const nulls = await entra('PATCH', `Users/${id}`, {
      body: patchBody(
        { op: 'Replace', path: 'nickName', value: null },
        { op: 'Replace', path: 'preferredLanguage', value: null },
        { op: 'Replace', path: 'name.familyName', value: null },
        { op: 'Replace', path: `${ENTERPRISE}:costCenter`, value: null },
        { op: 'Replace', path: 'title', value: null },
      ),
    });
    expect(nulls.status).toBe(200);
    const afterNull = await entra('GET', `Users/${id}`);
    expect(afterNull.body).not.toHaveProperty('nickName');
    expect(afterNull.body).not.toHaveProperty('preferredLanguage');
    expect(afterNull.body).not.toHaveProperty(ENTERPRISE);
    expect(afterNull.body.name).toEqual({ formatted: 'givenName familyName' });
    expect(afterNull.body.userName).toBe('clearme@contoso.example');
  });

  it('should page users with startIndex=N&count=5 over several pages without overlap', async () => {
    const tenant = 'entra-paging';
    const token = await h.issueToken(tenant);
    const base = `/scim/v2/${tenant}/default`;
    for (let i = 0; i < 12; i++) {
      const r = await entra('POST', `${base}/Users`, { token, body: entraUser(`pager${i}@contoso.example`) });
      expect(r.status).toBe(201);
    }

    const pages: TestResponse[] = [];
    for (const start of [1, 6, 11])
      pages.push(await entra('GET', `${base}/Users?startIndex=${start}&count=5`, { token }));

    expect(pages.map((p) => p.status)).toEqual([200, 200, 200]);
    expect(pages.map((p) => [p.body.totalResults, p.body.startIndex, p.body.itemsPerPage])).toEqual([
      [12, 1, 5],
      [12, 6, 5],
      [12, 11, 2],
    ]);
    const names = pages.flatMap((p) => p.body.Resources.map((r: { userName: string }) => r.userName));
    expect(new Set(names).size).toBe(12);
    const beyond = await entra('GET', `${base}/Users?startIndex=13&count=5`, { token });
    expect(beyond.body).toMatchObject({ totalResults: 12, itemsPerPage: 0, Resources: [] });
  });

  it('should accept attribute names in any case: UserName, Active, Manager: {Value}', async () => {
    const boss = await provisionUser('case-boss@contoso.example');

    const created = await entra('POST', 'Users', {
      body: {
        schemas: [USER_SCHEMA, ENTERPRISE],
        UserName: 'CaseUser@contoso.example',
        Active: 'True',
        DisplayName: 'Case User',
        Emails: [{ Primary: true, Type: 'work', Value: 'CaseUser@contoso.example' }],
        [ENTERPRISE]: { Department: 'Legal', Manager: { Value: boss } },
      },
    });

    expect(created.status).toBe(201);
    const got = await entra('GET', `Users/${created.body.id}`);
    expect(got.body).toMatchObject({
      userName: 'CaseUser@contoso.example',
      active: true,
      displayName: 'Case User',
      emails: [{ primary: true, type: 'work', value: 'CaseUser@contoso.example' }],
      [ENTERPRISE]: { department: 'Legal', manager: { value: boss } },
    });

    const patched = await entra('PATCH', `Users/${created.body.id}`, {
      body: {
        schemas: [PATCH_SCHEMA],
        Operations: [
          { op: 'Replace', path: 'Active', value: 'False' },
          { op: 'Replace', path: `${ENTERPRISE}:Manager`, value: { Value: created.body.id } },
          { op: 'Replace', path: 'emails[Type eq "work"].Primary', value: 'False' },
        ],
      },
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({
      active: false,
      emails: [{ primary: false, type: 'work', value: 'CaseUser@contoso.example' }],
      [ENTERPRISE]: { department: 'Legal', manager: { value: created.body.id } },
    });
  });

  it('should accept a POST User carrying meta.resourceType and an empty roles list', async () => {
    const res = await entra('POST', 'Users', {
      body: {
        schemas: [USER_SCHEMA],
        userName: 'metaroles@contoso.example',
        active: true,
        meta: { resourceType: 'User' },
        roles: [],
      },
    });

    expect(res.status).toBe(201);
    expect(res.body.meta.resourceType).toBe('User');
    expect(res.body.meta.created).toEqual(expect.any(String));
    expect(res.body).not.toHaveProperty('roles');
  });

  it('should list the User, EnterpriseUser and Group schemas with canonical values for the mapped attributes', async () => {
    const res = await entra('GET', 'Schemas');

    expect(res.status).toBe(200);
    const ids = res.body.Resources.map((s: { id: string }) => s.id);
    expect(ids).toEqual(expect.arrayContaining([USER_SCHEMA, ENTERPRISE, GROUP_SCHEMA]));
    const user = res.body.Resources.find((s: { id: string }) => s.id === USER_SCHEMA);
    const names = user.attributes.map((a: { name: string }) => a.name.toLowerCase());
    expect(names).toEqual(expect.arrayContaining(['username', 'active', 'emails', 'name', 'roles']));
    const emails = user.attributes.find((a: { name: string }) => a.name === 'emails');
    const type = emails.subAttributes.find((a: { name: string }) => a.name === 'type');
    expect(type.canonicalValues).toEqual(expect.arrayContaining(['work']));
  });
});

describe('Entra ID throughput', () => {
  it('should serve a burst of 50 parallel mixed requests for one tenant with no 5xx and no lost update', async () => {
    const seed = await provisionUser('burst-seed@contoso.example');
    const members = await Promise.all(
      Array.from({ length: 10 }, (_, i) => provisionUser(`burst-member-${i}@contoso.example`)),
    );
    const group = await entra('POST', 'Groups', {
      body: { schemas: [GROUP_SCHEMA, MS_GROUP_SCHEMA], displayName: 'Burst Group', members: [] },
    });
    expect(group.status).toBe(201);

    const requests = [
      ...Array.from({ length: 8 }, () =>
        entra('GET', `Users?${filterQuery(`userName eq "${randomUUID()}"`)}`),
      ),
      ...Array.from({ length: 10 }, (_, i) =>
        entra('POST', 'Users', { body: entraUser(`burst-${i}@contoso.example`) }),
      ),
      // Several writers on one user at once (an attribute pass racing a manager pass, say).
      ...Array.from({ length: 15 }, (_, i) =>
        entra('PATCH', `Users/${seed}`, {
          body: patchBody({ op: 'Add', path: 'roles', value: [{ value: `role-${i}` }] }),
        }),
      ),
      ...members.map((id) =>
        entra('PATCH', `Groups/${group.body.id}`, {
          body: patchBody({ op: 'Add', path: 'members', value: [{ $ref: null, value: id }] }),
        }),
      ),
      ...Array.from({ length: 7 }, () =>
        entra('GET', `Groups?excludedAttributes=members&${filterQuery('displayName eq "Burst Group"')}`),
      ),
    ];
    expect(requests).toHaveLength(50);
    const results = await Promise.all(requests);

    expect(results.filter((r) => r.status >= 300).map((r) => `${r.status} ${r.text}`)).toEqual([]);
    expect(results.filter((r) => r.status === 201)).toHaveLength(10);
    expect(h.logs.filter((l) => l.level === 'ERROR')).toEqual([]);
    const seedAfter = await entra('GET', `Users/${seed}`);
    expect(seedAfter.body.roles.map((r: { value: string }) => r.value).sort()).toEqual(
      Array.from({ length: 15 }, (_, i) => `role-${i}`).sort(),
    );
    const groupAfter = await entra('GET', `Groups/${group.body.id}`);
    expect(groupAfter.body.members.map((m: { value: string }) => m.value).sort()).toEqual(
      [...members].sort(),
    );
  }, 60_000);
});
