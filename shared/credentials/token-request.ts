/**
 * The OAuth 2.0 token endpoint's request and error formats, pure:
 *
 * - client credentials grant (RFC 6749 §4.4) with client authentication by `client_secret_basic` or
 *   `client_secret_post` (§2.3.1), never both (§2.3: one method per request);
 * - token revocation (RFC 7009 §2.1), authenticated the same way;
 * - error responses (§5.2) with `Cache-Control: no-store` and, on 401, a `WWW-Authenticate` challenge.
 *
 * Parsers never throw; they return `{ ok: false, … }` with the RFC's error code and a fixed description that
 * never echoes request values.
 */
import { DEFAULT_REALM, formatChallenge, parseAuthorization } from './authorization';

export type ClientAuthMethod = 'client_secret_basic' | 'client_secret_post';

/** RFC 6749 §5.2 error codes, plus RFC 7009 §2.2.1 `unsupported_token_type`. */
export type TokenErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'invalid_scope'
  | 'unsupported_token_type';

export interface TokenRequestInput {
  contentType?: string;
  authorization?: string;
  body: string;
  /** The body's bytes were not UTF-8 (flagged by the one decoder, shared/utf8.ts, in shared/http/apigw.ts). */
  invalidUtf8?: boolean;
}

export interface TokenRequestFailure<E extends TokenErrorCode = TokenErrorCode> {
  ok: false;
  status: 400 | 401;
  error: E;
  description: string;
  /** The client authentication method the client tried, when one was recognisable (picks the challenge). */
  method?: ClientAuthMethod;
}

export interface ClientCredentials {
  clientId: string;
  clientSecret: string;
  method: ClientAuthMethod;
}

export type TokenRequest = { ok: true; scope?: string } & ClientCredentials;
export type TokenRequestResult =
  | TokenRequest
  | TokenRequestFailure<'invalid_request' | 'invalid_client' | 'unsupported_grant_type' | 'invalid_scope'>;

export type RevocationRequest = { ok: true; token: string; tokenTypeHint?: string } & ClientCredentials;
export type RevocationRequestResult =
  RevocationRequest | TokenRequestFailure<'invalid_request' | 'invalid_client'>;

/** Far above any real token request; bounds the work done on hostile input. */
export const MAX_FORM_LENGTH = 16 * 1024;

const FORM_MEDIA_TYPE = 'application/x-www-form-urlencoded';
/** RFC 6749 §3.3: scope-token *( SP scope-token ), scope-token = 1*( %x21 / %x23-5B / %x5D-7E ). */
const SCOPE = /^[\x21\x23-\x5b\x5d-\x7e]+(?: [\x21\x23-\x5b\x5d-\x7e]+)*$/;
const KNOWN_PARAMETERS = new Set([
  'grant_type',
  'scope',
  'client_id',
  'client_secret',
  'token',
  'token_type_hint',
]);

function fail<E extends TokenErrorCode>(
  error: E,
  description: string,
  method?: ClientAuthMethod,
): TokenRequestFailure<E> {
  const failure: TokenRequestFailure<E> = {
    ok: false,
    status: error === 'invalid_client' ? 401 : 400,
    error,
    description,
  };
  if (method !== undefined) failure.method = method;
  return failure;
}

/** `application/x-www-form-urlencoded`, optionally with `charset=utf-8` (other parameters are ignored). */
function isFormContentType(contentType: string | undefined): boolean {
  if (typeof contentType !== 'string') return false;
  const [type = '', ...parameters] = contentType.split(';');
  if (type.trim().toLowerCase() !== FORM_MEDIA_TYPE) return false;
  return parameters.every((parameter) => {
    const equals = parameter.indexOf('=');
    if (equals < 0) return parameter.trim() === '';
    if (parameter.slice(0, equals).trim().toLowerCase() !== 'charset') return true;
    const value = parameter
      .slice(equals + 1)
      .trim()
      .replace(/^"(.*)"$/, '$1');
    return value.toLowerCase() === 'utf-8';
  });
}

