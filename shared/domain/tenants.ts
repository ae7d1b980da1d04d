/**
 * Tenant administration: tenants and their policy, SCIM endpoints, and admin memberships (with the effect of an
 * admin's deactivation or removal on the credentials bound to them).
 */
import { randomUUID } from 'node:crypto';
import type * as z from 'zod/mini';
import { ScimError } from '../scim/errors';
import { AuditLog } from './audit-log';
import {
  DEFAULT_ADMIN_ROLE,
  type AdminMember,
  type Credential,
  type CredentialView,
  type Endpoint,
  type Tenant,
  type TenantPolicy,
} from './credential-model';
import {
  bad,
  isValidEndpointId,
  isValidTenantId,
  tenantNotFound,
  toView,
  validatePolicy,
} from './credential-rules';
import { requestSchemas } from './credential-schemas';
import { CredentialStore, type CredentialContext } from './credential-store';
import { VersionConflict } from './ports';
import { nextDueAt } from './reminders';
import { parseInput } from './validation';

/** A policy with a change applied: `reminders` merged field by field, `maxSecretAgeDays: null` turns the age cap off. */
function mergePolicy(
  base: TenantPolicy,
  patch: z.infer<typeof requestSchemas.policyPatch> = {},
): TenantPolicy {
  const { maxSecretAgeDays, reminders, ...rest } = patch;
  const merged: TenantPolicy = { ...base, ...rest, reminders: { ...base.reminders, ...reminders } };
  if (maxSecretAgeDays === null) delete merged.maxSecretAgeDays;
  else if (maxSecretAgeDays !== undefined) merged.maxSecretAgeDays = maxSecretAgeDays;
  return merged;
}

export class Tenants {
  private readonly audit: AuditLog;
  private readonly store: CredentialStore;

  constructor(private readonly ctx: CredentialContext) {
    this.audit = new AuditLog(ctx.repo, ctx.clock);
    this.store = new CredentialStore(ctx, this.audit);
  }

  private now(): Date {
    return this.ctx.clock.now();
  }

  // ---------------------------------------------------------------- tenants and policy

  async createTenant(input: z.infer<typeof requestSchemas.createTenant>, actor: string): Promise<Tenant> {
    if (typeof input.id !== 'string' || !isValidTenantId(input.id)) {
      throw bad(`tenant id must be 1-63 lowercase letters, digits or '-', starting with a letter or digit`);
    }
    const { name, policy: patch, applicationUrl } = parseInput(requestSchemas.createTenant, input);
    const policy = validatePolicy(mergePolicy(this.ctx.defaults, patch));
    const tenant: Tenant = {
      id: input.id,
      name: name || input.id,
      createdAt: this.now().toISOString(),
      policy,
      ...(applicationUrl !== undefined ? { applicationUrl } : {}),
    };
    if (!(await this.ctx.repo.putTenant(tenant)))
      throw ScimError.uniqueness(`tenant '${input.id}' already exists`);
    await this.ctx.repo.putEndpoint({
      tenantId: tenant.id,
      id: 'default',
      name: 'Default SCIM endpoint',
      createdAt: tenant.createdAt,
    });
    await this.audit.record(tenant.id, 'tenant.created', actor);
    return tenant;
  }

  /** Creates the tenant unless it exists (local bootstrap, tests). */
  async ensureTenant(id: string, name: string): Promise<Tenant> {
    const existing = await this.ctx.repo.getTenant(id);
    if (existing) return existing;
    try {
      return await this.createTenant({ id, name }, 'system');
    } catch (e) {
      if (e instanceof ScimError && e.status === 409) return this.getTenant(id);
      throw e;
    }
  }

  async getTenant(tenantId: string): Promise<Tenant> {
    const t = isValidTenantId(tenantId) ? await this.ctx.repo.getTenant(tenantId) : undefined;
    if (!t) throw tenantNotFound(tenantId);
    return t;
  }

  listTenants(): Promise<Tenant[]> {
    return this.ctx.repo.listTenants();
  }

  /**
   * Tenants are not deleted: scimgate never drops provisioned users and groups behind an admin's back. Refused
   * before anything changes; revoke and delete the tenant's credentials to cut it off.
   */
  async deleteTenant(tenantId: string, _actor: string): Promise<void> {
    await this.getTenant(tenantId);
    throw new ScimError(
      409,
      `tenant '${tenantId}' is kept: deleting a tenant would drop its provisioned users and groups; ` +
        'revoke and delete its credentials to cut it off',
    );
  }

