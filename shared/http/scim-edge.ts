/**
 * The SCIM family: one handler per route of the table (Users, Groups, discovery), each turning the request into
 * one use-case call and its result into a response. The Lambda adapter (functions/runtime/http-function.ts) gives
 * each handler its matched route's parameters, the authenticated caller and the parsed body, and writes whatever
 * is thrown as an RFC 7644 §3.12 error body through `renderError`, once.
 */
import { ScimError } from '../scim/errors';
import {
  buildResourceType,
  buildResourceTypeList,
  buildSchema,
  buildSchemaList,
  buildServiceProviderConfig,
} from '../scim/schemas/discovery';
import { parseAttributeList } from '../scim/projection';
import { SCIM_CONTENT_TYPE } from '../scim/types';
import type { ResourceKind, Scope } from '../domain/ports';
import { idpFromUserAgent } from '../domain/events/model';
import {
  LIST_RESPONSE_SCHEMA,
  type ListQuery,
  type Projection,
  type RequestContext,
  type ResourceGuard,
  type ScimResources,
} from '../domain/scim-resources';
import type { AnsweredScimRequest, ScimRequestRecorder } from '../domain/request-log';
import type { ApiFamily, EdgeLogger, RouteHandler, RouteRequest } from './api-family';
import { SCIM_PREFIX, routeKey, type FunctionId } from './routes';
import type { HttpMethod, HttpRequest, HttpResponse } from './types';

export const MAX_BODY_BYTES = 1024 * 1024;
const SEARCH_REQUEST_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';

export interface Principal {
  scope: Scope;
  credentialId: string;
  guard?: ResourceGuard;
}

/** Verifies the request's credential for this tenant and endpoint; throws ScimError 401/403/429. */
export type Authenticate = (req: HttpRequest, tenantId: string, endpointId: string) => Promise<Principal>;

export type { EdgeLogger } from './api-family';

export interface ScimEdgeDeps {
  resources: ScimResources;
  authenticate: Authenticate;
  /**
   * Begins the record of each authenticated request (the console's recent SCIM requests per credential): carried
   * by the request's write when it has one, written once answered otherwise.
   */
  startRecord?: (request: Omit<AnsweredScimRequest, 'status'>) => ScimRequestRecorder;
  logger: EdgeLogger;
  /** Overrides the origin of generated URLs (custom domain). */
  publicBaseUrl?: string;
}

export function contentTypeFor(req: HttpRequest): string {
  const accept = (req.headers.accept ?? '').toLowerCase();
  if (accept.includes('application/json') && !accept.includes('application/scim+json'))
    return 'application/json';
  return SCIM_CONTENT_TYPE;
}

export function jsonResponse(
  req: HttpRequest,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): HttpResponse {
  return { status, headers: { 'content-type': contentTypeFor(req), ...headers }, body: JSON.stringify(body) };
}

/** Parses a JSON body safely: size limit, content type, syntax. Keys such as __proto__ are rejected later by the normaliser. */
export function parseJsonBody(req: HttpRequest): unknown {
  const text = req.body ?? '';
  if (req.invalidUtf8) throw ScimError.invalidSyntax('request body is not valid UTF-8');
  if (Buffer.byteLength(text, 'utf8') > MAX_BODY_BYTES) {
    throw new ScimError(413, `request body exceeds ${MAX_BODY_BYTES} bytes`);
  }
  const ct = (req.headers['content-type'] ?? '').toLowerCase().split(';')[0]?.trim() ?? '';
  if (
    ct &&
    ct !== 'application/json' &&
    ct !== SCIM_CONTENT_TYPE &&
    !ct.endsWith('+json') &&
    ct !== 'text/plain'
  ) {
    throw ScimError.invalidSyntax(
      `unsupported content type '${ct}'; send application/scim+json or application/json`,
    );
  }
  if (text.trim() === '') throw ScimError.invalidSyntax('request body is empty');
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw ScimError.invalidSyntax(`request body is not valid JSON: ${(e as Error).message}`);
  }
}

function parseInteger(name: string, raw: unknown): number | undefined {
  if (raw === undefined || raw === null || raw === '') return undefined;
  if (typeof raw === 'number' && Number.isInteger(raw)) return raw;
  if (typeof raw === 'string' && /^[+-]?\d{1,15}$/.test(raw.trim())) return Number(raw.trim());
  throw ScimError.invalidValue(`'${name}' must be an integer`);
}

