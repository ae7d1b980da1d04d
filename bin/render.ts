/**
 * Human output of each command from the management API's JSON. Pure. The secret of an issued credential appears
 * exactly once, inside the box; nothing else prints it.
 */
import type {
  AdminMember,
  AuditEvent,
  CredentialKind,
  CredentialView,
  Endpoint,
  IssuedCredential,
  Tenant,
  TenantPolicy,
} from '../shared/domain/credential-model';
import type { ParsedCommand } from './spec';
import { box, clean, formatFields, formatTable, formatTime, relativeTime, timeWithRelative } from './table';

/** A list answer: `{ <key>: [...] }` (the management API) or a bare array. */
export function listOf<T>(body: unknown, key: string): T[] {
  if (Array.isArray(body)) return body as T[];
  const inner = (body as Record<string, unknown> | undefined)?.[key];
  return Array.isArray(inner) ? (inner as T[]) : [];
}

/** What the IdP form calls the secret of each kind. */
export const SECRET_LABEL: Record<CredentialKind, string> = {
  bearer: 'Secret token',
  'oauth-client': 'Client secret',
  basic: 'Password',
  gateway: 'Token',
};

const CONNECTION_LABELS: Record<string, string> = {
  scimBaseUrl: 'SCIM base URL (Tenant URL)',
  tokenEndpoint: 'Token endpoint',
  clientId: 'Client ID',
  username: 'Username',
  bookmarkUrl: 'Bookmark URL (application)',
};

export const SECRET_WARNING = 'Copy this secret now — it will not be shown again.';

function endpointsOf(c: Pick<CredentialView, 'endpoints'>): string {
  return !c.endpoints || c.endpoints.includes('*') ? 'all' : c.endpoints.join(', ');
}

function adminOf(c: Pick<CredentialView, 'boundAdminId' | 'adminActive'>): string | undefined {
  if (!c.boundAdminId) return undefined;
  return c.adminActive === false ? `${c.boundAdminId} (inactive: credential refused)` : c.boundAdminId;
}

export function credentialTable(list: CredentialView[], now: Date): string {
  if (list.length === 0) return 'No credentials.';
  return formatTable(
    ['ID', 'Name', 'Kind', 'State', 'Expires', 'Last used', 'Endpoints', 'Admin'],
    list.map((c) => [
      c.id,
      c.name,
      c.kind,
      c.boundAdminId && c.adminActive === false ? `${c.state} (admin off)` : c.state,
      c.expiresAt ? `${c.expiresAt.slice(0, 10)} (${relativeTime(c.expiresAt, now) ?? '?'})` : undefined,
      c.lastUsedAt ? relativeTime(c.lastUsedAt, now) : 'never',
      endpointsOf(c),
      c.boundAdminId,
    ]),
    { maxWidth: [0, 40, 0, 0, 0, 0, 30, 0] },
  );
}

export function credentialDetails(c: CredentialView, now: Date): string {
  const fields: [string, unknown][] = [
    ['ID', c.id],
    ['Name', c.name],
    ['Description', c.description || undefined],
    ['Kind', c.kind],
    ['State', c.state],
    ['Tenant', c.tenantId],
    ['Endpoints', endpointsOf(c)],
    ['Roles', c.roles],
    ['Allowed domains', c.allowedDomains?.length ? c.allowedDomains : 'any'],
    ['Bound admin', adminOf(c)],
    ['Client ID', c.clientId],
    ['Username', c.username],
    ['Access token TTL', c.accessTokenTtlSeconds !== undefined ? `${c.accessTokenTtlSeconds} s` : undefined],
    ['Created', timeWithRelative(c.createdAt, now)],
    ['Expires', timeWithRelative(c.expiresAt, now)],
    ['Idle after', c.idleDays !== undefined ? `${c.idleDays} days without use` : undefined],
    ['Expiry e-mails', c.expiryNotifications === false ? 'off' : 'on'],
    ['Last used', c.lastUsedAt ? timeWithRelative(c.lastUsedAt, now) : 'never'],
    ['Last source IP', c.lastUsedIp],
    ['Last user agent', c.lastUsedUserAgent],
    ['Revoked', timeWithRelative(c.revokedAt, now)],
    [
      'Deactivated',
      c.deactivatedAt
        ? `${timeWithRelative(c.deactivatedAt, now)}${c.deactivationReason ? ` (${c.deactivationReason})` : ''}`
        : undefined,
    ],
  ];
  const out = [formatFields(fields)];
  const secrets = c.secrets ?? [];
  if (secrets.length > 0) {
    out.push(
      '',
      'Secrets (hints only):',
      formatTable(
        ['Hint', 'Created', 'First used', 'Retires'],
        secrets.map((s) => [
          s.hint,
          formatTime(s.createdAt),
          s.firstUsedAt ? formatTime(s.firstUsedAt) : 'never',
          s.retiresAt ? timeWithRelative(s.retiresAt, now) : undefined,
        ]),
      )
        .split('\n')
        .map((l) => `  ${l}`)
        .join('\n'),
    );
  }
  return out.join('\n');
}

