import { DEFAULT_POLICY, type TenantPolicy } from '../../shared/domain/credential-model';
import {
  addMonthsUtc,
  cadenceSlots,
  dueWork,
  effectiveReminders,
  nextDueAfter,
  nextDueAt,
  reminderSlots,
  type ReminderCredential,
} from '../../shared/domain/reminders';

const DAY = 86_400_000;
const iso = (d: Date) => d.toISOString();
const at = (s: string) => new Date(s);

const policy = (reminders: Partial<TenantPolicy['reminders']> = {}): TenantPolicy => ({
  ...DEFAULT_POLICY,
  reminders: { ...DEFAULT_POLICY.reminders, recipients: ['ops@example.com'], ...reminders },
});

const cred = (over: Partial<ReminderCredential> = {}): ReminderCredential => ({
  status: 'active',
  expiresAt: '2026-03-01T12:00:00.000Z',
  idleDays: 3650,
  activeSince: '2026-01-01T00:00:00.000Z',
  series: 1,
  ...over,
});

describe('effectiveReminders', () => {
  it('should inherit every unset field from the tenant and replace recipients only when given', () => {
    const p = policy({ leadDays: 10, frequency: 'daily' });
    expect(effectiveReminders({ reminders: { leadDays: 3 } }, p)).toEqual({
      recipients: ['ops@example.com'],
      leadDays: 3,
      frequency: 'daily',
      atExpiry: true,
      idleWarningDays: 7,
    });
    expect(effectiveReminders({ reminders: { recipients: [] } }, p).recipients).toEqual(['ops@example.com']);
    expect(
      effectiveReminders({ reminders: { recipients: ['A@Example.com', 'a@example.com '] } }, p).recipients,
    ).toEqual(['a@example.com']);
  });
});

describe('addMonthsUtc', () => {
  it('should clamp to the end of shorter months and keep the time of day', () => {
    expect(iso(addMonthsUtc(at('2027-01-31T09:30:00Z'), 1))).toBe('2027-02-28T09:30:00.000Z');
    expect(iso(addMonthsUtc(at('2028-01-31T09:30:00Z'), 1))).toBe('2028-02-29T09:30:00.000Z');
    expect(iso(addMonthsUtc(at('2028-01-31T09:30:00Z'), 2))).toBe('2028-03-31T09:30:00.000Z');
    expect(iso(addMonthsUtc(at('2026-12-15T00:00:00Z'), 1))).toBe('2027-01-15T00:00:00.000Z');
    expect(iso(addMonthsUtc(at('2028-02-29T00:00:00Z'), 12))).toBe('2029-02-28T00:00:00.000Z');
  });
});

describe('cadenceSlots', () => {
  it('should step daily from expiry minus the lead time and stop before expiry', () => {
    const slots = cadenceSlots(at('2026-03-01T12:00:00Z'), { leadDays: 3, frequency: 'daily' });
    expect(slots.map(iso)).toEqual([
      '2026-02-26T12:00:00.000Z',
      '2026-02-27T12:00:00.000Z',
      '2026-02-28T12:00:00.000Z',
    ]);
  });

  it('should step weekly', () => {
    const slots = cadenceSlots(at('2026-03-01T12:00:00Z'), { leadDays: 14, frequency: 'weekly' });
    expect(slots.map(iso)).toEqual(['2026-02-15T12:00:00.000Z', '2026-02-22T12:00:00.000Z']);
  });

  it('should step by calendar month across Jan 31 in a common year', () => {
    // Expiry 2027-04-30: lead 89 days → first slot 2027-01-31.
    const slots = cadenceSlots(at('2027-04-30T00:00:00Z'), { leadDays: 89, frequency: 'monthly' });
    expect(slots.map(iso)).toEqual([
      '2027-01-31T00:00:00.000Z',
      '2027-02-28T00:00:00.000Z',
      '2027-03-31T00:00:00.000Z',
    ]);
  });

  it('should step by calendar month across Jan 31 in the leap year 2028', () => {
    const slots = cadenceSlots(at('2028-04-30T00:00:00Z'), { leadDays: 90, frequency: 'monthly' });
    expect(slots.map(iso)).toEqual([
      '2028-01-31T00:00:00.000Z',
      '2028-02-29T00:00:00.000Z',
      '2028-03-31T00:00:00.000Z',
    ]);
  });

  it('should give no cadence slot with a lead time of 0', () => {
    expect(cadenceSlots(at('2026-03-01T12:00:00Z'), { leadDays: 0, frequency: 'daily' })).toEqual([]);
  });
});

