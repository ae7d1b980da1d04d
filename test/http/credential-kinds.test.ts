import { ROUTES } from '../../shared/http/routes';
import { issuedSecrets, startHarness, type Harness } from '../support/harness';

/**
 * The cross-tenant matrix for every credential kind: each one works where it belongs and is refused on every
 * SCIM route of another tenant, on another endpoint of its own tenant (gateway tokens), and on every
 * management route, without revealing whether anything exists there.
 */
let h: Harness;
const REFUSED = [401, 429];
const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
let victimUserId = '';

type Kind = 'bearer' | 'bearer-bare' | 'basic' | 'gateway' | 'oauth-access-token';
const headers: Partial<Record<Kind, string>> = {};

beforeAll(async () => {
  h = await startHarness({ tenantId: 'owner' });
  const svc = h.container.credentials;
  const origin = h.server.origin;
  await svc.ensureTenant('victim', 'victim');
  const victimToken = await h.issueToken('victim');
  victimUserId = (
    await h.request('POST', '/scim/v2/victim/default/Users', {
      token: victimToken,
      body: { schemas: [USER_SCHEMA], userName: 'victim-user@victim.example' },
    })
  ).body.id;
  await svc.createEndpoint('owner', { id: 'crm' }, 'test');
  const issue = async (kind: 'bearer' | 'basic' | 'gateway' | 'oauth-client') => {
    const issued = await svc.issue(
      'owner',
      { kind, name: kind, ...(kind === 'gateway' ? { endpointId: 'crm' } : {}) },
      { actor: 'test', origin },
    );
    issuedSecrets.push(issued.secret);
    return issued;
  };
  const bearer = await issue('bearer');
  headers.bearer = `Bearer ${bearer.secret}`;
  headers['bearer-bare'] = bearer.secret;
  const basic = await issue('basic');
  headers.basic = `Basic ${Buffer.from(`${basic.connection.username}:${basic.secret}`).toString('base64')}`;
  const gateway = await issue('gateway');
  headers.gateway = `Bearer ${gateway.secret}`;
  const oauth = await issue('oauth-client');
  const tokenRes = await h.request('POST', '/oauth/owner/token', {
    token: null,
    rawBody: 'grant_type=client_credentials',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${oauth.connection.clientId}:${oauth.secret}`).toString('base64')}`,
    },
  });
  if (tokenRes.status !== 200)
    throw new Error(`token endpoint answered ${tokenRes.status}: ${tokenRes.text}`);
  headers['oauth-access-token'] = `Bearer ${tokenRes.body.access_token}`;
});
afterAll(async () => {
  await h.close();
});

const KINDS: Kind[] = ['bearer', 'bearer-bare', 'basic', 'gateway', 'oauth-access-token'];
const SCIM_ROUTES = ROUTES.filter((r) => r.fn.startsWith('scim'));
const MANAGEMENT_ROUTES = ROUTES.filter((r) => r.fn === 'management');

function concrete(path: string, tenant: string, endpoint: string): string {
  return path
    .replace('{tenant}', tenant)
    .replace('{endpoint}', endpoint)
    .replace('{id}', victimUserId)
    .replace('{credential}', 'some-credential')
    .replace('{admin}', 'some-admin')
    .replace('{job}', 'reminders');
}

const bodyFor = (method: string) =>
  ['POST', 'PUT', 'PATCH'].includes(method)
    ? { rawBody: '{}', headers: { 'content-type': 'application/json' } }
    : {};

describe('every credential kind', () => {
  it.each(KINDS)('should work on its own endpoint: %s', async (kind) => {
    const endpoint = kind === 'gateway' ? 'crm' : 'default';
    const res = await h.request('GET', `/scim/v2/owner/${endpoint}/Users`, {
      headers: { authorization: headers[kind]! },
    });
    expect(res.status).toBe(200);
  });

  it.each(KINDS)('should be refused on every SCIM route of another tenant: %s', async (kind) => {
    for (const route of SCIM_ROUTES) {
      const res = await h.request(route.method, concrete(route.path, 'victim', 'default'), {
        ...bodyFor(route.method),
        headers: { ...bodyFor(route.method).headers, authorization: headers[kind]! },
      });
      expect([route.method, route.path, REFUSED.includes(res.status)]).toEqual([
        route.method,
        route.path,
        true,
      ]);
      expect(res.text).not.toContain('victim-user');
    }
  });

  it('should refuse a gateway token on another endpoint of its own tenant', async () => {
    for (const route of SCIM_ROUTES) {
      const res = await h.request(route.method, concrete(route.path, 'owner', 'default'), {
        ...bodyFor(route.method),
        headers: { ...bodyFor(route.method).headers, authorization: headers.gateway! },
      });
      expect([route.path, REFUSED.includes(res.status)]).toEqual([route.path, true]);
    }
  });

  it.each(KINDS)('should never open a management route: %s', async (kind) => {
    for (const route of MANAGEMENT_ROUTES) {
      const res = await h.request(route.method, concrete(route.path, 'owner', 'default'), {
        ...bodyFor(route.method),
        headers: { ...bodyFor(route.method).headers, authorization: headers[kind]! },
      });
      expect([route.method, route.path, res.status]).toEqual([route.method, route.path, 401]);
    }
  });
});
