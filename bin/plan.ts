/**
 * From a parsed command to the one management API request it makes (method, path under /admin/v1, query, body).
 * Pure; value errors (a bad --days, an unknown role) are UsageErrors (exit 2).
 */
import { ALL_ROLES, CREDENTIAL_KINDS, ROLE_PRESETS } from '../shared/domain/credential-model';
import type { OptionValues, ParsedCommand } from './spec';

export class UsageError extends Error {
  override name = 'UsageError';
}

export type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

export interface RequestPlan {
  method: Method;
  /** Path under the management prefix, segments percent-encoded. */
  path: string;
  query?: Record<string, string>;
  body?: Record<string, unknown>;
}

export const JOBS = ['reminders', 'idle'] as const;

const seg = encodeURIComponent;

function str(options: OptionValues, name: string): string | undefined {
  const v = options[name];
  return typeof v === 'string' ? v : undefined;
}

/** A whole number, at least `min`. */
export function parseInteger(value: string, flag: string, min = 1, max = Number.MAX_SAFE_INTEGER): number {
  if (!/^[0-9]+$/.test(value.trim())) throw new UsageError(`${flag} must be a whole number, got '${value}'`);
  const n = Number(value.trim());
  if (n < min || n > max) {
    throw new UsageError(
      `${flag} must be ${max === Number.MAX_SAFE_INTEGER ? `at least ${min}` : `${min}-${max}`}`,
    );
  }
  return n;
}

/** An instant: anything Date.parse accepts (2027-01-31, 2027-01-31T12:00:00+02:00), sent as ISO 8601 UTC. */
export function parseInstant(value: string, flag: string): string {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new UsageError(`${flag} must be an ISO 8601 date, e.g. 2027-01-31T00:00:00Z`);
  return new Date(ms).toISOString();
}

/** A preset name (`users`, `users-and-groups`, `read-only`) or a comma list of roles. */
export function parseRoles(value: string): string | string[] {
  const v = value.trim();
  if (v in ROLE_PRESETS) return v;
  const roles = v
    .split(',')
    .map((r) => r.trim())
    .filter(Boolean);
  const unknown = roles.filter((r) => !(ALL_ROLES as readonly string[]).includes(r));
  if (roles.length === 0 || unknown.length > 0) {
    throw new UsageError(
      `--roles: unknown role${unknown.length > 1 ? 's' : ''} ${unknown.map((r) => `'${r}'`).join(', ') || "''"}; ` +
        `use ${Object.keys(ROLE_PRESETS).join(', ')} or a comma list of ${ALL_ROLES.join(', ')}`,
    );
  }
  return [...new Set(roles)];
}

