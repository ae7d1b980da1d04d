/**
 * The one source of the credential shapes, in zod/mini (cheap in a Lambda bundle):
 *
 * - the management API's request bodies (unknown keys rejected), validated by the management edge and again by the
 *   use cases with the very same schemas, so that every bound lives here and only here;
 * - the tenant policy with its bounds and cross-field rules;
 * - the stored items (tenants, endpoints, admins, credentials, secret records), which the storage adapter parses
 *   on the way in; the management API's response shapes are derived from them.
 *
 * The types of credential-model.ts are inferred from these schemas. docs/openapi.json is held to them by
 * test/unit/openapi-schemas.test.ts.
 */
import * as z from 'zod/mini';
import {
  ADMIN_ROLES,
  ALL_ROLES,
  CREDENTIAL_KINDS,
  ROLE_PRESETS,
  type AdminRole,
  type CredentialKind,
  type Role,
} from './credential-model';

/** An integer in [min, max], worded the same wherever it fails. */
function between(min: number, max: number) {
  const error = `must be an integer from ${min} to ${max}`;
  return z.int().check(z.gte(min, { error }), z.lte(max, { error }));
}

/**
 * OAuth access token lifetime: 1 to 6 hours (Entra ID's gallery rules), one bound for the policy, each credential
 * and the token endpoint. The upper bound is also the verifier's hard cap (MAX_ACCESS_TOKEN_TTL_SECONDS).
 */
export const ACCESS_TOKEN_TTL = { min: 3600, max: 21_600, default: 3600 } as const;
export const accessTokenTtlSeconds = between(ACCESS_TOKEN_TTL.min, ACCESS_TOKEN_TTL.max);
const lifetimeDays = between(1, 3650);
const idleDays = between(1, 3650);
const rotationHours = between(0, 720);
const positiveInt = z.int().check(z.gte(1));

const id = z.string().check(z.minLength(1), z.maxLength(128));
const name = z.string().check(z.minLength(1), z.maxLength(200));
/** A credential's name: also not blank (it is trimmed when stored). */
const credentialName = z
  .string()
  .check(z.minLength(1), z.maxLength(200), z.regex(/\S/, { error: 'must not be blank' }));
const description = z.string().check(z.maxLength(2000));
const isoDateTime = z.iso.datetime({ offset: true });
const role = z.enum(ALL_ROLES as readonly [Role, ...Role[]]);
const kind = z.enum(CREDENTIAL_KINDS as readonly [CredentialKind, ...CredentialKind[]]);
const presetNames = Object.keys(ROLE_PRESETS) as [string, ...string[]];
const roles = z.union([z.array(role).check(z.maxLength(ALL_ROLES.length * 2)), z.enum(presetNames)], {
  error: `must be a list of roles (${ALL_ROLES.join(', ')}) or a preset name (${presetNames.join(', ')})`,
});
const adminRole = z.enum(ADMIN_ROLES as readonly [AdminRole, ...AdminRole[]]);
/**
 * An application (bookmark) URL: what an IdP shows as the app's sign-in link next to the SCIM URL and token. https,
 * or http on the loopback for local runs; no credentials in it.
 */
export function isApplicationUrl(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  if (url.username || url.password || url.hostname === '') return false;
  if (url.protocol === 'https:') return true;
  return url.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
}
export const applicationUrl = z
  .string()
  .check(
    z.maxLength(2048),
    z.refine(isApplicationUrl, { error: 'must be an https URL (http only on 127.0.0.1 or localhost)' }),
  );
const allowedDomains = z.array(z.string().check(z.minLength(1), z.maxLength(253))).check(z.maxLength(100));

// ---------------------------------------------------------------------------------------------------------------
// Reminders and the tenant policy
// ---------------------------------------------------------------------------------------------------------------

