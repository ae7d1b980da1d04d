import { randomUUID } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DocumentClient } from '../../shared/adapters/dynamodb/commands';
import { createDocumentClient } from '../../shared/adapters/dynamodb/client';
import { ensureTable, localTableClient } from '../../shared/adapters/dynamodb/create-table';

export interface TestTable {
  tableName: string;
  endpoint: string;
  doc: DocumentClient;
  client: DynamoDBClient;
}

/**
 * A fresh table in the run's DynamoDB Local (started by the jest global setup); with the change stream only when a
 * test produces change events from it.
 */
export async function createTestTable(options: { stream?: boolean } = {}): Promise<TestTable> {
  const endpoint = process.env.SCIMGATE_TEST_DDB_ENDPOINT;
  if (!endpoint) throw new Error('SCIMGATE_TEST_DDB_ENDPOINT is not set: the jest global setup did not run');
  const tableName = `test-${randomUUID()}`;
  const doc = createDocumentClient({ endpoint, region: 'us-east-1' });
  const client = localTableClient(endpoint);
  await ensureTable(client, tableName, { stream: options.stream ?? false });
  return { tableName, endpoint, doc, client };
}
