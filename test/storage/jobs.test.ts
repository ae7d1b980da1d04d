import { jest } from '@jest/globals';
import { translateStorageError } from '../../shared/adapters/dynamodb/errors';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoCredentialRepository } from '../../shared/adapters/dynamodb/credential-repository';
import { OutboxMailer } from '../../shared/adapters/local/outbox-mailer';
import { FilePepperSource } from '../../shared/adapters/local/pepper-file';
import { CredentialService } from '../../shared/domain/credential-service';
import { Jobs, type JobReport, type Mailer, type MailMessage } from '../../shared/domain/jobs';
import type { Clock } from '../../shared/domain/ports';
import { issuedSecrets } from '../support/harness';
import { createTestTable } from '../support/tables';

jest.setTimeout(60_000);

const DAY = 86_400_000;
const HOUR = 3_600_000;
const ctx = { actor: 'test-admin', origin: 'https://scim.example.com' };

class FakeMailer implements Mailer {
  readonly sent: MailMessage[] = [];
  calls = 0;
  constructor(private readonly fail: (m: MailMessage, call: number) => boolean = () => false) {}
  async send(m: MailMessage): Promise<void> {
    this.calls++;
    if (this.fail(m, this.calls)) throw new Error(`SES refused the message to ${m.to}`);
    this.sent.push(m);
  }
}

/** One isolated world per test: a fresh table (the byDue index spans tenants), a fake clock, a mailer. */
async function world(start = '2026-01-01T00:00:00.000Z') {
  const table = await createTestTable();
  let now = new Date(start);
  const clock: Clock = { now: () => now };
  const repo = new DynamoCredentialRepository(table.doc, table.tableName);
  const pepper = new FilePepperSource(join(mkdtempSync(join(tmpdir(), 'pep-')), 'pepper.json'));
  const svc = new CredentialService(repo, pepper, clock);
  const mailer = new FakeMailer();
  const jobs = (options: { mailer?: Mailer; retries?: number; doc?: unknown } = {}): Jobs =>
    new Jobs({
      repo: options.doc ? new DynamoCredentialRepository(options.doc as never, table.tableName) : repo,
      mailer: options.mailer ?? mailer,
      deactivateIdle: async (tenantId, id, at) =>
        (await new CredentialService(repo, pepper, { now: () => at }).deactivateIdle(tenantId, id)) !==
        undefined,
      consoleUrl: 'https://console.example.com',
      retryBaseMs: 1,
      ...(options.retries !== undefined ? { retries: options.retries } : {}),
    });
  let seq = 0;
  const tenant = async (reminders: Record<string, unknown> = {}, policy: Record<string, unknown> = {}) => {
    const id = `t${++seq}`;
    await svc.createTenant(
      {
        id,
        name: `Tenant ${seq}`,
        policy: { ...policy, reminders: { recipients: ['ops@example.com'], ...reminders } } as never,
      },
      'test',
    );
    return id;
  };
  const issue = async (t: string, input: Record<string, unknown> = {}) => {
    const issued = await svc.issue(
      t,
      { kind: 'bearer', name: 'Okta provisioning', idleDays: 3650, ...input } as never,
      ctx,
    );
    issuedSecrets.push(issued.secret);
    return issued;
  };
  return {
    table,
    repo,
    svc,
    mailer,
    jobs,
    tenant,
    issue,
    get now() {
      return now;
    },
    set: (iso: string) => {
      now = new Date(iso);
    },
    advance: (ms: number) => {
      now = new Date(now.getTime() + ms);
    },
  };
}

const slotsOf = (r: JobReport) => r.sent.flatMap((s) => s.items.map((i) => `${s.to} ${i.slot}`)).sort();
const recipientsOf = (r: JobReport) => r.sent.map((s) => s.to).sort();

