/**
 * Credential use cases: tenants, endpoints, admin memberships, policy, the credential lifecycle (issue, extend,
 * rotate, revoke, reactivate, rebind, delete), the audit log, and authentication of SCIM requests.
 *
 * Authentication costs one DynamoDB read: the secret item found by tenant + HMAC carries everything the decision
 * needs. OAuth access tokens are verified without a read and then cost one read of their credential, so revocation
 * is immediate.
 */
import { randomUUID } from 'node:crypto';
import { ScimError } from '../scim/errors';
import { challengeFor, parseAuthorization, type AuthAttempt } from '../credentials/authorization';
import { accessTokenAudience, accessTokenIssuer } from '../credentials/access-token';
import { candidateHashes, constantTimeEqual, hashSecret, type PepperSource } from '../credentials/pepper';
import {
  generateBasicUsername,
  generateClientId,
  generateSecret,
  parseSecret,
  secretHint,
} from '../credentials/secret-format';
import {
  ALL_ROLES,
  CREDENTIAL_KINDS,
  DEFAULT_POLICY,
  ROLE_PRESETS,
  SECRET_KIND_OF,
  type AccessTokenVerifier,
  DEFAULT_ADMIN_ROLE,
  type AdminMember,
  type AdminRole,
  type AuditEvent,
  type AuditEventType,
  type Credential,
  type CredentialKind,
  type CredentialRepository,
  type CredentialState,
  type CredentialView,
  type Endpoint,
  type IssuedCredential,
  type ReminderSettings,
  type Role,
  type SecretRecord,
  type SecretSlot,
  type Tenant,
  type TenantPolicy,
} from './credential-model';
import { VersionConflict, type Clock } from './ports';
import { nextDueAt } from './reminders';
import { guardFor } from './resource-guard';
import type { ResourceGuard } from './scim-resources';

const DAY = 86_400_000;
const HOUR = 3_600_000;
/** lastUsedAt is written at most this often per credential. */
export const LAST_USED_WRITE_INTERVAL_MS = 5 * 60_000;
/** Authentication failures per source and tenant per window before answering 429. */
export const FAILURE_LIMIT = 20;
export const FAILURE_WINDOW_SECONDS = 60;

const ID = /^[a-z0-9](?:[a-z0-9-]{0,62})$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const DOMAIN = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

export function isValidTenantId(id: string): boolean {
  return ID.test(id);
}
export const isValidEndpointId = isValidTenantId;

export interface AuthRequest {
  authorization: string | undefined;
  sourceIp: string;
  userAgent: string;
  /** scheme://host the client called: the issuer of access tokens is derived from it. */
  origin: string;
}

export interface AuthenticatedCredential {
  tenantId: string;
  endpointId: string;
  credentialId: string;
  roles: Role[];
  allowedDomains: string[];
  guard?: ResourceGuard;
}

export interface IssueInput {
  kind: CredentialKind;
  name: string;
  description?: string;
  roles?: Role[] | string;
  allowedDomains?: string[];
  boundAdminId?: string;
  endpointId?: string;
  expiresAt?: string;
  lifetimeDays?: number;
  idleDays?: number;
  accessTokenTtlSeconds?: number;
  reminders?: Partial<ReminderSettings>;
}

export interface CredentialPatch {
  name?: string;
  description?: string;
  roles?: Role[] | string;
  allowedDomains?: string[];
  idleDays?: number;
  reminders?: Partial<ReminderSettings>;
}

export interface ActorContext {
  actor: string;
  origin: string;
}

const bad = (detail: string) => ScimError.invalidValue(detail);

export function scimBaseUrl(origin: string, tenantId: string, endpointId: string): string {
  return `${origin.replace(/\/+$/, '')}/scim/v2/${tenantId}/${endpointId}`;
}
export function tokenEndpoint(origin: string, tenantId: string): string {
  return `${origin.replace(/\/+$/, '')}/oauth/${tenantId}/token`;
}

/** Derived state of a credential at `now`. */
export function credentialState(
  c: Pick<Credential, 'status' | 'expiresAt' | 'idleDays' | 'activeSince' | 'lastUsedAt'>,
  now: Date,
): CredentialState {
  if (c.status !== 'active') return c.status;
  if (Date.parse(c.expiresAt) <= now.getTime()) return 'expired';
  if (idleSince(c) + c.idleDays * DAY <= now.getTime()) return 'idle';
  return 'active';
}

function idleSince(c: Pick<Credential, 'activeSince' | 'lastUsedAt'>): number {
  return Math.max(Date.parse(c.activeSince), c.lastUsedAt ? Date.parse(c.lastUsedAt) : 0);
}

/** The instant a credential becomes idle if it is not used before. */
export function idleAt(c: Pick<Credential, 'activeSince' | 'lastUsedAt' | 'idleDays'>): Date {
  return new Date(idleSince(c) + c.idleDays * DAY);
}

export function toView(c: Credential, now: Date): CredentialView {
  return {
    ...c,
    state: credentialState(c, now),
    secrets: c.secrets.map(({ hash: _h, pepperVersion: _p, ...rest }) => rest),
  };
}

function resolveRoles(roles: Role[] | string | undefined): Role[] {
  if (roles === undefined) return [...ALL_ROLES];
  if (typeof roles === 'string') {
    const preset = ROLE_PRESETS[roles];
    if (preset) return [...preset];
    return resolveRoles(roles.split(',').map((r) => r.trim()) as Role[]);
  }
  const out = [...new Set(roles)];
  for (const r of out) {
    if (!ALL_ROLES.includes(r)) {
      throw bad(
        `unknown role '${String(r).slice(0, 40)}'; use ${ALL_ROLES.join(', ')} or a preset (${Object.keys(ROLE_PRESETS).join(', ')})`,
      );
    }
  }
  if (out.length === 0) throw bad('a credential needs at least one role');
  return out;
}

