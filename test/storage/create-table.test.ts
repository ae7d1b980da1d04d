/**
 * ensureTable (local run and tests) survives the SDK's retry of a request whose answer was lost: under load an
 * attempt times out after DynamoDB Local has done it, and the retry is told the table exists (CreateTable) or its
 * TTL is already on (UpdateTimeToLive). Here the first answer of each is dropped on purpose, inside the SDK's retry
 * loop, exactly as a timeout would drop it.
 */
import { randomUUID } from 'node:crypto';
import { DescribeTableCommand, DescribeTimeToLiveCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ensureTable } from '../../shared/adapters/dynamodb/create-table';
import { TTL_ATTRIBUTE } from '../../shared/adapters/dynamodb/table-design';

function clientLosingFirstAnswers(endpoint: string, commands: string[]) {
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 3,
  });
  const lost: string[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args); // DynamoDB Local did it …
      const name = context.commandName ?? '';
      if (commands.includes(name) && !lost.includes(name)) {
        lost.push(name); // … and its answer is lost: the SDK retries
        throw Object.assign(new Error('answer lost'), { name: 'TimeoutError', $metadata: {} });
      }
      return result;
    },
    { step: 'deserialize', name: 'loseFirstAnswer' },
  );
  return { client, lost };
}

describe('ensureTable', () => {
  it('should finish a table whose CreateTable and UpdateTimeToLive answers were lost and retried', async () => {
    const endpoint = process.env.SCIMGATE_TEST_DDB_ENDPOINT!;
    const tableName = `test-${randomUUID()}`;
    const { client, lost } = clientLosingFirstAnswers(endpoint, [
      'CreateTableCommand',
      'UpdateTimeToLiveCommand',
    ]);

    await ensureTable(client, tableName, { stream: false });

    expect(lost).toEqual(['CreateTableCommand', 'UpdateTimeToLiveCommand']); // both were really retried
    const table = await client.send(new DescribeTableCommand({ TableName: tableName }));
    expect(table.Table?.TableStatus).toBe('ACTIVE');
    const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
    expect(ttl.TimeToLiveDescription).toMatchObject({
      AttributeName: TTL_ATTRIBUTE,
      TimeToLiveStatus: 'ENABLED',
    });
    // And again on the same table: nothing to do.
    await expect(ensureTable(client, tableName, { stream: false })).resolves.toBeUndefined();
  });
});
