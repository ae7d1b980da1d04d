/**
 * The API Gateway (HTTP API, payload v2) event of a request, built as API Gateway builds it from the shared route
 * table: `routeKey` names the matched table entry (or `$default` when none matches, which the function answers with
 * its family's 404) and `pathParameters` carries the decoded parameters, so the function never matches again. The one
 * builder of the local server, the tests and the benchmarks.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { matchRoute, routeKey, type RouteMatch } from '../../shared/http/routes';

export interface ApiRequest {
  method: string;
  rawPath: string;
  rawQueryString: string;
  /** Lower-case names; `cookie` is moved to `cookies` as API Gateway does. */
  headers: Record<string, string>;
  /** The host generated URLs are built from (API Gateway's custom or default domain). */
  domainName: string;
  sourceIp: string;
  /** `local`, `unit`, `bench`: names the caller in `apiId` and `domainPrefix`. */
  apiId: string;
  body?: string;
  isBase64Encoded?: boolean;
  /** The IAM principal API Gateway's IAM authorizer verified (management API). */
  iamCaller?: string;
}

/** `match`: the table entry the caller already matched (the local server, which picks the function by it). */
export function apiGatewayEvent(req: ApiRequest, match?: RouteMatch): APIGatewayProxyEventV2 {
  const found = match ?? matchedEntry(req.method, req.rawPath);
  const key = found ? routeKey(found.route) : '$default';
  const { cookie, ...headers } = req.headers;
  const cookies = cookie ? cookie.split(/;\s*/).filter(Boolean) : undefined;
  const now = new Date();
  return {
    version: '2.0',
    routeKey: key,
    rawPath: req.rawPath,
    rawQueryString: req.rawQueryString,
    headers,
    ...(cookies ? { cookies } : {}),
    ...(found ? { pathParameters: { ...found.params } } : {}),
    requestContext: {
      accountId: '000000000000',
      apiId: req.apiId,
      domainName: req.domainName,
      domainPrefix: req.apiId,
      http: {
        method: req.method.toUpperCase(),
        path: req.rawPath,
        protocol: 'HTTP/1.1',
        sourceIp: req.sourceIp,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: crypto.randomUUID(),
      ...(req.iamCaller ? { authorizer: { iam: { userArn: req.iamCaller } } } : {}),
      routeKey: key,
      stage: '$default',
      time: now.toISOString(),
      timeEpoch: now.getTime(),
    },
    ...(req.body !== undefined ? { body: req.body } : {}),
    isBase64Encoded: req.isBase64Encoded ?? false,
  } as APIGatewayProxyEventV2;
}

function matchedEntry(method: string, path: string): RouteMatch | undefined {
  const matched = matchRoute(method, path);
  return matched.ok ? matched.match : undefined;
}