/**
 * Form-decodes one name or value (`+` is a space, then percent-decoding as UTF-8); undefined when invalid, which
 * includes percent-encoded bytes that are not UTF-8 (`decodeURIComponent` refuses them rather than substituting).
 */
export function formDecode(text: string): string | undefined {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
}

type Form = { ok: true; get(name: string): string | undefined } | { ok: false; description: string };

/**
 * Parses the body. Repeated parameters are an error (RFC 6749 §3.1, §3.2); parameters sent without a value
 * count as omitted (§3.1), so `get` returns undefined for them.
 */
function parseForm(body: string): Form {
  if (typeof body !== 'string') return { ok: false, description: 'the request body is missing' };
  if (body.length > MAX_FORM_LENGTH) return { ok: false, description: 'the request body is too large' };
  const values = new Map<string, string>();
  for (const pair of body.split('&')) {
    if (pair === '') continue;
    const equals = pair.indexOf('=');
    const name = formDecode(equals < 0 ? pair : pair.slice(0, equals));
    const value = formDecode(equals < 0 ? '' : pair.slice(equals + 1));
    if (name === undefined || value === undefined) {
      return { ok: false, description: 'the request body is not valid form encoding' };
    }
    if (values.has(name)) {
      const which = KNOWN_PARAMETERS.has(name) ? `the ${name} parameter` : 'a parameter';
      return { ok: false, description: `${which} is repeated` };
    }
    values.set(name, value);
  }
  return { ok: true, get: (name) => values.get(name) || undefined };
}

type ClientAuthResult =
  ({ ok: true } & ClientCredentials) | TokenRequestFailure<'invalid_request' | 'invalid_client'>;

function authenticateClient(
  authorization: string | undefined,
  form: { get(name: string): string | undefined },
): ClientAuthResult {
  const bodyId = form.get('client_id');
  const bodySecret = form.get('client_secret');
  const attempt = parseAuthorization(authorization);
  const basic = 'client_secret_basic';
  switch (attempt.kind) {
    case 'basic': {
      if (bodySecret !== undefined) {
        return fail('invalid_request', 'use either HTTP Basic or client_secret in the body, not both', basic);
      }
      // RFC 6749 §2.3.1: client id and secret are form-encoded before Basic encoding.
      const clientId = formDecode(attempt.username);
      const clientSecret = formDecode(attempt.password);
      if (!clientId || !clientSecret) return fail('invalid_client', 'malformed Basic credentials', basic);
      if (bodyId !== undefined && bodyId !== clientId) {
        return fail(
          'invalid_request',
          'client_id in the body does not match the Authorization header',
          basic,
        );
      }
      return { ok: true, clientId, clientSecret, method: basic };
    }
    case 'malformed':
      return attempt.scheme === 'basic'
        ? fail('invalid_client', 'malformed Basic credentials', basic)
        : fail(
            'invalid_client',
            'unsupported client authentication method: use HTTP Basic or client_secret_post',
          );
    case 'token':
      return fail(
        'invalid_client',
        'unsupported client authentication method: use HTTP Basic or client_secret_post',
      );
    case 'none': {
      const post = 'client_secret_post';
      if (bodyId !== undefined && bodySecret !== undefined) {
        return { ok: true, clientId: bodyId, clientSecret: bodySecret, method: post };
      }
      if (bodyId === undefined && bodySecret === undefined) {
        return fail('invalid_client', 'client authentication is required');
      }
      return fail('invalid_client', 'client_secret_post needs both client_id and client_secret', post);
    }
  }
}

function readForm(input: TokenRequestInput): Form {
  if (!isFormContentType(input.contentType)) {
    return { ok: false, description: `the request body must be ${FORM_MEDIA_TYPE}` };
  }
  // Raw bytes that are not UTF-8; percent-encoded ones (`%FF`) fail in formDecode.
  if (input.invalidUtf8) return { ok: false, description: 'the request body is not valid UTF-8' };
  return parseForm(input.body);
}

