/**
 * What an API family (SCIM, management, OAuth) gives the Lambda adapter: its routes, each a handler of one table
 * entry, and its one error policy. The adapter (functions/runtime/http-function.ts) does everything else once:
 * event ⇄ request, the matched route and its parameters, body parsing, logging, metrics.
 */
import { StorageUnavailable } from '../domain/storage-errors';
import { ScimError } from '../scim/errors';
import type { HttpRequest, HttpResponse } from './types';

export interface EdgeLogger {
  error(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
  /** One access line per request (method, path, status, latency, caller): never headers, query or bodies. */
  info?(message: string, extra?: Record<string, unknown>): void;
}

/** A request with its matched route's parameters (decoded path segments) and, for JSON APIs, its parsed body. */
export interface RouteRequest extends HttpRequest {
  params: Record<string, string>;
  /** The parsed JSON body (POST, PUT and PATCH of families with a body parser); undefined otherwise. */
  json?: unknown;
  /** What the family's `authenticate` established about the caller (its own type; see the family). */
  caller?: unknown;
}

export type RouteHandler = (req: RouteRequest) => Promise<HttpResponse>;

export interface ApiFamily {
  name: 'scim' | 'management' | 'oauth' | 'console';
  /** Handlers by table route key (`GET /scim/v2/{tenant}/{endpoint}/Users/{id}`) of the function's routes. */
  routes: Record<string, RouteHandler>;
  /** Establishes the caller before anything else is read (throws the family's 401/403/429). */
  authenticate?: (req: RouteRequest) => Promise<unknown>;
  /**
   * Called once the response is known, for requests `authenticate` accepted (the SCIM family records them per
   * credential). Its failure never changes the response: it is logged and dropped.
   */
  answered?: (req: RouteRequest, status: number) => Promise<void>;
  /** Parses the body of POST/PUT/PATCH requests after authentication, before the handler (throws a 4xx). */
  parseBody?: (req: HttpRequest) => unknown;
  /**
   * Writes this family's error body. `error` is a ScimError (4xx, 503 with Retry-After, or 500 with no internals);
   * `cause` is what was thrown, for families that answer some failures in their own words.
   */
  renderError(req: HttpRequest | undefined, error: ScimError, cause: unknown): HttpResponse;
}

/** A failure that already carries its family's response (OAuth's RFC 6749 §5.2 answers built where they arise). */
export class AnsweredError extends Error {
  constructor(readonly response: HttpResponse) {
    super(`answered ${response.status}`);
  }
}

export const UNAVAILABLE_MESSAGE = {
  busy: 'the service is busy; retry later',
  unavailable: 'the service is temporarily unavailable; retry later',
} as const;

/**
 * The one error vocabulary: what a thrown value means to a client. ScimError stays itself; storage that is busy
 * or unavailable is 503 with an integer Retry-After; anything else is a 500 with no internals (logged).
 */
export function classifyError(
  e: unknown,
  logger: EdgeLogger,
  where: Record<string, unknown> = {},
): ScimError {
  if (e instanceof ScimError) return e;
  if (e instanceof StorageUnavailable) {
    logger.warn(`storage ${e.failure}`, { ...where, retryAfter: e.retryAfterSeconds });
    return new ScimError(503, UNAVAILABLE_MESSAGE[e.failure], undefined, {
      'retry-after': String(e.retryAfterSeconds),
    });
  }
  const name = (e as { name?: unknown } | null)?.name;
  logger.error('unhandled error', {
    ...where,
    errorName: typeof name === 'string' ? name : typeof e,
    error: e instanceof Error ? e.message.slice(0, 500) : undefined,
  });
  return new ScimError(500, 'internal server error');
}
