import {
  parseInstant,
  parsePolicySettings,
  parseRoles,
  planRequest,
  UsageError,
  type RequestPlan,
} from '../../../bin/plan';
import { parseCommandLine } from '../../../bin/spec';

function plan(...argv: string[]): RequestPlan {
  const r = parseCommandLine(argv);
  if (r.kind !== 'command') throw new Error(`not a command: ${JSON.stringify(r)}`);
  return planRequest(r);
}

function planError(...argv: string[]): string {
  try {
    plan(...argv);
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return (e as Error).message;
  }
  throw new Error('expected a UsageError');
}

describe('planRequest: one management request per command', () => {
  it.each<[string[], RequestPlan]>([
    [['tenants', 'list'], { method: 'GET', path: '/tenants' }],
    [['tenants', 'create', 'acme'], { method: 'POST', path: '/tenants', body: { id: 'acme', name: 'acme' } }],
    [
      ['tenants', 'create', 'acme', '--name', 'Acme Corp', '--set', 'maxLifetimeDays=365'],
      {
        method: 'POST',
        path: '/tenants',
        body: { id: 'acme', name: 'Acme Corp', policy: { maxLifetimeDays: 365 } },
      },
    ],
    [['tenants', 'show', 'acme'], { method: 'GET', path: '/tenants/acme' }],
    [['tenants', 'policy', 'acme'], { method: 'GET', path: '/tenants/acme/policy' }],
    [
      ['tenants', 'create', 'acme', '--app-url', 'https://app.acme.com/login'],
      {
        method: 'POST',
        path: '/tenants',
        body: { id: 'acme', name: 'acme', applicationUrl: 'https://app.acme.com/login' },
      },
    ],
    [
      ['tenants', 'app-url', 'acme', 'https://app.acme.com/login'],
      { method: 'PATCH', path: '/tenants/acme', body: { applicationUrl: 'https://app.acme.com/login' } },
    ],
    [
      ['tenants', 'app-url', 'acme', 'off'],
      { method: 'PATCH', path: '/tenants/acme', body: { applicationUrl: null } },
    ],
    [
      ['endpoints', 'create', 'hr', '-t', 'acme', '--app-url', 'https://hr.acme.com/sso'],
      {
        method: 'POST',
        path: '/tenants/acme/endpoints',
        body: { id: 'hr', applicationUrl: 'https://hr.acme.com/sso' },
      },
    ],
    [
      ['endpoints', 'app-url', 'hr', 'off', '-t', 'acme'],
      { method: 'PATCH', path: '/tenants/acme/endpoints/hr', body: { applicationUrl: null } },
    ],
    [['endpoints', 'list', '-t', 'acme'], { method: 'GET', path: '/tenants/acme/endpoints' }],
    [
      ['endpoints', 'create', 'hr', '-t', 'acme', '--name', 'HR'],
      { method: 'POST', path: '/tenants/acme/endpoints', body: { id: 'hr', name: 'HR' } },
    ],
    [['endpoints', 'delete', 'hr', '-t', 'acme'], { method: 'DELETE', path: '/tenants/acme/endpoints/hr' }],
    [['admins', 'list', '-t', 'acme'], { method: 'GET', path: '/tenants/acme/admins' }],
    [
      ['admins', 'add', 'alice@acme.com', '-t', 'acme', '--id', 'alice'],
      { method: 'POST', path: '/tenants/acme/admins', body: { email: 'alice@acme.com', id: 'alice' } },
    ],
    [
      ['admins', 'deactivate', 'alice', '-t', 'acme'],
      { method: 'POST', path: '/tenants/acme/admins/alice/deactivate' },
    ],
    [['admins', 'remove', 'alice', '-t', 'acme'], { method: 'DELETE', path: '/tenants/acme/admins/alice' }],
    [
      ['admins', 'credentials', 'alice', '-t', 'acme'],
      { method: 'GET', path: '/tenants/acme/admins/alice/credentials' },
    ],
    [['credentials', 'list', '-t', 'acme'], { method: 'GET', path: '/tenants/acme/credentials' }],
    [['credentials', 'show', 'c1', '-t', 'acme'], { method: 'GET', path: '/tenants/acme/credentials/c1' }],
    [
      ['credentials', 'extend', 'c1', '-t', 'acme', '--days', '30'],
      { method: 'POST', path: '/tenants/acme/credentials/c1/extend', body: { days: 30 } },
    ],
    [
      ['credentials', 'extend', 'c1', '-t', 'acme', '--expires', '2030-01-31'],
      {
        method: 'POST',
        path: '/tenants/acme/credentials/c1/extend',
        body: { expiresAt: '2030-01-31T00:00:00.000Z' },
      },
    ],
    [
      ['credentials', 'rotate', 'c1', '-t', 'acme'],
      { method: 'POST', path: '/tenants/acme/credentials/c1/rotate', body: {} },
    ],
    [
      ['credentials', 'rotate', 'c1', '-t', 'acme', '--compromised'],
      { method: 'POST', path: '/tenants/acme/credentials/c1/rotate', body: { compromised: true } },
    ],
    [
      ['credentials', 'revoke', 'c1', '-t', 'acme'],
      { method: 'POST', path: '/tenants/acme/credentials/c1/revoke' },
    ],
    [
      ['credentials', 'reactivate', 'c1', '-t', 'acme'],
      { method: 'POST', path: '/tenants/acme/credentials/c1/reactivate' },
    ],
    [
      ['credentials', 'rebind', 'c1', '-t', 'acme', '--admin', 'bob'],
      { method: 'POST', path: '/tenants/acme/credentials/c1/rebind', body: { boundAdminId: 'bob' } },
    ],
    [
      ['credentials', 'rebind', 'c1', '-t', 'acme', '--unbind'],
      { method: 'POST', path: '/tenants/acme/credentials/c1/rebind', body: { boundAdminId: null } },
    ],
    [
      ['credentials', 'update', 'c1', '-t', 'acme', '--roles', 'read-only', '--domains', ''],
      {
        method: 'PATCH',
        path: '/tenants/acme/credentials/c1',
        body: { roles: 'read-only', allowedDomains: [] },
      },
    ],
    [
      ['credentials', 'update', 'c1', '-t', 'acme', '--expiry-mails', 'off'],
      { method: 'PATCH', path: '/tenants/acme/credentials/c1', body: { expiryNotifications: false } },
    ],
    [
      ['credentials', 'create', '-t', 'acme', '--kind', 'bearer', '--name', 'Okta', '--expiry-mails', 'on'],
      {
        method: 'POST',
        path: '/tenants/acme/credentials',
        body: { kind: 'bearer', name: 'Okta', expiryNotifications: true },
      },
    ],
    [
      ['credentials', 'delete', 'c1', '-t', 'acme'],
      { method: 'DELETE', path: '/tenants/acme/credentials/c1' },
    ],
    [['audit', '-t', 'acme'], { method: 'GET', path: '/tenants/acme/audit', query: {} }],
    [
      ['audit', '-t', 'acme', '--credential', 'c1', '--limit', '5', '--before', 'abc='],
      {
        method: 'GET',
        path: '/tenants/acme/audit',
        query: { credentialId: 'c1', limit: '5', before: 'abc=' },
      },
    ],
    [['jobs', 'run', 'reminders'], { method: 'POST', path: '/jobs/reminders/run', body: {} }],
    [
      ['jobs', 'run', 'idle', '--now', '2030-01-01T00:00:00Z'],
      { method: 'POST', path: '/jobs/idle/run', body: { now: '2030-01-01T00:00:00.000Z' } },
    ],
  ])('%j', (argv, expected) => {
    expect(plan(...argv)).toEqual(expected);
  });

  it('builds the issue body from every create option', () => {
    expect(
      plan(
        'credentials',
        'create',
        '-t',
        'acme',
        '--kind',
        'oauth-client',
        '--name',
        'Entra ID',
        '--description',
        'prod tenant',
        '--roles',
        'users:read,groups:read,users:read',
        '--domains',
        'Acme.com, @acme.de',
        '--endpoint',
        'default',
        '--days',
        '90',
        '--idle-days',
        '14',
        '--admin',
        'alice',
        '--token-ttl',
        '7200',
        '--remind-to',
        'sec@acme.com,it@acme.com',
        '--remind-days',
        '10',
        '--remind-every',
        'daily',
      ),
    ).toEqual({
      method: 'POST',
      path: '/tenants/acme/credentials',
      body: {
        kind: 'oauth-client',
        name: 'Entra ID',
        description: 'prod tenant',
        roles: ['users:read', 'groups:read'],
        allowedDomains: ['acme.com', 'acme.de'],
        endpointId: 'default',
        lifetimeDays: 90,
        idleDays: 14,
        boundAdminId: 'alice',
        accessTokenTtlSeconds: 7200,
        reminders: { recipients: ['sec@acme.com', 'it@acme.com'], leadDays: 10, frequency: 'daily' },
      },
    });
  });

  it('sends only what was given', () => {
    expect(plan('credentials', 'create', '-t', 'acme', '--kind', 'bearer', '--name', 'Okta').body).toEqual({
      kind: 'bearer',
      name: 'Okta',
    });
  });

  it('percent-encodes path segments', () => {
    expect(plan('credentials', 'show', 'a/b c', '-t', 'ac me').path).toBe(
      '/tenants/ac%20me/credentials/a%2Fb%20c',
    );
  });

  it.each([
    [['credentials', 'create', '-t', 'a', '--kind', 'token', '--name', 'x'], /--kind must be one of/],
    [['credentials', 'create', '-t', 'a', '--kind', 'gateway', '--name', 'x'], /--endpoint/],
    [
      ['credentials', 'create', '-t', 'a', '--kind', 'bearer', '--name', 'x', '--days', '1.5'],
      /whole number/,
    ],
    [['credentials', 'create', '-t', 'a', '--kind', 'bearer', '--name', 'x', '--days', '0'], /at least 1/],
    [
      [
        'credentials',
        'create',
        '-t',
        'a',
        '--kind',
        'bearer',
        '--name',
        'x',
        '--days',
        '3',
        '--expires',
        '2030-01-01',
      ],
      /either --expires or --days/,
    ],
    [
      ['credentials', 'create', '-t', 'a', '--kind', 'bearer', '--name', 'x', '--expires', 'soon'],
      /ISO 8601/,
    ],
    [
      ['credentials', 'create', '-t', 'a', '--kind', 'bearer', '--name', 'x', '--roles', 'admin'],
      /unknown role 'admin'/,
    ],
    [
      ['credentials', 'create', '-t', 'a', '--kind', 'bearer', '--name', 'x', '--token-ttl', '3600'],
      /oauth-client/,
    ],
    [
      ['credentials', 'create', '-t', 'a', '--kind', 'oauth-client', '--name', 'x', '--token-ttl', '60'],
      /3600-21600/,
    ],
    [['credentials', 'create', '-t', 'a', '--kind', 'bearer', '--name', ' '], /--name must not be empty/],
    [['credentials', 'rebind', 'c1', '-t', 'a'], /--admin <id> or --unbind/],
    [['credentials', 'rebind', 'c1', '-t', 'a', '--admin', 'b', '--unbind'], /--admin <id> or --unbind/],
    [['credentials', 'update', 'c1', '-t', 'a'], /nothing to change/],
    [
      ['credentials', 'update', 'c1', '-t', 'a', '--expiry-mails', 'maybe'],
      /--expiry-mails must be on or off/,
    ],
    [['audit', '-t', 'a', '--limit', '500'], /--limit must be 1-200/],
    [['jobs', 'run', 'backup'], /unknown job 'backup'; jobs: reminders, idle/],
    [['tenants', 'policy', 'a', '--set', 'idleDays'], /key=value/],
    [['tenants', 'policy', 'a', '--set', 'colour=blue'], /unknown policy key 'colour'/],
  ])('%j is a usage error', (argv, message) => {
    expect(planError(...argv)).toMatch(message);
  });
});

