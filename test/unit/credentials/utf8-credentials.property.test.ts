/**
 * Invalid UTF-8 in credentials and token requests, as properties over arbitrary bytes: the one strict decoder
 * (shared/utf8.ts) decides, for the raw body (flagged by shared/http/apigw.ts), for percent-encoded form values and
 * for the decoded user-pass of an HTTP Basic header. Bytes that are not UTF-8 are refused — a token request with
 * 400 invalid_request (RFC 6749 §5.2), a Basic header as malformed credentials — and valid text round-trips.
 */
import fc from 'fast-check';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { parseAuthorization } from '../../../shared/credentials/authorization';
import { parseRevocationRequest, parseTokenRequest } from '../../../shared/credentials/token-request';
import { fromApiGateway } from '../../../shared/http/apigw';
import { decodeUtf8 } from '../../../shared/utf8';

const FORM = 'application/x-www-form-urlencoded';
const ID = 'scgi_4Vq2bT0mF7x1pLc9sKd3Aa';
const SECRET = 'scgc_Zx8bQ1rT3mN5vB7cX9zL2kJ4hG6fD8sA0pO1iU3yT5r0a1B2c';

/** Bytes that are valid UTF-8 about half the time: text, mixed with the sequences a decoder must refuse. */
const bytes = fc.oneof(
  fc.uint8Array({ minLength: 1, maxLength: 40 }),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }).map((s) => new Uint8Array(Buffer.from(s))),
  fc
    .tuple(
      fc.string({ maxLength: 8 }),
      fc.constantFrom(
        [0xff],
        [0xc3, 0x28], // bad continuation
        [0xc0, 0xaf], // overlong '/'
        [0xed, 0xa0, 0x80], // UTF-16 surrogate
        [0xf4, 0x90, 0x80, 0x80], // above U+10FFFF
        [0xe2, 0x82], // truncated
        [0x80], // stray continuation
      ),
      fc.string({ maxLength: 8 }),
    )
    .map(([a, bad, b]) => new Uint8Array([...Buffer.from(a), ...bad, ...Buffer.from(b)])),
);
const isValid = (b: Uint8Array) => decodeUtf8(b) !== undefined;
const invalid = bytes.filter((b) => !isValid(b));
const valid = bytes.filter(isValid);
const percentEncode = (b: Uint8Array) => [...b].map((x) => `%${x.toString(16).padStart(2, '0')}`).join('');
const hex = (b: Uint8Array | string | undefined) =>
  b === undefined ? undefined : Buffer.from(b).toString('hex');

describe('decodeUtf8', () => {
  it('should decode exactly the byte strings that are UTF-8 encodings, and round-trip them', () => {
    fc.assert(
      fc.property(bytes, (b) => {
        const roundTrips = Buffer.from(Buffer.from(b).toString('utf8'), 'utf8').equals(Buffer.from(b));
        expect(hex(decodeUtf8(b))).toBe(roundTrips ? hex(b) : undefined);
      }),
      { numRuns: 500 },
    );
  });
});

const tokenEvent = (body: Uint8Array) =>
  ({
    version: '2.0',
    routeKey: 'POST /oauth/{tenant}/token',
    rawPath: '/oauth/acme/token',
    rawQueryString: '',
    headers: { 'content-type': FORM },
    requestContext: { http: { method: 'POST', sourceIp: '127.0.0.1' }, domainName: 'api.example' },
    body: Buffer.from(body).toString('base64'),
    isBase64Encoded: true,
  }) as unknown as APIGatewayProxyEventV2;

/** The parser input the OAuth edge builds from the request (shared/http/oauth-edge.ts). */
function tokenInput(secretBytes: Uint8Array) {
  const req = fromApiGateway(
    tokenEvent(
      new Uint8Array([
        ...Buffer.from(`grant_type=client_credentials&client_id=${ID}&client_secret=`),
        ...secretBytes,
      ]),
    ),
  );
  return { contentType: FORM, body: req.body ?? '', ...(req.invalidUtf8 ? { invalidUtf8: true } : {}) };
}

const NOT_UTF8 = {
  ok: false,
  status: 400,
  error: 'invalid_request',
  description: 'the request body is not valid UTF-8',
};
const NOT_FORM = {
  ok: false,
  status: 400,
  error: 'invalid_request',
  description: 'the request body is not valid form encoding',
};

