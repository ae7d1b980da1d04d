/**
 * The scheduled jobs: expiry reminders (and marking credentials expired) and idle warnings (and deactivating idle
 * credentials). Both read only what is due (the byDue index), and send each due mail exactly once per
 * (credential, slot, recipient): claim with a conditional write → send → mark sent. See docs/jobs.md for the
 * argument and the one crash window.
 */
import { StorageUnavailable } from './storage-errors';
import { randomUUID } from 'node:crypto';
import type {
  AuditEventType,
  Credential,
  CredentialRepository,
  ReminderClaim,
  Tenant,
  TenantPolicy,
} from './credential-model';
import { consoleCredentialUrl } from './console-sessions';
import { idleAt, scimBaseUrl } from './credential-rules';
import { renderMail, type MailItem } from './reminder-mail';
import {
  IDLE_WORK,
  REMINDER_WORK,
  dueWork,
  effectiveReminders,
  nextDueAfter,
  type DueWork,
  type WorkKind,
} from './reminders';

/** Port: sends one e-mail. Resolves when the mail service accepted it; rejects otherwise. */
export interface Mailer {
  send(message: MailMessage): Promise<void>;
}

export interface MailMessage {
  to: string;
  subject: string;
  html: string;
  text: string;
  /** Tenants the message is about (bounce handling maps a bounce back to them). */
  tenantIds?: string[];
}

export type JobName = 'reminders' | 'idle';
export const JOB_NAMES: readonly JobName[] = ['reminders', 'idle'];

export interface JobReport {
  job: JobName;
  now: string;
  /** Due index entries read. */
  due: number;
  sent: { to: string; items: { tenantId: string; credentialId: string; slot: string }[] }[];
  changes: { tenantId: string; credentialId: string; change: 'expired' | 'deactivated' }[];
  /** Mails not sent this run (the next run retries them), and credentials whose processing failed. */
  failures: { tenantId?: string; credentialId?: string; to?: string; slot?: string; error: string }[];
  /** Claimed more than CLAIM_STALE_MS ago and never marked sent: a run crashed between send and mark. */
  possiblySent: {
    tenantId: string;
    credentialId: string;
    slot: string;
    recipient: string;
    claimedAt: string;
  }[];
  /** Recipients skipped because they bounced or complained. */
  suppressed: { tenantId: string; credentialId: string; to: string }[];
  /** More was due than one run handles (`limit`); the next run continues. */
  more: boolean;
}

export interface JobsDeps {
  repo: CredentialRepository;
  mailer: Mailer;
  /** Marks an idle credential deactivated as of `now` (CredentialLifecycle.deactivateIdle with that clock). */
  deactivateIdle(tenantId: string, credentialId: string, now: Date): Promise<boolean>;
  /** Console URL for tenants whose policy names none. */
  consoleUrl?: string;
  /** Origin of SCIM base URLs in mails (PUBLIC_BASE_URL); endpoint ids are shown without it. */
  publicBaseUrl?: string;
  /** Due credentials handled per run (default 1000). */
  limit?: number;
  /** Retries of throttled storage calls within a run (default 3), and the first backoff (default 50 ms). */
  retries?: number;
  retryBaseMs?: number;
}

/** A claim older than this still in state `claimed` is reported, never re-sent automatically. */
export const CLAIM_STALE_MS = 15 * 60_000;
export const NO_RECIPIENT = '-';

/**
 * How old a claim is, robust to a clock that went backwards: a claim dated after `now` is as old as it is far in the
 * future, so a claim written by a clock that was ahead does not block its slot until real time catches up.
 */
function claimAge(claimedAt: string, now: Date): number {
  return Math.abs(now.getTime() - Date.parse(claimedAt));
}

function fromTheFuture(claimedAt: string, now: Date): boolean {
  return Date.parse(claimedAt) - now.getTime() >= CLAIM_STALE_MS;
}

/** Storage that is busy or unavailable (translated by the adapter) is worth another try within the run. */
const isRetryable = (e: unknown): boolean => e instanceof StorageUnavailable;

const message = (e: unknown): string =>
  (e instanceof Error ? `${e.name}: ${e.message}` : String(e)).slice(0, 300);

