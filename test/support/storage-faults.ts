/**
 * Storage faults for HTTP tests: the next DynamoDB call(s) fail with an SDK error, raised inside the client's own
 * middleware stack so that the adapter's error translation (shared/adapters/dynamodb/errors.ts) sees it as it
 * would see a real one.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

let counter = 0;

/** The next `times` calls fail with `error` (after the SDK's retries); returns a function that undoes it. */
export function failNextDynamoCalls(doc: DynamoDBDocumentClient, error: () => Error, times = 1): () => void {
  const name = `testFault${++counter}`;
  let left = times;
  doc.middlewareStack.add(
    (next) => async (args) => {
      if (left > 0) {
        left--;
        throw error();
      }
      return next(args);
    },
    { step: 'initialize', name, priority: 'low' },
  );
  return () => {
    doc.middlewareStack.remove(name);
  };
}

export const sdkError = (name: string, message = name, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(message), { name, ...extra });
