/**
 * The failures of storage the domain knows about. Adapters translate their infrastructure's errors into these
 * (shared/adapters/dynamodb/errors.ts is the one place that knows DynamoDB's error names); the edges answer them
 * as 503 with `Retry-After` in each API's own error shape.
 */
export type StorageFailure = 'busy' | 'unavailable';

export class StorageUnavailable extends Error {
  override readonly name = 'StorageUnavailable';

  constructor(
    /** `busy`: throttled (retry soon); `unavailable`: timed out, unreachable or failing (retry a little later). */
    readonly failure: StorageFailure,
    /** Whole seconds a client should wait before retrying (RFC 9110 §10.2.3). */
    readonly retryAfterSeconds: number,
    options?: { cause?: unknown },
  ) {
    super(failure === 'busy' ? 'storage is busy' : 'storage is unavailable', options);
  }
}

export function isStorageUnavailable(e: unknown): e is StorageUnavailable {
  return e instanceof StorageUnavailable;
}
