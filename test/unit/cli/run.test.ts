import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, type CliIo } from '../../../bin/cli';
import { CliError, normaliseBaseUrl, resolveTarget } from '../../../bin/client';
import { issuedCredential, SECRET_WARNING } from '../../../bin/render';
import type { CredentialView, IssuedCredential } from '../../../shared/domain/credential-model';

const NOW = new Date('2026-01-01T00:00:00Z');
const SECRET = 'scgc_' + 'S'.repeat(43) + 'CHKSUM';

function view(overrides: Partial<CredentialView> = {}): CredentialView {
  return {
    id: 'c1',
    tenantId: 'acme',
    kind: 'oauth-client',
    name: 'Entra ID',
    description: '',
    roles: ['users:read', 'users:write'],
    allowedDomains: [],
    adminActive: true,
    endpoints: ['*'],
    status: 'active',
    state: 'active',
    createdAt: '2026-01-01T00:00:00.000Z',
    expiresAt: '2027-01-01T00:00:00.000Z',
    secretCreatedAt: '2026-01-01T00:00:00.000Z',
    idleDays: 30,
    activeSince: '2026-01-01T00:00:00.000Z',
    clientId: 'scgi_client',
    accessTokenTtlSeconds: 3600,
    secrets: [{ id: 's1', hint: 'scgc_…ABCD', createdAt: '2026-01-01T00:00:00.000Z' }],
    series: 1,
    version: 1,
    ...overrides,
  };
}

const ISSUED: IssuedCredential = {
  credential: view(),
  secret: SECRET,
  connection: {
    scimBaseUrl: 'https://scim.example/scim/v2/acme/default',
    tokenEndpoint: 'https://scim.example/oauth/acme/token',
    clientId: 'scgi_client',
  },
};

const occurrences = (text: string, part: string): number => text.split(part).length - 1;

/** run() with a fake fetch that answers `status` + `body` and records the requests. */
async function runWith(argv: string[], status: number, body: unknown, env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const requests: { url: string; init: RequestInit }[] = [];
  const io: CliIo = {
    stdout: { write: (s: string) => out.push(s) },
    stderr: { write: (s: string) => err.push(s) },
    env: { SCIMGATE_URL: 'http://scimgate.test/admin/v1', SCIMGATE_ADMIN_KEY: 'k'.repeat(32), ...env },
    now: () => NOW,
    fetch: (async (url: URL, init: RequestInit) => {
      requests.push({ url: String(url), init });
      return new Response(body === undefined ? null : JSON.stringify(body), {
        status,
        headers: { 'content-type': 'application/json' },
      });
    }) as typeof fetch,
  };
  const code = await run(argv, io);
  return { code, stdout: out.join(''), stderr: err.join(''), requests };
}

describe('run --json', () => {
  it('prints the raw response as valid JSON and nothing else', async () => {
    const r = await runWith(
      ['credentials', 'create', '-t', 'acme', '--kind', 'oauth-client', '--name', 'Entra ID', '--json'],
      201,
      ISSUED,
    );
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(ISSUED);
    expect(r.stderr).toBe('');
    expect(occurrences(r.stdout, SECRET)).toBe(1);
  });

  it.each([
    [['credentials', 'list', '-t', 'acme'], { credentials: [view()] }],
    [['tenants', 'list'], { tenants: [] }],
    [['audit', '-t', 'acme'], { events: [], next: 'cursor' }],
  ])('%j prints parseable JSON', async (argv, body) => {
    const r = await runWith([...argv, '--json'], 200, body);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(body);
  });

  it('prints {} for an empty (204) answer', async () => {
    const r = await runWith(['credentials', 'delete', 'c1', '-t', 'acme', '--json'], 204, undefined);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({});
  });

  it('keeps stdout empty on errors', async () => {
    const r = await runWith(['credentials', 'show', 'nope', '-t', 'acme', '--json'], 404, {
      error: { status: 404, message: "credential 'nope' not found" },
    });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe("scimgate: credential 'nope' not found (HTTP 404)\n");
  });
});