describe('value parsers', () => {
  it('parses role presets and lists', () => {
    expect(parseRoles('users')).toBe('users');
    expect(parseRoles('users-and-groups')).toBe('users-and-groups');
    expect(parseRoles(' users:write , groups:write ')).toEqual(['users:write', 'groups:write']);
  });

  it('normalises instants to ISO 8601 UTC', () => {
    expect(parseInstant('2030-01-31T02:00:00+02:00', '--expires')).toBe('2030-01-31T00:00:00.000Z');
  });

  it('builds nested policy patches with typed values', () => {
    expect(
      parsePolicySettings([
        'defaultLifetimeDays=90',
        'rotationGraceHours=0',
        'consoleUrl=https://console.acme.com/x?y=1',
        'reminders.recipients=a@acme.com, b@acme.com',
        'reminders.atExpiry=no',
        'reminders.frequency=monthly',
        'reminders.leadDays=7',
      ]),
    ).toEqual({
      defaultLifetimeDays: 90,
      rotationGraceHours: 0,
      consoleUrl: 'https://console.acme.com/x?y=1',
      reminders: {
        recipients: ['a@acme.com', 'b@acme.com'],
        atExpiry: false,
        frequency: 'monthly',
        leadDays: 7,
      },
    });
    expect(parsePolicySettings(['reminders.recipients='])).toEqual({ reminders: { recipients: [] } });
    // The absolute age cap: days, or off (null in the API).
    expect(parsePolicySettings(['maxSecretAgeDays=730'])).toEqual({ maxSecretAgeDays: 730 });
    expect(parsePolicySettings(['maxSecretAgeDays=off'])).toEqual({ maxSecretAgeDays: null });
    expect(() => parsePolicySettings(['maxSecretAgeDays=0'])).toThrow(/maxSecretAgeDays/);
    expect(() => parsePolicySettings(['reminders.atExpiry=maybe'])).toThrow(/true or false/);
    expect(() => parsePolicySettings(['reminders.frequency=hourly'])).toThrow(/daily, weekly, monthly/);
  });
});
