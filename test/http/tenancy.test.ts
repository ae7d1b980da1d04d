import { ROUTES as ALL_ROUTES } from '../../shared/http/routes';
import { startHarness, type Harness } from '../support/harness';

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
    const results = [];
    for (let i = 0; i < 25; i++)
      results.push(await h.request('GET', '/scim/v2/victim/default/Users', { token: 'scgb_wrong' }));
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
});
