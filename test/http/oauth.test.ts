/**
 * The OAuth 2.0 token and revocation endpoints over HTTP (local server → Lambda handler → oauthFunction), as
 * Entra's "OAuth2 client credentials grant" uses them, and the access token on SCIM routes. Plus the edge's
 * failure mapping with stubbed services.
 */
import { jest } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { ScimError } from '../../shared/scim/errors';
import type { Credential } from '../../shared/domain/credential-model';
import { oauthFamily, type OAuthEdgeDeps } from '../../shared/http/oauth-edge';
import { familyHandler } from '../support/invoke';
import { StorageUnavailable } from '../../shared/domain/storage-errors';
import type { HttpRequest } from '../../shared/http/types';
import { startHarness, type Harness, type TestResponse } from '../support/harness';

const FORM = 'application/x-www-form-urlencoded';
const ENTRA_UA = 'Microsoft Azure Active Directory SCIM Provisioning Client';
const LIST_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
const TOKEN_ERRORS = [
  'invalid_request',
  'invalid_client',
  'invalid_grant',
  'unauthorized_client',
  'unsupported_grant_type',
  'invalid_scope',
  'temporarily_unavailable',
];

interface Client {
  tenantId: string;
  credentialId: string;
  clientId: string;
  secret: string;
  tokenPath: string;
  revokePath: string;
  scimPath: string;
}

let h: Harness;
/** Every secret and token this file saw: none may appear in a log line. */
const sensitive: string[] = [];

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

const formEncode = (value: string): string => encodeURIComponent(value).replace(/%20/g, '+');
const form = (params: Record<string, string>): string =>
  Object.entries(params)
    .map(([k, v]) => `${formEncode(k)}=${formEncode(v)}`)
    .join('&');
const basic = (id: string, secret: string): string =>
  `Basic ${Buffer.from(`${formEncode(id)}:${formEncode(secret)}`, 'utf8').toString('base64')}`;

/** A fresh tenant with one oauth-client credential, issued as the management API would. */
async function newClient(
  options: { accessTokenTtlSeconds?: number; tenantId?: string } = {},
): Promise<Client> {
  const tenantId = options.tenantId ?? `oa-${randomUUID().slice(0, 8)}`;
  await h.container.credentials.ensureTenant(tenantId, tenantId);
  const issued = await h.container.credentials.issue(
    tenantId,
    {
      kind: 'oauth-client',
      name: 'entra',
      ...(options.accessTokenTtlSeconds ? { accessTokenTtlSeconds: options.accessTokenTtlSeconds } : {}),
    },
    { actor: 'test', origin: h.server.origin },
  );
  sensitive.push(issued.secret);
  const { clientId = '', tokenEndpoint = '', scimBaseUrl = '' } = issued.connection;
  const tokenPath = new URL(tokenEndpoint).pathname;
  return {
    tenantId,
    credentialId: issued.credential.id,
    clientId,
    secret: issued.secret,
    tokenPath,
    revokePath: tokenPath.replace(/\/token$/, '/revoke'),
    scimPath: new URL(scimBaseUrl).pathname,
  };
}

function post(path: string, body: string, headers: Record<string, string> = {}): Promise<TestResponse> {
  return h.request('POST', path, {
    token: null,
    rawBody: body,
    headers: { 'content-type': FORM, 'user-agent': ENTRA_UA, ...headers },
  });
}

/** The token request Entra sends with the credentials in an Authorization: Basic header. */
function tokenByBasic(client: Client, secret = client.secret, extra: Record<string, string> = {}) {
  return post(client.tokenPath, form({ grant_type: 'client_credentials', ...extra }), {
    authorization: basic(client.clientId, secret),
  });
}

/** The token request with the credentials in the form body. */
function tokenByPost(client: Client, secret = client.secret) {
  return post(
    client.tokenPath,
    form({ grant_type: 'client_credentials', client_id: client.clientId, client_secret: secret }),
  );
}

async function accessToken(client: Client): Promise<string> {
  const res = await tokenByBasic(client);
  expect(res.status).toBe(200);
  sensitive.push(res.body.access_token);
  return res.body.access_token as string;
}

