/**
 * Reminder and idle schedule of one credential: pure functions of the credential, its tenant's policy and an
 * instant. No I/O. The jobs (jobs.ts) turn what is due into claims, mails and state changes; the credential service
 * stores `nextDueAt` so that the jobs read only what is due (docs/jobs.md).
 *
 * Slot keys name what a mail is about, so that a claim on (credential, slot, recipient) makes sending idempotent:
 *   expiry:<series>:<ISO of slot start>  cadence reminders from `expiresAt − leadDays`, stepping by a day, a week or
 *                                         a calendar month (UTC) until expiry
 *   atExpiry:<series>                    the mail at expiry
 *   idleWarning:<ISO of the idle window start>
 * State changes have keys too (claimed once, recipient '-'): `expired:<series>`. Deactivation needs no key: it
 * changes the credential's status, which is its own guard.
 */
import type { Credential, ReminderSettings, TenantPolicy } from './credential-model';

const DAY = 86_400_000;

export type ReminderCredential = Pick<
  Credential,
  | 'status'
  | 'expiresAt'
  | 'idleDays'
  | 'activeSince'
  | 'lastUsedAt'
  | 'series'
  | 'reminders'
  | 'expiryNotifications'
>;

/** The credential's expiry e-mails are on unless switched off (absent = on). */
export const expiryMailsOn = (c: Pick<Credential, 'expiryNotifications'>): boolean =>
  c.expiryNotifications !== false;

/** Mail slots (sent by a job, one claim per recipient) and state changes (one claim or a status change). */
export type WorkKind = 'expiry' | 'atExpiry' | 'idleWarning' | 'expire' | 'deactivate';

export interface DueWork {
  kind: WorkKind;
  /** Claim key ('' for deactivate). */
  key: string;
  /** When it became due (≤ now). */
  at: Date;
}

/** Which job does what. */
export const REMINDER_WORK: readonly WorkKind[] = ['expiry', 'atExpiry', 'expire'];
export const IDLE_WORK: readonly WorkKind[] = ['idleWarning', 'deactivate'];

/** The credential's own settings over the tenant defaults; no own recipients = the tenant's. */
export function effectiveReminders(
  credential: Pick<Credential, 'reminders'>,
  policy: Pick<TenantPolicy, 'reminders'>,
): ReminderSettings {
  const own = credential.reminders ?? {};
  const base = policy.reminders;
  const recipients = own.recipients && own.recipients.length > 0 ? own.recipients : base.recipients;
  return {
    recipients: [...new Set(recipients.map((r) => r.trim().toLowerCase()).filter(Boolean))],
    leadDays: own.leadDays ?? base.leadDays,
    frequency: own.frequency ?? base.frequency,
    atExpiry: own.atExpiry ?? base.atExpiry,
    idleWarningDays: own.idleWarningDays ?? base.idleWarningDays,
  };
}

/** `d` plus `months` calendar months in UTC, the day clamped to the month's length (Jan 31 + 1 → Feb 28/29). */
export function addMonthsUtc(d: Date, months: number): Date {
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth() + months;
  const lastDay = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  const out = new Date(d.getTime());
  out.setUTCFullYear(y, m, Math.min(d.getUTCDate(), lastDay));
  return out;
}

/** Start of the i-th cadence slot (i ≥ 0), counted from the first one so that clamping never accumulates. */
function slotStart(first: Date, frequency: ReminderSettings['frequency'], i: number): Date {
  if (frequency === 'monthly') return addMonthsUtc(first, i);
  return new Date(first.getTime() + i * (frequency === 'weekly' ? 7 : 1) * DAY);
}

/** Every cadence slot start of the current series, in order (at most ~366). */
export function cadenceSlots(
  expiresAt: Date,
  settings: Pick<ReminderSettings, 'leadDays' | 'frequency'>,
): Date[] {
  const first = new Date(expiresAt.getTime() - settings.leadDays * DAY);
  const out: Date[] = [];
  for (let i = 0; ; i++) {
    const s = slotStart(first, settings.frequency, i);
    if (s.getTime() >= expiresAt.getTime()) return out;
    out.push(s);
  }
}

