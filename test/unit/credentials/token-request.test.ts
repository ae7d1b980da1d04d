import fc from 'fast-check';
import {
  parseRevocationRequest,
  parseTokenRequest,
  tokenErrorResponse,
  tokenSuccessResponse,
  type TokenRequestInput,
  type TokenRequestResult,
} from '../../../shared/credentials/token-request';

const FORM = 'application/x-www-form-urlencoded';
const ID = 'scgi_4Vq2bT0mF7x1pLc9sKd3Aa';
const SECRET = 'scgc_Zx8bQ1rT3mN5vB7cX9zL2kJ4hG6fD8sA0pO1iU3yT5r0a1B2c';

const formEncode = (value: string): string => encodeURIComponent(value).replace(/%20/g, '+');
const basic = (id: string, secret: string): string =>
  `Basic ${Buffer.from(`${formEncode(id)}:${formEncode(secret)}`, 'utf8').toString('base64')}`;
const form = (params: Record<string, string>): string =>
  Object.entries(params)
    .map(([k, v]) => `${formEncode(k)}=${formEncode(v)}`)
    .join('&');

describe('parseTokenRequest', () => {
  it('should accept client_secret_basic', () => {
    const result = parseTokenRequest({
      contentType: FORM,
      authorization: basic(ID, SECRET),
      body: 'grant_type=client_credentials',
    });

    expect(result).toEqual({ ok: true, clientId: ID, clientSecret: SECRET, method: 'client_secret_basic' });
  });

  it('should accept client_secret_post with a scope', () => {
    const result = parseTokenRequest({
      contentType: `${FORM}; charset=UTF-8`,
      body: form({
        grant_type: 'client_credentials',
        client_id: ID,
        client_secret: SECRET,
        scope: 'scim users:read',
      }),
    });

    expect(result).toEqual({
      ok: true,
      clientId: ID,
      clientSecret: SECRET,
      method: 'client_secret_post',
      scope: 'scim users:read',
    });
  });

  it('should form-decode the Basic parts (RFC 6749 §2.3.1)', () => {
    const header = `Basic ${Buffer.from('my+client%3Aid:p%40ss+w%C3%B6rd%3A').toString('base64')}`;

    const result = parseTokenRequest({
      contentType: FORM,
      authorization: header,
      body: 'grant_type=client_credentials',
    });

    expect(result).toMatchObject({ ok: true, clientId: 'my client:id', clientSecret: 'p@ss wörd:' });
  });

  it('should accept a matching client_id in the body alongside Basic', () => {
    const result = parseTokenRequest({
      contentType: FORM,
      authorization: basic(ID, SECRET),
      body: form({ grant_type: 'client_credentials', client_id: ID }),
    });

    expect(result).toMatchObject({ ok: true, method: 'client_secret_basic' });
  });

  it('should treat empty parameters as omitted', () => {
    const result = parseTokenRequest({
      contentType: FORM,
      authorization: basic(ID, SECRET),
      body: 'grant_type=client_credentials&scope=&client_secret=&&',
    });

    expect(result).toEqual({ ok: true, clientId: ID, clientSecret: SECRET, method: 'client_secret_basic' });
  });

  it('should ignore unknown parameters', () => {
    const result = parseTokenRequest({
      contentType: FORM,
      authorization: basic(ID, SECRET),
      body: 'grant_type=client_credentials&resource=https%3A%2F%2Fexample.com&__proto__=x',
    });

    expect(result).toMatchObject({ ok: true });
  });

  const post = form({ grant_type: 'client_credentials', client_id: ID, client_secret: SECRET });
  it.each<[string, TokenRequestInput, Partial<TokenRequestResult>]>([
    ['a missing content type', { body: post }, { status: 400, error: 'invalid_request' }],
    [
      'a JSON body',
      { contentType: 'application/json', body: post },
      { status: 400, error: 'invalid_request' },
    ],
    [
      'multipart',
      { contentType: 'multipart/form-data; boundary=x', body: post },
      { error: 'invalid_request' },
    ],
    [
      'another charset',
      { contentType: `${FORM}; charset=ISO-8859-1`, body: post },
      { error: 'invalid_request' },
    ],
    ['bad percent-encoding', { contentType: FORM, body: `${post}&x=%ZZ` }, { error: 'invalid_request' }],
    [
      'a repeated parameter',
      { contentType: FORM, body: `${post}&grant_type=client_credentials` },
      { error: 'invalid_request', description: 'the grant_type parameter is repeated' },
    ],
    [
      'a repeated empty parameter',
      { contentType: FORM, body: `${post}&scope=&scope=` },
      { error: 'invalid_request' },
    ],
    [
      'a repeated unknown parameter',
      { contentType: FORM, body: `${post}&x=1&x=2` },
      { error: 'invalid_request', description: 'a parameter is repeated' },
    ],
    [
      'a body over 16 KB',
      { contentType: FORM, body: `${post}&pad=${'a'.repeat(16 * 1024)}` },
      { error: 'invalid_request' },
    ],
    [
      'a missing grant_type',
      { contentType: FORM, body: form({ client_id: ID, client_secret: SECRET }) },
      { status: 400, error: 'invalid_request' },
    ],
    [
      'another grant_type',
      { contentType: FORM, body: form({ grant_type: 'password', client_id: ID, client_secret: SECRET }) },
      { status: 400, error: 'unsupported_grant_type' },
    ],
    [
      'the authorization_code grant',
      { contentType: FORM, body: 'grant_type=authorization_code&code=x' },
      { error: 'unsupported_grant_type' },
    ],
    [
      'both Basic and a body secret',
      { contentType: FORM, authorization: basic(ID, SECRET), body: post },
      { status: 400, error: 'invalid_request', method: 'client_secret_basic' },
    ],
    [
      'a body client_id that differs from Basic',
      {
        contentType: FORM,
        authorization: basic(ID, SECRET),
        body: form({ grant_type: 'client_credentials', client_id: 'other' }),
      },
      { status: 400, error: 'invalid_request' },
    ],
    [
      'no client credentials',
      { contentType: FORM, body: 'grant_type=client_credentials' },
      { status: 401, error: 'invalid_client' },
    ],
    [
      'a client_id without a secret',
      { contentType: FORM, body: form({ grant_type: 'client_credentials', client_id: ID }) },
      { status: 401, error: 'invalid_client', method: 'client_secret_post' },
    ],
    [
      'a secret without a client_id',
      { contentType: FORM, body: form({ grant_type: 'client_credentials', client_secret: SECRET }) },
      { status: 401, error: 'invalid_client', method: 'client_secret_post' },
    ],
    [
      'malformed Basic',
      { contentType: FORM, authorization: 'Basic !!!', body: 'grant_type=client_credentials' },
      { status: 401, error: 'invalid_client', method: 'client_secret_basic' },
    ],
    [
      'Basic without a colon',
      {
        contentType: FORM,
        authorization: `Basic ${Buffer.from(ID).toString('base64')}`,
        body: 'grant_type=client_credentials',
      },
      { status: 401, error: 'invalid_client', method: 'client_secret_basic' },
    ],
    [
      'bad percent-encoding inside Basic',
      {
        contentType: FORM,
        authorization: `Basic ${Buffer.from('a%zz:b').toString('base64')}`,
        body: 'grant_type=client_credentials',
      },
      { status: 401, error: 'invalid_client', method: 'client_secret_basic' },
    ],
    [
      'a Bearer header',
      { contentType: FORM, authorization: 'Bearer abc', body: post },
      { status: 401, error: 'invalid_client' },
    ],
    [
      'an unknown scheme',
      { contentType: FORM, authorization: 'Digest x=y', body: post },
      { status: 401, error: 'invalid_client' },
    ],
    [
      'a scope with a quote',
      { contentType: FORM, body: `${post}&scope=%22users%22` },
      { status: 400, error: 'invalid_scope' },
    ],
    [
      'a scope with two spaces',
      { contentType: FORM, body: `${post}&scope=a++b` },
      { status: 400, error: 'invalid_scope' },
    ],
  ])('should reject %s', (_name, input, expected) => {
    const result = parseTokenRequest(input);

    expect(result).toMatchObject({ ok: false, ...expected });
  });

  it('should not echo request values in descriptions', () => {
    const result = parseTokenRequest({ contentType: FORM, body: 'grant_type=%3Cevil%3Ex' });

    expect(result).toMatchObject({ ok: false, error: 'unsupported_grant_type' });
    expect(JSON.stringify(result)).not.toContain('evil');
  });

  it('should never throw for arbitrary input', () => {
    const text = fc.oneof(fc.string({ maxLength: 120 }), fc.string({ unit: 'binary', maxLength: 60 }));
    const input = fc.record(
      {
        contentType: fc.oneof(fc.constant(FORM), fc.constant(`${FORM};charset=utf-8`), text),
        authorization: fc.oneof(
          text,
          text.map((s) => `Basic ${Buffer.from(s).toString('base64')}`),
          fc.tuple(text, text).map(([a, b]) => basic(a, b)),
        ),
        body: fc.oneof(text, fc.dictionary(text, text).map(form)),
      },
      { requiredKeys: ['body'] },
    );

    fc.assert(
      fc.property(input, (value) => {
        const token = parseTokenRequest(value);
        const revocation = parseRevocationRequest(value);

        expect(typeof token.ok).toBe('boolean');
        expect(typeof revocation.ok).toBe('boolean');
      }),
      { numRuns: 500 },
    );
  });

  it('should round-trip any client id and secret through both methods', () => {
    const value = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 });
    const scopeToken = fc.string({
      unit: fc.constantFrom(...'abcXYZ09:._-/!#~'.split('')),
      minLength: 1,
      maxLength: 10,
    });
    const scope = fc.option(
      fc.array(scopeToken, { minLength: 1, maxLength: 4 }).map((s) => s.join(' ')),
      {
        nil: undefined,
      },
    );

    fc.assert(
      fc.property(value, value, scope, (clientId, clientSecret, scopeValue) => {
        const extra: Record<string, string> = scopeValue === undefined ? {} : { scope: scopeValue };
        const expected =
          scopeValue === undefined
            ? { clientId, clientSecret }
            : { clientId, clientSecret, scope: scopeValue };

        const viaPost = parseTokenRequest({
          contentType: FORM,
          body: form({
            grant_type: 'client_credentials',
            client_id: clientId,
            client_secret: clientSecret,
            ...extra,
          }),
        });
        const viaBasic = parseTokenRequest({
          contentType: FORM,
          authorization: basic(clientId, clientSecret),
          body: form({ grant_type: 'client_credentials', ...extra }),
        });

        expect(viaPost).toEqual({ ok: true, method: 'client_secret_post', ...expected });
        expect(viaBasic).toEqual({ ok: true, method: 'client_secret_basic', ...expected });
      }),
      { numRuns: 300 },
    );
  });
});

