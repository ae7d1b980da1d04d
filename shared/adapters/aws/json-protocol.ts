/**
 * One signed request in an AWS JSON protocol (`application/x-amz-json-1.0` for DynamoDB, `1.1` for Secrets
 * Manager): POST the action's input to the service endpoint with `X-Amz-Target: <prefix>.<Action>`, signed with
 * SigV4 (./sigv4.ts), over a keep-alive agent of bounded size, with per-attempt time limits and the SDK's standard
 * retry policy (jittered exponential backoff, a retry quota that stops retrying when a service is down).
 * docs/decisions/0019-dynamodb-without-the-sdk-client.md says why the functions speak the protocol themselves.
 *
 * Errors come out in the SDK's shape (`name`, `message`, `$metadata.httpStatusCode`, the service's extra fields such
 * as `CancellationReasons`; a socket error keeps its `code`), so the one storage error translation
 * (shared/adapters/dynamodb/errors.ts) reads them as it read the SDK's.
 */
import type { Agent, IncomingMessage } from 'node:http';
import { signRequest, type CredentialSource } from './sigv4';

/** An error answered by the service (or a time limit of ours), in the SDK's shape. */
export class AwsServiceError extends Error {
  readonly $metadata: { httpStatusCode?: number; attempts?: number };
  [field: string]: unknown;
  constructor(name: string, message: string, status?: number, fields: Record<string, unknown> = {}) {
    super(message);
    Object.assign(this, fields);
    this.name = name;
    this.$metadata = status === undefined ? {} : { httpStatusCode: status };
  }
}

export interface AttemptLimits {
  /** Connecting a new socket, per attempt. */
  connectionTimeoutMs: number;
  /** The whole attempt: connection (if a new socket is needed), request and response. */
  attemptTimeoutMs: number;
  /** Attempts including the first. */
  maxAttempts: number;
}

export interface JsonProtocolOptions {
  /** `https://dynamodb.<region>.amazonaws.com`, or a local endpoint. */
  endpoint: string;
  region: string;
  /** The SigV4 signing name (`dynamodb`, `secretsmanager`). */
  service: string;
  /**
   * How an action is addressed: AWS JSON (`X-Amz-Target: <targetPrefix>.<Action>`, DynamoDB `DynamoDB_20120810`
   * 1.0, Secrets Manager `secretsmanager` 1.1), or REST-JSON (the action's path, POST; SES v2).
   */
  addressing: { targetPrefix: string; jsonVersion: '1.0' | '1.1' } | { paths: Record<string, string> };
  credentials: CredentialSource;
  limits: AttemptLimits;
  /** Sockets kept for the endpoint (keep-alive). */
  maxSockets: number;
}

export interface JsonResponse {
  output: Record<string, unknown>;
  status: number;
  attempts: number;
}

/** Names the SDK's standard retry strategy retries as throttling (longer backoff). */
const THROTTLING = new Set([
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'TooManyRequestsException',
  'TransactionInProgressException',
  'BandwidthLimitExceeded',
  'LimitExceededException',
  'SlowDown',
]);
/** Names it retries as transient. */
const TRANSIENT = new Set([
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'InternalServerError',
  'InternalServiceError',
]);
const TRANSIENT_STATUS = new Set([500, 502, 503, 504]);

type Failure = 'throttling' | 'transient' | 'timeout' | undefined;

function failureKind(e: unknown): Failure {
  if (!(e instanceof AwsServiceError)) {
    // A socket error (refused, reset, DNS) carries a code; anything else (no credentials) is not worth a retry.
    return typeof (e as { code?: unknown } | null)?.code === 'string' ? 'transient' : undefined;
  }
  if (THROTTLING.has(e.name)) return 'throttling';
  if (e.name === 'TimeoutError') return 'timeout';
  if (TRANSIENT.has(e.name) || TRANSIENT_STATUS.has(e.$metadata.httpStatusCode ?? 0)) return 'transient';
  return undefined;
}

/**
 * The SDK's retry quota: 500 tokens; a retry costs 5 (10 after a timeout), a success refunds what its retries cost
 * (or 1). When the service is down the quota runs out and requests fail after one attempt instead of three.
 */
class RetryQuota {
  private tokens = 500;
  take(kind: Failure): number {
    const cost = kind === 'timeout' ? 10 : 5;
    if (this.tokens < cost) return 0;
    this.tokens -= cost;
    return cost;
  }
  refund(amount: number): void {
    this.tokens = Math.min(500, this.tokens + amount);
  }
}