/** Comma list, trimmed, empties dropped ('' = an empty list). */
export function parseList(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

export function parseDomains(value: string): string[] {
  return parseList(value).map((d) => d.toLowerCase().replace(/^@/, ''));
}

const FREQUENCIES = ['daily', 'weekly', 'monthly'];

type PolicyValueKind = 'int' | 'intOrOff' | 'nonNegativeInt' | 'string' | 'list' | 'bool' | 'frequency';

/** Keys `--set` accepts and how their values are read. */
export const POLICY_KEYS: Record<string, PolicyValueKind> = {
  defaultLifetimeDays: 'int',
  maxLifetimeDays: 'int',
  maxSecretAgeDays: 'intOrOff',
  idleDays: 'int',
  rotationGraceHours: 'nonNegativeInt',
  rotationHardCapHours: 'nonNegativeInt',
  accessTokenTtlSeconds: 'int',
  consoleUrl: 'string',
  'reminders.recipients': 'list',
  'reminders.leadDays': 'nonNegativeInt',
  'reminders.frequency': 'frequency',
  'reminders.atExpiry': 'bool',
  'reminders.idleWarningDays': 'nonNegativeInt',
};

/** `key=value` settings → a (nested) policy patch. */
export function parsePolicySettings(settings: string[]): Record<string, unknown> {
  const patch: Record<string, unknown> = {};
  for (const setting of settings) {
    const eq = setting.indexOf('=');
    if (eq <= 0) throw new UsageError(`--set expects key=value, got '${setting}'`);
    const key = setting.slice(0, eq).trim();
    const raw = setting.slice(eq + 1).trim();
    const kind = POLICY_KEYS[key];
    if (!kind) {
      throw new UsageError(
        `--set: unknown policy key '${key}'; keys: ${Object.keys(POLICY_KEYS).join(', ')}`,
      );
    }
    let value: unknown;
    switch (kind) {
      case 'int':
        value = parseInteger(raw, key, 1);
        break;
      case 'intOrOff':
        // `off` turns the setting off (the API's null).
        value = /^off$/i.test(raw) ? null : parseInteger(raw, key, 1);
        break;
      case 'nonNegativeInt':
        value = parseInteger(raw, key, 0);
        break;
      case 'list':
        value = parseList(raw);
        break;
      case 'bool':
        if (!/^(true|false|yes|no)$/i.test(raw)) throw new UsageError(`${key} must be true or false`);
        value = /^(true|yes)$/i.test(raw);
        break;
      case 'frequency':
        if (!FREQUENCIES.includes(raw))
          throw new UsageError(`${key} must be one of ${FREQUENCIES.join(', ')}`);
        value = raw;
        break;
      default:
        value = raw;
    }
    const [head, sub] = key.split('.') as [string, string | undefined];
    if (sub === undefined) patch[head] = value;
    else patch[head] = { ...(patch[head] as Record<string, unknown> | undefined), [sub]: value };
  }
  return patch;
}

function expiryBody(options: OptionValues, daysField: 'lifetimeDays' | 'days'): Record<string, unknown> {
  const expires = str(options, 'expires');
  const days = str(options, 'days');
  if (expires !== undefined && days !== undefined)
    throw new UsageError('use either --expires or --days, not both');
  if (expires !== undefined) return { expiresAt: parseInstant(expires, '--expires') };
  if (days !== undefined) return { [daysField]: parseInteger(days, '--days') };
  return {};
}

/** Fields shared by create and update. */
function credentialFields(options: OptionValues): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  const name = str(options, 'name');
  if (name !== undefined) {
    if (name.trim() === '') throw new UsageError('--name must not be empty');
    body.name = name;
  }
  const description = str(options, 'description');
  if (description !== undefined) body.description = description;
  const roles = str(options, 'roles');
  if (roles !== undefined) body.roles = parseRoles(roles);
  const domains = str(options, 'domains');
  if (domains !== undefined) body.allowedDomains = parseDomains(domains);
  const idle = str(options, 'idle-days');
  if (idle !== undefined) body.idleDays = parseInteger(idle, '--idle-days');
  const mails = str(options, 'expiry-mails');
  if (mails !== undefined) {
    if (!/^(on|off)$/i.test(mails)) throw new UsageError(`--expiry-mails must be on or off, got '${mails}'`);
    body.expiryNotifications = /^on$/i.test(mails);
  }
  return body;
}