describe('reminder job (DynamoDB Local, fake clock)', () => {
  it('should send each weekly slot once per recipient, then the at-expiry mail, and mark the credential expired', async () => {
    const w = await world();
    const t = await w.tenant({
      recipients: ['a@example.com', 'b@example.com'],
      leadDays: 14,
      frequency: 'weekly',
    });
    const { credential } = await w.issue(t, { lifetimeDays: 30 }); // expires 2026-01-31T00:00Z
    const j = w.jobs();

    expect((await j.runReminders(w.now)).sent).toEqual([]);
    w.set('2026-01-17T01:00:00.000Z');
    const first = await j.runReminders(w.now);
    expect(slotsOf(first)).toEqual([
      'a@example.com expiry:1:2026-01-17T00:00:00.000Z',
      'b@example.com expiry:1:2026-01-17T00:00:00.000Z',
    ]);
    expect((await j.runReminders(w.now)).sent).toEqual([]);
    w.set('2026-01-20T00:00:00.000Z');
    expect((await j.runReminders(w.now)).sent).toEqual([]);
    w.set('2026-01-24T00:00:00.000Z');
    expect(slotsOf(await j.runReminders(w.now))).toEqual([
      'a@example.com expiry:1:2026-01-24T00:00:00.000Z',
      'b@example.com expiry:1:2026-01-24T00:00:00.000Z',
    ]);
    w.set('2026-01-31T00:05:00.000Z');
    const atExpiry = await j.runReminders(w.now);
    expect(slotsOf(atExpiry)).toEqual(['a@example.com atExpiry:1', 'b@example.com atExpiry:1']);
    expect(atExpiry.changes).toEqual([{ tenantId: t, credentialId: credential.id, change: 'expired' }]);
    expect((await j.runReminders(w.now)).changes).toEqual([]);

    // Out of the index: a run far in the future reads nothing.
    w.set('2027-01-01T00:00:00.000Z');
    expect((await j.runReminders(w.now)).due).toBe(0);
    const types = (await w.svc.audit(t, { credentialId: credential.id, limit: 50 })).events.map(
      (e) => e.type,
    );
    expect(types.filter((x) => x === 'credential.reminder-sent')).toHaveLength(6);
    expect(types.filter((x) => x === 'credential.expired')).toHaveLength(1);
    expect(w.mailer.sent).toHaveLength(6);
  });

  it('should send no expiry e-mail for a credential whose expiry notifications are off, and resume when on', async () => {
    const w = await world();
    const t = await w.tenant({ recipients: ['a@example.com'], leadDays: 14, frequency: 'weekly' });
    const quiet = await w.issue(t, { lifetimeDays: 30, expiryNotifications: false }); // expires 2026-01-31
    const loud = await w.issue(t, { lifetimeDays: 30, name: 'Entra provisioning' });
    expect(quiet.credential.expiryNotifications).toBe(false);
    const j = w.jobs();
    w.set('2026-01-17T01:00:00.000Z');
    const first = await j.runReminders(w.now);
    expect(first.sent.flatMap((s) => s.items.map((i) => i.credentialId))).toEqual([loud.credential.id]);

    // Switched on: the current slot of the series is sent; switched off again: nothing more, not even at expiry.
    await w.svc.update(t, quiet.credential.id, { expiryNotifications: true }, 'admin');
    w.set('2026-01-17T02:00:00.000Z');
    expect(slotsOf(await j.runReminders(w.now))).toEqual(['a@example.com expiry:1:2026-01-17T00:00:00.000Z']);
    await w.svc.update(t, quiet.credential.id, { expiryNotifications: false }, 'admin');
    w.set('2026-01-31T00:05:00.000Z');
    const atExpiry = await j.runReminders(w.now);
    expect(atExpiry.sent.flatMap((s) => s.items.map((i) => i.credentialId))).toEqual([loud.credential.id]);
    // The expiry is still recorded for both.
    expect(atExpiry.changes.map((c) => c.credentialId).sort()).toEqual(
      [quiet.credential.id, loud.credential.id].sort(),
    );
    const sentFor = (id: string) => w.mailer.sent.filter((m) => m.text.includes(id)).length;
    expect(sentFor(quiet.credential.id)).toBe(1);
  });

  it('should not let claims dated in the future (a clock that was ahead) block their slots', async () => {
    const w = await world();
    const t = await w.tenant({ recipients: ['a@example.com'], leadDays: 14, frequency: 'weekly' });
    const { credential } = await w.issue(t, { lifetimeDays: 30 }); // expires 2026-01-31T00:00Z
    // A run whose clock was a day ahead claimed the at-expiry records and crashed before marking them.
    const ahead = '2026-02-01T00:05:00.000Z';
    for (const [slot, recipient] of [
      ['atExpiry:1', 'a@example.com'],
      ['expire:1', '-'],
    ] as const) {
      expect(
        await w.repo.claim({
          tenantId: t,
          credentialId: credential.id,
          slot,
          recipient,
          state: 'claimed',
          claimedAt: ahead,
        }),
      ).toBe(true);
    }
    w.set('2026-01-31T00:05:00.000Z');
    const report = await w.jobs().runReminders(w.now);
    // Not "in flight" until real time catches up: the mail is reported, the expiry is recorded now.
    expect(report.possiblySent).toEqual([
      expect.objectContaining({ slot: 'atExpiry:1', recipient: 'a@example.com' }),
    ]);
    expect(report.changes).toEqual([{ tenantId: t, credentialId: credential.id, change: 'expired' }]);
    const events = (await w.svc.audit(t, { credentialId: credential.id, limit: 50 })).events;
    const expired = events.filter((e) => e.type === 'credential.expired');
    expect(expired.map((e) => e.at)).toEqual(['2026-01-31T00:05:00.000Z']);
    expect((await w.jobs().runReminders(w.now)).changes).toEqual([]);
  });

  it('should record an expiry again at the real time when a clock that was ahead recorded it early', async () => {
    const w = await world();
    const t = await w.tenant({ recipients: ['a@example.com'] });
    const { credential } = await w.issue(t, { lifetimeDays: 30 });
    expect(
      await w.repo.claim({
        tenantId: t,
        credentialId: credential.id,
        slot: 'expire:1',
        recipient: '-',
        state: 'claimed',
        claimedAt: '2026-03-01T00:00:00.000Z',
      }),
    ).toBe(true);
    await w.repo.markSent(t, credential.id, 'expire:1', '-', '2026-03-01T00:00:00.000Z');
    w.set('2026-01-31T00:05:00.000Z');
    expect((await w.jobs().runReminders(w.now)).changes).toEqual([
      { tenantId: t, credentialId: credential.id, change: 'expired' },
    ]);
    // Re-dated: done from now on.
    expect((await w.jobs().runReminders(w.now)).changes).toEqual([]);
  });

  it('should send a daily cadence once a day even when the job runs every eight hours', async () => {
    const w = await world();
    const t = await w.tenant({ leadDays: 3, frequency: 'daily', atExpiry: false });
    await w.issue(t, { expiresAt: '2026-01-10T12:00:00.000Z' });
    const j = w.jobs();
    const slots: string[] = [];
    for (let i = 0; i < 3 * 12; i++) {
      slots.push(...slotsOf(await j.runReminders(w.now)));
      w.advance(8 * HOUR);
    }
    expect(slots).toEqual([
      'ops@example.com expiry:1:2026-01-07T12:00:00.000Z',
      'ops@example.com expiry:1:2026-01-08T12:00:00.000Z',
      'ops@example.com expiry:1:2026-01-09T12:00:00.000Z',
    ]);
  });

  it.each([
    ['a common year', '2027', ['2027-01-31', '2027-02-28', '2027-03-31'], '2027-04-30T00:00:00.000Z', 89],
    [
      'the leap year 2028',
      '2028',
      ['2028-01-31', '2028-02-29', '2028-03-31'],
      '2028-04-30T00:00:00.000Z',
      90,
    ],
  ])(
    'should send a monthly cadence by calendar month across month ends in %s',
    async (_label, year, days, expiresAt, leadDays) => {
      const w = await world(`${year}-01-01T00:00:00.000Z`);
      const t = await w.tenant({ leadDays, frequency: 'monthly' });
      await w.issue(t, { expiresAt });
      const j = w.jobs();
      const slots: string[] = [];
      for (let i = 0; i < 125 / 3; i++) {
        slots.push(...slotsOf(await j.runReminders(w.now)));
        w.advance(3 * DAY);
      }
      expect(slots).toEqual([
        ...days.map((d) => `ops@example.com expiry:1:${d}T00:00:00.000Z`),
        'ops@example.com atExpiry:1',
      ]);
    },
  );

  it('should remind at once when the lead time is longer than the remaining life, and only once', async () => {
    const w = await world();
    const t = await w.tenant({ leadDays: 60, frequency: 'weekly' });
    await w.issue(t, { lifetimeDays: 10 });
    const j = w.jobs();
    const r = await j.runReminders(w.now);
    expect(r.sent).toHaveLength(1);
    expect(w.mailer.sent[0]?.subject).toMatch(/expires in 10 days/);
    expect((await j.runReminders(w.now)).sent).toEqual([]);
    w.advance(2 * DAY);
    expect((await j.runReminders(w.now)).sent).toEqual([]);
  });

  it('should send one digest per recipient listing every credential due for that recipient', async () => {
    const w = await world();
    const t1 = await w.tenant({ recipients: ['shared@example.com'], leadDays: 7 });
    const t2 = await w.tenant({ recipients: ['shared@example.com', 'solo@example.com'], leadDays: 7 });
    await w.issue(t1, { lifetimeDays: 5, name: 'Okta' });
    await w.issue(t1, { lifetimeDays: 6, name: 'Entra' });
    await w.issue(t2, { lifetimeDays: 3, name: 'Ping' });
    const r = await w.jobs().runReminders(w.now);
    expect(r.sent.map((s) => [s.to, s.items.length]).sort()).toEqual([
      ['shared@example.com', 3],
      ['solo@example.com', 1],
    ]);
    const digest = w.mailer.sent.find((m) => m.to === 'shared@example.com')!;
    expect(digest.subject).toMatch(/3 credentials need attention/);
    expect(digest.text).toMatch(/Ping[\s\S]*Okta[\s\S]*Entra/);
    expect(digest.tenantIds?.sort()).toEqual([t1, t2]);
  });

  it('should never send twice when two runs race', async () => {
    const w = await world();
    const t = await w.tenant({
      recipients: ['a@example.com', 'b@example.com', 'c@example.com'],
      leadDays: 7,
    });
    await w.issue(t, { lifetimeDays: 5 });
    await w.issue(t, { lifetimeDays: 6 });
    const m1 = new FakeMailer();
    const m2 = new FakeMailer();
    const [r1, r2] = await Promise.all([
      w.jobs({ mailer: m1 }).runReminders(w.now),
      w.jobs({ mailer: m2 }).runReminders(w.now),
    ]);
    const items = [...r1.sent, ...r2.sent].flatMap((s) => s.items.map((i) => `${s.to} ${i.credentialId}`));
    expect(items).toHaveLength(6);
    expect(new Set(items).size).toBe(6);
    expect((await w.jobs().runReminders(w.now)).sent).toEqual([]);
  });

  it('should resend only what failed when SES fails on the third of five recipients', async () => {
    const w = await world();
    const five = [1, 2, 3, 4, 5].map((i) => `r${i}@example.com`);
    const t = await w.tenant({ recipients: five, leadDays: 7 });
    await w.issue(t, { lifetimeDays: 5 });
    const flaky = new FakeMailer((_m, call) => call === 3);
    const first = await w.jobs({ mailer: flaky }).runReminders(w.now);
    expect(recipientsOf(first)).toEqual([
      'r1@example.com',
      'r2@example.com',
      'r4@example.com',
      'r5@example.com',
    ]);
    expect(first.failures).toEqual([expect.objectContaining({ to: 'r3@example.com' })]);
    w.advance(HOUR);
    const second = await w.jobs({ mailer: flaky }).runReminders(w.now);
    expect(recipientsOf(second)).toEqual(['r3@example.com']);
    expect(second.failures).toEqual([]);
    expect((await w.jobs({ mailer: flaky }).runReminders(w.now)).sent).toEqual([]);
    expect(flaky.sent.map((m) => m.to).sort()).toEqual(five);
  });

  it('should survive a throttled DynamoDB: retry within the run, or report and complete on the rerun', async () => {
    const w = await world();
    const t = await w.tenant({ leadDays: 7 });
    await w.issue(t, { lifetimeDays: 5 });
    let throttles = 0;
    const throttlingOnce = (budget: number) => {
      let left = budget;
      return {
        send: (command: { input: { Item?: { pk?: string } } }) => {
          if (left > 0 && String(command.input.Item?.pk ?? '').includes('#REMINDER#')) {
            left--;
            throttles++;
            // What the document client's error middleware makes of DynamoDB's throttling error.
            return Promise.reject(
              translateStorageError(
                Object.assign(new Error('Rate of requests exceeds the allowed throughput.'), {
                  name: 'ThrottlingException',
                }),
              ),
            );
          }
          return w.table.doc.send(command as never);
        },
      };
    };
    // No retries: the claim fails, the run reports it, nothing is sent; the rerun completes.
    const reported = await w.jobs({ doc: throttlingOnce(1), retries: 0 }).runReminders(w.now);
    expect(reported.sent).toEqual([]);
    expect(reported.failures).toEqual([
      expect.objectContaining({ error: expect.stringMatching(/storage is busy/) }),
    ]);
    const rerun = await w.jobs().runReminders(w.now);
    expect(rerun.sent).toHaveLength(1);
    // With retries: the run itself completes.
    const t2 = await w.tenant({ leadDays: 7, recipients: ['other@example.com'] });
    await w.issue(t2, { lifetimeDays: 5 });
    const retried = await w.jobs({ doc: throttlingOnce(1) }).runReminders(w.now);
    expect(recipientsOf(retried)).toEqual(['other@example.com']);
    expect(retried.failures).toEqual([]);
    expect(throttles).toBe(2);
    expect(w.mailer.sent).toHaveLength(2);
  });

  it('should start a new series when the credential is extended or rotated between runs', async () => {
    const w = await world();
    const t = await w.tenant({ leadDays: 14, frequency: 'weekly' }, { defaultLifetimeDays: 30 });
    const { credential } = await w.issue(t, { lifetimeDays: 30 }); // expires 2026-01-31
    const j = w.jobs();
    w.set('2026-01-18T00:00:00.000Z');
    expect(slotsOf(await j.runReminders(w.now))).toEqual([
      'ops@example.com expiry:1:2026-01-17T00:00:00.000Z',
    ]);

    await w.svc.extend(t, credential.id, { expiresAt: '2026-02-10T00:00:00.000Z' }, 'admin');
    // New expiry, new series: the current slot of the new series (from 2026-01-27) is not due yet.
    expect((await j.runReminders(w.now)).sent).toEqual([]);
    w.set('2026-01-27T01:00:00.000Z');
    expect(slotsOf(await j.runReminders(w.now))).toEqual([
      'ops@example.com expiry:2:2026-01-27T00:00:00.000Z',
    ]);

    await w.svc.rotate(t, credential.id, {}, ctx); // expiry now + 30 days → 2026-02-26T01:00Z, series 3
    expect((await j.runReminders(w.now)).sent).toEqual([]);
    w.set('2026-02-12T02:00:00.000Z');
    expect(slotsOf(await j.runReminders(w.now))).toEqual([
      'ops@example.com expiry:3:2026-02-12T01:00:00.000Z',
    ]);
    expect(w.mailer.sent.at(-1)?.text).toContain('Thu, 26 Feb 2026, 01:00 UTC');
    // The mail's console link opens this credential's page.
    expect(w.mailer.sent.at(-1)?.text).toContain(`https://console.example.com#/credentials/${credential.id}`);
  });

  it('should never resend a slot already sent when the settings change between runs', async () => {
    const w = await world();
    const t = await w.tenant({ leadDays: 14, frequency: 'weekly' });
    const { credential } = await w.issue(t, { lifetimeDays: 30 }); // expires 2026-01-31
    const j = w.jobs();
    w.set('2026-01-17T01:00:00.000Z');
    expect((await j.runReminders(w.now)).sent).toHaveLength(1);

    // Weekly → daily: today's daily slot is the slot already sent.
    await w.svc.update(t, credential.id, { reminders: { frequency: 'daily' } }, 'admin');
    expect((await j.runReminders(w.now)).sent).toEqual([]);
    // A longer lead time moves the slots earlier: the current one started before the mail went out.
    await w.svc.update(t, credential.id, { reminders: { leadDays: 20 } }, 'admin');
    expect((await j.runReminders(w.now)).sent).toEqual([]);
    // The tenant's defaults change: same.
    await w.svc.updatePolicy(t, { reminders: { leadDays: 21 } as never }, 'admin');
    expect((await j.runReminders(w.now)).sent).toEqual([]);
    // A new recipient has not been told yet.
    await w.svc.update(
      t,
      credential.id,
      { reminders: { recipients: ['ops@example.com', 'new@example.com'] } },
      'admin',
    );
    expect(slotsOf(await j.runReminders(w.now))).toEqual([
      'new@example.com expiry:1:2026-01-17T00:00:00.000Z',
    ]);
    // The next daily slot goes to both.
    w.set('2026-01-18T00:30:00.000Z');
    expect(recipientsOf(await j.runReminders(w.now))).toEqual(['new@example.com', 'ops@example.com']);
  });

  it('should write .eml files to the outbox', async () => {
    const w = await world();
    const t = await w.tenant({ leadDays: 7 });
    await w.issue(t, { lifetimeDays: 5 });
    const dir = mkdtempSync(join(tmpdir(), 'outbox-'));
    const lines: string[] = [];
    await w
      .jobs({ mailer: new OutboxMailer(dir, undefined, undefined, (l) => lines.push(l)) })
      .runReminders(w.now);
    const files = readdirSync(dir);
    expect(files).toHaveLength(1);
    const eml = readFileSync(join(dir, files[0]!), 'utf8');
    expect(eml).toMatch(
      /^From: .*\r\nTo: ops@example.com\r\nSubject: \[scimgate\] Credential "Okta provisioning"/,
    );
    expect(eml).toContain('Content-Type: multipart/alternative; boundary=');
    expect(eml).toContain('Content-Type: text/plain; charset=utf-8');
    expect(eml).toContain('Content-Type: text/html; charset=utf-8');
    expect(JSON.parse(lines[0]!)).toMatchObject({
      message: 'mail written to the outbox',
      to: 'ops@example.com',
    });
  });

  it('should skip suppressed recipients and report them', async () => {
    const w = await world();
    const t = await w.tenant({ leadDays: 7, recipients: ['gone@example.com', 'ok@example.com'] });
    await w.issue(t, { lifetimeDays: 5 });
    await w.repo.recordSuppressed({
      tenantId: t,
      email: 'gone@example.com',
      reason: 'bounce',
      at: w.now.toISOString(),
    });
    const r = await w.jobs().runReminders(w.now);
    expect(recipientsOf(r)).toEqual(['ok@example.com']);
    expect(r.suppressed).toEqual([expect.objectContaining({ to: 'gone@example.com' })]);
  });

  it('should report a claim left by a crash between send and mark, and not resend it', async () => {
    const w = await world();
    const t = await w.tenant({ leadDays: 7 });
    const { credential } = await w.issue(t, { lifetimeDays: 5 });
    const slot = `expiry:1:${new Date(Date.parse(credential.expiresAt) - 7 * DAY).toISOString()}`;
    await w.repo.claim({
      tenantId: t,
      credentialId: credential.id,
      slot,
      recipient: 'ops@example.com',
      state: 'claimed',
      claimedAt: w.now.toISOString(),
    });
    // Fresh: another run may be sending right now.
    expect((await w.jobs().runReminders(w.now)).sent).toEqual([]);
    w.advance(20 * 60_000);
    const r = await w.jobs().runReminders(w.now);
    expect(r.sent).toEqual([]);
    expect(r.possiblySent).toEqual([expect.objectContaining({ slot, recipient: 'ops@example.com' })]);
  });
});

