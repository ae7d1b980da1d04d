/**
 * The OAuth edge, per tenant:
 *
 * - `POST /oauth/{tenant}/token`: the client credentials grant (RFC 6749 §4.4), client authentication by
 *   `client_secret_basic` or `client_secret_post`; answers an RFC 9068 JWT access token, no refresh token,
 *   never cached.
 * - `POST /oauth/{tenant}/revoke`: token revocation (RFC 7009), authenticated the same way; 200 for unknown,
 *   invalid or expired tokens (§2.2).
 *
 * Errors follow RFC 6749 §5.2 (JSON `error` + `error_description`, never the SCIM error body): client
 * authentication failures are 401 `invalid_client` with a `WWW-Authenticate` challenge in the scheme the client
 * used; too many failures are 429 with `Retry-After`. Secrets and tokens are never logged or echoed.
 */
import { ScimError } from '../scim/errors';
import {
  accessTokenClaimsFor,
  MAX_ACCESS_TOKEN_TTL_SECONDS,
  type AccessTokens,
} from '../credentials/access-token';
import {
  parseRevocationRequest,
  parseTokenRequest,
  tokenErrorResponse,
  tokenSuccessResponse,
  type ClientAuthMethod,
  type TokenRequestInput,
} from '../credentials/token-request';
import type { Credential } from '../domain/credential-model';
import type { Authenticator } from '../domain/authenticator';
import { StorageUnavailable } from '../domain/storage-errors';
import {
  AnsweredError,
  classifyError,
  type ApiFamily,
  type EdgeLogger,
  type RouteRequest,
} from './api-family';
import type { HttpRequest, HttpResponse } from './types';

/** Access token lifetime when the credential carries none (Entra's gallery rules want 1–6 hours). */
export const DEFAULT_ACCESS_TOKEN_TTL_SECONDS = 3600;

/** What the edge needs of the credential use cases (the Authenticator provides it). */
export type OAuthCredentialPort = Pick<Authenticator, 'authenticateClient' | 'revokeAccessTokens'>;
/** What the edge needs of the access tokens (AccessTokens provides it). */
export type AccessTokenPort = Pick<AccessTokens, 'issue' | 'verify'>;

export interface OAuthEdgeDeps {
  credentials: OAuthCredentialPort;
  accessTokens: AccessTokenPort;
  logger: EdgeLogger;
  /** Overrides the request origin in the token issuer (custom domain); SCIM authentication must use the same. */
  publicBaseUrl?: string;
  /** Time of revocation; the system clock unless a test brings its own. */
  clock?: { now(): Date };
}

const JSON_UTF8 = 'application/json;charset=UTF-8';
const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache' } as const;
const CLIENT_AUTH_FAILED = 'client authentication failed';

/** A JSON response in the token endpoint's style (no-store). */
function oauthJson(
  status: number,
  body: Record<string, string>,
  headers: Record<string, string> = {},
): HttpResponse {
  return {
    status,
    headers: { 'content-type': JSON_UTF8, ...NO_STORE, ...headers },
    body: JSON.stringify(body),
  };
}

function requestInput(req: HttpRequest): TokenRequestInput {
  const input: TokenRequestInput = { body: req.body ?? '' };
  const contentType = req.headers['content-type'];
  if (contentType !== undefined) input.contentType = contentType;
  const authorization = req.headers.authorization;
  if (authorization !== undefined) input.authorization = authorization;
  if (req.invalidUtf8) input.invalidUtf8 = true;
  return input;
}

/** Replaces every occurrence of the given sensitive values (secrets, tokens) in a log text. */
function redact(text: string, sensitive: readonly (string | undefined)[]): string {
  let out = text;
  for (const value of sensitive) {
    if (value && value.length >= 8) out = out.split(value).join('[redacted]');
  }
  return out.slice(0, 500);
}

/**
 * Maps a failure of the service or the token signer to the response, logging only what is safe. `sensitive`
 * holds the request's secrets so that no error message can carry them into the log.
 */
function failureResponse(
  e: unknown,
  method: ClientAuthMethod | undefined,
  logger: EdgeLogger,
  sensitive: readonly (string | undefined)[],
): HttpResponse {
  if (e instanceof AnsweredError) return e.response;
  if (e instanceof StorageUnavailable) e = classifyError(e, logger); // 503 with its Retry-After
  if (e instanceof ScimError) {
    if (e.status === 429) {
      return oauthJson(
        429,
        {
          error: 'temporarily_unavailable',
          error_description: 'too many failed client authentications; retry later',
        },
        { 'retry-after': e.headers['retry-after'] ?? '60' },
      );
    }
    if (e.status === 503) {
      return oauthJson(
        503,
        { error: 'temporarily_unavailable', error_description: 'the service is busy; retry later' },
        { 'retry-after': e.headers['retry-after'] ?? '1' },
      );
    }
    if (e.status >= 400 && e.status < 500) {
      // Unknown tenant or client, wrong secret, revoked/expired/idle credential: all one answer (RFC 6749 §5.2).
      return tokenErrorResponse({
        error: 'invalid_client',
        description: CLIENT_AUTH_FAILED,
        ...methodOf(method),
      });
    }
  }
  const name = (e as { name?: unknown } | null)?.name;
  logger.error('unhandled error', {
    errorName: typeof name === 'string' ? name : undefined,
    error: redact(e instanceof Error ? e.message : String(e), sensitive),
  });
  return oauthJson(500, { error: 'server_error', error_description: 'internal server error' });
}

