/**
 * The management edge (/admin/v1): tenants, endpoints, admins, credentials and their audit trail.
 *
 * Like the SCIM edge it only translates: match the route (shared route table) → authorise the caller (admin key or
 * API Gateway's IAM authorizer) → validate the JSON body with one zod schema per shape (unknown keys rejected) →
 * call exactly one CredentialService method → answer JSON. One error policy, applied once here: ScimError →
 * `{ "error": { "status", "message" } }` with its status and headers; throttling → 503 + Retry-After; anything else
 * → a logged 500 with no internals in the body. Request and response bodies are never logged (issued secrets).
 */
import openApiDocument from '../../docs/openapi.json' with { type: 'json' };
import { constantTimeEqual } from '../credentials/pepper';
import { requestSchemas } from '../domain/credential-schemas';
import type { ConsoleSessions } from '../domain/console-sessions';
import type { CredentialService } from '../domain/credential-service';
import type { EventStore } from '../domain/events/model';
import { JOB_NAMES, type JobName, type JobReport } from '../domain/jobs';
import { ScimError } from '../scim/errors';
import type { ApiFamily, EdgeLogger, RouteRequest } from './api-family';
import { MANAGEMENT_PREFIX, MANAGEMENT_ROUTES } from './routes';
import type { HttpRequest, HttpResponse } from './types';
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

/**
 * How management callers are authorised.
 * - `key`: a shared admin key (local run, self-hosting): `authorization: Bearer <key>` or `x-admin-key: <key>`.
 * - `iam`: AWS; API Gateway's IAM authorizer has verified SigV4 and the adapter (apigw.ts) passes the caller ARN in
 *   `x-amzn-iam-caller` (a client-sent header of that name is dropped there).
 */
export type AdminAuth = { mode: 'key'; key: string } | { mode: 'iam' };

/** Header the API Gateway adapter sets from `requestContext.authorizer.iam.userArn`. */
export const IAM_CALLER_HEADER = 'x-amzn-iam-caller';
/** Actor recorded in the audit trail for callers authorised by the admin key. */
export const ADMIN_KEY_ACTOR = 'admin-key';
export const ADMIN_REALM = 'scimgate-admin';

export interface ManagementEdgeDeps {
  credentials: CredentialService;
  logger: EdgeLogger;
  adminAuth: AdminAuth;
  /** Overrides the origin of generated URLs (custom domain) in issued connection details. */
  publicBaseUrl?: string;
  /** Jobs (POST /jobs/{job}/run); added by the reminders work, see the block at the end of OPERATIONS. */
  jobs?: { runJob(job: JobName, now: Date): Promise<JobReport> };
  /** Console setup links (POST /tenants/{tenant}/setup-links); docs/console.md. */
  console?: { sessions: ConsoleSessions; consoleUrl?: string };
  /** Change events: the tenants' logs and the SET verification keys (docs/events.md). */
  events?: ManagementEvents;
}

export interface ManagementEvents {
  store: EventStore;
  jwks(): Promise<{ keys: unknown[] }>;
}

// ---------------------------------------------------------------------------------------------------------------
// Request plumbing
// ---------------------------------------------------------------------------------------------------------------

function unauthorized(detail: string, presented: boolean): ScimError {
  const challenge = presented
    ? `Bearer realm="${ADMIN_REALM}", error="invalid_token"`
    : `Bearer realm="${ADMIN_REALM}"`;
  return new ScimError(401, detail, undefined, { 'www-authenticate': challenge });
}

