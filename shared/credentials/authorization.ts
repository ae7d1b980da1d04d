/**
 * Reading the `Authorization` request header and writing the `WWW-Authenticate` challenge.
 *
 * - `Bearer <token>` (RFC 6750 §2.1; the scheme is case-insensitive, RFC 7235 §2.1),
 * - a bare `<token>` with no scheme (Okta sends `Authorization: <token>`),
 * - `Basic <base64(user:pass)>` (RFC 7617: UTF-8, split at the first colon, no control characters).
 *
 * Pure and total: `parseAuthorization` never throws, whatever the input; it only classifies. Whether the
 * credentials are valid is the caller's business.
 */

import { decodeUtf8 } from '../utf8';

/** Longest header we read (bytes ≈ characters here; real tokens are under 100 characters). */
export const MAX_AUTHORIZATION_LENGTH = 4096;

export const DEFAULT_REALM = 'scimgate';

/** Why a header could not be read. A closed set, so that audit and metrics can count them. */
export type MalformedReason =
  | 'too-long'
  | 'not-a-string'
  | 'unsupported-scheme'
  | 'empty-credentials'
  | 'extra-parameters'
  | 'invalid-token-syntax'
  | 'invalid-base64'
  | 'invalid-utf8'
  | 'missing-colon'
  | 'empty-username'
  | 'empty-password'
  | 'control-character';

export type AuthAttempt =
  | { kind: 'none' }
  /** `scheme` says how it came: `Bearer <token>` or a bare `<token>`. */
  | { kind: 'token'; token: string; scheme: 'bearer' | 'bare' }
  | { kind: 'basic'; username: string; password: string }
  /** `scheme` is set when the header named Bearer or Basic, so the challenge can answer in the same scheme. */
  | { kind: 'malformed'; reason: MalformedReason; scheme?: 'bearer' | 'basic' };

/** RFC 6750 §2.1 b64token (= RFC 7235 token68). */
const TOKEN68 = /^[A-Za-z0-9\-._~+/]+=*$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
/** C0, DEL and C1 controls (RFC 7617 §2 forbids control characters in user-id and password). */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

function malformed(reason: MalformedReason, scheme?: 'bearer' | 'basic'): AuthAttempt {
  return scheme === undefined ? { kind: 'malformed', reason } : { kind: 'malformed', reason, scheme };
}

/** Strict base64 (padding optional, no stray bits, no whitespace) → bytes, or undefined. */
function decodeBase64(text: string): Buffer | undefined {
  if (!BASE64.test(text)) return undefined;
  const unpadded = text.replace(/=+$/, '');
  if (unpadded.length % 4 === 1) return undefined;
  if (unpadded.length !== text.length && text.length % 4 !== 0) return undefined;
  const bytes = Buffer.from(unpadded, 'base64');
  // Reject non-canonical encodings (non-zero trailing bits) so that one header has one meaning.
  if (bytes.toString('base64').replace(/=+$/, '') !== unpadded) return undefined;
  return bytes;
}

function parseBasic(credentials: string): AuthAttempt {
  const bytes = decodeBase64(credentials);
  if (bytes === undefined) return malformed('invalid-base64', 'basic');
  const text = decodeUtf8(bytes);
  if (text === undefined) return malformed('invalid-utf8', 'basic');
  const colon = text.indexOf(':');
  if (colon < 0) return malformed('missing-colon', 'basic');
  const username = text.slice(0, colon);
  const password = text.slice(colon + 1);
  if (username === '') return malformed('empty-username', 'basic');
  if (password === '') return malformed('empty-password', 'basic');
  if (CONTROL.test(username) || CONTROL.test(password)) return malformed('control-character', 'basic');
  return { kind: 'basic', username, password };
}

