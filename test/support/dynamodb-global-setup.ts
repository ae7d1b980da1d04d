import { startDynamoDbLocal } from '../../functions/local/dynamodb-local';

/** One in-memory DynamoDB Local for the whole run; each test file creates its own table (see ./tables.ts). */
export default async function globalSetup(): Promise<void> {
  if (process.env.SCIMGATE_TEST_DDB_ENDPOINT) return;
  const ddb = await startDynamoDbLocal();
  process.env.SCIMGATE_TEST_DDB_ENDPOINT = ddb.endpoint;
  (globalThis as { __scimgateDdb?: { stop(): Promise<void> } }).__scimgateDdb = ddb;
}