describe('token requests with bytes that are not UTF-8', () => {
  it('should answer 400 invalid_request for a raw body that is not UTF-8, whatever it says', () => {
    fc.assert(
      fc.property(invalid, (value) => {
        const input = tokenInput(value);
        expect(input.invalidUtf8).toBe(true);
        expect(parseTokenRequest(input)).toEqual(NOT_UTF8);
        expect(parseRevocationRequest(input)).toEqual(NOT_UTF8);
      }),
      { numRuns: 300 },
    );
  });

  it('should read a raw body that is UTF-8 as its text', () => {
    fc.assert(
      fc.property(
        valid.filter((b) => !/[&=+%]/.test(Buffer.from(b).toString('utf8'))),
        (value) => {
          const input = tokenInput(value);
          expect(input.invalidUtf8).toBeUndefined();
          expect(parseTokenRequest(input)).toMatchObject({
            ok: true,
            clientId: ID,
            clientSecret: decodeUtf8(value),
          });
        },
      ),
      { numRuns: 300 },
    );
  });

  const parameter = fc.constantFrom('client_id', 'client_secret', 'scope', 'grant_type');
  const formWith = (name: string, value: Uint8Array) => {
    const params: Record<string, string> = {
      grant_type: 'client_credentials',
      client_id: encodeURIComponent(ID),
      client_secret: encodeURIComponent(SECRET),
    };
    params[name] = percentEncode(value);
    return Object.entries(params)
      .map(([k, v]) => `${k}=${v}`)
      .join('&');
  };

  it('should refuse percent-encoded bytes that are not UTF-8 in any parameter with 400 invalid_request', () => {
    fc.assert(
      fc.property(invalid, parameter, (value, name) => {
        const body = formWith(name, value);
        expect(parseTokenRequest({ contentType: FORM, body })).toEqual(NOT_FORM);
        expect(parseRevocationRequest({ contentType: FORM, body: `${body}&token=x` })).toEqual(NOT_FORM);
      }),
      { numRuns: 500 },
    );
  });

  it('should read percent-encoded UTF-8 client credentials as their text', () => {
    fc.assert(
      fc.property(valid, (value) => {
        expect(
          parseTokenRequest({ contentType: FORM, body: formWith('client_secret', value) }),
        ).toMatchObject({
          ok: true,
          clientSecret: decodeUtf8(value),
        });
        expect(parseTokenRequest({ contentType: FORM, body: formWith('client_id', value) })).toMatchObject({
          ok: true,
          clientId: decodeUtf8(value),
        });
      }),
      { numRuns: 300 },
    );
  });

  it('should refuse client_secret_basic whose decoded credentials are not UTF-8 as a failed client authentication', () => {
    fc.assert(
      fc.property(invalid, fc.boolean(), (value, inSecret) => {
        const userPass = inSecret
          ? new Uint8Array([...Buffer.from(`${ID}:`), ...value])
          : new Uint8Array([...value.filter((x) => x !== 0x3a), ...Buffer.from(`:${SECRET}`)]);
        fc.pre(!isValid(userPass));
        const authorization = `Basic ${Buffer.from(userPass).toString('base64')}`;
        // RFC 6749 §5.2: client authentication failed → 401 invalid_client, challenged with Basic.
        expect(
          parseTokenRequest({ contentType: FORM, authorization, body: 'grant_type=client_credentials' }),
        ).toEqual({
          ok: false,
          status: 401,
          error: 'invalid_client',
          description: 'malformed Basic credentials',
          method: 'client_secret_basic',
        });
      }),
      { numRuns: 500 },
    );
  });
});

describe('the Basic Authorization header', () => {
  const header = (user: Uint8Array, password: Uint8Array) =>
    `Basic ${Buffer.from(new Uint8Array([...user, 0x3a, ...password])).toString('base64')}`;

  it('should classify decoded credentials that are not UTF-8 as malformed (invalid-utf8)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.tuple(invalid, bytes), fc.tuple(bytes, invalid)), ([user, password]) => {
        expect(parseAuthorization(header(user, password))).toEqual({
          kind: 'malformed',
          reason: 'invalid-utf8',
          scheme: 'basic',
        });
      }),
      { numRuns: 500 },
    );
  });

  it('should never call UTF-8 credentials invalid-utf8, and read them exactly when they are well-formed', () => {
    fc.assert(
      fc.property(valid, valid, (user, password) => {
        const attempt = parseAuthorization(header(user, password));
        expect(attempt).not.toMatchObject({ reason: 'invalid-utf8' });
        const text = `${decodeUtf8(user)}:${decodeUtf8(password)}`;
        expect(attempt.kind === 'basic' ? `${attempt.username}:${attempt.password}` : text).toBe(text);
      }),
      { numRuns: 500 },
    );
  });
});