/** Classifies an `Authorization` header. Never throws. */
export function parseAuthorization(header: string | undefined): AuthAttempt {
  if (header === undefined) return { kind: 'none' };
  if (typeof header !== 'string') return malformed('not-a-string');
  if (header.length > MAX_AUTHORIZATION_LENGTH) return malformed('too-long');
  const value = header.replace(/^[ \t]+|[ \t]+$/g, ''); // optional whitespace around a field value
  if (value === '') return { kind: 'none' };

  const parts = value.split(' ');
  if (parts.length === 1) {
    const lower = value.toLowerCase();
    if (lower === 'bearer') return malformed('empty-credentials', 'bearer');
    if (lower === 'basic') return malformed('empty-credentials', 'basic');
    return TOKEN68.test(value)
      ? { kind: 'token', token: value, scheme: 'bare' }
      : malformed('invalid-token-syntax');
  }

  const scheme = (parts[0] ?? '').toLowerCase();
  const named = scheme === 'bearer' ? 'bearer' : scheme === 'basic' ? 'basic' : undefined;
  if (named === undefined) return malformed('unsupported-scheme');
  if (parts.length > 2) return malformed('extra-parameters', named);
  const credentials = parts[1] ?? '';
  if (named === 'basic') return parseBasic(credentials);
  return TOKEN68.test(credentials)
    ? { kind: 'token', token: credentials, scheme: 'bearer' }
    : malformed('invalid-token-syntax', 'bearer');
}

/** A quoted-string (RFC 9110 §5.6.4) safe for a header: non-printable or non-ASCII → `?`, `"` and `\` escaped. */
export function quoteHeaderValue(value: string): string {
  const printable = value.replace(/[^\x20-\x7e]/g, '?');
  return `"${printable.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

/** `<scheme> name="value", …` with every value quoted; undefined values are left out. */
export function formatChallenge(
  scheme: string,
  params: Readonly<Record<string, string | undefined>>,
): string {
  const rendered = Object.entries(params)
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([name, value]) => `${name}=${quoteHeaderValue(value)}`);
  return rendered.length === 0 ? scheme : `${scheme} ${rendered.join(', ')}`;
}

export type Challenge =
  /** No credentials were sent: no error code (RFC 6750 §3). */
  | { scheme: 'Bearer'; realm?: string; error?: undefined }
  /** 401: the token is missing its parts, unknown, expired or revoked. */
  | { scheme: 'Bearer'; realm?: string; error: 'invalid_token' | 'invalid_request'; description?: string }
  /** 403: the credential lacks the role or domain the request needs. */
  | { scheme: 'Bearer'; realm?: string; error: 'insufficient_scope'; description?: string; scope?: string }
  /** 401 for HTTP Basic (RFC 7617 §2.1: charset="UTF-8"). */
  | { scheme: 'Basic'; realm?: string };

/** Builds a `WWW-Authenticate` value. Descriptions are escaped (and made printable ASCII). */
export function wwwAuthenticate(challenge: Challenge): string {
  const realm = challenge.realm ?? DEFAULT_REALM;
  if (challenge.scheme === 'Basic') return formatChallenge('Basic', { realm, charset: 'UTF-8' });
  if (challenge.error === undefined) return formatChallenge('Bearer', { realm });
  return formatChallenge('Bearer', {
    realm,
    error: challenge.error,
    error_description: challenge.description,
    scope: challenge.error === 'insufficient_scope' ? challenge.scope : undefined,
  });
}

/**
 * The 401 challenge that answers an attempt in its own scheme: Basic for Basic, a bare Bearer challenge when no
 * credentials were sent, `Bearer … error="invalid_token"` otherwise.
 */
export function challengeFor(attempt: AuthAttempt, description?: string, realm?: string): string {
  const basic = attempt.kind === 'basic' || (attempt.kind === 'malformed' && attempt.scheme === 'basic');
  if (basic) return wwwAuthenticate({ scheme: 'Basic', realm });
  if (attempt.kind === 'none') return wwwAuthenticate({ scheme: 'Bearer', realm });
  return wwwAuthenticate({ scheme: 'Bearer', realm, error: 'invalid_token', description });
}
