import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ScanCommand } from '../../shared/adapters/dynamodb/commands';
import { run } from '../../bin/cli';
import { CONSOLE_API_PREFIX, CONSOLE_ROUTES } from '../../shared/http/routes';
import { MIN_ROLE, type ConsoleAction } from '../../shared/domain/console-sessions';
import { cookieFrom, createSetupLink, exchange, signIn, type ConsoleClient } from '../support/console-client';
import {
  startManagementHarness,
  TEST_ADMIN_KEY,
  TestClock,
  type ManagementHarness,
} from '../support/management-harness';

const A = 'tenant-a';
const B = 'tenant-b';
const MINUTE = 60_000;

/** Every secret this file saw: none may appear in the audit log, a listing or a stored item. */
const secrets: string[] = [];

describe('console API: setup links, sessions, CSRF, roles, tenancy', () => {
  let h: ManagementHarness;
  let clock: TestClock;
  let owner: ConsoleClient;
  let admin: ConsoleClient;
  let viewer: ConsoleClient;
  let ownerB: ConsoleClient;

  beforeAll(async () => {
    clock = new TestClock();
    h = await startManagementHarness({ clock });
    for (const t of [A, B]) {
      const created = await h.request('POST', '/tenants', { body: { id: t, name: t } });
      if (created.status !== 201) throw new Error(`tenant ${t}: ${created.status}`);
    }
    owner = await signIn(h, A, 'olivia@a.example.com', 'owner');
    admin = await signIn(h, A, 'adam@a.example.com', 'admin');
    viewer = await signIn(h, A, 'vera@a.example.com', 'viewer');
    ownerB = await signIn(h, B, 'bob@b.example.com', 'owner');
  });
  afterAll(async () => {
    await h.close();
  });

  describe('setup links', () => {
    it('should create a single-use link for an admin, shown once and stored only as an HMAC', async () => {
      const res = await createSetupLink(h, A, {
        email: 'lena@a.example.com',
        role: 'admin',
        validMinutes: 10,
      });
      secrets.push(res.body.token);
      const items = await h.container.doc.send(new ScanCommand({ TableName: h.container.config.TABLE_NAME }));
      const stored = JSON.stringify(items.Items);

      expect(res.status).toBe(201);
      expect(res.body.token).toMatch(/^tenant-a\.scgl_[0-9A-Za-z]{49}$/);
      expect(res.body.url).toBe(`${h.server.origin}/console/#link=${res.body.token}`);
      expect(Date.parse(res.body.expiresAt) - clock.now().getTime()).toBe(10 * MINUTE);
      expect(res.body.admin).toMatchObject({ email: 'lena@a.example.com', role: 'admin', status: 'active' });
      expect(stored).toContain('#SETUPLINK#');
      expect(stored).not.toContain(res.body.token.split('.')[1]);
    });

    it('should create a link with the CLI that opens a session of the named role', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'scimgate-cli-'));
      writeFileSync(
        join(dir, 'local.json'),
        JSON.stringify({ adminUrl: `${h.server.origin}/admin/v1`, adminKey: TEST_ADMIN_KEY }),
      );
      const out: string[] = [];
      const io = () => ({
        stdout: { write: (t: string) => out.push(t) },
        stderr: { write: (t: string) => out.push(t) },
        env: { SCIMGATE_DATA_DIR: dir },
      });
      const args = ['setup-links', 'create', '-t', A, '--email', 'cli@a.example.com', '--role', 'viewer'];

      const human = await run([...args, '--minutes', '5'], io());
      const url = /(http:\S+#link=\S+)/.exec(out.join(''))?.[1] ?? '';
      const started = await exchange(h, url.split('#link=')[1] ?? '');
      secrets.push(url);
      const usage = await run(['setup-links', 'create', '-t', A], io());

      expect(human).toBe(0);
      expect(out.join('')).toContain('usable once');
      expect(started.status).toBe(201);
      expect(started.body.admin).toMatchObject({ email: 'cli@a.example.com', role: 'viewer' });
      expect(usage).toBe(2);
    });

    it('should refuse a link for an unknown admin id, a bad role or a too long validity', async () => {
      const unknown = await createSetupLink(h, A, { adminId: 'nobody' });
      const role = await createSetupLink(h, A, { email: 'x@a.example.com', role: 'root' });
      const long = await createSetupLink(h, A, { email: 'x@a.example.com', validMinutes: 100_000 });
      const both = await createSetupLink(h, A, { email: 'x@a.example.com', adminId: 'x' });

      expect([unknown.status, role.status, long.status, both.status]).toEqual([404, 400, 400, 400]);
      expect(role.body.error.message).toContain("'role' must be one of 'owner', 'admin', 'viewer'");
    });

    it('should start a session with an HttpOnly, SameSite=Strict cookie scoped to the console API', async () => {
      const link = await createSetupLink(h, A, { email: 'carl@a.example.com', role: 'viewer' });
      const res = await exchange(h, link.body.token);
      const setCookie = res.headers.get('set-cookie') ?? '';
      secrets.push(cookieFrom(res).split('=')[1] ?? '');

      expect(res.status).toBe(201);
      expect(setCookie).toMatch(/^scimgate_console=tenant-a\.scgs_[0-9A-Za-z]{49}; /);
      expect(setCookie).toContain('Path=/console/api');
      expect(setCookie).toContain('HttpOnly');
      expect(setCookie).toContain('SameSite=Strict');
      expect(setCookie).toMatch(/Max-Age=43\d{3}/);
      // Plain http on loopback is the local `npm start`; everywhere else the cookie is Secure.
      expect(setCookie).not.toContain('Secure');
      expect(res.body).toMatchObject({ tenantId: A, admin: { email: 'carl@a.example.com', role: 'viewer' } });
      expect(res.text).not.toContain(cookieFrom(res).split('=')[1]);
    });

    it('should mark the cookie Secure on an https origin', async () => {
      const link = await createSetupLink(h, A, { email: 'carl@a.example.com' });
      const res = await exchange(h, link.body.token, { 'x-forwarded-proto': 'https' });

      expect(res.headers.get('set-cookie')).toContain('; Secure');
    });

    it('should refuse a reused, an expired, a forged and a malformed link with one message', async () => {
      const used = await createSetupLink(h, A, { email: 'carl@a.example.com' });
      await exchange(h, used.body.token);
      const expired = await createSetupLink(h, A, { email: 'carl@a.example.com', validMinutes: 5 });
      clock.advanceDays(6 / (24 * 60));
      const forged = `${A}.${used.body.token.split('.')[1].slice(0, 5)}${'A'.repeat(49)}`;
      const otherTenant = `${B}.${used.body.token.split('.')[1]}`;

      const answers = await Promise.all(
        [used.body.token, expired.body.token, forged, otherTenant, 'nonsense', ''].map((t) => exchange(h, t)),
      );

      expect(answers.map((r) => r.status)).toEqual([401, 401, 401, 401, 401, 400]);
      for (const r of answers.slice(0, 5)) expect(r.body.error.message).toContain('ask for a new one');
      for (const r of answers) expect(r.headers.get('set-cookie')).toBeNull();
    });

    it('should let exactly one of many parallel exchanges of one link win', async () => {
      const link = await createSetupLink(h, A, { email: 'carl@a.example.com' });

      const answers = await Promise.all(Array.from({ length: 8 }, () => exchange(h, link.body.token)));

      expect(answers.filter((r) => r.status === 201)).toHaveLength(1);
      expect(answers.filter((r) => r.status === 401)).toHaveLength(7);
    });
  });

  describe('CSRF', () => {
    it('should refuse a write without the CSRF token, with a wrong one, or with another session’s', async () => {
      const body = { kind: 'bearer', name: 'csrf' };
      const none = await admin.request('POST', '/credentials', { body, csrf: null });
      const wrong = await admin.request('POST', '/credentials', { body, csrf: 'x'.repeat(43) });
      const others = await admin.request('POST', '/credentials', { body, csrf: owner.csrf });
      const list = await admin.request('GET', '/credentials');

      expect([none.status, wrong.status, others.status]).toEqual([403, 403, 403]);
      expect(none.body.error.message).toContain('CSRF');
      expect(list.body.credentials.filter((c: { name: string }) => c.name === 'csrf')).toHaveLength(0);
    });

    it('should refuse a write sent as a form (text/plain) even with the token', async () => {
      const res = await admin.request('POST', '/credentials', {
        body: { kind: 'bearer', name: 'form' },
        headers: { 'content-type': 'text/plain' },
      });

      expect(res.status).toBe(415);
    });
  });

  describe('credentials in the console', () => {
    it('should issue a credential bound to the admin, audited with the admin as actor', async () => {
      const res = await admin.request('POST', '/credentials', {
        body: { kind: 'oauth-client', name: 'Entra', roles: 'users', allowedDomains: ['a.example.com'] },
      });
      secrets.push(res.body.secret);
      const audit = await admin.request('GET', `/audit?credentialId=${res.body.credential.id}`);

      expect(res.status).toBe(201);
      expect(res.body.credential).toMatchObject({ kind: 'oauth-client', boundAdminId: admin.adminId });
      expect(res.body.connection).toMatchObject({
        scimBaseUrl: `${h.server.origin}/scim/v2/${A}/default`,
        tokenEndpoint: `${h.server.origin}/oauth/${A}/token`,
      });
      expect(audit.body.events[0]).toMatchObject({
        type: 'credential.created',
        actor: `admin:${admin.adminId}`,
      });
    });

    it('should leave a credential unbound when asked', async () => {
      const res = await admin.request('POST', '/credentials', {
        body: { kind: 'bearer', name: 'unbound', bindToMe: false },
      });
      secrets.push(res.body.secret);

      expect(res.status).toBe(201);
      expect(res.body.credential.boundAdminId).toBeUndefined();
    });

    it('should generate an integration token for an endpoint and regenerate it (old one refused at once)', async () => {
      const first = await admin.request('POST', '/endpoints/default/token', { body: {} });
      const second = await admin.request('POST', '/endpoints/default/token', { body: {} });
      secrets.push(first.body.secret, second.body.secret);
      const oldAnswer = await h.request('GET', `/scim/v2/${A}/default/Users`, {
        adminKey: null,
        headers: { authorization: `Bearer ${first.body.secret}` },
      });
      const newAnswer = await h.request('GET', `/scim/v2/${A}/default/Users`, {
        adminKey: null,
        headers: { authorization: `Bearer ${second.body.secret}` },
      });

      expect(first.status).toBe(201);
      expect(first.body).toMatchObject({
        regenerated: false,
        credential: { kind: 'gateway', endpoints: ['default'] },
      });
      expect(second.status).toBe(200);
      expect(second.body).toMatchObject({ regenerated: true, credential: { id: first.body.credential.id } });
      expect([oldAnswer.status, newAnswer.status]).toEqual([401, 200]);
    });

    it('should test a connection the way Entra does and say what happened', async () => {
      const bearer = await admin.request('POST', '/credentials', { body: { kind: 'bearer', name: 'probe' } });
      const oauth = await admin.request('POST', '/credentials', {
        body: { kind: 'oauth-client', name: 'probe2' },
      });
      secrets.push(bearer.body.secret, oauth.body.secret);
      const test = (auth: unknown) =>
        viewer.request('POST', '/test-connection', { body: { endpointId: 'default', auth } });

      const good = await test({ type: 'bearer', token: bearer.body.secret });
      const viaOauth = await test({
        type: 'oauth',
        clientId: oauth.body.connection.clientId,
        clientSecret: oauth.body.secret,
      });
      const bad = await test({ type: 'bearer', token: 'wrong' });
      const otherTenant = await ownerB.request('POST', '/test-connection', {
        body: { endpointId: 'default', auth: { type: 'bearer', token: bearer.body.secret } },
      });

      expect(good.body).toMatchObject({ ok: true, steps: [{ status: 200 }] });
      expect(good.body.summary).toContain('Connection works');
      expect(viaOauth.body).toMatchObject({ ok: true, steps: [{ status: 200 }, { status: 200 }] });
      expect(bad.body).toMatchObject({ ok: false, steps: [{ status: 401 }] });
      expect(bad.body.summary).toContain('refused');
      expect(otherTenant.body).toMatchObject({ ok: false, steps: [{ status: 401 }] });
    });

    it('should show tenant values for setup guides: endpoints with SCIM and bookmark URLs', async () => {
      const res = await viewer.request('GET', '/tenant');

      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        id: A,
        tokenEndpoint: `${h.server.origin}/oauth/${A}/token`,
        endpoints: [
          {
            id: 'default',
            scimBaseUrl: `${h.server.origin}/scim/v2/${A}/default`,
            bookmarkUrl: `${h.server.origin}/console/#/integrations/default`,
          },
        ],
      });
    });

    it("should give the configured application URL as the bookmark URL: the endpoint's, else the tenant's", async () => {
      const tenantUrl = 'https://app.a.example.com/login';
      expect(
        (await h.request('PATCH', `/tenants/${A}`, { body: { applicationUrl: tenantUrl } })).status,
      ).toBe(200);
      const created = await owner.request('POST', '/endpoints', {
        body: { id: 'bookmarked', applicationUrl: 'https://hr.a.example.com/sso' },
      });
      expect(created.status).toBe(201);
      expect(
        (
          await owner.request('POST', '/endpoints', {
            body: { id: 'bad-url', applicationUrl: 'http://a.example.com' },
          })
        ).status,
      ).toBe(400);
      const endpoints = (await viewer.request('GET', '/tenant')).body.endpoints as {
        id: string;
        bookmarkUrl: string;
      }[];
      expect(Object.fromEntries(endpoints.map((e) => [e.id, e.bookmarkUrl]))).toEqual({
        default: tenantUrl,
        bookmarked: 'https://hr.a.example.com/sso',
      });
      // Removed again: the console's page of the endpoint.
      expect((await h.request('PATCH', `/tenants/${A}`, { body: { applicationUrl: null } })).status).toBe(
        200,
      );
      const after = (await viewer.request('GET', '/tenant')).body.endpoints as {
        id: string;
        bookmarkUrl: string;
      }[];
      expect(after.find((e) => e.id === 'default')?.bookmarkUrl).toBe(
        `${h.server.origin}/console/#/integrations/default`,
      );
    });

    it("should let an owner set and clear the tenant's application URL, and an admin an endpoint's, audited as them", async () => {
      const tenantUrl = 'https://app.a.example.com/start';
      const set = await owner.request('PATCH', '/tenant', { body: { applicationUrl: tenantUrl } });
      const operatorView = await h.request('GET', `/tenants/${A}`);
      const endpoint = await admin.request('PATCH', '/endpoints/default', {
        body: { applicationUrl: 'https://default.a.example.com/' },
      });
      const cleared = await admin.request('PATCH', '/endpoints/default', { body: { applicationUrl: null } });
      const unknown = await admin.request('PATCH', '/endpoints/nowhere', {
        body: { applicationUrl: tenantUrl },
      });
      const audit = await owner.request('GET', '/audit?limit=20');

      expect(set.status).toBe(200);
      expect(set.body.applicationUrl).toBe(tenantUrl);
      expect(set.body.endpoints.find((e: { id: string }) => e.id === 'default')).toMatchObject({
        bookmarkUrl: tenantUrl,
      });
      expect(operatorView.body.applicationUrl).toBe(tenantUrl);
      expect(endpoint.status).toBe(200);
      expect(endpoint.body).toEqual({
        id: 'default',
        name: expect.any(String),
        scimBaseUrl: `${h.server.origin}/scim/v2/${A}/default`,
        applicationUrl: 'https://default.a.example.com/',
        bookmarkUrl: 'https://default.a.example.com/',
      });
      // The endpoint's own URL removed: the tenant's applies again.
      expect(cleared.status).toBe(200);
      expect(cleared.body).not.toHaveProperty('applicationUrl');
      expect(cleared.body.bookmarkUrl).toBe(tenantUrl);
      expect(unknown.status).toBe(404);
      // Audited with the admin as the actor (one clock instant here: compared as a set, not in order).
      const byAdmins = audit.body.events
        .filter((e: { actor: string }) => e.actor.startsWith('admin:'))
        .filter((e: { type: string }) => ['tenant.updated', 'endpoint.updated'].includes(e.type))
        .map((e: { type: string; actor: string }) => `${e.type} by ${e.actor}`)
        .sort();
      expect(byAdmins).toEqual([
        `endpoint.updated by admin:${admin.adminId}`,
        `endpoint.updated by admin:${admin.adminId}`,
        `tenant.updated by admin:${owner.adminId}`,
      ]);

      const removed = await owner.request('PATCH', '/tenant', { body: { applicationUrl: null } });
      expect(removed.status).toBe(200);
      expect(removed.body).not.toHaveProperty('applicationUrl');
      expect((await h.request('GET', `/tenants/${A}`)).body).not.toHaveProperty('applicationUrl');
    });

    it("should refuse a bad application URL with the management API's 400 and message, and change nothing", async () => {
      for (const applicationUrl of ['http://app.a.example.com/', 'javascript:alert(1)', 'not a url', 42]) {
        const operator = await h.request('PATCH', `/tenants/${A}`, { body: { applicationUrl } });
        const tenant = await owner.request('PATCH', '/tenant', { body: { applicationUrl } });
        const endpoint = await admin.request('PATCH', '/endpoints/default', { body: { applicationUrl } });

        expect([operator.status, tenant.status, endpoint.status]).toEqual([400, 400, 400]);
        expect(tenant.body.error.message).toBe(operator.body.error.message);
        expect(endpoint.body.error.message).toBe(operator.body.error.message);
      }
      const extra = await owner.request('PATCH', '/tenant', {
        body: { applicationUrl: 'https://app.a.example.com/', name: 'renamed' },
      });
      const missing = await owner.request('PATCH', '/tenant', { body: {} });
      const after = await viewer.request('GET', '/tenant');

      expect([extra.status, missing.status]).toEqual([400, 400]);
      expect(after.body).not.toHaveProperty('applicationUrl');
      expect(after.body.name).toBe(A);
      expect(after.body.endpoints.find((e: { id: string }) => e.id === 'default')).not.toHaveProperty(
        'applicationUrl',
      );
    });

    it('should never put a secret, a link token or a session cookie in the audit log', async () => {
      const audit = await owner.request('GET', '/audit?limit=200');

      expect(audit.status).toBe(200);
      expect(audit.body.events.length).toBeGreaterThan(10);
      for (const s of [...secrets, owner.cookie.split('=')[1] ?? '']) expect(audit.text).not.toContain(s);
      expect(audit.text).not.toMatch(/scg[a-z]_[0-9A-Za-z]{20}/);
    });
  });

  describe('roles, action by action', () => {
    /** One request per console route (but sign-in/out), with the action it needs. */
    async function cases(): Promise<
      { name: string; action: ConsoleAction; run: (c: ConsoleClient) => Promise<number> }[]
    > {
      const made = await owner.request('POST', '/credentials', {
        body: { kind: 'bearer', name: 'role target' },
      });
      secrets.push(made.body.secret);
      const id = made.body.credential.id as string;
      const call = (method: string, path: string, body?: unknown) => async (c: ConsoleClient) =>
        (await c.request(method, path, body === undefined ? {} : { body })).status;
      return [
        { name: 'GET /session', action: 'read', run: call('GET', '/session') },
        { name: 'GET /tenant', action: 'read', run: call('GET', '/tenant') },
        { name: 'GET /credentials', action: 'read', run: call('GET', '/credentials') },
        { name: 'GET /credentials/{id}', action: 'read', run: call('GET', `/credentials/${id}`) },
        {
          name: 'GET /credentials/{id}/requests',
          action: 'read',
          run: call('GET', `/credentials/${id}/requests`),
        },
        { name: 'GET /audit', action: 'read', run: call('GET', '/audit') },
        { name: 'GET /events', action: 'read', run: call('GET', '/events') },
        { name: 'GET /policy', action: 'read', run: call('GET', '/policy') },
        {
          name: 'POST /test-connection',
          action: 'read',
          run: call('POST', '/test-connection', {
            endpointId: 'default',
            auth: { type: 'bearer', token: 'x' },
          }),
        },
        {
          name: 'POST /credentials',
          action: 'credentials.write',
          run: call('POST', '/credentials', { kind: 'bearer', name: 'r' }),
        },
        {
          name: 'PATCH /credentials/{id}',
          action: 'credentials.write',
          run: call('PATCH', `/credentials/${id}`, { description: 'd' }),
        },
        {
          name: 'POST extend',
          action: 'credentials.write',
          run: call('POST', `/credentials/${id}/extend`, { days: 10 }),
        },
        {
          name: 'POST rotate',
          action: 'credentials.write',
          run: call('POST', `/credentials/${id}/rotate`, {}),
        },
        {
          name: 'POST revoke',
          action: 'credentials.write',
          run: call('POST', `/credentials/${id}/revoke`, {}),
        },
        {
          name: 'POST reactivate',
          action: 'credentials.write',
          run: call('POST', `/credentials/${id}/reactivate`, {}),
        },
        {
          name: 'POST /endpoints',
          action: 'endpoints.write',
          run: call('POST', '/endpoints', { id: `e-${Date.now()}` }),
        },
        {
          name: 'PATCH /endpoints/{id}',
          action: 'endpoints.write',
          run: call('PATCH', '/endpoints/default', { applicationUrl: 'https://roles.a.example.com/' }),
        },
        {
          name: 'PATCH /tenant',
          action: 'tenant.write',
          run: call('PATCH', '/tenant', { applicationUrl: 'https://roles.a.example.com/' }),
        },
        {
          name: 'POST /endpoints/{id}/token',
          action: 'endpoints.write',
          run: call('POST', '/endpoints/default/token', {}),
        },
        { name: 'PATCH /policy', action: 'policy.write', run: call('PATCH', '/policy', { idleDays: 40 }) },
        { name: 'GET /admins', action: 'admins.read', run: call('GET', '/admins') },
        {
          name: 'POST /admins/setup-links',
          action: 'admins.write',
          run: call('POST', '/admins/setup-links', { email: 'new@a.example.com', role: 'viewer' }),
        },
        {
          name: 'POST /admins/{id}/deactivate',
          action: 'admins.write',
          run: call('POST', '/admins/nobody/deactivate', {}),
        },
        {
          name: 'DELETE /credentials/{id}',
          action: 'credentials.write',
          run: call('DELETE', `/credentials/${id}`),
        },
      ];
    }

    it('should cover every console route in the role table', async () => {
      const named = (await cases()).map((c) => c.name);
      // Sign-in and sign-out need no role; every other route is in the table above.
      expect(CONSOLE_ROUTES.length - 2).toBe(named.length);
    });

    it.each(['viewer', 'admin', 'owner'] as const)(
      'should allow a %s exactly the actions of its role',
      async (role) => {
        const client = { viewer, admin, owner }[role];
        const rank = { viewer: 0, admin: 1, owner: 2 };
        const outcome = (allowed: boolean, status: number) =>
          // Allowed: done, or 404 for the deliberately unknown admin; refused: 403.
          allowed ? (status < 400 || status === 404 ? 'done' : `failed ${status}`) : `refused ${status}`;
        const got: Record<string, string> = {};
        const want: Record<string, string> = {};
        for (const c of await cases()) {
          const allowed = rank[role] >= rank[MIN_ROLE[c.action]];
          got[c.name] = outcome(allowed, await c.run(client));
          want[c.name] = allowed ? 'done' : 'refused 403';
        }

        expect(got).toEqual(want);
      },
    );
  });

  describe('tenancy', () => {
    it("should never show or touch another tenant's credentials, whatever the route", async () => {
      const theirs = await ownerB.request('POST', '/credentials', {
        body: { kind: 'bearer', name: 'B only' },
      });
      secrets.push(theirs.body.secret);
      const id = theirs.body.credential.id as string;
      const list = await owner.request('GET', '/credentials');
      const attempts = await Promise.all([
        owner.request('GET', `/credentials/${id}`),
        owner.request('PATCH', `/credentials/${id}`, { body: { name: 'hijacked' } }),
        owner.request('POST', `/credentials/${id}/extend`, { body: { days: 5 } }),
        owner.request('POST', `/credentials/${id}/rotate`, { body: {} }),
        owner.request('POST', `/credentials/${id}/revoke`, { body: {} }),
        owner.request('POST', `/credentials/${id}/reactivate`, { body: {} }),
        owner.request('DELETE', `/credentials/${id}`),
        owner.request('GET', `/audit?credentialId=${id}`),
        owner.request('GET', `/credentials/${id}/requests`),
      ]);
      const after = await ownerB.request('GET', `/credentials/${id}`);

      expect(list.body.credentials.map((c: { tenantId: string }) => c.tenantId)).not.toContain(B);
      expect(attempts.map((r) => r.status)).toEqual([404, 404, 404, 404, 404, 404, 404, 200, 404]);
      expect(attempts[7]!.body.events).toEqual([]);
      expect(after.body).toMatchObject({ name: 'B only', state: 'active', version: 1 });
    });

    it("should set only the session's own tenant's application URL, and no other tenant's endpoint", async () => {
      const theirs = await ownerB.request('POST', '/endpoints', {
        body: { id: 'b-only', applicationUrl: 'https://b.example.com/hr' },
      });
      expect(theirs.status).toBe(201);
      const before = (await owner.request('GET', '/tenant')).body;
      const attempts = await Promise.all([
        owner.request('PATCH', '/endpoints/b-only', {
          body: { applicationUrl: 'https://evil.example.com/' },
        }),
        owner.request('PATCH', '/endpoints/b-only', { body: { applicationUrl: null } }),
      ]);
      const own = await ownerB.request('PATCH', '/tenant', {
        body: { applicationUrl: 'https://b.example.com/' },
      });
      const endpointsB = await h.request('GET', `/tenants/${B}/endpoints`);
      const after = (await owner.request('GET', '/tenant')).body;

      expect(attempts.map((r) => r.status)).toEqual([404, 404]);
      expect(own.status).toBe(200);
      expect(own.body).toMatchObject({ id: B, applicationUrl: 'https://b.example.com/' });
      expect(endpointsB.body.endpoints.find((e: { id: string }) => e.id === 'b-only')?.applicationUrl).toBe(
        'https://b.example.com/hr',
      );
      // Tenant A's URL and endpoints are as they were (the role tests above set them through A's own sessions).
      expect(after).toEqual(before);
      expect(after.applicationUrl).not.toBe('https://b.example.com/');
    });

    it("should keep every session-scoped read to the session's tenant", async () => {
      const mine = await Promise.all(
        ['/tenant', '/policy', '/admins', '/audit'].map((p) => owner.request('GET', p)),
      );
      const theirs = await Promise.all(
        ['/tenant', '/policy', '/admins', '/audit'].map((p) => ownerB.request('GET', p)),
      );

      expect(mine[0]!.body.id).toBe(A);
      // The role tests above changed tenant A's policy through A's owner; B's is untouched.
      expect(mine[1]!.body.idleDays).toBe(40);
      expect(theirs[1]!.body.idleDays).toBe(30);
      expect(theirs[0]!.body.id).toBe(B);
      expect(mine[2]!.body.admins.every((a: { tenantId: string }) => a.tenantId === A)).toBe(true);
      expect(theirs[2]!.body.admins.every((a: { tenantId: string }) => a.tenantId === B)).toBe(true);
      expect(theirs[3]!.body.events.every((e: { tenantId: string }) => e.tenantId === B)).toBe(true);
    });

    it('should offer no route that names a tenant', () => {
      for (const [, path] of CONSOLE_ROUTES) expect(`${CONSOLE_API_PREFIX}${path}`).not.toContain('{tenant}');
    });
  });
  // Moves the clock by hours: last, so the sessions above stay within their idle window.
  describe('sessions', () => {
    it('should end a session after the idle window and keep it while used', async () => {
      const s = await signIn(h, A, 'idle@a.example.com', 'viewer');
      clock.advanceDays(20 / (24 * 60));
      const used = await s.request('GET', '/session');
      clock.advanceDays(20 / (24 * 60));
      const stillAlive = await s.request('GET', '/session');
      clock.advanceDays(31 / (24 * 60));
      const idle = await s.request('GET', '/session');

      expect([used.status, stillAlive.status, idle.status]).toEqual([200, 200, 401]);
      expect(idle.body.error.message).toContain('session has ended');
    });

    it('should end a session at its absolute expiry even while used', async () => {
      const s = await signIn(h, A, 'long@a.example.com', 'viewer');
      const statuses: number[] = [];
      for (let i = 0; i < 25; i++) {
        clock.advanceDays(29 / (24 * 60));
        statuses.push((await s.request('GET', '/session')).status);
      }

      expect(statuses.slice(0, 24)).toEqual(Array(24).fill(200));
      expect(statuses[24]).toBe(401);
    });

    it('should end the session on sign-out', async () => {
      const s = await signIn(h, A, 'leaving@a.example.com', 'viewer');
      const out = await s.request('DELETE', '/session');
      const after = await s.request('GET', '/session');

      expect(out.status).toBe(204);
      expect(out.headers.get('set-cookie')).toContain('Max-Age=0');
      expect(after.status).toBe(401);
    });

    it('should end every session of an admin when the admin is deactivated', async () => {
      const s1 = await signIn(h, A, 'gone@a.example.com', 'admin');
      const s2 = await signIn(h, A, 'gone@a.example.com', 'admin');
      const deactivated = await h.request('POST', `/tenants/${A}/admins/${s1.adminId}/deactivate`);
      const [r1, r2] = await Promise.all([
        s1.request('GET', '/credentials'),
        s2.request('GET', '/credentials'),
      ]);
      const relink = await createSetupLink(h, A, { adminId: s1.adminId });

      expect(deactivated.status).toBe(200);
      expect([r1.status, r2.status]).toEqual([401, 401]);
      expect(r1.body.error.message).toContain('no longer active');
      expect(relink.status).toBe(400);
    });

    it('should refuse a request without a cookie, with a forged one, or with another tenant in it', async () => {
      const secret = owner.cookie.split('.')[1];
      const none = await owner.request('GET', '/credentials', { cookie: null });
      const forged = await owner.request('GET', '/credentials', {
        cookie: `scimgate_console=${A}.scgs_${'A'.repeat(49)}`,
      });
      const moved = await owner.request('GET', '/credentials', { cookie: `scimgate_console=${B}.${secret}` });

      expect([none.status, forged.status, moved.status]).toEqual([401, 401, 401]);
    });
  });
});
