/**
 * The reminder and idle-warning e-mails: one digest per recipient per job run, rendered to HTML and plain text
 * from the same data. Pure (no I/O); every value is escaped. Samples: docs/samples/*.html (test/unit/reminder-mail).
 */
import type { CredentialKind } from './credential-model';

export type MailItemKind = 'expiry' | 'atExpiry' | 'idleWarning';

export interface MailItem {
  kind: MailItemKind;
  tenantId: string;
  tenantName: string;
  credentialId: string;
  credentialName: string;
  credentialKind: CredentialKind;
  /** SCIM base URLs (or endpoint ids when no public URL is configured); ['*'] = every endpoint. */
  endpoints: string[];
  expiresAt: string;
  /** idleWarning: when it becomes idle, and when it was last used (absent = never). */
  idleAt?: string;
  lastUsedAt?: string;
  /** Where an admin extends or rotates it. */
  consoleUrl?: string;
  /** Whether the recipient is on the credential's own list or on the tenant's default list. */
  recipientSource: 'credential' | 'tenant';
}

export interface RenderedMail {
  subject: string;
  html: string;
  text: string;
}

const KIND_LABEL: Record<CredentialKind, string> = {
  bearer: 'bearer token',
  'oauth-client': 'OAuth client secret',
  basic: 'HTTP Basic password',
  gateway: 'gateway token',
};

const DAY = 86_400_000;

