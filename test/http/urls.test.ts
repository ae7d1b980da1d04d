/**
 * Generated URLs (Location, meta.location, $ref, connection details) come from configuration or the domain the
 * server itself answers on, never from the client's Host or X-Forwarded-Proto headers.
 */
import { request as httpRequest } from 'node:http';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { fromApiGateway } from '../../shared/http/apigw';
import { issuedSecrets, startHarness, type Harness } from '../support/harness';
import {
  startManagementHarness,
  TEST_ADMIN_KEY,
  type ManagementHarness,
} from '../support/management-harness';

const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const HOSTILE = { host: 'evil.example', 'x-forwarded-proto': 'javascript' };

let h: Harness;
let m: ManagementHarness;
beforeAll(async () => {
  [h, m] = await Promise.all([startHarness({ tenantId: 'urls' }), startManagementHarness()]);
});
afterAll(async () => {
  await Promise.all([h.close(), m.close()]);
});

interface Raw {
  status: number;
  location: string | undefined;
  text: string;
}

/** node:http, because fetch does not let a client choose its Host header. */
function raw(origin: string, method: string, path: string, headers: Record<string, string>, body?: unknown) {
  return new Promise<Raw>((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = httpRequest(
      `${origin}${path}`,
      {
        method,
        headers: {
          ...headers,
          ...(payload
            ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }
            : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            location: res.headers.location,
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

describe('generated URLs', () => {
  it('should build Location, meta.location and $ref from the server, not from Host or X-Forwarded-Proto', async () => {
    const auth = { authorization: `Bearer ${h.token}`, ...HOSTILE };
    const user = await raw(h.server.origin, 'POST', `${h.baseUrl}/Users`, auth, {
      schemas: [USER_SCHEMA],
      userName: 'url@x.example',
    });
    expect(user.status).toBe(201);
    expect(user.location?.startsWith(`${h.server.origin}${h.baseUrl}/Users/`)).toBe(true);
    const id = (JSON.parse(user.text) as { id: string }).id;
    const group = await raw(h.server.origin, 'POST', `${h.baseUrl}/Groups`, auth, {
      schemas: [GROUP_SCHEMA],
      displayName: 'Urls',
      members: [{ value: id }],
    });
    expect(group.status).toBe(201);
    for (const text of [
      user.text,
      group.text,
      (await raw(h.server.origin, 'GET', `${h.baseUrl}/Users/${id}`, auth)).text,
    ]) {
      expect(text).not.toContain('evil.example');
      expect(text).not.toContain('javascript');
      expect(text).toContain(`${h.server.origin}${h.baseUrl}/`);
    }
  });

  it('should accept localhost as the local server origin', async () => {
    const port = h.server.port;
    const res = await raw(h.server.origin, 'GET', `${h.baseUrl}/Users?count=1`, {
      authorization: `Bearer ${h.token}`,
      host: `localhost:${port}`,
    });
    expect(res.text).toContain(`http://localhost:${port}${h.baseUrl}/Users/`);
  });

  it('should build the connection details of a new credential from the server', async () => {
    await m.request('POST', '/tenants', { body: { id: 'urls', name: 'Urls' } });
    const res = await raw(
      m.server.origin,
      'POST',
      '/admin/v1/tenants/urls/credentials',
      { 'x-admin-key': TEST_ADMIN_KEY, ...HOSTILE },
      {
        kind: 'oauth-client',
        name: 'Entra',
      },
    );
    expect(res.status).toBe(201);
    const body = JSON.parse(res.text) as { connection: Record<string, string>; secret: string };
    issuedSecrets.push(body.secret);
    expect(res.text).not.toContain('evil.example');
    expect(body.connection.scimBaseUrl?.startsWith(`${m.server.origin}/scim/v2/urls/`)).toBe(true);
    expect(body.connection.tokenEndpoint?.startsWith(`${m.server.origin}/oauth/urls/`)).toBe(true);
  });
});

describe('origin of an API Gateway event', () => {
  const event = (domainName: string, headers: Record<string, string>) =>
    ({
      version: '2.0',
      rawPath: '/',
      rawQueryString: '',
      headers,
      requestContext: { domainName, http: { method: 'GET', sourceIp: '203.0.113.1' } },
    }) as unknown as APIGatewayProxyEventV2;

  it('should be https on the domain API Gateway names, whatever the headers say', () => {
    expect(fromApiGateway(event('abc123.execute-api.eu-west-1.amazonaws.com', HOSTILE)).origin).toBe(
      'https://abc123.execute-api.eu-west-1.amazonaws.com',
    );
    expect(fromApiGateway(event('scim.example.com', { 'x-forwarded-proto': 'http' })).origin).toBe(
      'https://scim.example.com',
    );
  });

  it('should never carry a scheme or path smuggled into the domain', () => {
    for (const domain of ['evil.example/x', 'javascript://evil', 'a b', '', 'evil.example@x']) {
      expect(fromApiGateway(event(domain, {})).origin).toBe('https://invalid.invalid');
    }
  });
});