/** Returns the actor the audit trail records, or throws 401. */
function authorise(req: HttpRequest, auth: AdminAuth): string {
  if (auth.mode === 'iam') {
    const caller = req.headers[IAM_CALLER_HEADER]?.trim() ?? '';
    if (!caller.startsWith('arn:') || caller.length > 2048) {
      throw unauthorized('this API requires AWS IAM (SigV4) authorization', false);
    }
    return caller;
  }
  const presented: string[] = [];
  const headerKey = req.headers['x-admin-key'];
  if (headerKey !== undefined) presented.push(headerKey.trim());
  const authorization = req.headers.authorization;
  if (authorization !== undefined) {
    const m = /^Bearer[ ]+(\S+)\s*$/i.exec(authorization);
    presented.push(m?.[1] ?? '');
  }
  if (presented.length === 0) {
    throw unauthorized('send the admin key as "authorization: Bearer <key>" or "x-admin-key: <key>"', false);
  }
  // Every presented key must match (so a wrong one is never hidden behind a right one).
  let ok = true;
  for (const key of presented) ok = constantTimeEqual(key, auth.key) && ok;
  if (!ok) throw unauthorized('the admin key is not valid', true);
  return ADMIN_KEY_ACTOR;
}

// ---------------------------------------------------------------------------------------------------------------
// Operations: one per MANAGEMENT_ROUTES entry, each calling exactly one service method.
// ---------------------------------------------------------------------------------------------------------------

interface OperationContext {
  req: HttpRequest;
  params: Record<string, string>;
  actor: string;
  origin: string;
  svc: CredentialService;
  jobs?: ManagementEdgeDeps['jobs'];
  console?: ManagementEdgeDeps['console'];
  events?: ManagementEvents;
}

type Operation = (c: OperationContext) => Promise<HttpResponse>;

const tenantOf = (c: OperationContext) => pathParam(c.params, 'tenant');
const eventsOf = (c: OperationContext): ManagementEvents => {
  if (!c.events) throw new ScimError(503, 'change events are not configured in this deployment');
  return c.events;
};
const credentialOf = (c: OperationContext) => pathParam(c.params, 'credential');
const adminOf = (c: OperationContext) => pathParam(c.params, 'admin');
const tenantPath = (tenantId: string) => `${MANAGEMENT_PREFIX}/tenants/${encodeURIComponent(tenantId)}`;

