/**
 * A local HTTP server standing in for an AWS service endpoint: it records each request, checks its SigV4 signature
 * with the independent verifier of the CLI tests, and answers from a script (a status and JSON body, optionally an
 * `x-amzn-errortype` header; or `hang` and `drop`). The protocol module's tests (Secrets Manager, SES) use it.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expectedSignature, parseAuthorization } from '../unit/cli/sigv4-reference';

export const STUB_CREDENTIALS = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
  sessionToken: 'session-token-example',
};

export type StubReply = { status: number; body: unknown; errorType?: string } | 'hang' | 'drop';

export interface StubRequest {
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
  signatureValid: boolean;
}

export interface AwsStub {
  endpoint: string;
  /** Answers in order; the last one answers every request after it. */
  replies: StubReply[];
  received: StubRequest[];
  reset(): void;
  close(): Promise<void>;
}

export async function startAwsStub(contentType: string): Promise<AwsStub> {
  const stub = { replies: [] as StubReply[], received: [] as StubRequest[] };
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const auth = parseAuthorization(String(req.headers.authorization ?? ''));
      stub.received.push({
        url: req.url ?? '/',
        headers: req.headers,
        body,
        signatureValid:
          auth?.signature ===
          expectedSignature(
            { method: req.method ?? '', url: req.url ?? '/', headers: req.headers, body },
            STUB_CREDENTIALS.secretAccessKey,
          ),
      });
      const reply = stub.replies.length > 1 ? stub.replies.shift()! : stub.replies[0]!;
      if (reply === 'hang') return;
      if (reply === 'drop') return req.socket.destroy();
      res.writeHead(reply.status, {
        'content-type': contentType,
        ...(reply.errorType ? { 'x-amzn-errortype': reply.errorType } : {}),
      });
      res.end(JSON.stringify(reply.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get replies() {
      return stub.replies;
    },
    set replies(r: StubReply[]) {
      stub.replies = r;
    },
    get received() {
      return stub.received;
    },
    reset() {
      stub.replies = [];
      stub.received = [];
    },
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
