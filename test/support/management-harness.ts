/**
 * The management edge behind the local HTTP server, over a fresh table in DynamoDB Local: the container comes from
 * the composition root, the management handler from `managementFunction` with the auth mode under test. The other
 * functions (SCIM, OAuth) are the container's own, so issued credentials can be tried against the SCIM API.
 *
 * IAM mode: API Gateway's IAM authorizer is simulated from the test-only header `x-test-iam-user-arn`, which this
 * harness moves into `requestContext.authorizer.iam.userArn` before the Lambda adapter (apigw.ts) sees the event.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { startLocalServer, type LambdaHandler, type LocalServer } from '../../functions/local/server';
import { buildContainer, type Container } from '../../functions/compose/container';
import type { CredentialService } from '../../shared/domain/credential-service';
import type { EventPublisher } from '../../shared/domain/events/model';
import type { Clock } from '../../shared/domain/ports';
import { managementFamily, type AdminAuth } from '../../shared/http/management-edge';
import { httpFunction } from '../../functions/runtime/http-function';
import { startTestEventStream } from './event-stream';
import { send, type LogLine, type TestResponse } from './harness';
import { appendToRunLog } from './run-log';
import { createTestTable } from './tables';

export const TEST_ADMIN_KEY = 'test-admin-key-0123456789abcdef0123456789abcdef';
export const TEST_IAM_HEADER = 'x-test-iam-user-arn';

export interface ManagementRequestOptions {
  /** JSON-encoded with content-type application/json. */
  body?: unknown;
  /** Sent as is (no content type unless given in headers). */
  rawBody?: string;
  /** Admin key sent as `x-admin-key`; null sends none. Default: the harness key (key mode). */
  adminKey?: string | null;
  headers?: Record<string, string>;
}

export interface ManagementHarness {
  container: Container;
  credentials: CredentialService;
  server: LocalServer;
  logs: LogLine[];
  /** Where the jobs' mails land (.eml files). */
  outboxDir: string;
  /** Path under /admin/v1 (or an absolute path starting with /scim or /oauth). */
  request(method: string, path: string, options?: ManagementRequestOptions): Promise<TestResponse>;
  close(): Promise<void>;
}

/** A clock tests can move. */
export class TestClock implements Clock {
  constructor(private current = new Date()) {}
  now(): Date {
    return new Date(this.current);
  }
  advanceDays(days: number): void {
    this.current = new Date(this.current.getTime() + days * 86_400_000);
  }
}

export async function startManagementHarness(
  options: {
    adminAuth?: AdminAuth;
    clock?: Clock;
    /** Runs the change-event producer over the table's stream (as `npm start` does). */
    events?: boolean;
    eventPublishers?: EventPublisher[];
  } = {},
): Promise<ManagementHarness> {
  const adminAuth: AdminAuth = options.adminAuth ?? { mode: 'key', key: TEST_ADMIN_KEY };
  const table = await createTestTable({ stream: options.events === true });
  const outboxDir = mkdtempSync(join(tmpdir(), 'scimgate-outbox-'));
  const logs: LogLine[] = [];
  const record = (level: string, message: string, extra?: Record<string, unknown>) => {
    logs.push({ level, message, ...(extra ? { extra } : {}) });
    appendToRunLog(JSON.stringify({ level, message, ...extra }));
  };
  const logger = {
    error: (message: string, extra?: Record<string, unknown>) => record('ERROR', message, extra),
    warn: (message: string, extra?: Record<string, unknown>) => record('WARN', message, extra),
    info: (message: string, extra?: Record<string, unknown>) =>
      appendToRunLog(JSON.stringify({ level: 'INFO', message, ...extra })),
  };
  const container = buildContainer(
    {
      TABLE_NAME: table.tableName,
      DYNAMODB_ENDPOINT: table.endpoint,
      PEPPER_FILE: join(mkdtempSync(join(tmpdir(), 'scimgate-')), 'pepper.json'),
      OUTBOX_DIR: outboxDir,
      SET_KEY_FILE: join(mkdtempSync(join(tmpdir(), 'scimgate-set-')), 'set-key.json'),
      AWS_REGION: 'us-east-1',
    },
    {
      doc: table.doc,
      logger,
      eventPublishers: options.eventPublishers ?? [],
      ...(options.clock ? { clock: options.clock } : {}),
    },
  );
  // The management function as in the stage under test: its family with this auth mode, over the container's core.
  const management = httpFunction(
    'management',
    () =>
      managementFamily({
        credentials: container.credentials,
        logger,
        adminAuth,
        jobs: container.jobs,
        console: { sessions: container.consoleSessions },
        events: container.events,
      }),
    { core: () => container.core },
  );
  const managementLambda: LambdaHandler = async (event, context) => {
    const headers = { ...event.headers };
    const arn = headers[TEST_IAM_HEADER];
    delete headers[TEST_IAM_HEADER];
    const simulated = {
      ...event,
      headers,
      requestContext: { ...event.requestContext, ...(arn ? { authorizer: { iam: { userArn: arn } } } : {}) },
    } as APIGatewayProxyEventV2;
    return management(simulated, context);
  };
  const others = new Map<string, LambdaHandler>();
  const server = await startLocalServer({
    port: 0,
    load: async (fn) => {
      if (fn === 'management') return managementLambda;
      let h = others.get(fn);
      if (!h) {
        h = container.handlers[fn] as LambdaHandler;
        others.set(fn, h);
      }
      return h;
    },
  });

  const request = async (
    method: string,
    path: string,
    opts: ManagementRequestOptions = {},
  ): Promise<TestResponse> => {
    const headers: Record<string, string> = { ...opts.headers };
    const key =
      opts.adminKey === undefined ? (adminAuth.mode === 'key' ? adminAuth.key : null) : opts.adminKey;
    if (key !== null) headers['x-admin-key'] = key;
    let body = opts.rawBody;
    if (opts.body !== undefined) {
      body = JSON.stringify(opts.body);
      headers['content-type'] ??= 'application/json';
    }
    const absolute = path.startsWith('/scim/') || path.startsWith('/oauth/') || path.startsWith('/admin/');
    const url = `${server.origin}${absolute ? path : `/admin/v1${path}`}`;
    return send(url, method, headers, body);
  };

  const stream = options.events
    ? await startTestEventStream(container, (e) => record('WARN', 'event stream', { error: String(e) }))
    : undefined;

  return {
    container,
    credentials: container.credentials,
    server,
    logs,
    outboxDir,
    request,
    close: async () => {
      await stream?.stop();
      await server.close();
    },
  };
}
