/**
 * The one route table. The CDK API stack creates one API Gateway route per entry, pointing at the entry's
 * function; the local server and each Lambda's own router match requests against the same entries, so the two
 * cannot disagree. `{name}` segments are path parameters; SCIM resource segments match case-insensitively
 * (`/users` is `/Users`).
 */
import type { HttpMethod } from './types';

export type FunctionId = 'scimUsers' | 'scimGroups' | 'scimRoot' | 'oauthToken' | 'management' | 'console';

export interface RouteDef {
  fn: FunctionId;
  method: HttpMethod;
  path: string;
  /** Served by the local server only: API Gateway gets no route for it (the simulated-clock job runs). */
  localOnly?: true;
}

/** SCIM base path of one endpoint of one tenant: the "Tenant URL" an IdP is given is origin + this. */
export const SCIM_PREFIX = '/scim/v2/{tenant}/{endpoint}';

export const MANAGEMENT_PREFIX = '/admin/v1';

/** The admin console's API (session cookie + CSRF header; the tenant comes from the session, never the path). */
export const CONSOLE_API_PREFIX = '/console/api';

export const CONSOLE_ROUTES: readonly (readonly [HttpMethod, string])[] = [
  ['POST', '/session'],
  ['GET', '/session'],
  ['DELETE', '/session'],
  ['GET', '/tenant'],
  // The tenant's application (bookmark) URL (owner).
  ['PATCH', '/tenant'],
  ['GET', '/credentials'],
  ['POST', '/credentials'],
  ['GET', '/credentials/{credential}'],
  ['GET', '/credentials/{credential}/requests'],
  ['PATCH', '/credentials/{credential}'],
  ['DELETE', '/credentials/{credential}'],
  ['POST', '/credentials/{credential}/extend'],
  ['POST', '/credentials/{credential}/rotate'],
  ['POST', '/credentials/{credential}/revoke'],
  ['POST', '/credentials/{credential}/reactivate'],
  ['POST', '/endpoints'],
  // An endpoint's application (bookmark) URL.
  ['PATCH', '/endpoints/{endpoint}'],
  ['POST', '/endpoints/{endpoint}/token'],
  ['POST', '/test-connection'],
  ['GET', '/audit'],
  // The session's tenant's change events after a cursor (docs/events.md).
  ['GET', '/events'],
  ['GET', '/policy'],
  ['PATCH', '/policy'],
  ['GET', '/admins'],
  ['POST', '/admins/setup-links'],
  ['POST', '/admins/{admin}/deactivate'],
];

/** Management API routes (method, path under /admin/v1); documented in docs/openapi.json. */
export const MANAGEMENT_ROUTES: readonly (readonly [HttpMethod, string])[] = [
  ['GET', '/openapi.json'],
  ['GET', '/tenants'],
  ['POST', '/tenants'],
  ['GET', '/tenants/{tenant}'],
  // The tenant's application (bookmark) URL.
  ['PATCH', '/tenants/{tenant}'],
  ['DELETE', '/tenants/{tenant}'],
  ['GET', '/tenants/{tenant}/policy'],
  ['PATCH', '/tenants/{tenant}/policy'],
  ['GET', '/tenants/{tenant}/endpoints'],
  ['POST', '/tenants/{tenant}/endpoints'],
  // An endpoint's application (bookmark) URL.
  ['PATCH', '/tenants/{tenant}/endpoints/{endpoint}'],
  ['DELETE', '/tenants/{tenant}/endpoints/{endpoint}'],
  ['GET', '/tenants/{tenant}/admins'],
  ['POST', '/tenants/{tenant}/admins'],
  ['POST', '/tenants/{tenant}/admins/{admin}/deactivate'],
  ['DELETE', '/tenants/{tenant}/admins/{admin}'],
  ['GET', '/tenants/{tenant}/admins/{admin}/credentials'],
  // Single-use console setup link for one admin (docs/console.md).
  ['POST', '/tenants/{tenant}/setup-links'],
  ['GET', '/tenants/{tenant}/credentials'],
  ['POST', '/tenants/{tenant}/credentials'],
  ['GET', '/tenants/{tenant}/credentials/{credential}'],
  ['GET', '/tenants/{tenant}/credentials/{credential}/requests'],
  ['PATCH', '/tenants/{tenant}/credentials/{credential}'],
  ['DELETE', '/tenants/{tenant}/credentials/{credential}'],
  ['POST', '/tenants/{tenant}/credentials/{credential}/extend'],
  ['POST', '/tenants/{tenant}/credentials/{credential}/rotate'],
  ['POST', '/tenants/{tenant}/credentials/{credential}/revoke'],
  ['POST', '/tenants/{tenant}/credentials/{credential}/reactivate'],
  ['POST', '/tenants/{tenant}/credentials/{credential}/rebind'],
  ['GET', '/tenants/{tenant}/audit'],
  // Change events of a tenant, after a cursor (docs/events.md), and the keys their SETs verify with.
  ['GET', '/tenants/{tenant}/events'],
  ['GET', '/events/jwks.json'],
  // Runs the reminder or idle job once, optionally with a simulated clock (docs/jobs.md): local server and tests only.
  ['POST', '/jobs/{job}/run'],
];

