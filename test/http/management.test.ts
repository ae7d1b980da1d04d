import fc from 'fast-check';
import {
  startManagementHarness,
  TEST_ADMIN_KEY,
  TEST_IAM_HEADER,
  type ManagementHarness,
} from '../support/management-harness';

const DAY = 86_400_000;
const TENANT = 'acme';
const T = `/tenants/${TENANT}`;

/** Every secret issued by this file: none may appear in a listing, a show or a log line. */
const secrets: string[] = [];

function expectNoSecrets(text: string): void {
  expect(text).not.toMatch(/"hash"|"pepperVersion"/);
  for (const s of secrets) expect(text).not.toContain(s);
}

describe('management API over HTTP (admin key)', () => {
  let h: ManagementHarness;
  let origin: string;

  beforeAll(async () => {
    h = await startManagementHarness();
    origin = h.server.origin;
  });
  afterAll(async () => {
    await h.close();
  });

  async function issue(body: Record<string, unknown>) {
    const res = await h.request('POST', `${T}/credentials`, { body });
    expect(res.status).toBe(201);
    secrets.push(res.body.secret);
    return res;
  }

  describe('tenants, policy, endpoints, admins', () => {
    it('should create a tenant with its default endpoint', async () => {
      const res = await h.request('POST', '/tenants', { body: { id: TENANT, name: 'Acme Corp' } });
      const endpoints = await h.request('GET', `${T}/endpoints`);

      expect(res.status).toBe(201);
      expect(res.headers.get('content-type')).toBe('application/json');
      expect(res.headers.get('location')).toBe(`/admin/v1${T}`);
      expect(res.body).toMatchObject({ id: TENANT, name: 'Acme Corp', policy: { maxLifetimeDays: 730 } });
      expect(endpoints.body.endpoints.map((e: { id: string }) => e.id)).toEqual(['default']);
    });

    it('should list and show tenants', async () => {
      const list = await h.request('GET', '/tenants');
      const one = await h.request('GET', T);

      expect(list.status).toBe(200);
      expect(list.body.tenants.map((t: { id: string }) => t.id)).toContain(TENANT);
      expect(one.body).toMatchObject({ id: TENANT });
    });

    it('should answer 409 when the tenant exists and 404 when it does not', async () => {
      const dup = await h.request('POST', '/tenants', { body: { id: TENANT, name: 'again' } });
      const missing = await h.request('GET', '/tenants/nope');

      expect(dup.status).toBe(409);
      expect(dup.body).toEqual({ error: { status: 409, message: expect.stringContaining(TENANT) } });
      expect(missing.status).toBe(404);
    });

    it('should patch the policy, merging reminders field by field', async () => {
      const res = await h.request('PATCH', `${T}/policy`, {
        body: { maxLifetimeDays: 400, defaultLifetimeDays: 90, reminders: { leadDays: 7 } },
      });
      const read = await h.request('GET', `${T}/policy`);

      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        maxLifetimeDays: 400,
        defaultLifetimeDays: 90,
        reminders: { leadDays: 7, frequency: 'weekly' },
      });
      expect(read.body).toEqual(res.body);
    });

    it('should refuse a policy outside the service bounds with 400', async () => {
      const res = await h.request('PATCH', `${T}/policy`, { body: { defaultLifetimeDays: 500 } });

      expect(res.status).toBe(400);
      expect(res.body.error.message).toMatch(/defaultLifetimeDays/);
    });

    it('should create, list and delete endpoints', async () => {
      const okta = await h.request('POST', `${T}/endpoints`, { body: { id: 'okta', name: 'Okta' } });
      await h.request('POST', `${T}/endpoints`, { body: { id: 'tmp' } });
      const del = await h.request('DELETE', `${T}/endpoints/tmp`);
      const again = await h.request('DELETE', `${T}/endpoints/tmp`);
      const list = await h.request('GET', `${T}/endpoints`);

      expect(okta.status).toBe(201);
      expect(okta.body).toMatchObject({ tenantId: TENANT, id: 'okta', name: 'Okta' });
      expect(del.status).toBe(204);
      expect(del.text).toBe('');
      expect(again.status).toBe(404);
      expect(list.body.endpoints.map((e: { id: string }) => e.id).sort()).toEqual(['default', 'okta']);
    });

    it('should add and list admins', async () => {
      const alice = await h.request('POST', `${T}/admins`, {
        body: { id: 'alice', email: 'alice@example.com' },
      });
      const bob = await h.request('POST', `${T}/admins`, { body: { id: 'bob', email: 'bob@example.com' } });
      const list = await h.request('GET', `${T}/admins`);

      expect([alice.status, bob.status]).toEqual([201, 201]);
      expect(alice.body).toMatchObject({ id: 'alice', email: 'alice@example.com', status: 'active' });
      expect(list.body.admins.map((a: { id: string }) => a.id).sort()).toEqual(['alice', 'bob']);
    });
  });

  describe('issuing', () => {
    it('should issue a bearer token that works against the SCIM API once', async () => {
      const res = await issue({ kind: 'bearer', name: 'Generic IdP', roles: 'users-and-groups' });
      const scim = await h.request('GET', `${res.body.connection.scimBaseUrl.slice(origin.length)}/Users`, {
        adminKey: null,
        headers: { authorization: `Bearer ${res.body.secret}` },
      });

      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.headers.get('location')).toBe(`/admin/v1${T}/credentials/${res.body.credential.id}`);
      expect(res.body.connection).toEqual({ scimBaseUrl: `${origin}/scim/v2/${TENANT}/default` });
      expect(res.body.credential).toMatchObject({ kind: 'bearer', state: 'active', endpoints: ['*'] });
      expect(res.body.credential.secrets).toEqual([
        { id: expect.any(String), hint: expect.any(String), createdAt: expect.any(String) },
      ]);
      expect(scim.status).toBe(200);
    });

    it('should issue an OAuth client with its token endpoint and client id', async () => {
      const res = await issue({ kind: 'oauth-client', name: 'Entra ID', accessTokenTtlSeconds: 7200 });

      expect(res.body.connection).toEqual({
        scimBaseUrl: `${origin}/scim/v2/${TENANT}/default`,
        tokenEndpoint: `${origin}/oauth/${TENANT}/token`,
        clientId: res.body.credential.clientId,
      });
      expect(res.body.credential.clientId).toEqual(expect.any(String));
      expect(res.body.credential.accessTokenTtlSeconds).toBe(7200);
    });

    it('should issue HTTP Basic credentials with a generated username', async () => {
      const res = await issue({ kind: 'basic', name: 'SendSafely', roles: ['users:read', 'users:write'] });
      const basic = Buffer.from(`${res.body.connection.username}:${res.body.secret}`).toString('base64');
      const scim = await h.request('GET', `/scim/v2/${TENANT}/default/Users`, {
        adminKey: null,
        headers: { authorization: `Basic ${basic}` },
      });

      expect(res.body.connection).toEqual({
        scimBaseUrl: `${origin}/scim/v2/${TENANT}/default`,
        username: res.body.credential.username,
      });
      expect(res.body.connection.username).not.toContain(':');
      expect(res.body.credential.roles).toEqual(['users:read', 'users:write']);
      expect(scim.status).toBe(200);
    });

    it('should issue a gateway token bound to one endpoint', async () => {
      const res = await issue({ kind: 'gateway', name: 'Okta app', endpointId: 'okta' });

      expect(res.body.connection).toEqual({ scimBaseUrl: `${origin}/scim/v2/${TENANT}/okta` });
      expect(res.body.credential.endpoints).toEqual(['okta']);
    });

    it('should refuse a gateway token without an endpoint, and an unknown endpoint', async () => {
      const none = await h.request('POST', `${T}/credentials`, { body: { kind: 'gateway', name: 'g' } });
      const unknown = await h.request('POST', `${T}/credentials`, {
        body: { kind: 'bearer', name: 'g', endpointId: 'nope' },
      });

      expect(none.status).toBe(400);
      expect(none.body.error.message).toMatch(/endpointId/);
      expect(unknown.status).toBe(400);
    });

    it('should carry description, domains, idle window, expiry and reminders', async () => {
      const expiresAt = new Date(Date.now() + 60 * DAY).toISOString();
      const res = await issue({
        kind: 'bearer',
        name: 'Guarded',
        description: 'only example.com',
        allowedDomains: ['example.com'],
        idleDays: 10,
        expiresAt,
        reminders: { recipients: ['it@example.com'], leadDays: 3, frequency: 'daily' },
      });

      expect(res.body.credential).toMatchObject({
        description: 'only example.com',
        allowedDomains: ['example.com'],
        idleDays: 10,
        expiresAt,
        reminders: { recipients: ['it@example.com'], leadDays: 3, frequency: 'daily' },
      });
    });
  });

  describe('listing', () => {
    it('should list credentials with hints only', async () => {
      const res = await h.request('GET', `${T}/credentials`);

      expect(res.status).toBe(200);
      expect(res.body.credentials.length).toBeGreaterThanOrEqual(5);
      for (const c of res.body.credentials) {
        for (const slot of c.secrets)
          expect(Object.keys(slot).sort()).toEqual(expect.arrayContaining(['hint', 'id']));
      }
      expectNoSecrets(res.text);
    });

    it('should show one credential with hints only', async () => {
      const list = await h.request('GET', `${T}/credentials`);
      const shows = await Promise.all(
        list.body.credentials.map((c: { id: string }) => h.request('GET', `${T}/credentials/${c.id}`)),
      );

      expect(shows.map((s) => s.status)).toEqual(shows.map(() => 200));
      for (const s of shows) expectNoSecrets(s.text);
    });

    it('should answer 404 for an unknown credential', async () => {
      const res = await h.request('GET', `${T}/credentials/0190a1b2-0000-7000-8000-000000000000`);

      expect(res.status).toBe(404);
    });
  });

  describe('lifecycle', () => {
    let id: string;
    let secret: string;
    const scimAs = (token: string) =>
      h.request('GET', `/scim/v2/${TENANT}/default/Users`, {
        adminKey: null,
        headers: { authorization: `Bearer ${token}` },
      });

    beforeAll(async () => {
      const res = await issue({ kind: 'bearer', name: 'Lifecycle', lifetimeDays: 30 });
      id = res.body.credential.id;
      secret = res.body.secret;
    });

    it('should update name, roles and reminders', async () => {
      const res = await h.request('PATCH', `${T}/credentials/${id}`, {
        body: { name: 'Lifecycle (renamed)', roles: 'read-only', reminders: { atExpiry: false } },
      });

      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        name: 'Lifecycle (renamed)',
        roles: ['users:read', 'groups:read'],
        reminders: { atExpiry: false },
      });
      expectNoSecrets(res.text);
    });

    it('should extend within the policy without changing the secret', async () => {
      const before = Date.now();
      const res = await h.request('POST', `${T}/credentials/${id}/extend`, { body: { days: 200 } });

      expect(res.status).toBe(200);
      expect(Date.parse(res.body.expiresAt)).toBeGreaterThanOrEqual(before + 200 * DAY - 5000);
      expect((await scimAs(secret)).status).toBe(200);
    });

    it('should refuse to extend beyond the policy with 400', async () => {
      const days = await h.request('POST', `${T}/credentials/${id}/extend`, { body: { days: 401 } });
      const date = await h.request('POST', `${T}/credentials/${id}/extend`, {
        body: { expiresAt: new Date(Date.now() + 1000 * DAY).toISOString() },
      });

      expect(days.status).toBe(400);
      expect(days.body.error.message).toMatch(/policy/);
      expect(date.status).toBe(400);
    });

    it('should rotate with a grace period for the old secret', async () => {
      const res = await h.request('POST', `${T}/credentials/${id}/rotate`, { body: {} });
      secrets.push(res.body.secret);

      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.body.secret).not.toBe(secret);
      expect(res.body.connection.scimBaseUrl).toBe(`${origin}/scim/v2/${TENANT}/default`);
      expect(res.body.credential.secrets).toHaveLength(2);
      expect(res.body.credential.secrets[1].retiresAt).toEqual(expect.any(String));
      expect((await scimAs(secret)).status).toBe(200);
      expect((await scimAs(res.body.secret)).status).toBe(200);
      secret = res.body.secret;
    });

    it('should rotate a compromised secret with no grace', async () => {
      const res = await h.request('POST', `${T}/credentials/${id}/rotate`, { body: { compromised: true } });
      secrets.push(res.body.secret);

      expect(res.status).toBe(200);
      expect(res.body.credential.secrets).toHaveLength(1);
      expect((await scimAs(secret)).status).toBe(401);
      secret = res.body.secret;
    });

    it('should revoke and reactivate', async () => {
      const revoked = await h.request('POST', `${T}/credentials/${id}/revoke`);
      const refused = await scimAs(secret);
      const reactivated = await h.request('POST', `${T}/credentials/${id}/reactivate`, { body: {} });
      const accepted = await scimAs(secret);

      expect(revoked.status).toBe(200);
      expect(revoked.body.state).toBe('revoked');
      expect(refused.status).toBe(401);
      expect(reactivated.status).toBe(200);
      expect(reactivated.body.state).toBe('active');
      expect(accepted.status).toBe(200);
    });

    it('should bind, list, rebind and unbind', async () => {
      const bound = await issue({ kind: 'bearer', name: 'Alice token', boundAdminId: 'alice' });
      const cid = bound.body.credential.id;
      const ofAlice = await h.request('GET', `${T}/admins/alice/credentials`);
      const toBob = await h.request('POST', `${T}/credentials/${cid}/rebind`, {
        body: { boundAdminId: 'bob' },
      });
      const ofBob = await h.request('GET', `${T}/admins/bob/credentials`);
      const unbound = await h.request('POST', `${T}/credentials/${cid}/rebind`, {
        body: { boundAdminId: null },
      });
      const unknown = await h.request('POST', `${T}/credentials/${cid}/rebind`, {
        body: { boundAdminId: 'zed' },
      });

      expect(ofAlice.body.credentials.map((c: { id: string }) => c.id)).toEqual([cid]);
      expectNoSecrets(ofAlice.text);
      expect(toBob.status).toBe(200);
      expect(toBob.body.boundAdminId).toBe('bob');
      expect(ofBob.body.credentials.map((c: { id: string }) => c.id)).toEqual([cid]);
      expect(unbound.status).toBe(200);
      expect(unbound.body.boundAdminId).toBeUndefined();
      expect(unknown.status).toBe(404);
    });

    it('should stop a bound credential when its admin is deactivated, then removed', async () => {
      await h.request('POST', `${T}/admins`, { body: { id: 'carol', email: 'carol@example.com' } });
      const bound = await issue({ kind: 'bearer', name: 'Carol token', boundAdminId: 'carol' });
      const before = await scimAs(bound.body.secret);
      const deactivated = await h.request('POST', `${T}/admins/carol/deactivate`);
      const after = await scimAs(bound.body.secret);
      const removed = await h.request('DELETE', `${T}/admins/carol`);
      const gone = await h.request('GET', `${T}/admins/carol/credentials`);

      expect(before.status).toBe(200);
      expect(deactivated.status).toBe(200);
      expect(deactivated.body.status).toBe('deactivated');
      expect(after.status).toBe(401);
      expect(removed.status).toBe(204);
      expect(gone.status).toBe(404);
    });

    it('should delete a credential', async () => {
      const victim = await issue({ kind: 'basic', name: 'Short-lived' });
      const del = await h.request('DELETE', `${T}/credentials/${victim.body.credential.id}`);
      const show = await h.request('GET', `${T}/credentials/${victim.body.credential.id}`);

      expect(del.status).toBe(204);
      expect(show.status).toBe(404);
    });

    it('should list the audit trail newest first, by page and by credential', async () => {
      const all = await h.request('GET', `${T}/audit?limit=200`);
      const page1 = await h.request('GET', `${T}/audit?limit=3`);
      const page2 = await h.request(
        'GET',
        `${T}/audit?limit=3&before=${encodeURIComponent(page1.body.next)}`,
      );
      const ofOne = await h.request('GET', `${T}/audit?credentialId=${id}`);

      expect(all.status).toBe(200);
      const types = all.body.events.map((e: { type: string }) => e.type);
      expect(types).toEqual(
        expect.arrayContaining([
          'credential.created',
          'credential.updated',
          'credential.extended',
          'credential.rotated',
          'credential.revoked',
          'credential.reactivated',
          'credential.rebound',
          'credential.deleted',
        ]),
      );
      expect(all.body.events.filter((e: { type: string }) => e.type === 'credential.created')).toEqual(
        expect.arrayContaining([expect.objectContaining({ actor: 'admin-key' })]),
      );
      const ats = all.body.events.map((e: { at: string }) => e.at);
      expect([...ats].sort().reverse()).toEqual(ats);
      expect(page1.body.events).toHaveLength(3);
      expect(page1.body.next).toEqual(expect.any(String));
      expect(page2.body.events).toHaveLength(3);
      expect(page2.body.events.map((e: { id: string }) => e.id)).not.toContain(page1.body.events[0].id);
      expect(ofOne.body.events.length).toBeGreaterThanOrEqual(6);
      expect(ofOne.body.events.every((e: { credentialId?: string }) => e.credentialId === id)).toBe(true);
      expectNoSecrets(all.text);
    });

    it.each([['0'], ['201'], ['abc'], ['-1'], ['1.5']])(
      'should refuse audit limit=%s with 400',
      async (limit) => {
        const res = await h.request('GET', `${T}/audit?limit=${limit}`);

        expect(res.status).toBe(400);
        expect(res.body.error.message).toMatch(/'limit'/);
      },
    );

    it('should refuse an unknown audit query parameter with 400', async () => {
      const res = await h.request('GET', `${T}/audit?credentialid=x`);

      expect(res.status).toBe(400);
      expect(res.body.error.message).toMatch(/unknown query parameter 'credentialid'/);
    });
  });

  describe('bad input', () => {
    const huge = JSON.stringify({ kind: 'bearer', name: 'x', description: 'a'.repeat(300 * 1024) });

    it.each<
      [
        string,
        string,
        string,
        { body?: unknown; rawBody?: string; headers?: Record<string, string> },
        number,
        RegExp,
      ]
    >([
      [
        'unknown key',
        'POST',
        '/tenants',
        { body: { id: 'x1', name: 'X', extra: 1 } },
        400,
        /unknown field 'extra'/,
      ],
      [
        'nested unknown key',
        'POST',
        '/tenants',
        { body: { id: 'x1', name: 'X', policy: { reminders: { foo: 1 } } } },
        400,
        /unknown field 'policy\.reminders\.foo'/,
      ],
      [
        'prototype key',
        'POST',
        `${T}/credentials`,
        {
          rawBody: '{"kind":"bearer","name":"p","__proto__":{"admin":true}}',
          headers: { 'content-type': 'application/json' },
        },
        400,
        /unknown field '__proto__'/,
      ],
      ['wrong type', 'POST', '/tenants', { body: { id: 'x1', name: 5 } }, 400, /'name' must be a string/],
      ['missing field', 'POST', `${T}/credentials`, { body: { name: 'n' } }, 400, /'kind' is required/],
      [
        'unknown kind',
        'POST',
        `${T}/credentials`,
        { body: { kind: 'ssh', name: 'n' } },
        400,
        /'kind' must be one of/,
      ],
      [
        'unknown role',
        'POST',
        `${T}/credentials`,
        { body: { kind: 'bearer', name: 'n', roles: ['admin'] } },
        400,
        /'roles' must be a list of roles/,
      ],
      [
        'non-integer days',
        'POST',
        `${T}/credentials`,
        { body: { kind: 'bearer', name: 'n', lifetimeDays: 1.5 } },
        400,
        /'lifetimeDays' must be an integer/,
      ],
      [
        'date without zone',
        'POST',
        `${T}/credentials`,
        { body: { kind: 'bearer', name: 'n', expiresAt: '2030-01-01' } },
        400,
        /'expiresAt' must be an ISO 8601 date-time/,
      ],
      [
        'bad e-mail',
        'POST',
        `${T}/admins`,
        { body: { email: 'not-an-address' } },
        400,
        /'email' must be an e-mail address/,
      ],
      [
        'bad recipient',
        'PATCH',
        `${T}/policy`,
        { body: { reminders: { recipients: ['x'] } } },
        400,
        /'reminders\.recipients\[0\]'/,
      ],
      ['bad tenant id', 'POST', '/tenants', { body: { id: 'Bad Tenant!', name: 'B' } }, 400, /tenant id/],
      ['bad endpoint id', 'POST', `${T}/endpoints`, { body: { id: '-x' } }, 400, /endpoint id/],
      ['bad path id', 'GET', '/tenants/bad%20id', {}, 400, /'tenant'/],
      ['array body', 'POST', '/tenants', { body: [1, 2] }, 400, /^the request body must be a JSON object$/],
      ['string body', 'POST', `${T}/credentials`, { body: 'bearer' }, 400, /JSON object/],
      [
        'invalid JSON',
        'POST',
        '/tenants',
        { rawBody: '{"id": "x",', headers: { 'content-type': 'application/json' } },
        400,
        /not valid JSON/,
      ],
      [
        'wrong content type',
        'POST',
        '/tenants',
        { rawBody: 'id=x&name=y', headers: { 'content-type': 'application/x-www-form-urlencoded' } },
        400,
        /content type/,
      ],
      [
        'body on an action',
        'POST',
        `${T}/credentials/x/revoke`,
        { body: { now: true } },
        400,
        /unknown field 'now'/,
      ],
      [
        'missing rebind target',
        'POST',
        `${T}/credentials/x/rebind`,
        { body: {} },
        400,
        /'boundAdminId' is required/,
      ],
      [
        'huge body',
        'POST',
        `${T}/credentials`,
        { rawBody: huge, headers: { 'content-type': 'application/json' } },
        413,
        /exceeds 262144 bytes/,
      ],
    ])('should refuse %s', async (_label, method, path, options, status, message) => {
      const res = await h.request(method, path, options);

      expect(res.status).toBe(status);
      expect(res.headers.get('content-type')).toBe('application/json');
      expect(res.body).toEqual({ error: { status, message: expect.stringMatching(message) } });
    });
  });

  describe('authorisation', () => {
    it('should answer 401 with a Bearer challenge without a key', async () => {
      const res = await h.request('GET', '/tenants', { adminKey: null });

      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer realm="scimgate-admin"');
      expect(res.body).toEqual({ error: { status: 401, message: expect.any(String) } });
    });

    it.each([
      ['a wrong x-admin-key', { 'x-admin-key': 'wrong' }],
      ['a wrong bearer key', { authorization: 'Bearer wrong' }],
      ['a right key next to a wrong one', { 'x-admin-key': TEST_ADMIN_KEY, authorization: 'Bearer wrong' }],
      ['a Basic header', { authorization: `Basic ${Buffer.from(`x:${TEST_ADMIN_KEY}`).toString('base64')}` }],
      ['a SCIM token', { authorization: 'Bearer sgb_0000' }],
    ])('should answer 401 for %s', async (_label, headers) => {
      const res = await h.request('GET', '/tenants', { adminKey: null, headers });

      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer realm="scimgate-admin"/);
    });

    it('should accept the key as a bearer token', async () => {
      const res = await h.request('GET', '/tenants', {
        adminKey: null,
        headers: { authorization: `Bearer ${TEST_ADMIN_KEY}` },
      });

      expect(res.status).toBe(200);
    });

    it('should check the key before reading the body', async () => {
      const res = await h.request('POST', '/tenants', { adminKey: null, rawBody: '{not json' });

      expect(res.status).toBe(401);
    });

    it('should serve the OpenAPI document to authorised callers only', async () => {
      const anonymous = await h.request('GET', '/openapi.json', { adminKey: null });
      const res = await h.request('GET', '/openapi.json');

      expect(anonymous.status).toBe(401);
      expect(res.status).toBe(200);
      expect(res.body.openapi).toBe('3.1.0');
      expect(Object.keys(res.body.paths)).toContain('/tenants/{tenant}/credentials');
    });
  });

  describe('robustness', () => {
    const known = {
      kind: fc.constantFrom('bearer', 'oauth-client', 'basic', 'gateway', 'x'),
      name: fc.oneof(fc.string({ maxLength: 30 }), fc.jsonValue()),
      description: fc.oneof(fc.string({ maxLength: 30 }), fc.jsonValue()),
      roles: fc.oneof(
        fc.constantFrom('users', 'read-only', 'users-and-groups', 'nope'),
        fc.array(fc.constantFrom('users:read', 'users:write', 'groups:read', 'groups:write', 'x'), {
          maxLength: 5,
        }),
        fc.jsonValue(),
      ),
      allowedDomains: fc.oneof(
        fc.array(fc.constantFrom('example.com', 'EXAMPLE.org', '@x.io', 'not a domain', ''), {
          maxLength: 3,
        }),
        fc.jsonValue(),
      ),
      boundAdminId: fc.oneof(fc.constantFrom('alice', 'bob', 'zed', ''), fc.jsonValue()),
      endpointId: fc.oneof(fc.constantFrom('default', 'okta', 'nope'), fc.jsonValue()),
      expiresAt: fc.oneof(
        fc
          .date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true })
          .map((d) => d.toISOString()),
        fc.string({ maxLength: 25 }),
      ),
      lifetimeDays: fc.oneof(fc.integer({ min: -5, max: 5000 }), fc.double(), fc.jsonValue()),
      idleDays: fc.oneof(fc.integer({ min: -5, max: 5000 }), fc.jsonValue()),
      accessTokenTtlSeconds: fc.oneof(fc.integer({ min: 0, max: 30000 }), fc.jsonValue()),
      reminders: fc.oneof(
        fc.record(
          {
            recipients: fc.array(fc.constantFrom('a@example.com', 'x', ''), { maxLength: 3 }),
            leadDays: fc.integer({ min: -1, max: 400 }),
            frequency: fc.constantFrom('daily', 'weekly', 'monthly', 'hourly'),
            atExpiry: fc.boolean(),
            idleWarningDays: fc.integer({ min: -1, max: 100 }),
          },
          { requiredKeys: [] },
        ),
        fc.jsonValue(),
      ),
    };
    const bodies = fc.oneof(
      fc.record(known, { requiredKeys: [] }).map((b) => JSON.stringify(b)),
      fc.jsonValue().map((v) => JSON.stringify(v)),
      fc.json(),
      fc.string({ maxLength: 40 }),
    );

    it('should never answer 500 to arbitrary bodies on POST /credentials', async () => {
      await fc.assert(
        fc.asyncProperty(bodies, async (rawBody) => {
          const res = await h.request('POST', `${T}/credentials`, {
            rawBody,
            headers: { 'content-type': 'application/json' },
          });
          if (res.status === 201) secrets.push(res.body.secret);

          expect([201, 400, 404, 413]).toContain(res.status);
          expect(res.status === 201 ? res.body.secret : res.body.error.message).toEqual(expect.any(String));
        }),
        { numRuns: 200 },
      );
    });

    it('should never log a secret or an error', () => {
      const logged = JSON.stringify(h.logs);

      expect(h.logs.filter((l) => l.level === 'ERROR')).toEqual([]);
      for (const s of secrets) expect(logged).not.toContain(s);
    });
  });
});