function esc(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** "Tue, 3 Mar 2026, 14:00 UTC" */
export function formatInstant(iso: string): string {
  const d = new Date(iso);
  const day = d.toLocaleDateString('en-GB', {
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    timeZone: 'UTC',
  });
  const time = d.toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit', timeZone: 'UTC' });
  return `${day}, ${time} UTC`;
}

/** "in 3 days", "in 5 hours", "3 days ago". */
export function relative(iso: string, now: Date): string {
  const ms = Date.parse(iso) - now.getTime();
  const abs = Math.abs(ms);
  const n = abs >= DAY ? Math.round(abs / DAY) : Math.max(1, Math.round(abs / 3_600_000));
  const unit = abs >= DAY ? (n === 1 ? 'day' : 'days') : n === 1 ? 'hour' : 'hours';
  return ms >= 0 ? `in ${n} ${unit}` : `${n} ${unit} ago`;
}

function when(item: MailItem): string {
  return item.kind === 'idleWarning' ? (item.idleAt ?? item.expiresAt) : item.expiresAt;
}

function headline(item: MailItem, now: Date): string {
  const name = `"${item.credentialName}"`;
  switch (item.kind) {
    case 'expiry':
      return `${name} expires ${relative(item.expiresAt, now)} (${formatInstant(item.expiresAt)})`;
    case 'atExpiry':
      return `${name} expired on ${formatInstant(item.expiresAt)}`;
    case 'idleWarning':
      return `${name} will be deactivated for inactivity ${relative(when(item), now)} (${formatInstant(when(item))})`;
  }
}

function endpointText(item: MailItem): string {
  return item.endpoints.includes('*')
    ? `every SCIM endpoint of tenant ${item.tenantName}`
    : item.endpoints.join(', ');
}

/** What happens then, and what to do about it: the paragraphs of one item (plain strings, escaped later). */
function explain(item: MailItem): { consequence: string; actions: string[] } {
  const api = `/admin/v1/tenants/${item.tenantId}/credentials/${item.credentialId}`;
  const where = (route: string) =>
    item.consoleUrl
      ? `in the admin console at ${item.consoleUrl}, or with POST ${api}/${route}`
      : `with the management API (POST ${api}/${route}) or the scimgate CLI`;
  if (item.kind === 'idleWarning') {
    return {
      consequence:
        `It has ${item.lastUsedAt ? `not been used since ${formatInstant(item.lastUsedAt)}` : 'never been used'}. ` +
        `If no identity provider uses it before ${formatInstant(when(item))}, it is deactivated: every SCIM ` +
        `request made with it is refused (401) until an admin reactivates it.`,
      actions: [
        'If it is still needed, nothing else is required: any successful SCIM request with it (for example a ' +
          'provisioning run or a "test connection" in the identity provider) keeps it active.',
        `If it is no longer needed, revoke it ${where('revoke')}.`,
      ],
    };
  }
  const after =
    item.kind === 'atExpiry'
      ? 'Since then, every SCIM request made with it is refused (401): provisioning through it has stopped.'
      : 'From then on, every SCIM request made with it is refused (401) and provisioning through it stops.';
  return {
    consequence: after,
    actions: [
      `Extend it ${where('extend')}: the secret stays the same and the identity provider needs no change.`,
      `Or rotate it (POST ${api}/rotate): you get a new secret to paste into the identity provider; the old one ` +
        'keeps working for the grace period set by your tenant policy.',
    ],
  };
}

function subjectOf(items: MailItem[], now: Date): string {
  const first = items[0]!;
  if (items.length === 1) {
    const tenant = `tenant ${first.tenantName}`;
    switch (first.kind) {
      case 'expiry':
        return `[scimgate] Credential "${first.credentialName}" (${tenant}) expires ${relative(first.expiresAt, now)}, on ${formatInstant(first.expiresAt)}`;
      case 'atExpiry':
        return `[scimgate] Credential "${first.credentialName}" (${tenant}) has expired: provisioning through it stopped`;
      case 'idleWarning':
        return `[scimgate] Credential "${first.credentialName}" (${tenant}) will be deactivated for inactivity on ${formatInstant(when(first))}`;
    }
  }
  const expired = items.filter((i) => i.kind === 'atExpiry').length;
  const idle = items.filter((i) => i.kind === 'idleWarning').length;
  const expiring = items.length - expired - idle;
  const parts = [
    expired ? `${expired} expired` : '',
    expiring ? `${expiring} expiring` : '',
    idle ? `${idle} about to be deactivated for inactivity` : '',
  ].filter(Boolean);
  return `[scimgate] ${items.length} credentials need attention: ${parts.join(', ')} (first: ${formatInstant(when(first))})`;
}

function whyText(items: MailItem[], to: string): string[] {
  const own = items.filter((i) => i.recipientSource === 'credential').map((i) => `"${i.credentialName}"`);
  const tenants = [...new Set(items.filter((i) => i.recipientSource === 'tenant').map((i) => i.tenantName))];
  const reasons: string[] = [];
  if (own.length) reasons.push(`is a reminder recipient of ${own.join(', ')}`);
  if (tenants.length)
    reasons.push(
      `is a default reminder recipient of tenant ${tenants.join(', ')} (for credentials without their own list)`,
    );
  return [
    `You receive this because ${to} ${reasons.length ? reasons.join(' and ') : 'is a reminder recipient'}.`,
    'To change who is told, how early (lead time, idle warning days), how often (daily, weekly, monthly) or ' +
      'whether a mail is sent at expiry: edit the credential\'s reminder settings (PATCH the credential with "reminders") or the tenant ' +
      "policy's defaults (PATCH /admin/v1/tenants/{tenant}/policy), in the admin console or with the scimgate CLI.",
  ];
}

/** Renders one digest for one recipient; items are sorted by when they happen. */
export function renderMail(to: string, unsorted: MailItem[], now: Date): RenderedMail {
  if (unsorted.length === 0) throw new Error('renderMail: no items');
  const items = [...unsorted].sort((a, b) => Date.parse(when(a)) - Date.parse(when(b)));
  const subject = subjectOf(items, now);
  const why = whyText(items, to);

  const textBlocks = items.map((item) => {
    const { consequence, actions } = explain(item);
    return [
      `* ${headline(item, now)}`,
      `  Tenant: ${item.tenantName} (${item.tenantId})`,
      `  Credential: ${item.credentialName} - ${KIND_LABEL[item.credentialKind]}, id ${item.credentialId}`,
      `  SCIM endpoint: ${endpointText(item)}`,
      `  ${consequence}`,
      ...actions.map((a) => `  - ${a}`),
    ].join('\n');
  });
  const text = [
    items.length === 1
      ? 'A scimgate credential needs your attention.'
      : `${items.length} scimgate credentials need your attention.`,
    '',
    textBlocks.join('\n\n'),
    '',
    '--',
    ...why,
    '',
  ].join('\n');

  const cell = 'padding:4px 12px 4px 0;color:#555;vertical-align:top;white-space:nowrap';
  const htmlBlocks = items.map((item) => {
    const { consequence, actions } = explain(item);
    const color = item.kind === 'atExpiry' ? '#b42318' : item.kind === 'idleWarning' ? '#b54708' : '#175cd3';
    const link = item.consoleUrl
      ? `<p style="margin:12px 0 0"><a href="${esc(item.consoleUrl)}" style="background:${color};color:#fff;padding:8px 14px;border-radius:4px;text-decoration:none;display:inline-block">Open the admin console</a></p>`
      : '';
    return `
<div style="border:1px solid #ddd;border-left:4px solid ${color};border-radius:4px;padding:16px;margin:0 0 16px">
  <h2 style="font-size:17px;margin:0 0 10px;color:${color}">${esc(headline(item, now))}</h2>
  <table style="border-collapse:collapse;font-size:14px;margin:0 0 10px">
    <tr><td style="${cell}">Tenant</td><td>${esc(item.tenantName)} <span style="color:#777">(${esc(item.tenantId)})</span></td></tr>
    <tr><td style="${cell}">Credential</td><td>${esc(item.credentialName)} <span style="color:#777">— ${esc(KIND_LABEL[item.credentialKind])}, id <code>${esc(item.credentialId)}</code></span></td></tr>
    <tr><td style="${cell}">SCIM endpoint</td><td>${esc(endpointText(item))}</td></tr>
    <tr><td style="${cell}">${item.kind === 'idleWarning' ? 'Deactivated on' : item.kind === 'atExpiry' ? 'Expired' : 'Expires'}</td><td>${esc(formatInstant(when(item)))}</td></tr>
  </table>
  <p style="margin:0 0 8px">${esc(consequence)}</p>
  <ul style="margin:0;padding-left:20px">${actions.map((a) => `<li style="margin:0 0 4px">${esc(a)}</li>`).join('')}</ul>${link}
</div>`;
  });
  const html = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${esc(subject)}</title></head>
<body style="margin:0;padding:24px;background:#f6f7f9;font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;color:#1d2939;line-height:1.45">
<div style="max-width:640px;margin:0 auto;background:#fff;border-radius:6px;padding:24px">
<p style="margin:0 0 16px;font-size:15px">${esc(items.length === 1 ? 'A scimgate credential needs your attention.' : `${items.length} scimgate credentials need your attention.`)}</p>
${htmlBlocks.join('\n')}
<hr style="border:none;border-top:1px solid #eee;margin:20px 0 12px">
${why.map((w) => `<p style="font-size:12px;color:#667085;margin:0 0 6px">${esc(w)}</p>`).join('\n')}
</div>
</body>
</html>
`;
  return { subject, html, text };
}
