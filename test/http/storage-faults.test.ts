/**
 * Storage that is gone or hangs: every API family answers 503 with an integer Retry-After in its own error shape
 * (never a 500, never a hang past the client's timeouts), and the service recovers by itself when the store
 * returns. The DynamoDB client reaches DynamoDB Local through a proxy that refuses or freezes connections; the
 * errors are real SDK errors (connection reset, request timeout) translated by the adapter.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildContainer, type Container } from '../../functions/compose/container';
import { startLocalServer, type LambdaHandler, type LocalServer } from '../../functions/local/server';
import { createDocumentClient } from '../../shared/adapters/dynamodb/client';
import { issueBearer, send } from '../support/harness';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy';
import { appendToRunLog } from '../support/run-log';
import { createTestTable } from '../support/tables';

const ADMIN_KEY = 'storage-faults-admin-key-0123456789abcdef';
const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';

let proxy: FaultProxy;
let container: Container;
let server: LocalServer;
let token: string;
let oauthBasic: string;
const warnings: string[] = [];

beforeAll(async () => {
  const table = await createTestTable();
  proxy = await startFaultProxy(table.endpoint);
  container = buildContainer(
    {
      TABLE_NAME: table.tableName,
      DYNAMODB_ENDPOINT: proxy.endpoint,
      PEPPER_FILE: join(mkdtempSync(join(tmpdir(), 'scimgate-faults-')), 'pepper.json'),
      OUTBOX_DIR: mkdtempSync(join(tmpdir(), 'scimgate-faults-outbox-')),
      ADMIN_KEY,
      AWS_REGION: 'us-east-1',
    },
    {
      // Short limits so that a frozen store is given up on quickly; the production values are in client.ts.
      doc: createDocumentClient({
        endpoint: proxy.endpoint,
        region: 'us-east-1',
        timeouts: { maxAttempts: 2, connectionTimeoutMs: 300, requestTimeoutMs: 600 },
      }),
      logger: {
        error: (message, extra) => appendToRunLog(JSON.stringify({ level: 'ERROR', message, ...extra })),
        warn: (message, extra) => {
          warnings.push(message);
          appendToRunLog(JSON.stringify({ level: 'WARN', message, ...extra }));
        },
      },
    },
  );
  server = await startLocalServer({ port: 0, load: async (fn) => container.handlers[fn] as LambdaHandler });
  await container.credentials.ensureTenant('acme', 'Acme');
  token = (await issueBearer(container.credentials, 'acme', { name: 'faults', lifetimeDays: 30 })).secret;
  const client = await container.credentials.issue(
    'acme',
    { kind: 'oauth-client', name: 'faults oauth' },
    { actor: 'test', origin: server.origin },
  );
  oauthBasic = `Basic ${Buffer.from(`${client.connection.clientId}:${client.secret}`).toString('base64')}`;
});

afterAll(async () => {
  await server?.close();
  await proxy?.close();
});

const scim = (method: string, path: string, body?: unknown) =>
  send(
    `${server.origin}/scim/v2/acme/default${path}`,
    method,
    {
      authorization: `Bearer ${token}`,
      ...(body !== undefined ? { 'content-type': 'application/scim+json' } : {}),
    },
    body === undefined ? undefined : JSON.stringify(body),
  );
const management = () =>
  send(`${server.origin}/admin/v1/tenants`, 'GET', { 'x-admin-key': ADMIN_KEY }, undefined);
const oauth = () =>
  send(
    `${server.origin}/oauth/acme/token`,
    'POST',
    { authorization: oauthBasic, 'content-type': 'application/x-www-form-urlencoded' },
    'grant_type=client_credentials',
  );

function expectUnavailable(res: { status: number; headers: Headers }): void {
  expect(res.status).toBe(503);
  expect(res.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
}

describe('storage faults', () => {
  it('should answer 503 with Retry-After in each API family while the store refuses connections', async () => {
    proxy.set('refuse');
    const [list, create, admin, tokenRes] = [
      await scim('GET', '/Users'),
      await scim('POST', '/Users', { schemas: [USER_SCHEMA], userName: 'gone@acme.example' }),
      await management(),
      await oauth(),
    ];
    proxy.set('pass');

    for (const res of [list, create, admin, tokenRes]) expectUnavailable(res);
    expect(list.body).toMatchObject({ schemas: [ERROR_SCHEMA], status: '503' });
    expect(create.body).toMatchObject({ schemas: [ERROR_SCHEMA], status: '503' });
    expect(admin.body).toEqual({ error: { status: 503, message: expect.any(String) } });
    expect(tokenRes.body).toMatchObject({ error: 'temporarily_unavailable' });
    expect(warnings).toContain('storage unavailable');
  });

  it('should give up on a frozen store within the client timeouts and answer 503', async () => {
    proxy.set('freeze');
    const res = await scim('GET', '/Users');
    proxy.set('pass');

    expectUnavailable(res);
  });

  it('should recover by itself when the store returns, having lost nothing acknowledged', async () => {
    const before = await scim('POST', '/Users', { schemas: [USER_SCHEMA], userName: 'kept@acme.example' });
    expect(before.status).toBe(201);
    proxy.set('refuse');
    expectUnavailable(await scim('GET', `/Users/${before.body.id}`));
    proxy.set('pass');

    const after = await scim('GET', `/Users/${before.body.id}`);
    const created = await scim('POST', '/Users', { schemas: [USER_SCHEMA], userName: 'after@acme.example' });

    expect(after.status).toBe(200);
    expect(after.body.userName).toBe('kept@acme.example');
    expect(created.status).toBe(201);
    expect((await management()).status).toBe(200);
    expect((await oauth()).status).toBe(200);
  });
});
