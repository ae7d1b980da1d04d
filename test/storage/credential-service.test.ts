import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoCredentialRepository } from '../../shared/adapters/dynamodb/credential-repository';
import { FilePepperSource } from '../../shared/adapters/local/pepper-file';
import { CredentialService } from '../../shared/domain/credential-service';
import { guardFor } from '../../shared/domain/resource-guard';
import type { Clock } from '../../shared/domain/ports';
import { ScimError } from '../../shared/scim/errors';
import { issuedSecrets } from '../support/harness';
import { createTestTable } from '../support/tables';

const DAY = 86_400_000;
let now = new Date('2026-01-01T00:00:00.000Z');
const clock: Clock = { now: () => now };
const advance = (ms: number) => {
  now = new Date(now.getTime() + ms);
};

let repo: DynamoCredentialRepository;
let svc: CredentialService;
const ctx = { actor: 'test-admin', origin: 'https://scim.example.com' };
let seq = 0;

beforeAll(async () => {
  const t = await createTestTable();
  repo = new DynamoCredentialRepository(t.doc, t.tableName);
  svc = new CredentialService(
    repo,
    new FilePepperSource(join(mkdtempSync(join(tmpdir(), 'pep-')), 'pepper.json')),
    clock,
  );
});

async function tenant(policy: Record<string, unknown> = {}): Promise<string> {
  const id = `t${++seq}`;
  await svc.createTenant({ id, name: id, policy }, 'test');
  return id;
}

const req = (authorization: string | undefined) => ({
  authorization,
  sourceIp: `10.0.0.${seq}`,
  userAgent: 'Test IdP/1.0',
  origin: ctx.origin,
});

async function refusal(p: Promise<unknown>): Promise<ScimError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(ScimError);
  return e as ScimError;
}

async function issue(t: string, input: Record<string, unknown> = {}) {
  const issued = await svc.issue(t, { kind: 'bearer', name: 'idp', ...input } as never, ctx);
  issuedSecrets.push(issued.secret);
  return issued;
}

