/**
 * The audit log of the credential use cases: appends one event per change or refused authentication, and reads a
 * tenant's (or one credential's) events back, newest first.
 */
import { randomUUID } from 'node:crypto';
import type { AuditEvent, AuditEventType, CredentialRepository } from './credential-model';
import { isValidTenantId, tenantNotFound } from './credential-rules';
import { AUDIT_DEFAULT_LIMIT, AUDIT_MAX_LIMIT } from './credential-schemas';
import type { Clock } from './ports';

export type AuditExtra = Partial<Pick<AuditEvent, 'credentialId' | 'sourceIp' | 'userAgent' | 'detail'>>;

export class AuditLog {
  constructor(
    private readonly repo: CredentialRepository,
    private readonly clock: Clock,
  ) {}

  async record(tenantId: string, type: AuditEventType, actor: string, extra: AuditExtra = {}): Promise<void> {
    await this.repo.appendAudit({
      tenantId,
      id: randomUUID(),
      at: this.clock.now().toISOString(),
      type,
      actor,
      ...extra,
    });
  }

  /** The audit log of a tenant (or of one credential), newest first; 404 for an unknown tenant. */
  async list(
    tenantId: string,
    options: { credentialId?: string; limit?: number; before?: string },
  ): Promise<{ events: AuditEvent[]; next?: string }> {
    if (!isValidTenantId(tenantId) || !(await this.repo.getTenant(tenantId))) throw tenantNotFound(tenantId);
    const limit = Math.min(Math.max(options.limit ?? AUDIT_DEFAULT_LIMIT, 1), AUDIT_MAX_LIMIT);
    return this.repo.listAudit(tenantId, {
      limit,
      ...(options.credentialId ? { credentialId: options.credentialId } : {}),
      ...(options.before ? { before: options.before } : {}),
    });
  }
}