/**
 * Management routes that exist only in the local server and tests. A job run with a simulated clock writes audit
 * events at that instant and uses up one-time records, so the deployed API must not offer it.
 */
export const LOCAL_ONLY_MANAGEMENT_ROUTES: ReadonlySet<string> = new Set(['POST /jobs/{job}/run']);

const scim = (fn: FunctionId, method: HttpMethod, suffix: string): RouteDef => ({
  fn,
  method,
  path: SCIM_PREFIX + suffix,
});

export const ROUTES: readonly RouteDef[] = [
  // Admin console API (served with the SPA on one origin; docs/console.md).
  ...CONSOLE_ROUTES.map(([method, suffix]): RouteDef => ({
    fn: 'console',
    method,
    path: CONSOLE_API_PREFIX + suffix,
  })),
  scim('scimUsers', 'GET', '/Users'),
  scim('scimUsers', 'POST', '/Users'),
  scim('scimUsers', 'POST', '/Users/.search'),
  scim('scimUsers', 'GET', '/Users/{id}'),
  scim('scimUsers', 'PUT', '/Users/{id}'),
  scim('scimUsers', 'PATCH', '/Users/{id}'),
  scim('scimUsers', 'DELETE', '/Users/{id}'),
  scim('scimGroups', 'GET', '/Groups'),
  scim('scimGroups', 'POST', '/Groups'),
  scim('scimGroups', 'POST', '/Groups/.search'),
  scim('scimGroups', 'GET', '/Groups/{id}'),
  scim('scimGroups', 'PUT', '/Groups/{id}'),
  scim('scimGroups', 'PATCH', '/Groups/{id}'),
  scim('scimGroups', 'DELETE', '/Groups/{id}'),
  scim('scimRoot', 'GET', '/ServiceProviderConfig'),
  scim('scimRoot', 'GET', '/ResourceTypes'),
  scim('scimRoot', 'GET', '/ResourceTypes/{id}'),
  scim('scimRoot', 'GET', '/Schemas'),
  scim('scimRoot', 'GET', '/Schemas/{id}'),
  scim('scimRoot', 'POST', '/.search'),
  // RFC 7644 §3.11: /Me is not supported (credentials are not users); answered 501, not 404.
  ...(['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const).map((m) => scim('scimRoot', m, '/Me')),
  // OAuth 2.0 client credentials (RFC 6749 §4.4) and revocation (RFC 7009), per tenant.
  { fn: 'oauthToken', method: 'POST', path: '/oauth/{tenant}/token' },
  { fn: 'oauthToken', method: 'POST', path: '/oauth/{tenant}/revoke' },
  // Management API (IAM-authorised in AWS, admin key locally).
  ...MANAGEMENT_ROUTES.map(([method, suffix]): RouteDef => ({
    fn: 'management',
    method,
    path: MANAGEMENT_PREFIX + suffix,
    ...(LOCAL_ONLY_MANAGEMENT_ROUTES.has(`${method} ${suffix}`) ? { localOnly: true as const } : {}),
  })),
];

export interface RouteMatch {
  route: RouteDef;
  params: Record<string, string>;
}

export type MatchResult =
  { ok: true; match: RouteMatch } | { ok: false; status: 404 | 405; allow?: string[] };

interface Compiled {
  route: RouteDef;
  regex: RegExp;
  names: string[];
}

const PARAM = /^\{(\w+)\}$/;

function compile(route: RouteDef): Compiled {
  const names: string[] = [];
  const parts = route.path
    .split('/')
    .filter(Boolean)
    .map((seg) => {
      const m = PARAM.exec(seg);
      if (m?.[1]) {
        names.push(m[1]);
        return '([^/]+)';
      }
      return seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    });
  return { route, names, regex: new RegExp(`^/${parts.join('/')}/?$`, 'i') };
}

const COMPILED = ROUTES.map(compile);

/** Matches a request path against the table (optionally only one function's routes). */
export function matchRoute(method: string, path: string, fn?: FunctionId): MatchResult {
  const allow: string[] = [];
  for (const c of COMPILED) {
    if (fn && c.route.fn !== fn) continue;
    const m = c.regex.exec(path);
    if (!m) continue;
    if (c.route.method !== method.toUpperCase()) {
      allow.push(c.route.method);
      continue;
    }
    const params: Record<string, string> = {};
    try {
      c.names.forEach((name, i) => {
        params[name] = decodeURIComponent(m[i + 1] ?? '');
      });
    } catch {
      return { ok: false, status: 404 }; // malformed percent-encoding names nothing
    }
    return { ok: true, match: { route: c.route, params } };
  }
  return allow.length > 0 ? { ok: false, status: 405, allow } : { ok: false, status: 404 };
}

/** API Gateway's route key of a table entry (`GET /scim/v2/{tenant}/{endpoint}/Users/{id}`). */
export const routeKey = (route: Pick<RouteDef, 'method' | 'path'>): string => `${route.method} ${route.path}`;

/**
 * SCIM resource segments that also get a lower-case API Gateway route: API Gateway matches paths case-sensitively
 * while SCIM resource segments are case-insensitive (`/users` is `/Users`).
 */
export const ALIASED_SEGMENTS = ['Users', 'Groups'] as const;

/** The lower-case alias path of a table entry, if it has one. */
export function aliasPath(route: RouteDef): string | undefined {
  if (!route.path.startsWith(SCIM_PREFIX)) return undefined;
  const suffix = route.path.slice(SCIM_PREFIX.length);
  const segment = ALIASED_SEGMENTS.find((s) => suffix === `/${s}` || suffix.startsWith(`/${s}/`));
  return segment ? SCIM_PREFIX + `/${segment.toLowerCase()}` + suffix.slice(segment.length + 1) : undefined;
}

const BY_KEY = new Map<string, RouteDef>(
  ROUTES.flatMap((route) => {
    const alias = aliasPath(route);
    const own: [string, RouteDef] = [routeKey(route), route];
    return alias
      ? [own, [routeKey({ method: route.method, path: alias }), route] as [string, RouteDef]]
      : [own];
  }),
);

/** The table entry behind an API Gateway route key (an entry's own key or its lower-case alias). */
export function routeForKey(key: string): RouteDef | undefined {
  return BY_KEY.get(key);
}

/** Every function named in the table (one Lambda each). */
export function functionIds(): FunctionId[] {
  return [...new Set(ROUTES.map((r) => r.fn))];
}
