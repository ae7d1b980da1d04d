/** The one translation of AWS SDK failures into the domain's StorageUnavailable (shared/adapters/dynamodb/errors.ts). */
import { storageFailureOf, translateStorageError } from '../../shared/adapters/dynamodb/errors';
import { StorageUnavailable } from '../../shared/domain/storage-errors';

const sdk = (name: string, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(name), { name, ...extra });

describe('storage error translation', () => {
  it.each([
    ['throttling', sdk('ThrottlingException'), 'busy'],
    ['provisioned throughput', sdk('ProvisionedThroughputExceededException'), 'busy'],
    ['request limit', sdk('RequestLimitExceeded'), 'busy'],
    [
      'a transaction cancelled by throttling',
      sdk('TransactionCanceledException', {
        CancellationReasons: [{ Code: 'None' }, { Code: 'ThrottlingError' }],
      }),
      'busy',
    ],
    [
      'a 500 from the service',
      sdk('InternalServerError', { $metadata: { httpStatusCode: 500 } }),
      'unavailable',
    ],
    ['any 5xx', sdk('SomethingNew', { $metadata: { httpStatusCode: 503 } }), 'unavailable'],
    ['a request timeout', sdk('TimeoutError'), 'unavailable'],
    ['a refused connection', sdk('Error', { code: 'ECONNREFUSED' }), 'unavailable'],
    ['a reset connection', sdk('Error', { code: 'ECONNRESET' }), 'unavailable'],
    [
      "the SDK's wrapper of a foreign socket error",
      new Error('AWS SDK error wrapper for TimeoutError: connect ECONNRESET 127.0.0.1:1'),
      'unavailable',
    ],
  ])('should make %s a StorageUnavailable (%#)', (_what, error, failure) => {
    const out = translateStorageError(error);

    expect(out).toBeInstanceOf(StorageUnavailable);
    expect((out as StorageUnavailable).failure).toBe(failure);
    expect(Number.isInteger((out as StorageUnavailable).retryAfterSeconds)).toBe(true);
    expect((out as StorageUnavailable).retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect((out as StorageUnavailable).cause).toBe(error);
  });

  it.each([
    ['a failed condition', sdk('ConditionalCheckFailedException', { $metadata: { httpStatusCode: 400 } })],
    [
      'a cancelled transaction',
      sdk('TransactionCanceledException', { CancellationReasons: [{ Code: 'ConditionalCheckFailed' }] }),
    ],
    ['a validation error', sdk('ValidationException', { $metadata: { httpStatusCode: 400 } })],
    ['a plain bug', new TypeError('x is undefined')],
  ])('should pass %s through unchanged', (_what, error) => {
    expect(storageFailureOf(error)).toBeUndefined();
    expect(translateStorageError(error)).toBe(error);
  });
});