const OPERATIONS: Record<string, Operation> = {
  'GET /openapi.json': async () => json(200, openApiDocument),

  'GET /tenants': async (c) => json(200, { tenants: await c.svc.listTenants() }),
  'POST /tenants': async (c) => {
    const input = body(c.req, requestSchemas.createTenant);
    const tenant = await c.svc.createTenant(input, c.actor);
    return json(201, tenant, { location: tenantPath(tenant.id) });
  },
  'GET /tenants/{tenant}': async (c) => json(200, await c.svc.getTenant(tenantOf(c))),
  'PATCH /tenants/{tenant}': async (c) => {
    const tenantId = tenantOf(c);
    const input = body(c.req, requestSchemas.applicationUrlPatch);
    return json(200, await c.svc.setApplicationUrl(tenantId, undefined, input, c.actor));
  },
  'DELETE /tenants/{tenant}': async (c) => {
    await c.svc.deleteTenant(tenantOf(c), c.actor);
    return noContent();
  },

  'GET /tenants/{tenant}/policy': async (c) => json(200, await c.svc.getPolicy(tenantOf(c))),
  'PATCH /tenants/{tenant}/policy': async (c) => {
    const tenantId = tenantOf(c);
    const patch = body(c.req, requestSchemas.policyPatch);
    return json(200, await c.svc.updatePolicy(tenantId, patch, c.actor));
  },

  'GET /tenants/{tenant}/endpoints': async (c) =>
    json(200, { endpoints: await c.svc.listEndpoints(tenantOf(c)) }),
  'POST /tenants/{tenant}/endpoints': async (c) => {
    const tenantId = tenantOf(c);
    const input = body(c.req, requestSchemas.createEndpoint);
    return json(201, await c.svc.createEndpoint(tenantId, input, c.actor));
  },
  'PATCH /tenants/{tenant}/endpoints/{endpoint}': async (c) => {
    const tenantId = tenantOf(c);
    const input = body(c.req, requestSchemas.applicationUrlPatch);
    return json(
      200,
      await c.svc.setApplicationUrl(tenantId, pathParam(c.params, 'endpoint'), input, c.actor),
    );
  },
  'DELETE /tenants/{tenant}/endpoints/{endpoint}': async (c) => {
    await c.svc.deleteEndpoint(tenantOf(c), pathParam(c.params, 'endpoint'), c.actor);
    return noContent();
  },

  'GET /tenants/{tenant}/admins': async (c) => json(200, { admins: await c.svc.listAdmins(tenantOf(c)) }),
  'POST /tenants/{tenant}/admins': async (c) => {
    const tenantId = tenantOf(c);
    const input = body(c.req, requestSchemas.addAdmin);
    return json(201, await c.svc.addAdmin(tenantId, input, c.actor));
  },
  'POST /tenants/{tenant}/admins/{admin}/deactivate': async (c) => {
    const tenantId = tenantOf(c);
    const adminId = adminOf(c);
    body(c.req, requestSchemas.empty);
    return json(200, await c.svc.deactivateAdmin(tenantId, adminId, c.actor));
  },
  'DELETE /tenants/{tenant}/admins/{admin}': async (c) => {
    await c.svc.removeAdmin(tenantOf(c), adminOf(c), c.actor);
    return noContent();
  },
  'POST /tenants/{tenant}/setup-links': async (c) => {
    const tenantId = tenantOf(c);
    const input = body(c.req, requestSchemas.setupLink);
    if (!c.console) throw new ScimError(503, 'the admin console is not configured in this deployment');
    const consoleUrl = c.console.consoleUrl ?? `${c.origin}/console/`;
    return json(201, await c.console.sessions.createSetupLink(tenantId, input, c.actor, consoleUrl));
  },
  'GET /tenants/{tenant}/admins/{admin}/credentials': async (c) => {
    const views = await c.svc.credentialsBoundTo(tenantOf(c), adminOf(c));
    return json(200, { credentials: views.map(publicView) });
  },

  'GET /tenants/{tenant}/credentials': async (c) => {
    const views = await c.svc.list(tenantOf(c));
    return json(200, { credentials: views.map(publicView) });
  },
  'POST /tenants/{tenant}/credentials': async (c) => {
    const tenantId = tenantOf(c);
    const input = body(c.req, requestSchemas.issue);
    const issued = await c.svc.issue(tenantId, input, { actor: c.actor, origin: c.origin });
    return issuedResponse(201, issued, `${tenantPath(tenantId)}/credentials/${issued.credential.id}`);
  },
  'GET /tenants/{tenant}/credentials/{credential}': async (c) =>
    json(200, publicView(await c.svc.show(tenantOf(c), credentialOf(c)))),
  'GET /tenants/{tenant}/credentials/{credential}/requests': async (c) =>
    json(200, await c.svc.requests(tenantOf(c), credentialOf(c))),
  'PATCH /tenants/{tenant}/credentials/{credential}': async (c) => {
    const tenantId = tenantOf(c);
    const credentialId = credentialOf(c);
    const patch = body(c.req, requestSchemas.update);
    return json(200, publicView(await c.svc.update(tenantId, credentialId, patch, c.actor)));
  },
  'DELETE /tenants/{tenant}/credentials/{credential}': async (c) => {
    await c.svc.delete(tenantOf(c), credentialOf(c), c.actor);
    return noContent();
  },
  'POST /tenants/{tenant}/credentials/{credential}/extend': async (c) => {
    const tenantId = tenantOf(c);
    const credentialId = credentialOf(c);
    const input = body(c.req, requestSchemas.extend);
    return json(200, publicView(await c.svc.extend(tenantId, credentialId, input, c.actor)));
  },
  'POST /tenants/{tenant}/credentials/{credential}/rotate': async (c) => {
    const tenantId = tenantOf(c);
    const credentialId = credentialOf(c);
    const input = body(c.req, requestSchemas.rotate);
    return issuedResponse(
      200,
      await c.svc.rotate(tenantId, credentialId, input, { actor: c.actor, origin: c.origin }),
    );
  },
  'POST /tenants/{tenant}/credentials/{credential}/revoke': async (c) => {
    const tenantId = tenantOf(c);
    const credentialId = credentialOf(c);
    body(c.req, requestSchemas.empty);
    return json(200, publicView(await c.svc.revoke(tenantId, credentialId, c.actor)));
  },
  'POST /tenants/{tenant}/credentials/{credential}/reactivate': async (c) => {
    const tenantId = tenantOf(c);
    const credentialId = credentialOf(c);
    body(c.req, requestSchemas.empty);
    return json(200, publicView(await c.svc.reactivate(tenantId, credentialId, c.actor)));
  },
  'POST /tenants/{tenant}/credentials/{credential}/rebind': async (c) => {
    const tenantId = tenantOf(c);
    const credentialId = credentialOf(c);
    const input = body(c.req, requestSchemas.rebind);
    return json(200, publicView(await c.svc.rebind(tenantId, credentialId, input.boundAdminId, c.actor)));
  },

  'GET /tenants/{tenant}/audit': async (c) => {
    const tenantId = tenantOf(c);
    return json(200, await c.svc.audit(tenantId, auditOptions(c.req)));
  },

  // ------------------------------------------------------------- change events (docs/events.md)
  'GET /tenants/{tenant}/events': async (c) => {
    const tenantId = tenantOf(c);
    const events = eventsOf(c);
    await c.svc.getTenant(tenantId);
    return json(200, await eventsPage(events.store, tenantId, c.req));
  },
  'GET /events/jwks.json': async (c) => json(200, await eventsOf(c).jwks()),

  // ------------------------------------------------------------- jobs (reminders work; docs/jobs.md)
  'POST /jobs/{job}/run': async (c) => {
    const job = pathParam(c.params, 'job');
    if (!(JOB_NAMES as readonly string[]).includes(job))
      throw ScimError.notFound(`no job '${job.slice(0, 40)}'; jobs: ${JOB_NAMES.join(', ')}`);
    const input = body(c.req, requestSchemas.runJob);
    if (!c.jobs)
      throw ScimError.notFound(
        'job runs on demand exist in the local server only; deployed jobs run on schedule',
      );
    return json(200, await c.jobs.runJob(job as JobName, input.now ? new Date(input.now) : new Date()));
  },
};

