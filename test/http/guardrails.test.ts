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
});
