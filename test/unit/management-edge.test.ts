import { jest } from '@jest/globals';
import openApi from '../../docs/openapi.json' with { type: 'json' };
import type { CredentialService } from '../../shared/domain/credential-service';
import {
  managementFamily,
  unservedManagementRoutes,
  type AdminAuth,
} from '../../shared/http/management-edge';
import type { EdgeLogger } from '../../shared/http/api-family';
import { MANAGEMENT_ROUTES } from '../../shared/http/routes';
import { familyHandler } from '../support/invoke';
import type { HttpRequest } from '../../shared/http/types';
import { ScimError } from '../../shared/scim/errors';
import { StorageUnavailable } from '../../shared/domain/storage-errors';

const KEY = 'unit-admin-key-0123456789abcdef';
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head', 'trace'];

function request(method: string, path: string, extra: Partial<HttpRequest> = {}): HttpRequest {
  return {
    method,
    path,
    headers: { 'x-admin-key': KEY },
    query: {},
    body: undefined,
    sourceIp: '127.0.0.1',
    userAgent: 'jest',
    origin: 'http://127.0.0.1:1',
    ...extra,
  };
}

function edge(service: Partial<CredentialService>, adminAuth: AdminAuth = { mode: 'key', key: KEY }) {
  const logs: { level: string; message: string; extra?: Record<string, unknown> }[] = [];
  const logger: EdgeLogger = {
    error: (message, extra) => logs.push({ level: 'ERROR', message, ...(extra ? { extra } : {}) }),
    warn: (message, extra) => logs.push({ level: 'WARN', message, ...(extra ? { extra } : {}) }),
  };
  const handler = familyHandler(
    'management',
    managementFamily({ credentials: service as CredentialService, adminAuth, logger }),
    logger,
  );
  return { handler, logs };
}

describe('docs/openapi.json', () => {
  const paths = openApi.paths as Record<string, Record<string, unknown>>;

  it('should document every MANAGEMENT_ROUTES entry', () => {
    const missing = MANAGEMENT_ROUTES.filter(([m, p]) => paths[p]?.[m.toLowerCase()] === undefined);

    expect(missing).toEqual([]);
  });

  it('should document nothing that MANAGEMENT_ROUTES lacks', () => {
    const table = new Set(MANAGEMENT_ROUTES.map(([m, p]) => `${m} ${p}`));
    const documented = Object.entries(paths).flatMap(([p, item]) =>
      Object.keys(item)
        .filter((k) => METHODS.includes(k))
        .map((m) => `${m.toUpperCase()} ${p}`),
    );

    expect(documented.filter((k) => !table.has(k))).toEqual([]);
    expect(documented).toHaveLength(MANAGEMENT_ROUTES.length);
  });

  it('should be OpenAPI 3.1 with both auth modes and resolvable references', () => {
    const text = JSON.stringify(openApi);
    const refs = [...text.matchAll(/"\$ref":"#\/components\/(\w+)\/(\w+)"/g)];
    const components = openApi.components as unknown as Record<string, Record<string, unknown>>;

    expect(openApi.openapi).toBe('3.1.0');
    expect(Object.keys(openApi.components.securitySchemes)).toEqual(
      expect.arrayContaining(['adminKeyBearer', 'adminKeyHeader', 'awsIam']),
    );
    expect(refs.filter(([, kind, name]) => components[kind ?? '']?.[name ?? ''] === undefined)).toEqual([]);
  });
});