/** Route keys (`METHOD /path` under the prefix) the table names but this edge does not serve: should be none. */
export function unservedManagementRoutes(): string[] {
  return MANAGEMENT_ROUTES.map(([m, p]) => `${m} ${p}`).filter((k) => !(k in OPERATIONS));
}

/** The management family (/admin/v1). Throws at start-up on unusable configuration. */
export function managementFamily(deps: ManagementEdgeDeps): ApiFamily {
  if (deps.adminAuth.mode === 'key' && deps.adminAuth.key.length < 16) {
    throw new Error('management API: the admin key must be at least 16 characters long');
  }
  const unserved = unservedManagementRoutes();
  if (unserved.length > 0) throw new Error(`management API: no operation for ${unserved.join(', ')}`);
  const routes: ApiFamily['routes'] = {};
  for (const [opKey, operation] of Object.entries(OPERATIONS)) {
    const space = opKey.indexOf(' ');
    routes[`${opKey.slice(0, space)} ${MANAGEMENT_PREFIX}${opKey.slice(space + 1)}`] = (req: RouteRequest) =>
      operation({
        req,
        params: req.params,
        actor: req.caller as string,
        origin: (deps.publicBaseUrl ?? req.origin).replace(/\/+$/, ''),
        svc: deps.credentials,
        jobs: deps.jobs,
        console: deps.console,
        events: deps.events,
      });
  }
  return {
    name: 'management',
    routes,
    authenticate: async (req) => authorise(req, deps.adminAuth),
    renderError: (_req, e) => managementErrorResponse(e),
  };
}
