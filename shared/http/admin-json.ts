/**
 * The JSON plumbing of the two admin APIs, the management API (/admin/v1, management-edge.ts) and the console's
 * API (/console/api, console-edge.ts): body parsing and validation, path ids, JSON answers and the
 * `{ "error": { "status", "message" } }` error body, the public view of a credential (never a hash), audit and
 * event paging. Each function's bundle holds only its own edge plus this (test/infra/bundles.test.ts).
 */
import type * as z from 'zod/mini';
import type { CredentialView, IssuedCredential } from '../domain/credential-model';
import { AUDIT_DEFAULT_LIMIT, AUDIT_MAX_LIMIT, auditQuery } from '../domain/credential-schemas';
import {
  EVENTS_DEFAULT_LIMIT,
  EVENTS_MAX_LIMIT,
  eventsQuery,
  type EventsPage,
  type EventStore,
} from '../domain/events/model';
import { BODY, parseInput, QUERY } from '../domain/validation';
import { ScimError } from '../scim/errors';
import type { HttpRequest, HttpResponse } from './types';

/** Largest JSON body the management API accepts. */
export const MAX_MANAGEMENT_BODY_BYTES = 256 * 1024;

/**
 * One page of a tenant's change events after the request's `after` cursor (the management and console events
 * routes): `{ events, next }`, `next` being the cursor to ask with next (the same one when nothing is new).
 */
export async function eventsPage(store: EventStore, tenantId: string, req: HttpRequest): Promise<EventsPage> {
  const q = parseInput(eventsQuery, { ...req.query }, QUERY);
  const limit = q.limit === undefined ? EVENTS_DEFAULT_LIMIT : Number(q.limit);
  if (limit < 1 || limit > EVENTS_MAX_LIMIT) {
    throw ScimError.invalidValue(`'limit' must be an integer from 1 to ${EVENTS_MAX_LIMIT}`);
  }
  const page = await store.read(tenantId, { limit, ...(q.after ? { after: q.after } : {}) });
  return {
    events: page.events.map((e) => (q.format === 'set' && e.set ? { ...e.event, set: e.set } : e.event)),
    next: page.next ?? q.after ?? '',
  };
}

/** Path parameters: ids as the service issues them (no '/', no spaces, bounded). */
const PATH_ID = /^[A-Za-z0-9][A-Za-z0-9._@+-]{0,127}$/;

function isJsonContentType(header: string | undefined): boolean {
  if (header === undefined || header.trim() === '') return true; // no header: JSON assumed
  const mediaType = header.toLowerCase().split(';')[0]?.trim() ?? '';
  return mediaType === 'application/json' || /^application\/[a-z0-9.+-]+\+json$/.test(mediaType);
}

/** Size, content type and syntax; an empty body is `{}` (bodies of action routes are optional). */
export function parseManagementBody(req: HttpRequest): unknown {
  const text = req.body ?? '';
  if (req.invalidUtf8) throw ScimError.invalidSyntax('request body is not valid UTF-8');
  if (Buffer.byteLength(text, 'utf8') > MAX_MANAGEMENT_BODY_BYTES) {
    throw new ScimError(413, `request body exceeds ${MAX_MANAGEMENT_BODY_BYTES} bytes`);
  }
  if (text.trim() === '') return {};
  if (!isJsonContentType(req.headers['content-type'])) {
    throw ScimError.invalidSyntax(`unsupported content type; send application/json`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw ScimError.invalidSyntax('request body is not valid JSON');
  }
}

/** Parses and validates a JSON body with one schema (400 naming each failing field). */
export function body<S extends z.ZodMiniType>(req: HttpRequest, schema: S): z.infer<S> {
  return parseInput(schema, parseManagementBody(req), BODY);
}

export function pathParam(params: Record<string, string>, name: string): string {
  const value = params[name] ?? '';
  if (!PATH_ID.test(value)) throw ScimError.invalidValue(`path parameter '${name}' is not a valid id`);
  return value;
}

const JSON_HEADERS = { 'content-type': 'application/json', 'cache-control': 'no-store' };

export function json(status: number, payload: unknown, headers: Record<string, string> = {}): HttpResponse {
  return { status, headers: { ...JSON_HEADERS, ...headers }, body: JSON.stringify(payload) };
}

export const noContent = (): HttpResponse => ({ status: 204, headers: { 'cache-control': 'no-store' } });

/** Error body of the management API: `{ "error": { "status": 400, "message": "…" } }`. */
export function managementErrorResponse(e: ScimError): HttpResponse {
  return json(e.status, { error: { status: e.status, message: e.message } }, e.headers);
}

/** Never lets a hash or pepper version out, whatever the service hands back. */
export function publicView(view: CredentialView): CredentialView {
  return {
    ...view,
    secrets: view.secrets.map((s) => {
      const { id: slotId, hint, createdAt, firstUsedAt, retiresAt } = s;
      return {
        id: slotId,
        hint,
        createdAt,
        ...(firstUsedAt !== undefined ? { firstUsedAt } : {}),
        ...(retiresAt !== undefined ? { retiresAt } : {}),
      };
    }),
  };
}

export function issuedResponse(status: number, issued: IssuedCredential, location?: string): HttpResponse {
  return json(
    status,
    { credential: publicView(issued.credential), secret: issued.secret, connection: issued.connection },
    location ? { location } : {},
  );
}

export function auditOptions(req: HttpRequest): { credentialId?: string; limit: number; before?: string } {
  const q = parseInput(auditQuery, { ...req.query }, QUERY);
  const limit = q.limit === undefined ? AUDIT_DEFAULT_LIMIT : Number(q.limit);
  if (limit < 1 || limit > AUDIT_MAX_LIMIT) {
    throw ScimError.invalidValue(`'limit' must be an integer from 1 to ${AUDIT_MAX_LIMIT}`);
  }
  return {
    limit,
    ...(q.credentialId !== undefined ? { credentialId: q.credentialId } : {}),
    ...(q.before !== undefined ? { before: q.before } : {}),
  };
}
