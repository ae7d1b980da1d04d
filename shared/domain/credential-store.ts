/**
 * Reads and guarded writes of one credential, shared by the lifecycle, the tenant admin operations and the
 * authenticator (first use, token revocation): load or 404, and read-modify-write with optimistic concurrency that
 * recomputes the reminder schedule and records the audit event.
 */
import { ScimError } from '../scim/errors';
import type { AuditEventType, Credential, CredentialRepository, TenantPolicy } from './credential-model';
import type { AuditLog } from './audit-log';
import { isValidTenantId } from './credential-rules';
import { VersionConflict, type Clock } from './ports';
import { nextDueAt } from './reminders';

/** What every part of the credential use cases is built over. */
export interface CredentialContext {
  repo: CredentialRepository;
  clock: Clock;
  /** Policy of new tenants (the deployment's defaults; each tenant can change its own), and the fallback. */
  defaults: TenantPolicy;
}

export type AuditDetail = Record<string, string | number | boolean>;

export class CredentialStore {
  constructor(
    private readonly ctx: CredentialContext,
    private readonly audit: AuditLog,
  ) {}

  async load(tenantId: string, id: string): Promise<Credential> {
    const c = isValidTenantId(tenantId) ? await this.ctx.repo.getCredential(tenantId, id) : undefined;
    if (!c) throw ScimError.notFound(`credential '${id.slice(0, 64)}' not found`);
    return c;
  }

  /** The tenant's policy, or the deployment's defaults when the tenant is gone. */
  async policyOf(tenantId: string): Promise<TenantPolicy> {
    return (await this.ctx.repo.getTenant(tenantId))?.policy ?? this.ctx.defaults;
  }

  /** Read-modify-write with optimistic concurrency; `change` mutates a copy and may return removed hashes. */
  async mutate(
    tenantId: string,
    id: string,
    actor: string,
    event: AuditEventType,
    change: (c: Credential) => string[] | void,
    /** Audit detail, or a function of the changed credential. */
    detail?: AuditDetail | ((changed: Credential) => AuditDetail),
  ): Promise<Credential> {
    for (let attempt = 0; ; attempt++) {
      const current = await this.load(tenantId, id);
      const next: Credential = structuredClone(current);
      const removed = change(next) ?? [];
      next.version = current.version + 1;
      // Reminder and idle jobs: recomputed on every write (byDue index; docs/jobs.md).
      next.nextDueAt = nextDueAt(next, await this.policyOf(tenantId), this.ctx.clock.now())?.toISOString();
      try {
        await this.ctx.repo.saveCredential(next, current.version, removed);
      } catch (e) {
        if (e instanceof VersionConflict && attempt < 4) continue;
        throw e;
      }
      const audited = typeof detail === 'function' ? detail(next) : detail;
      await this.audit.record(tenantId, event, actor, {
        credentialId: id,
        ...(audited ? { detail: audited } : {}),
      });
      return next;
    }
  }
}