describe('parseRevocationRequest', () => {
  it('should read the token, the hint and Basic client authentication', () => {
    const result = parseRevocationRequest({
      contentType: FORM,
      authorization: basic(ID, SECRET),
      body: form({ token: 'scga_abc', token_type_hint: 'access_token' }),
    });

    expect(result).toEqual({
      ok: true,
      token: 'scga_abc',
      tokenTypeHint: 'access_token',
      clientId: ID,
      clientSecret: SECRET,
      method: 'client_secret_basic',
    });
  });

  it('should accept client_secret_post without a hint', () => {
    const result = parseRevocationRequest({
      contentType: FORM,
      body: form({ token: 'scga_abc', client_id: ID, client_secret: SECRET }),
    });

    expect(result).toEqual({
      ok: true,
      token: 'scga_abc',
      clientId: ID,
      clientSecret: SECRET,
      method: 'client_secret_post',
    });
  });

  it.each<[string, TokenRequestInput, object]>([
    [
      'a missing token',
      { contentType: FORM, authorization: basic(ID, SECRET), body: '' },
      { status: 400, error: 'invalid_request' },
    ],
    [
      'an empty token',
      { contentType: FORM, authorization: basic(ID, SECRET), body: 'token=' },
      { status: 400, error: 'invalid_request' },
    ],
    [
      'a repeated token',
      { contentType: FORM, authorization: basic(ID, SECRET), body: 'token=a&token=b' },
      { status: 400, error: 'invalid_request' },
    ],
    [
      'a JSON body',
      { contentType: 'application/json', authorization: basic(ID, SECRET), body: '{"token":"a"}' },
      { status: 400, error: 'invalid_request' },
    ],
    [
      'no client authentication',
      { contentType: FORM, body: 'token=a' },
      { status: 401, error: 'invalid_client' },
    ],
    [
      'both methods',
      {
        contentType: FORM,
        authorization: basic(ID, SECRET),
        body: form({ token: 'a', client_secret: SECRET }),
      },
      { status: 400, error: 'invalid_request' },
    ],
  ])('should reject %s', (_name, input, expected) => {
    expect(parseRevocationRequest(input)).toMatchObject({ ok: false, ...expected });
  });
});

