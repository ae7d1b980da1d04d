import { issuedSecrets, startHarness, type Harness } from '../support/harness';

const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
let h: Harness;
let domainToken = '';
let readOnlyToken = '';
let usersOnlyToken = '';
let outsiderId = '';

beforeAll(async () => {
  h = await startHarness({ tenantId: 'guarded' });
  const issue = async (input: Record<string, unknown>) => {
    const issued = await h.container.credentials.issue(
      'guarded',
      { kind: 'bearer', name: 'guarded', ...input } as never,
      { actor: 'test', origin: h.server.origin },
    );
    issuedSecrets.push(issued.secret);
    return issued.secret;
  };
  domainToken = await issue({ allowedDomains: ['acme.com'] });
  readOnlyToken = await issue({ roles: 'read-only' });
  usersOnlyToken = await issue({ roles: 'users' });
  outsiderId = (
    await h.request('POST', 'Users', { body: { schemas: [USER_SCHEMA], userName: 'someone@other.example' } })
  ).body.id;
});
afterAll(async () => {
  await h.close();
});

describe('credential guardrails over HTTP', () => {
  it('should provision users inside the allowed domains and refuse others with 403', async () => {
    const ok = await h.request('POST', 'Users', {
      token: domainToken,
      body: {
        schemas: [USER_SCHEMA],
        userName: 'ann@acme.com',
        emails: [{ value: 'ann@eu.acme.com', type: 'work' }],
      },
    });
    expect(ok.status).toBe(201);
    const outside = await h.request('POST', 'Users', {
      token: domainToken,
      body: { schemas: [USER_SCHEMA], userName: 'eve@evil.example' },
    });
    expect(outside.status).toBe(403);
    expect(outside.body).toMatchObject({ status: '403', scimType: 'insufficient_scope' });
    const sneaky = await h.request('PATCH', `Users/${ok.body.id}`, {
      token: domainToken,
      body: {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
        Operations: [{ op: 'add', path: 'emails', value: [{ value: 'ann@evil.example', type: 'home' }] }],
      },
    });
    expect(sneaky.status).toBe(403);
    const after = await h.request('GET', `Users/${ok.body.id}`);
    expect(JSON.stringify(after.body)).not.toContain('evil.example');
    const audit = await h.container.credentials.audit('guarded', {});
    expect(audit.events.filter((e) => e.type === 'auth.domain-denied').length).toBeGreaterThanOrEqual(2);
  });

  it('should not serve users outside the allowed domains', async () => {
    expect((await h.request('GET', `Users/${outsiderId}`, { token: domainToken })).status).toBe(404);
    const list = await h.request('GET', 'Users', { token: domainToken });
    expect(list.body.Resources.map((r: { userName: string }) => r.userName)).not.toContain(
      'someone@other.example',
    );
  });

  it('should let a read-only credential read and refuse every write with 403 insufficient_scope', async () => {
    expect((await h.request('GET', 'Users', { token: readOnlyToken })).status).toBe(200);
    const write = await h.request('POST', 'Users', {
      token: readOnlyToken,
      body: { schemas: [USER_SCHEMA], userName: 'nope@acme.com' },
    });
    expect(write.status).toBe(403);
    expect(write.headers.get('www-authenticate')).toMatch(/error="insufficient_scope"/);
    expect((await h.request('DELETE', `Users/${outsiderId}`, { token: readOnlyToken })).status).toBe(403);
    expect((await h.request('GET', `Users/${outsiderId}`)).status).toBe(200);
  });

  it('should keep a users-only credential away from groups', async () => {
    expect((await h.request('GET', 'Users', { token: usersOnlyToken })).status).toBe(200);
    expect((await h.request('GET', 'Groups', { token: usersOnlyToken })).status).toBe(403);
    const create = await h.request('POST', 'Groups', {
      token: usersOnlyToken,
      body: { schemas: [GROUP_SCHEMA], displayName: 'Not allowed' },
    });
    expect(create.status).toBe(403);
  });

  it('should refuse an address with a second @ that ends in an allowed domain', async () => {
    for (const userName of ['x@other.example@acme.com', '"x@other.example"@acme.com', 'x@acme.com.']) {
      const res = await h.request('POST', 'Users', {
        token: domainToken,
        body: { schemas: [USER_SCHEMA], userName },
      });
      expect(res.status).toBe(403);
    }
    const email = await h.request('POST', 'Users', {
      token: domainToken,
      body: {
        schemas: [USER_SCHEMA],
        userName: 'fine@acme.com',
        emails: [{ value: 'y@evil.example@acme.com' }],
      },
    });
    expect(email.status).toBe(403);
  });

  it('should hide the group names of a user from a users-only credential', async () => {
    const group = await h.request('POST', 'Groups', {
      body: { schemas: [GROUP_SCHEMA], displayName: 'Secret project', members: [{ value: outsiderId }] },
    });
    expect(group.status).toBe(201);
    const full = await h.request('GET', `Users/${outsiderId}?attributes=groups`);
    expect(full.body.groups).toEqual([expect.objectContaining({ display: 'Secret project' })]);
    for (const path of [`Users/${outsiderId}?attributes=groups`, `Users?attributes=groups,userName`]) {
      const res = await h.request('GET', path, { token: usersOnlyToken });
      expect(res.status).toBe(200);
      expect(res.text).not.toContain('Secret project');
      expect(res.text).not.toContain(group.body.id);
    }
  });
});