function windowStart(c: Pick<Credential, 'activeSince' | 'lastUsedAt'>): number {
  return Math.max(Date.parse(c.activeSince), c.lastUsedAt ? Date.parse(c.lastUsedAt) : 0);
}

/** The current cadence slot at `now` (latest start ≤ now before expiry) and the next one after `now`. */
function cadenceAround(
  expiresAt: Date,
  settings: ReminderSettings,
  now: Date,
): { current?: Date; next?: Date } {
  let current: Date | undefined;
  for (const s of cadenceSlots(expiresAt, settings)) {
    if (s.getTime() > now.getTime()) return current ? { current, next: s } : { next: s };
    current = s;
  }
  return current && now.getTime() < expiresAt.getTime() ? { current } : {};
}

/** Everything due for the credential at `now` (each item's `at` ≤ now), whether or not a job already did it. */
export function dueWork(
  c: ReminderCredential,
  policy: Pick<TenantPolicy, 'reminders'>,
  now: Date,
): DueWork[] {
  if (c.status !== 'active') return [];
  const settings = effectiveReminders(c, policy);
  const expires = new Date(c.expiresAt);
  const t = now.getTime();
  const out: DueWork[] = [];
  if (t >= expires.getTime()) {
    out.push({ kind: 'expire', key: `expired:${c.series}`, at: expires });
    if (settings.atExpiry && expiryMailsOn(c))
      out.push({ kind: 'atExpiry', key: `atExpiry:${c.series}`, at: expires });
    return out;
  }
  const { current } = expiryMailsOn(c) ? cadenceAround(expires, settings, now) : {};
  if (current) out.push({ kind: 'expiry', key: `expiry:${c.series}:${current.toISOString()}`, at: current });
  const since = windowStart(c);
  const idle = since + c.idleDays * DAY;
  if (idle < expires.getTime()) {
    const warn = idle - settings.idleWarningDays * DAY;
    if (t >= idle) out.push({ kind: 'deactivate', key: '', at: new Date(idle) });
    else if (settings.idleWarningDays > 0 && t >= warn)
      out.push({
        kind: 'idleWarning',
        key: `idleWarning:${new Date(since).toISOString()}`,
        at: new Date(warn),
      });
  }
  return out;
}

/** The mail slots due at `now`. */
export function reminderSlots(
  c: ReminderCredential,
  policy: Pick<TenantPolicy, 'reminders'>,
  now: Date,
): DueWork[] {
  return dueWork(c, policy, now).filter(
    (w) => w.kind === 'expiry' || w.kind === 'atExpiry' || w.kind === 'idleWarning',
  );
}

/** The next instant strictly after `now` at which something new becomes due; undefined when nothing will. */
export function nextDueAfter(
  c: ReminderCredential,
  policy: Pick<TenantPolicy, 'reminders'>,
  now: Date,
): Date | undefined {
  if (c.status !== 'active') return undefined;
  const t = now.getTime();
  const expires = new Date(c.expiresAt);
  if (t >= expires.getTime()) return undefined;
  const settings = effectiveReminders(c, policy);
  const candidates: number[] = [expires.getTime()];
  const { next } = expiryMailsOn(c) ? cadenceAround(expires, settings, now) : {};
  if (next) candidates.push(next.getTime());
  const idle = windowStart(c) + c.idleDays * DAY;
  if (idle < expires.getTime()) {
    const warn = idle - settings.idleWarningDays * DAY;
    if (settings.idleWarningDays > 0 && warn > t) candidates.push(warn);
    if (idle > t) candidates.push(idle);
  }
  return new Date(Math.min(...candidates));
}

/**
 * The earliest instant anything is or becomes due: the oldest pending item at `now` (which may be in the past:
 * the job has not handled it yet) or the next one. Undefined for credentials that need nothing ever again
 * (revoked, deactivated). What the credential service stores on every write.
 */
export function nextDueAt(
  c: ReminderCredential,
  policy: Pick<TenantPolicy, 'reminders'>,
  now: Date,
): Date | undefined {
  const pending = dueWork(c, policy, now).map((w) => w.at.getTime());
  const after = nextDueAfter(c, policy, now);
  const all = after ? [...pending, after.getTime()] : pending;
  return all.length > 0 ? new Date(Math.min(...all)) : undefined;
}
