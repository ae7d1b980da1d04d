/**
 * The CLI against a fake management server (node:http on 127.0.0.1:0) that records each request and answers canned
 * JSON: the CLI runs in-process (`run(argv, io)`), finds the server through local.json in a temporary data dir,
 * and must send the right method, path, body and x-admin-key, and print the right things.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../../bin/cli';
import { SECRET_WARNING } from '../../bin/render';
import type { AuditEvent, CredentialView, IssuedCredential } from '../../shared/domain/credential-model';
import { expectedSignature, parseAuthorization } from '../unit/cli/sigv4-reference';

interface Recorded {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

interface Canned {
  status: number;
  body?: unknown;
}

const ADMIN_KEY = 'local-admin-key-0123456789abcdef0123456789';
const NOW = new Date('2026-01-01T00:00:00Z');
const SECRET = 'scgb_' + 'x'.repeat(43) + 'CHECK1';
const NEW_SECRET = 'scgb_' + 'y'.repeat(43) + 'CHECK2';

let server: Server;
let origin: string;
let dataDir: string;
let recorded: Recorded[] = [];
/** `METHOD /path?query` → answer; anything else is a 404 in the management API's error shape. */
let routes: Record<string, Canned> = {};

function credential(overrides: Partial<CredentialView> = {}): CredentialView {
  return {
    id: 'c1',
    tenantId: 'acme',
    kind: 'bearer',
    name: 'Okta production',
    description: '',
    roles: ['users:read', 'users:write'],
    allowedDomains: ['acme.com'],
    adminActive: true,
    endpoints: ['*'],
    status: 'active',
    state: 'active',
    createdAt: '2026-01-01T00:00:00.000Z',
    expiresAt: '2026-04-01T00:00:00.000Z',
    secretCreatedAt: '2026-01-01T00:00:00.000Z',
    idleDays: 30,
    activeSince: '2026-01-01T00:00:00.000Z',
    secrets: [{ id: 's1', hint: 'scgb_…ECK1', createdAt: '2026-01-01T00:00:00.000Z' }],
    series: 1,
    version: 1,
    ...overrides,
  };
}

function issued(secret: string, overrides: Partial<CredentialView> = {}): IssuedCredential {
  return {
    credential: credential(overrides),
    secret,
    connection: { scimBaseUrl: `${origin}/scim/v2/acme/default` },
  };
}

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const entry: Recorded = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      recorded.push(entry);
      const canned = routes[`${entry.method} ${entry.url}`] ?? {
        status: 404,
        body: { error: { status: 404, message: `nothing at ${entry.url.split('?')[0]}` } },
      };
      if (canned.body === undefined) {
        res.writeHead(canned.status).end();
        return;
      }
      res.writeHead(canned.status, { 'content-type': 'application/json' }).end(JSON.stringify(canned.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  dataDir = mkdtempSync(join(tmpdir(), 'scimgate-cli-http-'));
  writeFileSync(
    join(dataDir, 'local.json'),
    JSON.stringify({
      scimBaseUrl: `${origin}/scim/v2/dev/default`,
      adminUrl: `${origin}/admin/v1`,
      adminKey: ADMIN_KEY,
    }),
  );
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(dataDir, { recursive: true, force: true });
});

beforeEach(() => {
  recorded = [];
  routes = {};
});

async function cli(
  argv: string[],
  env: Record<string, string> = {},
  extra: Partial<Parameters<typeof run>[1]> = {},
) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await run(argv, {
    stdout: { write: (s: string) => out.push(s) },
    stderr: { write: (s: string) => err.push(s) },
    env: { SCIMGATE_DATA_DIR: dataDir, ...env },
    cwd: '/',
    now: () => NOW,
    ...extra,
  });
  return { code, stdout: out.join(''), stderr: err.join('') };
}

const count = (text: string, part: string): number => text.split(part).length - 1;
const only = (): Recorded => {
  expect(recorded).toHaveLength(1);
  return recorded[0] as Recorded;
};

