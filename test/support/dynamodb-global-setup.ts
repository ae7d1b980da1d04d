import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDynamoDbLocal } from '../../functions/local/dynamodb-local';

/** One in-memory DynamoDB Local for the whole run; each test file creates its own table (see ./tables.ts). */
export default async function globalSetup(): Promise<void> {
  // Every test process copies its console/stdout/stderr here; the teardown searches it for secrets.
  process.env.SCIMGATE_TEST_LOG_DIR ??= mkdtempSync(join(tmpdir(), 'scimgate-test-logs-'));
  if (process.env.SCIMGATE_TEST_DDB_ENDPOINT) return;
  const ddb = await startDynamoDbLocal();
  process.env.SCIMGATE_TEST_DDB_ENDPOINT = ddb.endpoint;
  (globalThis as { __scimgateDdb?: { stop(): Promise<void> } }).__scimgateDdb = ddb;
}
