/**
 * Credential policy over HTTP with a clock the test moves: extension capped from now (the age cap a separate,
 * optional tenant setting).
 */
import { startManagementHarness, TestClock, type ManagementHarness } from '../support/management-harness';

const DAY = 86_400_000;

let h: ManagementHarness;
const clock = new TestClock(new Date('2026-01-01T00:00:00.000Z'));

beforeAll(async () => {
  h = await startManagementHarness({ clock });
});
afterAll(async () => {
  await h.close();
});

async function createTenant(id: string, policy: Record<string, unknown>): Promise<void> {
  const res = await h.request('POST', '/tenants', { body: { id, name: id, policy } });
  expect(res.status).toBe(201);
}

describe('extending a key', () => {
  it('should extend a key created with the maximum lifetime by the maximum again, counted from now', async () => {
    await createTenant('ext', { defaultLifetimeDays: 30, maxLifetimeDays: 90 });
    const issued = await h.request('POST', '/tenants/ext/credentials', {
      body: { kind: 'bearer', name: 'Skyhigh', lifetimeDays: 90 },
    });
    expect(issued.status).toBe(201);
    expect((await h.request('GET', '/tenants/ext/policy')).body.maxSecretAgeDays).toBeUndefined();
    clock.advanceDays(80);
    const id = issued.body.credential.id as string;
    const extended = await h.request('POST', `/tenants/ext/credentials/${id}/extend`, { body: { days: 90 } });
    expect(extended.status).toBe(200);
    expect(extended.body.expiresAt).toBe(new Date(clock.now().getTime() + 90 * DAY).toISOString());
    const beyond = await h.request('POST', `/tenants/ext/credentials/${id}/extend`, { body: { days: 91 } });
    expect(beyond.status).toBe(400);
    expect(beyond.body.error.message).toMatch(/at most 90 days from now/);
  });

  it('should cap the age from the secret creation only when the tenant sets maxSecretAgeDays, and turn it off with null', async () => {
    await createTenant('age', { defaultLifetimeDays: 30, maxLifetimeDays: 90, maxSecretAgeDays: 120 });
    expect((await h.request('GET', '/tenants/age/policy')).body.maxSecretAgeDays).toBe(120);
    const issued = await h.request('POST', '/tenants/age/credentials', {
      body: { kind: 'bearer', name: 'Okta', lifetimeDays: 90 },
    });
    const id = issued.body.credential.id as string;
    const created = Date.parse(issued.body.credential.secretCreatedAt);
    clock.advanceDays(60);
    const refused = await h.request('POST', `/tenants/age/credentials/${id}/extend`, { body: { days: 90 } });
    expect(refused.status).toBe(400);
    expect(refused.body.error.message).toMatch(/120 days from its creation.*rotate/);
    const capped = await h.request('POST', `/tenants/age/credentials/${id}/extend`, {
      body: { expiresAt: new Date(created + 120 * DAY).toISOString() },
    });
    expect(capped.status).toBe(200);

    const off = await h.request('PATCH', '/tenants/age/policy', { body: { maxSecretAgeDays: null } });
    expect(off.status).toBe(200);
    expect(off.body).not.toHaveProperty('maxSecretAgeDays');
    expect(
      (await h.request('POST', `/tenants/age/credentials/${id}/extend`, { body: { days: 90 } })).status,
    ).toBe(200);
  });

  it('should refuse an age cap that is not a whole number of days or is below the longest lifetime', async () => {
    await createTenant('bad-age', { defaultLifetimeDays: 30, maxLifetimeDays: 90 });
    for (const value of [0, -1, 1.5, '365', true, 89]) {
      const res = await h.request('PATCH', '/tenants/bad-age/policy', { body: { maxSecretAgeDays: value } });
      expect({ value, status: res.status }).toEqual({ value, status: 400 });
    }
    expect((await h.request('GET', '/tenants/bad-age/policy')).body.maxSecretAgeDays).toBeUndefined();
    const created = await h.request('POST', '/tenants', {
      body: {
        id: 'bad-age-2',
        name: 'x',
        policy: { defaultLifetimeDays: 30, maxLifetimeDays: 90, maxSecretAgeDays: 30 },
      },
    });
    expect(created.status).toBe(400);
  });
});

describe('expiry notifications switch', () => {
  it('should store the switch per credential, change it with PATCH and keep the reminder job quiet while off', async () => {
    await createTenant('quiet', {
      defaultLifetimeDays: 30,
      maxLifetimeDays: 90,
      reminders: { recipients: ['ops@quiet.example'], leadDays: 14, frequency: 'weekly' },
    });
    const off = await h.request('POST', '/tenants/quiet/credentials', {
      body: { kind: 'bearer', name: 'Quiet', lifetimeDays: 30, expiryNotifications: false },
    });
    expect(off.status).toBe(201);
    expect(off.body.credential.expiryNotifications).toBe(false);
    const on = await h.request('POST', '/tenants/quiet/credentials', {
      body: { kind: 'bearer', name: 'Loud', lifetimeDays: 30 },
    });
    expect(on.body.credential).not.toHaveProperty('expiryNotifications'); // absent = on
    const id = off.body.credential.id as string;
    expect((await h.request('GET', `/tenants/quiet/credentials/${id}`)).body.expiryNotifications).toBe(false);
    for (const value of ['off', 0, null]) {
      const bad = await h.request('PATCH', `/tenants/quiet/credentials/${id}`, {
        body: { expiryNotifications: value },
      });
      expect({ value, status: bad.status }).toEqual({ value, status: 400 });
    }

    const expires = Date.parse(off.body.credential.expiresAt);
    const run = async (at: number) =>
      h.request('POST', '/jobs/reminders/run', { body: { now: new Date(at).toISOString() } });
    const first = await run(expires - 10 * DAY);
    expect(first.status).toBe(200);
    const credentialsMailed = (r: { body: { sent: { items: { credentialId: string }[] }[] } }) =>
      r.body.sent.flatMap((s) => s.items.map((i) => i.credentialId));
    expect(credentialsMailed(first)).toEqual([on.body.credential.id]);

    const switched = await h.request('PATCH', `/tenants/quiet/credentials/${id}`, {
      body: { expiryNotifications: true },
    });
    expect(switched.status).toBe(200);
    expect(switched.body.expiryNotifications).toBe(true);
    expect(credentialsMailed(await run(expires - 10 * DAY + 60_000))).toEqual([id]);
  });
});
