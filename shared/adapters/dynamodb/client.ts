import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export interface DynamoConfig {
  region?: string;
  /** DynamoDB Local endpoint (local run and tests); absent in AWS. */
  endpoint?: string;
}

/** Built once per container by the composition root. */
export function createDocumentClient(
  config: DynamoConfig,
  extra: Partial<DynamoDBClientConfig> = {},
): DynamoDBDocumentClient {
  const base: DynamoDBClientConfig = {
    region: config.region ?? process.env.AWS_REGION ?? 'us-east-1',
    ...extra,
  };
  if (config.endpoint) {
    base.endpoint = config.endpoint;
    // DynamoDB Local accepts any credentials; fixed ones keep every process on the same local database.
    base.credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
  }
  const client = new DynamoDBClient(base);
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}