describe('the management function', () => {
  it('should serve an operation for every route of the table', () => {
    expect(unservedManagementRoutes()).toEqual([]);
  });

  it('should refuse to start with a short admin key', () => {
    expect(() => edge({}, { mode: 'key', key: 'short' })).toThrow(/at least 16 characters/);
  });

  it('should answer 404 in its own error shape for a route it does not serve (API Gateway matched none)', async () => {
    const { handler } = edge({});

    const res = await handler(request('PUT', '/admin/v1/tenants'));

    expect(res.status).toBe(404);
    expect(JSON.parse(res.body ?? '')).toEqual({ error: { status: 404, message: expect.any(String) } });
  });

  it('should answer 404, not 500, for malformed percent-encoding in the path (it names no resource)', async () => {
    const { handler } = edge({});

    const res = await handler(request('GET', '/admin/v1/tenants/%E0%A4%A'));

    expect(res.status).toBe(404);
    expect(res.body).toContain('"error"');
  });

  it('should answer 400 for a path id with a slash or space', async () => {
    const getTenant = jest.fn<() => Promise<never>>();
    const { handler } = edge({ getTenant });

    const slash = await handler(request('GET', '/admin/v1/tenants/a%2Fb'));
    const space = await handler(request('GET', '/admin/v1/tenants/a%20b'));

    expect([slash.status, space.status]).toEqual([400, 400]);
    expect(JSON.parse(slash.body ?? '').error.message).toMatch(/'tenant'/);
    expect(getTenant).not.toHaveBeenCalled();
  });

  it('should map a ScimError to its status, message and headers', async () => {
    const { handler } = edge({
      getTenant: async () => {
        throw ScimError.notFound("tenant 'x' not found");
      },
    });

    const res = await handler(request('GET', '/admin/v1/tenants/x'));

    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toBe('application/json');
    expect(JSON.parse(res.body ?? '')).toEqual({ error: { status: 404, message: "tenant 'x' not found" } });
  });

  it('should log an unknown error and answer 500 without internals', async () => {
    const { handler, logs } = edge({
      listTenants: async () => {
        throw new Error('connect ECONNREFUSED 10.0.0.1:8000 table scimgate-prod');
      },
    });

    const res = await handler(request('GET', '/admin/v1/tenants'));

    expect(res.status).toBe(500);
    expect(JSON.parse(res.body ?? '')).toEqual({ error: { status: 500, message: 'internal server error' } });
    expect(res.body).not.toContain('ECONNREFUSED');
    expect(logs).toEqual([
      expect.objectContaining({
        level: 'ERROR',
        extra: expect.objectContaining({ function: 'management', route: 'GET /admin/v1/tenants' }),
      }),
    ]);
  });

  it('should answer 503 with Retry-After when storage throttles', async () => {
    const { handler } = edge({
      listTenants: async () => {
        // What the adapter makes of DynamoDB's throttling (shared/adapters/dynamodb/errors.ts).
        throw new StorageUnavailable('busy', 1);
      },
    });

    const res = await handler(request('GET', '/admin/v1/tenants'));

    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('1');
  });

  it('should never log request bodies, even when the service fails', async () => {
    const { handler, logs } = edge({
      issue: async () => {
        throw new Error('boom');
      },
    });

    await handler(
      request('POST', '/admin/v1/tenants/acme/credentials', {
        body: JSON.stringify({ kind: 'bearer', name: 'do-not-log-me' }),
      }),
    );

    expect(JSON.stringify(logs)).not.toContain('do-not-log-me');
  });

  it('should pass the validated body and the caller to exactly one service method', async () => {
    const issue = jest.fn(async () => ({
      credential: { id: 'c1', secrets: [] } as never,
      secret: 'sgb_secret',
      connection: { scimBaseUrl: 'x' },
    }));
    const { handler } = edge({ issue });

    const res = await handler(
      request('POST', '/admin/v1/tenants/acme/credentials', {
        headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json; charset=utf-8' },
        body: JSON.stringify({ kind: 'basic', name: 'n', roles: 'read-only' }),
      }),
    );

    expect(res.status).toBe(201);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(issue).toHaveBeenCalledTimes(1);
    expect(issue).toHaveBeenCalledWith(
      'acme',
      { kind: 'basic', name: 'n', roles: 'read-only' },
      { actor: 'admin-key', origin: 'http://127.0.0.1:1' },
    );
  });

  it('should use the IAM caller as the actor in IAM mode', async () => {
    const createTenant = jest.fn(async () => ({ id: 't' }) as never);
    const { handler } = edge({ createTenant }, { mode: 'iam' });
    const arn = 'arn:aws:sts::123456789012:assumed-role/Admin/alice';

    const res = await handler(
      request('POST', '/admin/v1/tenants', {
        headers: { 'x-amzn-iam-caller': arn },
        body: JSON.stringify({ id: 't', name: 'T' }),
      }),
    );

    expect(res.status).toBe(201);
    expect(createTenant).toHaveBeenCalledWith({ id: 't', name: 'T' }, arn);
  });
});