describe('idle job (DynamoDB Local, fake clock)', () => {
  const auth = (w: Awaited<ReturnType<typeof world>>, t: string, secret: string) =>
    w.svc.authenticate(
      {
        authorization: `Bearer ${secret}`,
        sourceIp: '10.0.0.1',
        userAgent: 'Okta SCIM/1.0',
        origin: ctx.origin,
      },
      t,
      'default',
    );

  it('should warn before idleness and not deactivate a credential used after the warning', async () => {
    const w = await world();
    const t = await w.tenant({ idleWarningDays: 7 }, { idleDays: 30 });
    const issued = await w.issue(t, { idleDays: 30 });
    w.advance(HOUR);
    await auth(w, t, issued.secret); // first use: a credential write
    const j = w.jobs();
    w.set('2026-01-24T02:00:00.000Z');
    const warned = await j.runIdle(w.now);
    expect(slotsOf(warned)).toEqual(['ops@example.com idleWarning:2026-01-01T01:00:00.000Z']);
    expect(w.mailer.sent[0]?.subject).toMatch(
      /will be deactivated for inactivity on Sat, 31 Jan 2026, 01:00 UTC/,
    );
    expect((await j.runIdle(w.now)).sent).toEqual([]);

    await auth(w, t, issued.secret); // a later use: the cheap last-used write, which leaves dueAt where it was
    w.set('2026-01-31T02:00:00.000Z');
    const r = await j.runIdle(w.now);
    expect(r.due).toBe(1);
    expect(r.changes).toEqual([]);
    expect((await w.svc.show(t, issued.credential.id)).state).toBe('active');
    // It moved on: due again only at the next warning.
    expect((await j.runIdle(w.now)).due).toBe(0);
    w.set('2026-02-16T02:00:00.000Z');
    expect(slotsOf(await j.runIdle(w.now))).toEqual(['ops@example.com idleWarning:2026-01-24T02:00:00.000Z']);
  });

  it('should deactivate a credential that stayed silent after the warning', async () => {
    const w = await world();
    const t = await w.tenant({ idleWarningDays: 7 }, { idleDays: 30 });
    const issued = await w.issue(t, { idleDays: 30 });
    const j = w.jobs();
    w.set('2026-01-25T00:00:00.000Z');
    expect((await j.runIdle(w.now)).sent).toHaveLength(1);
    w.set('2026-01-31T00:10:00.000Z');
    const r = await j.runIdle(w.now);
    expect(r.changes).toEqual([{ tenantId: t, credentialId: issued.credential.id, change: 'deactivated' }]);
    expect((await w.svc.show(t, issued.credential.id)).status).toBe('deactivated');
    const types = (await w.svc.audit(t, { credentialId: issued.credential.id, limit: 20 })).events.map(
      (e) => e.type,
    );
    expect(types).toEqual(expect.arrayContaining(['credential.idle-warning', 'credential.deactivated']));
    expect((await j.runIdle(w.now)).due).toBe(0);
    expect((await j.runReminders(w.now)).due).toBe(0);

    // Reactivation starts a fresh idle window and a new warning later.
    await w.svc.reactivate(t, issued.credential.id, 'admin');
    w.set('2026-02-23T00:10:00.000Z');
    expect(slotsOf(await j.runIdle(w.now))).toEqual(['ops@example.com idleWarning:2026-01-31T00:10:00.000Z']);
  });

  it('should leave the reminder work to the reminder job and the idle work to the idle job', async () => {
    const w = await world();
    const t = await w.tenant({ leadDays: 14, idleWarningDays: 7 }, { idleDays: 30 });
    await w.issue(t, { idleDays: 30, lifetimeDays: 40 }); // reminders from day 26, idle warning from day 23
    w.set('2026-01-27T00:00:00.000Z');
    const j = w.jobs();
    expect(slotsOf(await j.runReminders(w.now))).toEqual([
      'ops@example.com expiry:1:2026-01-27T00:00:00.000Z',
    ]);
    expect(slotsOf(await j.runIdle(w.now))).toEqual(['ops@example.com idleWarning:2026-01-01T00:00:00.000Z']);
    // Both done: neither job reads it again until something new is due.
    expect((await j.runReminders(w.now)).due).toBe(0);
    expect((await j.runIdle(w.now)).due).toBe(0);
  });
});
