/**
 * Calls one function's middy handler with the API Gateway event of an HttpRequest, as API Gateway (or the local
 * server) would build it from the shared route table: for unit tests of a family with stubbed services. A path the
 * table does not match is sent with the `$default` route key, which the function answers with its family's 404.
 */
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import type { Core } from '../../functions/runtime/core';
import { httpFunction } from '../../functions/runtime/http-function';
import type { ApiFamily, EdgeLogger } from '../../shared/http/api-family';
import { apiGatewayEvent } from '../../functions/local/api-event';
import type { FunctionId } from '../../shared/http/routes';
import type { HttpRequest, HttpResponse } from '../../shared/http/types';

const silent: EdgeLogger = { error: () => undefined, warn: () => undefined };

export function eventFor(req: HttpRequest): APIGatewayProxyEventV2 {
  // API Gateway's IAM authorizer names the caller in the request context (a client-sent header is dropped).
  const { 'x-amzn-iam-caller': iamCaller, ...headers } = req.headers;
  const origin = new URL(req.origin);
  return apiGatewayEvent({
    method: req.method,
    rawPath: req.path,
    rawQueryString: new URLSearchParams(req.query).toString(),
    headers: {
      host: origin.host,
      'x-forwarded-proto': origin.protocol.slice(0, -1),
      'user-agent': req.userAgent,
      ...headers,
    },
    domainName: origin.host,
    sourceIp: req.sourceIp,
    apiId: 'unit',
    ...(req.body !== undefined ? { body: req.body } : {}),
    ...(iamCaller ? { iamCaller } : {}),
  });
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