describe('reminderSlots', () => {
  const p = policy({ leadDays: 14, frequency: 'weekly' });

  it('should be empty before the lead window and name the current slot inside it', () => {
    expect(reminderSlots(cred(), p, at('2026-02-15T11:59:59Z'))).toEqual([]);
    expect(reminderSlots(cred(), p, at('2026-02-15T12:00:00Z')).map((s) => s.key)).toEqual([
      'expiry:1:2026-02-15T12:00:00.000Z',
    ]);
    expect(reminderSlots(cred(), p, at('2026-02-21T23:00:00Z')).map((s) => s.key)).toEqual([
      'expiry:1:2026-02-15T12:00:00.000Z',
    ]);
    expect(reminderSlots(cred(), p, at('2026-02-28T00:00:00Z')).map((s) => s.key)).toEqual([
      'expiry:1:2026-02-22T12:00:00.000Z',
    ]);
  });

  it('should give the at-expiry slot at expiry when configured, and nothing when not', () => {
    expect(reminderSlots(cred(), p, at('2026-03-01T12:00:00Z')).map((s) => s.key)).toEqual(['atExpiry:1']);
    expect(reminderSlots(cred({ reminders: { atExpiry: false } }), p, at('2026-03-02T00:00:00Z'))).toEqual(
      [],
    );
    expect(dueWork(cred(), p, at('2026-03-01T12:00:00Z')).map((w) => w.kind)).toEqual(['expire', 'atExpiry']);
  });

  it('should make the current slot due at once when the lead time is longer than the remaining life', () => {
    // Issued 2026-02-20 with 9 days left, lead 60 days monthly: slots from 2025-12-31; the current one is Jan 31 +1m.
    const c = cred({
      activeSince: '2026-02-20T00:00:00.000Z',
      reminders: { leadDays: 60, frequency: 'monthly' },
    });
    const now = at('2026-02-20T00:00:00Z');
    const slots = reminderSlots(c, p, now);
    expect(slots.map((s) => s.key)).toEqual(['expiry:1:2026-01-31T12:00:00.000Z']);
    expect(iso(nextDueAt(c, p, now)!)).toBe('2026-01-31T12:00:00.000Z');
    expect(iso(nextDueAfter(c, p, now)!)).toBe('2026-02-28T12:00:00.000Z');
  });

  it('should key slots by series so that extending or rotating starts over', () => {
    const now = at('2026-02-16T00:00:00Z');
    expect(reminderSlots(cred({ series: 2 }), p, now)[0]?.key).toBe('expiry:2:2026-02-15T12:00:00.000Z');
  });

  it('should warn before idleness, key the warning by the idle window, then ask for deactivation', () => {
    const c = cred({ idleDays: 30, expiresAt: '2027-01-01T00:00:00.000Z' });
    // idle at 2026-01-31T00:00Z; warning 7 days before.
    expect(dueWork(c, p, at('2026-01-23T23:59:59Z'))).toEqual([]);
    expect(dueWork(c, p, at('2026-01-24T00:00:00Z')).map((w) => w.key)).toEqual([
      'idleWarning:2026-01-01T00:00:00.000Z',
    ]);
    expect(dueWork(c, p, at('2026-01-31T00:00:00Z')).map((w) => w.kind)).toEqual(['deactivate']);
    const used = { ...c, lastUsedAt: '2026-01-25T00:00:00.000Z' };
    expect(dueWork(used, p, at('2026-01-31T00:00:00Z'))).toEqual([]);
    expect(iso(nextDueAfter(used, p, at('2026-01-31T00:00:00Z'))!)).toBe('2026-02-17T00:00:00.000Z');
  });

  it('should not warn about idleness that would come after expiry', () => {
    const c = cred({ idleDays: 90 });
    expect(dueWork(c, p, at('2026-02-01T00:00:00Z'))).toEqual([]);
  });
});

