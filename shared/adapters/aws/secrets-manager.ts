/**
 * Reads a secret's SecretString from AWS Secrets Manager with one signed HTTPS request (the GetSecretValue action
 * of its JSON 1.1 protocol), without the service's SDK client: the functions read one or two secrets per container
 * lifetime, and the client (~30 KiB minified, evaluated on every cold start of every function that authenticates)
 * is the largest single piece of a SCIM bundle after the DynamoDB client. Credentials are the ones the DynamoDB
 * client signs with, so nothing else is resolved. docs/decisions/0016-secrets-without-the-sdk-client.md.
 *
 * The protocol, time limits and retries are the ones the DynamoDB client uses (./json-protocol.ts): transient
 * failures (throttling, 5xx, connection errors, timeouts) are retried twice with jittered backoff and then thrown
 * in the SDK's error shape, which the storage error translation (shared/adapters/dynamodb/errors.ts) turns into a
 * 503 with Retry-After.
 */
import { jsonProtocol } from './json-protocol';
import type { CredentialSource } from './sigv4';

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

export type SecretStringReader = (secretId: string) => Promise<string | undefined>;

/** A reader of SecretStrings (undefined for a binary secret). */
export function secretsManagerReader(options: SecretsManagerOptions): SecretStringReader {
  const timeoutMs = options.timeoutMs ?? 3000;
  const protocol = jsonProtocol({
    endpoint: options.endpoint ?? `https://secretsmanager.${options.region}.amazonaws.com`,
    region: options.region,
    service: 'secretsmanager',
    addressing: { targetPrefix: 'secretsmanager', jsonVersion: '1.1' },
    credentials: options.credentials,
    limits: {
      connectionTimeoutMs: timeoutMs,
      attemptTimeoutMs: timeoutMs,
      maxAttempts: options.maxAttempts ?? 3,
    },
    maxSockets: 2,
  });
  return async (secretId) => {
    const { output } = await protocol.call('GetSecretValue', { SecretId: secretId });
    return typeof output.SecretString === 'string' ? output.SecretString : undefined;
  };
}