function methodOf(method: ClientAuthMethod | undefined): { method?: ClientAuthMethod } {
  return method === undefined ? {} : { method };
}

/** Authenticates the client against the service; a refusal becomes the RFC 6749 §5.2 response. */
async function authenticate(
  deps: OAuthEdgeDeps,
  req: HttpRequest,
  tenantId: string,
  client: { clientId: string; clientSecret: string; method: ClientAuthMethod },
): Promise<Credential> {
  try {
    return await deps.credentials.authenticateClient(tenantId, client.clientId, client.clientSecret, {
      sourceIp: req.sourceIp,
      userAgent: req.userAgent,
    });
  } catch (e) {
    throw new AnsweredError(failureResponse(e, client.method, deps.logger, [client.clientSecret]));
  }
}

function ttlOf(credential: Credential): number {
  const ttl = credential.accessTokenTtlSeconds;
  return typeof ttl === 'number' &&
    Number.isSafeInteger(ttl) &&
    ttl >= 60 &&
    ttl <= MAX_ACCESS_TOKEN_TTL_SECONDS
    ? ttl
    : DEFAULT_ACCESS_TOKEN_TTL_SECONDS;
}

async function token(deps: OAuthEdgeDeps, req: HttpRequest, tenantId: string, origin: string) {
  const parsed = parseTokenRequest(requestInput(req));
  if (!parsed.ok) {
    return tokenErrorResponse({
      error: parsed.error,
      description: parsed.description,
      ...methodOf(parsed.method),
    });
  }
  const credential = await authenticate(deps, req, tenantId, parsed);
  let issued: { token: string; expiresIn: number } | undefined;
  try {
    issued = await deps.accessTokens.issue({
      tenantId,
      credentialId: credential.id,
      clientId: credential.clientId ?? parsed.clientId,
      ttlSeconds: ttlOf(credential),
      ...accessTokenClaimsFor(origin, tenantId),
      ...(credential.tokensValidAfter ? { tokensValidAfter: credential.tokensValidAfter } : {}),
    });
  } catch (e) {
    return failureResponse(e, parsed.method, deps.logger, [parsed.clientSecret]);
  }
  // RFC 6749 §3.3: when the client asked for a scope, say what was granted (the credential's roles).
  const granted = credential.roles.join(' ');
  return tokenSuccessResponse({
    accessToken: issued.token,
    expiresInSeconds: issued.expiresIn,
    ...(parsed.scope !== undefined && granted !== '' ? { scope: granted } : {}),
  });
}

async function revoke(deps: OAuthEdgeDeps, req: HttpRequest, tenantId: string, origin: string) {
  const parsed = parseRevocationRequest(requestInput(req));
  if (!parsed.ok) {
    return tokenErrorResponse({
      error: parsed.error,
      description: parsed.description,
      ...methodOf(parsed.method),
    });
  }
  const credential = await authenticate(deps, req, tenantId, parsed);
  try {
    // The hint is only a hint (RFC 7009 §2.1); we issue access tokens only, so every token is looked at as one.
    const claims = await deps.accessTokens.verify(parsed.token, accessTokenClaimsFor(origin, tenantId));
    // Unknown, invalid, expired or foreign-tenant tokens: nothing to do, and the answer is 200 (RFC 7009 §2.2).
    if (!claims) return revoked();
    if (
      claims.tenantId !== tenantId ||
      claims.credentialId !== credential.id ||
      claims.clientId !== (credential.clientId ?? parsed.clientId)
    ) {
      // RFC 7009 §2.1: a token issued to another client is refused (and stays valid).
      return tokenErrorResponse({
        error: 'unauthorized_client',
        description: 'the token was not issued to this client',
        ...methodOf(parsed.method),
      });
    }
    // Access tokens of this client issued up to now stop working. `iat` has whole seconds, so the cut-off is at
    // least one second after the revoked token's iat: the token itself is refused even when it was issued in
    // the same second as this request.
    const now = (deps.clock ?? { now: () => new Date() }).now().getTime();
    const before = new Date(Math.max(now, claims.issuedAt.getTime() + 1000));
    await deps.credentials.revokeAccessTokens(tenantId, credential.id, before);
    return revoked();
  } catch (e) {
    return failureResponse(e, parsed.method, deps.logger, [parsed.clientSecret, parsed.token]);
  }
}

/** RFC 7009 §2.2: 200, no body of interest. */
function revoked(): HttpResponse {
  return { status: 200, headers: { ...NO_STORE } };
}

/** The OAuth family (token and revocation endpoints of every tenant). */
export function oauthFamily(deps: OAuthEdgeDeps): ApiFamily {
  const origin = (req: RouteRequest) => (deps.publicBaseUrl ?? req.origin).replace(/\/+$/, '');
  return {
    name: 'oauth',
    routes: {
      'POST /oauth/{tenant}/token': (req) => token(deps, req, req.params.tenant ?? '', origin(req)),
      'POST /oauth/{tenant}/revoke': (req) => revoke(deps, req, req.params.tenant ?? '', origin(req)),
    },
    // Client authentication failures arrive as AnsweredError (their §5.2 body); the rest is mapped here.
    renderError: (req, e) => {
      if (e.status === 404) {
        return oauthJson(404, {
          error: 'invalid_request',
          error_description: 'no OAuth endpoint at this path',
        });
      }
      if (e.status === 500) {
        return oauthJson(500, { error: 'server_error', error_description: 'internal server error' });
      }
      return failureResponse(e, undefined, deps.logger, [req?.headers.authorization]);
    },
  };
}