describe('scimgate CLI against a management server', () => {
  it('credentials create: POSTs the issue body with the admin key and prints the secret exactly once', async () => {
    routes['POST /admin/v1/tenants/acme/credentials'] = { status: 201, body: issued(SECRET) };
    const r = await cli([
      'credentials',
      'create',
      '--tenant',
      'acme',
      '--kind',
      'bearer',
      '--name',
      'Okta production',
      '--roles',
      'users',
      '--domains',
      'acme.com',
      '--days',
      '90',
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const req = only();
    expect(req.method).toBe('POST');
    expect(req.url).toBe('/admin/v1/tenants/acme/credentials');
    expect(req.headers['x-admin-key']).toBe(ADMIN_KEY);
    expect(req.headers['content-type']).toBe('application/json');
    expect(req.headers.authorization).toBeUndefined();
    expect(JSON.parse(req.body)).toEqual({
      kind: 'bearer',
      name: 'Okta production',
      roles: 'users',
      allowedDomains: ['acme.com'],
      lifetimeDays: 90,
    });
    expect(count(r.stdout, SECRET)).toBe(1);
    expect(r.stdout).toContain(SECRET_WARNING);
    expect(r.stdout).toContain('Created bearer credential "Okta production" (c1) in tenant acme.');
    expect(r.stdout).toMatch(new RegExp(`SCIM base URL \\(Tenant URL\\):\\s+${origin}/scim/v2/acme/default`));
    expect(r.stdout).toContain('Expires 2026-04-01 00:00Z (in 90d)');
  });

  it('credentials create --json: the raw answer, valid JSON, secret once', async () => {
    const body = issued(SECRET, { kind: 'gateway', endpoints: ['hr'] });
    routes['POST /admin/v1/tenants/acme/credentials'] = { status: 201, body };
    const r = await cli(
      [
        'credentials',
        'create',
        '--kind',
        'gateway',
        '--name',
        'HR',
        '--endpoint',
        'hr',
        '--admin',
        'alice',
        '--json',
      ],
      { SCIMGATE_TENANT: 'acme' },
    );
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(body);
    expect(count(r.stdout, SECRET)).toBe(1);
    expect(JSON.parse(only().body)).toEqual({
      kind: 'gateway',
      name: 'HR',
      endpointId: 'hr',
      boundAdminId: 'alice',
    });
  });

  it('credentials rotate --compromised: sends the flag and prints only the new secret', async () => {
    routes['POST /admin/v1/tenants/acme/credentials/c1/rotate'] = { status: 200, body: issued(NEW_SECRET) };
    const r = await cli(['credentials', 'rotate', 'c1', '-t', 'acme', '--compromised']);
    expect(r.code).toBe(0);
    expect(JSON.parse(only().body)).toEqual({ compromised: true });
    expect(count(r.stdout, NEW_SECRET)).toBe(1);
    expect(r.stdout).not.toContain(SECRET);
    expect(r.stdout).toContain('The previous secret has stopped working.');
  });

  it('credentials list: a table of the listed credentials', async () => {
    routes['GET /admin/v1/tenants/acme/credentials'] = {
      status: 200,
      body: {
        credentials: [
          credential(),
          credential({
            id: 'c2',
            name: 'Entra',
            kind: 'oauth-client',
            state: 'revoked',
            lastUsedAt: '2025-12-31T21:00:00Z',
            boundAdminId: 'alice',
            adminActive: false,
          }),
        ],
      },
    };
    const r = await cli(['credentials', 'list', '-t', 'acme']);
    expect(r.code).toBe(0);
    expect(only().method).toBe('GET');
    expect(r.stdout.split('\n')).toEqual([
      'ID  NAME             KIND          STATE                EXPIRES              LAST USED  ENDPOINTS  ADMIN',
      'c1  Okta production  bearer        active               2026-04-01 (in 90d)  never      all        -',
      'c2  Entra            oauth-client  revoked (admin off)  2026-04-01 (in 90d)  3h ago     all        alice',
      '',
    ]);
  });

  it('credentials show: details with secret hints only', async () => {
    routes['GET /admin/v1/tenants/acme/credentials/c1'] = {
      status: 200,
      body: credential({
        lastUsedAt: '2025-12-31T00:00:00Z',
        lastUsedIp: '203.0.113.9',
        lastUsedUserAgent: 'Okta SCIM Client 1.0',
      }),
    };
    const r = await cli(['credentials', 'show', 'c1', '-t', 'acme']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Last user agent:\s+Okta SCIM Client 1\.0/);
    expect(r.stdout).toMatch(/Allowed domains:\s+acme\.com/);
    expect(r.stdout).toContain('scgb_…ECK1');
  });

  it.each<[string[], string, string, unknown, Canned]>([
    [['tenants', 'list'], 'GET', '/admin/v1/tenants', undefined, { status: 200, body: { tenants: [] } }],
    [
      ['tenants', 'create', 'acme', '--name', 'Acme', '--set', 'idleDays=14'],
      'POST',
      '/admin/v1/tenants',
      { id: 'acme', name: 'Acme', policy: { idleDays: 14 } },
      { status: 201, body: { id: 'acme', name: 'Acme', createdAt: '2026-01-01T00:00:00Z' } },
    ],
    [
      [
        'tenants',
        'policy',
        'acme',
        '--set',
        'reminders.recipients=sec@acme.com',
        '--set',
        'maxLifetimeDays=90',
      ],
      'PATCH',
      '/admin/v1/tenants/acme/policy',
      { reminders: { recipients: ['sec@acme.com'] }, maxLifetimeDays: 90 },
      { status: 200, body: { maxLifetimeDays: 90 } },
    ],
    [
      ['endpoints', 'delete', 'hr', '-t', 'acme'],
      'DELETE',
      '/admin/v1/tenants/acme/endpoints/hr',
      undefined,
      { status: 204 },
    ],
    [
      ['admins', 'add', 'alice@acme.com', '-t', 'acme', '--id', 'alice'],
      'POST',
      '/admin/v1/tenants/acme/admins',
      { email: 'alice@acme.com', id: 'alice' },
      { status: 201, body: { id: 'alice', email: 'alice@acme.com', status: 'active' } },
    ],
    [
      ['admins', 'deactivate', 'alice', '-t', 'acme'],
      'POST',
      '/admin/v1/tenants/acme/admins/alice/deactivate',
      undefined,
      { status: 200, body: { id: 'alice', status: 'deactivated' } },
    ],
    [
      ['credentials', 'extend', 'c1', '-t', 'acme', '--days', '30'],
      'POST',
      '/admin/v1/tenants/acme/credentials/c1/extend',
      { days: 30 },
      { status: 200, body: credential({ expiresAt: '2026-01-31T00:00:00Z' }) },
    ],
    [
      ['credentials', 'rebind', 'c1', '-t', 'acme', '--unbind'],
      'POST',
      '/admin/v1/tenants/acme/credentials/c1/rebind',
      { boundAdminId: null },
      { status: 200, body: credential() },
    ],
    [
      ['credentials', 'revoke', 'c1', '-t', 'acme'],
      'POST',
      '/admin/v1/tenants/acme/credentials/c1/revoke',
      undefined,
      { status: 200, body: credential({ status: 'revoked', state: 'revoked' }) },
    ],
    [
      ['credentials', 'delete', 'c1', '-t', 'acme'],
      'DELETE',
      '/admin/v1/tenants/acme/credentials/c1',
      undefined,
      { status: 204 },
    ],
  ])('%j → %s %s', async (argv, method, path, body, canned) => {
    routes[`${method} ${path}`] = canned;
    const r = await cli(argv);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const req = only();
    expect(req.method).toBe(method);
    expect(req.url).toBe(path);
    expect(req.headers['x-admin-key']).toBe(ADMIN_KEY);
    expect(req.body === '' ? undefined : JSON.parse(req.body)).toEqual(body);
    expect(r.stdout.length).toBeGreaterThan(0);
  });

  it('prints confirmations for answers without a body', async () => {
    routes['DELETE /admin/v1/tenants/acme/credentials/c1'] = { status: 204 };
    expect((await cli(['credentials', 'delete', 'c1', '-t', 'acme'])).stdout).toBe(
      'Deleted credential c1.\n',
    );
  });

  it('audit: passes the filters as query parameters and prints the next-page command', async () => {
    const events: AuditEvent[] = [
      {
        tenantId: 'acme',
        id: 'e1',
        at: '2025-12-31T10:00:00Z',
        type: 'credential.rotated',
        credentialId: 'c1',
        actor: 'admin-key',
        sourceIp: '127.0.0.1',
        detail: { compromised: true },
      },
    ];
    routes['GET /admin/v1/tenants/acme/audit?credentialId=c1&limit=1'] = {
      status: 200,
      body: { events, next: 'eyJrIjoxfQ==' },
    };
    const r = await cli(['audit', '-t', 'acme', '--credential', 'c1', '--limit', '1']);
    expect(r.code).toBe(0);
    expect(only().url).toBe('/admin/v1/tenants/acme/audit?credentialId=c1&limit=1');
    expect(r.stdout).toContain('2025-12-31 10:00Z  credential.rotated  admin-key  c1');
    expect(r.stdout).toContain('compromised=true');
    expect(r.stdout).toContain('More: scimgate audit --tenant acme --credential c1 --before eyJrIjoxfQ==');
  });

  it('reports the API error message on stderr with exit 1', async () => {
    routes['POST /admin/v1/tenants/acme/credentials/c1/extend'] = {
      status: 400,
      body: { error: { status: 400, message: 'the tenant policy allows at most 730 days' } },
    };
    const r = await cli(['credentials', 'extend', 'c1', '-t', 'acme', '--days', '9999']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('scimgate: the tenant policy allows at most 730 days (HTTP 400)\n');
  });

  it('jobs run: POSTs to /admin/v1/jobs/{job}/run and says "not available" on 404', async () => {
    const missing = await cli(['jobs', 'run', 'reminders']);
    expect(missing.code).toBe(1);
    expect(only()).toMatchObject({ method: 'POST', url: '/admin/v1/jobs/reminders/run' });
    expect(missing.stderr).toContain("the 'reminders' job is not available on this server");
    expect(missing.stderr).toContain('POST /admin/v1/jobs/reminders/run answered 404');

    recorded = [];
    routes['POST /admin/v1/jobs/idle/run'] = { status: 200, body: { job: 'idle', deactivated: 2 } };
    const ok = await cli(['jobs', 'run', 'idle', '--now', '2030-01-01T00:00:00Z']);
    expect(ok.code).toBe(0);
    expect(JSON.parse(only().body)).toEqual({ now: '2030-01-01T00:00:00.000Z' });
    expect(ok.stdout).toMatch(/^Job 'idle' ran\.\n/);
    expect(ok.stdout).toMatch(/\ndeactivated:\s+2\n/);
  });

  it('signs requests with SigV4 for --url and sends no admin key', async () => {
    routes['GET /admin/v1/tenants'] = { status: 200, body: { tenants: [] } };
    const credentials = {
      accessKeyId: 'AKIDTEST',
      secretAccessKey: 'secret/key+test',
      sessionToken: 'TOKEN',
    };
    const r = await cli(
      ['tenants', 'list', '--url', `${origin}/admin/v1`, '--region', 'eu-central-1'],
      {},
      {
        awsCredentials: credentials,
      },
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const req = only();
    expect(req.headers['x-admin-key']).toBeUndefined();
    const auth = String(req.headers.authorization);
    expect(auth).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDTEST\/\d{8}\/eu-central-1\/execute-api\/aws4_request, /,
    );
    expect(req.headers['x-amz-security-token']).toBe('TOKEN');
    expect(parseAuthorization(auth)?.signature).toBe(
      expectedSignature(
        { method: req.method, url: req.url, headers: req.headers, body: req.body },
        credentials.secretAccessKey,
      ),
    );
  });

  it('signs bodies too (the signature covers what the server received)', async () => {
    routes['POST /admin/v1/tenants/acme/credentials'] = { status: 201, body: issued(SECRET) };
    const credentials = { accessKeyId: 'AKIDTEST', secretAccessKey: 'other' };
    const r = await cli(
      ['credentials', 'create', '-t', 'acme', '--kind', 'bearer', '--name', 'Ünïcode name'],
      { SCIMGATE_URL: `${origin}/admin/v1`, AWS_REGION: 'us-west-2' },
      { awsCredentials: credentials },
    );
    expect(r.code).toBe(0);
    const req = only();
    expect(parseAuthorization(String(req.headers.authorization))?.region).toBe('us-west-2');
    expect(parseAuthorization(String(req.headers.authorization))?.signature).toBe(
      expectedSignature({ method: req.method, url: req.url, headers: req.headers, body: req.body }, 'other'),
    );
  });

  it('explains how to start the local server when local.json is missing', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'scimgate-cli-empty-'));
    try {
      const r = await cli(['tenants', 'list'], { SCIMGATE_DATA_DIR: empty });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`no local server found: ${join(empty, 'local.json')} does not exist`);
      expect(r.stderr).toContain('start the local server with npm start, or pass --url');
      expect(recorded).toHaveLength(0);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('says the server cannot be reached when nothing listens at adminUrl', async () => {
    const dead = createServer();
    await new Promise<void>((resolve) => dead.listen(0, '127.0.0.1', resolve));
    const port = (dead.address() as AddressInfo).port;
    await new Promise<void>((resolve) => dead.close(() => resolve()));
    const dir = mkdtempSync(join(tmpdir(), 'scimgate-cli-dead-'));
    try {
      writeFileSync(
        join(dir, 'local.json'),
        JSON.stringify({ adminUrl: `http://127.0.0.1:${port}/admin/v1`, adminKey: 'k' }),
      );
      const r = await cli(['tenants', 'list'], { SCIMGATE_DATA_DIR: dir });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(
        `cannot reach the management API at http://127.0.0.1:${port}/admin/v1 (ECONNREFUSED)`,
      );
      expect(r.stderr).toContain('npm start');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
