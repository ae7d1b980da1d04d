/**
 * Storage faults for HTTP tests: the next DynamoDB call(s) fail with an SDK error, raised by an interceptor of the client so that the adapter's error translation (shared/adapters/dynamodb/errors.ts) sees it as it
 * would see a real one.
 */
import type { DocumentClient } from '../../shared/adapters/dynamodb/commands';

let counter = 0;

/** The next `times` calls fail with `error` (after the SDK's retries); returns a function that undoes it. */
export function failNextDynamoCalls(doc: DocumentClient, error: () => Error, times = 1): () => void {
  const name = `testFault${++counter}`;
  let left = times;
  doc.intercept(name, (_call, next) => {
    if (left > 0) {
      left--;
      return Promise.reject(error());
    }
    return next();
  });
  return () => {
    doc.removeInterceptor(name);
  };
}

export const sdkError = (name: string, message = name, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(message), { name, ...extra });
