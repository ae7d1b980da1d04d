import fc from 'fast-check';
import {
  MAX_AUTHORIZATION_LENGTH,
  challengeFor,
  parseAuthorization,
  wwwAuthenticate,
  type AuthAttempt,
} from '../../../shared/credentials/authorization';
import { generateSecret } from '../../../shared/credentials/secret-format';

const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');
const token = generateSecret('bearer');

describe('parseAuthorization', () => {
  it.each<[string, string | undefined, AuthAttempt]>([
    ['a missing header', undefined, { kind: 'none' }],
    ['an empty header', '', { kind: 'none' }],
    ['a whitespace-only header', '  \t ', { kind: 'none' }],
    ['a Bearer token', `Bearer ${token}`, { kind: 'token', token, scheme: 'bearer' }],
    ['a lowercase bearer scheme', `bearer ${token}`, { kind: 'token', token, scheme: 'bearer' }],
    ['a mixed-case bearer scheme', `BeArEr ${token}`, { kind: 'token', token, scheme: 'bearer' }],
    ['surrounding whitespace', `  Bearer ${token}\t`, { kind: 'token', token, scheme: 'bearer' }],
    ['a bare token (Okta)', token, { kind: 'token', token, scheme: 'bare' }],
    [
      'a token68 with padding',
      'Bearer abc.DEF-_~+/==',
      { kind: 'token', token: 'abc.DEF-_~+/==', scheme: 'bearer' },
    ],
    [
      'Basic credentials',
      `Basic ${b64('scim-abc:pw')}`,
      { kind: 'basic', username: 'scim-abc', password: 'pw' },
    ],
    ['a lowercase basic scheme', `basic ${b64('u:p')}`, { kind: 'basic', username: 'u', password: 'p' }],
    ['a password with colons', `Basic ${b64('u:a:b:')}`, { kind: 'basic', username: 'u', password: 'a:b:' }],
    [
      'UTF-8 credentials',
      `Basic ${b64('jöhn:pässwörd✓')}`,
      { kind: 'basic', username: 'jöhn', password: 'pässwörd✓' },
    ],
    [
      'unpadded base64',
      `Basic ${b64('u:pw').replace(/=+$/, '')}`,
      { kind: 'basic', username: 'u', password: 'pw' },
    ],
    [
      'the RFC 7617 example',
      'Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==',
      { kind: 'basic', username: 'Aladdin', password: 'open sesame' },
    ],
    [
      'Bearer without a token',
      'Bearer',
      { kind: 'malformed', reason: 'empty-credentials', scheme: 'bearer' },
    ],
    [
      'Bearer with a trailing space only',
      'Bearer ',
      { kind: 'malformed', reason: 'empty-credentials', scheme: 'bearer' },
    ],
    [
      'Basic without credentials',
      'Basic',
      { kind: 'malformed', reason: 'empty-credentials', scheme: 'basic' },
    ],
    [
      'two spaces after the scheme',
      `Bearer  ${token}`,
      { kind: 'malformed', reason: 'extra-parameters', scheme: 'bearer' },
    ],
    [
      'extra parameters',
      `Bearer ${token} x`,
      { kind: 'malformed', reason: 'extra-parameters', scheme: 'bearer' },
    ],
    [
      'auth-params instead of a token',
      'Bearer realm="x", token="y"',
      { kind: 'malformed', reason: 'extra-parameters', scheme: 'bearer' },
    ],
    [
      'a token with a quote',
      'Bearer "abc"',
      { kind: 'malformed', reason: 'invalid-token-syntax', scheme: 'bearer' },
    ],
    [
      'a token with padding inside',
      'Bearer ab=c',
      { kind: 'malformed', reason: 'invalid-token-syntax', scheme: 'bearer' },
    ],
    ['a bare value with a tab', 'Bearer\tabc', { kind: 'malformed', reason: 'invalid-token-syntax' }],
    ['a bare value with a comma', 'abc,def', { kind: 'malformed', reason: 'invalid-token-syntax' }],
    ['another scheme', 'Digest username="x"', { kind: 'malformed', reason: 'unsupported-scheme' }],
    ['the Token scheme', `Token ${token}`, { kind: 'malformed', reason: 'unsupported-scheme' }],
    ['invalid base64', 'Basic not*base64', { kind: 'malformed', reason: 'invalid-base64', scheme: 'basic' }],
    [
      'base64 of a bad length',
      'Basic dXNlcjpwYXNzd29yZA=',
      { kind: 'malformed', reason: 'invalid-base64', scheme: 'basic' },
    ],
    [
      'base64 with one leftover character',
      'Basic dXNlc',
      { kind: 'malformed', reason: 'invalid-base64', scheme: 'basic' },
    ],
    ['non-canonical base64', 'Basic dT==', { kind: 'malformed', reason: 'invalid-base64', scheme: 'basic' }],
    [
      'base64url instead of base64',
      'Basic dTo_Pz8-',
      { kind: 'malformed', reason: 'invalid-base64', scheme: 'basic' },
    ],
    [
      'invalid UTF-8',
      `Basic ${Buffer.from([0x75, 0x3a, 0xff, 0xfe]).toString('base64')}`,
      { kind: 'malformed', reason: 'invalid-utf8', scheme: 'basic' },
    ],
    ['no colon', `Basic ${b64('userpass')}`, { kind: 'malformed', reason: 'missing-colon', scheme: 'basic' }],
    [
      'an empty username',
      `Basic ${b64(':pw')}`,
      { kind: 'malformed', reason: 'empty-username', scheme: 'basic' },
    ],
    [
      'an empty password',
      `Basic ${b64('u:')}`,
      { kind: 'malformed', reason: 'empty-password', scheme: 'basic' },
    ],
    [
      'a control character',
      `Basic ${b64('u:p\nw')}`,
      { kind: 'malformed', reason: 'control-character', scheme: 'basic' },
    ],
    [
      'a header over 4 KB',
      `Bearer ${'a'.repeat(MAX_AUTHORIZATION_LENGTH)}`,
      { kind: 'malformed', reason: 'too-long' },
    ],
  ])('should classify %s', (_name, header, expected) => {
    expect(parseAuthorization(header)).toEqual(expected);
  });

  it('should accept a header of exactly 4096 characters', () => {
    const long = 'a'.repeat(MAX_AUTHORIZATION_LENGTH - 'Bearer '.length);

    expect(parseAuthorization(`Bearer ${long}`)).toEqual({ kind: 'token', token: long, scheme: 'bearer' });
  });

  it('should not throw for a non-string value that slipped through', () => {
    expect(parseAuthorization(['Bearer x'] as unknown as string)).toEqual({
      kind: 'malformed',
      reason: 'not-a-string',
    });
  });

  it('should never throw and always return a known kind for arbitrary strings', () => {
    const header = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.string({ unit: 'grapheme', maxLength: 100 }),
      fc.string({ maxLength: 100 }).map((s) => `Basic ${s}`),
      fc.string({ maxLength: 100 }).map((s) => `Bearer ${s}`),
      fc.string({ maxLength: 100 }).map((s) => `Basic ${Buffer.from(s, 'latin1').toString('base64')}`),
      fc.uint8Array({ maxLength: 60 }).map((bytes) => `Basic ${Buffer.from(bytes).toString('base64')}`),
    );

    fc.assert(
      fc.property(header, (value) => {
        const attempt = parseAuthorization(value);

        expect(['none', 'token', 'basic', 'malformed']).toContain(attempt.kind);
      }),
      { numRuns: 500 },
    );
  });

  it('should round-trip Basic credentials for any username without a colon and any password', () => {
    // RFC 7617 forbids control characters, so the generators leave them out.
    // eslint-disable-next-line no-control-regex
    const noControl = (s: string): boolean => !/[\u0000-\u001f\u007f-\u009f]/.test(s);
    const username = fc
      .string({ unit: 'grapheme', minLength: 1, maxLength: 40 })
      .filter((s) => !s.includes(':') && noControl(s));
    const password = fc
      .string({ unit: fc.constantFrom(':', 'a', 'Z', '9', ' ', 'é', '✓', '🔑', '=', '+', '/'), minLength: 1 })
      .chain((colons) =>
        fc
          .string({ unit: 'grapheme', maxLength: 40 })
          .filter(noControl)
          .map((rest) => colons + rest),
      );

    fc.assert(
      fc.property(username, password, (user, pass) => {
        const header = `Basic ${b64(`${user}:${pass}`)}`;

        expect(parseAuthorization(header)).toEqual({ kind: 'basic', username: user, password: pass });
      }),
      { numRuns: 300 },
    );
  });

  it('should round-trip any token68 sent as Bearer or bare', () => {
    const token68 = fc
      .tuple(
        fc.string({ unit: fc.constantFrom(...'abcXYZ019-._~+/'.split('')), minLength: 1, maxLength: 80 }),
        fc.nat({ max: 2 }),
      )
      .map(([body, padding]) => body + '='.repeat(padding))
      .filter((t) => !['bearer', 'basic'].includes(t.toLowerCase()));

    fc.assert(
      fc.property(token68, (value) => {
        expect(parseAuthorization(`Bearer ${value}`)).toEqual({
          kind: 'token',
          token: value,
          scheme: 'bearer',
        });
        expect(parseAuthorization(value)).toEqual({ kind: 'token', token: value, scheme: 'bare' });
      }),
      { numRuns: 200 },
    );
  });
});

