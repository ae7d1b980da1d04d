/**
 * Counts every DynamoDB call the server makes, by command name, with an interceptor on the container's document
 * client. Operations run in phases (one operation type at a time), so the calls of a phase divided by its requests
 * is the operation's round trips per request.
 */
import type { DocumentClient } from '../shared/adapters/dynamodb/commands';

export type CallCounts = Record<string, number>;

export class DynamoCallCounter {
  private readonly counts = new Map<string, number>();
  /** Wall time of each call (queueing in the store included), by command name, in call order. */
  private readonly durations = new Map<string, number[]>();

  /** Installs the counting middleware (idempotent per client: an interceptor of the same name is replaced). */
  static attach(doc: DocumentClient): DynamoCallCounter {
    const counter = new DynamoCallCounter();
    doc.intercept('scimgateBenchCallCounter', async (call, next) => {
      counter.counts.set(call.operation, (counter.counts.get(call.operation) ?? 0) + 1);
      const started = performance.now();
      try {
        return await next();
      } finally {
        const list = counter.durations.get(call.operation) ?? [];
        list.push(performance.now() - started);
        counter.durations.set(call.operation, list);
      }
    });
    return counter;
  }

  snapshot(): CallCounts {
    return Object.fromEntries(this.counts);
  }

  /**
   * Median wall time (ms) of the calls made since `before` (a snapshot), by command name: which step of an
   * operation its time goes to. Calls made in parallel overlap, so these do not add up to a request's latency.
   */
  medianSince(before: CallCounts): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [name, list] of this.durations) {
      const recent = list.slice(before[name] ?? 0).sort((a, b) => a - b);
      if (recent.length > 0) out[name] = Math.round((recent[Math.floor(recent.length / 2)] ?? 0) * 10) / 10;
    }
    return out;
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
