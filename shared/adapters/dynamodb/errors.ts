/**
 * The one place that reads DynamoDB's and the AWS SDK's error names. Transient failures (throttling, timeouts,
 * connection errors, 5xx from the service), after the SDK's own retries, become the domain's `StorageUnavailable`;
 * everything else (conditional check failures, validation errors) passes through for the repositories to interpret.
 */
import { StorageUnavailable } from '../../domain/storage-errors';

const THROTTLING = new Set([
  'ThrottlingException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  'LimitExceededException',
]);

const UNAVAILABLE_NAMES = new Set([
  'InternalServerError',
  'InternalFailure',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'AbortError',
]);

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNABORTED',
  'UND_ERR_SOCKET',
]);

interface SdkError {
  name?: unknown;
  code?: unknown;
  $metadata?: { httpStatusCode?: number };
  CancellationReasons?: { Code?: string }[];
}

/** Seconds to advertise in `Retry-After`: throttling clears fast; an outage takes longer. */
export const RETRY_AFTER_BUSY_SECONDS = 1;
export const RETRY_AFTER_UNAVAILABLE_SECONDS = 5;

/** The domain error for a transient failure, or undefined when the error is not transient. */
export function storageFailureOf(e: unknown): StorageUnavailable | undefined {
  if (e instanceof StorageUnavailable) return e;
  if (!e || typeof e !== 'object') return undefined;
  const err = e as SdkError;
  // The SDK's retry layer rewraps a throwable it does not recognise as an Error (a socket error raised in another
  // realm, as under jest's VM) into `Error('AWS SDK error wrapper for <name>: <message>')`: read the name back.
  const message = e instanceof Error ? e.message : '';
  const wrapped = /^AWS SDK error wrapper for (\w+)/.exec(message)?.[1];
  const name = wrapped ?? (typeof err.name === 'string' ? err.name : '');
  const code =
    typeof err.code === 'string'
      ? err.code
      : wrapped
        ? ([...NETWORK_CODES].find((c) => message.includes(c)) ?? '')
        : '';
  if (THROTTLING.has(name)) return new StorageUnavailable('busy', RETRY_AFTER_BUSY_SECONDS, { cause: e });
  if (
    name === 'TransactionCanceledException' &&
    (err.CancellationReasons ?? []).some((r) => r.Code === 'ThrottlingError')
  ) {
    return new StorageUnavailable('busy', RETRY_AFTER_BUSY_SECONDS, { cause: e });
  }
  const status = err.$metadata?.httpStatusCode;
  if (
    UNAVAILABLE_NAMES.has(name) ||
    NETWORK_CODES.has(code) ||
    NETWORK_CODES.has(name) ||
    (typeof status === 'number' && status >= 500)
  ) {
    return new StorageUnavailable('unavailable', RETRY_AFTER_UNAVAILABLE_SECONDS, { cause: e });
  }
  return undefined;
}

/** Rethrows a transient failure as `StorageUnavailable`, anything else as it was. */
export function translateStorageError(e: unknown): unknown {
  return storageFailureOf(e) ?? e;
}

/** A transaction DynamoDB cancelled (a condition of one of its items failed, or a conflict): nothing was written. */
export function isTransactionCancelled(e: unknown): boolean {
  return (e as SdkError | null)?.name === 'TransactionCanceledException';
}

/** A failed condition of a single write or of a transaction item (the repositories decide what it means). */
export function isConditionFailure(e: unknown): boolean {
  const name = (e as SdkError | null)?.name;
  return name === 'ConditionalCheckFailedException';
}
