import { createHmac, generateKeyPairSync, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { decodeJwt, decodeProtectedHeader, SignJWT, type JWTPayload } from 'jose';
import {
  accessTokenAudience,
  accessTokenClaimsFor,
  accessTokenIssuer,
  AccessTokens,
  CLOCK_TOLERANCE_SECONDS,
  deriveAccessTokenKey,
  looksLikeJwt,
  MAX_ACCESS_TOKEN_TTL_SECONDS,
  type IssueAccessTokenInput,
} from '../../../shared/credentials/access-token';
import { pepperFromVersions, type Pepper, type PepperVersion } from '../../../shared/credentials/pepper';

const V1: PepperVersion = { version: 1, key: randomBytes(32) };
const V2: PepperVersion = { version: 2, key: randomBytes(32) };
const V3: PepperVersion = { version: 3, key: randomBytes(32) };

const ORIGIN = 'https://scim.example.com';
const EXPECTED = accessTokenClaimsFor(ORIGIN, 'acme');
const INPUT: IssueAccessTokenInput = {
  tenantId: 'acme',
  credentialId: '0195f0c4-7d7b-7c3e-9f1a-2b3c4d5e6f70',
  clientId: 'scgi_4Vq2bT0mF7x1pLc9sKd3Aa',
  ttlSeconds: 3600,
  ...EXPECTED,
};
const T0 = new Date('2026-03-01T12:00:00.000Z');

class TestClock {
  constructor(public current: Date = T0) {}
  now(): Date {
    return new Date(this.current.getTime());
  }
  advance(seconds: number): void {
    this.current = new Date(this.current.getTime() + seconds * 1000);
  }
}

function tokens(pepper: Pepper, clock = new TestClock()): AccessTokens {
  return new AccessTokens({ load: async () => pepper }, clock);
}

const b64url = (value: unknown): string =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value), 'utf8').toString('base64url');

/** A compact JWS with any header and payload, HMAC-SHA256 signed with `key` (or a given signature). */
function handMade(
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
  key: Uint8Array,
  hash = 'sha256',
): string {
  const input = `${b64url(header)}.${b64url(payload)}`;
  return `${input}.${createHmac(hash, key).update(input).digest('base64url')}`;
}

/** Claims the token endpoint would put in, at T0. */
function validClaims(overrides: Record<string, unknown> = {}): JWTPayload {
  const iat = Math.floor(T0.getTime() / 1000);
  return {
    iss: EXPECTED.issuer,
    aud: EXPECTED.audience,
    sub: INPUT.clientId,
    client_id: INPUT.clientId,
    tid: INPUT.tenantId,
    cid: INPUT.credentialId,
    jti: 'c9b3f7a2-3a4b-4c5d-8e9f-0a1b2c3d4e5f',
    iat,
    exp: iat + 3600,
    ...overrides,
  };
}

/** Signs `claims` with the real derived key of `version` through jose (valid signature, custom content). */
function signWith(
  version: PepperVersion,
  claims: JWTPayload,
  header: Record<string, unknown> = {},
): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', kid: `v${version.version}`, ...header })
    .sign(deriveAccessTokenKey(version));
}

describe('issuer and audience builders', () => {
  it('should build the issuer from the origin and the tenant', () => {
    expect(accessTokenIssuer('https://scim.example.com/', 'acme')).toBe(
      'https://scim.example.com/oauth/acme',
    );
    expect(accessTokenAudience('acme')).toBe('scimgate:acme');
    expect(accessTokenClaimsFor('http://127.0.0.1:3000', 'beta')).toEqual({
      issuer: 'http://127.0.0.1:3000/oauth/beta',
      audience: 'scimgate:beta',
    });
  });
});

describe('looksLikeJwt', () => {
  it.each([
    ['eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln', true],
    ['scgb_4Vq2bT0mF7x1pLc9sKd3Aa4Vq2bT0mF7x1pLc9sKd3Aa0a1B2c', false],
    ['a.b', false],
    ['a.b.', false],
    ['a..c', false],
    ['a.b.c.d', false],
    ['a+b.c.d', false],
    ['', false],
    [`${'a'.repeat(5000)}.b.c`, false],
  ])('should classify %j as %s', (token, expected) => {
    expect(looksLikeJwt(token)).toBe(expected);
  });

  it('should answer false for non-strings', () => {
    expect(looksLikeJwt(undefined)).toBe(false);
    expect(looksLikeJwt(42)).toBe(false);
  });
});