describe('run: exit codes', () => {
  it('exits 2 with the command help on usage errors, without a request', async () => {
    const r = await runWith(['credentials', 'create', '-t', 'acme', '--kind', 'bearer'], 200, {});
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('scimgate: missing --name <name>');
    expect(r.stderr).toContain('Usage: scimgate credentials create');
    expect(r.requests).toHaveLength(0);
  });

  it('exits 2 on bad values too', async () => {
    const r = await runWith(['credentials', 'extend', 'c1', '-t', 'acme', '--days', 'ten'], 200, {});
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--days must be a whole number');
    expect(r.stderr).toContain('Usage: scimgate credentials extend');
  });

  it('exits 0 with help on stdout for --help', async () => {
    const r = await runWith(['audit', '--help'], 200, {});
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: scimgate audit');
    expect(r.requests).toHaveLength(0);
  });

  it('sends the admin key, JSON content type and body', async () => {
    const r = await runWith(['endpoints', 'create', 'hr', '-t', 'acme'], 201, { id: 'hr', name: 'hr' });
    expect(r.code).toBe(0);
    const [req] = r.requests;
    expect(req?.url).toBe('http://scimgate.test/admin/v1/tenants/acme/endpoints');
    expect(req?.init.method).toBe('POST');
    expect(req?.init.headers).toMatchObject({
      'x-admin-key': 'k'.repeat(32),
      'content-type': 'application/json',
    });
    expect(JSON.parse(String(req?.init.body))).toEqual({ id: 'hr' });
    expect(r.stdout).toBe('Created endpoint hr in tenant acme.\n');
  });
});

describe('issuedCredential (human output)', () => {
  it('prints every IdP field and the secret exactly once, boxed with the warning', () => {
    const text = issuedCredential(ISSUED, 'created', NOW);
    expect(occurrences(text, SECRET)).toBe(1);
    expect(text).toContain(SECRET_WARNING);
    expect(text).toMatch(/SCIM base URL \(Tenant URL\):\s+https:\/\/scim\.example\/scim\/v2\/acme\/default/);
    expect(text).toMatch(/Token endpoint:\s+https:\/\/scim\.example\/oauth\/acme\/token/);
    expect(text).toMatch(/Client ID:\s+scgi_client/);
    expect(text).toMatch(/Client secret:\s+the secret below/);
    expect(text).toMatch(new RegExp(`│  ${SECRET}\\s+│`));
  });

  it('names the secret after the IdP field of each kind', () => {
    const basic = issuedCredential(
      {
        ...ISSUED,
        credential: view({ kind: 'basic' }),
        connection: { scimBaseUrl: 'u', username: 'scim-x' },
      },
      'created',
      NOW,
    );
    expect(basic).toMatch(/Username:\s+scim-x/);
    expect(basic).toContain('Password. Copy this secret now');
    const bearer = issuedCredential({ ...ISSUED, credential: view({ kind: 'bearer' }) }, 'created', NOW);
    expect(bearer).toContain('Secret token. Copy this secret now');
  });

  it('tells how long the previous secret keeps working after a rotation', () => {
    const rotated = issuedCredential(
      {
        ...ISSUED,
        credential: view({
          secrets: [
            { id: 's2', hint: 'scgc_…NEW1', createdAt: '2026-01-01T00:00:00.000Z' },
            {
              id: 's1',
              hint: 'scgc_…OLD1',
              createdAt: '2025-01-01T00:00:00.000Z',
              retiresAt: '2026-01-04T00:00:00Z',
            },
          ],
        }),
      },
      'rotated',
      NOW,
    );
    expect(rotated).toContain('The previous secret (scgc_…OLD1) keeps working until 2026-01-04 00:00Z');
    expect(occurrences(rotated, SECRET)).toBe(1);
  });
});

