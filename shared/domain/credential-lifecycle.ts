/**
 * The credential lifecycle: issue, list and show, update, extend, rotate, revoke, reactivate, rebind to an admin,
 * delete, and the idle job's deactivation. Every change is one guarded write of the credential (and its secret
 * items) plus an audit event; see credential-store.ts.
 */
import { randomUUID } from 'node:crypto';
import type * as z from 'zod/mini';
import { hashSecret, type PepperSource } from '../credentials/pepper';
import {
  generateBasicUsername,
  generateClientId,
  generateSecret,
  secretHint,
} from '../credentials/secret-format';
import { AuditLog } from './audit-log';
import {
  SECRET_KIND_OF,
  type Credential,
  type CredentialView,
  type IssuedCredential,
  type SecretSlot,
} from './credential-model';
import {
  bad,
  connectionEndpoint,
  connectionOf,
  credentialState,
  DAY,
  expiryFrom,
  HOUR,
  resolveDomains,
  resolveRoles,
  toView,
} from './credential-rules';
import { requestSchemas } from './credential-schemas';
import { CredentialStore, type CredentialContext } from './credential-store';
import { nextDueAt } from './reminders';
import type { Tenants } from './tenants';
import { parseInput } from './validation';

/** The body of `POST /credentials`, as its schema defines it. */
export type IssueInput = z.infer<typeof requestSchemas.issue>;
/** The body of `PATCH /credentials/{id}`: any subset; reminders merge field by field. */
export type CredentialPatch = z.infer<typeof requestSchemas.update>;

export interface ActorContext {
  actor: string;
  origin: string;
}

export class CredentialLifecycle {
  private readonly audit: AuditLog;
  private readonly store: CredentialStore;

  constructor(
    private readonly ctx: CredentialContext,
    private readonly pepper: PepperSource,
    private readonly tenants: Pick<Tenants, 'getTenant' | 'getAdmin' | 'applicationUrlOf'>,
  ) {
    this.audit = new AuditLog(ctx.repo, ctx.clock);
    this.store = new CredentialStore(ctx, this.audit);
  }

  private now(): Date {
    return this.ctx.clock.now();
  }

  private newSlot(hashed: { hash: string; version: number }, secret: string): SecretSlot {
    return {
      id: randomUUID(),
      hint: secretHint(secret),
      hash: hashed.hash,
      pepperVersion: hashed.version,
      createdAt: this.now().toISOString(),
    };
  }

  async issue(tenantId: string, request: IssueInput, ctx: ActorContext): Promise<IssuedCredential> {
    const tenant = await this.tenants.getTenant(tenantId);
    const policy = tenant.policy;
    const input = parseInput(requestSchemas.issue, request);
    let endpoints = ['*'];
    if (input.kind === 'gateway' && input.endpointId === undefined)
      throw bad('a gateway credential needs endpointId');
    if (input.endpointId !== undefined) {
      const known = await this.ctx.repo.listEndpoints(tenantId);
      if (!known.some((e) => e.id === input.endpointId))
        throw bad(`endpoint '${String(input.endpointId).slice(0, 64)}' does not exist`);
      endpoints = [input.endpointId];
    }
    if (input.boundAdminId !== undefined) {
      const admin = await this.tenants.getAdmin(tenantId, input.boundAdminId);
      if (admin.status !== 'active') throw bad(`admin '${admin.id}' is deactivated`);
    }
    // Both bounded by their schemas, in the request and in the policy.
    const idleDays = input.idleDays ?? policy.idleDays;
    const ttl = input.accessTokenTtlSeconds ?? policy.accessTokenTtlSeconds;
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
      expiresAt: expiryFrom(policy, { expiresAt: input.expiresAt, days: input.lifetimeDays }, now, now, now),
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
    if (input.reminders) credential.reminders = input.reminders;
    if (input.expiryNotifications === false) credential.expiryNotifications = false;
    // Reminder and idle jobs: when this credential next needs one (stored in the byDue index; docs/jobs.md).
    credential.nextDueAt = nextDueAt(credential, policy, now)?.toISOString();
    await this.ctx.repo.createCredential(credential);
    await this.audit.record(tenantId, 'credential.created', ctx.actor, {
      credentialId: credential.id,
      detail: { kind: input.kind },
    });
    return {
      credential: toView(credential, now),
      secret,
      connection: connectionOf(
        credential,
        ctx.origin,
        await this.tenants.applicationUrlOf(tenant, connectionEndpoint(credential)),
      ),
    };
  }