function resolveDomains(domains: string[] | undefined): string[] {
  const out = [...new Set((domains ?? []).map((d) => d.trim().toLowerCase().replace(/^@/, '')))];
  for (const d of out) if (!DOMAIN.test(d)) throw bad(`'${d.slice(0, 60)}' is not a domain name`);
  return out;
}

function validateReminders(r: Partial<ReminderSettings> | undefined): Partial<ReminderSettings> | undefined {
  if (r === undefined) return undefined;
  if (r.recipients)
    for (const a of r.recipients)
      if (!EMAIL.test(a)) throw bad(`'${a.slice(0, 80)}' is not an e-mail address`);
  if (r.leadDays !== undefined && !(Number.isInteger(r.leadDays) && r.leadDays >= 0 && r.leadDays <= 365)) {
    throw bad('reminders.leadDays must be an integer from 0 to 365');
  }
  if (r.frequency !== undefined && !['daily', 'weekly', 'monthly'].includes(r.frequency)) {
    throw bad("reminders.frequency must be 'daily', 'weekly' or 'monthly'");
  }
  if (
    r.idleWarningDays !== undefined &&
    !(Number.isInteger(r.idleWarningDays) && r.idleWarningDays >= 0 && r.idleWarningDays <= 90)
  ) {
    throw bad('reminders.idleWarningDays must be an integer from 0 to 90');
  }
  return r;
}

export function validatePolicy(p: TenantPolicy): TenantPolicy {
  const int = (name: string, v: number, min: number, max: number) => {
    if (!Number.isInteger(v) || v < min || v > max)
      throw bad(`policy.${name} must be an integer from ${min} to ${max}`);
  };
  int('defaultLifetimeDays', p.defaultLifetimeDays, 1, 3650);
  int('maxLifetimeDays', p.maxLifetimeDays, 1, 3650);
  if (p.defaultLifetimeDays > p.maxLifetimeDays)
    throw bad('policy.defaultLifetimeDays cannot exceed policy.maxLifetimeDays');
  int('idleDays', p.idleDays, 1, 3650);
  int('rotationGraceHours', p.rotationGraceHours, 0, 720);
  int('rotationHardCapHours', p.rotationHardCapHours, 0, 720);
  if (p.rotationGraceHours > p.rotationHardCapHours)
    throw bad('policy.rotationGraceHours cannot exceed policy.rotationHardCapHours');
  int('accessTokenTtlSeconds', p.accessTokenTtlSeconds, 3600, 21600);
  validateReminders(p.reminders);
  if (p.consoleUrl !== undefined && !/^https?:\/\/\S+$/.test(p.consoleUrl))
    throw bad('policy.consoleUrl must be an http(s) URL');
  return p;
}

export class CredentialService {
  /** Sampling of refused authentications in the audit log: first per (tenant, source, reason) per minute. */
  private readonly refusalSamples = new Map<string, number>();

  constructor(
    private readonly repo: CredentialRepository,
    private readonly pepper: PepperSource,
    private readonly clock: Clock,
    private readonly accessTokens?: AccessTokenVerifier,
    /** Policy of new tenants (the deployment's defaults; each tenant can change its own). */
    private readonly defaults: TenantPolicy = DEFAULT_POLICY,
  ) {}

  private now(): Date {
    return this.clock.now();
  }

  private async log(
    tenantId: string,
    type: AuditEventType,
    actor: string,
    extra: Partial<Pick<AuditEvent, 'credentialId' | 'sourceIp' | 'userAgent' | 'detail'>> = {},
  ): Promise<void> {
    await this.repo.appendAudit({
      tenantId,
      id: randomUUID(),
      at: this.now().toISOString(),
      type,
      actor,
      ...extra,
    });
  }

  // ---------------------------------------------------------------- tenants, policy, endpoints, admins

  async createTenant(
    input: { id: string; name: string; policy?: Partial<TenantPolicy> },
    actor: string,
  ): Promise<Tenant> {
    if (typeof input.id !== 'string' || !isValidTenantId(input.id)) {
      throw bad(`tenant id must be 1-63 lowercase letters, digits or '-', starting with a letter or digit`);
    }
    const policy = validatePolicy({
      ...this.defaults,
      ...input.policy,
      reminders: { ...this.defaults.reminders, ...input.policy?.reminders },
    });
    const tenant: Tenant = {
      id: input.id,
      name: input.name || input.id,
      createdAt: this.now().toISOString(),
      policy,
    };
    if (!(await this.repo.putTenant(tenant)))
      throw ScimError.uniqueness(`tenant '${input.id}' already exists`);
    await this.repo.putEndpoint({
      tenantId: tenant.id,
      id: 'default',
      name: 'Default SCIM endpoint',
      createdAt: tenant.createdAt,
    });
    await this.log(tenant.id, 'tenant.created', actor);
    return tenant;
  }

  /** Creates the tenant unless it exists (local bootstrap, tests). */
  async ensureTenant(id: string, name: string): Promise<Tenant> {
    const existing = await this.repo.getTenant(id);
    if (existing) return existing;
    try {
      return await this.createTenant({ id, name }, 'system');
    } catch (e) {
      if (e instanceof ScimError && e.status === 409) return this.getTenant(id);
      throw e;
    }
  }

  async getTenant(tenantId: string): Promise<Tenant> {
    const t = isValidTenantId(tenantId) ? await this.repo.getTenant(tenantId) : undefined;
    if (!t) throw ScimError.notFound(`tenant '${tenantId.slice(0, 64)}' not found`);
    return t;
  }

