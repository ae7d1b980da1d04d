/**
 * Counts every DynamoDB call the server makes, by command name, with a middleware on the container's document
 * client. Operations run in phases (one operation type at a time), so the calls of a phase divided by its requests
 * is the operation's round trips per request.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export type CallCounts = Record<string, number>;

export class DynamoCallCounter {
  private readonly counts = new Map<string, number>();

  /** Installs the counting middleware (idempotent per client: the name is unique in the stack). */
  static attach(doc: DynamoDBDocumentClient): DynamoCallCounter {
    const counter = new DynamoCallCounter();
    doc.middlewareStack.add(
      (next, context) => async (args) => {
        const name = (context.commandName ?? 'unknown').replace(/Command$/, '');
        counter.counts.set(name, (counter.counts.get(name) ?? 0) + 1);
        return next(args);
      },
      { step: 'initialize', name: 'scimgateBenchCallCounter', override: true },
    );
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
