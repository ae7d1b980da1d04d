/**
 * The local server: a plain Node HTTP server on 127.0.0.1 that turns each request into an API Gateway (HTTP API,
 * payload v2) event and hands it to the same Lambda handler AWS runs, chosen from the shared route table.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { matchRoute, type FunctionId, type RouteMatch } from '../../shared/http/routes';
import { apiGatewayEvent } from './api-event';
import { SCIM_CONTENT_TYPE } from '../../shared/scim/types';
import { decodeUtf8 } from '../../shared/utf8';
import { isConsoleAsset, serveConsoleAsset } from './console-assets';

export type LambdaHandler = (
  event: APIGatewayProxyEventV2,
  context: Context,
) => Promise<APIGatewayProxyStructuredResultV2>;

/** Loads a function's handler module (lazily, once), exactly as Lambda would import its entry file. */
export type HandlerLoader = (fn: FunctionId) => Promise<LambdaHandler>;

export const MAX_LOCAL_BODY_BYTES = 6 * 1024 * 1024;

function lambdaContext(fn: string): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: `scimgate-local-${fn}`,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:scimgate-local-${fn}`,
    memoryLimitInMB: '512',
    awsRequestId: crypto.randomUUID(),
    logGroupName: `/aws/lambda/scimgate-local-${fn}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => 29_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

function notFound(
  res: ServerResponse,
  status: number,
  detail: string,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': SCIM_CONTENT_TYPE, ...headers });
  res.end(
    JSON.stringify({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
      status: String(status),
      detail,
    }),
  );
}

/** The event API Gateway would send for a request the table matched (the one builder, functions/local/api-event.ts). */
export function toEvent(
  req: IncomingMessage,
  body: Buffer,
  port: number,
  match: RouteMatch,
): APIGatewayProxyEventV2 {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) {
    if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(',') : v;
  }
  headers['x-forwarded-proto'] ??= 'http';
  headers.host ??= `127.0.0.1:${port}`;
  // The domain generated URLs are built from: the Host header only when it names this loopback server, else the
  // server's own address. A client's Host or X-Forwarded-Proto never reaches a Location or a $ref.
  const domainName = /^(?:127\.0\.0\.1|localhost|\[::1\]):\d{1,5}$/i.test(headers.host)
    ? headers.host
    : `127.0.0.1:${port}`;
  // Like API Gateway: text bodies as strings, anything else base64. Bytes that are not UTF-8 stay bytes (base64),
  // so the edge can still see that they are invalid instead of receiving replacement characters.
  const text = /json|text|x-www-form-urlencoded/i.test(headers['content-type'] ?? 'json')
    ? decodeUtf8(body)
    : undefined;
  const isText = body.length === 0 || text !== undefined;
  return apiGatewayEvent(
    {
      method: req.method ?? 'GET',
      rawPath: url.pathname,
      rawQueryString: url.search.replace(/^\?/, ''),
      headers,
      domainName,
      sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
      apiId: 'local',
      ...(body.length === 0 ? {} : { body: text ?? body.toString('base64') }),
      isBase64Encoded: body.length > 0 && !isText,
    },
    match,
  );
}

export interface LocalServer {
  server: Server;
  port: number;
  origin: string;
  close(): Promise<void>;
}

export async function startLocalServer(options: {
  port: number;
  load: HandlerLoader;
  host?: string;
  /** Serve the admin console SPA at /console/ from this folder (default: dist/console). */
  consoleDir?: string;
}): Promise<LocalServer> {
  const host = options.host ?? '127.0.0.1';
  let port = options.port;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_LOCAL_BODY_BYTES) tooLarge = true;
      else chunks.push(c);
    });
    req.on('end', () => {
      void (async () => {
        if (tooLarge) return notFound(res, 413, `request body exceeds ${MAX_LOCAL_BODY_BYTES} bytes`);
        const url = new URL(req.url ?? '/', 'http://127.0.0.1');
        if (isConsoleAsset(url.pathname)) {
          return serveConsoleAsset(url.pathname, req.method ?? 'GET', res, options.consoleDir);
        }
        const matched = matchRoute(req.method ?? 'GET', url.pathname);
        if (!matched.ok) {
          if (matched.status === 405) {
            return notFound(res, 405, `method ${req.method} is not allowed on ${url.pathname}`, {
              allow: matched.allow?.join(', ') ?? '',
            });
          }
          return notFound(res, 404, `nothing at ${url.pathname}`);
        }
        const fn = matched.match.route.fn;
        try {
          const handler = await options.load(fn);
          const result = await handler(
            toEvent(req, Buffer.concat(chunks), port, matched.match),
            lambdaContext(fn),
          );
          const headers: Record<string, string> = {};
          for (const [k, v] of Object.entries(result.headers ?? {})) headers[k] = String(v);
          const cookies = result.cookies ?? [];
          res.writeHead(
            result.statusCode ?? 200,
            cookies.length > 0 ? { ...headers, 'set-cookie': cookies } : headers,
          );
          res.end(
            result.body === undefined
              ? undefined
              : result.isBase64Encoded
                ? Buffer.from(result.body, 'base64')
                : result.body,
          );
        } catch (e) {
          console.error('local server: handler failed', (e as Error).message);
          notFound(res, 500, 'internal server error');
        }
      })();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const addr = server.address();
  if (typeof addr === 'object' && addr) port = addr.port;
  return {
    server,
    port,
    origin: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
