import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMembershipLoop } from '../../functions/local/membership-loop';
import { startLocalServer, type LambdaHandler, type LocalServer } from '../../functions/local/server';
import { buildContainer, type Container } from '../../functions/compose/container';
import { createDocumentClient } from '../../shared/adapters/dynamodb/client';
import { MembershipWorker } from '../../shared/adapters/dynamodb/membership-worker';
import type { CredentialView } from '../../shared/domain/credential-model';
import type { CredentialService } from '../../shared/domain/credential-service';
import type { ChangeEvent, EventPublisher } from '../../shared/domain/events/model';
import type { Clock } from '../../shared/domain/ports';
import { startTestEventStream } from './event-stream';
import { appendToRunLog } from './run-log';
import { createTestTable } from './tables';

export interface LogLine {
  level: string;
  message: string;
  extra?: Record<string, unknown>;
}

/**
 * Issues a bearer token for every endpoint, or for one endpoint (created on demand) when `endpoints` names one.
 */
export async function issueBearer(
  credentials: CredentialService,
  tenantId: string,
  options: { name: string; lifetimeDays: number; endpoints?: string[] },
): Promise<{ credential: CredentialView; secret: string }> {
  const endpointId = options.endpoints && options.endpoints[0] !== '*' ? options.endpoints[0] : undefined;
  if (endpointId && !(await credentials.listEndpoints(tenantId)).some((e) => e.id === endpointId)) {
    await credentials.createEndpoint(tenantId, { id: endpointId }, 'system');
  }
  const issued = await credentials.issue(
    tenantId,
    {
      kind: 'bearer',
      name: options.name,
      lifetimeDays: options.lifetimeDays,
      ...(endpointId ? { endpointId } : {}),
    },
    { actor: 'system', origin: 'http://localhost' },
  );
  return { credential: issued.credential, secret: issued.secret };
}

/** Every secret issued in this test process, for the "never logged" check. */
export const issuedSecrets: string[] = [];

export interface Harness {
  container: Container;
  server: LocalServer;
  logs: LogLine[];
  tenantId: string;
  token: string;
  baseUrl: string;
  /** Issues another bearer token (optionally for another tenant, created on demand). */
  issueToken(tenantId?: string, endpoints?: string[]): Promise<string>;
  request(method: string, path: string, options?: RequestOptions): Promise<TestResponse>;
  /**
   * With `events`: the tenant's change events once at least `count` are readable, read again after a quiet
   * moment so that extra events would show (fails after `timeoutMs`).
   */
  waitForEvents(
    count: number,
    options?: { tenantId?: string; timeoutMs?: number; where?: (e: ChangeEvent) => boolean },
  ): Promise<ChangeEvent[]>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  clock?: Clock;
  tenantId?: string;
  /** Runs the change-event producer over the table's stream (as `npm start` does). */
  events?: boolean;
  /** Publishers the event pipeline delivers to (default: none). */
  eventPublishers?: EventPublisher[];
  /** SET signing seed file (default: a fresh one). */
  setKeyFile?: string;
}

export interface RequestOptions {
  body?: unknown;
  rawBody?: string;
  token?: string | null;
  headers?: Record<string, string>;
}

export interface TestResponse {
  status: number;
  headers: Headers;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  text: string;
}

/** Sends a request and reads the answer, parsing JSON bodies (undefined for anything else). */
export async function send(
  url: string,
  method: string,
  headers: Record<string, string>,
  body: string | undefined,
): Promise<TestResponse> {
  const res = await fetch(url, { method, headers, ...(body !== undefined ? { body } : {}) });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  return { status: res.status, headers: res.headers, body: parsed, text };
}

