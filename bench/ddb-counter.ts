/**
 * Counts every DynamoDB call the server makes, by command name, with an interceptor on the container's document
 * client. Operations run in phases (one operation type at a time), so the calls of a phase divided by its requests
 * is the operation's round trips per request.
 */
import type { DocumentClient } from '../shared/adapters/dynamodb/commands';

export type CallCounts = Record<string, number>;

export class DynamoCallCounter {
  private readonly counts = new Map<string, number>();

  /** Installs the counting middleware (idempotent per client: an interceptor of the same name is replaced). */
  static attach(doc: DocumentClient): DynamoCallCounter {
    const counter = new DynamoCallCounter();
    doc.intercept('scimgateBenchCallCounter', (call, next) => {
      counter.counts.set(call.operation, (counter.counts.get(call.operation) ?? 0) + 1);
      return next();
    });
    return counter;
  }

  snapshot(): CallCounts {
    return Object.fromEntries(this.counts);
  }

  /** Calls made since `before` (a snapshot), by command name. */
  since(before: CallCounts): CallCounts {
    const out: CallCounts = {};
    for (const [name, n] of this.counts) {
      const d = n - (before[name] ?? 0);
      if (d > 0) out[name] = d;
    }
    return out;
  }
}

export function total(counts: CallCounts): number {
  return Object.values(counts).reduce((a, b) => a + b, 0);
}
