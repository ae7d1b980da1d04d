import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startManagementHarness, type ManagementHarness } from '../support/management-harness';

let h: ManagementHarness;
beforeAll(async () => {
  h = await startManagementHarness();
});
afterAll(async () => {
  await h.close();
});

describe('POST /admin/v1/jobs/{job}/run', () => {
  it('should run the reminder job once with a simulated clock, mail the outbox and not resend on a rerun', async () => {
    expect(
      (
        await h.request('POST', '/tenants', {
          body: {
            id: 'jobs',
            name: 'Jobs',
            policy: { reminders: { recipients: ['ops@example.com'], leadDays: 14 } },
          },
        })
      ).status,
    ).toBe(201);
    const issued = await h.request('POST', '/tenants/jobs/credentials', {
      body: { kind: 'bearer', name: 'Entra ID', lifetimeDays: 30 },
    });
    expect(issued.status).toBe(201);
    const expires = Date.parse(issued.body.credential.expiresAt);
    const now = new Date(expires - 10 * 86_400_000).toISOString();

    const first = await h.request('POST', '/jobs/reminders/run', { body: { now } });
    expect(first.status).toBe(200);
    expect(first.body.sent).toEqual([
      expect.objectContaining({
        to: 'ops@example.com',
        items: [expect.objectContaining({ credentialId: issued.body.credential.id })],
      }),
    ]);
    const mails = readdirSync(h.outboxDir).filter((f) => f.endsWith('.eml'));
    expect(mails).toHaveLength(1);
    const mail = readFileSync(join(h.outboxDir, mails[0]!), 'utf8');
    expect(mail).toContain('Entra ID');
    expect(mail).not.toContain(issued.body.secret);

    const rerun = await h.request('POST', '/jobs/reminders/run', { body: { now } });
    expect(rerun.status).toBe(200);
    expect(rerun.body.sent).toEqual([]);
  });

  it('should refuse an unknown job, a bad time and a missing admin key', async () => {
    expect((await h.request('POST', '/jobs/nope/run', { body: {} })).status).toBe(404);
    expect((await h.request('POST', '/jobs/idle/run', { body: { now: 'soon' } })).status).toBe(400);
    expect((await h.request('POST', '/jobs/idle/run', { body: {}, adminKey: null })).status).toBe(401);
    const idle = await h.request('POST', '/jobs/idle/run', { body: {} });
    expect(idle.status).toBe(200);
    expect(idle.body.job).toBe('idle');
  });
});