/** The assembled handlers behind the local HTTP server, over a fresh table in DynamoDB Local. */
export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const table = await createTestTable({ stream: options.events === true });
  const logs: LogLine[] = [];
  const secretsDir = mkdtempSync(join(tmpdir(), 'scimgate-'));
  const container = buildContainer(
    {
      TABLE_NAME: table.tableName,
      DYNAMODB_ENDPOINT: table.endpoint,
      PEPPER_FILE: join(secretsDir, 'pepper.json'),
      SET_KEY_FILE: options.setKeyFile ?? join(secretsDir, 'set-key.json'),
      OUTBOX_DIR: mkdtempSync(join(tmpdir(), 'scimgate-outbox-')),
      AWS_REGION: 'us-east-1',
      // The second pass over a deleted resource's memberships at once: tests wait for the background work.
      MEMBERSHIP_SECOND_PASS_SECONDS: '0',
    },
    {
      doc: table.doc,
      eventPublishers: options.eventPublishers ?? [],
      ...(options.clock ? { clock: options.clock } : {}),
      logger: {
        // Kept for assertions and written to the console, which the run's secret scan searches.
        error: (message, extra) => {
          logs.push({ level: 'ERROR', message, ...(extra ? { extra } : {}) });
          console.error(JSON.stringify({ level: 'ERROR', message, ...extra }));
        },
        warn: (message, extra) => {
          logs.push({ level: 'WARN', message, ...(extra ? { extra } : {}) });
          console.warn(JSON.stringify({ level: 'WARN', message, ...extra }));
        },
        // The access log goes to the run's log file only (quiet), so the secret scan covers every request.
        info: (message, extra) => appendToRunLog(JSON.stringify({ level: 'INFO', message, ...extra })),
      },
    },
  );
  const handlers = new Map<string, LambdaHandler>();
  const server = await startLocalServer({
    port: 0,
    load: async (fn) => {
      let h = handlers.get(fn);
      if (!h) {
        h = container.handlers[fn] as LambdaHandler;
        handlers.set(fn, h);
      }
      return h;
    },
  });
  // The local server's driver of the background membership worker, as in `npm start`.
  // Its own DynamoDB client, so that tests that stub the server's client see only the server's calls.
  const worker = new MembershipWorker(
    createDocumentClient({ endpoint: table.endpoint, region: 'us-east-1' }),
    table.tableName,
    { secondPassDelayMs: 0 },
  );
  const stopMembership = startMembershipLoop(
    { membershipWorker: worker, clock: { now: () => new Date() } },
    200,
    (line) => console.warn(line),
  );
  const stream = options.events
    ? await startTestEventStream(container, (e) =>
        logs.push({ level: 'WARN', message: 'event stream', extra: { error: String(e) } }),
      )
    : undefined;
  const tenantId = options.tenantId ?? 'acme';
  const issueToken = async (tenant = tenantId, endpoints?: string[]) => {
    await container.credentials.ensureTenant(tenant, tenant);
    const issued = await issueBearer(container.credentials, tenant, {
      name: 'test',
      lifetimeDays: 30,
      ...(endpoints ? { endpoints } : {}),
    });
    issuedSecrets.push(issued.secret);
    return issued.secret;
  };
  const token = await issueToken();
  const baseUrl = `/scim/v2/${tenantId}/default`;
  const request = async (method: string, path: string, opts: RequestOptions = {}): Promise<TestResponse> => {
    const headers: Record<string, string> = { ...opts.headers };
    const tok = opts.token === undefined ? token : opts.token;
    if (tok !== null && !('authorization' in headers)) headers.authorization = `Bearer ${tok}`;
    let body: string | undefined = opts.rawBody;
    if (opts.body !== undefined) {
      body = JSON.stringify(opts.body);
      headers['content-type'] ??= 'application/scim+json';
    }
    const url = path.startsWith('/') ? `${server.origin}${path}` : `${server.origin}${baseUrl}/${path}`;
    return send(url, method, headers, body);
  };
  return {
    container,
    server,
    logs,
    tenantId,
    token,
    baseUrl,
    issueToken,
    request,
    waitForEvents: async (count, opts = {}) => {
      const tenant = opts.tenantId ?? tenantId;
      const where = opts.where ?? (() => true);
      const readAll = async () => {
        const all: ChangeEvent[] = [];
        let after: string | undefined;
        for (;;) {
          const page = await container.events.store.read(tenant, {
            limit: 1000,
            ...(after ? { after } : {}),
          });
          all.push(...page.events.map((e) => e.event).filter(where));
          if (page.events.length === 0 || page.next === after) return all;
          after = page.next;
        }
      };
      const deadline = Date.now() + (opts.timeoutMs ?? 20_000);
      for (;;) {
        const seen = await readAll();
        if (seen.length >= count) {
          await new Promise((r) => setTimeout(r, 300));
          return readAll();
        }
        if (Date.now() > deadline) {
          const errors = logs.filter((l) => l.message === 'event stream').map((l) => String(l.extra?.error));
          throw new Error(
            `expected ${count} events, ${seen.length} readable: ${seen.map((e) => e.type).join(', ')}; ` +
              `stream errors: ${errors.slice(-3).join(' | ') || 'none'}`,
          );
        }
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    close: async () => {
      stopMembership();
      await stream?.stop();
      await server.close();
    },
  };
}
