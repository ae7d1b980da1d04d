/**
 * API Gateway HTTP API (payload v2) ⇄ HttpRequest/HttpResponse. The local server builds the same events, so
 * both run the exact Lambda handlers.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { HttpRequest, HttpResponse } from './types';
import { decodeUtf8 } from '../utf8';

/** Loopback hosts (the local server): served over plain HTTP. */
const LOOPBACK = /^(?:127\.0\.0\.1|localhost|\[::1\])(?::\d{1,5})?$/i;
const HOST = /^[a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?(?::\d{1,5})?$/i;

/**
 * The origin of generated URLs when PUBLIC_BASE_URL is not set. Never from the client's `Host` or
 * `X-Forwarded-Proto` headers: from `requestContext.domainName`, which API Gateway sets to the domain the request
 * arrived on (its execute-api domain or a configured custom domain), always HTTPS. The local server sets it to its
 * own loopback address, the one origin served over HTTP.
 */
export function originOf(domainName: string | undefined): string {
  const host = domainName ?? '';
  if (LOOPBACK.test(host)) return `http://${host.toLowerCase()}`;
  if (HOST.test(host)) return `https://${host.toLowerCase()}`;
  return 'https://invalid.invalid';
}

export function fromApiGateway(event: APIGatewayProxyEventV2): HttpRequest {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(event.headers ?? {})) if (v !== undefined) headers[k.toLowerCase()] = v;
  // Only API Gateway's IAM authorizer names the management caller; a client-sent header of that name is dropped.
  delete headers['x-amzn-iam-caller'];
  // Payload v2 moves the Cookie header into `cookies` (the console's session cookie).
  if (event.cookies && event.cookies.length > 0) headers.cookie = event.cookies.join('; ');
  const iamCaller = (event.requestContext as { authorizer?: { iam?: { userArn?: string | null } } })
    .authorizer?.iam?.userArn;
  if (iamCaller) headers['x-amzn-iam-caller'] = iamCaller;
  const query: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(event.rawQueryString ?? '')) if (!(k in query)) query[k] = v;
  let body: string | undefined;
  let invalidUtf8 = false;
  if (event.body !== undefined && event.body !== null) {
    if (event.isBase64Encoded) {
      const bytes = Buffer.from(event.body, 'base64');
      const text = decodeUtf8(bytes);
      invalidUtf8 = text === undefined;
      // The edges refuse a flagged body; the lossy text only keeps `body` a string.
      body = text ?? bytes.toString('utf8');
    } else body = event.body;
  }

  return {
    method: event.requestContext.http.method.toUpperCase(),
    path: event.rawPath,
    headers,
    query,
    body,
    ...(invalidUtf8 ? { invalidUtf8 } : {}),
    sourceIp: event.requestContext.http.sourceIp,
    userAgent: event.requestContext.http.userAgent ?? headers['user-agent'] ?? '',
    origin: originOf(event.requestContext.domainName),
  };
}

export function toApiGateway(res: HttpResponse): APIGatewayProxyStructuredResultV2 {
  // Payload v2 sets cookies from `cookies`, not from a set-cookie header.
  const { 'set-cookie': setCookie, ...headers } = res.headers;
  const out: APIGatewayProxyStructuredResultV2 = { statusCode: res.status, headers };
  if (setCookie !== undefined) out.cookies = [setCookie];
  if (res.body !== undefined) out.body = res.body;
  return out;
}
