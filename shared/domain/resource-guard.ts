/**
 * The roles and e-mail-domain guardrails of one credential, applied by the SCIM use cases (`ResourceGuard`).
 * A credential limited to domains sees, writes and deletes only users whose every address is in those domains, and
 * the same holds for group membership: out-of-domain members are hidden, cannot be added or removed, and a group
 * holding any cannot be deleted with it.
 */
import { ScimError } from '../scim/errors';
import type { ScimResource } from '../scim/types';
import { wwwAuthenticate } from '../credentials/authorization';
import { ALL_ROLES, type Role } from './credential-model';
import type { ResourceKind } from './ports';
import type { ResourceGuard } from './scim-resources';

/** dot-atom local part (RFC 5322 §3.4.1, unquoted): what IdPs send; quoted local parts are refused. */
const LOCAL_PART =
  /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~\u0080-\uffff-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~\u0080-\uffff-]+)*$/;
/** A host name of labels (letters, digits, hyphens, or non-ASCII for IDNs), at least two, no empty label. */
const DOMAIN =
  /^(?=.{1,253}$)(?:[a-z0-9\u0080-\uffff](?:[a-z0-9\u0080-\uffff-]{0,61}[a-z0-9\u0080-\uffff])?\.)+[a-z0-9\u0080-\uffff-]{2,63}$/;

/**
 * The domain of an e-mail address (lower-cased), or undefined when `value` is not one address: exactly one `@`,
 * a non-empty unquoted local part of at most 64 characters and a host name. `x@other.example@ta.example` is not an
 * address (a second `@` would need a quoted local part, which no IdP sends), so it is in no domain.
 */
export function emailDomain(value: string): string | undefined {
  if (value.length > 320) return undefined;
  const at = value.indexOf('@');
  if (at < 1 || at !== value.lastIndexOf('@')) return undefined;
  const local = value.slice(0, at);
  const domain = value.slice(at + 1).toLowerCase();
  if (local.length > 64 || !LOCAL_PART.test(local) || !DOMAIN.test(domain)) return undefined;
  return domain;
}

export function emailDomainAllowed(value: string, domains: readonly string[]): boolean {
  const domain = emailDomain(value);
  if (domain === undefined) return false;
  return domains.some((d) => domain === d || domain.endsWith(`.${d}`));
}

/** Roles and e-mail domain guardrails of one credential; undefined when it may do everything. */
export function guardFor(
  roles: Role[],
  allowedDomains: string[],
  onDenied: (reason: string) => void = () => undefined,
): ResourceGuard | undefined {
  const full = ALL_ROLES.every((r) => roles.includes(r));
  if (full && allowedDomains.length === 0) return undefined;
  const addresses = (kind: ResourceKind, resource: ScimResource): string[] => {
    if (kind !== 'User') return [];
    const out: string[] = [];
    if (typeof resource.userName === 'string') out.push(resource.userName);
    if (Array.isArray(resource.emails)) {
      for (const e of resource.emails as { value?: unknown }[])
        if (typeof e?.value === 'string') out.push(e.value);
    }
    return out;
  };
  const inDomains = (kind: ResourceKind, resource: ScimResource): boolean =>
    allowedDomains.length === 0 ||
    addresses(kind, resource).every((a) => emailDomainAllowed(a, allowedDomains));
  const roleOf = (kind: ResourceKind, write: boolean) =>
    `${kind === 'User' ? 'users' : 'groups'}:${write ? 'write' : 'read'}` as Role;
  return {
    limitsUsers: allowedDomains.length > 0,
    mayAccess(kind, write) {
      return roles.includes(roleOf(kind, write));
    },
    checkAccess(kind, write) {
      const role = roleOf(kind, write);
      if (!roles.includes(role)) {
        onDenied(`missing role ${role}`);
        throw new ScimError(403, `this credential lacks the role '${role}'`, 'insufficient_scope', {
          'www-authenticate': wwwAuthenticate({ scheme: 'Bearer', error: 'insufficient_scope', scope: role }),
        });
      }
    },
    checkWrite(kind, resource) {
      if (!inDomains(kind, resource)) {
        onDenied('e-mail domain not allowed');
        throw new ScimError(
          403,
          `this credential may only provision users in: ${allowedDomains.join(', ')}`,
          'insufficient_scope',
          {
            'www-authenticate': wwwAuthenticate({
              scheme: 'Bearer',
              error: 'insufficient_scope',
              description: 'domain not allowed',
            }),
          },
        );
      }
    },
    canRead(kind, resource) {
      return inDomains(kind, resource);
    },
  };
}
