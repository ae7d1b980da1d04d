/** A console API client for tests: signs in through a setup link and keeps the cookie and CSRF token in memory. */
import { send, type TestResponse } from './harness';
import type { ManagementHarness } from './management-harness';

export interface ConsoleClient {
  cookie: string;
  csrf: string;
  adminId: string;
  /** Path under /console/api. `csrf: null` sends none. */
  request(
    method: string,
    path: string,
    options?: {
      body?: unknown;
      csrf?: string | null;
      headers?: Record<string, string>;
      cookie?: string | null;
    },
  ): Promise<TestResponse>;
}

/** Creates a setup link through the management API (the operator's way). */
export async function createSetupLink(
  h: ManagementHarness,
  tenantId: string,
  body: Record<string, unknown>,
): Promise<TestResponse> {
  return h.request('POST', `/tenants/${tenantId}/setup-links`, { body });
}

/** Exchanges a link token as the SPA does (POST /console/api/session). */
export function exchange(h: ManagementHarness, link: string, headers: Record<string, string> = {}) {
  return send(
    `${h.server.origin}/console/api/session`,
    'POST',
    { 'content-type': 'application/json', ...headers },
    JSON.stringify({ link }),
  );
}

export function cookieFrom(res: TestResponse): string {
  const header = res.headers.get('set-cookie') ?? '';
  return header.split(';')[0] ?? '';
}

export async function signIn(
  h: ManagementHarness,
  tenantId: string,
  email: string,
  role: 'owner' | 'admin' | 'viewer',
): Promise<ConsoleClient> {
  const link = await createSetupLink(h, tenantId, { email, role });
  if (link.status !== 201) throw new Error(`setup link: ${link.status} ${link.text}`);
  const started = await exchange(h, link.body.token);
  if (started.status !== 201) throw new Error(`exchange: ${started.status} ${started.text}`);
  const client: ConsoleClient = {
    cookie: cookieFrom(started),
    csrf: started.body.csrfToken,
    adminId: started.body.admin.id,
    request: (method, path, options = {}) => {
      const headers: Record<string, string> = { ...options.headers };
      const cookie = options.cookie === undefined ? client.cookie : options.cookie;
      if (cookie !== null) headers.cookie = cookie;
      const csrf = options.csrf === undefined ? client.csrf : options.csrf;
      if (csrf !== null && method !== 'GET') headers['x-csrf-token'] = csrf;
      let body: string | undefined;
      if (options.body !== undefined) {
        body = JSON.stringify(options.body);
        headers['content-type'] ??= 'application/json';
      }
      return send(`${h.server.origin}/console/api${path}`, method, headers, body);
    },
  };
  return client;
}
