/**
 * Calls one function's middy handler with the API Gateway event of an HttpRequest, as API Gateway (or the local
 * server) would build it from the shared route table: for unit tests of a family with stubbed services. A path the
 * table does not match is sent with the `$default` route key, which the function answers with its family's 404.
 */
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import type { Core } from '../../functions/runtime/core';
import { httpFunction } from '../../functions/runtime/http-function';
import type { ApiFamily, EdgeLogger } from '../../shared/http/api-family';
import { matchRoute, routeKey, type FunctionId } from '../../shared/http/routes';
import type { HttpRequest, HttpResponse } from '../../shared/http/types';

const silent: EdgeLogger = { error: () => undefined, warn: () => undefined };

export function eventFor(req: HttpRequest): APIGatewayProxyEventV2 {
  const matched = matchRoute(req.method, req.path);
  // API Gateway's IAM authorizer names the caller in the request context (a client-sent header is dropped).
  const { 'x-amzn-iam-caller': iamCaller, ...headers } = req.headers;
  const now = new Date();
  return {
    version: '2.0',
    routeKey: matched.ok ? routeKey(matched.match.route) : '$default',
    rawPath: req.path,
    rawQueryString: new URLSearchParams(req.query).toString(),
    headers: {
      host: new URL(req.origin).host,
      'x-forwarded-proto': new URL(req.origin).protocol.slice(0, -1),
      ...headers,
    },
    ...(matched.ok ? { pathParameters: { ...matched.match.params } } : {}),
    requestContext: {
      accountId: '000000000000',
      apiId: 'unit',
      domainName: new URL(req.origin).host,
      domainPrefix: 'unit',
      http: {
        method: req.method,
        path: req.path,
        protocol: 'HTTP/1.1',
        sourceIp: req.sourceIp,
        userAgent: req.userAgent,
      },
      requestId: 'unit',
      ...(iamCaller ? { authorizer: { iam: { userArn: iamCaller } } } : {}),
      routeKey: matched.ok ? routeKey(matched.match.route) : '$default',
      stage: '$default',
      time: now.toISOString(),
      timeEpoch: now.getTime(),
    },
    ...(req.body !== undefined ? { body: req.body } : {}),
    isBase64Encoded: false,
  };
}

const context = (): Context =>
  ({
    functionName: 'unit',
    awsRequestId: crypto.randomUUID(),
    getRemainingTimeInMillis: () => 29_000,
  }) as unknown as Context;

/** One function over a family, called with HttpRequests (the old edge-handler shape, through the real adapter). */
export function familyHandler(
  fn: FunctionId,
  family: ApiFamily,
  logger: EdgeLogger = silent,
): (req: HttpRequest) => Promise<HttpResponse> {
  const handler = httpFunction(fn, () => family, { core: () => ({ logger }) as Core });
  return async (req) => {
    const out = await handler(eventFor(req), context());
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(out.headers ?? {})) headers[k] = String(v);
    return { status: out.statusCode ?? 200, headers, ...(out.body !== undefined ? { body: out.body } : {}) };
  };
}