  listTenants(): Promise<Tenant[]> {
    return this.repo.listTenants();
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

  async updatePolicy(tenantId: string, patch: Partial<TenantPolicy>, actor: string): Promise<TenantPolicy> {
    const tenant = await this.getTenant(tenantId);
    const policy = validatePolicy({
      ...tenant.policy,
      ...patch,
      reminders: { ...tenant.policy.reminders, ...patch.reminders },
    });
    await this.repo.updatePolicy(tenantId, policy);
    await this.log(tenantId, 'tenant.policy-updated', actor);
    await this.reschedule(tenantId, policy);
    return policy;
  }

  /** New tenant defaults can move reminders earlier: recompute every credential's next due time (byDue index). */
  private async reschedule(tenantId: string, policy: TenantPolicy): Promise<void> {
    const now = this.now();
    for (const c of await this.repo.listCredentials(tenantId)) {
      const due = nextDueAt(c, policy, now)?.toISOString();
      if (due === c.nextDueAt) continue;
      const next: Credential = { ...c, nextDueAt: due, version: c.version + 1 };
      // A concurrent change recomputes the due time itself: losing this race loses nothing.
      await this.repo.saveCredential(next, c.version, []).catch((e: unknown) => {
        if (!(e instanceof VersionConflict)) throw e;
      });
    }
  }

  async createEndpoint(
    tenantId: string,
    input: { id: string; name?: string },
    actor: string,
  ): Promise<Endpoint> {
    await this.getTenant(tenantId);
    if (typeof input.id !== 'string' || !isValidEndpointId(input.id)) {
      throw bad(`endpoint id must be 1-63 lowercase letters, digits or '-'`);
    }
    const endpoint: Endpoint = {
      tenantId,
      id: input.id,
      name: input.name ?? input.id,
      createdAt: this.now().toISOString(),
    };
    if (!(await this.repo.putEndpoint(endpoint))) {
      const existing = await this.repo.getEndpoint(tenantId, input.id);
      throw ScimError.uniqueness(
        existing?.deletedAt
          ? `endpoint '${input.id}' was deleted and its id cannot be used again; choose another id`
          : `endpoint '${input.id}' already exists`,
      );
    }
    await this.log(tenantId, 'endpoint.created', actor, { detail: { endpointId: input.id } });
    return endpoint;
  }

  async listEndpoints(tenantId: string): Promise<Endpoint[]> {
    await this.getTenant(tenantId);
    return this.repo.listEndpoints(tenantId);
  }

  async deleteEndpoint(tenantId: string, endpointId: string, actor: string): Promise<void> {
    await this.getTenant(tenantId);
    const users = (await this.repo.listCredentials(tenantId)).filter(
      (c) => c.kind === 'gateway' && c.endpoints.includes(endpointId) && c.status !== 'revoked',
    );
    if (users.length > 0) {
      throw new ScimError(
        409,
        `endpoint '${endpointId}' has live gateway credentials (${users.map((c) => c.id).join(', ')}); revoke them first`,
      );
    }
    if (!(await this.repo.deleteEndpoint(tenantId, endpointId, this.now().toISOString())))
      throw ScimError.notFound(`endpoint '${endpointId}' not found`);
    await this.log(tenantId, 'endpoint.deleted', actor, { detail: { endpointId } });
  }

  async addAdmin(
    tenantId: string,
    input: { id?: string; email: string; role?: AdminRole },
    actor: string,
  ): Promise<AdminMember> {
    await this.getTenant(tenantId);
    if (typeof input.email !== 'string' || !EMAIL.test(input.email))
      throw bad(`'${String(input.email).slice(0, 80)}' is not an e-mail address`);
    const id = input.id ?? randomUUID();
    if (!isValidTenantId(id) && !/^[0-9a-f-]{36}$/.test(id))
      throw bad('admin id must be 1-63 lowercase letters, digits or -');
    const admin: AdminMember = {
      tenantId,
      id,
      email: input.email,
      status: 'active',
      createdAt: this.now().toISOString(),
      role: input.role ?? DEFAULT_ADMIN_ROLE,
    };
    if (!(await this.repo.putAdmin(admin))) throw ScimError.uniqueness(`admin '${id}' already exists`);
    await this.log(tenantId, 'admin.added', actor, { detail: { adminId: id } });
    return admin;
  }

  async listAdmins(tenantId: string): Promise<AdminMember[]> {
    await this.getTenant(tenantId);
    return this.repo.listAdmins(tenantId);
  }

  private async getAdmin(tenantId: string, adminId: string): Promise<AdminMember> {
    const a = await this.repo.getAdmin(tenantId, adminId);
    if (!a) throw ScimError.notFound(`admin '${adminId.slice(0, 64)}' not found`);
    return a;
  }

  async deactivateAdmin(tenantId: string, adminId: string, actor: string): Promise<AdminMember> {
    const admin = await this.getAdmin(tenantId, adminId);
    const next: AdminMember = { ...admin, status: 'deactivated' };
    await this.repo.updateAdmin(next);
    await this.setBoundActive(tenantId, adminId, false, actor);
    await this.log(tenantId, 'admin.deactivated', actor, { detail: { adminId } });
    return next;
  }

  async removeAdmin(tenantId: string, adminId: string, actor: string): Promise<void> {
    await this.getAdmin(tenantId, adminId);
    await this.setBoundActive(tenantId, adminId, false, actor);
    await this.repo.deleteAdmin(tenantId, adminId);
    await this.log(tenantId, 'admin.removed', actor, { detail: { adminId } });
  }

  private async setBoundActive(
    tenantId: string,
    adminId: string,
    active: boolean,
    actor: string,
  ): Promise<void> {
    for (const c of await this.repo.listCredentials(tenantId)) {
      if (c.boundAdminId === adminId && c.adminActive !== active) {
        await this.mutate(tenantId, c.id, actor, 'credential.updated', (cred) => {
          cred.adminActive = active;
        });
      }
    }
  }

  async credentialsBoundTo(tenantId: string, adminId: string): Promise<CredentialView[]> {
    await this.getAdmin(tenantId, adminId);
    const now = this.now();
    return (await this.repo.listCredentials(tenantId))
      .filter((c) => c.boundAdminId === adminId)
      .map((c) => toView(c, now));
  }

  // ---------------------------------------------------------------- credentials

  private newSlot(hashed: { hash: string; version: number }, secret: string): SecretSlot {
    return {
      id: randomUUID(),
      hint: secretHint(secret),
      hash: hashed.hash,
      pepperVersion: hashed.version,
      createdAt: this.now().toISOString(),
    };
  }

  private expiryFrom(
    policy: TenantPolicy,
    input: { expiresAt?: string; days?: number },
    base: Date,
    secretCreatedAt: Date,
  ): string {
    const now = this.now();
    let expires: number;
    if (input.expiresAt !== undefined) {
      expires = Date.parse(input.expiresAt);
      if (Number.isNaN(expires))
        throw bad(`expiresAt '${String(input.expiresAt).slice(0, 40)}' is not an ISO 8601 date`);
    } else {
      const days = input.days ?? policy.defaultLifetimeDays;
      if (!Number.isInteger(days) || days < 1)
        throw bad('the lifetime must be a whole number of days, at least 1');
      expires = base.getTime() + days * DAY;
    }
    if (expires <= now.getTime()) throw bad('the expiry must be in the future');
    // Bounded from now and from the secret's creation, so that extending never replaces rotation.
    const cap = Math.min(now.getTime(), secretCreatedAt.getTime()) + policy.maxLifetimeDays * DAY;
    if (expires > cap + 1000) {
      throw bad(
        `the tenant policy allows at most ${policy.maxLifetimeDays} days from now and from the secret's creation ` +
          `(latest ${new Date(cap).toISOString()}); rotate the credential to go further`,
      );
    }
    return new Date(expires).toISOString();
  }

  private connection(c: Credential, origin: string): Record<string, string> {
    const endpointId = c.endpoints[0] === '*' ? 'default' : (c.endpoints[0] ?? 'default');
    const out: Record<string, string> = { scimBaseUrl: scimBaseUrl(origin, c.tenantId, endpointId) };
    if (c.kind === 'oauth-client') {
      out.tokenEndpoint = tokenEndpoint(origin, c.tenantId);
      out.clientId = c.clientId ?? '';
    }
    if (c.kind === 'basic') out.username = c.username ?? '';
    return out;
  }

  async issue(tenantId: string, input: IssueInput, ctx: ActorContext): Promise<IssuedCredential> {
    const tenant = await this.getTenant(tenantId);
    const policy = tenant.policy;
    if (!CREDENTIAL_KINDS.includes(input.kind))
      throw bad(`kind must be one of ${CREDENTIAL_KINDS.join(', ')}`);
    if (typeof input.name !== 'string' || input.name.trim() === '' || input.name.length > 200) {
      throw bad('name is required (1-200 characters)');
    }
    let endpoints = ['*'];
    if (input.kind === 'gateway' && input.endpointId === undefined)
      throw bad('a gateway credential needs endpointId');
    if (input.endpointId !== undefined) {
      const known = await this.repo.listEndpoints(tenantId);
      if (!known.some((e) => e.id === input.endpointId))
        throw bad(`endpoint '${String(input.endpointId).slice(0, 64)}' does not exist`);
      endpoints = [input.endpointId];
    }
    if (input.boundAdminId !== undefined) {
      const admin = await this.getAdmin(tenantId, input.boundAdminId);
      if (admin.status !== 'active') throw bad(`admin '${admin.id}' is deactivated`);
    }
    const idleDays = input.idleDays ?? policy.idleDays;
    if (!Number.isInteger(idleDays) || idleDays < 1 || idleDays > 3650)
      throw bad('idleDays must be an integer from 1 to 3650');
    const ttl = input.accessTokenTtlSeconds ?? policy.accessTokenTtlSeconds;
    if (!Number.isInteger(ttl) || ttl < 3600 || ttl > 21600)
      throw bad('accessTokenTtlSeconds must be from 3600 to 21600');
    const now = this.now();
    const secret = generateSecret(SECRET_KIND_OF[input.kind]);
    const hashed = hashSecret(await this.pepper.load(), secret);
    const credential: Credential = {
      id: randomUUID(),
      tenantId,
      kind: input.kind,
      name: input.name.trim(),
      description: input.description ?? '',
      roles: resolveRoles(input.roles),
      allowedDomains: resolveDomains(input.allowedDomains),
      adminActive: true,
      endpoints,
      status: 'active',
      createdAt: now.toISOString(),
      expiresAt: this.expiryFrom(policy, { expiresAt: input.expiresAt, days: input.lifetimeDays }, now, now),
      secretCreatedAt: now.toISOString(),
      idleDays,
      activeSince: now.toISOString(),
      secrets: [this.newSlot(hashed, secret)],
      series: 1,
      version: 1,
    };
    if (input.boundAdminId !== undefined) credential.boundAdminId = input.boundAdminId;
    if (input.kind === 'oauth-client') {
      credential.clientId = generateClientId();
      credential.accessTokenTtlSeconds = ttl;
    }
    if (input.kind === 'basic') credential.username = generateBasicUsername();
    const reminders = validateReminders(input.reminders);
    if (reminders) credential.reminders = reminders;
    // Reminder and idle jobs: when this credential next needs one (stored in the byDue index; docs/jobs.md).
    credential.nextDueAt = nextDueAt(credential, policy, now)?.toISOString();
    await this.repo.createCredential(credential);
    await this.log(tenantId, 'credential.created', ctx.actor, {
      credentialId: credential.id,
      detail: { kind: input.kind },
    });
    return {
      credential: toView(credential, now),
      secret,
      connection: this.connection(credential, ctx.origin),
    };
  }

  async list(tenantId: string): Promise<CredentialView[]> {
    await this.getTenant(tenantId);
    const now = this.now();
    return (await this.repo.listCredentials(tenantId)).map((c) => toView(c, now));
  }

  private async load(tenantId: string, id: string): Promise<Credential> {
    const c = isValidTenantId(tenantId) ? await this.repo.getCredential(tenantId, id) : undefined;
    if (!c) throw ScimError.notFound(`credential '${id.slice(0, 64)}' not found`);
    return c;
  }

  async show(tenantId: string, id: string): Promise<CredentialView> {
    return toView(await this.load(tenantId, id), this.now());
  }

  /** Read-modify-write with optimistic concurrency; `change` mutates a copy and may return removed hashes. */
  private async mutate(
    tenantId: string,
    id: string,
    actor: string,
    event: AuditEventType,
    change: (c: Credential) => string[] | void,
    /** Audit detail, or a function of the changed credential. */
    detail?:
      | Record<string, string | number | boolean>
      | ((changed: Credential) => Record<string, string | number | boolean>),
  ): Promise<Credential> {
    for (let attempt = 0; ; attempt++) {
      const current = await this.load(tenantId, id);
      const next: Credential = structuredClone(current);
      const removed = change(next) ?? [];
      next.version = current.version + 1;
      // Reminder and idle jobs: recomputed on every write (byDue index; docs/jobs.md).
      next.nextDueAt = nextDueAt(
        next,
        (await this.repo.getTenant(tenantId))?.policy ?? this.defaults,
        this.now(),
      )?.toISOString();
      try {
        await this.repo.saveCredential(next, current.version, removed);
      } catch (e) {
        if (e instanceof VersionConflict && attempt < 4) continue;
        throw e;
      }
      const audited = typeof detail === 'function' ? detail(next) : detail;
      await this.log(tenantId, event, actor, { credentialId: id, ...(audited ? { detail: audited } : {}) });
      return next;
    }
  }

  async update(tenantId: string, id: string, patch: CredentialPatch, actor: string): Promise<CredentialView> {
    const roles = patch.roles !== undefined ? resolveRoles(patch.roles) : undefined;
    const domains = patch.allowedDomains !== undefined ? resolveDomains(patch.allowedDomains) : undefined;
    const reminders = validateReminders(patch.reminders);
    if (patch.name !== undefined && (patch.name.trim() === '' || patch.name.length > 200))
      throw bad('name must be 1-200 characters');
    if (
      patch.idleDays !== undefined &&
      (!Number.isInteger(patch.idleDays) || patch.idleDays < 1 || patch.idleDays > 3650)
    ) {
      throw bad('idleDays must be an integer from 1 to 3650');
    }
    const c = await this.mutate(tenantId, id, actor, 'credential.updated', (next) => {
      if (patch.name !== undefined) next.name = patch.name.trim();
      if (patch.description !== undefined) next.description = patch.description;
      if (roles) next.roles = roles;
      if (domains) next.allowedDomains = domains;
      if (patch.idleDays !== undefined) next.idleDays = patch.idleDays;
      if (reminders) next.reminders = { ...next.reminders, ...reminders };
    });
    return toView(c, this.now());
  }

  async extend(
    tenantId: string,
    id: string,
    input: { expiresAt?: string; days?: number },
    actor: string,
  ): Promise<CredentialView> {
    const policy = (await this.getTenant(tenantId)).policy;
    const current = await this.load(tenantId, id);
    if (current.status === 'revoked') throw bad('a revoked credential cannot be extended');
    const expiresAt = this.expiryFrom(policy, input, this.now(), new Date(current.secretCreatedAt));
    const c = await this.mutate(
      tenantId,
      id,
      actor,
      'credential.extended',
      (next) => {
        next.expiresAt = expiresAt;
        next.series += 1;
      },
      { expiresAt },
    );
    return toView(c, this.now());
  }

  async rotate(
    tenantId: string,
    id: string,
    input: { compromised?: boolean },
    ctx: ActorContext,
  ): Promise<IssuedCredential> {
    const policy = (await this.getTenant(tenantId)).policy;
    const current = await this.load(tenantId, id);
    if (current.status === 'revoked')
      throw bad('a revoked credential cannot be rotated; reactivate it first');
    const now = this.now();
    const secret = generateSecret(SECRET_KIND_OF[current.kind]);
    const slot = this.newSlot(hashSecret(await this.pepper.load(), secret), secret);
    // Gateway tokens are "regenerated": the old one stops at once, as it does for a compromise.
    const immediate = input.compromised === true || current.kind === 'gateway';
    const c = await this.mutate(
      tenantId,
      id,
      ctx.actor,
      'credential.rotated',
      (next) => {
        const [newest, ...older] = next.secrets;
        const removed = older.map((s) => s.hash);
        next.secrets = [slot];
        if (newest && !immediate) {
          const cap = now.getTime() + policy.rotationHardCapHours * HOUR;
          const retires = newest.retiresAt ? Math.min(Date.parse(newest.retiresAt), cap) : cap;
          next.secrets.push({ ...newest, retiresAt: new Date(retires).toISOString() });
        } else if (newest) {
          removed.push(newest.hash);
          next.tokensValidAfter = now.toISOString();
        }
        next.secretCreatedAt = now.toISOString();
        next.expiresAt = new Date(
          Math.max(
            Date.parse(next.expiresAt),
            now.getTime() + Math.min(policy.defaultLifetimeDays, policy.maxLifetimeDays) * DAY,
          ),
        ).toISOString();
        next.series += 1;
        return removed;
      },
      { compromised: immediate },
    );
    return { credential: toView(c, now), secret, connection: this.connection(c, ctx.origin) };
  }

  async revoke(tenantId: string, id: string, actor: string): Promise<CredentialView> {
    const c = await this.mutate(tenantId, id, actor, 'credential.revoked', (next) => {
      next.status = 'revoked';
      next.revokedAt = this.now().toISOString();
      next.tokensValidAfter = this.now().toISOString();
    });
    return toView(c, this.now());
  }

  /** RFC 7009: access tokens of this client issued before `before` stop working. */
  async revokeAccessTokens(tenantId: string, credentialId: string, before: Date): Promise<void> {
    await this.mutate(tenantId, credentialId, 'idp', 'credential.updated', (next) => {
      const current = next.tokensValidAfter ? Date.parse(next.tokensValidAfter) : 0;
      next.tokensValidAfter = new Date(Math.max(current, before.getTime())).toISOString();
    });
  }

  async reactivate(tenantId: string, id: string, actor: string): Promise<CredentialView> {
    const current = await this.load(tenantId, id);
    if (Date.parse(current.expiresAt) <= this.now().getTime())
      throw bad('the credential has expired; extend it instead');
    if (current.kind === 'gateway') {
      const endpoint = await this.repo.getEndpoint(tenantId, current.endpoints[0] ?? '');
      if (!endpoint || endpoint.deletedAt)
        throw bad(
          `the credential's endpoint '${current.endpoints[0]}' was deleted; it cannot be reactivated`,
        );
    }
    const c = await this.mutate(tenantId, id, actor, 'credential.reactivated', (next) => {
      next.status = 'active';
      next.activeSince = this.now().toISOString();
      delete next.revokedAt;
      delete next.deactivatedAt;
      delete next.deactivationReason;
      next.series += 1;
    });
    return toView(c, this.now());
  }

  /** Marks an idle credential deactivated (the idle job); authentication already refuses it. */
  async deactivateIdle(tenantId: string, id: string): Promise<CredentialView | undefined> {
    const current = await this.load(tenantId, id);
    if (credentialState(current, this.now()) !== 'idle') return undefined;
    const c = await this.mutate(tenantId, id, 'system', 'credential.deactivated', (next) => {
      next.status = 'deactivated';
      next.deactivatedAt = this.now().toISOString();
      next.deactivationReason = 'idle';
    });
    return toView(c, this.now());
  }

  async rebind(
    tenantId: string,
    id: string,
    toAdminId: string | null,
    actor: string,
  ): Promise<CredentialView> {
    let active = true;
    if (toAdminId !== null) {
      const admin = await this.getAdmin(tenantId, toAdminId);
      active = admin.status === 'active';
      if (!active) throw bad(`admin '${toAdminId}' is deactivated`);
    }
    const c = await this.mutate(
      tenantId,
      id,
      actor,
      'credential.rebound',
      (next) => {
        if (toAdminId === null) delete next.boundAdminId;
        else next.boundAdminId = toAdminId;
        next.adminActive = active;
      },
      { adminId: toAdminId ?? 'none' },
    );
    return toView(c, this.now());
  }

  async delete(tenantId: string, id: string, actor: string): Promise<void> {
    const c = await this.load(tenantId, id);
    await this.repo.deleteCredential(c);
    await this.log(tenantId, 'credential.deleted', actor, { credentialId: id });
  }

  /** The audit log of a tenant (or of one credential), newest first. */
  async audit(
    tenantId: string,
    options: { credentialId?: string; limit?: number; before?: string },
  ): Promise<{ events: AuditEvent[]; next?: string }> {
    await this.getTenant(tenantId);
    const limit = Math.min(Math.max(options.limit ?? 50, 1), 200);
    return this.repo.listAudit(tenantId, {
      limit,
      ...(options.credentialId ? { credentialId: options.credentialId } : {}),
      ...(options.before ? { before: options.before } : {}),
    });
  }

  // ---------------------------------------------------------------- authentication

  private async refuse(
    tenantId: string,
    req: Pick<AuthRequest, 'sourceIp' | 'userAgent'>,
    attempt: AuthAttempt,
    reason: string,
    credentialId?: string,
  ): Promise<never> {
    const now = this.now();
    const windowStart = Math.floor(now.getTime() / 1000 / FAILURE_WINDOW_SECONDS) * FAILURE_WINDOW_SECONDS;
    if (isValidTenantId(tenantId)) {
      const count = await this.repo.countFailure(
        tenantId,
        req.sourceIp,
        windowStart,
        FAILURE_WINDOW_SECONDS * 2,
      );
      const sampleKey = `${tenantId}|${req.sourceIp}|${reason}`;
      const minute = Math.floor(now.getTime() / 60_000);
      if (this.refusalSamples.get(sampleKey) !== minute) {
        if (this.refusalSamples.size > 10_000) this.refusalSamples.clear();
        this.refusalSamples.set(sampleKey, minute);
        await this.log(tenantId, 'auth.refused', 'idp', {
          sourceIp: req.sourceIp,
          userAgent: req.userAgent.slice(0, 200),
          detail: { reason },
          ...(credentialId ? { credentialId } : {}),
        });
      }
      if (count > FAILURE_LIMIT) {
        const retry = Math.max(1, windowStart + FAILURE_WINDOW_SECONDS - Math.floor(now.getTime() / 1000));
        throw new ScimError(
          429,
          `too many failed authentications from this source; retry in ${retry} s`,
          undefined,
          {
            'retry-after': String(retry),
          },
        );
      }
    }
    throw new ScimError(
      401,
      attempt.kind === 'none' ? 'authentication required' : `invalid credentials: ${reason}`,
      undefined,
      {
        'www-authenticate': challengeFor(attempt, attempt.kind === 'none' ? undefined : reason),
      },
    );
  }

  /** Checks every rule on a secret record (or an access token's credential) at `now`; returns a refusal reason. */
  private check(r: Omit<SecretRecord, 'slotId'>, endpointId: string): string | undefined {
    const now = this.now().getTime();
    if (r.status === 'revoked') return 'credential revoked';
    if (r.status === 'deactivated') return 'credential deactivated';
    if (Date.parse(r.expiresAt) <= now) return 'credential expired';
    if (idleSince(r) + r.idleDays * DAY <= now) return 'credential inactive (idle)';
    if (r.retiresAt && Date.parse(r.retiresAt) <= now) return 'secret rotated out';
    if (!r.adminActive) return 'credential owner deactivated';
    const endpointOk =
      r.kind === 'gateway'
        ? r.endpoints[0] === endpointId
        : r.endpoints.includes('*') || r.endpoints.includes(endpointId);
    if (!endpointOk) return 'unknown credentials';
    return undefined;
  }

  async authenticate(
    req: AuthRequest,
    tenantId: string,
    endpointId: string,
  ): Promise<AuthenticatedCredential> {
    const attempt = parseAuthorization(req.authorization);
    if (attempt.kind === 'none') return this.refuse(tenantId, req, attempt, 'no credentials');
    if (attempt.kind === 'malformed') return this.refuse(tenantId, req, attempt, 'malformed credentials');
    if (!isValidTenantId(tenantId) || !isValidEndpointId(endpointId))
      return this.refuse(tenantId, req, attempt, 'unknown credentials');
    // Read alongside the credential (no added latency): a deleted or never-created endpoint is gone for everyone.
    const endpoint = this.repo.getEndpoint(tenantId, endpointId).then(
      (e) => ({ live: e !== undefined && e.deletedAt === undefined }),
      (error: unknown) => ({ error }),
    );
    const authenticated = await this.authenticateCredential(req, attempt, tenantId, endpointId);
    const found = await endpoint;
    if ('error' in found) throw found.error;
    if (!found.live) throw ScimError.notFound(`endpoint '${endpointId}' not found`);
    return authenticated;
  }

  private async authenticateCredential(
    req: AuthRequest,
    attempt: AuthAttempt & { kind: 'token' | 'basic' },
    tenantId: string,
    endpointId: string,
  ): Promise<AuthenticatedCredential> {
    if (attempt.kind === 'token' && this.accessTokens && /^eyJ[\w-]*\.[\w-]+\.[\w-]+$/.test(attempt.token)) {
      return this.authenticateAccessToken(req, attempt, tenantId, endpointId);
    }
    const secret = attempt.kind === 'basic' ? attempt.password : attempt.token;
    const parsed = parseSecret(secret);
    const expected = attempt.kind === 'basic' ? ['basic-password'] : ['bearer', 'gateway'];
    if (!parsed || !expected.includes(parsed.kind))
      return this.refuse(tenantId, req, attempt, 'malformed token');

    const pepper = await this.pepper.load();
    let record: SecretRecord | undefined;
    let hash = '';
    for (const candidate of candidateHashes(pepper, secret)) {
      record = await this.repo.findSecret(tenantId, candidate.hash);
      if (record) {
        hash = candidate.hash;
        break;
      }
    }
    if (!record || record.tenantId !== tenantId)
      return this.refuse(tenantId, req, attempt, 'unknown credentials');
    if (attempt.kind === 'basic' && !constantTimeEqual(record.username ?? '', attempt.username)) {
      return this.refuse(tenantId, req, attempt, 'unknown credentials');
    }
    const reason = this.check(record, endpointId);
    if (reason)
      return this.refuse(
        tenantId,
        req,
        attempt,
        reason,
        reason === 'unknown credentials' ? undefined : record.credentialId,
      );

    await this.afterUse(record, hash, req);
    return {
      tenantId,
      endpointId,
      credentialId: record.credentialId,
      roles: record.roles,
      allowedDomains: record.allowedDomains,
      ...this.guardField(record.roles, record.allowedDomains, tenantId, record.credentialId, req),
    };
  }

  /** The request's guard; denials go to the audit log (without awaiting: the guard answers synchronously). */
  private guardField(
    roles: Role[],
    domains: string[],
    tenantId: string,
    credentialId: string,
    req: { sourceIp: string; userAgent: string },
  ): { guard?: ResourceGuard } {
    const guard = guardFor(roles, domains, (reason) => {
      void this.log(tenantId, 'auth.domain-denied', 'idp', {
        credentialId,
        sourceIp: req.sourceIp,
        userAgent: req.userAgent.slice(0, 200),
        detail: { reason },
      }).catch(() => undefined);
    });
    return guard ? { guard } : {};
  }

  private async authenticateAccessToken(
    req: AuthRequest,
    attempt: AuthAttempt & { kind: 'token' },
    tenantId: string,
    endpointId: string,
  ): Promise<AuthenticatedCredential> {
    const claims = await this.accessTokens!.verify(attempt.token, {
      issuer: accessTokenIssuer(req.origin, tenantId),
      audience: accessTokenAudience(tenantId),
    });
    if (!claims || claims.tenantId !== tenantId)
      return this.refuse(tenantId, req, attempt, 'unknown credentials');
    const c = await this.repo.getCredential(tenantId, claims.credentialId);
    if (!c || c.kind !== 'oauth-client' || c.clientId !== claims.clientId)
      return this.refuse(tenantId, req, attempt, 'unknown credentials');
    // iat has whole seconds: a token from the same second as the cut-off is refused too.
    if (c.tokensValidAfter && claims.issuedAt.getTime() <= Date.parse(c.tokensValidAfter)) {
      return this.refuse(tenantId, req, attempt, 'token revoked', c.id);
    }
    const reason = this.check({ ...c, credentialId: c.id }, endpointId);
    if (reason) return this.refuse(tenantId, req, attempt, reason, c.id);
    await this.maybeTouch(
      c.tenantId,
      c.id,
      c.lastUsedAt,
      c.secrets.map((s) => s.hash),
      req,
    );
    return {
      tenantId,
      endpointId,
      credentialId: c.id,
      roles: c.roles,
      allowedDomains: c.allowedDomains,
      ...this.guardField(c.roles, c.allowedDomains, tenantId, c.id, req),
    };
  }

  /** OAuth token endpoint: client id + secret of an oauth-client credential (one read). */
  async authenticateClient(
    tenantId: string,
    clientId: string,
    clientSecret: string,
    source: { sourceIp: string; userAgent: string },
  ): Promise<Credential> {
    const attempt: AuthAttempt = { kind: 'basic', username: clientId, password: clientSecret } as AuthAttempt;
    const parsed = parseSecret(clientSecret);
    if (!isValidTenantId(tenantId) || !parsed || parsed.kind !== 'client-secret') {
      return this.refuse(tenantId, source, attempt, 'invalid client');
    }
    let record: SecretRecord | undefined;
    let hash = '';
    for (const candidate of candidateHashes(await this.pepper.load(), clientSecret)) {
      record = await this.repo.findSecret(tenantId, candidate.hash);
      if (record) {
        hash = candidate.hash;
        break;
      }
    }
    if (!record || record.kind !== 'oauth-client' || !constantTimeEqual(record.clientId ?? '', clientId)) {
      return this.refuse(tenantId, source, attempt, 'invalid client');
    }
    const reason = this.check({ ...record, endpoints: ['*'] }, 'default');
    if (reason) return this.refuse(tenantId, source, attempt, reason, record.credentialId);
    await this.afterUse(record, hash, source);
    return this.load(tenantId, record.credentialId);
  }

  /** First use of a new secret starts the old one's grace period; last use is written at most every 5 minutes. */
  private async afterUse(
    record: SecretRecord,
    hash: string,
    req: { sourceIp: string; userAgent: string },
  ): Promise<void> {
    if (!record.firstUsedAt) {
      const tenant = await this.repo.getTenant(record.tenantId);
      const grace = (tenant?.policy ?? this.defaults).rotationGraceHours * HOUR;
      const now = this.now();
      await this.mutate(
        record.tenantId,
        record.credentialId,
        'idp',
        'credential.first-used',
        (next) => {
          for (const s of next.secrets) {
            if (s.id === record.slotId) s.firstUsedAt ??= now.toISOString();
            else {
              const end = now.getTime() + grace;
              s.retiresAt = new Date(
                s.retiresAt ? Math.min(Date.parse(s.retiresAt), end) : end,
              ).toISOString();
            }
          }
          next.lastUsedAt = now.toISOString();
          next.lastUsedIp = req.sourceIp;
          next.lastUsedUserAgent = req.userAgent.slice(0, 200);
        },
        (changed) => ({ rotated: changed.secrets.length > 1 }),
      ).catch(() => undefined);
      return;
    }
    await this.maybeTouch(record.tenantId, record.credentialId, record.lastUsedAt, [hash], req);
  }

  private async maybeTouch(
    tenantId: string,
    credentialId: string,
    lastUsedAt: string | undefined,
    hashes: string[],
    req: { sourceIp: string; userAgent: string },
  ): Promise<void> {
    const now = this.now();
    if (lastUsedAt && now.getTime() - Date.parse(lastUsedAt) < LAST_USED_WRITE_INTERVAL_MS) return;
    await this.repo
      .touch(tenantId, credentialId, hashes, now.toISOString(), req.sourceIp, req.userAgent.slice(0, 200))
      .catch(() => undefined);
  }

  // ---------------------------------------------------------------- compatibility for the local bootstrap and tests

  async issueBearer(
    tenantId: string,
    options: { name: string; lifetimeDays: number; endpoints?: string[] },
  ): Promise<{ credential: CredentialView; secret: string }> {
    const endpointId = options.endpoints && options.endpoints[0] !== '*' ? options.endpoints[0] : undefined;
    if (endpointId) {
      const known = await this.repo.listEndpoints(tenantId);
      if (!known.some((e) => e.id === endpointId))
        await this.createEndpoint(tenantId, { id: endpointId }, 'system');
    }
    const issued = await this.issue(
      tenantId,
      {
        kind: 'bearer',
        name: options.name,
        lifetimeDays: options.lifetimeDays,
        ...(endpointId ? { endpointId } : {}),
      },
      { actor: 'system', origin: 'http://localhost' },
    );
    return { credential: issued.credential, secret: issued.secret };
  }
}