describe('wwwAuthenticate', () => {
  it('should send a bare Bearer challenge when no credentials were sent (RFC 6750 §3)', () => {
    expect(wwwAuthenticate({ scheme: 'Bearer' })).toBe('Bearer realm="scimgate"');
  });

  it('should add invalid_token with a description', () => {
    expect(
      wwwAuthenticate({ scheme: 'Bearer', error: 'invalid_token', description: 'The token expired' }),
    ).toBe('Bearer realm="scimgate", error="invalid_token", error_description="The token expired"');
  });

  it('should leave the description out when none is given', () => {
    expect(wwwAuthenticate({ scheme: 'Bearer', error: 'invalid_token' })).toBe(
      'Bearer realm="scimgate", error="invalid_token"',
    );
  });

  it('should build insufficient_scope with a scope', () => {
    expect(
      wwwAuthenticate({
        scheme: 'Bearer',
        error: 'insufficient_scope',
        description: 'read-only credential',
        scope: 'users:write',
      }),
    ).toBe(
      'Bearer realm="scimgate", error="insufficient_scope", error_description="read-only credential", scope="users:write"',
    );
  });

  it('should build the Basic challenge with charset UTF-8', () => {
    expect(wwwAuthenticate({ scheme: 'Basic' })).toBe('Basic realm="scimgate", charset="UTF-8"');
  });

  it('should honour another realm', () => {
    expect(wwwAuthenticate({ scheme: 'Basic', realm: 'tenant "a"' })).toBe(
      'Basic realm="tenant \\"a\\"", charset="UTF-8"',
    );
  });

  it('should escape quotes and backslashes and drop line breaks from descriptions', () => {
    const header = wwwAuthenticate({
      scheme: 'Bearer',
      error: 'invalid_token',
      description: 'say "hi" \\ now\r\nSet-Cookie: x=1',
    });

    expect(header).toBe(
      'Bearer realm="scimgate", error="invalid_token", error_description="say \\"hi\\" \\\\ now??Set-Cookie: x=1"',
    );
  });

  it('should always produce a single-line printable ASCII header', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 60 }), (description) => {
        const header = wwwAuthenticate({ scheme: 'Bearer', error: 'invalid_token', description });

        expect(header).toMatch(/^[\x20-\x7e]+$/);
        expect(header.endsWith('"')).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});

describe('challengeFor', () => {
  it.each<[string, AuthAttempt, string]>([
    ['no credentials', { kind: 'none' }, 'Bearer realm="scimgate"'],
    [
      'Basic credentials',
      { kind: 'basic', username: 'u', password: 'p' },
      'Basic realm="scimgate", charset="UTF-8"',
    ],
    [
      'malformed Basic',
      { kind: 'malformed', reason: 'missing-colon', scheme: 'basic' },
      'Basic realm="scimgate", charset="UTF-8"',
    ],
    [
      'a token',
      { kind: 'token', token: 'x', scheme: 'bare' },
      'Bearer realm="scimgate", error="invalid_token", error_description="unknown token"',
    ],
    [
      'a malformed header',
      { kind: 'malformed', reason: 'unsupported-scheme' },
      'Bearer realm="scimgate", error="invalid_token", error_description="unknown token"',
    ],
  ])('should answer %s in its own scheme', (_name, attempt, expected) => {
    expect(challengeFor(attempt, 'unknown token')).toBe(expected);
  });
});
