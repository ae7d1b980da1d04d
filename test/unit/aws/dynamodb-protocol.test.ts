/**
 * The document client on the wire, against a stub that checks every request's SigV4 signature: the AWS JSON 1.0
 * request DynamoDB expects, error names as DynamoDB sends them, throttling retried and then answered as busy, a
 * cancelled transaction's reasons read back as documents. (Every storage test runs it against DynamoDB Local too;
 * this is what DynamoDB Local does not check: the signature and the service's error shapes.)
 */
import {
  GetCommand,
  TransactWriteCommand,
  type DocumentClient,
} from '../../../shared/adapters/dynamodb/commands';
import { createDocumentClient } from '../../../shared/adapters/dynamodb/client';
import { StorageUnavailable } from '../../../shared/domain/storage-errors';
import { startAwsStub, STUB_CREDENTIALS, type AwsStub } from '../../support/aws-stub';
import { parseAuthorization } from '../cli/sigv4-reference';

let stub: AwsStub;
let doc: DocumentClient;
beforeAll(async () => {
  stub = await startAwsStub('application/x-amz-json-1.0');
  doc = createDocumentClient({ endpoint: stub.endpoint, region: 'eu-west-1', credentials: STUB_CREDENTIALS });
});
afterAll(async () => {
  doc.destroy();
  await stub.close();
});
beforeEach(() => stub.reset());

const DDB = 'com.amazonaws.dynamodb.v20120810#';
const failureOf = (p: Promise<unknown>) =>
  p.then(
    () => new Error('expected a failure'),
    (e: unknown) => e,
  );

describe('document client protocol', () => {
  it('should send a signed AWS JSON 1.0 GetItem and read the item back as a document', async () => {
    stub.replies = [{ status: 200, body: { Item: { pk: { S: 'a' }, n: { N: '3' }, tags: { SS: ['x'] } } } }];

    const out = await doc.send(new GetCommand({ TableName: 't', Key: { pk: 'a', sk: 'b' } }));

    expect(out.Item).toEqual({ pk: 'a', n: 3, tags: new Set(['x']) });
    const [request] = stub.received;
    expect(request!.headers['x-amz-target']).toBe('DynamoDB_20120810.GetItem');
    expect(request!.headers['content-type']).toBe('application/x-amz-json-1.0');
    expect(JSON.parse(request!.body)).toEqual({ TableName: 't', Key: { pk: { S: 'a' }, sk: { S: 'b' } } });
    expect(request!.signatureValid).toBe(true);
    expect(parseAuthorization(String(request!.headers.authorization))).toMatchObject({
      region: 'eu-west-1',
      service: 'dynamodb',
    });
  });

  it('should throw a failed condition by its name, without retrying it', async () => {
    stub.replies = [
      {
        status: 400,
        body: { __type: `${DDB}ConditionalCheckFailedException`, message: 'The conditional request failed' },
      },
    ];

    const error = await failureOf(doc.send(new GetCommand({ TableName: 't', Key: { pk: 'a' } })));

    expect(error).toMatchObject({
      name: 'ConditionalCheckFailedException',
      $metadata: { httpStatusCode: 400 },
    });
    expect(stub.received).toHaveLength(1);
  });

  it("should read a cancelled transaction's reasons, items included, as documents", async () => {
    stub.replies = [
      {
        status: 400,
        body: {
          __type: `${DDB}TransactionCanceledException`,
          Message: 'Transaction cancelled',
          CancellationReasons: [
            { Code: 'None' },
            { Code: 'ConditionalCheckFailed', Item: { v: { N: '7' } } },
          ],
        },
      },
    ];

    const error = await failureOf(
      doc.send(new TransactWriteCommand({ TransactItems: [{ Put: { TableName: 't', Item: { pk: 'a' } } }] })),
    );

    expect(error).toMatchObject({
      name: 'TransactionCanceledException',
      CancellationReasons: [{ Code: 'None' }, { Code: 'ConditionalCheckFailed', Item: { v: 7 } }],
    });
  });

  it('should retry throttling and then answer the domain error for a busy store', async () => {
    stub.replies = [
      { status: 400, body: { __type: `${DDB}ProvisionedThroughputExceededException`, message: 'slow down' } },
    ];

    const error = await failureOf(doc.send(new GetCommand({ TableName: 't', Key: { pk: 'a' } })));

    expect(error).toBeInstanceOf(StorageUnavailable);
    expect(error).toMatchObject({ failure: 'busy' });
    expect(stub.received).toHaveLength(3); // the default attempts
  });

  it('should answer once the store recovers within its attempts', async () => {
    stub.replies = [
      { status: 500, body: { __type: `${DDB}InternalServerError` } },
      { status: 200, body: {} },
    ];

    await expect(doc.send(new GetCommand({ TableName: 't', Key: { pk: 'a' } }))).resolves.toMatchObject({
      $metadata: { httpStatusCode: 200, attempts: 2 },
    });
  });
});
