/**
 * OAuth access tokens as JWTs (RFC 9068 profile, RFC 8725 practices), issued by the per-tenant token endpoint
 * and presented as `Authorization: Bearer <jwt>` on SCIM requests.
 *
 * - Header `{ alg: "HS256", typ: "at+jwt", kid: "v<pepper version>" }`; claims iss, aud, sub (= client_id),
 *   client_id, jti, iat, exp, plus `tid` (tenant id) and `cid` (credential id).
 * - Signing key: HKDF-SHA256 of the pepper version named by `kid`, with a purpose-specific `info`, so no second
 *   secret has to be provisioned and rotating the pepper rotates the signing key. Tokens signed with the previous
 *   pepper version keep verifying while that version is still loaded (see docs/decisions/0009-jwt-access-tokens.md).
 * - Verification allow-lists HS256 only, requires `typ: at+jwt` and every claim, checks iss/aud/exp/nbf/iat with a
 *   30 s clock tolerance, and bounds the lifetime. It never throws for a bad token: it answers undefined.
 *
 * A valid signature is not enough to accept a token: the caller must still read the credential (`cid`) to see
 * whether it is active and whether the token was issued before its `tokensValidAfter` (revocation).
 */
import { hkdfSync, randomUUID } from 'node:crypto';
import { decodeProtectedHeader, jwtVerify, SignJWT } from 'jose';
import type { Pepper, PepperSource, PepperVersion } from './pepper';

export const ACCESS_TOKEN_TYPE = 'at+jwt';
export const ACCESS_TOKEN_ALGORITHM = 'HS256';
/** Clock skew accepted on exp, nbf and iat (RFC 8725 §3.10 leaves it to the application; keep it small). */
export const CLOCK_TOLERANCE_SECONDS = 30;
/** Longest lifetime we ever issue or accept (the credential model allows 3600–21600 s). */
export const MAX_ACCESS_TOKEN_TTL_SECONDS = 21_600;
/** Far above a real token (≈ 600 characters); bounds the work done on hostile input before any crypto. */
export const MAX_ACCESS_TOKEN_LENGTH = 4096;

/** Three base64url segments (RFC 7515 compact serialisation); our opaque secrets never contain a dot. */
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const KID = /^v([1-9][0-9]{0,8})$/;
const HKDF_SALT = Buffer.alloc(0);
const KEY_BYTES = 32;

export interface IssueAccessTokenInput {
  tenantId: string;
  credentialId: string;
  clientId: string;
  ttlSeconds: number;
  issuer: string;
  audience: string;
  /**
   * The credential's `tokensValidAfter`: verification refuses every token whose `iat` (whole seconds) is at or before
   * it, so a token is never dated in that second. Issued in the same second, `iat` is the next second (at most one
   * second ahead, within the accepted skew) instead of a token that SCIM would refuse.
   */
  tokensValidAfter?: string;
}

export interface IssuedAccessToken {
  token: string;
  /** Seconds until expiry (the `expires_in` of the token response). */
  expiresIn: number;
}

export interface ExpectedAccessTokenClaims {
  issuer: string;
  audience: string;
}

export interface VerifiedAccessToken {
  tenantId: string;
  credentialId: string;
  clientId: string;
  /** `iat`, whole seconds: compare with the credential's `tokensValidAfter` to refuse revoked tokens. */
  issuedAt: Date;
  expiresAt: Date;
}

/**
 * `<origin>/oauth/<tenant>`: the token endpoint's base, as the client reached it (or the public base URL). Tenant
 * ids are `[a-z0-9-]`, so they go in as they are (the token endpoint and SCIM authentication must build the same
 * string).
 */
export function accessTokenIssuer(origin: string, tenantId: string): string {
  return `${origin.replace(/\/+$/, '')}/oauth/${tenantId}`;
}

/** `scimgate:<tenant>`: the SCIM API of one tenant. */
export function accessTokenAudience(tenantId: string): string {
  return `scimgate:${tenantId}`;
}

/** Issuer and audience for one tenant: what the token endpoint puts in and what SCIM authentication expects. */
export function accessTokenClaimsFor(origin: string, tenantId: string): ExpectedAccessTokenClaims {
  return { issuer: accessTokenIssuer(origin, tenantId), audience: accessTokenAudience(tenantId) };
}

/**
 * Whether a bearer token has the shape of a compact JWS (cheap, no decoding). Used to route `Bearer <x>` to JWT
 * verification rather than to the secret lookup; it says nothing about validity.
 */
export function looksLikeJwt(token: unknown): token is string {
  return typeof token === 'string' && token.length <= MAX_ACCESS_TOKEN_LENGTH && COMPACT_JWS.test(token);
}

/** The `kid` naming a pepper version. */
export function keyIdFor(version: number): string {
  return `v${version}`;
}

/** The signing key of one pepper version: HKDF-SHA256(pepper key, info "scimgate access-token v<version>"). */
export function deriveAccessTokenKey(version: PepperVersion): Uint8Array {
  const info = `scimgate access-token v${version.version}`;
  return new Uint8Array(hkdfSync('sha256', version.key, HKDF_SALT, info, KEY_BYTES));
}

function isNonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}

function isNumericDate(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

export class AccessTokens {
  /** Derived keys, per pepper version; the source key is kept so a replaced version is re-derived. */
  private readonly keys = new Map<number, { source: Buffer; key: Uint8Array }>();

  constructor(
    private readonly pepper: PepperSource,
    private readonly clock: { now(): Date },
  ) {}

  private keyOf(version: PepperVersion): Uint8Array {
    const cached = this.keys.get(version.version);
    if (cached && cached.source.equals(version.key)) return cached.key;
    const key = deriveAccessTokenKey(version);
    this.keys.set(version.version, { source: Buffer.from(version.key), key });
    return key;
  }

  /** Signs an access token with the current pepper version. Throws only on invalid input (a programming error). */
  async issue(input: IssueAccessTokenInput): Promise<IssuedAccessToken> {
    const { ttlSeconds } = input;
    if (!Number.isSafeInteger(ttlSeconds) || ttlSeconds < 1 || ttlSeconds > MAX_ACCESS_TOKEN_TTL_SECONDS) {
      throw new RangeError(
        `access token lifetime must be an integer of 1–${MAX_ACCESS_TOKEN_TTL_SECONDS} seconds`,
      );
    }
    for (const [name, value] of Object.entries({
      tenantId: input.tenantId,
      credentialId: input.credentialId,
      clientId: input.clientId,
      issuer: input.issuer,
      audience: input.audience,
    })) {
      if (!isNonEmptyString(value)) throw new TypeError(`access token ${name} must be a non-empty string`);
    }
    const pepper = await this.pepper.load();
    const cutOff = input.tokensValidAfter ? Math.floor(Date.parse(input.tokensValidAfter) / 1000) : -Infinity;
    const iat = Math.max(Math.floor(this.clock.now().getTime() / 1000), cutOff + 1);
    const token = await new SignJWT({
      client_id: input.clientId,
      tid: input.tenantId,
      cid: input.credentialId,
    })
      .setProtectedHeader({
        alg: ACCESS_TOKEN_ALGORITHM,
        typ: ACCESS_TOKEN_TYPE,
        kid: keyIdFor(pepper.current.version),
      })
      .setIssuer(input.issuer)
      .setAudience(input.audience)
      .setSubject(input.clientId)
      .setJti(randomUUID())
      .setIssuedAt(iat)
      .setExpirationTime(iat + ttlSeconds)
      .sign(this.keyOf(pepper.current));
    return { token, expiresIn: ttlSeconds };
  }

  /**
   * Verifies signature, header and claims. Undefined for anything invalid (malformed, wrong algorithm or type,
   * unknown or retired key version, bad signature, wrong issuer or audience, expired, not yet valid, inconsistent
   * claims); never throws for a bad token. Storage-independent: the caller checks the credential.
   */
  async verify(token: string, expected: ExpectedAccessTokenClaims): Promise<VerifiedAccessToken | undefined> {
    if (!looksLikeJwt(token)) return undefined;
    let kid: unknown;
    try {
      kid = decodeProtectedHeader(token).kid;
    } catch {
      return undefined;
    }
    const match = typeof kid === 'string' ? KID.exec(kid) : null;
    if (!match) return undefined;
    const version = findVersion(await this.pepper.load(), Number(match[1]));
    if (!version) return undefined;

    let payload: Record<string, unknown>;
    try {
      const result = await jwtVerify(token, this.keyOf(version), {
        algorithms: [ACCESS_TOKEN_ALGORITHM],
        typ: ACCESS_TOKEN_TYPE,
        issuer: expected.issuer,
        audience: expected.audience,
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        maxTokenAge: MAX_ACCESS_TOKEN_TTL_SECONDS,
        currentDate: this.clock.now(),
        requiredClaims: ['iss', 'aud', 'sub', 'client_id', 'jti', 'iat', 'exp', 'tid', 'cid'],
      });
      payload = result.payload as Record<string, unknown>;
    } catch {
      return undefined;
    }

    const { sub, client_id: clientId, tid, cid, jti, iat, exp } = payload;
    if (!isNonEmptyString(clientId) || sub !== clientId) return undefined;
    if (!isNonEmptyString(tid) || !isNonEmptyString(cid) || !isNonEmptyString(jti)) return undefined;
    // The audience names the tenant; a token whose tenant claim disagrees is not ours to accept.
    if (accessTokenAudience(tid) !== expected.audience) return undefined;
    if (!isNumericDate(iat) || !isNumericDate(exp)) return undefined;
    if (exp <= iat || exp - iat > MAX_ACCESS_TOKEN_TTL_SECONDS) return undefined;
    return {
      tenantId: tid,
      credentialId: cid,
      clientId,
      issuedAt: new Date(iat * 1000),
      expiresAt: new Date(exp * 1000),
    };
  }
}

/** The pepper version a kid names, if it is still loaded (current or previous); a retired version is gone. */
function findVersion(pepper: Pepper, version: number): PepperVersion | undefined {
  if (pepper.current.version === version) return pepper.current;
  return pepper.previous.find((v) => v.version === version);
}
