/**
 * The DynamoDB document client, built once per container. Sized for Lambda: a request never outlives its
 * function (connection and request timeouts, a bounded number of attempts), and every transient failure that
 * survives the SDK's retries reaches the repositories as the domain's `StorageUnavailable` (see ./errors.ts).
 * Nothing here holds state across failures, so the service recovers by itself when the store returns.
 */
import {
  DynamoDBClient,
  GetItemCommand,
  type DynamoDBClientConfig,
  type TransactWriteItem,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { translateStorageError } from './errors';
import { KEY } from './table-design';

export interface DynamoConfig {
  region?: string;
  /** DynamoDB Local endpoint (local run and tests); absent in AWS. */
  endpoint?: string;
  /**
   * DynamoDB Local only: true when it runs `-inMemory` and so keeps nothing across a restart. The commit barrier
   * (waitForLocalCommits) then has nothing to protect and is left out, as in AWS.
   */
  localInMemory?: boolean;
  /** Per-attempt time limits and attempts (defaults: DYNAMODB_TIMEOUTS). */
  timeouts?: Partial<DynamoTimeouts>;
}

export interface DynamoTimeouts {
  /** TCP connect (and TLS) limit per attempt. */
  connectionTimeoutMs: number;
  /** Limit on one attempt's whole request/response. */
  requestTimeoutMs: number;
  /** Attempts including the first (the SDK's standard retry strategy with backoff between them). */
  maxAttempts: number;
}

/**
 * Worst case ≈ maxAttempts × (connection + request) + backoff ≈ 3 × 3.5 s + < 1 s ≈ 11.5 s: well inside the HTTP
 * functions' 29 s timeout (API Gateway's is 30 s), so the caller gets a 503 rather than a gateway timeout.
 */
export const DYNAMODB_TIMEOUTS: DynamoTimeouts = {
  connectionTimeoutMs: 1_000,
  requestTimeoutMs: 2_500,
  maxAttempts: 3,
};

/**
 * Sockets per client, and the bound on its requests in flight. The SDK starts an attempt's connection and request
 * timers when it hands the request to the HTTP agent, so a request that waits in the agent's queue for a free socket
 * spends its timeouts waiting: a fan-out wider than the pool (100 BatchGets resolving a 10 000-member group) failed
 * with "did not establish a connection" against a healthy store, and answered 503. Requests beyond this bound wait
 * for a slot before the SDK sees them (retries included), so the timeouts only measure the store.
 */
export const MAX_IN_FLIGHT = 48;

export function createDocumentClient(
  config: DynamoConfig,
  extra: Partial<DynamoDBClientConfig> = {},
): DynamoDBDocumentClient {
  const t = { ...DYNAMODB_TIMEOUTS, ...config.timeouts };
  const base: DynamoDBClientConfig = {
    region: config.region ?? process.env.AWS_REGION ?? 'us-east-1',
    maxAttempts: t.maxAttempts,
    requestHandler: {
      connectionTimeout: t.connectionTimeoutMs,
      requestTimeout: t.requestTimeoutMs,
      // Without it the SDK only warns when the time is up and keeps waiting.
      throwOnRequestTimeout: true,
      httpAgent: { maxSockets: MAX_IN_FLIGHT },
      httpsAgent: { maxSockets: MAX_IN_FLIGHT },
    },
    ...extra,
  };
  if (config.endpoint) {
    base.endpoint = config.endpoint;
    // DynamoDB Local accepts any credentials; fixed ones keep every process on the same local database.
    base.credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
  }
  const client = new DynamoDBClient(base);
  const slots = new Slots(MAX_IN_FLIGHT);
  if (config.endpoint && !config.localInMemory) waitForLocalCommits(client, new DynamoDBClient(base));
  // Outermost step: sees the error after the SDK's retries. The document client shares this middleware stack.
  client.middlewareStack.add(
    (next) => async (args) => {
      try {
        return await next(args);
      } catch (e) {
        throw translateStorageError(e);
      }
    },
    { step: 'initialize', name: 'scimgateStorageErrors', priority: 'high' },
  );
  // Inside the error translation, outside the SDK's retries and timers: at most MAX_IN_FLIGHT requests reach the agent.
  client.middlewareStack.add(
    (next) => async (args) => {
      await slots.take();
      try {
        return await next(args);
      } finally {
        slots.give();
      }
    },
    { step: 'initialize', name: 'scimgateInFlightBound', priority: 'low' },
  );
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}

/** A counting semaphore (first come, first served). */
class Slots {
  private waiting: (() => void)[] = [];
  constructor(private free: number) {}
  take(): Promise<void> {
    if (this.free > 0) {
      this.free--;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }
  give(): void {
    const nextInLine = this.waiting.shift();
    if (nextInLine) nextInLine();
    else this.free++;
  }
}

/**
 * DynamoDB Local only (never in AWS). DynamoDB Local 1.25 answers TransactWriteItems before its SQLite COMMIT has
 * run: `SQLiteDBAccess.commitTransaction` puts the COMMIT on sqlite4java's job queue and returns without waiting
 * for it. A process killed in that moment loses a transaction it had acknowledged (reproduced: SIGKILL under
 * parallel transactions lost the last acknowledged one in 3 runs of 3; plain Put/Update/Delete wait for their job).
 * The queue runs its jobs one at a time in order, so a read sent after the transaction is answered only once the
 * COMMIT is done: each successful TransactWriteItems is followed by a GetItem of a key that never exists, on a
 * client of its own (so `npm run bench` does not count it). If that read fails, the commit is unknown and the
 * request fails as storage unavailable instead of acknowledging it. An in-memory DynamoDB Local loses everything
 * when it is killed, so there the barrier protects nothing and costs a round trip per transaction: left out.
 */
function waitForLocalCommits(client: DynamoDBClient, barrier: DynamoDBClient): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      if (context.commandName === 'TransactWriteItemsCommand') {
        const items = (args.input as { TransactItems?: TransactWriteItem[] }).TransactItems ?? [];
        const first = items[0];
        const tableName =
          first?.Put?.TableName ??
          first?.Update?.TableName ??
          first?.Delete?.TableName ??
          first?.ConditionCheck?.TableName;
        if (tableName) {
          await barrier.send(
            new GetItemCommand({
              TableName: tableName,
              Key: { [KEY.partition]: { S: '#commit-barrier' }, [KEY.sort]: { S: '#commit-barrier' } },
            }),
          );
        }
      }
      return result;
    },
    { step: 'initialize', name: 'scimgateLocalCommitBarrier', priority: 'low' },
  );
}
