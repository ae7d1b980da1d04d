/**
 * The change-event log and the stream reader against DynamoDB Local over the real protocol, in the two situations
 * that lost or stalled events when the suite ran on two jest workers (docs/events.md, "Delivery guarantees"):
 *
 * - a stream reader started while its table's shard was empty, with another table written before its first record
 *   (DynamoDB Local numbers records across tables, so the first iterator reads as "trimmed");
 * - an answer lost after DynamoDB applied the write (a loaded store: the SDK times out and sends it again): the
 *   claim of sequence numbers must not claim twice (a gap readers wait for). The event transaction's retry is
 *   idempotent by its client request token; the test holds that the events stay stored once either way.
 */
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import { PutCommand } from '../../shared/adapters/dynamodb/commands';
import type { _Record } from '@aws-sdk/client-dynamodb-streams';
import { createDocumentClient } from '../../shared/adapters/dynamodb/client';
import { DynamoEventStore } from '../../shared/adapters/dynamodb/event-store';
import { StreamReader } from '../../shared/adapters/dynamodb/stream-reader';
import type { ChangeEvent, EventEntry } from '../../shared/domain/events/model';
import { systemClock } from '../../shared/domain/ports';
import { createTestTable, type TestTable } from '../support/tables';

const until = async (check: () => boolean, what: string, ms = 15_000) => {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

const event = (id: string, tenant = 'acme'): EventEntry => {
  const e: ChangeEvent = {
    id,
    type: 'user.created',
    tenant,
    endpoint: 'default',
    resourceType: 'User',
    resourceId: id,
    version: 1,
    time: '2026-12-01T12:00:00.000Z',
    actor: null,
  };
  return { event: e };
};

describe('stream reader over DynamoDB Local', () => {
  let mine: TestTable;
  let other: TestTable;
  let reader: StreamReader | undefined;
  afterEach(() => reader?.stop());

  it('reads the first record of a shard it began on while empty, after another table took the numbers between', async () => {
    mine = await createTestTable({ stream: true });
    other = await createTestTable({ stream: true });
    const seen: _Record[] = [];
    const errors: unknown[] = [];
    reader = new StreamReader({
      client: mine.client,
      endpoint: mine.endpoint,
      region: 'us-east-1',
      tableName: mine.tableName,
      idleMs: 20,
      handle: async (records) => void seen.push(...records),
      onError: (e) => errors.push(e),
    });
    await reader.start();
    // The reader has polled its empty shard (its iterator points at the shard's starting number).
    await new Promise((r) => setTimeout(r, 200));
    for (let i = 0; i < 5; i++) {
      await other.doc.send(new PutCommand({ TableName: other.tableName, Item: { pk: `o${i}`, sk: '-' } }));
    }
    await mine.doc.send(new PutCommand({ TableName: mine.tableName, Item: { pk: 'first', sk: '-' } }));
    await mine.doc.send(new PutCommand({ TableName: mine.tableName, Item: { pk: 'second', sk: '-' } }));

    await until(() => seen.length >= 2, 'both records');
    expect(seen.map((r) => r.dynamodb?.Keys?.pk?.S)).toEqual(['first', 'second']);
    expect(errors).toEqual([]);
  }, 30_000);
});

/**
 * An HTTP proxy in front of DynamoDB Local that forwards every request and, for the next `n` requests of one
 * operation, swallows DynamoDB's answer after it was given (the write is applied; the client never hears).
 */
async function answerLosingProxy(target: string): Promise<{
  endpoint: string;
  loseNext(operation: string, n?: number): void;
  lost: () => number;
  close(): Promise<void>;
}> {
  const upstream = new URL(target);
  const toLose = new Map<string, number>();
  let lost = 0;
  const held: IncomingMessage[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const operation = String(req.headers['x-amz-target'] ?? '').split('.')[1] ?? '';
      const forward = httpRequest(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: req.url,
          headers: req.headers,
        },
        (answer) => {
          const left = toLose.get(operation) ?? 0;
          if (left > 0) {
            toLose.set(operation, left - 1);
            lost++;
            held.push(answer);
            answer.resume(); // applied upstream; the client's request times out
            return;
          }
          res.writeHead(answer.statusCode ?? 500, answer.headers);
          answer.pipe(res);
        },
      );
      forward.on('error', () => res.destroy());
      forward.end(Buffer.concat(chunks));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    loseNext: (operation, n = 1) => toLose.set(operation, n),
    lost: () => lost,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('event log when DynamoDB applied a write whose answer was lost', () => {
  let table: TestTable;
  let proxy: Awaited<ReturnType<typeof answerLosingProxy>>;
  let store: DynamoEventStore;
  let direct: DynamoEventStore;
  beforeAll(async () => {
    table = await createTestTable();
    proxy = await answerLosingProxy(table.endpoint);
    // Short per-attempt limit, so the SDK retries the lost answer quickly (as it does after 2.5 s in service).
    const doc = createDocumentClient({
      endpoint: proxy.endpoint,
      region: 'us-east-1',
      timeouts: { requestTimeoutMs: 500, connectionTimeoutMs: 500, maxAttempts: 3 },
    });
    store = new DynamoEventStore(doc, table.tableName, systemClock);
    direct = new DynamoEventStore(table.doc, table.tableName, systemClock);
  });
  afterAll(() => proxy.close());

  it('claims its numbers once: the retried claim finds its own token, no gap for readers to wait for', async () => {
    proxy.loseNext('UpdateItem');
    await store.append([event('c1', 'claims'), event('c2', 'claims')]);
    expect(proxy.lost()).toBe(1);

    // Read at once: a gap would hold the reader back (GAP_GRACE_MS) and return nothing.
    const page = await direct.read('claims', { limit: 10 });
    expect(page.events.map((e) => [e.cursor, e.event.id])).toEqual([
      ['1', 'c1'],
      ['2', 'c2'],
    ]);
    expect(page.next).toBe('2');
  }, 30_000);

  it('never turns an event it stored into a skip when its transaction is sent again', async () => {
    const before = proxy.lost();
    proxy.loseNext('TransactWriteItems');
    await store.append([event('t1', 'writes'), event('t2', 'writes')]);
    expect(proxy.lost()).toBe(before + 1);
    // A redelivery of the same events (the stream's retry) stores nothing new.
    await store.append([event('t1', 'writes'), event('t2', 'writes')]);

    const page = await direct.read('writes', { limit: 10 });
    expect(page.events.map((e) => e.event.id)).toEqual(['t1', 't2']);
  }, 30_000);
});
