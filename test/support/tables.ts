import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient, type DynamoTimeouts } from '../../shared/adapters/dynamodb/client';
import { ensureTable } from '../../shared/adapters/dynamodb/create-table';

export interface TestTable {
  tableName: string;
  endpoint: string;
  doc: DynamoDBDocumentClient;
  client: DynamoDBClient;
}

/**
 * A fresh table in the run's DynamoDB Local (started by the jest global setup). `timeouts`: for tests whose single
 * requests are large (a 10 000-member group's writes), so that a loaded machine is not taken for a slow store.
 */
export async function createTestTable(timeouts?: Partial<DynamoTimeouts>): Promise<TestTable> {
  const endpoint = process.env.SCIMGATE_TEST_DDB_ENDPOINT;
  if (!endpoint) throw new Error('SCIMGATE_TEST_DDB_ENDPOINT is not set: the jest global setup did not run');
  const tableName = `test-${randomUUID()}`;
  const doc = createDocumentClient({ endpoint, region: 'us-east-1', ...(timeouts ? { timeouts } : {}) });
  const client = doc as unknown as DynamoDBClient;
  await ensureTable(client, tableName);
  return { tableName, endpoint, doc, client };
}
