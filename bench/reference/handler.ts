/**
 * The cold-start reference: a textbook Lambda handler of the same kind, built from @middy/core,
 * @middy/http-json-body-parser, classic zod and the DynamoDB document client, making one GetItem on its first
 * invocation. Bundled with the construct's esbuild options like every function, so the bench reports each function
 * as a ratio to it (issue 8's target: <= 0.75x). @middy/http-error-handler is left out (it is not a dependency of
 * ours); it would only make the reference slower.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import middy from '@middy/core';
import httpJsonBodyParser from '@middy/http-json-body-parser';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { z } from 'zod';

const endpoint = process.env.DYNAMODB_ENDPOINT;
const client = DynamoDBDocumentClient.from(
  new DynamoDBClient({
    region: process.env.AWS_REGION ?? 'us-east-1',
    ...(endpoint ? { endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
  }),
);

const Params = z.object({ tenant: z.string().min(1).max(64), id: z.string().min(1).max(128) });

export const handler = middy<APIGatewayProxyEventV2>()
  .use(httpJsonBodyParser({ disableContentTypeError: true }))
  .handler(async (event) => {
    const params = Params.parse({ tenant: 'bench', id: 'x', ...event.pathParameters });
    const out = await client.send(
      new GetCommand({ TableName: process.env.TABLE_NAME, Key: { pk: `T#${params.tenant}`, sk: params.id } }),
    );
    return { statusCode: 200, body: JSON.stringify({ found: out.Item !== undefined }) };
  });