/** One credential being processed in a run. */
interface Work {
  credential: Credential;
  tenant: Tenant;
  policy: TenantPolicy;
  claims: ReminderClaim[];
  /** Everything due at `now` that is not done yet (own and the other job's). */
  pending: DueWork[];
  failed: boolean;
}

interface Candidate {
  work: Work;
  item: DueWork;
  recipient: string;
  mail: MailItem;
}

export class Jobs {
  constructor(private readonly deps: JobsDeps) {}

  runReminders(now: Date): Promise<JobReport> {
    return this.run('reminders', REMINDER_WORK, now);
  }

  runIdle(now: Date): Promise<JobReport> {
    return this.run('idle', IDLE_WORK, now);
  }

  runJob(job: JobName, now: Date): Promise<JobReport> {
    return job === 'reminders' ? this.runReminders(now) : this.runIdle(now);
  }

  private async retry<T>(fn: () => Promise<T>): Promise<T> {
    const attempts = this.deps.retries ?? 3;
    for (let i = 0; ; i++) {
      try {
        return await fn();
      } catch (e) {
        if (i >= attempts || !isRetryable(e)) throw e;
        await new Promise((r) => setTimeout(r, (this.deps.retryBaseMs ?? 50) * 2 ** i));
      }
    }
  }

  private async run(job: JobName, mine: readonly WorkKind[], now: Date): Promise<JobReport> {
    const report: JobReport = {
      job,
      now: now.toISOString(),
      due: 0,
      sent: [],
      changes: [],
      failures: [],
      possiblySent: [],
      suppressed: [],
      more: false,
    };
    const limit = this.deps.limit ?? 1000;
    const due = await this.retry(() => this.deps.repo.listDue(now.toISOString(), limit));
    report.due = due.length;
    report.more = due.length >= limit;
    const tenants = new Map<string, Promise<Tenant | undefined>>();
    const suppressed = new Map<string, Promise<Set<string>>>();
    const works: Work[] = [];
    const picks: Candidate[] = [];

    for (const entry of due) {
      try {
        const credential = await this.retry(() =>
          this.deps.repo.getCredential(entry.tenantId, entry.credentialId),
        );
        if (!credential) continue;
        if (!tenants.has(entry.tenantId))
          tenants.set(
            entry.tenantId,
            this.retry(() => this.deps.repo.getTenant(entry.tenantId)),
          );
        const tenant = await tenants.get(entry.tenantId)!;
        if (!tenant) continue;
        if (!suppressed.has(entry.tenantId)) {
          suppressed.set(
            entry.tenantId,
            this.retry(() => this.deps.repo.listSuppressed(entry.tenantId)).then(
              (l) => new Set(l.map((s) => s.email)),
            ),
          );
        }
        const blocked = await suppressed.get(entry.tenantId)!;
        const claims = await this.retry(() => this.deps.repo.listClaims(tenant.id, credential.id, ''));
        const work: Work = { credential, tenant, policy: tenant.policy, claims, pending: [], failed: false };
        works.push(work);
        await this.plan(work, mine, now, blocked, picks, report);
      } catch (e) {
        report.failures.push({
          tenantId: entry.tenantId,
          credentialId: entry.credentialId,
          error: message(e),
        });
      }
    }

    await this.sendDigests(picks, now, report);

    for (const work of works) {
      const c = work.credential;
      try {
        const pending = work.failed ? dueWork(c, work.policy, now) : work.pending;
        const after = nextDueAfter(c, work.policy, now);
        const times = pending.map((p) => p.at.getTime());
        if (after) times.push(after.getTime());
        const next = times.length ? new Date(Math.min(...times)).toISOString() : undefined;
        await this.retry(() => this.deps.repo.setDue(c.tenantId, c.id, next, c.version));
      } catch (e) {
        report.failures.push({ tenantId: c.tenantId, credentialId: c.id, error: message(e) });
      }
    }
    return report;
  }

