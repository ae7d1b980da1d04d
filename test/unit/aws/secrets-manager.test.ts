/**
 * The Secrets Manager reader against a local HTTP server that speaks GetSecretValue's JSON 1.1 protocol and checks
 * each request's SigV4 signature with the independent verifier of the CLI tests.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AwsServiceError } from '../../../shared/adapters/aws/json-protocol';
import { secretsManagerReader } from '../../../shared/adapters/aws/secrets-manager';
import { storageFailureOf } from '../../../shared/adapters/dynamodb/errors';
import { StorageUnavailable } from '../../../shared/domain/storage-errors';
import { expectedSignature, parseAuthorization } from '../cli/sigv4-reference';

const CREDENTIALS = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
  sessionToken: 'session-token-example',
};
const SECRET_ID = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:scimgate/pepper-AbCdEf';

type Reply = { status: number; body: unknown } | 'hang' | 'drop';

interface Received {
  headers: IncomingMessage['headers'];
  body: string;
  signatureValid: boolean;
}

let server: Server;
let endpoint: string;
let replies: Reply[] = [];
let received: Received[] = [];

beforeAll(async () => {
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const auth = parseAuthorization(String(req.headers.authorization ?? ''));
      received.push({
        headers: req.headers,
        body,
        signatureValid:
          auth?.signature ===
          expectedSignature(
            { method: req.method ?? '', url: req.url ?? '/', headers: req.headers, body },
            CREDENTIALS.secretAccessKey,
          ),
      });
      const reply = replies.length > 1 ? replies.shift()! : replies[0]!;
      if (reply === 'hang') return;
      if (reply === 'drop') return req.socket.destroy();
      res.writeHead(reply.status, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify(reply.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  replies = [];
  received = [];
});

const read = (options: { timeoutMs?: number; maxAttempts?: number } = {}) =>
  secretsManagerReader({ region: 'eu-west-1', credentials: async () => CREDENTIALS, endpoint, ...options });

const failureOf = (promise: Promise<unknown>): Promise<unknown> =>
  promise.then(
    () => new Error('expected a failure'),
    (e: unknown) => e,
  );

describe('secretsManagerReader', () => {
  it('should send a signed GetSecretValue and return the SecretString', async () => {
    replies = [
      {
        status: 200,
        body: { ARN: SECRET_ID, SecretString: '{"versions":[]}', VersionStages: ['AWSCURRENT'] },
      },
    ];

    await expect(read()(SECRET_ID)).resolves.toBe('{"versions":[]}');

    expect(received).toHaveLength(1);
    const [request] = received;
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
    replies = [{ status: 200, body: { ARN: SECRET_ID, SecretBinary: 'AQID' } }];

    await expect(read()(SECRET_ID)).resolves.toBeUndefined();
  });

  it('should not retry a permanent error and throw it by its AWS name', async () => {
    replies = [
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
    expect(received).toHaveLength(1);
  });

  it('should retry throttling and answer once the service recovers', async () => {
    replies = [
      {
        status: 400,
        body: { __type: 'com.amazonaws.secretsmanager#ThrottlingException', message: 'Rate exceeded' },
      },
      { status: 500, body: { __type: 'InternalServiceError' } },
      { status: 200, body: { SecretString: 'ok' } },
    ];

    await expect(read()(SECRET_ID)).resolves.toBe('ok');

    expect(received).toHaveLength(3);
    expect(received.every((r) => r.signatureValid)).toBe(true);
  });

  it('should give up after the last attempt with an error the edge answers as 503', async () => {
    replies = [{ status: 400, body: { __type: 'ThrottlingException', message: 'Rate exceeded' } }];

    const error = await failureOf(read({ maxAttempts: 2 })(SECRET_ID));

    expect(received).toHaveLength(2);
    expect(storageFailureOf(error)).toBeInstanceOf(StorageUnavailable);
    expect(storageFailureOf(error)).toMatchObject({ failure: 'busy' });
  });

  it('should time out a request that hangs, and treat it as unavailable', async () => {
    replies = ['hang'];

    const error = await failureOf(read({ timeoutMs: 200, maxAttempts: 1 })(SECRET_ID));

    expect(error).toMatchObject({ name: 'TimeoutError' });
    expect(storageFailureOf(error)).toMatchObject({ failure: 'unavailable' });
  });

  it('should treat a dropped connection and a refused one as unavailable', async () => {
    replies = ['drop'];
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