function issueBody(options: OptionValues): Record<string, unknown> {
  const kind = str(options, 'kind') ?? '';
  if (!(CREDENTIAL_KINDS as readonly string[]).includes(kind)) {
    throw new UsageError(`--kind must be one of ${CREDENTIAL_KINDS.join(', ')}, got '${kind}'`);
  }
  const endpoint = str(options, 'endpoint');
  if (kind === 'gateway' && endpoint === undefined) {
    throw new UsageError('a gateway credential serves exactly one endpoint: pass --endpoint <id>');
  }
  const body: Record<string, unknown> = { kind, ...credentialFields(options) };
  if (endpoint !== undefined) body.endpointId = endpoint;
  const admin = str(options, 'admin');
  if (admin !== undefined) body.boundAdminId = admin;
  Object.assign(body, expiryBody(options, 'lifetimeDays'));
  const ttl = str(options, 'token-ttl');
  if (ttl !== undefined) {
    if (kind !== 'oauth-client') throw new UsageError('--token-ttl only applies to --kind oauth-client');
    body.accessTokenTtlSeconds = parseInteger(ttl, '--token-ttl', 3600, 21600);
  }
  const reminders: Record<string, unknown> = {};
  const to = str(options, 'remind-to');
  if (to !== undefined) reminders.recipients = parseList(to);
  const lead = str(options, 'remind-days');
  if (lead !== undefined) reminders.leadDays = parseInteger(lead, '--remind-days', 0);
  const every = str(options, 'remind-every');
  if (every !== undefined) {
    if (!FREQUENCIES.includes(every))
      throw new UsageError(`--remind-every must be one of ${FREQUENCIES.join(', ')}`);
    reminders.frequency = every;
  }
  if (Object.keys(reminders).length > 0) body.reminders = reminders;
  return body;
}

/** An application URL argument: the URL (checked by the server), or `off` to remove it. */
function appUrlArg(value: string): string | null {
  return /^off$/i.test(value) ? null : value;
}

