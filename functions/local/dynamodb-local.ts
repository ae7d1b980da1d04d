/**
 * Starts AWS's DynamoDB Local emulator (shipped inside the npm package `amplify-dynamodb-simulator`) as a child
 * process on a free loopback port. Used by `npm start` and by the storage/HTTP test tiers: no Docker, no AWS account.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer, connect } from 'node:net';
import { dirname, join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';

export interface DynamoDbLocal {
  endpoint: string;
  port: number;
  /** The Java process's id (tests kill it to prove supervision). */
  pid: number;
  /** Resolves when the Java process exits, for whatever reason. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stop(): Promise<void>;
}

export interface DynamoDbLocalOptions {
  /** Directory for the data files; omitted → in-memory store. */
  dbPath?: string;
  port?: number;
}

export const MIN_JAVA_MAJOR = 17;

/**
 * How long the JVM may take to listen. A broken Java or a taken port fails at once ("exited during start-up"); only
 * a slow machine gets near this, and on a loaded 2-core machine a healthy start has taken over 30 s.
 */
export const START_TIMEOUT_MS = 120_000;

/** Fails with a clear message when no suitable Java runtime is on the PATH. */
export function checkJava(): void {
  const res = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (res.error || res.status !== 0) {
    throw new Error(
      `DynamoDB Local needs a Java runtime (Java >= ${MIN_JAVA_MAJOR}) on the PATH, and "java -version" failed. ` +
        'Install one (e.g. "apt-get install openjdk-17-jre-headless") and try again.',
    );
  }
  const out = `${res.stderr}${res.stdout}`;
  const m = /version "(\d+)(?:\.(\d+))?/.exec(out);
  const major = m ? (m[1] === '1' ? Number(m[2]) : Number(m[1])) : NaN;
  if (!(major >= MIN_JAVA_MAJOR)) {
    throw new Error(
      `DynamoDB Local needs Java >= ${MIN_JAVA_MAJOR}; found: ${out.split('\n')[0] ?? 'unknown'}`,
    );
  }
}

export function emulatorDir(): string {
  return join(
    dirname(createRequire(import.meta.url).resolve('amplify-dynamodb-simulator/package.json')),
    'emulator',
  );
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect({ port, host: '127.0.0.1' });
    sock.once('connect', () => {
      sock.destroy();
      resolve(true);
    });
    sock.once('error', () => resolve(false));
  });
}

export async function startDynamoDbLocal(options: DynamoDbLocalOptions = {}): Promise<DynamoDbLocal> {
  checkJava();
  const dir = emulatorDir();
  const port = options.port ?? (await freePort());
  // Otherwise the start-up probe below would take whatever listens there for DynamoDB Local.
  if (options.port !== undefined && !(await portIsFree(port)))
    throw new Error(`port ${port} is already in use, so DynamoDB Local cannot listen on it`);
  const args = [
    `-Djava.library.path=${join(dir, 'DynamoDBLocal_lib')}`,
    '-jar',
    join(dir, 'DynamoDBLocal.jar'),
  ];
  args.push('-port', String(port), '-disableTelemetry');
  if (options.dbPath) {
    mkdirSync(options.dbPath, { recursive: true });
    args.push('-dbPath', options.dbPath);
  } else {
    args.push('-inMemory');
  }
  const child: ChildProcess = spawn('java', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  // Only the tail is kept (for start-up errors): DynamoDB Local may run for days.
  let output = '';
  const keep = (d: Buffer) => (output = (output + d.toString()).slice(-8_192));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let exited = false;
  const killOnExit = (): void => {
    if (!exited) child.kill('SIGKILL');
  };
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      exited = true;
      process.removeListener('exit', killOnExit);
      resolve({ code, signal });
    }),
  );
  process.once('exit', killOnExit);

  const deadline = Date.now() + START_TIMEOUT_MS;
  while (!(await canConnect(port))) {
    if (exited) throw new Error(`DynamoDB Local exited during start-up:\n${output}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(
        `DynamoDB Local did not listen on port ${port} within ${START_TIMEOUT_MS / 1000} s:\n${output}`,
      );
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    pid: child.pid ?? -1,
    exited: exit,
    async stop() {
      process.removeListener('exit', killOnExit);
      if (exited) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exit;
      clearTimeout(timer);
    },
  };
}