describe('credential lifecycle (DynamoDB Local, fake clock)', () => {
  it('should issue each kind with its prefix, show the secret once and store only a hash', async () => {
    const t = await tenant();
    await svc.createEndpoint(t, { id: 'hr' }, 'test');
    const kinds = [
      ['bearer', 'scgb_'],
      ['oauth-client', 'scgc_'],
      ['basic', 'scgp_'],
      ['gateway', 'scgg_'],
    ] as const;
    for (const [kind, prefix] of kinds) {
      const issued = await issue(t, { kind, ...(kind === 'gateway' ? { endpointId: 'hr' } : {}) });
      expect(issued.secret.startsWith(prefix)).toBe(true);
      expect(issued.connection.scimBaseUrl).toBe(
        `https://scim.example.com/scim/v2/${t}/${kind === 'gateway' ? 'hr' : 'default'}`,
      );
      const shown = await svc.show(t, issued.credential.id);
      expect(JSON.stringify(shown)).not.toContain(issued.secret);
      expect(JSON.stringify(shown)).not.toContain('"hash"');
      expect(shown.secrets[0]?.hint).toBe(`${prefix}...${issued.secret.slice(-4)}`);
      const stored = await repo.getCredential(t, issued.credential.id);
      expect(JSON.stringify(stored)).not.toContain(issued.secret);
    }
    const oauth = (await svc.list(t)).find((c) => c.kind === 'oauth-client');
    expect(oauth?.clientId).toMatch(/^scgi_/);
    expect(oauth?.accessTokenTtlSeconds).toBe(3600);
    const basic = (await svc.list(t)).find((c) => c.kind === 'basic');
    expect(basic?.username).toMatch(/^scim-[a-z0-9]+$/);
  });

  it('should authenticate bearer, bare and basic credentials with one secret read', async () => {
    const t = await tenant();
    const bearer = await issue(t);
    expect((await svc.authenticate(req(`Bearer ${bearer.secret}`), t, 'default')).credentialId).toBe(
      bearer.credential.id,
    );
    expect((await svc.authenticate(req(bearer.secret), t, 'default')).credentialId).toBe(
      bearer.credential.id,
    );
    const basic = await issue(t, { kind: 'basic' });
    const username = basic.connection.username!;
    const header = `Basic ${Buffer.from(`${username}:${basic.secret}`).toString('base64')}`;
    expect((await svc.authenticate(req(header), t, 'default')).credentialId).toBe(basic.credential.id);
    const wrongUser = `Basic ${Buffer.from(`scim-someoneelse:${basic.secret}`).toString('base64')}`;
    const e = await refusal(svc.authenticate(req(wrongUser), t, 'default'));
    expect(e.status).toBe(401);
    expect(e.headers['www-authenticate']).toMatch(/^Basic realm="scimgate", charset="UTF-8"/);
  });

  it('should refuse garbage, wrong checksum, wrong prefix and another tenant without revealing anything', async () => {
    const t = await tenant();
    const other = await tenant();
    const issued = await issue(t);
    const flipped = issued.secret.slice(0, -1) + (issued.secret.endsWith('A') ? 'B' : 'A');
    const cases = ['garbage', issued.secret.slice(0, 20), flipped, issued.secret.replace('scgb_', 'scgc_')];
    for (const token of cases) {
      const e = await refusal(svc.authenticate(req(`Bearer ${token}`), t, 'default'));
      expect(e.status).toBe(401);
      expect(e.headers['www-authenticate']).toMatch(/error="invalid_token"/);
    }
    const cross = await refusal(svc.authenticate(req(`Bearer ${issued.secret}`), other, 'default'));
    expect(cross.message).toBe('invalid credentials: unknown credentials');
    const none = await refusal(svc.authenticate(req(undefined), t, 'default'));
    expect(none.headers['www-authenticate']).toBe('Bearer realm="scimgate"');
  });

  it('should enforce expiry, extension within policy and the maximum lifetime', async () => {
    const t = await tenant({ defaultLifetimeDays: 90, maxLifetimeDays: 180 });
    const issued = await issue(t);
    expect(Date.parse(issued.credential.expiresAt) - now.getTime()).toBe(90 * DAY);
    await expect(svc.issue(t, { kind: 'bearer', name: 'x', lifetimeDays: 181 }, ctx)).rejects.toMatchObject({
      status: 400,
    });
    advance(60 * DAY);
    const extended = await svc.extend(t, issued.credential.id, { days: 100 }, 'admin');
    expect(extended.expiresAt).toBe(new Date(now.getTime() + 100 * DAY).toISOString());
    // Without an age cap, extension is bounded from now only: 60 + 180 days after creation is fine, 181 from now is not.
    await expect(svc.extend(t, issued.credential.id, { days: 181 }, 'admin')).rejects.toMatchObject({
      status: 400,
      message: expect.stringMatching(/at most 180 days from now/),
    });
    await svc.extend(t, issued.credential.id, { days: 100 }, 'admin');
    advance(101 * DAY);
    const e = await refusal(svc.authenticate(req(`Bearer ${issued.secret}`), t, 'default'));
    expect(e.message).toContain('expired');
    expect((await svc.show(t, issued.credential.id)).state).toBe('expired');
  });

  it('should let a key created with the maximum lifetime be extended, and cap its age only when the policy says so', async () => {
    const t = await tenant({ defaultLifetimeDays: 90, maxLifetimeDays: 180 });
    const issued = await issue(t, { lifetimeDays: 180 });
    advance(170 * DAY);
    // Created with the maximum lifetime, ten days before expiry: extended by the maximum again (from now).
    const extended = await svc.extend(t, issued.credential.id, { days: 180 }, 'admin');
    expect(extended.expiresAt).toBe(new Date(now.getTime() + 180 * DAY).toISOString());
    expect((await svc.getPolicy(t)).maxSecretAgeDays).toBeUndefined();

    // The absolute age cap: at most 300 days after the secret's creation (170 days ago: 130 days left).
    expect((await svc.updatePolicy(t, { maxSecretAgeDays: 300 }, 'admin')).maxSecretAgeDays).toBe(300);
    const created = Date.parse(issued.credential.createdAt);
    const capped = await svc.extend(
      t,
      issued.credential.id,
      { expiresAt: new Date(created + 300 * DAY).toISOString() },
      'admin',
    );
    expect(capped.expiresAt).toBe(new Date(created + 300 * DAY).toISOString());
    await expect(svc.extend(t, issued.credential.id, { days: 180 }, 'admin')).rejects.toMatchObject({
      status: 400,
      message: expect.stringMatching(/at most 300 days from its creation.*rotate/),
    });
    // Rotation starts a new secret: the age is counted from it.
    await svc.rotate(t, issued.credential.id, { compromised: true }, ctx);
    expect((await svc.extend(t, issued.credential.id, { days: 180 }, 'admin')).expiresAt).toBe(
      new Date(now.getTime() + 180 * DAY).toISOString(),
    );

    // Below the maximum lifetime it is refused; null turns it off again.
    await expect(svc.updatePolicy(t, { maxSecretAgeDays: 179 }, 'admin')).rejects.toMatchObject({
      status: 400,
    });
    expect((await svc.updatePolicy(t, { maxSecretAgeDays: null }, 'admin')).maxSecretAgeDays).toBeUndefined();
    expect((await svc.getPolicy(t)).maxSecretAgeDays).toBeUndefined();
  });

  it('should refuse an idle credential at authentication time and let reactivation start a fresh window', async () => {
    const t = await tenant({ idleDays: 10 });
    const issued = await issue(t);
    advance(5 * DAY);
    await svc.authenticate(req(`Bearer ${issued.secret}`), t, 'default');
    advance(9 * DAY);
    await svc.authenticate(req(`Bearer ${issued.secret}`), t, 'default'); // used 9 days ago: still fine
    advance(11 * DAY);
    const e = await refusal(svc.authenticate(req(`Bearer ${issued.secret}`), t, 'default'));
    expect(e.message).toContain('idle');
    expect((await svc.show(t, issued.credential.id)).state).toBe('idle');
    expect(await svc.deactivateIdle(t, issued.credential.id)).toMatchObject({
      status: 'deactivated',
      state: 'deactivated',
    });
    await svc.reactivate(t, issued.credential.id, 'admin');
    expect((await svc.authenticate(req(`Bearer ${issued.secret}`), t, 'default')).credentialId).toBe(
      issued.credential.id,
    );
  });

  it('should write last use at most every few minutes', async () => {
    const t = await tenant();
    const issued = await issue(t);
    await svc.authenticate(req(`Bearer ${issued.secret}`), t, 'default');
    const first = (await svc.show(t, issued.credential.id)).lastUsedAt;
    expect(first).toBe(now.toISOString());
    advance(60_000);
    await svc.authenticate(req(`Bearer ${issued.secret}`), t, 'default');
    expect((await svc.show(t, issued.credential.id)).lastUsedAt).toBe(first);
    advance(5 * 60_000);
    await svc.authenticate(req(`Bearer ${issued.secret}`), t, 'default');
    const shown = await svc.show(t, issued.credential.id);
    expect(shown.lastUsedAt).toBe(now.toISOString());
    expect(shown.lastUsedUserAgent).toBe('Test IdP/1.0');
  });

  it('should keep the old secret until the first use of the new one plus the grace period', async () => {
    const t = await tenant({ rotationGraceHours: 2, rotationHardCapHours: 48 });
    const issued = await issue(t);
    await svc.authenticate(req(`Bearer ${issued.secret}`), t, 'default');
    const rotated = await svc.rotate(t, issued.credential.id, {}, ctx);
    issuedSecrets.push(rotated.secret);
    expect(rotated.credential.secrets).toHaveLength(2);
    advance(3 * 3_600_000); // the new one is not used yet: the old one keeps working
    await svc.authenticate(req(`Bearer ${issued.secret}`), t, 'default');
    await svc.authenticate(req(`Bearer ${rotated.secret}`), t, 'default'); // first use → grace starts
    advance(3_600_000);
    await svc.authenticate(req(`Bearer ${issued.secret}`), t, 'default');
    advance(3_600_000 + 1000);
    const e = await refusal(svc.authenticate(req(`Bearer ${issued.secret}`), t, 'default'));
    expect(e.message).toContain('rotated');
    await svc.authenticate(req(`Bearer ${rotated.secret}`), t, 'default');
  });

  it('should end the old secret at the hard cap, and at once when compromised', async () => {
    const t = await tenant({ rotationGraceHours: 2, rotationHardCapHours: 6 });
    const issued = await issue(t);
    const rotated = await svc.rotate(t, issued.credential.id, {}, ctx);
    issuedSecrets.push(rotated.secret);
    advance(6 * 3_600_000 + 1000);
    await refusal(svc.authenticate(req(`Bearer ${issued.secret}`), t, 'default'));
    const again = await svc.rotate(t, issued.credential.id, { compromised: true }, ctx);
    issuedSecrets.push(again.secret);
    expect(again.credential.secrets).toHaveLength(1);
    await refusal(svc.authenticate(req(`Bearer ${rotated.secret}`), t, 'default'));
    await svc.authenticate(req(`Bearer ${again.secret}`), t, 'default');
  });

  it('should keep at most two live secrets', async () => {
    const t = await tenant();
    const issued = await issue(t);
    for (let i = 0; i < 3; i++) {
      const last = await svc.rotate(t, issued.credential.id, {}, ctx);
      issuedSecrets.push(last.secret);
      expect(last.credential.secrets.length).toBeLessThanOrEqual(2);
    }
    await refusal(svc.authenticate(req(`Bearer ${issued.secret}`), t, 'default'));
  });

  it('should stop a revoked credential at once and let it be reactivated; delete removes it', async () => {
    const t = await tenant();
    const issued = await issue(t);
    await svc.revoke(t, issued.credential.id, 'admin');
    expect((await refusal(svc.authenticate(req(`Bearer ${issued.secret}`), t, 'default'))).message).toContain(
      'revoked',
    );
    await svc.reactivate(t, issued.credential.id, 'admin');
    await svc.authenticate(req(`Bearer ${issued.secret}`), t, 'default');
    await svc.delete(t, issued.credential.id, 'admin');
    await refusal(svc.authenticate(req(`Bearer ${issued.secret}`), t, 'default'));
    await expect(svc.show(t, issued.credential.id)).rejects.toMatchObject({ status: 404 });
  });

  it('should bind a gateway token to its own endpoint and regenerate it', async () => {
    const t = await tenant();
    await svc.createEndpoint(t, { id: 'crm' }, 'test');
    const gw = await issue(t, { kind: 'gateway', endpointId: 'crm' });
    await svc.authenticate(req(`Bearer ${gw.secret}`), t, 'crm');
    await refusal(svc.authenticate(req(`Bearer ${gw.secret}`), t, 'default'));
    const regenerated = await svc.rotate(t, gw.credential.id, {}, ctx);
    issuedSecrets.push(regenerated.secret);
    await refusal(svc.authenticate(req(`Bearer ${gw.secret}`), t, 'crm'));
    await svc.authenticate(req(`Bearer ${regenerated.secret}`), t, 'crm');
    await expect(svc.deleteEndpoint(t, 'crm', 'test')).rejects.toMatchObject({ status: 409 });
  });

  it('should stop credentials bound to an admin who is deactivated, and list and re-bind them', async () => {
    const t = await tenant();
    const alice = await svc.addAdmin(t, { id: 'alice', email: 'alice@example.com' }, 'test');
    const bob = await svc.addAdmin(t, { id: 'bob', email: 'bob@example.com' }, 'test');
    const bound = await issue(t, { boundAdminId: alice.id });
    expect((await svc.credentialsBoundTo(t, 'alice')).map((c) => c.id)).toEqual([bound.credential.id]);
    await svc.deactivateAdmin(t, 'alice', 'test');
    expect((await refusal(svc.authenticate(req(`Bearer ${bound.secret}`), t, 'default'))).message).toContain(
      'owner',
    );
    await svc.rebind(t, bound.credential.id, bob.id, 'test');
    await svc.authenticate(req(`Bearer ${bound.secret}`), t, 'default');
    await svc.removeAdmin(t, 'bob', 'test');
    await refusal(svc.authenticate(req(`Bearer ${bound.secret}`), t, 'default'));
  });

  it('should record lifecycle events in the audit log without secrets or hashes', async () => {
    const t = await tenant();
    const issued = await issue(t);
    await svc.extend(t, issued.credential.id, { days: 30 }, 'admin');
    await svc.revoke(t, issued.credential.id, 'admin');
    await refusal(svc.authenticate(req(`Bearer ${issued.secret}`), t, 'default'));
    const log = await svc.audit(t, { credentialId: issued.credential.id });
    expect(log.events.map((e) => e.type)).toEqual(
      expect.arrayContaining([
        'credential.created',
        'credential.extended',
        'credential.revoked',
        'auth.refused',
      ]),
    );
    const all = await svc.audit(t, {});
    const text = JSON.stringify(all);
    expect(text).not.toContain(issued.secret);
    const stored = await repo.getCredential(t, issued.credential.id);
    expect(text).not.toContain(stored!.secrets[0]!.hash);
    const page = await svc.audit(t, { limit: 2 });
    expect(page.events).toHaveLength(2);
    const rest = await svc.audit(t, { limit: 50, before: page.next! });
    expect(rest.events.map((e) => e.id)).not.toContain(page.events[0]!.id);
  });

  it('should validate input with clear 400s', async () => {
    const t = await tenant();
    const cases: Record<string, unknown>[] = [
      { kind: 'nope', name: 'x' },
      { kind: 'bearer', name: '' },
      { kind: 'bearer', name: 'x', roles: ['users:admin'] },
      { kind: 'bearer', name: 'x', allowedDomains: ['not a domain'] },
      { kind: 'gateway', name: 'x' },
      { kind: 'bearer', name: 'x', endpointId: 'missing' },
      { kind: 'bearer', name: 'x', expiresAt: 'yesterday' },
      { kind: 'oauth-client', name: 'x', accessTokenTtlSeconds: 60 },
      { kind: 'bearer', name: 'x', reminders: { recipients: ['not-an-address'] } },
    ];
    for (const input of cases) {
      const e = await refusal(svc.issue(t, input as never, ctx));
      expect([e.status, input]).toEqual([400, input]);
    }
    await expect(svc.createTenant({ id: 'Bad Id!', name: 'x' }, 'test')).rejects.toMatchObject({
      status: 400,
    });
    await expect(svc.createTenant({ id: t, name: 'x' }, 'test')).rejects.toMatchObject({ status: 409 });
  });

  it('should move due times earlier when the tenant policy moves reminders earlier', async () => {
    const t = await tenant({ defaultLifetimeDays: 120, idleDays: 365, reminders: { leadDays: 7 } });
    const issued = await issue(t);
    const before = (await repo.getCredential(t, issued.credential.id))!.nextDueAt!;
    await svc.updatePolicy(t, { reminders: { leadDays: 60 } } as never, 'admin');
    const after = (await repo.getCredential(t, issued.credential.id))!.nextDueAt!;
    expect(Date.parse(after)).toBeLessThan(Date.parse(before));
    expect(Date.parse(after)).toBe(Date.parse(issued.credential.expiresAt) - 60 * DAY);
  });

  it('should refuse to delete a tenant and change nothing', async () => {
    const t = await tenant();
    await svc.createEndpoint(t, { id: 'extra' }, 'test');
    await expect(svc.deleteTenant(t, 'test')).rejects.toMatchObject({ status: 409 });
    expect((await svc.listEndpoints(t)).map((e) => e.id).sort()).toEqual(['default', 'extra']);
    expect((await svc.getTenant(t)).id).toBe(t);
  });
});