describe('e-mail domain guardrails on group membership', () => {
  let insiderId = '';
  let groupId = '';
  const members = async (token?: string) =>
    (await h.request('GET', `Groups/${groupId}`, token ? { token } : {})).body.members?.map(
      (m: { value: string }) => m.value,
    ) ?? [];

  beforeAll(async () => {
    insiderId = (
      await h.request('POST', 'Users', { body: { schemas: [USER_SCHEMA], userName: 'inside@acme.com' } })
    ).body.id;
    groupId = (
      await h.request('POST', 'Groups', {
        body: {
          schemas: [GROUP_SCHEMA],
          displayName: 'Mixed',
          members: [{ value: insiderId }, { value: outsiderId }],
        },
      })
    ).body.id;
  });

  it('should not show out-of-domain member ids', async () => {
    expect(await members()).toEqual(expect.arrayContaining([insiderId, outsiderId]));
    const seen = await h.request('GET', `Groups/${groupId}`, { token: domainToken });
    expect(seen.body.members.map((m: { value: string }) => m.value)).toEqual([insiderId]);
    const list = await h.request('GET', 'Groups?filter=displayName eq "Mixed"', { token: domainToken });
    expect(list.text).not.toContain(outsiderId);
  });

  it('should refuse adding or removing an out-of-domain user with 403', async () => {
    const other = (
      await h.request('POST', 'Users', { body: { schemas: [USER_SCHEMA], userName: 'two@other.example' } })
    ).body.id;
    for (const op of [
      { op: 'add', path: 'members', value: [{ value: other }] },
      { op: 'remove', path: `members[value eq "${outsiderId}"]` },
      { op: 'replace', path: 'members', value: [{ value: insiderId }, { value: other }] },
    ]) {
      const res = await h.request('PATCH', `Groups/${groupId}`, {
        token: domainToken,
        body: { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [op] },
      });
      expect(res.status).toBe(403);
      expect(res.body).toMatchObject({ scimType: 'insufficient_scope' });
    }
    const create = await h.request('POST', 'Groups', {
      token: domainToken,
      body: { schemas: [GROUP_SCHEMA], displayName: 'Grab', members: [{ value: other }] },
    });
    expect(create.status).toBe(403);
    expect(await members()).toEqual(expect.arrayContaining([insiderId, outsiderId]));
    expect(await members()).not.toContain(other);
  });

  it('should keep hidden members through a PUT or a replace of the visible ones', async () => {
    const put = await h.request('PUT', `Groups/${groupId}`, {
      token: domainToken,
      body: { schemas: [GROUP_SCHEMA], displayName: 'Mixed', members: [{ value: insiderId }] },
    });
    expect(put.status).toBe(200);
    expect(put.text).not.toContain(outsiderId);
    const replace = await h.request('PATCH', `Groups/${groupId}`, {
      token: domainToken,
      body: {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
        Operations: [{ op: 'replace', path: 'members', value: [] }],
      },
    });
    expect(replace.status).toBe(204);
    expect(await members()).toEqual([outsiderId]);
    await h.request('PATCH', `Groups/${groupId}`, {
      body: {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
        Operations: [{ op: 'add', path: 'members', value: [{ value: insiderId }] }],
      },
    });
  });

  it('should refuse deleting a group that holds out-of-domain users, and delete one that does not', async () => {
    expect((await h.request('DELETE', `Groups/${groupId}`, { token: domainToken })).status).toBe(403);
    expect((await h.request('GET', `Groups/${groupId}`)).status).toBe(200);
    const own = await h.request('POST', 'Groups', {
      token: domainToken,
      body: { schemas: [GROUP_SCHEMA], displayName: 'Own', members: [{ value: insiderId }] },
    });
    expect(own.status).toBe(201);
    expect((await h.request('DELETE', `Groups/${own.body.id}`, { token: domainToken })).status).toBe(204);
  });
});