/** The request a command makes. */
export function planRequest(cmd: ParsedCommand): RequestPlan {
  const { options, args } = cmd;
  const tenant = typeof options.tenant === 'string' ? `/tenants/${seg(options.tenant)}` : '';
  const credential = args.credential !== undefined ? `${tenant}/credentials/${seg(args.credential)}` : '';
  switch (cmd.spec.name) {
    case 'tenants list':
      return { method: 'GET', path: '/tenants' };
    case 'tenants create': {
      const id = args.id as string;
      const body: Record<string, unknown> = { id, name: str(options, 'name') ?? id };
      const sets = options.set as string[] | undefined;
      if (sets && sets.length > 0) body.policy = parsePolicySettings(sets);
      const appUrl = str(options, 'app-url');
      if (appUrl !== undefined) body.applicationUrl = appUrl;
      return { method: 'POST', path: '/tenants', body };
    }
    case 'tenants app-url':
      return {
        method: 'PATCH',
        path: `/tenants/${seg(args.id as string)}`,
        body: { applicationUrl: appUrlArg(args.url as string) },
      };
    case 'tenants show':
      return { method: 'GET', path: `/tenants/${seg(args.id as string)}` };
    case 'tenants policy': {
      const path = `/tenants/${seg(args.id as string)}/policy`;
      const sets = options.set as string[] | undefined;
      if (!sets || sets.length === 0) return { method: 'GET', path };
      return { method: 'PATCH', path, body: parsePolicySettings(sets) };
    }
    case 'endpoints list':
      return { method: 'GET', path: `${tenant}/endpoints` };
    case 'endpoints create': {
      const body: Record<string, unknown> = { id: args.id };
      const name = str(options, 'name');
      if (name !== undefined) body.name = name;
      const appUrl = str(options, 'app-url');
      if (appUrl !== undefined) body.applicationUrl = appUrl;
      return { method: 'POST', path: `${tenant}/endpoints`, body };
    }
    case 'endpoints app-url':
      return {
        method: 'PATCH',
        path: `${tenant}/endpoints/${seg(args.id as string)}`,
        body: { applicationUrl: appUrlArg(args.url as string) },
      };
    case 'endpoints delete':
      return { method: 'DELETE', path: `${tenant}/endpoints/${seg(args.id as string)}` };
    case 'admins list':
      return { method: 'GET', path: `${tenant}/admins` };
    case 'admins add': {
      const body: Record<string, unknown> = { email: args.email };
      const id = str(options, 'id');
      if (id !== undefined) body.id = id;
      const role = str(options, 'role');
      if (role !== undefined) body.role = role;
      return { method: 'POST', path: `${tenant}/admins`, body };
    }
    case 'setup-links create': {
      const body: Record<string, unknown> = {};
      const email = str(options, 'email');
      const admin = str(options, 'admin');
      if ((email === undefined) === (admin === undefined))
        throw new UsageError('give exactly one of --email and --admin');
      if (email !== undefined) body.email = email;
      if (admin !== undefined) body.adminId = admin;
      const role = str(options, 'role');
      if (role !== undefined) body.role = role;
      const minutes = str(options, 'minutes');
      if (minutes !== undefined) body.validMinutes = parseInteger(minutes, '--minutes', 1, 7 * 24 * 60);
      return { method: 'POST', path: `${tenant}/setup-links`, body };
    }
    case 'admins deactivate':
      return { method: 'POST', path: `${tenant}/admins/${seg(args.admin as string)}/deactivate` };
    case 'admins remove':
      return { method: 'DELETE', path: `${tenant}/admins/${seg(args.admin as string)}` };
    case 'admins credentials':
      return { method: 'GET', path: `${tenant}/admins/${seg(args.admin as string)}/credentials` };
    case 'credentials list':
      return { method: 'GET', path: `${tenant}/credentials` };
    case 'credentials create':
      return { method: 'POST', path: `${tenant}/credentials`, body: issueBody(options) };
    case 'credentials show':
      return { method: 'GET', path: credential };
    case 'credentials update': {
      const body = credentialFields(options);
      if (Object.keys(body).length === 0) {
        throw new UsageError(
          'nothing to change: pass --name, --description, --roles, --domains or --idle-days',
        );
      }
      return { method: 'PATCH', path: credential, body };
    }
    case 'credentials extend':
      return { method: 'POST', path: `${credential}/extend`, body: expiryBody(options, 'days') };
    case 'credentials rotate':
      return {
        method: 'POST',
        path: `${credential}/rotate`,
        body: options.compromised === true ? { compromised: true } : {},
      };
    case 'credentials revoke':
      return { method: 'POST', path: `${credential}/revoke` };
    case 'credentials reactivate':
      return { method: 'POST', path: `${credential}/reactivate` };
    case 'credentials rebind': {
      const admin = str(options, 'admin');
      const unbind = options.unbind === true;
      if ((admin === undefined) === !unbind) throw new UsageError('pass either --admin <id> or --unbind');
      return { method: 'POST', path: `${credential}/rebind`, body: { boundAdminId: admin ?? null } };
    }
    case 'credentials delete':
      return { method: 'DELETE', path: credential };
    case 'audit': {
      const query: Record<string, string> = {};
      const cred = str(options, 'credential');
      if (cred !== undefined) query.credentialId = cred;
      const limit = str(options, 'limit');
      if (limit !== undefined) query.limit = String(parseInteger(limit, '--limit', 1, 200));
      const before = str(options, 'before');
      if (before !== undefined) query.before = before;
      return { method: 'GET', path: `${tenant}/audit`, query };
    }
    case 'events tail': {
      // The first page; bin/tail.ts follows the cursor from there.
      const query: Record<string, string> = { limit: '1000' };
      const after = str(options, 'after');
      if (after !== undefined) {
        if (!/^\d{1,16}$/.test(after)) throw new UsageError(`--after must be a cursor printed by scimgate`);
        if (options['from-start'] === true) throw new UsageError('pass either --after or --from-start');
        query.after = after;
      }
      const interval = str(options, 'interval');
      if (interval !== undefined) parseInteger(interval, '--interval', 50, 60_000);
      return { method: 'GET', path: `${tenant}/events`, query };
    }
    case 'jobs run': {
      const job = args.job as string;
      if (!(JOBS as readonly string[]).includes(job)) {
        throw new UsageError(`unknown job '${job}'; jobs: ${JOBS.join(', ')}`);
      }
      const now = str(options, 'now');
      return {
        method: 'POST',
        path: `/jobs/${seg(job)}/run`,
        body: now !== undefined ? { now: parseInstant(now, '--now') } : {},
      };
    }
    default:
      throw new Error(`no request for command '${cmd.spec.name}'`);
  }
}
