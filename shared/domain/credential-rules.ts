/**
 * Pure rules of the credential model: id and e-mail/domain formats, derived state, the management view, the
 * connection details, and validation of roles, domains, reminders and tenant policy (guards: resource-guard.ts).
 * No I/O; shared by the tenant, lifecycle and authenticator parts (see credential-service.ts).
 */
import { ScimError } from '../scim/errors';
import {
  ALL_ROLES,
  ROLE_PRESETS,
  type Credential,
  type CredentialState,
  type CredentialView,
  type Role,
  type TenantPolicy,
} from './credential-model';
import { tenantPolicy } from './credential-schemas';
import { BODY, parseInput } from './validation';

export const DAY = 86_400_000;
export const HOUR = 3_600_000;

const ID = /^[a-z0-9](?:[a-z0-9-]{0,62})$/;
const DOMAIN = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

export function isValidTenantId(id: string): boolean {
  return ID.test(id);
}
export const isValidEndpointId = isValidTenantId;

/** 400 with the SCIM `invalidValue` type: every rule violation of the credential use cases. */
export const bad = (detail: string) => ScimError.invalidValue(detail);

export function tenantNotFound(tenantId: string): ScimError {
  return ScimError.notFound(`tenant '${tenantId.slice(0, 64)}' not found`);
}

export function scimBaseUrl(origin: string, tenantId: string, endpointId: string): string {
  return `${origin.replace(/\/+$/, '')}/scim/v2/${tenantId}/${endpointId}`;
}
export function tokenEndpoint(origin: string, tenantId: string): string {
  return `${origin.replace(/\/+$/, '')}/oauth/${tenantId}/token`;
}

/**
 * The expiry an issue or extension asks for (a date, or days from `base`), checked against the tenant policy:
 * in the future, at most maxLifetimeDays from now, and, when the policy sets the age cap, at most maxSecretAgeDays
 * from the secret's creation.
 */
export function expiryFrom(
  policy: TenantPolicy,
  input: { expiresAt?: string; days?: number },
  base: Date,
  secretCreatedAt: Date,
  now: Date,
): string {
  // Shapes (an ISO date-time, whole days >= 1) are checked by the request schemas.
  const expires =
    input.expiresAt !== undefined
      ? Date.parse(input.expiresAt)
      : base.getTime() + (input.days ?? policy.defaultLifetimeDays) * DAY;
  if (expires <= now.getTime()) throw bad('the expiry must be in the future');
  const fromNow = now.getTime() + policy.maxLifetimeDays * DAY;
  const latest = latestExpiry(policy, secretCreatedAt, now);
  if (expires > latest.getTime() + 1000) {
    throw bad(
      latest.getTime() < fromNow
        ? `the tenant policy allows a secret at most ${policy.maxSecretAgeDays} days from its creation ` +
            `(latest ${latest.toISOString()}); rotate the credential to go further`
        : `the tenant policy allows at most ${policy.maxLifetimeDays} days from now (latest ${latest.toISOString()})`,
    );
  }
  return new Date(expires).toISOString();
}

/** The latest expiry the policy allows now for a secret created at `secretCreatedAt`. */
export function latestExpiry(policy: TenantPolicy, secretCreatedAt: Date, now: Date): Date {
  const fromNow = now.getTime() + policy.maxLifetimeDays * DAY;
  if (policy.maxSecretAgeDays === undefined) return new Date(fromNow);
  return new Date(Math.min(fromNow, secretCreatedAt.getTime() + policy.maxSecretAgeDays * DAY));
}

/** The endpoint a credential's connection details name: its own, or `default` for a tenant-wide credential. */
export function connectionEndpoint(c: Pick<Credential, 'endpoints'>): string {
  return c.endpoints[0] === '*' ? 'default' : (c.endpoints[0] ?? 'default');
}

/**
 * What the IdP form asks for, per kind: scimBaseUrl, tokenEndpoint and clientId, or username; and the application
 * (bookmark) URL when the endpoint or the tenant has one.
 */
export function connectionOf(c: Credential, origin: string, applicationUrl?: string): Record<string, string> {
  const out: Record<string, string> = { scimBaseUrl: scimBaseUrl(origin, c.tenantId, connectionEndpoint(c)) };
  if (applicationUrl !== undefined) out.bookmarkUrl = applicationUrl;
  if (c.kind === 'oauth-client') {
    out.tokenEndpoint = tokenEndpoint(origin, c.tenantId);
    out.clientId = c.clientId ?? '';
  }
  if (c.kind === 'basic') out.username = c.username ?? '';
  return out;
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

/** Start of the current idle window: creation, last use or reactivation, whichever is latest (epoch ms). */
export function idleSince(c: Pick<Credential, 'activeSince' | 'lastUsedAt'>): number {
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

export function resolveRoles(roles: Role[] | string | undefined): Role[] {
  if (roles === undefined) return [...ALL_ROLES];
  const out = typeof roles === 'string' ? [...(ROLE_PRESETS[roles] ?? [])] : [...new Set(roles)];
  if (out.length === 0) throw bad('a credential needs at least one role');
  return out;
}

export function resolveDomains(domains: string[] | undefined): string[] {
  const out = [...new Set((domains ?? []).map((d) => d.trim().toLowerCase().replace(/^@/, '')))];
  for (const d of out) if (!DOMAIN.test(d)) throw bad(`'${d.slice(0, 60)}' is not a domain name`);
  return out;
}

/** A whole tenant policy (bounds and cross-field rules), checked with the API's schema. */
export function validatePolicy(p: TenantPolicy): TenantPolicy {
  return parseInput(tenantPolicy, p, BODY, ['policy']);
}