/** Everything the IdP form asks for, then the secret once, boxed. */
export function issuedCredential(issued: IssuedCredential, action: 'created' | 'rotated', now: Date): string {
  const c = issued.credential;
  const label = SECRET_LABEL[c.kind] ?? 'Secret';
  const lines: string[] = [];
  if (action === 'created') {
    lines.push(
      `Created ${clean(c.kind)} credential "${clean(c.name)}" (${clean(c.id)}) in tenant ${clean(c.tenantId)}.`,
    );
  } else {
    lines.push(
      `Rotated credential "${clean(c.name)}" (${clean(c.id)}): it has a new ${label.toLowerCase()}.`,
    );
    const previous = c.secrets?.find((s, i) => i > 0 && s.retiresAt);
    lines.push(
      previous
        ? `The previous secret (${clean(previous.hint)}) keeps working until ${formatTime(previous.retiresAt)} at the latest, ` +
            'or until the grace period after the new one is first used.'
        : 'The previous secret has stopped working.',
    );
  }
  lines.push(
    `Expires ${timeWithRelative(c.expiresAt, now) ?? '-'}; idle after ${clean(c.idleDays)} days without use.`,
  );
  lines.push('', 'Enter these in the identity provider:', '');
  const fields: [string, unknown][] = Object.entries(issued.connection ?? {}).map(([k, v]) => [
    CONNECTION_LABELS[k] ?? k,
    v,
  ]);
  fields.push([label, 'the secret below']);
  lines.push(formatFields(fields, '  '), '');
  lines.push(box([`${label}. ${SECRET_WARNING}`, '', issued.secret]));
  return lines.join('\n');
}

function tenantDetails(t: Tenant, now: Date): string {
  const out = [
    formatFields([
      ['ID', t.id],
      ['Name', t.name],
      ['Created', timeWithRelative(t.createdAt, now)],
      ['Application URL', t.applicationUrl ?? 'none'],
    ]),
  ];
  if (t.policy) out.push('', 'Policy:', indent(policyTable(t.policy)));
  return out.join('\n');
}

/** Quotes a word for POSIX shells when it needs it. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_.,:=@%+/-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

const indent = (text: string): string =>
  text
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');

/** The policy under the key names `--set` uses. */
export function policyTable(p: Partial<TenantPolicy>): string {
  const r = p.reminders;
  const rows: [string, unknown][] = [
    ['defaultLifetimeDays', p.defaultLifetimeDays],
    ['maxLifetimeDays', p.maxLifetimeDays],
    ['maxSecretAgeDays', p.maxLifetimeDays === undefined ? undefined : (p.maxSecretAgeDays ?? 'off')],
    ['idleDays', p.idleDays],
    ['rotationGraceHours', p.rotationGraceHours],
    ['rotationHardCapHours', p.rotationHardCapHours],
    ['accessTokenTtlSeconds', p.accessTokenTtlSeconds],
    ['consoleUrl', p.consoleUrl],
    ['reminders.recipients', r ? (r.recipients?.length ? r.recipients : '(tenant admins)') : undefined],
    ['reminders.leadDays', r?.leadDays],
    ['reminders.frequency', r?.frequency],
    ['reminders.atExpiry', r?.atExpiry],
    ['reminders.idleWarningDays', r?.idleWarningDays],
  ];
  return formatTable(
    ['Key', 'Value'],
    rows.filter(([, v]) => v !== undefined),
  );
}

function auditTable(events: AuditEvent[]): string {
  if (events.length === 0) return 'No events.';
  return formatTable(
    ['At', 'Type', 'Actor', 'Credential', 'Source', 'Detail'],
    events.map((e) => [
      formatTime(e.at),
      e.type,
      e.actor,
      e.credentialId,
      e.sourceIp,
      e.detail
        ? Object.entries(e.detail)
            .map(([k, v]) => `${k}=${String(v)}`)
            .join(' ')
        : undefined,
    ]),
    { maxWidth: [0, 0, 40, 0, 0, 60] },
  );
}

function jobResult(job: string, body: unknown): string {
  const lines = [`Job '${job}' ran.`];
  if (body && typeof body === 'object' && !Array.isArray(body)) {
    const scalars = Object.entries(body as Record<string, unknown>).filter(
      ([, v]) => v === null || ['string', 'number', 'boolean'].includes(typeof v),
    );
    if (scalars.length > 0) lines.push(formatFields(scalars));
  }
  return lines.join('\n');
}

