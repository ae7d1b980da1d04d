/**
 * The Secrets Manager reader against a local HTTP server that speaks GetSecretValue's JSON 1.1 protocol and checks
 * each request's SigV4 signature with the independent verifier of the CLI tests.
 */
import { AwsServiceError } from '../../../shared/adapters/aws/json-protocol';
import { secretsManagerReader } from '../../../shared/adapters/aws/secrets-manager';
import { storageFailureOf } from '../../../shared/adapters/dynamodb/errors';
import { StorageUnavailable } from '../../../shared/domain/storage-errors';
import { startAwsStub, STUB_CREDENTIALS as CREDENTIALS, type AwsStub } from '../../support/aws-stub';
import { parseAuthorization } from '../cli/sigv4-reference';

const SECRET_ID = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:scimgate/pepper-AbCdEf';

let stub: AwsStub;
beforeAll(async () => {
  stub = await startAwsStub('application/x-amz-json-1.1');
});
afterAll(() => stub.close());
beforeEach(() => stub.reset());

const read = (options: { timeoutMs?: number; maxAttempts?: number } = {}) =>
  secretsManagerReader({
    region: 'eu-west-1',
    credentials: async () => CREDENTIALS,
    endpoint: stub.endpoint,
    ...options,
  });

const failureOf = (promise: Promise<unknown>): Promise<unknown> =>
  promise.then(
    () => new Error('expected a failure'),
    (e: unknown) => e,
  );

describe('secretsManagerReader', () => {
  it('should send a signed GetSecretValue and return the SecretString', async () => {
    stub.replies = [
      {
        status: 200,
        body: { ARN: SECRET_ID, SecretString: '{"versions":[]}', VersionStages: ['AWSCURRENT'] },
      },
    ];

    await expect(read()(SECRET_ID)).resolves.toBe('{"versions":[]}');

    expect(stub.received).toHaveLength(1);
    const [request] = stub.received;
    expect(JSON.parse(request!.body)).toEqual({ SecretId: SECRET_ID });
    expect(request!.headers['x-amz-target']).toBe('secretsmanager.GetSecretValue');
    expect(request!.headers['content-type']).toBe('application/x-amz-json-1.1');
    expect(request!.headers['x-amz-security-token']).toBe(CREDENTIALS.sessionToken);
    expect(parseAuthorization(String(request!.headers.authorization))).toMatchObject({
      accessKeyId: 'AKIDEXAMPLE',
      region: 'eu-west-1',
      service: 'secretsmanager',
    });
    expect(request!.signatureValid).toBe(true);
  });

  it('should answer undefined for a binary secret', async () => {
    stub.replies = [{ status: 200, body: { ARN: SECRET_ID, SecretBinary: 'AQID' } }];

    await expect(read()(SECRET_ID)).resolves.toBeUndefined();
  });

  it('should not retry a permanent error and throw it by its AWS name', async () => {
    stub.replies = [
      {
        status: 400,
        body: {
          __type: 'ResourceNotFoundException',
          message: "Secrets Manager can't find the specified secret.",
        },
      },
    ];

    const error = await failureOf(read()(SECRET_ID));

    expect(error).toBeInstanceOf(AwsServiceError);
    expect(error).toMatchObject({ name: 'ResourceNotFoundException', $metadata: { httpStatusCode: 400 } });
    expect(String(error)).toContain("can't find the specified secret");
    expect(storageFailureOf(error)).toBeUndefined();
    expect(stub.received).toHaveLength(1);
  });

  it('should retry throttling and answer once the service recovers', async () => {
    stub.replies = [
      {
        status: 400,
        body: { __type: 'com.amazonaws.secretsmanager#ThrottlingException', message: 'Rate exceeded' },
      },
      { status: 500, body: { __type: 'InternalServiceError' } },
      { status: 200, body: { SecretString: 'ok' } },
    ];

    await expect(read()(SECRET_ID)).resolves.toBe('ok');

    expect(stub.received).toHaveLength(3);
    expect(stub.received.every((r) => r.signatureValid)).toBe(true);
  });

  it('should give up after the last attempt with an error the edge answers as 503', async () => {
    stub.replies = [{ status: 400, body: { __type: 'ThrottlingException', message: 'Rate exceeded' } }];

    const error = await failureOf(read({ maxAttempts: 2 })(SECRET_ID));

    expect(stub.received).toHaveLength(2);
    expect(storageFailureOf(error)).toBeInstanceOf(StorageUnavailable);
    expect(storageFailureOf(error)).toMatchObject({ failure: 'busy' });
  });

  it('should time out a request that hangs, and treat it as unavailable', async () => {
    stub.replies = ['hang'];

    const error = await failureOf(read({ timeoutMs: 200, maxAttempts: 1 })(SECRET_ID));

    expect(error).toMatchObject({ name: 'TimeoutError' });
    expect(storageFailureOf(error)).toMatchObject({ failure: 'unavailable' });
  });

  it('should treat a dropped connection and a refused one as unavailable', async () => {
    stub.replies = ['drop'];
    const dropped = await failureOf(read({ maxAttempts: 1 })(SECRET_ID));
    const refused = await failureOf(
      secretsManagerReader({
        region: 'eu-west-1',
        credentials: async () => CREDENTIALS,
        endpoint: 'http://127.0.0.1:1',
        maxAttempts: 1,
      })(SECRET_ID),
    );

    expect(storageFailureOf(dropped)).toMatchObject({ failure: 'unavailable' });
    expect(storageFailureOf(refused)).toMatchObject({ failure: 'unavailable' });
  });
});
