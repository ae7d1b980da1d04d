/** How the console words things for an IT admin (not the API's vocabulary). */
import type { Kind, Policy } from './api';

export const KIND_WORDS: Record<Kind, { title: string; help: string }> = {
  bearer: {
    title: 'SCIM token',
    help: 'One long-lived token. For Okta, OneLogin, JumpCloud, Ping and Entra ID ("Secret Token").',
  },
  'oauth-client': {
    title: 'SCIM administrator (OAuth client)',
    help: 'A client ID and secret the IdP exchanges for short-lived tokens at the token endpoint. Entra ID "OAuth2 client credentials".',
  },
  basic: {
    title: 'SCIM username and password',
    help: 'HTTP Basic authentication, for IdPs that only offer a username and password field.',
  },
  gateway: {
    title: 'Integration token for one endpoint',
    help: 'A token that works on a single SCIM endpoint only; regenerating it replaces the old one at once.',
  },
};

export const STATE_WORDS: Record<string, string> = {
  active: 'Active',
  expired: 'Expired',
  idle: 'Idle (not used recently)',
  revoked: 'Revoked',
  deactivated: 'Deactivated',
};

export const ROLE_WORDS: Record<string, string> = {
  'users:read': 'Read users',
  'users:write': 'Create and change users',
  'groups:read': 'Read groups',
  'groups:write': 'Create and change groups',
};

/** Which identity provider a User-Agent belongs to. */
export function idpFromUserAgent(ua: string | undefined): string {
  if (!ua) return '—';
  const known: [RegExp, string][] = [
    [/azure|microsoft|entra|aad/i, 'Microsoft Entra ID'],
    [/okta/i, 'Okta'],
    [/onelogin/i, 'OneLogin'],
    [/jumpcloud/i, 'JumpCloud'],
    [/ping/i, 'Ping Identity'],
    [/google/i, 'Google'],
    [/scimgate-console-test/i, 'Console test connection'],
  ];
  for (const [re, name] of known) if (re.test(ua)) return name;
  return ua.length > 40 ? `${ua.slice(0, 40)}…` : ua;
}

/** What the IdP will experience, said before each action is confirmed. */
export function consequence(action: string, kind: Kind, policy: Policy): string {
  switch (action) {
    case 'extend':
      return 'Nothing changes for your identity provider: it keeps using the same secret, which now expires later.';
    case 'rotate':
      return kind === 'gateway'
        ? 'A new token is issued and the current one stops working at once: provisioning fails until you paste the new token into your identity provider.'
        : `A new secret is issued. The current one keeps working until your identity provider first uses the new one, then for ${policy.rotationGraceHours} more hours (grace period), and never longer than ${policy.rotationHardCapHours} hours from now. Paste the new secret into your identity provider soon.`;
    case 'rotate-compromised':
      return 'A new secret is issued and the current one stops working at once (use this if it leaked): provisioning fails until your identity provider has the new secret.';
    case 'revoke':
      return 'Every request your identity provider makes with this credential is refused (401) from now on: provisioning stops until you reactivate it.';
    case 'reactivate':
      return 'Your identity provider can use this credential again from now on.';
    case 'delete':
      return 'The credential is removed for good. Your identity provider gets 401 on every request; its history stays in the activity log.';
    default:
      return '';
  }
}

export const EVENT_WORDS: Record<string, string> = {
  'credential.created': 'Credential created',
  'credential.first-used': 'First used by the IdP',
  'credential.extended': 'Expiry extended',
  'credential.rotated': 'Secret rotated',
  'credential.secret-retired': 'Old secret retired',
  'credential.revoked': 'Revoked',
  'credential.deleted': 'Deleted',
  'credential.reactivated': 'Reactivated',
  'credential.deactivated': 'Deactivated',
  'credential.rebound': 'Bound to another admin',
  'credential.updated': 'Settings changed',
  'credential.reminder-sent': 'Expiry reminder sent',
  'credential.idle-warning': 'Idle warning sent',
  'credential.expired': 'Expired',
  'auth.refused': 'Request refused',
  'auth.domain-denied': 'User outside the allowed domains refused',
  'tenant.created': 'Tenant created',
  'tenant.policy-updated': 'Policy changed',
  'tenant.updated': 'Application URL changed',
  'endpoint.created': 'Endpoint created',
  'endpoint.updated': 'Endpoint application URL changed',
  'endpoint.deleted': 'Endpoint deleted',
  'admin.added': 'Admin added',
  'admin.deactivated': 'Admin deactivated',
  'admin.removed': 'Admin removed',
  'admin.role-changed': 'Admin role changed',
  'console.setup-link-created': 'Setup link created',
  'console.session-started': 'Signed in to the console',
  'console.session-ended': 'Signed out',
};