describe('tokenErrorResponse', () => {
  it('should build a 400 RFC 6749 §5.2 body that is never cached', () => {
    const response = tokenErrorResponse({
      error: 'unsupported_grant_type',
      description: 'only client_credentials',
    });

    expect(response.status).toBe(400);
    expect(JSON.parse(response.body)).toEqual({
      error: 'unsupported_grant_type',
      error_description: 'only client_credentials',
    });
    expect(response.headers).toEqual({
      'content-type': 'application/json;charset=UTF-8',
      'cache-control': 'no-store',
      pragma: 'no-cache',
    });
  });

  it('should challenge with Basic on invalid_client when the client used Basic', () => {
    const response = tokenErrorResponse({
      error: 'invalid_client',
      description: 'bad',
      method: 'client_secret_basic',
    });

    expect(response.status).toBe(401);
    expect(response.headers['www-authenticate']).toBe('Basic realm="scimgate", charset="UTF-8"');
    expect(response.headers['cache-control']).toBe('no-store');
  });

  it('should challenge with Bearer on invalid_client otherwise', () => {
    const response = tokenErrorResponse({ error: 'invalid_client', description: 'say "no"' });

    expect(response.status).toBe(401);
    expect(response.headers['www-authenticate']).toBe(
      'Bearer realm="scimgate", error="invalid_client", error_description="say \\"no\\""',
    );
    expect(JSON.parse(response.body)).toEqual({ error: 'invalid_client', error_description: 'say "no"' });
  });

  it('should pass a parser failure straight through', () => {
    const failure = parseTokenRequest({
      contentType: FORM,
      authorization: 'Basic !!!',
      body: 'grant_type=client_credentials',
    });
    if (failure.ok) throw new Error('expected a failure');

    const response = tokenErrorResponse(failure);

    expect(response.status).toBe(failure.status);
    expect(response.headers['www-authenticate']).toMatch(/^Basic /);
  });

  it('should leave error_description out when there is none', () => {
    expect(JSON.parse(tokenErrorResponse({ error: 'invalid_scope' }).body)).toEqual({
      error: 'invalid_scope',
    });
  });
});

describe('tokenSuccessResponse', () => {
  it('should build an RFC 6749 §5.1 body without a refresh token, never cached', () => {
    const response = tokenSuccessResponse({ accessToken: 'scga_x', expiresInSeconds: 3600, scope: 'scim' });

    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toEqual({
      access_token: 'scga_x',
      token_type: 'Bearer',
      expires_in: 3600,
      scope: 'scim',
    });
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.headers.pragma).toBe('no-cache');
  });
});
