/**
 * Reads the table's change stream through the DynamoDB Streams API, the way Lambda's event source mapping does in
 * AWS: every shard in order (a child shard after its parent), batches handed to `handle`, a failed batch retried
 * from the same record on the next poll. `npm start` and the tests run the event pipeline on it over DynamoDB Local.
 */
import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record,
} from '@aws-sdk/client-dynamodb-streams';

export interface StreamReaderOptions {
  /** A client of the table's DynamoDB (DescribeTable), and where that DynamoDB is. */
  client: DynamoDBClient;
  region: string;
  /** DynamoDB Local's endpoint (the Streams API is served on the same port). */
  endpoint?: string;
  tableName: string;
  /** One batch, in stream order; throw to have it retried. */
  handle: (records: _Record[]) => Promise<void>;
  /** Pause between polls when nothing is new. */
  idleMs?: number;
  /**
   * `oldest` (default): every record the stream still holds; `latest`: only changes made after `start()` returns
   * (the open shards' positions are taken before it returns; shards that appear later are read from their start).
   */
  startAt?: 'oldest' | 'latest';
  onError?: (error: unknown) => void;
}

interface ShardState {
  iterator?: string;
  /** Last sequence number handled (a retry restarts after it). */
  last?: string;
  parent?: string;
  done: boolean;
  /** Set once the shards were listed again after this one ended. */
  childSeen?: boolean;
  /** Open when the reader started at `latest`: a position lost before any record is taken again at its end. */
  fromLatest?: boolean;
}

/** How often the shard list is read again while no shard has ended. */
const DISCOVER_EVERY_MS = 5_000;

export class StreamReader {
  private readonly streams: DynamoDBStreamsClient;
  private readonly shards = new Map<string, ShardState>();
  private stopped = false;
  /** Aborts a request in flight when stop() is called (destroying the client does not end it). */
  private readonly abort = new AbortController();
  private loop: Promise<void> | undefined;
  private streamArn = '';
  private discoveredAt: number | undefined;

  constructor(private readonly options: StreamReaderOptions) {
    this.streams = new DynamoDBStreamsClient({
      region: options.region,
      // A store that accepts connections and never answers must not hold a poll (and so stop()) forever.
      requestHandler: { connectionTimeout: 1000, requestTimeout: 5000, throwOnRequestTimeout: true },
      ...(options.endpoint
        ? { endpoint: options.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }
        : {}),
    });
  }

  /** Starts reading (from the oldest record still in the stream unless `startAt` says otherwise). */
  async start(): Promise<void> {
    const table = await this.options.client.send(
      new DescribeTableCommand({ TableName: this.options.tableName }),
    );
    const arn = table.Table?.LatestStreamArn;
    if (!arn) throw new Error(`table ${this.options.tableName} has no stream`);
    this.streamArn = arn;
    if (this.options.startAt === 'latest') await this.startAtLatest();
    this.loop = this.run();
  }