/** A caller of one service's JSON protocol: `call('GetItem', input)`. */
export function jsonProtocol(options: JsonProtocolOptions) {
  const base = new URL('/', options.endpoint);
  const http = transport(base);
  const { addressing } = options;
  const address = (action: string): { url: URL; headers: Record<string, string> } =>
    'paths' in addressing
      ? {
          url: new URL(addressing.paths[action] ?? `/${action}`, base),
          headers: { 'content-type': 'application/json' },
        }
      : {
          url: base,
          headers: {
            'content-type': `application/x-amz-json-${addressing.jsonVersion}`,
            'x-amz-target': `${addressing.targetPrefix}.${action}`,
          },
        };
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.maxSockets });
  const quota = new RetryQuota();

  async function attempt(action: string, body: string): Promise<Answer> {
    const { url, headers: own } = address(action);
    const headers = await signRequest(
      { method: 'POST', url: url.href, headers: own, body },
      { region: options.region, credentials: options.credentials, service: options.service },
    );
    return post(http.request, url, agent, headers, body, options.limits);
  }

  async function call(action: string, input: unknown): Promise<JsonResponse> {
    const body = JSON.stringify(input);
    let spent = 0;
    for (let attempts = 1; ; attempts++) {
      try {
        const { status, text, errorType } = await attempt(action, body);
        const parsed = parseJson(text);
        if (status >= 200 && status < 300) {
          quota.refund(spent || 1);
          return { output: parsed, status, attempts };
        }
        throw serviceError(action, status, parsed, errorType);
      } catch (e) {
        const kind = failureKind(e);
        const cost = kind && attempts < options.limits.maxAttempts ? quota.take(kind) : 0;
        if (!cost) {
          if (e instanceof AwsServiceError) e.$metadata.attempts = attempts;
          throw e;
        }
        spent += cost;
        const base = kind === 'throttling' ? 500 : 100;
        await new Promise((r) =>
          setTimeout(r, Math.floor(Math.random() * Math.min(20_000, base * 2 ** attempts))),
        );
      }
    }
  }

  return { call, close: () => agent.destroy() };
}

/**
 * `node:https` (or `node:http` for a local endpoint), taken with `process.getBuiltinModule`: an ES `import` of
 * `node:http` builds its module namespace, which reads the lazy `WebSocket` and `MessageEvent` getters and so loads
 * Node's bundled undici — 20-50 ms of every cold start for nothing (docs/benchmarks.md, cold-start profiles).
 */
function transport(url: URL): typeof import('node:https') | typeof import('node:http') {
  return url.protocol === 'http:'
    ? process.getBuiltinModule('node:http')
    : process.getBuiltinModule('node:https');
}

function serviceError(
  action: string,
  status: number,
  body: Record<string, unknown>,
  errorType: string | undefined,
): AwsServiceError {
  // `__type` is "com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException" or just the name; REST-JSON
  // services name it in `x-amzn-errortype` ("LimitExceededException:http://internal.amazon.com/...").
  const type =
    (errorType ?? (typeof body.__type === 'string' ? body.__type : '')).split(':')[0]!.split('#').pop() ?? '';
  const { __type: _type, message, Message, ...fields } = body;
  const text = typeof message === 'string' ? message : typeof Message === 'string' ? Message : '';
  const name = type || (status >= 500 ? 'InternalServerError' : 'UnknownError');
  return new AwsServiceError(name, `${action}: ${text || name}`, status, fields);
}

function parseJson(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** One POST with a connection time limit (until the socket is connected) and a limit on the whole attempt. */
interface Answer {
  status: number;
  text: string;
  errorType?: string;
}

function post(
  request: typeof import('node:http').request,
  url: URL,
  agent: Agent,
  headers: Record<string, string>,
  body: string,
  limits: AttemptLimits,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const timeout = (what: string, ms: number) =>
      new AwsServiceError('TimeoutError', `${url.host} did not ${what} within ${ms} ms`);
    const req = request(
      url,
      {
        method: 'POST',
        agent,
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
      },
      (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          clearTimeout(whole);
          const errorType = res.headers['x-amzn-errortype'];
          resolve({
            status: res.statusCode ?? 0,
            text: Buffer.concat(chunks).toString('utf8'),
            ...(typeof errorType === 'string' ? { errorType } : {}),
          });
        });
        res.on('error', fail);
      },
    );
    const whole = setTimeout(
      () => req.destroy(timeout('answer', limits.attemptTimeoutMs)),
      limits.attemptTimeoutMs,
    );
    function fail(e: Error) {
      clearTimeout(whole);
      reject(e);
    }
    req.on('socket', (socket) => {
      if (!socket.connecting) return;
      const connecting = setTimeout(
        () => req.destroy(timeout('accept a connection', limits.connectionTimeoutMs)),
        limits.connectionTimeoutMs,
      );
      socket.once('connect', () => clearTimeout(connecting));
      socket.once('close', () => clearTimeout(connecting));
    });
    req.on('error', fail);
    req.end(body);
  });
}
