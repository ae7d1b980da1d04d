/**
 * The credential model: what admins issue to identity providers, and the ports the credential use cases need.
 * Pure types and constants; no SDK. See ../shared/docs/credentials.md (the rules) and docs/architecture.md.
 */
import type * as z from 'zod/mini';
import type { SecretKind } from '../credentials/secret-format';
import type * as schemas from './credential-schemas';

/** What an admin creates. Each kind has its own secret prefix (see secret-format.ts). */
export type CredentialKind = 'bearer' | 'oauth-client' | 'basic' | 'gateway';

export const CREDENTIAL_KINDS: readonly CredentialKind[] = ['bearer', 'oauth-client', 'basic', 'gateway'];

/** The secret kind (prefix) each credential kind issues. */
export const SECRET_KIND_OF: Record<CredentialKind, SecretKind> = {
  bearer: 'bearer',
  'oauth-client': 'client-secret',
  basic: 'basic-password',
  gateway: 'gateway',
};

export type Role = 'users:read' | 'users:write' | 'groups:read' | 'groups:write';
export const ALL_ROLES: readonly Role[] = ['users:read', 'users:write', 'groups:read', 'groups:write'];

/** Presets the management API and CLI accept besides explicit role lists. */
export const ROLE_PRESETS: Record<string, Role[]> = {
  'users-and-groups': ['users:read', 'users:write', 'groups:read', 'groups:write'],
  users: ['users:read', 'users:write'],
  'read-only': ['users:read', 'groups:read'],
};

/** Stored status; "expired" and "idle" are derived from the clock, not stored (see credentialState). */
export type CredentialStatus = Credential['status'];

/** What a listing shows: the stored status or what the clock makes of an active credential. */
export type CredentialState = CredentialView['state'];

// The shapes below are inferred from their zod schemas (credential-schemas.ts: the one source).
export type SecretSlot = z.infer<typeof schemas.secretSlot>;
export type ReminderSettings = z.infer<typeof schemas.reminderSettings>;
export type Credential = z.infer<typeof schemas.credential>;
export type ScimRequestRecord = z.infer<typeof schemas.scimRequest>;
/** A credential as the management API shows it: no hashes. */
export type CredentialView = z.infer<typeof schemas.credentialView>;
export type TenantPolicy = z.infer<typeof schemas.tenantPolicy>;
export type Tenant = z.infer<typeof schemas.tenant>;
export type Endpoint = z.infer<typeof schemas.endpoint>;
export type AdminMember = z.infer<typeof schemas.adminMember>;
/** What authentication reads: one item per live secret (see credential-schemas.ts). */
export type SecretRecord = z.infer<typeof schemas.secretRecord>;

export const DEFAULT_POLICY: TenantPolicy = {
  defaultLifetimeDays: 365,
  maxLifetimeDays: 730,
  idleDays: 30,
  rotationGraceHours: 24,
  rotationHardCapHours: 72,
  accessTokenTtlSeconds: 3600,
  reminders: { recipients: [], leadDays: 14, frequency: 'weekly', atExpiry: true, idleWarningDays: 7 },
};

/** What an admin may do in the console (docs/console.md): owner ⊃ admin ⊃ viewer. */
export type AdminRole = 'owner' | 'admin' | 'viewer';
export const ADMIN_ROLES: readonly AdminRole[] = ['owner', 'admin', 'viewer'];
/** Memberships created before console roles existed act as `admin`. */
export const DEFAULT_ADMIN_ROLE: AdminRole = 'admin';

export type AuditEventType =
  | 'credential.created'
  | 'credential.first-used'
  | 'credential.extended'
  | 'credential.rotated'
  | 'credential.secret-retired'
  | 'credential.revoked'
  | 'credential.deleted'
  | 'credential.reactivated'
  | 'credential.deactivated'
  | 'credential.rebound'
  | 'credential.updated'
  | 'credential.reminder-sent'
  | 'credential.idle-warning'
  | 'credential.expired'
  | 'auth.refused'
  | 'auth.domain-denied'
  | 'tenant.created'
  | 'tenant.policy-updated'
  | 'tenant.updated'
  | 'endpoint.created'
  | 'endpoint.updated'
  | 'endpoint.deleted'
  | 'admin.added'
  | 'admin.deactivated'
  | 'admin.removed'
  | 'admin.role-changed'
  | 'console.setup-link-created'
  | 'console.session-started'
  | 'console.session-ended';

export interface AuditEvent {
  tenantId: string;
  id: string;
  at: string;
  type: AuditEventType;
  credentialId?: string;
  /** Who did it: an admin id, "system" (jobs), "idp" (authentication) or the management caller. */
  actor: string;
  sourceIp?: string;
  userAgent?: string;
  /** Free-form, never a secret or a hash. */
  detail?: Record<string, string | number | boolean>;
}

export interface CredentialRepository {
  putTenant(tenant: Tenant): Promise<boolean>;
  getTenant(tenantId: string): Promise<Tenant | undefined>;
  listTenants(): Promise<Tenant[]>;
  updatePolicy(tenantId: string, policy: TenantPolicy): Promise<void>;

  putEndpoint(endpoint: Endpoint): Promise<boolean>;
  /** Live endpoints only. */
  listEndpoints(tenantId: string): Promise<Endpoint[]>;
  /** The endpoint, deleted or not (one strongly consistent read). */
  getEndpoint(tenantId: string, endpointId: string): Promise<Endpoint | undefined>;
  /** Marks a live endpoint deleted (a tombstone); false when there is none. */
  deleteEndpoint(tenantId: string, endpointId: string, at: string): Promise<boolean>;
  /**
   * Sets (or, with undefined, removes) the application URL of a tenant, or of one of its live endpoints; false when
   * there is no such tenant or live endpoint.
   */
  setApplicationUrl(
    tenantId: string,
    endpointId: string | undefined,
    url: string | undefined,
  ): Promise<boolean>;

