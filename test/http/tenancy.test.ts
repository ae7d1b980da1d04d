import { FAILURE_LIMIT } from '../../shared/domain/authenticator';
import { ROUTES as ALL_ROUTES } from '../../shared/http/routes';
import { issuedSecrets, startHarness, type Harness } from '../support/harness';

const ROUTES = ALL_ROUTES.filter((r) => r.fn.startsWith('scim'));
/** A refusal: 401, or 429 once the failures from this source pass the limit (both carry no data). */
const REFUSED = [401, 429];

let h: Harness;
let userId: string;
let groupId: string;
let intruder: string;
let otherEndpointOnly: string;

const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const PATCH = {
  schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
  Operations: [{ op: 'replace', path: 'displayName', value: 'x' }],
};

beforeAll(async () => {
  h = await startHarness({ tenantId: 'victim' });
  userId = (
    await h.request('POST', 'Users', {
      body: { schemas: [USER_SCHEMA], userName: 'secret-user@victim.example' },
    })
  ).body.id;
  groupId = (
    await h.request('POST', 'Groups', { body: { schemas: [GROUP_SCHEMA], displayName: 'Victim Admins' } })
  ).body.id;
  intruder = await h.issueToken('intruder');
  otherEndpointOnly = await h.issueToken('victim', ['hr-app']);
});
afterAll(async () => {
  await h.close();
});

function concrete(path: string, tenant: string, endpoint: string): string {
  return path
    .replace('{tenant}', tenant)
    .replace('{endpoint}', endpoint)
    .replace(/\/Users\/\{id\}$/, `/Users/${userId}`)
    .replace(/\/Groups\/\{id\}$/, `/Groups/${groupId}`)
    .replace(/\/ResourceTypes\/\{id\}$/, '/ResourceTypes/User')
    .replace(/\/Schemas\/\{id\}$/, `/Schemas/${USER_SCHEMA}`);
}

