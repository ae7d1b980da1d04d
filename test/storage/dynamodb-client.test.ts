/**
 * The DynamoDB client's bound on requests in flight (shared/adapters/dynamodb/client.ts). The SDK starts an
 * attempt's connection and request timers when it hands the request to the HTTP agent, so without the bound a
 * fan-out wider than the socket pool spends its timeouts queueing for a socket and fails against a healthy store
 * (the cause of 503s on 10 000-member group writes). Here every answer of DynamoDB Local is held back 200 ms: eight
 * times the bound of requests at once take about 8 × 200 ms, far beyond the 1 s connection timeout for the last
 * ones if they were queued in the agent (without the bound most of them fail, even after the SDK's retries), and
 * every one must succeed. (A retry may still happen on a saturated machine: the store itself is slow then.)
 */
import { GetCommand } from '../../shared/adapters/dynamodb/commands';
import {
  createDocumentClient,
  DYNAMODB_TIMEOUTS,
  MAX_IN_FLIGHT,
} from '../../shared/adapters/dynamodb/client';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy';
import { createTestTable, type TestTable } from '../support/tables';

let table: TestTable;
let proxy: FaultProxy;

beforeAll(async () => {
  table = await createTestTable();
  proxy = await startFaultProxy(table.endpoint, 200);
  proxy.set('slow');
});

afterAll(async () => {
  await proxy.close();
});

describe('DynamoDB client', () => {
  it('should keep a fan-out wider than its socket pool within the timeouts (requests wait for a slot, not a socket)', async () => {
    const doc = createDocumentClient({ endpoint: proxy.endpoint, region: 'us-east-1' });
    const n = MAX_IN_FLIGHT * 8;
    const started = Date.now();
    const results = await Promise.allSettled(
      Array.from({ length: n }, (_, i) =>
        doc.send(new GetCommand({ TableName: table.tableName, Key: { pk: 'fan-out', sk: String(i) } })),
      ),
    );
    const failures = results.filter((r) => r.status === 'rejected');
    expect(failures.map((f) => String((f as PromiseRejectedResult).reason))).toEqual([]);
    // The fan-out really outlasted the connection timeout: without the bound the queued requests would have failed.
    expect(Date.now() - started).toBeGreaterThan(DYNAMODB_TIMEOUTS.connectionTimeoutMs);
    doc.destroy();
  }, 60_000);
});