function parseSortOrder(raw: unknown): 'ascending' | 'descending' | undefined {
  if (raw === undefined || raw === null || raw === '') return undefined;
  if (typeof raw === 'string') {
    const v = raw.toLowerCase();
    if (v === 'ascending' || v === 'descending') return v;
  }
  throw ScimError.invalidValue(`'sortOrder' must be 'ascending' or 'descending'`);
}

function stringParam(name: string, raw: unknown): string | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'string') throw ScimError.invalidValue(`'${name}' must be a string`);
  return raw;
}

function attributeParam(name: string, raw: unknown): string[] | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (Array.isArray(raw) && raw.every((x) => typeof x === 'string')) {
    return raw.flatMap((x: string) => parseAttributeList(x));
  }
  if (typeof raw === 'string') return parseAttributeList(raw);
  throw ScimError.invalidValue(`'${name}' must be a comma-separated string or an array of strings`);
}

function projectionFrom(source: Record<string, unknown>): Projection {
  const p: Projection = {};
  const attributes = attributeParam('attributes', source.attributes);
  const excluded = attributeParam('excludedAttributes', source.excludedAttributes);
  if (attributes && attributes.length > 0) p.attributes = attributes;
  if (excluded && excluded.length > 0) p.excludedAttributes = excluded;
  return p;
}

function listQueryFrom(source: Record<string, unknown>): ListQuery {
  const q: ListQuery = { ...projectionFrom(source) };
  const filter = stringParam('filter', source.filter);
  if (filter !== undefined) q.filter = filter;
  const startIndex = parseInteger('startIndex', source.startIndex);
  if (startIndex !== undefined) q.startIndex = startIndex;
  const count = parseInteger('count', source.count);
  if (count !== undefined) q.count = count;
  const cursor = stringParam('cursor', source.cursor);
  if (cursor !== undefined) q.cursor = cursor;
  const sortBy = stringParam('sortBy', source.sortBy);
  if (sortBy !== undefined) q.sortBy = sortBy;
  const sortOrder = parseSortOrder(source.sortOrder);
  if (sortOrder !== undefined) q.sortOrder = sortOrder;
  if (q.cursor !== undefined && q.startIndex !== undefined) {
    throw ScimError.invalidValue(`'cursor' and 'startIndex' cannot be used together`);
  }
  return q;
}

/** The list parameters, in the query string and in a SearchRequest body; names match case-insensitively. */
const LIST_PARAMETERS = [
  'filter',
  'startIndex',
  'count',
  'cursor',
  'sortBy',
  'sortOrder',
  'attributes',
  'excludedAttributes',
] as const;

function canonicalParameter(name: string): string | undefined {
  const lower = name.toLowerCase();
  return LIST_PARAMETERS.find((n) => n.toLowerCase() === lower);
}

/** Query parameter names are matched case-insensitively (`startindex`, `Filter`). */
function caseInsensitiveQuery(query: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(query)) {
    const canonical = canonicalParameter(k);
    if (canonical && !(canonical in out)) out[canonical] = v;
  }
  return out;
}

function searchBody(body: unknown): Record<string, unknown> {
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    throw ScimError.invalidSyntax('a SearchRequest must be a JSON object');
  }
  const b = body as Record<string, unknown>;
  const schemas = b.schemas;
  if (
    schemas !== undefined &&
    !(
      Array.isArray(schemas) &&
      schemas.some((s) => typeof s === 'string' && s.toLowerCase() === SEARCH_REQUEST_SCHEMA.toLowerCase())
    )
  ) {
    throw ScimError.invalidSyntax(`a SearchRequest must carry the schema ${SEARCH_REQUEST_SCHEMA}`);
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(b)) {
    if (k.toLowerCase() === 'schemas') continue;
    const canonical = canonicalParameter(k);
    if (!canonical) throw ScimError.invalidValue(`unknown SearchRequest attribute '${k.slice(0, 64)}'`);
    out[canonical] = v;
  }
  return out;
}