function revoke(client: Client, token: string, secret = client.secret) {
  return post(client.revokePath, form({ token, token_type_hint: 'access_token' }), {
    authorization: basic(client.clientId, secret),
  });
}

/** Entra's Test connection: a filter on a random GUID, expecting 200 and an empty list. */
function testConnection(client: Client, token: string, scimPath = client.scimPath) {
  const filter = encodeURIComponent(`userName eq "${randomUUID()}"`);
  return h.request('GET', `${scimPath}/Users?filter=${filter}`, {
    token,
    headers: { 'user-agent': ENTRA_UA, accept: 'application/scim+json' },
  });
}

function expectNoStore(res: TestResponse): void {
  expect(res.headers.get('cache-control')).toBe('no-store');
  expect(res.headers.get('pragma')).toBe('no-cache');
}

describe('POST /oauth/{tenant}/token', () => {
  let client: Client;
  beforeAll(async () => {
    client = await newClient();
  });

  it('should issue an access token for client_secret_basic', async () => {
    const res = await tokenByBasic(client);

    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expectNoStore(res);
    expect(res.body).toEqual({ access_token: expect.any(String), token_type: 'Bearer', expires_in: 3600 });
    expect(res.body).not.toHaveProperty('refresh_token');
    sensitive.push(res.body.access_token);
  });

  it('should issue an access token for client_secret_post', async () => {
    const res = await tokenByPost(client);

    expect(res.status).toBe(200);
    expectNoStore(res);
    expect(res.body).toEqual({ access_token: expect.any(String), token_type: 'Bearer', expires_in: 3600 });
    sensitive.push(res.body.access_token);
  });

  it('should issue an RFC 9068 JWT for the client, tenant and credential', async () => {
    const token = await accessToken(client);

    expect(decodeProtectedHeader(token)).toMatchObject({ alg: 'HS256', typ: 'at+jwt' });
    expect(decodeJwt(token)).toMatchObject({
      iss: `${h.server.origin}/oauth/${client.tenantId}`,
      aud: `scimgate:${client.tenantId}`,
      sub: client.clientId,
      client_id: client.clientId,
      tid: client.tenantId,
      cid: client.credentialId,
    });
  });

  it('should use the credential access token lifetime', async () => {
    const long = await newClient({ accessTokenTtlSeconds: 7200 });

    const res = await tokenByPost(long);

    expect(res.status).toBe(200);
    expect(res.body.expires_in).toBe(7200);
    const claims = decodeJwt(res.body.access_token);
    expect((claims.exp ?? 0) - (claims.iat ?? 0)).toBe(7200);
    sensitive.push(res.body.access_token);
  });

  it('should answer the granted scope when the client asks for one', async () => {
    const res = await tokenByBasic(client, client.secret, { scope: 'scim' });

    expect(res.status).toBe(200);
    expect(res.body.scope).toBe('users:read users:write groups:read groups:write');
    sensitive.push(res.body.access_token);
  });

  it('should accept charset=UTF-8 on the content type', async () => {
    const res = await post(client.tokenPath, form({ grant_type: 'client_credentials' }), {
      'content-type': `${FORM}; charset=UTF-8`,
      authorization: basic(client.clientId, client.secret),
    });

    expect(res.status).toBe(200);
    sensitive.push(res.body.access_token);
  });

  it('should refuse Basic and client_secret in the body at once with 400 invalid_request', async () => {
    const res = await post(
      client.tokenPath,
      form({ grant_type: 'client_credentials', client_id: client.clientId, client_secret: client.secret }),
      { authorization: basic(client.clientId, client.secret) },
    );

    expect(res.status).toBe(400);
    expect(res.body.error).toBe('invalid_request');
    expectNoStore(res);
  });

  it('should refuse a wrong secret sent with Basic with 401 invalid_client and a Basic challenge', async () => {
    const wrong = `${client.secret.slice(0, -6)}AAAAAA`;

    const res = await tokenByBasic(client, wrong);

    expect(res.status).toBe(401);
    expect(res.body).toEqual({ error: 'invalid_client', error_description: expect.any(String) });
    expect(res.headers.get('www-authenticate')).toMatch(/^Basic realm="[^"]+", charset="UTF-8"$/);
    expectNoStore(res);
    expect(res.text).not.toContain(wrong);
  });

  it('should refuse a wrong secret sent in the body with 401 invalid_client and a challenge', async () => {
    const res = await tokenByPost(client, 'not-a-secret');

    expect(res.status).toBe(401);
    expect(res.body.error).toBe('invalid_client');
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer realm="[^"]+", error="invalid_client"/);
  });

  it('should refuse an unknown client id with the right secret', async () => {
    const res = await post(client.tokenPath, form({ grant_type: 'client_credentials' }), {
      authorization: basic('scgi_unknownclient000000000', client.secret),
    });

    expect(res.status).toBe(401);
    expect(res.body.error).toBe('invalid_client');
  });

  it('should refuse a client of another tenant (same answer as unknown)', async () => {
    const other = await newClient();

    const res = await post(other.tokenPath, form({ grant_type: 'client_credentials' }), {
      authorization: basic(client.clientId, client.secret),
    });

    expect(res.status).toBe(401);
    expect(res.body.error).toBe('invalid_client');
  });

  it('should refuse a request without client authentication with 401', async () => {
    const res = await post(client.tokenPath, form({ grant_type: 'client_credentials' }));

    expect(res.status).toBe(401);
    expect(res.body.error).toBe('invalid_client');
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer /);
  });

  it('should refuse another grant type with 400 unsupported_grant_type', async () => {
    const res = await post(client.tokenPath, form({ grant_type: 'password', username: 'a', password: 'b' }), {
      authorization: basic(client.clientId, client.secret),
    });

    expect(res.status).toBe(400);
    expect(res.body.error).toBe('unsupported_grant_type');
  });

  it('should refuse a missing grant type with 400 invalid_request', async () => {
    const res = await post(client.tokenPath, '', { authorization: basic(client.clientId, client.secret) });

    expect(res.status).toBe(400);
    expect(res.body.error).toBe('invalid_request');
  });

  it('should refuse a JSON body with 400 invalid_request', async () => {
    const res = await post(
      client.tokenPath,
      JSON.stringify({
        grant_type: 'client_credentials',
        client_id: client.clientId,
        client_secret: client.secret,
      }),
      { 'content-type': 'application/json' },
    );

    expect(res.status).toBe(400);
    expect(res.body.error).toBe('invalid_request');
    expectNoStore(res);
    expect(res.text).not.toContain(client.secret);
  });

  it('should refuse GET', async () => {
    const res = await h.request('GET', client.tokenPath, { token: null });

    expect(res.status).toBe(405);
  });

  it('should stop issuing tokens to a revoked credential', async () => {
    const revoked = await newClient();
    await h.container.credentials.revoke(revoked.tenantId, revoked.credentialId, 'test');

    const res = await tokenByBasic(revoked);

    expect(res.status).toBe(401);
    expect(res.body.error).toBe('invalid_client');
  });

  it('should answer 429 with Retry-After after too many failures from one source', async () => {
    const target = await newClient();
    let res: TestResponse | undefined;

    for (let i = 0; i < 40 && res?.status !== 429; i += 1) {
      res = await tokenByBasic(target, `${target.secret.slice(0, -6)}${String(i).padStart(6, 'A')}`);
    }

    expect(res?.status).toBe(429);
    expect(Number(res?.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(res?.body.error).toBe('temporarily_unavailable');
    expectNoStore(res as TestResponse);
  }, 30_000);

  it('should never answer 500 to arbitrary form bodies and headers', async () => {
    const target = await newClient();
    const printable = fc.string({ maxLength: 60 }).map((s) => s.replace(/[^\x20-\x7e]/g, '').trim());
    const knownName = fc.constantFrom('grant_type', 'client_id', 'client_secret', 'scope', 'token', 'x');
    const value = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.constantFrom('client_credentials', target.clientId, target.secret, '%', '%zz', '+', ''),
    );
    const extras = fc.dictionary(knownName, value, { maxKeys: 3 });
    const body = fc.oneof(
      fc.string({ maxLength: 200 }),
      extras.map(form),
      fc
        .array(fc.tuple(knownName, value), { maxLength: 6 })
        .map((pairs) => pairs.map(([k, v]) => `${k}=${v}`).join('&')),
      // A valid request with arbitrary extra parameters (which may override or conflict).
      { weight: 3, arbitrary: extras.map((extra) => form({ grant_type: 'client_credentials', ...extra })) },
    );
    const contentType = fc.oneof(
      { weight: 4, arbitrary: fc.constant(FORM) },
      fc.constantFrom(`${FORM}; charset=utf-8`, `${FORM}; charset=latin1`, 'application/json', 'text/plain'),
      printable,
    );
    const authorization = fc.oneof(
      fc.constant(undefined),
      { weight: 4, arbitrary: fc.constant(basic(target.clientId, target.secret)) },
      fc.tuple(fc.string({ maxLength: 30 }), fc.string({ maxLength: 30 })).map(([a, b]) => basic(a, b)),
      printable.map((s) => `Basic ${s}`),
      printable.map((s) => `Bearer ${s}`),
      printable,
    );
    const path = fc.constantFrom(target.tokenPath, target.revokePath);
    const seen = new Set<number>();

    await fc.assert(
      fc.asyncProperty(path, body, contentType, authorization, async (p, b, ct, auth) => {
        const headers: Record<string, string> = { 'content-type': ct };
        if (auth !== undefined && auth !== '') headers.authorization = auth;

        const res = await post(p, b, headers);

        seen.add(res.status);
        expect(res.status).not.toBeGreaterThanOrEqual(500);
        expectNoStore(res);
        const error: unknown = res.body?.error;
        expect(res.status === 200 || TOKEN_ERRORS.includes(String(error))).toBe(true);
        expect(res.status !== 401 || res.headers.get('www-authenticate') !== null).toBe(true);
        if (res.body?.access_token) sensitive.push(res.body.access_token);
      }),
      { numRuns: 200 },
    );
    // The inputs reach both the parser's refusals and the service (success and refusal).
    expect([...seen]).toEqual(expect.arrayContaining([200, 400, 401]));
  }, 60_000);
});

