/**
 * The console edge (/console/api): the admin console's API, served on the console's own origin.
 *
 * Translation only, like the other edges: match the route (shared route table) → authenticate the session cookie
 * (ConsoleSessions) → check the CSRF header on every write → check the role for the route's action → validate the
 * body with zod → call the domain → answer JSON in the management API's error shape. The tenant is always the
 * session's; no route names one. Every action is audited by the domain with the admin (`admin:<id>`) as the actor.
 */
import * as z from 'zod/mini';
import { ADMIN_ROLES, type AdminRole, type Endpoint, type Tenant } from '../domain/credential-model';
import type { ConsoleAction, ConsoleSession, ConsoleSessions } from '../domain/console-sessions';
import { consoleActor } from '../domain/console-sessions';
import { integrationToken, testConnection, type Probe } from '../domain/console-integrations';
import { scimBaseUrl, tokenEndpoint } from '../domain/credential-rules';
import type { CredentialService } from '../domain/credential-service';
import type { EventStore } from '../domain/events/model';
import { ScimError } from '../scim/errors';
import {
  auditOptions,
  body,
  eventsPage,
  issuedResponse,
  json,
  managementErrorResponse,
  noContent,
  pathParam,
  publicView,
} from './admin-json';
import { requestSchemas } from '../domain/credential-schemas';
import type { ApiFamily, EdgeLogger, RouteRequest } from './api-family';
import { CONSOLE_API_PREFIX, CONSOLE_ROUTES, ROUTES, routeKey, type RouteDef } from './routes';
import type { HttpRequest, HttpResponse } from './types';

export const SESSION_COOKIE = 'scimgate_console';
export const CSRF_HEADER = 'x-csrf-token';

export interface ConsoleEdgeDeps {
  sessions: ConsoleSessions;
  credentials: CredentialService;
  logger: EdgeLogger;
  /** This deployment's own handlers, for Test connection. */
  probe: Probe;
  /** Origin of generated SCIM and token URLs (custom domain); default: the request's. */
  publicBaseUrl?: string;
  /** Where the SPA is served (setup links, bookmarks); default: `<origin>/console/`. */
  consoleUrl?: string;
  /** The tenants' change-event logs (GET /events; docs/events.md). */
  events?: { store: EventStore };
}

const id = z.string().check(z.minLength(1), z.maxLength(128));
const secretText = z.string().check(z.minLength(1), z.maxLength(512));

const schemas = {
  exchange: z.strictObject({ link: z.string().check(z.minLength(1), z.maxLength(200)) }),
  issue: z.extend(z.omit(requestSchemas.issue, { boundAdminId: true }), {
    /** Credentials created in the console are bound to their creator unless this is false. */
    bindToMe: z.optional(z.boolean()),
  }),
  createEndpoint: requestSchemas.createEndpoint,
  setupLink: z.strictObject({
    email: z.email(),
    role: z.enum(ADMIN_ROLES as readonly [AdminRole, ...AdminRole[]]),
    validMinutes: z.optional(z.int().check(z.gte(1))),
  }),
  testConnection: z.strictObject({
    endpointId: id,
    auth: z.discriminatedUnion('type', [
      z.strictObject({ type: z.literal('bearer'), token: secretText }),
      z.strictObject({ type: z.literal('basic'), username: secretText, password: secretText }),
      z.strictObject({ type: z.literal('oauth'), clientId: secretText, clientSecret: secretText }),
    ]),
  }),
};