function baseUrlFor(req: HttpRequest, tenantId: string, endpointId: string, publicBaseUrl?: string): string {
  const origin = (publicBaseUrl ?? req.origin).replace(/\/+$/, '');
  return `${origin}/scim/v2/${encodeURIComponent(tenantId)}/${encodeURIComponent(endpointId)}`;
}

function etagMatches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  const tags = header.split(',').map((t) => t.trim());
  return tags.includes('*') || tags.includes(etag) || tags.includes(etag.replace(/^W\//, ''));
}

type ScimFunctionId = Extract<FunctionId, 'scimUsers' | 'scimGroups' | 'scimRoot'>;

/** The request context the authenticate step established (tenant and endpoint from the verified credential). */
const contextOf = (req: RouteRequest): RequestContext => req.caller as RequestContext;

/** The context of a write that answers `status` when it commits: its transaction may carry the request's record. */
const writing = (req: RouteRequest, status: number): RequestContext => {
  const ctx = contextOf(req);
  if (ctx.scope.record) ctx.scope.record.onSuccess = status;
  return ctx;
};

const key = (method: HttpMethod, suffix: string) => routeKey({ method, path: SCIM_PREFIX + suffix });

function resourceRoutes(kind: ResourceKind, resources: ScimResources): Record<string, RouteHandler> {
  const base = kind === 'User' ? '/Users' : '/Groups';
  const answer = (
    req: RouteRequest,
    status: number,
    rep: { resource: unknown; etag: string; location: string },
  ) => jsonResponse(req, status, rep.resource, { etag: rep.etag, location: rep.location });
  return {
    [key('GET', base)]: async (req) =>
      jsonResponse(
        req,
        200,
        await resources.list(contextOf(req), kind, listQueryFrom(caseInsensitiveQuery(req.query))),
      ),
    [key('POST', `${base}/.search`)]: async (req) =>
      jsonResponse(req, 200, await resources.list(contextOf(req), kind, listQueryFrom(searchBody(req.json)))),
    [key('POST', base)]: async (req) => {
      const projection = projectionFrom(caseInsensitiveQuery(req.query));
      return answer(req, 201, await resources.create(writing(req, 201), kind, req.json, projection));
    },
    [key('GET', `${base}/{id}`)]: async (req) => {
      const ctx = contextOf(req);
      const id = req.params.id ?? '';
      const ifNoneMatch = req.headers['if-none-match'];
      if (ifNoneMatch && etagMatches(ifNoneMatch, await resources.currentEtag(ctx, kind, id))) {
        return { status: 304, headers: {} };
      }
      const projection = projectionFrom(caseInsensitiveQuery(req.query));
      return answer(req, 200, await resources.get(ctx, kind, id, projection));
    },
    [key('PUT', `${base}/{id}`)]: async (req) => {
      const projection = projectionFrom(caseInsensitiveQuery(req.query));
      const rep = await resources.replace(
        writing(req, 200),
        kind,
        req.params.id ?? '',
        req.json,
        req.headers['if-match'],
        projection,
      );
      return answer(req, 200, rep);
    },
    [key('PATCH', `${base}/{id}`)]: async (req) => {
      const projection = projectionFrom(caseInsensitiveQuery(req.query));
      const wantBody = kind === 'User' || projection.attributes !== undefined;
      const rep = await resources.patch(
        writing(req, wantBody ? 200 : 204),
        kind,
        req.params.id ?? '',
        req.json,
        req.headers['if-match'],
        projection,
        wantBody,
      );
      return rep ? answer(req, 200, rep) : { status: 204, headers: {} };
    },
    [key('DELETE', `${base}/{id}`)]: async (req) => {
      await resources.delete(writing(req, 204), kind, req.params.id ?? '', req.headers['if-match']);
      return { status: 204, headers: {} };
    },
  };
}

const meNotSupported: RouteHandler = async () => {
  throw new ScimError(501, 'the /Me endpoint is not supported: a credential stands for a client, not a user');
};

function rootRoutes(resources: ScimResources): Record<string, RouteHandler> {
  const base = (req: RouteRequest) => contextOf(req).baseUrl;
  return {
    // RFC 7644 §3.11: a service provider that does not support /Me answers 501.
    ...Object.fromEntries(
      (['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const).map((m) => [key(m, '/Me'), meNotSupported]),
    ),
    [key('POST', '/.search')]: async (req) =>
      jsonResponse(req, 200, await searchAll(resources, contextOf(req), listQueryFrom(searchBody(req.json)))),
    [key('GET', '/ServiceProviderConfig')]: async (req) =>
      jsonResponse(req, 200, buildServiceProviderConfig(base(req))),
    [key('GET', '/ResourceTypes')]: async (req) => jsonResponse(req, 200, buildResourceTypeList(base(req))),
    [key('GET', '/Schemas')]: async (req) => jsonResponse(req, 200, buildSchemaList(base(req))),
    [key('GET', '/ResourceTypes/{id}')]: async (req) =>
      jsonResponse(req, 200, buildResourceType(base(req), req.params.id ?? '')),
    [key('GET', '/Schemas/{id}')]: async (req) =>
      jsonResponse(req, 200, buildSchema(base(req), req.params.id ?? '')),
  };
}

/** The SCIM family of one function (Users, Groups or root/discovery). */
export function scimFamily(fn: ScimFunctionId, deps: ScimEdgeDeps): ApiFamily {
  const routes =
    fn === 'scimRoot'
      ? rootRoutes(deps.resources)
      : resourceRoutes(fn === 'scimUsers' ? 'User' : 'Group', deps.resources);
  const recorders = new WeakMap<RouteRequest, ScimRequestRecorder>();
  const start = deps.startRecord;
  return {
    name: 'scim',
    routes,
    ...(start
      ? {
          answered: async (req: RouteRequest, status: number) => {
            await recorders.get(req)?.answered(status);
          },
        }
      : {}),
    authenticate: async (req): Promise<RequestContext> => {
      const principal = await deps.authenticate(req, req.params.tenant ?? '', req.params.endpoint ?? '');
      const recorder = start?.({
        tenantId: principal.scope.tenantId,
        credentialId: principal.credentialId,
        method: req.method,
        path: req.path,
        sourceIp: req.sourceIp,
        userAgent: req.userAgent,
      });
      if (recorder) recorders.set(req, recorder);
      const ctx: RequestContext = {
        // The writer is recorded on what this request writes, for the change events (docs/events.md).
        scope: {
          ...principal.scope,
          writer: { credentialId: principal.credentialId, idp: idpFromUserAgent(req.userAgent) },
          ...(recorder ? { record: recorder.rider } : {}),
        },
        baseUrl: baseUrlFor(req, principal.scope.tenantId, principal.scope.endpointId, deps.publicBaseUrl),
      };
      if (principal.guard) ctx.guard = principal.guard;
      return ctx;
    },
    parseBody: parseJsonBody,
    renderError: (req, e) =>
      req
        ? jsonResponse(req, e.status, e.toBody(), e.headers)
        : {
            status: e.status,
            headers: { 'content-type': SCIM_CONTENT_TYPE, ...e.headers },
            body: JSON.stringify(e.toBody()),
          },
  };
}

/** POST /.search at the root: Users and Groups together, users first, then paged. */
async function searchAll(resources: ScimResources, ctx: RequestContext, query: ListQuery) {
  if (query.cursor !== undefined)
    throw ScimError.invalidValue('cursor paging is supported per resource type only');
  const startIndex = Math.max(1, query.startIndex ?? 1);
  const count = Math.min(Math.max(0, query.count ?? 100), 1000);
  const all = { ...query, startIndex: 1, count: 1000 };
  const settle = async (kind: ResourceKind) => {
    try {
      return await resources.list(ctx, kind, all);
    } catch (e) {
      // An attribute that exists on only one resource type simply matches nothing on the other.
      if (e instanceof ScimError && e.scimType === 'invalidFilter' && /unknown attribute/i.test(e.message))
        return undefined;
      throw e;
    }
  };
  const [users, groups] = await Promise.all([settle('User'), settle('Group')]);
  if (!users && !groups)
    throw ScimError.invalidFilter(`the filter names attributes unknown to both Users and Groups`);
  const merged = [...(users?.Resources ?? []), ...(groups?.Resources ?? [])];
  const page = merged.slice(startIndex - 1, startIndex - 1 + count);
  return {
    schemas: [LIST_RESPONSE_SCHEMA],
    totalResults: (users?.totalResults ?? 0) + (groups?.totalResults ?? 0),
    itemsPerPage: page.length,
    startIndex,
    Resources: page,
  };
}
