/**
 * The stream reader's `latest` start (shared/adapters/dynamodb/stream-reader.ts), against DynamoDB Local's stream:
 * a change made right after start() returns is delivered and one made before is not, even when the stream answers
 * slowly (the reader's calls go through a proxy that holds every answer 200 ms). The positions used to be taken at
 * each shard's first poll, after the shard listing: a write made meanwhile was skipped, and the benchmark's events
 * phase waited forever for it.
 */
import { PutCommand } from '../../shared/adapters/dynamodb/commands';
import { StreamReader } from '../../shared/adapters/dynamodb/stream-reader';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy';
import { createTestTable, type TestTable } from '../support/tables';

let table: TestTable;
let proxy: FaultProxy;

beforeAll(async () => {
  table = await createTestTable({ stream: true });
  proxy = await startFaultProxy(table.endpoint, 200);
  proxy.set('slow');
});
afterAll(async () => {
  await proxy.close();
});

const put = (sk: string) =>
  table.doc.send(new PutCommand({ TableName: table.tableName, Item: { pk: 'stream-latest', sk } }));

describe('StreamReader, startAt latest', () => {
  it('should deliver what is written right after start() and nothing written before it', async () => {
    await put('before');
    const seen: string[] = [];
    const reader = new StreamReader({
      client: table.client,
      region: 'us-east-1',
      endpoint: proxy.endpoint,
      tableName: table.tableName,
      startAt: 'latest',
      idleMs: 20,
      handle: async (records) => {
        for (const r of records) seen.push(String(r.dynamodb?.Keys?.sk?.S));
      },
    });
    await reader.start();
    try {
      await put('after');
      const deadline = Date.now() + 15_000;
      while (!seen.includes('after') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(seen).toEqual(['after']);
    } finally {
      await reader.stop();
    }
  });
});
