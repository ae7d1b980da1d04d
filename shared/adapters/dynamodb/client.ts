/**
 * The DynamoDB document client, built once per container. It speaks DynamoDB's JSON protocol itself (one signed
 * POST per call, ../aws/json-protocol.ts) instead of through the SDK client, which was half of every bundle and most
 * of a cold start (docs/decisions/0019-dynamodb-without-the-sdk-client.md). Sized for Lambda: a request never
 * outlives its function (connection and request time limits, a bounded number of attempts), and every transient
 * failure that survives the retries reaches the repositories as the domain's `StorageUnavailable` (./errors.ts).
 * Nothing here holds state across failures, so the service recovers by itself when the store returns.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { AwsServiceError, jsonProtocol } from '../aws/json-protocol';
import { environmentCredentials, type AwsCredentials, type CredentialSource } from '../aws/sigv4';
import type { DocumentClient, DocumentCommand, Interceptor, OutputOf, StorageCall } from './commands';
import { translateStorageError } from './errors';
import { KEY } from './table-design';
import { inputToWire, outputFromWire } from './wire';

export interface DynamoConfig {
  region?: string;
  /** DynamoDB Local endpoint (local run and tests); absent in AWS. */
  endpoint?: string;
  /**
   * DynamoDB Local only: true when it runs `-inMemory` and so keeps nothing across a restart. The commit barrier
   * (the local commit barrier below) then has nothing to protect and is left out, as in AWS.
   */
  localInMemory?: boolean;
  /** Per-attempt time limits and attempts (defaults: DYNAMODB_TIMEOUTS). */
  timeouts?: Partial<DynamoTimeouts>;
  /**
   * Default: fixed ones for an endpoint on this machine (DynamoDB Local), else the environment's (what Lambda gives every function). A tool run
   * from an operator's machine passes the SDK's provider chain.
   */
  credentials?: CredentialSource;
}

export interface DynamoTimeouts {
  /** Connecting a new socket, per attempt. */
  connectionTimeoutMs: number;
  /** The request and its response, per attempt: a whole attempt is limited to connection + request. */
  requestTimeoutMs: number;
  /** Attempts including the first (jittered exponential backoff between them). */
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
 * Sockets per client, and the bound on its requests in flight. An attempt's timers start when it is sent, so a
 * request that waited in the agent's queue for a free socket would spend its time limits waiting: a fan-out wider
 * than the pool (100 BatchGets resolving a 10 000-member group) would fail against a healthy store and answer 503.
 * Requests beyond this bound wait for a slot before they are sent (retries included), so the limits only measure
 * the store.
 */
export const MAX_IN_FLIGHT = 48;

/** The key the local commit barrier reads: it never exists. */
const BARRIER_KEY: Record<string, AttributeValue> = {
  [KEY.partition]: { S: '#commit-barrier' },
  [KEY.sort]: { S: '#commit-barrier' },
};

export function createDocumentClient(config: DynamoConfig): DocumentClient {
  const limits = { ...DYNAMODB_TIMEOUTS, ...config.timeouts };
  const region = config.region ?? process.env.AWS_REGION ?? 'us-east-1';
  // DynamoDB Local accepts any credentials; fixed ones keep every process on the same local database. Another
  // endpoint (a partition other than `aws`, a VPC endpoint) is AWS, signed with the environment's credentials.
  const local = config.endpoint !== undefined && isLoopback(config.endpoint);
  const source: CredentialSource =
    config.credentials ??
    (local ? { accessKeyId: 'local', secretAccessKey: 'local' } : environmentCredentials);
  const credentials = (): Promise<AwsCredentials> =>
    typeof source === 'function' ? source() : Promise.resolve(source);
  const protocol = jsonProtocol({
    endpoint: config.endpoint ?? `https://dynamodb.${region}.amazonaws.com`,
    region,
    service: 'dynamodb',
    addressing: { targetPrefix: 'DynamoDB_20120810', jsonVersion: '1.0' },
    credentials,
    limits: {
      connectionTimeoutMs: limits.connectionTimeoutMs,
      attemptTimeoutMs: limits.connectionTimeoutMs + limits.requestTimeoutMs,
      maxAttempts: limits.maxAttempts,
    },
    maxSockets: MAX_IN_FLIGHT,
  });
  const slots = new Slots(MAX_IN_FLIGHT);
  const barrier = local && !config.localInMemory;
  const interceptors = new Map<string, Interceptor>();

  async function perform(call: StorageCall): Promise<object> {
    await slots.take();
    try {
      const { output, status, attempts } = await protocol.call(call.operation, inputToWire(call.input));
      if (barrier && call.operation === 'TransactWriteItems') await waitForLocalCommit(call.input);
      return { ...outputFromWire(output), $metadata: { httpStatusCode: status, attempts } };
    } catch (e) {
      // A cancelled transaction's reasons (and a failed condition's item) hold items: documents, as the SDK gave.
      if (e instanceof AwsServiceError && (e.CancellationReasons || e.Item))
        Object.assign(e, outputFromWire({ CancellationReasons: e.CancellationReasons, Item: e.Item }));
      throw e;
    } finally {
      slots.give();
    }
  }

  /**
   * DynamoDB Local only (never in AWS). DynamoDB Local 1.25 answers TransactWriteItems before its SQLite COMMIT has
   * run: `SQLiteDBAccess.commitTransaction` puts the COMMIT on sqlite4java's job queue and returns without waiting
   * for it. A process killed in that moment loses a transaction it had acknowledged (reproduced: SIGKILL under
   * parallel transactions lost the last acknowledged one in 3 runs of 3; plain Put/Update/Delete wait for their
   * job). The queue runs its jobs one at a time in order, so a read sent after the transaction is answered only once
   * the COMMIT is done: each successful TransactWriteItems is followed by a GetItem of a key that never exists,
   * outside the interceptors (so `npm run bench` does not count it). If that read fails, the commit is unknown and
   * the request fails as storage unavailable instead of acknowledging it. An in-memory DynamoDB Local loses
   * everything when it is killed, so there the barrier protects nothing and costs a round trip: left out.
   */
  async function waitForLocalCommit(input: object): Promise<void> {
    const first = (input as { TransactItems?: Record<string, { TableName?: string } | undefined>[] })
      .TransactItems?.[0];
    const tableName = first && Object.values(first).find((op) => op?.TableName)?.TableName;
    if (tableName) await protocol.call('GetItem', { TableName: tableName, Key: BARRIER_KEY });
  }

  function run(call: StorageCall, chain: Interceptor[], i: number): Promise<object> {
    const interceptor = chain[i];
    return interceptor ? interceptor(call, () => run(call, chain, i + 1)) : perform(call);
  }

  return {
    async send<C extends DocumentCommand<object, object>>(command: C): Promise<OutputOf<C>> {
      const call: StorageCall = { operation: command.operation, input: command.input };
      try {
        return (await run(call, [...interceptors.values()], 0)) as OutputOf<C>;
      } catch (e) {
        throw translateStorageError(e);
      }
    },
    intercept: (name, interceptor) => void interceptors.set(name, interceptor),
    removeInterceptor: (name) => void interceptors.delete(name),
    credentials,
    destroy: () => protocol.close(),
  };
}

function isLoopback(endpoint: string): boolean {
  const host = new URL(endpoint).hostname;
  return host === 'localhost' || host === '[::1]' || host.startsWith('127.');
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
