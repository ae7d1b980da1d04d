/**
 * Reads a secret's SecretString from AWS Secrets Manager with one signed HTTPS request (the GetSecretValue action
 * of its JSON 1.1 protocol), without the service's SDK client: the functions read one or two secrets per container
 * lifetime, and the client (~30 KiB minified, evaluated on every cold start of every function that authenticates)
 * is the largest single piece of a SCIM bundle after the DynamoDB client. Credentials come from the DynamoDB
 * client's own provider chain, so nothing else is resolved. docs/decisions/0016-secrets-without-the-sdk-client.md.
 *
 * Transient failures (throttling, 5xx, connection errors, timeouts) are retried twice with jittered backoff and
 * then thrown with the SDK's error shape (`name`, `$metadata.httpStatusCode`, `code`), which the storage error
 * translation (shared/adapters/dynamodb/errors.ts) turns into a 503 with Retry-After.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { signRequest, type CredentialSource } from './sigv4';

export interface SecretsManagerOptions {
  region: string;
  credentials: CredentialSource;
  /** Default `https://secretsmanager.<region>.amazonaws.com` (tests point it at a local server). */
  endpoint?: string;
  /** Per attempt, connection included. Default 3000 ms. */
  timeoutMs?: number;
  /** Attempts for a transient failure. Default 3. */
  maxAttempts?: number;
}

/** A Secrets Manager error in the SDK's shape (the storage error translation reads name, code and status). */
export class SecretsManagerError extends Error {
  readonly $metadata: { httpStatusCode?: number };
  constructor(
    name: string,
    message: string,
    status?: number,
    readonly code?: string,
  ) {
    super(message);
    this.name = name;
    this.$metadata = status === undefined ? {} : { httpStatusCode: status };
  }
}

const TRANSIENT_NAMES = new Set([
  'ThrottlingException',
  'InternalServiceError',
  'TimeoutError',
  'RequestTimeout',
]);

function isTransient(e: unknown): boolean {
  if (!(e instanceof SecretsManagerError)) return true; // a socket error: connection refused, reset, DNS
  return TRANSIENT_NAMES.has(e.name) || (e.$metadata.httpStatusCode ?? 0) >= 500;
}

export type SecretStringReader = (secretId: string) => Promise<string | undefined>;

/** A reader of SecretStrings (undefined for a binary secret). */
export function secretsManagerReader(options: SecretsManagerOptions): SecretStringReader {
  const endpoint = options.endpoint ?? `https://secretsmanager.${options.region}.amazonaws.com`;
  const maxAttempts = options.maxAttempts ?? 3;
  return async (secretId) => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await getSecretValue(endpoint, secretId, options);
      } catch (e) {
        if (attempt >= maxAttempts || !isTransient(e)) throw e;
        await new Promise((r) => setTimeout(r, Math.random() * 100 * 2 ** attempt));
      }
    }
  };
}

async function getSecretValue(
  endpoint: string,
  secretId: string,
  options: SecretsManagerOptions,
): Promise<string | undefined> {
  const url = new URL('/', endpoint);
  const body = JSON.stringify({ SecretId: secretId });
  const headers = await signRequest(
    {
      method: 'POST',
      url: url.href,
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'secretsmanager.GetSecretValue',
      },
      body,
    },
    { region: options.region, credentials: options.credentials, service: 'secretsmanager' },
  );
  const { status, text } = await send(url, headers, body, options.timeoutMs ?? 3000);
  const parsed = parseJson(text);
  if (status >= 200 && status < 300) {
    return typeof parsed.SecretString === 'string' ? parsed.SecretString : undefined;
  }
  // `__type` is "ResourceNotFoundException" or "com.amazonaws.secretsmanager#ResourceNotFoundException".
  const type = typeof parsed.__type === 'string' ? (parsed.__type.split('#').pop() ?? '') : '';
  const message =
    typeof parsed.message === 'string' ? parsed.message : (parsed.Message as string | undefined);
  throw new SecretsManagerError(
    type || (status >= 500 ? 'InternalServiceError' : 'SecretsManagerError'),
    `Secrets Manager GetSecretValue of ${secretId}: ${status} ${type} ${message ?? ''}`.trim(),
    status,
  );
}

function parseJson(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function send(
  url: URL,
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
): Promise<{ status: number; text: string }> {
  const request = url.protocol === 'http:' ? httpRequest : httpsRequest;
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'POST', headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } },
      (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.setTimeout(timeoutMs, () =>
      req.destroy(
        new SecretsManagerError('TimeoutError', `Secrets Manager did not answer in ${timeoutMs} ms`),
      ),
    );
    req.on('error', reject);
    req.end(body);
  });
}