describe('AccessTokens', () => {
  it('should issue an RFC 9068 token that verifies', async () => {
    const at = tokens(pepperFromVersions([V1]));

    const { token, expiresIn } = await at.issue(INPUT);
    const verified = await at.verify(token, EXPECTED);

    expect(expiresIn).toBe(3600);
    expect(looksLikeJwt(token)).toBe(true);
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'HS256', typ: 'at+jwt', kid: 'v1' });
    const claims = decodeJwt(token);
    expect(claims).toEqual({
      iss: 'https://scim.example.com/oauth/acme',
      aud: 'scimgate:acme',
      sub: INPUT.clientId,
      client_id: INPUT.clientId,
      tid: 'acme',
      cid: INPUT.credentialId,
      jti: expect.stringMatching(/^[0-9a-f-]{36}$/),
      iat: T0.getTime() / 1000,
      exp: T0.getTime() / 1000 + 3600,
    });
    expect(verified).toEqual({
      tenantId: 'acme',
      credentialId: INPUT.credentialId,
      clientId: INPUT.clientId,
      issuedAt: T0,
      expiresAt: new Date(T0.getTime() + 3600_000),
    });
  });

  it('should give every token its own jti', async () => {
    const at = tokens(pepperFromVersions([V1]));

    const first = decodeJwt((await at.issue(INPUT)).token);
    const second = decodeJwt((await at.issue(INPUT)).token);

    expect(first.jti).not.toBe(second.jti);
  });

  it('should never put key material in the token', async () => {
    const at = tokens(pepperFromVersions([V1]));

    const { token } = await at.issue(INPUT);
    const decoded = JSON.stringify([decodeProtectedHeader(token), decodeJwt(token)]);

    expect(decoded).not.toContain(V1.key.toString('base64'));
    expect(decoded).not.toContain(V1.key.toString('hex'));
  });

  it.each([0, -1, 1.5, Number.NaN, MAX_ACCESS_TOKEN_TTL_SECONDS + 1])(
    'should refuse to issue with a lifetime of %s seconds',
    async (ttlSeconds) => {
      const at = tokens(pepperFromVersions([V1]));

      await expect(at.issue({ ...INPUT, ttlSeconds })).rejects.toThrow(RangeError);
    },
  );

  it('should refuse to issue without a tenant', async () => {
    const at = tokens(pepperFromVersions([V1]));

    await expect(at.issue({ ...INPUT, tenantId: '' })).rejects.toThrow(TypeError);
  });

  describe('algorithms (RFC 8725 §3.1: allow-list)', () => {
    it('should reject alg none, with or without a signature', async () => {
      const at = tokens(pepperFromVersions([V1]));
      const header = { alg: 'none', typ: 'at+jwt', kid: 'v1' };
      const unsigned = `${b64url(header)}.${b64url(validClaims())}.`;
      const withJunk = `${unsigned}c2lnbmF0dXJl`;

      expect(await at.verify(unsigned, EXPECTED)).toBeUndefined();
      expect(await at.verify(withJunk, EXPECTED)).toBeUndefined();
    });

    it('should reject RS256, even with a valid RSA signature', async () => {
      const at = tokens(pepperFromVersions([V1]));
      const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const token = await new SignJWT(validClaims())
        .setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid: 'v1' })
        .sign(privateKey);

      expect(await at.verify(token, EXPECTED)).toBeUndefined();
    });

    it('should reject HS512 signed with the right key', async () => {
      const at = tokens(pepperFromVersions([V1]));
      const token = handMade(
        { alg: 'HS512', typ: 'at+jwt', kid: 'v1' },
        validClaims(),
        deriveAccessTokenKey(V1),
        'sha512',
      );

      expect(await at.verify(token, EXPECTED)).toBeUndefined();
    });

    it('should accept a hand-made HS256 token (the rejections above are about the algorithm)', async () => {
      const at = tokens(pepperFromVersions([V1]));
      const token = handMade(
        { alg: 'HS256', typ: 'at+jwt', kid: 'v1' },
        validClaims(),
        deriveAccessTokenKey(V1),
      );

      expect(await at.verify(token, EXPECTED)).toMatchObject({ tenantId: 'acme' });
    });

    it('should reject HS256 signed with the raw pepper instead of the derived key', async () => {
      const at = tokens(pepperFromVersions([V1]));
      const token = handMade({ alg: 'HS256', typ: 'at+jwt', kid: 'v1' }, validClaims(), V1.key);

      expect(await at.verify(token, EXPECTED)).toBeUndefined();
    });
  });

  describe('integrity', () => {
    it('should reject a tampered payload', async () => {
      const at = tokens(pepperFromVersions([V1]));
      const { token } = await at.issue(INPUT);
      const [header, , signature] = token.split('.');
      const forged = { ...decodeJwt(token), cid: 'someone-else', tid: 'beta', aud: 'scimgate:beta' };

      const tampered = `${header}.${b64url(forged)}.${signature}`;

      expect(await at.verify(tampered, EXPECTED)).toBeUndefined();
      expect(await at.verify(tampered, accessTokenClaimsFor(ORIGIN, 'beta'))).toBeUndefined();
    });

    it('should reject a tampered header', async () => {
      const at = tokens(pepperFromVersions([V1]));
      const { token } = await at.issue(INPUT);
      const [, payload, signature] = token.split('.');

      const tampered = `${b64url({ alg: 'HS256', typ: 'JWT', kid: 'v1' })}.${payload}.${signature}`;

      expect(await at.verify(tampered, EXPECTED)).toBeUndefined();
    });

    it('should reject a truncated or stripped signature', async () => {
      const at = tokens(pepperFromVersions([V1]));
      const { token } = await at.issue(INPUT);

      expect(await at.verify(token.slice(0, -4), EXPECTED)).toBeUndefined();
      expect(await at.verify(token.slice(0, token.lastIndexOf('.') + 1), EXPECTED)).toBeUndefined();
    });

    it('should reject a token signed by another deployment (another pepper)', async () => {
      const other = tokens(pepperFromVersions([{ version: 1, key: randomBytes(32) }]));
      const at = tokens(pepperFromVersions([V1]));

      const { token } = await other.issue(INPUT);

      expect(await at.verify(token, EXPECTED)).toBeUndefined();
    });
  });

  describe('claims', () => {
    it('should reject the wrong issuer', async () => {
      const at = tokens(pepperFromVersions([V1]));
      const { token } = await at.issue(INPUT);

      expect(
        await at.verify(token, { ...EXPECTED, issuer: 'https://evil.example/oauth/acme' }),
      ).toBeUndefined();
    });

    it('should reject the wrong audience (another tenant)', async () => {
      const at = tokens(pepperFromVersions([V1]));
      const { token } = await at.issue(INPUT);

      expect(await at.verify(token, accessTokenClaimsFor(ORIGIN, 'beta'))).toBeUndefined();
      expect(await at.verify(token, { ...EXPECTED, audience: 'scimgate:beta' })).toBeUndefined();
    });

    it('should accept an expired token within the clock tolerance and reject it after', async () => {
      const clock = new TestClock();
      const at = tokens(pepperFromVersions([V1]), clock);
      const { token } = await at.issue(INPUT);

      clock.advance(3600 + CLOCK_TOLERANCE_SECONDS - 1);
      const late = await at.verify(token, EXPECTED);
      clock.advance(2);
      const expired = await at.verify(token, EXPECTED);

      expect(late).toBeDefined();
      expect(expired).toBeUndefined();
    });

    it('should reject a token issued in the future beyond the tolerance', async () => {
      const at = tokens(pepperFromVersions([V1]));
      const iat = T0.getTime() / 1000 + 120;

      const token = await signWith(V1, validClaims({ iat, exp: iat + 3600 }));

      expect(await at.verify(token, EXPECTED)).toBeUndefined();
    });

    it('should honour nbf with the tolerance', async () => {
      const at = tokens(pepperFromVersions([V1]));
      const now = T0.getTime() / 1000;

      const soon = await signWith(V1, validClaims({ nbf: now + 10 }));
      const later = await signWith(V1, validClaims({ nbf: now + 300 }));

      expect(await at.verify(soon, EXPECTED)).toBeDefined();
      expect(await at.verify(later, EXPECTED)).toBeUndefined();
    });

    it.each(['iss', 'aud', 'sub', 'client_id', 'jti', 'iat', 'exp', 'tid', 'cid'])(
      'should reject a token without %s',
      async (claim) => {
        const at = tokens(pepperFromVersions([V1]));
        const claims = validClaims();
        delete claims[claim];

        const token = await signWith(V1, claims);

        expect(await at.verify(token, EXPECTED)).toBeUndefined();
      },
    );

    it.each<[string, Record<string, unknown>]>([
      ['sub differs from client_id', { sub: 'someone-else' }],
      ['tid disagrees with the audience', { tid: 'beta' }],
      ['cid is not a string', { cid: 42 }],
      ['client_id is empty', { client_id: '', sub: '' }],
      ['lifetime above the maximum', { exp: T0.getTime() / 1000 + MAX_ACCESS_TOKEN_TTL_SECONDS + 60 }],
      ['exp before iat', { iat: T0.getTime() / 1000, exp: T0.getTime() / 1000 - 1 }],
      ['a string iat', { iat: String(T0.getTime() / 1000) }],
    ])('should reject a correctly signed token when %s', async (_name, overrides) => {
      const at = tokens(pepperFromVersions([V1]));

      const token = await signWith(V1, validClaims(overrides));

      expect(await at.verify(token, EXPECTED)).toBeUndefined();
    });

    it.each<[string, Record<string, unknown>]>([
      ['typ JWT', { typ: 'JWT' }],
      ['no typ', { typ: undefined }],
      ['no kid', { kid: undefined }],
      ['kid "1"', { kid: '1' }],
      ['kid "v01"', { kid: 'v01' }],
      ['kid "v1 "', { kid: 'v1 ' }],
      ['numeric kid', { kid: 1 }],
      ['crit header', { crit: ['exp'] }],
    ])('should reject a correctly signed token with %s', async (_name, header) => {
      const at = tokens(pepperFromVersions([V1]));
      const fields = Object.fromEntries(
        Object.entries({ alg: 'HS256', typ: 'at+jwt', kid: 'v1', ...header }).filter(
          ([, v]) => v !== undefined,
        ),
      );

      const token = handMade(fields, validClaims(), deriveAccessTokenKey(V1));

      expect(await at.verify(token, EXPECTED)).toBeUndefined();
    });

    it('should accept the typ with the application/ prefix (RFC 9068 §4 allows both)', async () => {
      const at = tokens(pepperFromVersions([V1]));

      const token = await signWith(V1, validClaims(), { typ: 'application/at+jwt' });

      expect(await at.verify(token, EXPECTED)).toBeDefined();
    });
  });

  describe('pepper rotation', () => {
    it('should keep verifying tokens of the previous pepper version and sign new ones with the current', async () => {
      const before = tokens(pepperFromVersions([V1]));
      const after = tokens(pepperFromVersions([V1, V2]));
      const { token: old } = await before.issue(INPUT);

      const fresh = await after.issue(INPUT);

      expect(await after.verify(old, EXPECTED)).toMatchObject({ credentialId: INPUT.credentialId });
      expect(decodeProtectedHeader(fresh.token).kid).toBe('v2');
      expect(await after.verify(fresh.token, EXPECTED)).toBeDefined();
      expect(await before.verify(fresh.token, EXPECTED)).toBeUndefined();
    });

    it('should reject a token whose kid names a retired pepper version', async () => {
      const before = tokens(pepperFromVersions([V1]));
      const retired = tokens(pepperFromVersions([V2, V3]));
      const { token } = await before.issue(INPUT);

      expect(await retired.verify(token, EXPECTED)).toBeUndefined();
    });

    it('should not accept a kid that points at another version than the signing key', async () => {
      const at = tokens(pepperFromVersions([V1, V2]));

      const lying = await new SignJWT(validClaims())
        .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', kid: 'v2' })
        .sign(deriveAccessTokenKey(V1));

      expect(await at.verify(lying, EXPECTED)).toBeUndefined();
    });

    it('should re-derive when a version number is reused with another key', async () => {
      let pepper = pepperFromVersions([V1]);
      const at = new AccessTokens({ load: async () => pepper }, new TestClock());
      const { token } = await at.issue(INPUT);

      pepper = pepperFromVersions([{ version: 1, key: randomBytes(32) }]);

      expect(await at.verify(token, EXPECTED)).toBeUndefined();
    });
  });

  describe('robustness', () => {
    it('should answer undefined, never throw, for arbitrary strings', async () => {
      const at = tokens(pepperFromVersions([V1]));

      await fc.assert(
        fc.asyncProperty(fc.string({ unit: 'binary', maxLength: 300 }), async (text) => {
          expect(await at.verify(text, EXPECTED)).toBeUndefined();
        }),
        { numRuns: 500 },
      );
    });

    it('should answer undefined, never throw, for arbitrary JWT-shaped strings', async () => {
      const at = tokens(pepperFromVersions([V1]));
      const segment = fc.oneof(
        fc
          .base64String({ maxLength: 80 })
          .map((s) => s.replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_')),
        fc.jsonValue().map((v) => b64url(v)),
        fc
          .record({
            alg: fc.constantFrom('HS256', 'none', 'RS256', 'HS512'),
            typ: fc.string(),
            kid: fc.string(),
          })
          .map((v) => b64url(v)),
        fc.constant(b64url(validClaims())),
      );

      await fc.assert(
        fc.asyncProperty(fc.tuple(segment, segment, segment), async (parts) => {
          const token = parts.join('.');
          if (!looksLikeJwt(token)) return;
          expect(await at.verify(token, EXPECTED)).toBeUndefined();
        }),
        { numRuns: 500 },
      );
    });

    it('should answer undefined for a token with any one payload character changed', async () => {
      const at = tokens(pepperFromVersions([V1]));
      const { token } = await at.issue(INPUT);
      const [header = '', payload = '', signature = ''] = token.split('.');
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

      await fc.assert(
        fc.asyncProperty(
          fc.nat({ max: payload.length - 2 }),
          fc.constantFrom(...alphabet),
          async (index, replacement) => {
            if (payload[index] === replacement) return;
            const changed = payload.slice(0, index) + replacement + payload.slice(index + 1);
            expect(await at.verify(`${header}.${changed}.${signature}`, EXPECTED)).toBeUndefined();
          },
        ),
        { numRuns: 200 },
      );
    });
  });
});

describe('tokens issued in the second of a revocation cut-off', () => {
  it('should date the token after the cut-off, so SCIM accepts what the token endpoint issued', async () => {
    const at = tokens(pepperFromVersions([V1]), new TestClock(new Date('2026-03-01T12:00:00.800Z')));
    const cutOff = '2026-03-01T12:00:00.500Z'; // a compromise rotation 300 ms earlier
    const issued = await at.issue({ ...INPUT, tokensValidAfter: cutOff });
    const verified = await at.verify(issued.token, EXPECTED);
    expect(verified).toBeDefined();
    // The service refuses iat ≤ tokensValidAfter (whole seconds against milliseconds): this one passes.
    expect(verified!.issuedAt.getTime()).toBeGreaterThan(Date.parse(cutOff));
    expect(verified!.issuedAt.toISOString()).toBe('2026-03-01T12:00:01.000Z');
    // Without a cut-off in the same second, iat is simply now.
    const plain = await at.verify(
      (await at.issue({ ...INPUT, tokensValidAfter: '2026-03-01T11:59:59.999Z' })).token,
      EXPECTED,
    );
    expect(plain!.issuedAt.toISOString()).toBe('2026-03-01T12:00:00.000Z');
  });
});