  /** Decides what is done, does this job's state changes, and collects this job's mails to send. */
  private async plan(
    work: Work,
    mine: readonly WorkKind[],
    now: Date,
    blocked: Set<string>,
    picks: Candidate[],
    report: JobReport,
  ): Promise<void> {
    const c = work.credential;
    const settings = effectiveReminders(c, work.policy);
    const claimOf = (slot: string, recipient: string) =>
      work.claims.find((k) => k.slot === slot && k.recipient === recipient);
    for (const item of dueWork(c, work.policy, now)) {
      const own = mine.includes(item.kind);
      if (item.kind === 'deactivate') {
        if (!own) work.pending.push(item);
        else if (await this.retry(() => this.deps.deactivateIdle(c.tenantId, c.id, now)))
          report.changes.push({ tenantId: c.tenantId, credentialId: c.id, change: 'deactivated' });
        continue;
      }
      if (item.kind === 'expire') {
        const done = claimOf(item.key, NO_RECIPIENT);
        // Recorded by a clock that was ahead (more than the stale window later than now): that record was
        // premature, so the expiry is recorded again at the real time rather than never.
        if (done?.state === 'sent' && !fromTheFuture(done.claimedAt, now)) continue;
        if (!own) {
          work.pending.push(item);
          continue;
        }
        await this.expire(work, item, now, report);
        continue;
      }
      // A mail slot: one claim per recipient.
      const seriesPrefix = `expiry:${c.series}:`;
      let inFlight = false;
      for (const recipient of settings.recipients) {
        if (blocked.has(recipient)) {
          if (own) report.suppressed.push({ tenantId: c.tenantId, credentialId: c.id, to: recipient });
          continue;
        }
        const existing = claimOf(item.key, recipient);
        if (existing?.state === 'sent') continue;
        if (existing) {
          if (claimAge(existing.claimedAt, now) >= CLAIM_STALE_MS) {
            if (own)
              report.possiblySent.push({
                tenantId: c.tenantId,
                credentialId: c.id,
                slot: item.key,
                recipient,
                claimedAt: existing.claimedAt,
              });
            continue;
          }
          inFlight = true; // another run is sending it right now: look again next run
          continue;
        }
        // Settings changed since the last reminder of this series (another lead time or cadence): a slot that
        // starts before that reminder was claimed is covered by it and is not sent again.
        if (
          item.kind === 'expiry' &&
          work.claims.some(
            (k) =>
              k.recipient === recipient &&
              k.slot.startsWith(seriesPrefix) &&
              Date.parse(k.claimedAt) >= item.at.getTime(),
          )
        )
          continue;
        if (own) picks.push({ work, item, recipient, mail: this.mailItem(work, item) });
        else inFlight = true;
      }
      if (inFlight) work.pending.push(item);
    }
  }

  private async expire(work: Work, item: DueWork, now: Date, report: JobReport): Promise<void> {
    const c = work.credential;
    const existing = work.claims.find((k) => k.slot === item.key && k.recipient === NO_RECIPIENT);
    const at = now.toISOString();
    if (!existing) {
      const won = await this.retry(() =>
        this.deps.repo.claim({
          tenantId: c.tenantId,
          credentialId: c.id,
          slot: item.key,
          recipient: NO_RECIPIENT,
          state: 'claimed',
          claimedAt: at,
        }),
      );
      if (!won) return; // a concurrent run owns it
    } else if (claimAge(existing.claimedAt, now) < CLAIM_STALE_MS) {
      work.pending.push(item);
      return;
    }
    // The audit event is the state change ("expired" is derived from the clock, docs/decisions/0009).
    await this.audit(c, 'credential.expired', now, { series: c.series, expiresAt: c.expiresAt });
    // A claim dated in the future (a clock that was ahead) is re-dated to now, so it counts as done from here on.
    const redate = existing && fromTheFuture(existing.claimedAt, now) ? at : undefined;
    await this.retry(() => this.deps.repo.markSent(c.tenantId, c.id, item.key, NO_RECIPIENT, at, redate));
    report.changes.push({ tenantId: c.tenantId, credentialId: c.id, change: 'expired' });
  }