describe('nextDueAt', () => {
  const p = policy({ leadDays: 14, frequency: 'weekly' });

  it('should be undefined for revoked and deactivated credentials', () => {
    expect(nextDueAt(cred({ status: 'revoked' }), p, at('2026-01-01T00:00:00Z'))).toBeUndefined();
    expect(nextDueAt(cred({ status: 'deactivated' }), p, at('2026-01-01T00:00:00Z'))).toBeUndefined();
  });

  it('should be the first slot, the pending slot, then expiry, and stay at expiry until a job clears it', () => {
    const c = cred();
    expect(iso(nextDueAt(c, p, at('2026-01-01T00:00:00Z'))!)).toBe('2026-02-15T12:00:00.000Z');
    expect(iso(nextDueAt(c, p, at('2026-02-16T00:00:00Z'))!)).toBe('2026-02-15T12:00:00.000Z');
    expect(iso(nextDueAfter(c, p, at('2026-02-16T00:00:00Z'))!)).toBe('2026-02-22T12:00:00.000Z');
    expect(iso(nextDueAfter(c, p, at('2026-02-23T00:00:00Z'))!)).toBe('2026-03-01T12:00:00.000Z');
    expect(iso(nextDueAt(c, p, at('2026-04-01T00:00:00Z'))!)).toBe('2026-03-01T12:00:00.000Z');
    expect(nextDueAfter(c, p, at('2026-04-01T00:00:00Z'))).toBeUndefined();
  });

  it('should include the idle warning and the idle instant', () => {
    const c = cred({ idleDays: 30 });
    expect(iso(nextDueAt(c, p, at('2026-01-02T00:00:00Z'))!)).toBe('2026-01-24T00:00:00.000Z');
    expect(iso(nextDueAfter(c, p, at('2026-01-25T00:00:00Z'))!)).toBe('2026-01-31T00:00:00.000Z');
    expect(
      nextDueAfter(c, p, at('2026-01-25T00:00:00Z'))!.getTime() - Date.parse('2026-01-01T00:00:00Z'),
    ).toBe(30 * DAY);
  });
});

describe('the expiry notification switch', () => {
  it('should make no expiry mail due while off, but still the expiry record and the idle work', () => {
    const off = cred({ expiryNotifications: false, idleDays: 30 });
    const p = policy({ leadDays: 14 });
    // Inside the reminder window, idle for 30 days: only the idle work (deactivation) is due.
    const inWindow = at('2026-02-20T00:00:00.000Z');
    expect(dueWork(cred({ idleDays: 3650 }), p, inWindow).map((w) => w.kind)).toEqual(['expiry']);
    expect(dueWork(off, p, inWindow).map((w) => w.kind)).toEqual(['deactivate']);
    // At expiry: the expiry record, no mail at expiry.
    const after = at('2026-03-01T12:00:00.000Z');
    expect(dueWork({ ...off, idleDays: 3650 }, p, after).map((w) => w.kind)).toEqual(['expire']);
    expect(dueWork(cred(), p, after).map((w) => w.kind)).toEqual(['expire', 'atExpiry']);
    // Nothing scheduled before expiry but the expiry itself.
    expect(nextDueAfter({ ...off, idleDays: 3650 }, p, at('2026-02-01T00:00:00.000Z'))).toEqual(
      at('2026-03-01T12:00:00.000Z'),
    );
    expect(dueWork(cred({ expiryNotifications: true }), p, inWindow).map((w) => w.kind)).toEqual(['expiry']);
  });
});