const reminderShape = {
  /** Recipient e-mail addresses; empty = tenant default. */
  recipients: z.array(z.email()).check(z.maxLength(50)),
  /** Days before expiry the first reminder goes out. */
  leadDays: between(0, 365),
  frequency: z.enum(['daily', 'weekly', 'monthly']),
  /** Also send a mail at expiry. */
  atExpiry: z.boolean(),
  /** Days before becoming idle the idle warning goes out. */
  idleWarningDays: between(0, 90),
};
export const reminderSettings = z.object(reminderShape);
/** Any subset of the reminder settings; the rest is inherited (field by field). */
export const remindersPatch = z.partial(z.strictObject(reminderShape));

const policyShape = {
  defaultLifetimeDays: lifetimeDays,
  /** The latest expiry anyone can choose, in days from now (issuing and extending). */
  maxLifetimeDays: lifetimeDays,
  /**
   * Optional absolute age cap: no expiry later than this many days after the secret's creation, so that going
   * further takes a rotation. Absent = off (extensions are capped by maxLifetimeDays from now only).
   */
  maxSecretAgeDays: z.optional(lifetimeDays),
  idleDays,
  /** Old secret keeps working this long after the new one's first successful use. */
  rotationGraceHours: rotationHours,
  /** …and never longer than this after the rotation. */
  rotationHardCapHours: rotationHours,
  accessTokenTtlSeconds,
  reminders: reminderSettings,
  /** URL of the admin console, used in e-mails ("extend or rotate it at …"). */
  consoleUrl: z.optional(z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' })),
};
export const tenantPolicy = z.object(policyShape).check(
  z.refine((p) => p.defaultLifetimeDays <= p.maxLifetimeDays, {
    error: 'cannot exceed maxLifetimeDays',
    path: ['defaultLifetimeDays'],
  }),
  // A new secret may always get the longest lifetime: the age cap only limits extensions.
  z.refine((p) => p.maxSecretAgeDays === undefined || p.maxSecretAgeDays >= p.maxLifetimeDays, {
    error: 'cannot be less than maxLifetimeDays',
    path: ['maxSecretAgeDays'],
  }),
  z.refine((p) => p.rotationGraceHours <= p.rotationHardCapHours, {
    error: 'cannot exceed rotationHardCapHours',
    path: ['rotationGraceHours'],
  }),
);
/**
 * A policy change: any subset of the fields, merged with the current policy (reminders field by field);
 * `maxSecretAgeDays: null` turns the age cap off.
 */
export const policyPatch = z.partial(
  z.strictObject({
    ...policyShape,
    maxSecretAgeDays: z.union([lifetimeDays, z.null()]),
    reminders: remindersPatch,
    consoleUrl: policyShape.consoleUrl,
  }),
);

// ---------------------------------------------------------------------------------------------------------------
// Stored items (parsed by the storage adapter on the way in) and the views derived from them
// ---------------------------------------------------------------------------------------------------------------

export const tenant = z.object({
  id: z.string(),
  name: z.string(),
  createdAt: z.string(),
  policy: tenantPolicy,
  /** The application (bookmark) URL of the tenant's endpoints that name none of their own. */
  applicationUrl: z.optional(z.string()),
});

export const endpoint = z.object({
  tenantId: z.string(),
  id: z.string(),
  name: z.string(),
  createdAt: z.string(),
  /** Set when the endpoint was deleted: the id stays taken (its data must never come back) and nothing reaches it. */
  deletedAt: z.optional(z.string()),
  /** The application (bookmark) URL given to the IdP with this endpoint's SCIM URL; default: the tenant's. */
  applicationUrl: z.optional(z.string()),
});

export const adminMember = z.object({
  tenantId: z.string(),
  id: z.string(),
  email: z.string(),
  status: z.enum(['active', 'deactivated']),
  createdAt: z.string(),
  /** Console role; absent = DEFAULT_ADMIN_ROLE. */
  role: z.optional(adminRole),
});

const credentialStatus = z.enum(['active', 'revoked', 'deactivated']);

export const secretSlot = z.object({
  /** Stable id of this secret (not the secret). */
  id: z.string(),
  /** Prefix + last 4 characters: all that is ever shown again. */
  hint: z.string(),
  /** HMAC-SHA256 with the pepper; never leaves storage (the management API strips it). */
  hash: z.string(),
  pepperVersion: z.int(),
  createdAt: z.string(),
  firstUsedAt: z.optional(z.string()),
  /** An old secret after a rotation: refused from this instant on. */
  retiresAt: z.optional(z.string()),
});

export const credential = z.object({
  id: z.string(),
  tenantId: z.string(),
  kind,
  name: z.string(),
  description: z.string(),
  roles: z.array(role),
  /** When set, users whose userName / e-mails fall outside these domains are neither written nor served. */
  allowedDomains: z.array(z.string()),
  /** Binding to an admin membership: the credential stops working when that admin is deactivated or removed. */
  boundAdminId: z.optional(z.string()),
  /** False while the bound admin is deactivated or removed. */
  adminActive: z.boolean(),
  /** ['*'] = every endpoint of the tenant; a gateway credential names exactly one. */
  endpoints: z.array(z.string()),
  /** Stored status; "expired" and "idle" are derived from the clock (credentialState). */
  status: credentialStatus,
  createdAt: z.string(),
  expiresAt: z.string(),
  /** Creation time of the newest secret: extension is bounded from it so that real rotation still happens. */
  secretCreatedAt: z.string(),
  /** Idle window in days (tenant default when created). */
  idleDays,
  /** Start of the current idle window: creation, last use or reactivation, whichever is latest. */
  activeSince: z.string(),
  lastUsedAt: z.optional(z.string()),
  lastUsedIp: z.optional(z.string()),
  lastUsedUserAgent: z.optional(z.string()),
  /** OAuth client id (not secret). */
  clientId: z.optional(z.string()),
  /** HTTP Basic username (never contains ':'). */
  username: z.optional(z.string()),
  /** OAuth: access token lifetime (ACCESS_TOKEN_TTL). */
  accessTokenTtlSeconds: z.optional(accessTokenTtlSeconds),
  /** Access tokens issued before this instant are refused (compromise rotation, revoke). */
  tokensValidAfter: z.optional(z.string()),
  /** Newest first; at most two live. */
  secrets: z.array(secretSlot),
  reminders: z.optional(z.partial(reminderSettings)),
  /**
   * Expiry e-mails for this credential (the reminders before expiry and the mail at expiry): absent or true = on,
   * false = off. Idle warnings and the `credential.expired` record do not depend on it.
   */
  expiryNotifications: z.optional(z.boolean()),
  /** Increments on every change that starts a new reminder series (create, extend, rotate, reactivate). */
  series: z.int(),
  /**
   * Earliest instant the reminder or idle job has something to do for this credential (ISO), absent when never
   * (revoked, deactivated). Set by the use cases on every write; the storage adapter indexes it (byDue).
   */
  nextDueAt: z.optional(z.string()),
  revokedAt: z.optional(z.string()),
  deactivatedAt: z.optional(z.string()),
  deactivationReason: z.optional(z.enum(['idle', 'admin'])),
  version: z.int(),
});

/**
 * What authentication reads: one item per live secret, keyed by tenant + hash, carrying every field the decision
 * needs (denormalised from the credential, rewritten whenever the credential changes).
 */
export const secretRecord = z.object({
  tenantId: z.string(),
  credentialId: z.string(),
  kind,
  slotId: z.string(),
  status: credentialStatus,
  expiresAt: z.string(),
  /** Explicit endpoint ids, or ['*']. */
  endpoints: z.array(z.string()),
  roles: z.array(role),
  allowedDomains: z.array(z.string()),
  idleDays,
  activeSince: z.string(),
  lastUsedAt: z.optional(z.string()),
  retiresAt: z.optional(z.string()),
  firstUsedAt: z.optional(z.string()),
  /** False when the bound admin was deactivated or removed. */
  adminActive: z.boolean(),
  clientId: z.optional(z.string()),
  username: z.optional(z.string()),
});

/** A secret as the management API shows it: never the secret or its hash. */
export const secretSlotView = z.omit(secretSlot, { hash: true, pepperVersion: true });

/** A credential as the management API shows it: no hashes, and what the clock makes of its status. */
export const credentialView = z.extend(z.omit(credential, { secrets: true }), {
  state: z.enum(['active', 'revoked', 'deactivated', 'expired', 'idle']),
  /** At most two live: the current secret and, during a rotation's grace period, the one it replaces. */
  secrets: z.array(secretSlotView).check(z.maxLength(2)),
});

// ---------------------------------------------------------------------------------------------------------------
// Management API request bodies: one schema per body, unknown keys rejected
// ---------------------------------------------------------------------------------------------------------------

export const requestSchemas = {
  createTenant: z.strictObject({
    id,
    name,
    policy: z.optional(policyPatch),
    applicationUrl: z.optional(applicationUrl),
  }),
  policyPatch,
  createEndpoint: z.strictObject({ id, name: z.optional(name), applicationUrl: z.optional(applicationUrl) }),
  /** PATCH of a tenant or an endpoint: the application (bookmark) URL, null to remove it. */
  applicationUrlPatch: z.strictObject({ applicationUrl: z.union([applicationUrl, z.null()]) }),
  addAdmin: z.strictObject({ id: z.optional(id), email: z.email(), role: z.optional(adminRole) }),
  setupLink: z.strictObject({
    adminId: z.optional(id),
    email: z.optional(z.email()),
    role: z.optional(adminRole),
    validMinutes: z.optional(positiveInt),
  }),
  issue: z.strictObject({
    kind,
    name: credentialName,
    description: z.optional(description),
    roles: z.optional(roles),
    allowedDomains: z.optional(allowedDomains),
    boundAdminId: z.optional(id),
    endpointId: z.optional(id),
    expiresAt: z.optional(isoDateTime),
    lifetimeDays: z.optional(positiveInt),
    idleDays: z.optional(idleDays),
    accessTokenTtlSeconds: z.optional(accessTokenTtlSeconds),
    reminders: z.optional(remindersPatch),
    /** Expiry e-mails for this credential; default on. */
    expiryNotifications: z.optional(z.boolean()),
  }),
  update: z.strictObject({
    name: z.optional(credentialName),
    description: z.optional(description),
    roles: z.optional(roles),
    allowedDomains: z.optional(allowedDomains),
    idleDays: z.optional(idleDays),
    reminders: z.optional(remindersPatch),
    expiryNotifications: z.optional(z.boolean()),
  }),
  extend: z.strictObject({ expiresAt: z.optional(isoDateTime), days: z.optional(positiveInt) }),
  rotate: z.strictObject({ compromised: z.optional(z.boolean()) }),
  rebind: z.strictObject({
    boundAdminId: z.union([id, z.null()], { error: 'must be an admin id, or null to unbind' }),
  }),
  runJob: z.strictObject({ now: z.optional(isoDateTime) }),
  empty: z.strictObject({}),
} as const;

/**
 * One authenticated SCIM request of a credential, as the console's Activity view shows it. The path only (never the
 * query string, which may carry a filter with personal data, never a header or a body), the HTTP status answered,
 * the caller's source address and User-Agent (the console names the IdP from it).
 */
export const scimRequest = z.object({
  at: isoDateTime,
  credentialId: id,
  method: z.string().check(z.maxLength(10)),
  path: z.string().check(z.maxLength(2048)),
  status: z.number().check(z.int(), z.gte(100), z.lte(599)),
  sourceIp: z.string().check(z.maxLength(64)),
  userAgent: z.string().check(z.maxLength(200)),
});

/** How long a request stays in a credential's recent requests (DynamoDB TTL deletes it after that). */
export const REQUEST_LOG_DAYS = 7;
export const REQUESTS_DEFAULT_LIMIT = 50;

export const AUDIT_DEFAULT_LIMIT = 50;
export const AUDIT_MAX_LIMIT = 200;

export const auditQuery = z.strictObject({
  credentialId: z.optional(id),
  limit: z.optional(
    z.string().check(z.regex(/^[0-9]{1,3}$/, { error: `must be an integer from 1 to ${AUDIT_MAX_LIMIT}` })),
  ),
  before: z.optional(z.string().check(z.minLength(1), z.maxLength(1024))),
});
