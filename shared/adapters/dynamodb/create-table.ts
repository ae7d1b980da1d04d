import {
  CreateTableCommand,
  DescribeTableCommand,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
  DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { INDEXES, KEY, TTL_ATTRIBUTE, tableAttributeNames } from './table-design';

/**
 * An SDK client of a local DynamoDB for its control plane (creating and describing tables), which the document
 * client (./client.ts) does not speak. Local run, tests and bench only: no function bundle imports this module.
 */
export function localTableClient(endpoint: string, region = 'us-east-1'): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
}

/** The change stream the event producer reads (docs/events.md); the CDK table has the same. */
const STREAM = { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' } as const;

/**
 * Creates the table from the shared design if it does not exist (local run and tests; CDK does it in AWS), with its
 * change stream unless `stream: false` (tests that produce no events: DynamoDB Local then keeps no stream records
 * of their writes, which on a loaded machine slows every other test's store).
 */
export async function ensureTable(
  client: DynamoDBClient,
  tableName: string,
  options: { stream?: boolean } = {},
): Promise<void> {
  const stream = options.stream ?? true;
  try {
    const out = await client.send(new DescribeTableCommand({ TableName: tableName }));
    // A local table from before change events: turn its stream on.
    if (stream && !out.Table?.StreamSpecification?.StreamEnabled) {
      await client.send(new UpdateTableCommand({ TableName: tableName, StreamSpecification: STREAM }));
    }
    return;
  } catch (e) {
    if ((e as { name?: string }).name !== 'ResourceNotFoundException') throw e;
  }
  await createOnce(
    client,
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      ...(stream ? { StreamSpecification: STREAM } : {}),
      AttributeDefinitions: tableAttributeNames().map((name) => ({
        AttributeName: name,
        AttributeType: 'S',
      })),
      KeySchema: [
        { AttributeName: KEY.partition, KeyType: 'HASH' },
        { AttributeName: KEY.sort, KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: Object.values(INDEXES).map((idx) => ({
        IndexName: idx.name,
        KeySchema: [
          { AttributeName: idx.partitionKey, KeyType: 'HASH' },
          { AttributeName: idx.sortKey, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      })),
    }),
  );
  try {
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
      }),
    );
  } catch (e) {
    // The same lost answer as below: the retry of an attempt that did enable it is told so.
    if (!isTtlAlreadyEnabled(e)) throw e;
  }
}

const isTtlAlreadyEnabled = (e: unknown) =>
  (e as { name?: string }).name === 'ValidationException' &&
  /already enabled/i.test((e as { message?: string }).message ?? '');

/**
 * CreateTable, tolerating a table that already exists: under load the SDK may time out an attempt that DynamoDB
 * (Local) then completes, and its retry is answered ResourceInUseException for the very table it created.
 */
async function createOnce(client: DynamoDBClient, command: CreateTableCommand): Promise<void> {
  try {
    await client.send(command);
  } catch (e) {
    if ((e as { name?: string }).name !== 'ResourceInUseException') throw e;
  }
}
