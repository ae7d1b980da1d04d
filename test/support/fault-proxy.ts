/**
 * A TCP proxy in front of DynamoDB Local that a test can switch between `pass` (forward), `refuse` (reset every
 * connection: the store is gone), `freeze` (accept and never answer: the store hangs) and `slow` (forward, every
 * answer held back `slowMs`: a store that is healthy but takes its time). Existing connections are cut on every
 * switch, so the client's kept-alive sockets see the change at once.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';

export type FaultMode = 'pass' | 'refuse' | 'freeze' | 'slow';

export interface FaultProxy {
  endpoint: string;
  set(mode: FaultMode): void;
  close(): Promise<void>;
}

export async function startFaultProxy(target: string, slowMs = 200): Promise<FaultProxy> {
  const { hostname, port } = new URL(target);
  let mode: FaultMode = 'pass';
  const open = new Set<Socket>();
  const server: Server = createServer((client) => {
    open.add(client);
    client.on('close', () => open.delete(client));
    client.on('error', () => undefined);
    if (mode === 'refuse') return void client.resetAndDestroy();
    if (mode === 'freeze') return; // read nothing, answer nothing
    const upstream = connect(Number(port), hostname);
    open.add(upstream);
    upstream.on('close', () => open.delete(upstream));
    upstream.on('error', () => client.destroy());
    client.pipe(upstream);
    if (mode === 'slow') {
      upstream.on('data', (chunk: Buffer) => setTimeout(() => client.write(chunk), slowMs));
      upstream.on('end', () => setTimeout(() => client.end(), slowMs));
    } else upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const listening = typeof address === 'object' && address ? address.port : 0;
  return {
    endpoint: `http://127.0.0.1:${listening}`,
    set(next) {
      mode = next;
      for (const s of open) s.destroy();
      open.clear();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of open) s.destroy();
        server.close(() => resolve());
      }),
  };
}