  private mailItem(work: Work, item: DueWork): MailItem {
    const c = work.credential;
    const own = (c.reminders?.recipients ?? []).length > 0;
    const endpoints = c.endpoints.includes('*')
      ? ['*']
      : c.endpoints.map((e) =>
          this.deps.publicBaseUrl ? scimBaseUrl(this.deps.publicBaseUrl, c.tenantId, e) : e,
        );
    const mail: MailItem = {
      kind: item.kind as MailItem['kind'],
      tenantId: c.tenantId,
      tenantName: work.tenant.name,
      credentialId: c.id,
      credentialName: c.name,
      credentialKind: c.kind,
      endpoints,
      expiresAt: c.expiresAt,
      recipientSource: own ? 'credential' : 'tenant',
    };
    const console = work.policy.consoleUrl ?? this.deps.consoleUrl;
    // The credential's own page in the console (the SPA asks the admin to sign in first when needed).
    if (console) mail.consoleUrl = consoleCredentialUrl(console, c.id);
    if (item.kind === 'idleWarning') {
      mail.idleAt = idleAt(c).toISOString();
      if (c.lastUsedAt) mail.lastUsedAt = c.lastUsedAt;
    }
    return mail;
  }

  /** One digest per recipient: claim each item, send once, mark each sent (or release them all on failure). */
  private async sendDigests(picks: Candidate[], now: Date, report: JobReport): Promise<void> {
    const byRecipient = new Map<string, Candidate[]>();
    for (const p of picks) byRecipient.set(p.recipient, [...(byRecipient.get(p.recipient) ?? []), p]);
    const at = now.toISOString();
    for (const [to, all] of byRecipient) {
      const claimed: Candidate[] = [];
      for (const p of all) {
        const c = p.work.credential;
        try {
          const won = await this.retry(() =>
            this.deps.repo.claim({
              tenantId: c.tenantId,
              credentialId: c.id,
              slot: p.item.key,
              recipient: to,
              state: 'claimed',
              claimedAt: at,
            }),
          );
          if (won) claimed.push(p);
          else p.work.pending.push(p.item); // a concurrent run owns it: look again next run
        } catch (e) {
          p.work.failed = true;
          report.failures.push({
            tenantId: c.tenantId,
            credentialId: c.id,
            to,
            slot: p.item.key,
            error: message(e),
          });
        }
      }
      if (claimed.length === 0) continue;
      const rendered = renderMail(
        to,
        claimed.map((p) => p.mail),
        now,
      );
      try {
        await this.deps.mailer.send({
          to,
          ...rendered,
          tenantIds: [...new Set(claimed.map((p) => p.work.credential.tenantId))],
        });
      } catch (e) {
        for (const p of claimed) {
          const c = p.work.credential;
          p.work.failed = true;
          report.failures.push({
            tenantId: c.tenantId,
            credentialId: c.id,
            to,
            slot: p.item.key,
            error: message(e),
          });
          await this.retry(() => this.deps.repo.releaseClaim(c.tenantId, c.id, p.item.key, to)).catch(
            () => undefined,
          );
        }
        continue;
      }
      // Sent: from here on a failure can only leave a claim in state `claimed` (reported, never re-sent).
      for (const p of claimed) {
        const c = p.work.credential;
        try {
          await this.retry(() => this.deps.repo.markSent(c.tenantId, c.id, p.item.key, to, at));
          await this.audit(
            c,
            p.item.kind === 'idleWarning' ? 'credential.idle-warning' : 'credential.reminder-sent',
            now,
            { to, slot: p.item.key },
          );
        } catch (e) {
          report.failures.push({
            tenantId: c.tenantId,
            credentialId: c.id,
            to,
            slot: p.item.key,
            error: message(e),
          });
        }
      }
      report.sent.push({
        to,
        items: claimed.map((p) => ({
          tenantId: p.work.credential.tenantId,
          credentialId: p.work.credential.id,
          slot: p.item.key,
        })),
      });
    }
  }

  private async audit(
    c: Credential,
    type: AuditEventType,
    now: Date,
    detail: Record<string, string | number | boolean>,
  ): Promise<void> {
    await this.retry(() =>
      this.deps.repo.appendAudit({
        tenantId: c.tenantId,
        id: randomUUID(),
        at: now.toISOString(),
        type,
        credentialId: c.id,
        actor: 'system',
        detail,
      }),
    );
  }
}