  putAdmin(admin: AdminMember): Promise<boolean>;
  getAdmin(tenantId: string, adminId: string): Promise<AdminMember | undefined>;
  listAdmins(tenantId: string): Promise<AdminMember[]>;
  updateAdmin(admin: AdminMember): Promise<void>;
  deleteAdmin(tenantId: string, adminId: string): Promise<void>;

  /** One transaction: the credential item and one secret item per live slot. */
  createCredential(credential: Credential): Promise<void>;
  getCredential(tenantId: string, credentialId: string): Promise<Credential | undefined>;
  listCredentials(tenantId: string): Promise<Credential[]>;
  /**
   * Writes the credential (conditioned on `expectedVersion`) and rewrites its secret items to match its live slots:
   * puts the current ones, deletes `removedHashes`. Throws VersionConflict when the version moved.
   */
  saveCredential(credential: Credential, expectedVersion: number, removedHashes: string[]): Promise<void>;
  deleteCredential(credential: Credential): Promise<void>;
  /**
   * The secret item of `hash` and, when named, the endpoint `endpointId` (deleted or not), in one strongly
   * consistent read (authentication's one round trip: docs/decisions/0012).
   */
  findSecret(
    tenantId: string,
    hash: string,
    endpointId?: string,
  ): Promise<{ secret: SecretRecord | undefined; endpoint: Endpoint | undefined }>;
  /** Cheap last-used write (credential item + the given secret items), no version bump. */
  touch(
    tenantId: string,
    credentialId: string,
    hashes: string[],
    at: string,
    ip: string,
    userAgent: string,
  ): Promise<void>;

  /**
   * One unconditional put: a credential's SCIM request, kept REQUEST_LOG_DAYS. `id` makes its key (with the time):
   * the same id writes the same item again.
   */
  recordRequest(tenantId: string, request: ScimRequestRecord, id: string): Promise<void>;
  /** The item `recordRequest` puts, for a write that carries it in its own transaction (Scope.record). */
  requestRecordItem(tenantId: string, request: ScimRequestRecord, id: string): Record<string, unknown>;
  /** The credential's most recent SCIM requests, newest first (one query, at most `limit` items). */
  listRequests(tenantId: string, credentialId: string, limit: number): Promise<ScimRequestRecord[]>;

  appendAudit(event: AuditEvent): Promise<void>;
  listAudit(
    tenantId: string,
    options: { credentialId?: string; limit: number; before?: string },
  ): Promise<{ events: AuditEvent[]; next?: string }>;

  /** Counts an authentication failure of `source` in the current window; returns the count so far. */
  countFailure(tenantId: string, source: string, windowStart: number, ttlSeconds: number): Promise<number>;

  // ---- reminder and idle jobs (docs/jobs.md)

  /** Credentials whose due time is at or before `now`, across tenants (the byDue index), at most `limit`. */
  listDue(now: string, limit: number): Promise<DueEntry[]>;
  /**
   * Moves a credential's due time (`undefined` takes it out of the index) unless the credential changed since the
   * job read it (`expectedVersion`): then the service already wrote a fresh one. Returns false in that case.
   */
  setDue(
    tenantId: string,
    credentialId: string,
    dueAt: string | undefined,
    expectedVersion: number,
  ): Promise<boolean>;
  /** Claims of one credential whose slot key starts with `slotPrefix`. */
  listClaims(tenantId: string, credentialId: string, slotPrefix: string): Promise<ReminderClaim[]>;
  /** Conditional write: true when this caller now owns (credential, slot, recipient); false when it was taken. */
  claim(claim: ReminderClaim): Promise<boolean>;
  /** The message for a claim was accepted by the mail service (`reclaimedAt` re-dates a future-dated claim). */
  markSent(
    tenantId: string,
    credentialId: string,
    slot: string,
    recipient: string,
    at: string,
    reclaimedAt?: string,
  ): Promise<void>;
  /** Sending failed: the next run may claim again. */
  releaseClaim(tenantId: string, credentialId: string, slot: string, recipient: string): Promise<void>;
  /** A bounce or complaint: the address gets no more mail for this tenant until an admin removes it. */
  recordSuppressed(entry: SuppressedRecipient): Promise<void>;
  listSuppressed(tenantId: string): Promise<SuppressedRecipient[]>;
}

/** One entry of the byDue index. */
export interface DueEntry {
  tenantId: string;
  credentialId: string;
  dueAt: string;
}

/** One (credential, slot, recipient) a job has claimed or sent. `recipient` is '-' for state changes. */
export interface ReminderClaim {
  tenantId: string;
  credentialId: string;
  slot: string;
  recipient: string;
  state: 'claimed' | 'sent';
  claimedAt: string;
  sentAt?: string;
}

export interface SuppressedRecipient {
  tenantId: string;
  email: string;
  reason: 'bounce' | 'complaint';
  at: string;
  detail?: string;
}

/** Port for OAuth access tokens (implemented in shared/credentials/access-token.ts). */
export interface AccessTokenVerifier {
  verify(
    token: string,
    expected: { issuer: string; audience: string },
  ): Promise<
    { tenantId: string; credentialId: string; clientId: string; issuedAt: Date; expiresAt: Date } | undefined
  >;
}

/** Issued once: everything the IdP form asks for. */
export interface IssuedCredential {
  credential: CredentialView;
  /** The secret (token, client secret or password), shown exactly once. */
  secret: string;
  /** Per kind: scimBaseUrl, tokenEndpoint, clientId, username. */
  connection: Record<string, string>;
}
