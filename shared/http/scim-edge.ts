/**
 * The SCIM edge: turns an HttpRequest into one use-case call and its result (or error) into an HttpResponse.
 * One error policy, applied once here: ScimError → RFC 7644 §3.12 body; throttling → 503 + Retry-After;
 * anything else → a logged 500 with no internals in the body.
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
import {
  LIST_RESPONSE_SCHEMA,
  type ListQuery,
  type Projection,
  type RequestContext,
  type ResourceGuard,
  type ScimResources,
} from '../domain/scim-resources';
import { matchRoute, type FunctionId } from './routes';
import type { HttpRequest, HttpResponse } from './types';

export const MAX_BODY_BYTES = 1024 * 1024;
const SEARCH_REQUEST_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';

export interface Principal {
  scope: Scope;
  credentialId: string;
  guard?: ResourceGuard;
}

/** Verifies the request's credential for this tenant and endpoint; throws ScimError 401/403/429. */
export type Authenticate = (req: HttpRequest, tenantId: string, endpointId: string) => Promise<Principal>;

export interface EdgeLogger {
  error(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
  /** One access line per request (method, path, status, latency, caller): never headers, query or bodies. */
  info?(message: string, extra?: Record<string, unknown>): void;
}

export interface ScimEdgeDeps {
  resources: ScimResources;
  authenticate: Authenticate;
  logger: EdgeLogger;
  /** Overrides the origin of generated URLs (custom domain). */
  publicBaseUrl?: string;
}

const THROTTLING = new Set([
  'ThrottlingException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
]);

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

export function errorResponse(req: HttpRequest, e: unknown, logger: EdgeLogger): HttpResponse {
  if (e instanceof ScimError) {
    return jsonResponse(req, e.status, e.toBody(), e.headers);
  }
  const name = (e as { name?: string })?.name;
  if (name && THROTTLING.has(name)) {
    logger.warn('storage throttled', { errorName: name });
    return jsonResponse(req, 503, new ScimError(503, 'the service is busy; retry later').toBody(), {
      'retry-after': '1',
    });
  }
  logger.error('unhandled error', { errorName: name, error: e instanceof Error ? e.message : String(e) });
  return jsonResponse(req, 500, new ScimError(500, 'internal server error').toBody());
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

function searchBody(req: HttpRequest): Record<string, unknown> {
  const body = parseJsonBody(req);
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

/** Builds the request handler of one SCIM function (Users, Groups or root/discovery). */
export function scimFunction(
  fn: FunctionId,
  deps: ScimEdgeDeps,
): (req: HttpRequest) => Promise<HttpResponse> {
  return async (req) => {
    try {
      const matched = matchRoute(req.method, req.path, fn);
      if (!matched.ok) {
        if (matched.status === 405) {
          throw new ScimError(405, `method ${req.method} is not allowed on ${req.path}`, undefined, {
            allow: matched.allow?.join(', ') ?? '',
          });
        }
        throw ScimError.notFound(`no SCIM resource at ${req.path}`);
      }
      const { route, params } = matched.match;
      const tenantId = params.tenant ?? '';
      const endpointId = params.endpoint ?? '';
      const principal = await deps.authenticate(req, tenantId, endpointId);
      const ctx: RequestContext = {
        scope: principal.scope,
        baseUrl: baseUrlFor(req, principal.scope.tenantId, principal.scope.endpointId, deps.publicBaseUrl),
      };
      if (principal.guard) ctx.guard = principal.guard;
      const suffix = route.path.slice(route.path.indexOf('{endpoint}') + '{endpoint}'.length);

      if (fn === 'scimRoot') return await rootRoute(req, deps, ctx, route.method, suffix, params.id);
      const kind: ResourceKind = fn === 'scimUsers' ? 'User' : 'Group';
      return await resourceRoute(req, deps, ctx, kind, route.method, suffix, params.id);
    } catch (e) {
      return errorResponse(req, e, deps.logger);
    }
  };
}

async function resourceRoute(
  req: HttpRequest,
  deps: ScimEdgeDeps,
  ctx: RequestContext,
  kind: ResourceKind,
  method: string,
  suffix: string,
  id: string | undefined,
): Promise<HttpResponse> {
  const { resources } = deps;
  const query = caseInsensitiveQuery(req.query);
  if (suffix.endsWith('/.search')) {
    return jsonResponse(req, 200, await resources.list(ctx, kind, listQueryFrom(searchBody(req))));
  }
  if (id === undefined) {
    if (method === 'GET')
      return jsonResponse(req, 200, await resources.list(ctx, kind, listQueryFrom(query)));
    const rep = await resources.create(ctx, kind, parseJsonBody(req), projectionFrom(query));
    return jsonResponse(req, 201, rep.resource, { etag: rep.etag, location: rep.location });
  }
  const projection = projectionFrom(query);
  switch (method) {
    case 'GET': {
      const ifNoneMatch = req.headers['if-none-match'];
      if (ifNoneMatch && etagMatches(ifNoneMatch, await resources.currentEtag(ctx, kind, id))) {
        return { status: 304, headers: {} };
      }
      const rep = await resources.get(ctx, kind, id, projection);
      return jsonResponse(req, 200, rep.resource, { etag: rep.etag, location: rep.location });
    }
    case 'PUT': {
      const rep = await resources.replace(
        ctx,
        kind,
        id,
        parseJsonBody(req),
        req.headers['if-match'],
        projection,
      );
      return jsonResponse(req, 200, rep.resource, { etag: rep.etag, location: rep.location });
    }
    case 'PATCH': {
      const wantBody = kind === 'User' || projection.attributes !== undefined;
      const rep = await resources.patch(
        ctx,
        kind,
        id,
        parseJsonBody(req),
        req.headers['if-match'],
        projection,
        wantBody,
      );
      if (!rep) return { status: 204, headers: {} };
      return jsonResponse(req, 200, rep.resource, { etag: rep.etag, location: rep.location });
    }
    case 'DELETE':
      await resources.delete(ctx, kind, id, req.headers['if-match']);
      return { status: 204, headers: {} };
    default:
      throw new ScimError(405, `method ${method} is not allowed`);
  }
}

async function rootRoute(
  req: HttpRequest,
  deps: ScimEdgeDeps,
  ctx: RequestContext,
  method: string,
  suffix: string,
  id: string | undefined,
): Promise<HttpResponse> {
  const lower = suffix.toLowerCase();
  if (method === 'POST' && lower === '/.search') {
    return jsonResponse(req, 200, await searchAll(deps.resources, ctx, listQueryFrom(searchBody(req))));
  }
  if (lower === '/me') {
    throw new ScimError(
      501,
      'the /Me endpoint is not supported: a credential stands for a client, not a user',
    );
  }
  const base = ctx.baseUrl;
  if (lower === '/serviceproviderconfig') return jsonResponse(req, 200, buildServiceProviderConfig(base));
  if (lower === '/resourcetypes') return jsonResponse(req, 200, buildResourceTypeList(base));
  if (lower === '/schemas') return jsonResponse(req, 200, buildSchemaList(base));
  if (lower === '/resourcetypes/{id}') return jsonResponse(req, 200, buildResourceType(base, id ?? ''));
  if (lower === '/schemas/{id}') return jsonResponse(req, 200, buildSchema(base, id ?? ''));
  throw ScimError.notFound(`no SCIM resource at ${req.path}`);
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