  /**
   * `latest`: the position after the last record of every open shard, taken now (not at each shard's first poll,
   * which comes after its parents' and could miss what was written meanwhile); closed shards hold only the past.
   */
  private async startAtLatest(): Promise<void> {
    const closed = await this.discover();
    for (const [shardId, state] of this.shards) {
      if (closed.has(shardId)) {
        state.done = true;
        state.childSeen = true;
        continue;
      }
      state.fromLatest = true;
      state.iterator = await this.iteratorFor(shardId, state);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    // Aborting first ends a poll in flight, so stopping never waits on a store that went away; the loop sees
    // `stopped` and returns.
    this.abort.abort();
    await this.loop;
    this.streams.destroy();
  }

  private async run(): Promise<void> {
    const idle = this.options.idleMs ?? 50;
    while (!this.stopped) {
      let progressed = false;
      try {
        await this.discover();
        for (const [shardId, state] of this.shards) {
          if (this.stopped) break;
          if (state.done) continue;
          const parent = state.parent ? this.shards.get(state.parent) : undefined;
          if (parent && !parent.done) continue;
          if (await this.poll(shardId, state)) progressed = true;
        }
      } catch (e) {
        if (!this.stopped) this.options.onError?.(e);
      }
      if (!progressed && !this.stopped) await new Promise((r) => setTimeout(r, idle));
    }
  }

  /**
   * Learns the stream's shards: at start, then at most every DISCOVER_EVERY_MS, or at once when a shard has ended
   * (its child is where the records go on). A DescribeStream per poll would double the load on the store.
   */
  private async discover(): Promise<Set<string>> {
    const closed = new Set<string>();
    const now = Date.now();
    const ended = [...this.shards.values()].some((s) => s.done && !s.childSeen);
    if (this.discoveredAt !== undefined && now - this.discoveredAt < DISCOVER_EVERY_MS && !ended)
      return closed;
    this.discoveredAt = now;
    for (const s of this.shards.values()) if (s.done) s.childSeen = true;
    let start: string | undefined;
    do {
      const out = await this.streams.send(
        new DescribeStreamCommand({ StreamArn: this.streamArn, ExclusiveStartShardId: start }),
        { abortSignal: this.abort.signal },
      );
      for (const shard of out.StreamDescription?.Shards ?? []) {
        if (!shard.ShardId) continue;
        if (shard.SequenceNumberRange?.EndingSequenceNumber) closed.add(shard.ShardId);
        if (this.shards.has(shard.ShardId)) continue;
        const state: ShardState = { done: false };
        if (shard.ParentShardId) state.parent = shard.ParentShardId;
        this.shards.set(shard.ShardId, state);
      }
      start = out.StreamDescription?.LastEvaluatedShardId;
    } while (start);
    return closed;
  }

  /** Reads one batch of a shard; true when it handled records. */
  private async poll(shardId: string, state: ShardState): Promise<boolean> {
    if (!state.iterator) {
      state.iterator = await this.iteratorFor(shardId, state);
      if (!state.iterator) {
        state.done = true;
        return false;
      }
    }
    let out;
    try {
      out = await this.streams.send(new GetRecordsCommand({ ShardIterator: state.iterator, Limit: 100 }), {
        abortSignal: this.abort.signal,
      });
    } catch (e) {
      // An iterator is a position, not a promise: on any failure take a fresh one from the last record handled.
      state.iterator = undefined;
      // DynamoDB Local numbers stream records across all its tables: an iterator taken while a shard was still
      // empty points at the shard's starting number, and once other tables' writes have used the numbers after it,
      // reading from there is "trimmed". Nothing was lost (the shard had no record before); a fresh TRIM_HORIZON
      // iterator starts at the shard's first record. (In AWS the same error means records older than 24 h.)
      // The same for a `latest` position taken while the shard was empty: every record in it came after the start.
      if (isTrimmed(e) && state.last === undefined) {
        state.fromLatest = false;
        return false;
      }
      throw e;
    }
    const records = out.Records ?? [];
    if (records.length > 0) {
      try {
        await this.options.handle(records);
      } catch (e) {
        // Retry the same records on the next poll, as Lambda retries a failed batch.
        state.iterator = undefined;
        throw e;
      }
      state.last = records[records.length - 1]?.dynamodb?.SequenceNumber ?? state.last;
    }
    state.iterator = out.NextShardIterator;
    if (!state.iterator) state.done = true;
    return records.length > 0;
  }

  /** A position in a shard: after the last record handled, else its oldest record (its end, for `fromLatest`). */
  private async iteratorFor(shardId: string, state: ShardState): Promise<string | undefined> {
    const get = async (from: 'after' | 'start') =>
      (
        await this.streams.send(
          new GetShardIteratorCommand({
            StreamArn: this.streamArn,
            ShardId: shardId,
            ...(from === 'after' && state.last
              ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: state.last }
              : { ShardIteratorType: state.fromLatest ? 'LATEST' : 'TRIM_HORIZON' }),
          }),
          { abortSignal: this.abort.signal },
        )
      ).ShardIterator;
    if (!state.last) return get('start');
    try {
      return await get('after');
    } catch (e) {
      if (!isTrimmed(e)) throw e;
      // The stream no longer holds the record after the last one handled (retention passed): say so, and go on
      // from the oldest record it holds. Applications reconcile through SCIM (docs/events.md).
      this.options.onError?.(new Error(`stream records after ${state.last} in ${shardId} were trimmed`));
      return get('start');
    }
  }
}

const isTrimmed = (e: unknown) => (e as { name?: string }).name === 'TrimmedDataAccessException';
