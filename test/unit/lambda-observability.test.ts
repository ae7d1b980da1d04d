/**
 * The Lambda-only observability of functions/runtime/observability.ts: Powertools Logger writes structured JSON
 * with service `scimgate` and only the edge's fields; Powertools Metrics writes one EMF line per response with the
 * status class and the function as a dimension. Outside Lambda (tests, local server) none of it is active. And the
 * access log of the middy adapter (functions/runtime/http-function.ts).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { Core } from '../../functions/runtime/core';
import { httpFunction } from '../../functions/runtime/http-function';
import { lambdaLogger, lambdaObservability, powertoolsCounter } from '../../functions/runtime/observability';
import type { ApiFamily, EdgeLogger } from '../../shared/http/api-family';
import { ROUTES, routeKey } from '../../shared/http/routes';
import { eventFor } from '../support/invoke';

const powertools = () => {
  const metrics = new Metrics({ namespace: 'scimgate', serviceName: 'scimgate' });
  const counter = powertoolsCounter(metrics);
  return {
    logger: lambdaLogger(new Logger({ serviceName: 'scimgate' })),
    countResponse: (fn: string, status: number) => counter.count(fn, status),
  };
};

/** A family whose every route answers `status`. */
function familyAnswering(status: number, body = '{}'): ApiFamily {
  const answer = async () => ({ status, headers: {}, body });
  return {
    name: 'scim',
    routes: Object.fromEntries(ROUTES.map((r) => [routeKey(r), answer])),
    renderError: () => ({ status: 500, headers: {} }),
  };
}

const coreWith = (logger: EdgeLogger) => () => ({ logger }) as Core;
const request = (method: string, path: string, extra: Record<string, unknown> = {}) => ({
  method,
  path,
  headers: {},
  query: {},
  body: undefined,
  sourceIp: '127.0.0.1',
  userAgent: '',
  origin: 'http://localhost',
  ...extra,
});

function captureStdout(run: () => void): string[] {
  const lines: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  const writeErr = process.stderr.write.bind(process.stderr);
  const capture = (chunk: unknown) => {
    lines.push(...String(chunk).split('\n').filter(Boolean));
    return true;
  };
  process.stdout.write = capture as typeof process.stdout.write;
  process.stderr.write = capture as typeof process.stderr.write;
  try {
    run();
  } finally {
    process.stdout.write = write;
    process.stderr.write = writeErr;
  }
  return lines;
}

describe('Lambda observability (Powertools)', () => {
  it('should log structured JSON for the scimgate service with only the given fields', () => {
    const o = powertools();
    const [line] = captureStdout(() => o.logger.error('unhandled error', { status: 500, route: 'GET /x' }));

    expect(JSON.parse(line ?? '{}')).toMatchObject({
      level: 'ERROR',
      message: 'unhandled error',
      service: 'scimgate',
      status: 500,
      route: 'GET /x',
    });
  });

  it('should count each response once in a metric of its status class, per function', () => {
    const o = powertools();
    const lines = captureStdout(() => {
      o.countResponse('scimUsers', 204);
      o.countResponse('management', 503);
      o.countResponse('oauthToken', 429);
    });
    const emf = lines.map((l) => JSON.parse(l) as Record<string, unknown>);

    expect(emf.map((e) => [e.function, Object.keys(e).find((k) => k.startsWith('Status'))])).toEqual([
      ['scimUsers', 'Status2xx'],
      ['management', 'Status5xx'],
      ['oauthToken', 'Status4xx'],
    ]);
    expect(emf[0]).toMatchObject({
      _aws: { CloudWatchMetrics: [{ Namespace: 'scimgate', Dimensions: [['service', 'function']] }] },
    });
  });

  it('should stay off outside Lambda', async () => {
    expect(process.env.AWS_LAMBDA_FUNCTION_NAME).toBeUndefined();
    const observability = await lambdaObservability();
    expect(observability.middlewares).toEqual([]);
    expect(observability.counter).toBeUndefined();
    const handler = httpFunction('scimRoot', () => familyAnswering(200), {
      core: coreWith({ error: () => undefined, warn: () => undefined }),
      observability,
    });
    const lines: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((c: unknown) => lines.push(String(c)) > 0) as typeof process.stdout.write;
    try {
      const event = eventFor(request('GET', '/scim/v2/t/e/Schemas'));
      await expect(handler(event, {} as never)).resolves.toMatchObject({ statusCode: 200 });
    } finally {
      process.stdout.write = write;
    }
    expect(lines).toEqual([]);
  });
});

describe('access log', () => {
  it('should log one line per request with method, path and status, and never headers, query or body', async () => {
    const lines: Record<string, unknown>[] = [];
    const handler = httpFunction('scimUsers', () => familyAnswering(201, '{"id":"1"}'), {
      core: coreWith({
        error: () => undefined,
        warn: () => undefined,
        info: (message: string, extra?: Record<string, unknown>) => lines.push({ message, ...extra }),
      }),
    });
    const event = eventFor(
      request('POST', '/scim/v2/t/e/Users', {
        query: { filter: 'userName eq "secret"' },
        headers: { authorization: 'Bearer scgb_notreal', 'content-type': 'application/scim+json' },
        body: '{"userName":"alice","password":"hunter2"}',
        sourceIp: '10.0.0.1',
        userAgent: 'Okta SCIM Client',
      }),
    );
    await handler(event, {} as never);
    expect(lines).toEqual([
      expect.objectContaining({
        message: 'request',
        function: 'scimUsers',
        method: 'POST',
        path: '/scim/v2/t/e/Users',
        status: 201,
        sourceIp: '10.0.0.1',
        userAgent: 'Okta SCIM Client',
      }),
    ]);
    const text = JSON.stringify(lines);
    for (const leaked of ['scgb_notreal', 'hunter2', 'filter', 'alice']) expect(text).not.toContain(leaked);
  });
});