function cookieValue(req: HttpRequest, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** `Secure` everywhere but a plain-http loopback origin (the local `npm start`; docs/console.md). */
function secureCookie(origin: string): boolean {
  return !/^http:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/i.test(origin);
}

function sessionCookie(req: HttpRequest, value: string, maxAgeSeconds: number): string {
  const attrs = [
    `${SESSION_COOKIE}=${value}`,
    `Path=${CONSOLE_API_PREFIX}`,
    `Max-Age=${maxAgeSeconds}`,
    'HttpOnly',
    'SameSite=Strict',
  ];
  // Generated URLs ignore X-Forwarded-Proto (apigw.ts), but a proxy saying https can only make the cookie stricter.
  if (secureCookie(req.origin) || req.headers['x-forwarded-proto'] === 'https') attrs.push('Secure');
  return attrs.join('; ');
}

/** What the SPA may know about its session: never the cookie value. */
function sessionView(s: ConsoleSession) {
  return {
    tenantId: s.tenantId,
    admin: { id: s.adminId, email: s.email, role: s.role },
    expiresAt: s.expiresAt,
    idleExpiresAt: s.idleExpiresAt,
    csrfToken: s.csrfToken,
  };
}

/** Writes must come from a JSON client of this origin: a form post (text/plain) never reaches a use case. */
function requireJson(req: HttpRequest): void {
  if (req.body === undefined || req.body.trim() === '') return;
  const type = (req.headers['content-type'] ?? '').toLowerCase().split(';')[0]?.trim();
  if (type !== 'application/json') throw new ScimError(415, 'send application/json');
}

interface Ctx {
  req: HttpRequest;
  params: Record<string, string>;
  session: ConsoleSession;
  actor: string;
  origin: string;
  deps: ConsoleEdgeDeps;
}

interface Operation {
  action: ConsoleAction;
  run(c: Ctx): Promise<HttpResponse>;
}

const credentialOf = (c: Ctx) => pathParam(c.params, 'credential');
const svcCtx = (c: Ctx) => ({ actor: c.actor, origin: c.origin });
const consoleUrlOf = (c: Ctx) => c.deps.consoleUrl ?? `${c.origin}/console/`;

/** An endpoint as the console shows it: its own application URL, and the bookmark URL an IdP is given. */
function endpointView(c: Ctx, tenant: Tenant, e: Endpoint) {
  return {
    id: e.id,
    name: e.name,
    scimBaseUrl: scimBaseUrl(c.origin, tenant.id, e.id),
    ...(e.applicationUrl !== undefined ? { applicationUrl: e.applicationUrl } : {}),
    // The application URL set on the endpoint or the tenant; else this console's page of the endpoint.
    bookmarkUrl:
      e.applicationUrl ??
      tenant.applicationUrl ??
      `${consoleUrlOf(c)}#/integrations/${encodeURIComponent(e.id)}`,
  };
}

/**
 * The session's tenant: name, policy, its own application URL, token endpoint and endpoints (the tenant and its
 * endpoints read in parallel; a caller that already has the tenant passes it).
 */
async function tenantView(c: Ctx, known?: Tenant) {
  const tenantId = c.session.tenantId;
  const [tenant, endpoints] = await Promise.all([
    known ?? c.deps.credentials.getTenant(tenantId),
    c.deps.credentials.listEndpoints(tenantId),
  ]);
  return {
    id: tenant.id,
    name: tenant.name,
    policy: tenant.policy,
    ...(tenant.applicationUrl !== undefined ? { applicationUrl: tenant.applicationUrl } : {}),
    tokenEndpoint: tokenEndpoint(c.origin, tenantId),
    endpoints: endpoints.map((e) => endpointView(c, tenant, e)),
  };
}

const OPERATIONS: Record<string, Operation> = {
  'GET /session': { action: 'read', run: async (c) => json(200, sessionView(c.session)) },
  'DELETE /session': {
    action: 'read',
    run: async (c) => {
      await c.deps.sessions.end(c.session, c.req);
      return {
        ...noContent(),
        headers: { ...noContent().headers, 'set-cookie': sessionCookie(c.req, '', 0) },
      };
    },
  },
  'GET /tenant': { action: 'read', run: async (c) => json(200, await tenantView(c)) },
  'PATCH /tenant': {
    action: 'tenant.write',
    run: async (c) => {
      const input = body(c.req, requestSchemas.applicationUrlPatch);
      // The tenant's own update answers the updated tenant.
      const tenant = await c.deps.credentials.setApplicationUrl(
        c.session.tenantId,
        undefined,
        input,
        c.actor,
      );
      return json(200, await tenantView(c, tenant as Tenant));
    },
  },
  'GET /credentials': {
    action: 'read',
    run: async (c) =>
      json(200, { credentials: (await c.deps.credentials.list(c.session.tenantId)).map(publicView) }),
  },
  'POST /credentials': {
    action: 'credentials.write',
    run: async (c) => {
      const { bindToMe, ...input } = body(c.req, schemas.issue);
      const issued = await c.deps.credentials.issue(
        c.session.tenantId,
        { ...input, ...(bindToMe === false ? {} : { boundAdminId: c.session.adminId }) },
        svcCtx(c),
      );
      return issuedResponse(201, issued);
    },
  },
  'GET /credentials/{credential}': {
    action: 'read',
    run: async (c) =>
      json(200, publicView(await c.deps.credentials.show(c.session.tenantId, credentialOf(c)))),
  },
  'GET /credentials/{credential}/requests': {
    action: 'read',
    run: async (c) => json(200, await c.deps.credentials.requests(c.session.tenantId, credentialOf(c))),
  },
  'PATCH /credentials/{credential}': {
    action: 'credentials.write',
    run: async (c) => {
      const patch = body(c.req, requestSchemas.update);
      return json(
        200,
        publicView(await c.deps.credentials.update(c.session.tenantId, credentialOf(c), patch, c.actor)),
      );
    },
  },
  'DELETE /credentials/{credential}': {
    action: 'credentials.write',
    run: async (c) => {
      await c.deps.credentials.delete(c.session.tenantId, credentialOf(c), c.actor);
      return noContent();
    },
  },
  'POST /credentials/{credential}/extend': {
    action: 'credentials.write',
    run: async (c) => {
      const input = body(c.req, requestSchemas.extend);
      return json(
        200,
        publicView(await c.deps.credentials.extend(c.session.tenantId, credentialOf(c), input, c.actor)),
      );
    },
  },
  'POST /credentials/{credential}/rotate': {
    action: 'credentials.write',
    run: async (c) => {
      const input = body(c.req, requestSchemas.rotate);
      return issuedResponse(
        200,
        await c.deps.credentials.rotate(c.session.tenantId, credentialOf(c), input, svcCtx(c)),
      );
    },
  },
  'POST /credentials/{credential}/revoke': {
    action: 'credentials.write',
    run: async (c) => {
      body(c.req, requestSchemas.empty);
      return json(
        200,
        publicView(await c.deps.credentials.revoke(c.session.tenantId, credentialOf(c), c.actor)),
      );
    },
  },
  'POST /credentials/{credential}/reactivate': {
    action: 'credentials.write',
    run: async (c) => {
      body(c.req, requestSchemas.empty);
      return json(
        200,
        publicView(await c.deps.credentials.reactivate(c.session.tenantId, credentialOf(c), c.actor)),
      );
    },
  },
  'POST /endpoints': {
    action: 'endpoints.write',
    run: async (c) => {
      const input = body(c.req, schemas.createEndpoint);
      return json(201, await c.deps.credentials.createEndpoint(c.session.tenantId, input, c.actor));
    },
  },
  'PATCH /endpoints/{endpoint}': {
    action: 'endpoints.write',
    run: async (c) => {
      const input = body(c.req, requestSchemas.applicationUrlPatch);
      const tenantId = c.session.tenantId;
      // The tenant (for its own URL) is read alongside: an endpoint's update does not change it.
      const [endpoint, tenant] = await Promise.all([
        c.deps.credentials.setApplicationUrl(tenantId, pathParam(c.params, 'endpoint'), input, c.actor),
        c.deps.credentials.getTenant(tenantId),
      ]);
      return json(200, endpointView(c, tenant, endpoint as Endpoint));
    },
  },
  'POST /endpoints/{endpoint}/token': {
    action: 'endpoints.write',
    run: async (c) => {
      body(c.req, requestSchemas.empty);
      const issued = await integrationToken(
        c.deps.credentials,
        c.session.tenantId,
        pathParam(c.params, 'endpoint'),
        { ...svcCtx(c), boundAdminId: c.session.adminId },
      );
      const res = issuedResponse(issued.regenerated ? 200 : 201, issued);
      return {
        ...res,
        body: JSON.stringify({ ...JSON.parse(res.body ?? '{}'), regenerated: issued.regenerated }),
      };
    },
  },
  'POST /test-connection': {
    action: 'read',
    run: async (c) => {
      const input = body(c.req, schemas.testConnection);
      const result = await testConnection(
        c.deps.probe,
        {
          origin: c.origin,
          tenantId: c.session.tenantId,
          endpointId: input.endpointId,
          sourceIp: c.req.sourceIp,
        },
        input.auth,
      );
      return json(200, result);
    },
  },
  'GET /audit': {
    action: 'read',
    run: async (c) => json(200, await c.deps.credentials.audit(c.session.tenantId, auditOptions(c.req))),
  },
  'GET /events': {
    action: 'read',
    run: async (c) => {
      if (!c.deps.events) throw new ScimError(503, 'change events are not configured in this deployment');
      return json(200, await eventsPage(c.deps.events.store, c.session.tenantId, c.req));
    },
  },
  'GET /policy': {
    action: 'read',
    run: async (c) => json(200, await c.deps.credentials.getPolicy(c.session.tenantId)),
  },
  'PATCH /policy': {
    action: 'policy.write',
    run: async (c) => {
      const patch = body(c.req, requestSchemas.policyPatch);
      return json(200, await c.deps.credentials.updatePolicy(c.session.tenantId, patch, c.actor));
    },
  },
  'GET /admins': {
    action: 'admins.read',
    run: async (c) => json(200, { admins: await c.deps.credentials.listAdmins(c.session.tenantId) }),
  },
  'POST /admins/setup-links': {
    action: 'admins.write',
    run: async (c) => {
      const input = body(c.req, schemas.setupLink);
      return json(
        201,
        await c.deps.sessions.createSetupLink(c.session.tenantId, input, c.actor, consoleUrlOf(c)),
      );
    },
  },
  'POST /admins/{admin}/deactivate': {
    action: 'admins.write',
    run: async (c) => {
      const adminId = pathParam(c.params, 'admin');
      body(c.req, requestSchemas.empty);
      if (adminId === c.session.adminId)
        throw ScimError.invalidValue('you cannot deactivate yourself; ask another owner');
      return json(200, await c.deps.credentials.deactivateAdmin(c.session.tenantId, adminId, c.actor));
    },
  },
};

/** Route keys the table names but this edge does not serve (POST /session is the sign-in, outside OPERATIONS). */
export function unservedConsoleRoutes(): string[] {
  return CONSOLE_ROUTES.map(([m, p]) => `${m} ${p}`).filter(
    (k) => !(k in OPERATIONS) && k !== 'POST /session',
  );
}

/** The console family (/console/api): the tenant and the admin always come from the session cookie. */
export function consoleFamily(deps: ConsoleEdgeDeps): ApiFamily {
  const unserved = unservedConsoleRoutes();
  if (unserved.length > 0) throw new Error(`console API: no operation for ${unserved.join(', ')}`);

  const handle = async (req: RouteRequest, route: RouteDef): Promise<HttpResponse> => {
    const key = `${route.method} ${route.path.slice(CONSOLE_API_PREFIX.length)}`;
    const origin = (deps.publicBaseUrl ?? req.origin).replace(/\/+$/, '');
    if (route.method !== 'GET') requireJson(req);

    if (key === 'POST /session') {
      const input = body(req, schemas.exchange);
      const started = await deps.sessions.exchange(input.link, req);
      const maxAge = Math.max(0, Math.floor((Date.parse(started.session.expiresAt) - Date.now()) / 1000));
      return json(201, sessionView(started.session), {
        'set-cookie': sessionCookie(req, started.cookieValue, maxAge),
      });
    }

    const operation = OPERATIONS[key];
    if (!operation) throw ScimError.notFound(`nothing at ${req.path}`);
    const session = await deps.sessions.authenticate(cookieValue(req, SESSION_COOKIE));
    if (route.method !== 'GET') deps.sessions.checkCsrf(session, req.headers[CSRF_HEADER]);
    deps.sessions.authorize(session, operation.action);
    return operation.run({
      req,
      params: req.params,
      session,
      actor: consoleActor(session.adminId),
      origin,
      deps,
    });
  };
  const routes: ApiFamily['routes'] = {};
  for (const route of ROUTES)
    if (route.fn === 'console') routes[routeKey(route)] = (req) => handle(req, route);
  return { name: 'console', routes, renderError: (_req, e) => managementErrorResponse(e) };
}