function bodyFor(method: string, path: string): unknown {
  if (method === 'PATCH') return PATCH;
  if (path.endsWith('.search')) return { schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'] };
  if (path.includes('/Groups')) return { schemas: [GROUP_SCHEMA], displayName: 'Intruders' };
  return { schemas: [USER_SCHEMA], userName: 'intruder@evil.example' };
}

describe('tenant and endpoint isolation on every SCIM route', () => {
  it('should slow down repeated failures from one source with 429 and an integer Retry-After', async () => {
    // The limit counts failures per fixed minute: 2 × FAILURE_LIMIT + 1 requests put more than the limit into one
    // minute even when they straddle a minute's end (on a loaded machine they may).
    const results = [];
    for (let i = 0; i <= 2 * FAILURE_LIMIT; i++) {
      results.push(await h.request('GET', '/scim/v2/victim/default/Users', { token: 'scgb_wrong' }));
      if (results.at(-1)?.status === 429) break;
    }
    expect(results[0]?.status).toBe(401);
    const limited = results.filter((r) => r.status === 429);
    expect(limited.length).toBeGreaterThan(0);
    expect(limited[0]?.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(limited[0]?.body.schemas).toEqual(['urn:ietf:params:scim:api:messages:2.0:Error']);
  });

  it.each(ROUTES.map((r) => [r.method, r.path] as const))(
    'should refuse %s %s on another tenant with 401 and no data',
    async (method, path) => {
      const url = concrete(path, 'victim', 'default');
      const res = await h.request(method, url, {
        token: intruder,
        ...(['POST', 'PUT', 'PATCH'].includes(method) ? { body: bodyFor(method, path) } : {}),
      });
      expect(REFUSED).toContain(res.status);
      expect(res.text).not.toContain('secret-user');
      expect(res.text).not.toContain('Victim Admins');
    },
  );

  it.each(ROUTES.map((r) => [r.method, r.path] as const))(
    'should refuse %s %s with a token bound to another endpoint of the same tenant',
    async (method, path) => {
      const res = await h.request(method, concrete(path, 'victim', 'default'), {
        token: otherEndpointOnly,
        ...(['POST', 'PUT', 'PATCH'].includes(method) ? { body: bodyFor(method, path) } : {}),
      });
      expect(REFUSED).toContain(res.status);
      expect(res.text).not.toContain('secret-user');
    },
  );

  it('should not find the victim resources under the intruder tenant, by id or by filter', async () => {
    const base = '/scim/v2/intruder/default';
    for (const path of [`${base}/Users/${userId}`, `${base}/Groups/${groupId}`]) {
      expect((await h.request('GET', path, { token: intruder })).status).toBe(404);
      expect((await h.request('DELETE', path, { token: intruder })).status).toBe(404);
      expect((await h.request('PATCH', path, { token: intruder, body: PATCH })).status).toBe(404);
    }
    const list = await h.request(
      'GET',
      `${base}/Users?filter=${encodeURIComponent('userName eq "secret-user@victim.example"')}`,
      {
        token: intruder,
      },
    );
    expect(list.body.totalResults).toBe(0);
    const all = await h.request('GET', `${base}/Users`, { token: intruder });
    expect(all.body.totalResults).toBe(0);
    // and the victim still has its data
    expect((await h.request('GET', `Users/${userId}`)).status).toBe(200);
  });

  it('should keep endpoints of one tenant apart', async () => {
    const hr = '/scim/v2/victim/hr-app';
    const created = await h.request('POST', `${hr}/Users`, {
      token: otherEndpointOnly,
      body: { schemas: [USER_SCHEMA], userName: 'secret-user@victim.example' },
    });
    expect(created.status).toBe(201); // the same userName is free in another endpoint
    expect((await h.request('GET', `${hr}/Users/${userId}`, { token: otherEndpointOnly })).status).toBe(404);
    const tenantWide = await h.request('GET', `${hr}/Users/${created.body.id}`);
    expect(tenantWide.status).toBe(200);
  });

  it('should make a deleted endpoint gone for every credential, and keep its id and gateway credentials dead', async () => {
    const svc = h.container.credentials;
    const ctx = { actor: 'test', origin: h.server.origin };
    await svc.createEndpoint('victim', { id: 'crm' }, 'test');
    const gateway = await svc.issue(
      'victim',
      { kind: 'gateway', name: 'crm app', endpointId: 'crm' } as never,
      ctx,
    );
    issuedSecrets.push(gateway.secret);
    const crm = '/scim/v2/victim/crm';
    const made = await h.request('POST', `${crm}/Users`, {
      token: gateway.secret,
      body: { schemas: [USER_SCHEMA], userName: 'crm-user@victim.example' },
    });
    expect(made.status).toBe(201);
    await svc.revoke('victim', gateway.credential.id, 'test');
    await svc.deleteEndpoint('victim', 'crm', 'test');

    // Tenant-wide credentials: the endpoint's data is neither readable nor writable.
    for (const [method, path] of [
      ['GET', `${crm}/Users`],
      ['GET', `${crm}/Users/${made.body.id}`],
      ['DELETE', `${crm}/Users/${made.body.id}`],
      ['GET', `${crm}/ServiceProviderConfig`],
    ] as const) {
      const res = await h.request(method, path);
      expect(res.status).toBe(404);
      expect(res.text).not.toContain('crm-user');
    }
    const write = await h.request('POST', `${crm}/Users`, {
      body: { schemas: [USER_SCHEMA], userName: 'new@victim.example' },
    });
    expect(write.status).toBe(404);
    // A never-created endpoint is no different.
    expect((await h.request('GET', '/scim/v2/victim/never-made/Users')).status).toBe(404);
    // Unauthenticated callers learn nothing about which endpoints exist.
    expect(REFUSED).toContain((await h.request('GET', `${crm}/Users`, { token: null })).status);

    // The revoked gateway credential of the deleted endpoint stays dead.
    await expect(svc.reactivate('victim', gateway.credential.id, 'test')).rejects.toMatchObject({
      status: 400,
    });
    expect(REFUSED).toContain((await h.request('GET', `${crm}/Users`, { token: gateway.secret })).status);
    // And the id cannot be reused to bring the data back.
    await expect(svc.createEndpoint('victim', { id: 'crm' }, 'test')).rejects.toMatchObject({ status: 409 });
    expect((await svc.listEndpoints('victim')).map((e) => e.id)).not.toContain('crm');
    // The default endpoint is untouched.
    expect((await h.request('GET', `Users/${userId}`)).status).toBe(200);
  });
});