  async getPolicy(tenantId: string): Promise<TenantPolicy> {
    return (await this.getTenant(tenantId)).policy;
  }

  async updatePolicy(
    tenantId: string,
    request: z.infer<typeof requestSchemas.policyPatch>,
    actor: string,
  ): Promise<TenantPolicy> {
    const tenant = await this.getTenant(tenantId);
    const patch = parseInput(requestSchemas.policyPatch, request);
    const policy = validatePolicy(mergePolicy(tenant.policy, patch));
    await this.ctx.repo.updatePolicy(tenantId, policy);
    await this.audit.record(tenantId, 'tenant.policy-updated', actor);
    await this.reschedule(tenantId, policy);
    return policy;
  }

  /** New tenant defaults can move reminders earlier: recompute every credential's next due time (byDue index). */
  private async reschedule(tenantId: string, policy: TenantPolicy): Promise<void> {
    const now = this.now();
    for (const c of await this.ctx.repo.listCredentials(tenantId)) {
      const due = nextDueAt(c, policy, now)?.toISOString();
      if (due === c.nextDueAt) continue;
      const next: Credential = { ...c, nextDueAt: due, version: c.version + 1 };
      // A concurrent change recomputes the due time itself: losing this race loses nothing.
      await this.ctx.repo.saveCredential(next, c.version, []).catch((e: unknown) => {
        if (!(e instanceof VersionConflict)) throw e;
      });
    }
  }

  // ---------------------------------------------------------------- endpoints

  async createEndpoint(
    tenantId: string,
    input: z.infer<typeof requestSchemas.createEndpoint>,
    actor: string,
  ): Promise<Endpoint> {
    await this.getTenant(tenantId);
    if (typeof input.id !== 'string' || !isValidEndpointId(input.id)) {
      throw bad(`endpoint id must be 1-63 lowercase letters, digits or '-'`);
    }
    const { name, applicationUrl } = parseInput(requestSchemas.createEndpoint, input);
    const endpoint: Endpoint = {
      tenantId,
      id: input.id,
      name: name ?? input.id,
      createdAt: this.now().toISOString(),
      ...(applicationUrl !== undefined ? { applicationUrl } : {}),
    };
    if (!(await this.ctx.repo.putEndpoint(endpoint))) {
      const existing = await this.ctx.repo.getEndpoint(tenantId, input.id);
      throw ScimError.uniqueness(
        existing?.deletedAt
          ? `endpoint '${input.id}' was deleted and its id cannot be used again; choose another id`
          : `endpoint '${input.id}' already exists`,
      );
    }
    await this.audit.record(tenantId, 'endpoint.created', actor, { detail: { endpointId: input.id } });
    return endpoint;
  }

  /**
   * Sets or (null) removes the application (bookmark) URL of the tenant, or of one live endpoint when `endpointId`
   * is given; answers the tenant or the endpoint as stored.
   */
  async setApplicationUrl(
    tenantId: string,
    endpointId: string | undefined,
    request: z.infer<typeof requestSchemas.applicationUrlPatch>,
    actor: string,
  ): Promise<Tenant | Endpoint> {
    const { applicationUrl } = parseInput(requestSchemas.applicationUrlPatch, request);
    if (!(await this.ctx.repo.setApplicationUrl(tenantId, endpointId, applicationUrl ?? undefined))) {
      if (endpointId === undefined) throw tenantNotFound(tenantId);
      throw ScimError.notFound(`endpoint '${endpointId.slice(0, 64)}' not found`);
    }
    if (endpointId === undefined) {
      await this.audit.record(tenantId, 'tenant.updated', actor, {
        detail: { applicationUrl: applicationUrl !== null },
      });
      return this.getTenant(tenantId);
    }
    await this.audit.record(tenantId, 'endpoint.updated', actor, {
      detail: { endpointId, applicationUrl: applicationUrl !== null },
    });
    const endpoint = await this.ctx.repo.getEndpoint(tenantId, endpointId);
    if (!endpoint || endpoint.deletedAt)
      throw ScimError.notFound(`endpoint '${endpointId.slice(0, 64)}' not found`);
    return endpoint;
  }

