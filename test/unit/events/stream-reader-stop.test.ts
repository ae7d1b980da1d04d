/**
 * The stream reader stops at once even when its store accepts connections and never answers (a squatter on
 * DynamoDB Local's port after a crash): `npm start` must be able to exit. Without the abort, stop() waits for the
 * poll in flight until the client's request timeout.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createServer, type Server, type Socket } from 'node:net';
import { StreamReader } from '../../../shared/adapters/dynamodb/stream-reader';

describe('StreamReader.stop', () => {
  let server: Server;
  const sockets: Socket[] = [];
  let requests = 0;

  beforeAll(async () => {
    server = createServer((socket) => {
      sockets.push(socket);
      socket.on('data', () => (requests += 1)); // read the request, never answer
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((r) => server.close(r));
  });

  it('should end a poll in flight instead of waiting for a store that never answers', async () => {
    const port = (server.address() as { port: number }).port;
    const errors: unknown[] = [];
    const table = {
      send: async () => ({ Table: { LatestStreamArn: 'arn:aws:dynamodb:local:0:table/t/stream/x' } }),
    };
    const reader = new StreamReader({
      client: table as unknown as DynamoDBClient,
      region: 'us-east-1',
      endpoint: `http://127.0.0.1:${port}`,
      tableName: 't',
      handle: async () => undefined,
      onError: (e) => errors.push(e),
    });
    await reader.start();
    while (requests === 0) await new Promise((r) => setTimeout(r, 10));
    // The request timeout is 5 s; stop() must not wait for it.
    const outcome = await Promise.race([
      reader.stop().then(() => 'stopped'),
      new Promise((r) => setTimeout(() => r('still waiting'), 2_500)),
    ]);
    expect(outcome).toBe('stopped');
    expect(errors).toEqual([]); // the aborted poll is not reported as a stream failure
  });
});
