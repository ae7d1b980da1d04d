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
  /** `oldest` (default): every record the stream still holds; `latest`: only changes from now on. */
  startAt?: 'oldest' | 'latest';
  onError?: (error: unknown) => void;
}

interface ShardState {
  iterator?: string;
  /** Last sequence number handled (a retry restarts after it). */
  last?: string;
  parent?: string;
  done: boolean;
}

export class StreamReader {
  private readonly streams: DynamoDBStreamsClient;
  private readonly shards = new Map<string, ShardState>();
  private stopped = false;
  private loop: Promise<void> | undefined;
  private streamArn = '';

  constructor(private readonly options: StreamReaderOptions) {
    this.streams = new DynamoDBStreamsClient({
      region: options.region,
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
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
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
        this.options.onError?.(e);
      }
      if (!progressed && !this.stopped) await new Promise((r) => setTimeout(r, idle));
    }
  }

  private async discover(): Promise<void> {
    let start: string | undefined;
    do {
      const out = await this.streams.send(
        new DescribeStreamCommand({ StreamArn: this.streamArn, ExclusiveStartShardId: start }),
      );
      for (const shard of out.StreamDescription?.Shards ?? []) {
        if (!shard.ShardId || this.shards.has(shard.ShardId)) continue;
        const state: ShardState = { done: false };
        if (shard.ParentShardId) state.parent = shard.ParentShardId;
        this.shards.set(shard.ShardId, state);
      }
      start = out.StreamDescription?.LastEvaluatedShardId;
    } while (start);
  }

  /** Reads one batch of a shard; true when it handled records. */
  private async poll(shardId: string, state: ShardState): Promise<boolean> {
    if (!state.iterator) {
      const out = await this.streams.send(
        new GetShardIteratorCommand({
          StreamArn: this.streamArn,
          ShardId: shardId,
          ...(state.last
            ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: state.last }
            : { ShardIteratorType: this.options.startAt === 'latest' ? 'LATEST' : 'TRIM_HORIZON' }),
        }),
      );
      state.iterator = out.ShardIterator;
      if (!state.iterator) {
        state.done = true;
        return false;
      }
    }
    const out = await this.streams.send(new GetRecordsCommand({ ShardIterator: state.iterator, Limit: 100 }));
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
}
