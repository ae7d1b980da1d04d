/**
 * The credential use cases as one object, for the management API, the CLI's local paths and the tests: a thin
 * facade over the parts, each in its own module:
 *
 * - tenants.ts: tenants and policy, SCIM endpoints, admin memberships;
 * - credential-lifecycle.ts: issue, update, extend, rotate, revoke, reactivate, rebind, delete, idle deactivation;
 * - authenticator.ts: authentication of SCIM requests and OAuth clients, refusals, rate limiting, last use;
 * - audit-log.ts: the audit log; credential-store.ts: guarded writes; credential-rules.ts: pure rules.
 *
 * The SCIM and OAuth functions build an Authenticator alone and never import this module (bundle size).
 */
import type { PepperSource } from '../credentials/pepper';
import { AuditLog } from './audit-log';
import { Authenticator } from './authenticator';
import { CredentialLifecycle } from './credential-lifecycle';
import {
  DEFAULT_POLICY,
  type AccessTokenVerifier,
  type CredentialRepository,
  type TenantPolicy,
} from './credential-model';
import type { Clock } from './ports';
import { listScimRequests } from './request-log';
import { Tenants } from './tenants';

export class CredentialService {
  readonly tenants: Tenants;
  readonly lifecycle: CredentialLifecycle;
  readonly authenticator: Authenticator;
  readonly auditLog: AuditLog;
  private readonly repo: CredentialRepository;

  constructor(
    repo: CredentialRepository,
    pepper: PepperSource,
    clock: Clock,
    accessTokens?: AccessTokenVerifier,
    /** Policy of new tenants (the deployment's defaults; each tenant can change its own). */
    defaults: TenantPolicy = DEFAULT_POLICY,
  ) {
    const ctx = { repo, clock, defaults };
    this.repo = repo;
    this.tenants = new Tenants(ctx);
    this.lifecycle = new CredentialLifecycle(ctx, pepper, this.tenants);
    this.authenticator = new Authenticator(ctx, pepper, accessTokens);
    this.auditLog = new AuditLog(repo, clock);
  }

  // ---------------------------------------------------------------- tenants, policy, endpoints, admins
  createTenant(...a: Parameters<Tenants['createTenant']>) {
    return this.tenants.createTenant(...a);
  }
  ensureTenant(...a: Parameters<Tenants['ensureTenant']>) {
    return this.tenants.ensureTenant(...a);
  }
  getTenant(...a: Parameters<Tenants['getTenant']>) {
    return this.tenants.getTenant(...a);
  }
  listTenants() {
    return this.tenants.listTenants();
  }
  deleteTenant(...a: Parameters<Tenants['deleteTenant']>) {
    return this.tenants.deleteTenant(...a);
  }
  getPolicy(...a: Parameters<Tenants['getPolicy']>) {
    return this.tenants.getPolicy(...a);
  }
  updatePolicy(...a: Parameters<Tenants['updatePolicy']>) {
    return this.tenants.updatePolicy(...a);
  }
  setApplicationUrl(...a: Parameters<Tenants['setApplicationUrl']>) {
    return this.tenants.setApplicationUrl(...a);
  }
  createEndpoint(...a: Parameters<Tenants['createEndpoint']>) {
    return this.tenants.createEndpoint(...a);
  }
  listEndpoints(...a: Parameters<Tenants['listEndpoints']>) {
    return this.tenants.listEndpoints(...a);
  }
  deleteEndpoint(...a: Parameters<Tenants['deleteEndpoint']>) {
    return this.tenants.deleteEndpoint(...a);
  }
  addAdmin(...a: Parameters<Tenants['addAdmin']>) {
    return this.tenants.addAdmin(...a);
  }
  listAdmins(...a: Parameters<Tenants['listAdmins']>) {
    return this.tenants.listAdmins(...a);
  }
  deactivateAdmin(...a: Parameters<Tenants['deactivateAdmin']>) {
    return this.tenants.deactivateAdmin(...a);
  }
  removeAdmin(...a: Parameters<Tenants['removeAdmin']>) {
    return this.tenants.removeAdmin(...a);
  }
  credentialsBoundTo(...a: Parameters<Tenants['credentialsBoundTo']>) {
    return this.tenants.credentialsBoundTo(...a);
  }

  // ---------------------------------------------------------------- credential lifecycle
  issue(...a: Parameters<CredentialLifecycle['issue']>) {
    return this.lifecycle.issue(...a);
  }
  list(...a: Parameters<CredentialLifecycle['list']>) {
    return this.lifecycle.list(...a);
  }
  show(...a: Parameters<CredentialLifecycle['show']>) {
    return this.lifecycle.show(...a);
  }
  update(...a: Parameters<CredentialLifecycle['update']>) {
    return this.lifecycle.update(...a);
  }
  extend(...a: Parameters<CredentialLifecycle['extend']>) {
    return this.lifecycle.extend(...a);
  }
  rotate(...a: Parameters<CredentialLifecycle['rotate']>) {
    return this.lifecycle.rotate(...a);
  }
  revoke(...a: Parameters<CredentialLifecycle['revoke']>) {
    return this.lifecycle.revoke(...a);
  }
  reactivate(...a: Parameters<CredentialLifecycle['reactivate']>) {
    return this.lifecycle.reactivate(...a);
  }
  deactivateIdle(...a: Parameters<CredentialLifecycle['deactivateIdle']>) {
    return this.lifecycle.deactivateIdle(...a);
  }
  rebind(...a: Parameters<CredentialLifecycle['rebind']>) {
    return this.lifecycle.rebind(...a);
  }
  delete(...a: Parameters<CredentialLifecycle['delete']>) {
    return this.lifecycle.delete(...a);
  }

  // ---------------------------------------------------------------- authentication and audit
  authenticate(...a: Parameters<Authenticator['authenticate']>) {
    return this.authenticator.authenticate(...a);
  }
  authenticateClient(...a: Parameters<Authenticator['authenticateClient']>) {
    return this.authenticator.authenticateClient(...a);
  }
  revokeAccessTokens(...a: Parameters<Authenticator['revokeAccessTokens']>) {
    return this.authenticator.revokeAccessTokens(...a);
  }
  audit(...a: Parameters<AuditLog['list']>) {
    return this.auditLog.list(...a);
  }
  /** The credential's recent SCIM requests, newest first (shared/domain/request-log.ts). */
  requests(tenantId: string, credentialId: string) {
    return listScimRequests(this.repo, tenantId, credentialId);
  }
}