/** Human output of a successful command (without trailing newline). */
export function renderHuman(cmd: ParsedCommand, body: unknown, now: Date): string {
  const { args, options } = cmd;
  const tenant = typeof options.tenant === 'string' ? options.tenant : '';
  switch (cmd.spec.name) {
    case 'tenants list': {
      const tenants = listOf<Tenant>(body, 'tenants');
      if (tenants.length === 0) return 'No tenants.';
      return formatTable(
        ['ID', 'Name', 'Created'],
        tenants.map((t) => [t.id, t.name, formatTime(t.createdAt)]),
      );
    }
    case 'tenants create':
      return `Created tenant ${clean(args.id)} with the SCIM endpoint "default".\n\n${tenantDetails(body as Tenant, now)}`;
    case 'tenants show':
      return tenantDetails(body as Tenant, now);
    case 'tenants policy': {
      const head = options.set ? `Updated the policy of tenant ${clean(args.id)}.\n\n` : '';
      return head + policyTable(body as TenantPolicy);
    }
    case 'endpoints list': {
      const endpoints = listOf<Endpoint>(body, 'endpoints');
      if (endpoints.length === 0) return 'No endpoints.';
      return formatTable(
        ['ID', 'Name', 'Created', 'Application URL'],
        endpoints.map((e) => [e.id, e.name, formatTime(e.createdAt), e.applicationUrl ?? "(tenant's)"]),
      );
    }
    case 'endpoints create':
      return `Created endpoint ${clean((body as Endpoint)?.id ?? args.id)} in tenant ${clean(tenant)}.`;
    case 'tenants app-url': {
      const url = (body as Tenant)?.applicationUrl;
      return url
        ? `Tenant ${clean(args.id)}: application URL ${clean(url)}.`
        : `Tenant ${clean(args.id)}: no application URL.`;
    }
    case 'endpoints app-url': {
      const url = (body as Endpoint)?.applicationUrl;
      return url
        ? `Endpoint ${clean(args.id)} of tenant ${clean(tenant)}: application URL ${clean(url)}.`
        : `Endpoint ${clean(args.id)} of tenant ${clean(tenant)}: the tenant's application URL applies.`;
    }
    case 'endpoints delete':
      return `Deleted endpoint ${clean(args.id)} from tenant ${clean(tenant)}.`;
    case 'admins list': {
      const admins = listOf<AdminMember>(body, 'admins');
      if (admins.length === 0) return 'No admins.';
      return formatTable(
        ['ID', 'Email', 'Role', 'Status', 'Created'],
        admins.map((a) => [a.id, a.email, a.role ?? 'admin', a.status, formatTime(a.createdAt)]),
      );
    }
    case 'setup-links create': {
      const link = body as { url?: string; expiresAt?: string; admin?: { email?: string; role?: string } };
      return [
        `Setup link for ${clean(link?.admin?.email)} (${clean(link?.admin?.role)}) in tenant ${clean(tenant)},`,
        `valid until ${formatTime(link?.expiresAt ?? '')} and usable once. It is shown only now:`,
        '',
        `  ${clean(link?.url)}`,
        '',
        'Hand it to the admin over a trusted channel; opening it signs them in to the console.',
      ].join('\n');
    }
    case 'admins add': {
      const a = body as AdminMember;
      return `Added admin ${clean(a?.email ?? args.email)} (id ${clean(a?.id)}) to tenant ${clean(tenant)}.`;
    }
    case 'admins deactivate':
      return `Deactivated admin ${clean(args.admin)}; credentials bound to them stop working (see "admins credentials").`;
    case 'admins remove':
      return `Removed admin ${clean(args.admin)}; credentials bound to them stop working.`;
    case 'admins credentials':
    case 'credentials list':
      return credentialTable(listOf<CredentialView>(body, 'credentials'), now);
    case 'credentials create':
      return issuedCredential(body as IssuedCredential, 'created', now);
    case 'credentials rotate':
      return issuedCredential(body as IssuedCredential, 'rotated', now);
    case 'credentials show':
      return credentialDetails(body as CredentialView, now);
    case 'credentials update':
      return `Updated credential ${clean(args.credential)}.\n\n${credentialDetails(body as CredentialView, now)}`;
    case 'credentials extend': {
      const c = body as CredentialView;
      return `Extended credential ${clean(args.credential)}: it now expires ${timeWithRelative(c?.expiresAt, now) ?? '-'}. The secret is unchanged.`;
    }
    case 'credentials revoke':
      return `Revoked credential ${clean(args.credential)}: it stops working now.`;
    case 'credentials reactivate':
      return `Reactivated credential ${clean(args.credential)}.`;
    case 'credentials rebind': {
      const c = body as CredentialView;
      return c?.boundAdminId
        ? `Credential ${clean(args.credential)} is now bound to admin ${clean(c.boundAdminId)}.`
        : `Credential ${clean(args.credential)} is no longer bound to an admin.`;
    }
    case 'credentials delete':
      return `Deleted credential ${clean(args.credential)}.`;
    case 'audit': {
      const page = (body ?? {}) as { events?: AuditEvent[]; next?: string };
      const out = [auditTable(listOf<AuditEvent>(body, 'events'))];
      if (page.next) {
        out.push(
          '',
          `More: scimgate audit --tenant ${clean(tenant)}${
            typeof options.credential === 'string' ? ` --credential ${clean(options.credential)}` : ''
          } --before ${shellQuote(clean(page.next))}`,
        );
      }
      return out.join('\n');
    }
    case 'jobs run':
      return jobResult(args.job as string, body);
    default:
      return JSON.stringify(body, null, 2);
  }
}