  /** The application (bookmark) URL of an endpoint: its own, else the tenant's. */
  async applicationUrlOf(tenant: Tenant, endpointId: string): Promise<string | undefined> {
    const endpoint = await this.ctx.repo.getEndpoint(tenant.id, endpointId);
    return endpoint?.applicationUrl ?? tenant.applicationUrl;
  }

  async listEndpoints(tenantId: string): Promise<Endpoint[]> {
    await this.getTenant(tenantId);
    return this.ctx.repo.listEndpoints(tenantId);
  }

  async deleteEndpoint(tenantId: string, endpointId: string, actor: string): Promise<void> {
    await this.getTenant(tenantId);
    const users = (await this.ctx.repo.listCredentials(tenantId)).filter(
      (c) => c.kind === 'gateway' && c.endpoints.includes(endpointId) && c.status !== 'revoked',
    );
    if (users.length > 0) {
      throw new ScimError(
        409,
        `endpoint '${endpointId}' has live gateway credentials (${users.map((c) => c.id).join(', ')}); revoke them first`,
      );
    }
    if (!(await this.ctx.repo.deleteEndpoint(tenantId, endpointId, this.now().toISOString())))
      throw ScimError.notFound(`endpoint '${endpointId}' not found`);
    await this.audit.record(tenantId, 'endpoint.deleted', actor, { detail: { endpointId } });
  }

  // ---------------------------------------------------------------- admins

  async addAdmin(
    tenantId: string,
    input: z.infer<typeof requestSchemas.addAdmin>,
    actor: string,
  ): Promise<AdminMember> {
    await this.getTenant(tenantId);
    const { id: requested, email, role } = parseInput(requestSchemas.addAdmin, input);
    const id = requested ?? randomUUID();
    if (!isValidTenantId(id) && !/^[0-9a-f-]{36}$/.test(id))
      throw bad('admin id must be 1-63 lowercase letters, digits or -');
    const admin: AdminMember = {
      tenantId,
      id,
      email,
      status: 'active',
      createdAt: this.now().toISOString(),
      role: role ?? DEFAULT_ADMIN_ROLE,
    };
    if (!(await this.ctx.repo.putAdmin(admin))) throw ScimError.uniqueness(`admin '${id}' already exists`);
    await this.audit.record(tenantId, 'admin.added', actor, { detail: { adminId: id } });
    return admin;
  }

  async listAdmins(tenantId: string): Promise<AdminMember[]> {
    await this.getTenant(tenantId);
    return this.ctx.repo.listAdmins(tenantId);
  }

  async getAdmin(tenantId: string, adminId: string): Promise<AdminMember> {
    const a = await this.ctx.repo.getAdmin(tenantId, adminId);
    if (!a) throw ScimError.notFound(`admin '${adminId.slice(0, 64)}' not found`);
    return a;
  }

  async deactivateAdmin(tenantId: string, adminId: string, actor: string): Promise<AdminMember> {
    const admin = await this.getAdmin(tenantId, adminId);
    const next: AdminMember = { ...admin, status: 'deactivated' };
    await this.ctx.repo.updateAdmin(next);
    await this.setBoundActive(tenantId, adminId, false, actor);
    await this.audit.record(tenantId, 'admin.deactivated', actor, { detail: { adminId } });
    return next;
  }

  async removeAdmin(tenantId: string, adminId: string, actor: string): Promise<void> {
    await this.getAdmin(tenantId, adminId);
    await this.setBoundActive(tenantId, adminId, false, actor);
    await this.ctx.repo.deleteAdmin(tenantId, adminId);
    await this.audit.record(tenantId, 'admin.removed', actor, { detail: { adminId } });
  }

  private async setBoundActive(
    tenantId: string,
    adminId: string,
    active: boolean,
    actor: string,
  ): Promise<void> {
    for (const c of await this.ctx.repo.listCredentials(tenantId)) {
      if (c.boundAdminId === adminId && c.adminActive !== active) {
        await this.store.mutate(tenantId, c.id, actor, 'credential.updated', (cred) => {
          cred.adminActive = active;
        });
      }
    }
  }

  async credentialsBoundTo(tenantId: string, adminId: string): Promise<CredentialView[]> {
    await this.getAdmin(tenantId, adminId);
    const now = this.now();
    return (await this.ctx.repo.listCredentials(tenantId))
      .filter((c) => c.boundAdminId === adminId)
      .map((c) => toView(c, now));
  }
}