  async list(tenantId: string): Promise<CredentialView[]> {
    await this.tenants.getTenant(tenantId);
    const now = this.now();
    return (await this.ctx.repo.listCredentials(tenantId)).map((c) => toView(c, now));
  }

  async show(tenantId: string, id: string): Promise<CredentialView> {
    return toView(await this.store.load(tenantId, id), this.now());
  }

  async update(
    tenantId: string,
    id: string,
    request: CredentialPatch,
    actor: string,
  ): Promise<CredentialView> {
    const patch = parseInput(requestSchemas.update, request);
    const roles = patch.roles !== undefined ? resolveRoles(patch.roles) : undefined;
    const domains = patch.allowedDomains !== undefined ? resolveDomains(patch.allowedDomains) : undefined;
    const reminders = patch.reminders;
    const c = await this.store.mutate(tenantId, id, actor, 'credential.updated', (next) => {
      if (patch.name !== undefined) next.name = patch.name.trim();
      if (patch.description !== undefined) next.description = patch.description;
      if (roles) next.roles = roles;
      if (domains) next.allowedDomains = domains;
      if (patch.idleDays !== undefined) next.idleDays = patch.idleDays;
      if (reminders) next.reminders = { ...next.reminders, ...reminders };
      if (patch.expiryNotifications !== undefined) next.expiryNotifications = patch.expiryNotifications;
    });
    return toView(c, this.now());
  }

  async extend(
    tenantId: string,
    id: string,
    request: z.infer<typeof requestSchemas.extend>,
    actor: string,
  ): Promise<CredentialView> {
    const policy = (await this.tenants.getTenant(tenantId)).policy;
    const input = parseInput(requestSchemas.extend, request);
    const current = await this.store.load(tenantId, id);
    if (current.status === 'revoked') throw bad('a revoked credential cannot be extended');
    const now = this.now();
    const expiresAt = expiryFrom(policy, input, now, new Date(current.secretCreatedAt), now);
    const c = await this.store.mutate(
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
    const tenant = await this.tenants.getTenant(tenantId);
    const policy = tenant.policy;
    const current = await this.store.load(tenantId, id);
    if (current.status === 'revoked')
      throw bad('a revoked credential cannot be rotated; reactivate it first');
    const now = this.now();
    const secret = generateSecret(SECRET_KIND_OF[current.kind]);
    const slot = this.newSlot(hashSecret(await this.pepper.load(), secret), secret);
    // Gateway tokens are "regenerated": the old one stops at once, as it does for a compromise.
    const immediate = input.compromised === true || current.kind === 'gateway';
    const c = await this.store.mutate(
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
    const applicationUrl = await this.tenants.applicationUrlOf(tenant, connectionEndpoint(c));
    return { credential: toView(c, now), secret, connection: connectionOf(c, ctx.origin, applicationUrl) };
  }

  async revoke(tenantId: string, id: string, actor: string): Promise<CredentialView> {
    const c = await this.store.mutate(tenantId, id, actor, 'credential.revoked', (next) => {
      next.status = 'revoked';
      next.revokedAt = this.now().toISOString();
      next.tokensValidAfter = this.now().toISOString();
    });
    return toView(c, this.now());
  }

  async reactivate(tenantId: string, id: string, actor: string): Promise<CredentialView> {
    const current = await this.store.load(tenantId, id);
    if (Date.parse(current.expiresAt) <= this.now().getTime())
      throw bad('the credential has expired; extend it instead');
    if (current.kind === 'gateway') {
      const endpoint = await this.ctx.repo.getEndpoint(tenantId, current.endpoints[0] ?? '');
      if (!endpoint || endpoint.deletedAt)
        throw bad(
          `the credential's endpoint '${current.endpoints[0]}' was deleted; it cannot be reactivated`,
        );
    }
    const c = await this.store.mutate(tenantId, id, actor, 'credential.reactivated', (next) => {
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
    const current = await this.store.load(tenantId, id);
    if (credentialState(current, this.now()) !== 'idle') return undefined;
    const c = await this.store.mutate(tenantId, id, 'system', 'credential.deactivated', (next) => {
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
      const admin = await this.tenants.getAdmin(tenantId, toAdminId);
      active = admin.status === 'active';
      if (!active) throw bad(`admin '${toAdminId}' is deactivated`);
    }
    const c = await this.store.mutate(
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
    const c = await this.store.load(tenantId, id);
    await this.ctx.repo.deleteCredential(c);
    await this.audit.record(tenantId, 'credential.deleted', actor, { credentialId: id });
  }
}