describe('resolveTarget', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'scimgate-cli-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads adminUrl and adminKey from local.json in SCIMGATE_DATA_DIR', () => {
    writeFileSync(
      join(dir, 'local.json'),
      JSON.stringify({ adminUrl: 'http://127.0.0.1:8080/admin/v1/', adminKey: 'key' }),
    );
    expect(resolveTarget({}, { SCIMGATE_DATA_DIR: dir }, '/')).toEqual({
      baseUrl: 'http://127.0.0.1:8080/admin/v1',
      auth: { mode: 'key', key: 'key' },
      source: 'local',
      file: join(dir, 'local.json'),
    });
  });

  it('resolves .scimgate or a relative SCIMGATE_DATA_DIR against the working directory', () => {
    for (const sub of ['.scimgate', 'data']) {
      mkdirSync(join(dir, sub));
      writeFileSync(
        join(dir, sub, 'local.json'),
        JSON.stringify({ adminUrl: 'http://h/admin/v1', adminKey: 'k' }),
      );
    }
    expect(resolveTarget({}, {}, dir).file).toBe(join(dir, '.scimgate', 'local.json'));
    expect(resolveTarget({}, { SCIMGATE_DATA_DIR: 'data' }, dir).file).toBe(join(dir, 'data', 'local.json'));
  });

  it('explains how to start the local server when local.json is missing', () => {
    let error: CliError | undefined;
    try {
      resolveTarget({}, { SCIMGATE_DATA_DIR: dir }, '/');
    } catch (e) {
      error = e as CliError;
    }
    expect(error).toBeInstanceOf(CliError);
    expect(error?.message).toContain(join(dir, 'local.json'));
    expect(error?.hint).toBe('start the local server with npm start, or pass --url <management API URL>');
  });

  it('asks for a restart when local.json predates the management API', () => {
    writeFileSync(join(dir, 'local.json'), JSON.stringify({ scimBaseUrl: 'x', token: 'y' }));
    expect(() => resolveTarget({}, { SCIMGATE_DATA_DIR: dir }, '/')).toThrow(/no adminUrl\/adminKey/);
  });

  it('signs for --url / SCIMGATE_URL, with the region from --region, AWS_REGION or the host name', () => {
    const host = 'https://abc.execute-api.ap-southeast-2.amazonaws.com';
    expect(resolveTarget({ url: host }, {}, '/')).toEqual({
      baseUrl: `${host}/admin/v1`,
      auth: { mode: 'sigv4', region: 'ap-southeast-2' },
      source: 'url',
    });
    expect(resolveTarget({ url: host, region: 'eu-west-1' }, { AWS_REGION: 'us-east-1' }, '/').auth).toEqual({
      mode: 'sigv4',
      region: 'eu-west-1',
    });
    expect(
      resolveTarget({}, { SCIMGATE_URL: 'https://admin.acme.com/x/', AWS_REGION: 'us-east-1' }, '/'),
    ).toEqual({
      baseUrl: 'https://admin.acme.com/x',
      auth: { mode: 'sigv4', region: 'us-east-1' },
      source: 'url',
    });
    expect(() => resolveTarget({ url: 'https://admin.acme.com' }, {}, '/')).toThrow(/--region/);
  });

  it('uses SCIMGATE_ADMIN_KEY instead of SigV4 when set', () => {
    expect(resolveTarget({ url: 'http://h:1/admin/v1' }, { SCIMGATE_ADMIN_KEY: 'k' }, '/').auth).toEqual({
      mode: 'key',
      key: 'k',
    });
  });
});

describe('normaliseBaseUrl', () => {
  it.each([
    ['https://x.example', 'https://x.example/admin/v1'],
    ['https://x.example/', 'https://x.example/admin/v1'],
    ['https://x.example/prod/admin/v1/', 'https://x.example/prod/admin/v1'],
  ])('%s → %s', (raw, expected) => {
    expect(normaliseBaseUrl(raw, '--url')).toBe(expected);
  });

  it.each(['not a url', 'ftp://x.example', 'https://x.example/?a=1'])('rejects %s', (raw) => {
    expect(() => normaliseBaseUrl(raw, '--url')).toThrow(CliError);
  });
});
