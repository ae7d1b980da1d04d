/**
 * The Lambda-only observability of functions/lambda.ts: Powertools Logger writes structured JSON with service
 * `scimgate` and only the edge's fields; Powertools Metrics writes one EMF line per response with the status class
 * and the function as a dimension. Outside Lambda (tests, local server) none of it is active.
 */
import { httpHandler, powertools } from '../../functions/lambda';

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
    const handler = httpHandler(
      'scimRoot',
      () =>
        ({
          handlers: { scimRoot: () => Promise.resolve({ status: 200, headers: {}, body: '{}' }) },
          edge: { logger: { error: () => undefined, warn: () => undefined } },
        }) as never,
    );
    const lines: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((c: unknown) => lines.push(String(c)) > 0) as typeof process.stdout.write;
    try {
      const event = {
        rawPath: '/scim/v2/t/e/Schemas',
        headers: {},
        requestContext: { domainName: 'localhost', http: { method: 'GET', sourceIp: '127.0.0.1' } },
      };
      await expect(handler(event as never)).resolves.toMatchObject({ statusCode: 200 });
    } finally {
      process.stdout.write = write;
    }
    expect(lines).toEqual([]);
  });
});

describe('access log', () => {
  it('should log one line per request with method, path and status, and never headers, query or body', async () => {
    const lines: Record<string, unknown>[] = [];
    const handler = httpHandler(
      'scimUsers',
      () =>
        ({
          handlers: { scimUsers: () => Promise.resolve({ status: 201, headers: {}, body: '{"id":"1"}' }) },
          edge: {
            logger: {
              error: () => undefined,
              warn: () => undefined,
              info: (message: string, extra?: Record<string, unknown>) => lines.push({ message, ...extra }),
            },
          },
        }) as never,
      undefined,
    );
    const event = {
      rawPath: '/scim/v2/t/e/Users',
      rawQueryString: 'filter=userName%20eq%20%22secret%22',
      headers: { authorization: 'Bearer scgb_notreal', 'content-type': 'application/scim+json' },
      body: '{"userName":"alice","password":"hunter2"}',
      requestContext: {
        domainName: 'localhost',
        http: { method: 'POST', sourceIp: '10.0.0.1', userAgent: 'Okta SCIM Client' },
      },
    };
    await handler(event as never);
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