/** Parses a client credentials token request (RFC 6749 §4.4.2 with §2.3.1 client authentication). */
export function parseTokenRequest(input: TokenRequestInput): TokenRequestResult {
  const form = readForm(input);
  if (!form.ok) return fail('invalid_request', form.description);

  const grantType = form.get('grant_type');
  if (grantType === undefined) return fail('invalid_request', 'grant_type is required');
  if (grantType !== 'client_credentials') {
    return fail('unsupported_grant_type', 'only grant_type=client_credentials is supported');
  }

  const client = authenticateClient(input.authorization, form);
  if (!client.ok) return client;

  const scope = form.get('scope');
  if (scope !== undefined && !SCOPE.test(scope)) {
    return fail('invalid_scope', 'scope must be space-separated scope tokens', client.method);
  }
  const { clientId, clientSecret, method } = client;
  return scope === undefined
    ? { ok: true, clientId, clientSecret, method }
    : { ok: true, clientId, clientSecret, method, scope };
}

/** Parses a token revocation request (RFC 7009 §2.1), authenticated like a token request. */
export function parseRevocationRequest(input: TokenRequestInput): RevocationRequestResult {
  const form = readForm(input);
  if (!form.ok) return fail('invalid_request', form.description);

  const client = authenticateClient(input.authorization, form);
  if (!client.ok) return client;

  const token = form.get('token');
  if (token === undefined) return fail('invalid_request', 'token is required', client.method);
  const tokenTypeHint = form.get('token_type_hint');
  const { clientId, clientSecret, method } = client;
  return tokenTypeHint === undefined
    ? { ok: true, token, clientId, clientSecret, method }
    : { ok: true, token, tokenTypeHint, clientId, clientSecret, method };
}

export interface TokenHttpResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache' } as const;
const JSON_UTF8 = 'application/json;charset=UTF-8';

export interface TokenErrorInput {
  error: TokenErrorCode;
  description?: string;
  /** The method the client tried; `client_secret_basic` makes a 401 challenge with Basic, otherwise Bearer. */
  method?: ClientAuthMethod;
  realm?: string;
}

/**
 * An RFC 6749 §5.2 error response: 401 for `invalid_client` (with `WWW-Authenticate`: Basic when the client
 * used Basic, RFC 6749 §5.2; Bearer with the error otherwise), 400 for every other code. Never cached.
 */
export function tokenErrorResponse(input: TokenErrorInput): TokenHttpResponse {
  const status = input.error === 'invalid_client' ? 401 : 400;
  const headers: Record<string, string> = { 'content-type': JSON_UTF8, ...NO_STORE };
  if (status === 401) {
    const realm = input.realm ?? DEFAULT_REALM;
    headers['www-authenticate'] =
      input.method === 'client_secret_basic'
        ? formatChallenge('Basic', { realm, charset: 'UTF-8' })
        : formatChallenge('Bearer', { realm, error: input.error, error_description: input.description });
  }
  const body: { error: TokenErrorCode; error_description?: string } = { error: input.error };
  if (input.description !== undefined) body.error_description = input.description;
  return { status, headers, body: JSON.stringify(body) };
}

/** A successful RFC 6749 §5.1 response for the client credentials grant (no refresh token, §4.4.3). */
export function tokenSuccessResponse(input: {
  accessToken: string;
  expiresInSeconds: number;
  scope?: string;
}): TokenHttpResponse {
  const body: { access_token: string; token_type: 'Bearer'; expires_in: number; scope?: string } = {
    access_token: input.accessToken,
    token_type: 'Bearer',
    expires_in: input.expiresInSeconds,
  };
  if (input.scope !== undefined) body.scope = input.scope;
  return { status: 200, headers: { 'content-type': JSON_UTF8, ...NO_STORE }, body: JSON.stringify(body) };
}
