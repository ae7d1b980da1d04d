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

describe('the job route outside the local server', () => {
  it('should not be served by the deployed management function (no LOCAL_JOBS_ROUTE) nor routed by API Gateway', async () => {
    const { startHarness } = await import('../support/harness');
    const { apiRoutes } = await import('../../infra/api-routes');
    const { eventFor } = await import('../support/invoke');
    // The harness's management handler is the Lambda entry's composition root over a container without the flag.
    const deployed = await startHarness({ tenantId: 'deployed' });
    try {
      const res = await deployed.container.handlers.management(
        eventFor({
          method: 'POST',
          path: '/admin/v1/jobs/reminders/run',
          headers: {
            'x-amzn-iam-caller': 'arn:aws:iam::123456789012:user/ops',
            'content-type': 'application/json',
          },
          query: {},
          body: JSON.stringify({ now: '9999-12-31T00:00:00Z' }),
          sourceIp: '203.0.113.9',
          userAgent: 'test',
          origin: 'https://api.example.com',
        }),
        { awsRequestId: 'deployed', getRemainingTimeInMillis: () => 29_000 } as never,
      );
      expect(res.statusCode).toBe(404);
      expect(JSON.parse(String(res.body)).error.message).toMatch(/local server only/);
      // Nothing ran: no audit event, no claim.
      const audit = await deployed.container.credentials.audit('deployed', { limit: 50 });
      expect(audit.events.filter((e) => e.at.startsWith('9999'))).toEqual([]);
      expect(apiRoutes().some((r) => r.path.includes('/jobs/'))).toBe(false);
    } finally {
      await deployed.close();
    }
  });
});