describe('guardFor (roles and e-mail domains)', () => {
  it('should need no guard for full roles without domains', () => {
    expect(guardFor(['users:read', 'users:write', 'groups:read', 'groups:write'], [])).toBeUndefined();
  });

  it('should refuse missing roles with 403 insufficient_scope', () => {
    const g = guardFor(['users:read'], [])!;
    expect(() => g.checkAccess('User', false)).not.toThrow();
    expect(() => g.checkAccess('User', true)).toThrow(
      expect.objectContaining({ status: 403, scimType: 'insufficient_scope' }),
    );
    expect(() => g.checkAccess('Group', false)).toThrow(expect.objectContaining({ status: 403 }));
  });

  it('should refuse writes and hide reads outside the allowed domains, subdomains included', () => {
    const g = guardFor(['users:read', 'users:write', 'groups:read', 'groups:write'], ['acme.com'])!;
    expect(() =>
      g.checkWrite('User', { userName: 'a@acme.com', emails: [{ value: 'a@eu.acme.com' }] }),
    ).not.toThrow();
    expect(() => g.checkWrite('User', { userName: 'a@acme.com', emails: [{ value: 'a@evil.com' }] })).toThrow(
      expect.objectContaining({ status: 403 }),
    );
    expect(() => g.checkWrite('User', { userName: 'no-at-sign' })).toThrow(
      expect.objectContaining({ status: 403 }),
    );
    expect(g.canRead('User', { userName: 'x@notacme.com' })).toBe(false);
    expect(g.canRead('Group', { displayName: 'Anything' })).toBe(true);
  });
});