describe('POST /oauth/{tenant}/revoke (RFC 7009)', () => {
  it('should answer 200 for an unknown or malformed token', async () => {
    const client = await newClient();

    const garbage = await revoke(client, 'not-a-token');
    const jwtShaped = await revoke(client, 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln');

    expect(garbage.status).toBe(200);
    expect(jwtShaped.status).toBe(200);
    expectNoStore(garbage);
  });

  it('should make the revoked token unusable at once', async () => {
    const client = await newClient();
    const token = await accessToken(client);
    expect((await testConnection(client, token)).status).toBe(200);

    const res = await revoke(client, token);

    expect(res.status).toBe(200);
    const after = await testConnection(client, token);
    expect(after.status).toBe(401);
    expect(after.headers.get('www-authenticate')).toMatch(/^Bearer .*error="invalid_token"/);
  });

  it('should answer 200 again when the token is revoked twice', async () => {
    const client = await newClient();
    const token = await accessToken(client);

    const first = await revoke(client, token);
    const second = await revoke(client, token);

    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
  });

  it('should accept client_secret_post', async () => {
    const client = await newClient();
    const token = await accessToken(client);

    const res = await post(
      client.revokePath,
      form({ token, client_id: client.clientId, client_secret: client.secret }),
    );

    expect(res.status).toBe(200);
    expect((await testConnection(client, token)).status).toBe(401);
  });

  it('should refuse a token of another client of the same tenant and leave it valid', async () => {
    const owner = await newClient();
    const tenantId = owner.tenantId;
    const other = await newClient({ tenantId });
    const token = await accessToken(owner);

    const res = await revoke(other, token);

    expect(res.status).toBe(400);
    expect(res.body.error).toBe('unauthorized_client');
    expect((await testConnection(owner, token)).status).toBe(200);
  });

  it('should answer 200 and do nothing for a token of another tenant', async () => {
    const owner = await newClient();
    const stranger = await newClient();
    const token = await accessToken(owner);

    const res = await revoke(stranger, token);

    expect(res.status).toBe(200);
    expect((await testConnection(owner, token)).status).toBe(200);
  });

  it('should require client authentication', async () => {
    const client = await newClient();
    const token = await accessToken(client);

    const wrong = await revoke(client, token, `${client.secret.slice(0, -6)}AAAAAA`);
    const none = await post(client.revokePath, form({ token }));
    const missing = await post(client.revokePath, '', {
      authorization: basic(client.clientId, client.secret),
    });

    expect(wrong.status).toBe(401);
    expect(wrong.body.error).toBe('invalid_client');
    expect(wrong.headers.get('www-authenticate')).toMatch(/^Basic /);
    expect(none.status).toBe(401);
    expect(missing.status).toBe(400);
    expect(missing.body.error).toBe('invalid_request');
    expect((await testConnection(client, token)).status).toBe(200);
  });
});

describe('access tokens on SCIM routes (Entra OAuth2 client credentials grant)', () => {
  it('should pass Test connection and provision a user with the access token', async () => {
    const client = await newClient();
    const token = await accessToken(client);

    const probe = await testConnection(client, token);
    const created = await h.request('POST', `${client.scimPath}/Users`, {
      token,
      body: { schemas: [USER_SCHEMA], userName: `ada-${randomUUID()}@example.com`, active: true },
      headers: { 'user-agent': ENTRA_UA },
    });

    expect(probe.status).toBe(200);
    expect(probe.body).toEqual({
      schemas: [LIST_SCHEMA],
      totalResults: 0,
      itemsPerPage: 0,
      startIndex: 1,
      Resources: [],
    });
    expect(created.status).toBe(201);
  });

  it('should accept a token obtained with client_secret_post', async () => {
    const client = await newClient();
    const res = await tokenByPost(client);
    sensitive.push(res.body.access_token);

    const probe = await testConnection(client, res.body.access_token);

    expect(probe.status).toBe(200);
  });

  it('should refuse the token on another tenant', async () => {
    const client = await newClient();
    const stranger = await newClient();
    const token = await accessToken(client);

    const res = await testConnection(client, token, stranger.scimPath);

    expect(res.status).toBe(401);
  });

  it('should refuse a tampered token', async () => {
    const client = await newClient();
    const token = await accessToken(client);
    const [header, payload = '', signature] = token.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    const forged = Buffer.from(JSON.stringify({ ...claims, exp: claims.exp + 86_400 })).toString('base64url');

    const res = await testConnection(client, `${header}.${forged}.${signature}`);

    expect(res.status).toBe(401);
  });

  it('should stop the access token at once when the credential is revoked', async () => {
    const client = await newClient();
    const token = await accessToken(client);
    expect((await testConnection(client, token)).status).toBe(200);

    await h.container.credentials.revoke(client.tenantId, client.credentialId, 'test');

    expect((await testConnection(client, token)).status).toBe(401);
  });

  it('should not accept the client secret itself as a bearer token', async () => {
    const client = await newClient();

    const res = await testConnection(client, client.secret);

    expect(res.status).toBe(401);
  });

  it('should never log a secret or a token', () => {
    const logged = JSON.stringify(h.logs);

    for (const value of sensitive) expect(logged).not.toContain(value);
  });
});

describe('the OAuth function with stubbed services', () => {
  const CLIENT_ID = 'scgi_4Vq2bT0mF7x1pLc9sKd3Aa';
  const SECRET = 'scgc_Zx8bQ1rT3mN5vB7cX9zL2kJ4hG6fD8sA0pO1iU3yT5r0a1B2c';
  const credential = {
    id: 'cred-1',
    tenantId: 'acme',
    kind: 'oauth-client',
    clientId: CLIENT_ID,
    roles: ['users:read'],
  } as unknown as Credential;

  function request(overrides: Partial<HttpRequest> = {}): HttpRequest {
    return {
      method: 'POST',
      path: '/oauth/acme/token',
      headers: { 'content-type': FORM, authorization: basic(CLIENT_ID, SECRET) },
      query: {},
      body: 'grant_type=client_credentials',
      sourceIp: '192.0.2.1',
      userAgent: ENTRA_UA,
      origin: 'https://internal.example',
      ...overrides,
    };
  }

  function deps(overrides: Partial<OAuthEdgeDeps> = {}) {
    const lines: unknown[] = [];
    const d: OAuthEdgeDeps = {
      credentials: {
        authenticateClient: jest.fn(async () => credential),
        revokeAccessTokens: jest.fn(async () => undefined),
      },
      accessTokens: {
        issue: jest.fn(async () => ({ token: 'header.payload.signature', expiresIn: 3600 })),
        verify: jest.fn(async () => undefined),
      },
      logger: { error: (...a) => lines.push(a), warn: (...a) => lines.push(a) },
      ...overrides,
    };
    return { d, lines };
  }

  it('should issue with the public base URL as issuer and the default lifetime', async () => {
    const { d } = deps({ publicBaseUrl: 'https://scim.example.com/' });

    const res = await familyHandler('oauthToken', oauthFamily(d), d.logger)(request());

    expect(res.status).toBe(200);
    expect(d.accessTokens.issue).toHaveBeenCalledWith({
      tenantId: 'acme',
      credentialId: 'cred-1',
      clientId: CLIENT_ID,
      ttlSeconds: 3600,
      issuer: 'https://scim.example.com/oauth/acme',
      audience: 'scimgate:acme',
    });
    expect(d.credentials.authenticateClient).toHaveBeenCalledWith('acme', CLIENT_ID, SECRET, {
      sourceIp: '192.0.2.1',
      userAgent: ENTRA_UA,
    });
  });

  it('should map a 429 from the service to 429 with its Retry-After', async () => {
    const { d } = deps();
    d.credentials.authenticateClient = jest.fn(async () => {
      throw new ScimError(429, 'slow down', undefined, { 'retry-after': '17' });
    });

    const res = await familyHandler('oauthToken', oauthFamily(d), d.logger)(request());

    expect(res.status).toBe(429);
    expect(res.headers['retry-after']).toBe('17');
    expect(JSON.parse(res.body ?? '{}').error).toBe('temporarily_unavailable');
  });

  it('should map storage throttling to 503 with Retry-After', async () => {
    const { d } = deps();
    d.credentials.authenticateClient = jest.fn(async () => {
      throw new StorageUnavailable('busy', 1); // what the adapter makes of DynamoDB's throttling
    });

    const res = await familyHandler('oauthToken', oauthFamily(d), d.logger)(request());

    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('1');
  });

  it('should answer 500 to an unexpected failure and log it without the secret', async () => {
    const { d, lines } = deps();
    d.credentials.authenticateClient = jest.fn(async () => {
      throw new Error(`boom while handling ${SECRET}`);
    });

    const res = await familyHandler('oauthToken', oauthFamily(d), d.logger)(request());

    expect(res.status).toBe(500);
    expect(JSON.parse(res.body ?? '{}')).toEqual({
      error: 'server_error',
      error_description: 'internal server error',
    });
    expect(lines).toHaveLength(1);
    expect(JSON.stringify(lines)).not.toContain(SECRET);
    expect(JSON.stringify(lines)).toContain('[redacted]');
  });

  it('should answer 500 without the token when revocation storage fails', async () => {
    const { d, lines } = deps();
    const token = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl';
    d.accessTokens.verify = jest.fn(async () => ({
      tenantId: 'acme',
      credentialId: 'cred-1',
      clientId: CLIENT_ID,
      issuedAt: new Date(),
      expiresAt: new Date(Date.now() + 3600_000),
    }));
    d.credentials.revokeAccessTokens = jest.fn(async () => {
      throw new Error(`cannot revoke ${token}`);
    });

    const res = await familyHandler(
      'oauthToken',
      oauthFamily(d),
      d.logger,
    )(request({ path: '/oauth/acme/revoke', body: `token=${token}` }));

    expect(res.status).toBe(500);
    expect(JSON.stringify(lines)).not.toContain(token);
  });

  it('should revoke at least one second past the token iat', async () => {
    const now = new Date('2026-03-01T12:00:00.250Z');
    const { d } = deps({ clock: { now: () => now } });
    const issuedAt = new Date('2026-03-01T12:00:00.000Z');
    d.accessTokens.verify = jest.fn(async () => ({
      tenantId: 'acme',
      credentialId: 'cred-1',
      clientId: CLIENT_ID,
      issuedAt,
      expiresAt: new Date(issuedAt.getTime() + 3600_000),
    }));

    const res = await familyHandler(
      'oauthToken',
      oauthFamily(d),
      d.logger,
    )(request({ path: '/oauth/acme/revoke', body: 'token=a.b.c' }));

    expect(res.status).toBe(200);
    expect(d.credentials.revokeAccessTokens).toHaveBeenCalledWith(
      'acme',
      'cred-1',
      new Date('2026-03-01T12:00:01.000Z'),
    );
  });

  it('should answer 404 invalid_request for a route it does not serve (a malformed tenant escape, a GET)', async () => {
    const { d } = deps();
    const handler = familyHandler('oauthToken', oauthFamily(d), d.logger);

    const notFound = await handler(request({ path: '/oauth/%E0%A4%A/token' }));
    const wrongMethod = await handler(request({ method: 'GET' }));

    expect([notFound.status, wrongMethod.status]).toEqual([404, 404]);
    expect(JSON.parse(wrongMethod.body ?? '{}')).toMatchObject({ error: 'invalid_request' });
  });
});

describe('bodies and Basic credentials that are not UTF-8', () => {
  const bad = Buffer.from([0xc3, 0x28, 0xff]);
  const raw = (path: string, body: Buffer, headers: Record<string, string> = {}) =>
    fetch(`${h.server.origin}${path}`, {
      method: 'POST',
      headers: { 'content-type': FORM, ...headers },
      body: new Uint8Array(body),
    });
  const basicBytes = (userPass: Buffer) => `Basic ${userPass.toString('base64')}`;

  it('should answer 400 invalid_request for a token or revocation body whose bytes are not UTF-8', async () => {
    const client = await newClient();
    const token = await raw(
      client.tokenPath,
      Buffer.concat([
        Buffer.from(`grant_type=client_credentials&client_id=${client.clientId}&client_secret=`),
        bad,
      ]),
    );
    const revocation = await raw(client.revokePath, Buffer.concat([Buffer.from('token='), bad]), {
      authorization: basic(client.clientId, client.secret),
    });

    for (const res of [token, revocation]) {
      expect(res.status).toBe(400);
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(await res.json()).toEqual({
        error: 'invalid_request',
        error_description: 'the request body is not valid UTF-8',
      });
    }
  });

  it('should answer 400 invalid_request for percent-encoded bytes that are not UTF-8', async () => {
    const client = await newClient();
    const res = await post(
      client.tokenPath,
      `grant_type=client_credentials&client_id=${client.clientId}&client_secret=%C3%28%FF`,
    );
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      error: 'invalid_request',
      error_description: 'the request body is not valid form encoding',
    });
  });

  it('should refuse Basic client credentials that are not UTF-8 as invalid_client, challenging with Basic', async () => {
    const client = await newClient();
    const res = await post(client.tokenPath, form({ grant_type: 'client_credentials' }), {
      authorization: basicBytes(Buffer.concat([Buffer.from(`${client.clientId}:`), bad])),
    });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Basic /);
    expect(res.body).toEqual({ error: 'invalid_client', error_description: 'malformed Basic credentials' });
  });

  it('should answer a SCIM request whose Basic credentials are not UTF-8 with the SCIM 401 error', async () => {
    const client = await newClient();
    const res = await h.request('GET', `${client.scimPath}/Users`, {
      token: null,
      headers: { authorization: basicBytes(Buffer.concat([Buffer.from('scgu_someone:'), bad])) },
    });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Basic /);
    expect(res.body).toMatchObject({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
      status: '401',
    });
  });
});