describe('management API over HTTP (IAM)', () => {
  let h: ManagementHarness;
  const arn = 'arn:aws:sts::123456789012:assumed-role/ScimgateAdmin/alice';

  beforeAll(async () => {
    h = await startManagementHarness({ adminAuth: { mode: 'iam' } });
  });
  afterAll(async () => {
    await h.close();
  });

  it('should answer 401 without an IAM caller', async () => {
    const res = await h.request('GET', '/tenants');

    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="scimgate-admin"');
  });

  it('should ignore a caller header sent by the client', async () => {
    const res = await h.request('GET', '/tenants', { headers: { 'x-amzn-iam-caller': arn } });

    expect(res.status).toBe(401);
  });

  it('should ignore the admin key', async () => {
    const res = await h.request('GET', '/tenants', { adminKey: TEST_ADMIN_KEY });

    expect(res.status).toBe(401);
  });

  it("should answer 200 for the authorizer's caller and record it as the actor", async () => {
    const list = await h.request('GET', '/tenants', { headers: { [TEST_IAM_HEADER]: arn } });
    const created = await h.request('POST', '/tenants', {
      headers: { [TEST_IAM_HEADER]: arn },
      body: { id: 'iam-tenant', name: 'IAM' },
    });
    const audit = await h.request('GET', '/tenants/iam-tenant/audit', {
      headers: { [TEST_IAM_HEADER]: arn },
    });

    expect(list.status).toBe(200);
    expect(created.status).toBe(201);
    expect(audit.body.events).toEqual([expect.objectContaining({ type: 'tenant.created', actor: arn })]);
  });
});
