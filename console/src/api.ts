/**
 * The console API client. The session cookie is HttpOnly (the SPA never sees it); the CSRF token lives in this
 * module's memory only: never in localStorage, sessionStorage or a URL.
 */
const BASE = '/console/api';

export type AdminRole = 'owner' | 'admin' | 'viewer';
export type Kind = 'bearer' | 'oauth-client' | 'basic' | 'gateway';

export interface Session {
  tenantId: string;
  admin: { id: string; email: string; role: AdminRole };
  expiresAt: string;
  idleExpiresAt: string;
  csrfToken: string;
}

export interface Credential {
  id: string;
  kind: Kind;
  name: string;
  description: string;
  roles: string[];
  allowedDomains: string[];
  boundAdminId?: string;
  endpoints: string[];
  state: string;
  createdAt: string;
  expiresAt: string;
  secretCreatedAt: string;
  lastUsedAt?: string;
  lastUsedIp?: string;
  lastUsedUserAgent?: string;
  clientId?: string;
  username?: string;
  reminders?: { recipients?: string[]; leadDays?: number; frequency?: string };
  /** Expiry e-mails; absent = on. */
  expiryNotifications?: boolean;
  secrets: { id: string; hint: string; createdAt: string; firstUsedAt?: string; retiresAt?: string }[];
}

export interface Issued {
  credential: Credential;
  secret: string;
  connection: Record<string, string>;
  regenerated?: boolean;
}

export interface Policy {
  defaultLifetimeDays: number;
  maxLifetimeDays: number;
  /** Absolute age cap in days from the secret's creation; absent = off. */
  maxSecretAgeDays?: number;
  idleDays: number;
  rotationGraceHours: number;
  rotationHardCapHours: number;
  accessTokenTtlSeconds: number;
  reminders: {
    recipients: string[];
    leadDays: number;
    frequency: string;
    atExpiry: boolean;
    idleWarningDays: number;
  };
}

export interface TenantInfo {
  id: string;
  name: string;
  policy: Policy;
  /** The tenant's application (bookmark) URL, when set. */
  applicationUrl?: string;
  tokenEndpoint: string;
  endpoints: {
    id: string;
    name: string;
    scimBaseUrl: string;
    /** The endpoint's own application URL, when set (else the tenant's applies). */
    applicationUrl?: string;
    /** What an identity provider is given: the endpoint's URL, else the tenant's, else this console's page. */
    bookmarkUrl: string;
  }[];
}

export interface AuditEvent {
  id: string;
  at: string;
  type: string;
  actor: string;
  credentialId?: string;
  sourceIp?: string;
  userAgent?: string;
  detail?: Record<string, string | number | boolean>;
}

/** One authenticated SCIM request of a credential (GET /credentials/{id}/requests). */
export interface ScimRequest {
  at: string;
  credentialId: string;
  method: string;
  path: string;
  status: number;
  sourceIp: string;
  userAgent: string;
}

export interface Admin {
  id: string;
  email: string;
  role?: AdminRole;
  status: string;
  createdAt: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

let csrf = '';

/**
 * The reads of the page on screen. A navigation calls newPage(), which aborts the reads of the page it replaces (a
 * superseded page's answers would be thrown away); writes are never aborted, a navigation does not undo a save.
 */
let reads = new AbortController();

export function newPage(): void {
  reads.abort();
  reads = new AbortController();
}

export async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (method !== 'GET') headers['x-csrf-token'] = csrf;
  if (body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(BASE + path, {
      method,
      headers,
      credentials: 'same-origin',
      ...(method === 'GET' ? { signal: reads.signal } : {}),
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  } catch {
    throw new ApiError(0, 'The console could not reach the server. Check your connection and try again.');
  }
  const text = await res.text();
  const parsed = text ? (JSON.parse(text) as unknown) : undefined;
  if (!res.ok) {
    const message = (parsed as { error?: { message?: string } } | undefined)?.error?.message;
    throw new ApiError(res.status, message ?? `The server answered ${res.status}.`);
  }
  return parsed as T;
}

export async function signIn(link: string): Promise<Session> {
  const s = await call<Session>('POST', '/session', { link });
  csrf = s.csrfToken;
  return s;
}

export async function currentSession(): Promise<Session> {
  const s = await call<Session>('GET', '/session');
  csrf = s.csrfToken;
  return s;
}

export async function signOut(): Promise<void> {
  await call('DELETE', '/session');
  csrf = '';
}
