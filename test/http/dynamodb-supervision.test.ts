/**
 * `npm start` supervises DynamoDB Local (functions/local/dynamodb-supervisor.ts): the local server runs over a
 * supervised DynamoDB Local that persists to a temporary data directory; its Java process is killed with SIGKILL in
 * the middle of parallel writes. Requests in the gap answer 503 with Retry-After (never a 500, never a hang), the
 * service recovers by itself on the same port and data, and every write acknowledged with 201 — before, during and
 * after the kill — is still readable. When DynamoDB Local cannot be restarted, `npm start` exits non-zero with a
 * clear message.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startLocal, type RunningLocal } from '../../functions/local/main';
import { send } from '../support/harness';

const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function occupy(port: number): Promise<Server> {
  return new Promise((resolvePort, reject) => {
    const attempt = (left: number) => {
      const srv = createServer();
      srv.once('error', (e) => (left > 0 ? setTimeout(() => attempt(left - 1), 20) : reject(e)));
      srv.listen(port, '127.0.0.1', () => resolvePort(srv));
    };
    attempt(50);
  });
}

async function until(condition: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('npm start over a supervised DynamoDB Local', () => {
  let running: RunningLocal;
  const lines: string[] = [];
  const lost: Error[] = [];
  let dataDir: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'scimgate-supervised-'));
    process.env.ACCESS_LOG = 'off';
    running = await startLocal({
      port: 0,
      dataDir,
      inMemory: false,
      log: (line) => lines.push(line),
      onStorageLost: (e) => lost.push(e),
    });
  }, 300_000);

  afterAll(async () => {
    await running?.stop();
  });

  const createUser = (userName: string) =>
    send(
      `${running.info.scimBaseUrl}/Users`,
      'POST',
      { authorization: `Bearer ${running.info.token}`, 'content-type': 'application/scim+json' },
      JSON.stringify({ schemas: [USER_SCHEMA], userName }),
    );
  const getUser = (id: string) =>
    send(
      `${running.info.scimBaseUrl}/Users/${id}`,
      'GET',
      { authorization: `Bearer ${running.info.token}` },
      undefined,
    );

  it('should persist to the data directory, not in memory', () => {
    const dbPath = join(dataDir, 'dynamodb');
    expect(readdirSync(dbPath).filter((f) => f.endsWith('.db'))).not.toHaveLength(0);
  });

  it('should answer 503 with Retry-After while the Java process is dead, recover by itself and lose no acknowledged write', async () => {
    const ddb = running.dynamoDb!;
    const before = ddb.current()!;
    const acknowledged = new Map<string, string>();
    const statuses: number[] = [];
    const retryAfters: (string | null)[] = [];
    const refusals: unknown[] = [];
    for (let i = 0; i < 10; i++) {
      const res = await createUser(`before-${i}@kill.example`);
      expect(res.status).toBe(201);
      acknowledged.set((res.body as { id: string }).id, `before-${i}@kill.example`);
    }

    // Four writers keep creating users through the kill, the gap and the recovery.
    let writing = true;
    let n = 0;
    let recoveredAt = 0;
    const writer = async () => {
      while (writing) {
        const userName = `during-${n++}@kill.example`;
        const started = Date.now();
        const res = await createUser(userName);
        // A bounded wait: the SDK's attempts and timeouts (shared/adapters/dynamodb/client.ts), never a hang.
        expect(Date.now() - started).toBeLessThan(30_000);
        statuses.push(res.status);
        if (res.status === 201) {
          acknowledged.set((res.body as { id: string }).id, userName);
          if (ddb.restarts() > 0 && !recoveredAt) recoveredAt = Date.now();
        } else {
          retryAfters.push(res.headers.get('retry-after'));
          refusals.push(res.body);
        }
      }
    };
    const writers = [writer(), writer(), writer(), writer()];
    try {
      await until(() => statuses.length >= 8, 60_000, 'writes before the kill');
      process.kill(before.pid, 'SIGKILL');
      await before.exited;
      // The JVM's start-up is slow on a loaded machine: the wait is generous, the restart itself is not timed.
      await until(() => recoveredAt > 0, 200_000, 'a 201 after the restart');
      await new Promise((r) => setTimeout(r, 500));
    } finally {
      writing = false;
      await Promise.all(writers);
    }

    expect(ddb.restarts()).toBe(1);
    expect(ddb.current()!.pid).not.toBe(before.pid);
    expect(ddb.current()!.endpoint).toBe(ddb.endpoint);
    expect(new Set(statuses)).toEqual(new Set([201, 503]));
    expect(retryAfters.length).toBeGreaterThan(0);
    for (const value of retryAfters) expect(value).toMatch(/^[1-9]\d*$/);
    for (const body of refusals)
      expect(body).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '503' });
    expect(lost).toEqual([]);
    expect(lines.some((l) => l.includes('restarting it on the same port and data'))).toBe(true);
    expect(lines.some((l) => l.includes('DynamoDB Local restarted'))).toBe(true);
    expect(lines.some((l) => l.includes(String(before.pid)) && l.includes('signal SIGKILL'))).toBe(true);

    // Nothing acknowledged is lost across the kill.
    for (const [id, userName] of acknowledged) {
      const res = await getUser(id);
      expect({ id, status: res.status }).toEqual({ id, status: 200 });
      expect(res.body).toMatchObject({ userName });
    }
  }, 300_000);
});

describe('when DynamoDB Local cannot be restarted', () => {
  it('should make npm start exit non-zero with the reason when DynamoDB Local cannot be restarted', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'functions/local/main.ts'], {
      cwd: ROOT,
      env: {
        ...process.env,
        NODE_OPTIONS: '',
        PORT: '0',
        SCIMGATE_DATA_DIR: mkdtempSync(join(tmpdir(), 'scimgate-giveup-')),
        SCIMGATE_JOB_INTERVAL_SECONDS: '0',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exit = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    let squatter: Server | undefined;
    try {
      await until(() => /DynamoDB Local:\s+\S+ \(pid \d+/.test(out), 200_000, 'npm start to be ready');
      const [, port, pid] = /DynamoDB Local:\s+http:\/\/127\.0\.0\.1:(\d+) \(pid (\d+)/.exec(out)!;
      process.kill(Number(pid), 'SIGKILL');
      squatter = await occupy(Number(port));
      const code = await exit;
      expect(code).toBe(1);
      expect(err).toContain(`DynamoDB Local on port ${port} could not be kept running`);
      expect(err).toContain('already in use');
      expect(err).toContain('3 restarts within 300 s did not keep it up');
      expect(err.match(/restarting it on the same port and data/g)).toHaveLength(3);
      expect(err).toContain('run npm start again');
    } finally {
      squatter?.close();
      // SIGTERM, not SIGKILL: main.ts stops its DynamoDB Local on the way out.
      if (child.exitCode === null) child.kill('SIGTERM');
    }
  }, 300_000);
});
