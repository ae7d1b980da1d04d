/**
 * `npm start`: DynamoDB Local + the Lambda handlers behind a plain Node HTTP server on 127.0.0.1.
 *
 *   PORT=8080 (default)                  port of the local server
 *   --in-memory or SCIMGATE_IN_MEMORY=1  start from an empty, in-memory store (nothing persists)
 *   SCIMGATE_DATA_DIR=.scimgate          where data, the pepper and local.json live
 *   SCIMGATE_JOB_INTERVAL_SECONDS=60     reminder and idle jobs run this often (0 disables); mails go to
 *                                        <data dir>/outbox as .eml files (docs/jobs.md)
 *   SCIMGATE_MEMBERSHIP_INTERVAL_MS=500  background membership work (deleted resources' memberships, stale
 *                                        staged changes) runs this often (0 disables; docs/decisions/0014)
 *   EVENTS_WEBHOOK_URL=http://…          every change event is also POSTed here (docs/events.md)
 *   SCIMGATE_EVENT_STREAM=off            do not produce change events (the benchmark's workload runs without)
 */
import { existsSync, mkdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { checkJava } from './dynamodb-local';
import {
  superviseDynamoDbLocal,
  type RestartPolicy,
  type SupervisedDynamoDbLocal,
} from './dynamodb-supervisor';
import { startEventStream } from './event-stream';
import { jobIntervalSeconds, startJobLoop } from './job-loop';
import { membershipIntervalMs, startMembershipLoop } from './membership-loop';
import { startLocalServer, type LambdaHandler, type LocalServer } from './server';
import type { FunctionId } from '../../shared/http/routes';

export const MIN_NODE_MAJOR = 22;

export interface LocalInfo {
  scimBaseUrl: string;
  token: string;
  tenantId: string;
  credentialId: string;
  tokenExpiresAt: string;
  /** Management API of the local server and the key it requires (x-admin-key or Bearer). */
  adminUrl: string;
  adminKey: string;
  tokenEndpoint: string;
}

export interface LocalOptions {
  port: number;
  dataDir: string;
  inMemory: boolean;
  tableName?: string;
  /** Use an already running DynamoDB Local instead of starting one (tests). */
  dynamoEndpoint?: string;
  /** Restart policy of the supervised DynamoDB Local (default DEFAULT_RESTART_POLICY; none when in memory). */
  restartPolicy?: RestartPolicy;
  /** Called once when DynamoDB Local cannot be kept running; `npm start` stops and exits non-zero. */
  onStorageLost?: (reason: Error) => void;
  /** Supervisor log lines (default: stderr). */
  log?: (line: string) => void;
}

export interface RunningLocal {
  server: LocalServer;
  info: LocalInfo;
  /** The supervised DynamoDB Local, unless an endpoint was given. */
  dynamoDb?: SupervisedDynamoDbLocal;
  stop(): Promise<void>;
}

/** An in-memory store that died has lost every table: restarting it would only turn 503s into 500s. */
const NO_RESTARTS: RestartPolicy = { maxRestarts: 0, windowMs: 1, backoffMs: [0] };

export const DEV_TENANT = 'dev';
export const DEFAULT_ENDPOINT = 'default';

function checkNode(): void {
  const major = Number(process.versions.node.split('.')[0]);
  // 22.3 brought process.getBuiltinModule, which the AWS protocol client uses (shared/adapters/aws/json-protocol.ts).
  if (major < MIN_NODE_MAJOR || typeof process.getBuiltinModule !== 'function') {
    throw new Error(
      `scimgate needs Node.js >= ${MIN_NODE_MAJOR}.3; this is ${process.version}. Install Node 22 or 24.`,
    );
  }
}

export async function startLocal(options: LocalOptions): Promise<RunningLocal> {
  checkNode();
  const dataDir = resolve(options.dataDir);
  mkdirSync(dataDir, { recursive: true });
  let ddb: SupervisedDynamoDbLocal | undefined;
  let endpoint = options.dynamoEndpoint;
  if (!endpoint) {
    checkJava();
    ddb = await superviseDynamoDbLocal({
      ...(options.inMemory ? {} : { dbPath: join(dataDir, 'dynamodb') }),
      policy: options.inMemory ? NO_RESTARTS : options.restartPolicy,
      log: options.log,
      onGiveUp: (reason) => options.onStorageLost?.(reason),
    });
    endpoint = ddb.endpoint;
  }
  const tableName = options.tableName ?? 'scimgate';
  // The Lambda handlers read their configuration from the environment, exactly as in AWS.
  process.env.TABLE_NAME = tableName;
  process.env.DYNAMODB_ENDPOINT = endpoint;
  // Only for the DynamoDB Local started here: one given by its endpoint may keep its data.
  process.env.DYNAMODB_LOCAL_IN_MEMORY = ddb && options.inMemory ? 'true' : 'false';
  process.env.PEPPER_FILE = join(dataDir, 'pepper.json');
  process.env.AWS_REGION ??= 'us-east-1';
  delete process.env.PEPPER_SECRET_ID;
  const adminKey = loadAdminKey(join(dataDir, 'local.json'), options.inMemory);
  process.env.ADMIN_KEY = adminKey;
  process.env.OUTBOX_DIR ??= join(dataDir, 'outbox');
  process.env.LOCAL_JOBS_ROUTE = 'on'; // POST /admin/v1/jobs/{job}/run with a simulated clock (never in AWS)
  process.env.SET_KEY_FILE = join(dataDir, 'set-key.json');
  const jobInterval = jobIntervalSeconds();
  const membershipInterval = membershipIntervalMs();

  try {
    const { buildContainer } = await import('../compose/container');
    const { loadConfig } = await import('../../shared/config');
    const { ensureTable, localTableClient } = await import('../../shared/adapters/dynamodb/create-table');
    const { importHandler } = await import('../entries');
    // The dev tenant and the job loop; requests go to the functions' own entries, imported as Lambda would.
    const container = buildContainer(loadConfig());
    const tables = localTableClient(endpoint, container.config.AWS_REGION);
    await ensureTable(tables, tableName);

    const handlers = new Map<FunctionId, LambdaHandler>();
    const server = await startLocalServer({
      port: options.port,
      load: async (fn) => {
        let h = handlers.get(fn);
        if (!h) {
          h = (await importHandler(fn)) as LambdaHandler;
          handlers.set(fn, h);
        }
        return h;
      },
    });

    const info = await bootstrapDevTenant(container, server.origin, dataDir, options.inMemory, adminKey);
    const stopJobs = startJobLoop(container, jobInterval);
    const stopMembership = startMembershipLoop(container, membershipInterval);
    // The change-event producer over DynamoDB Local's stream: the event-stream function's own handler, imported
    // as Lambda would (its own core and clients, as the stream Lambda has in AWS).
    const events =
      process.env.SCIMGATE_EVENT_STREAM === 'off'
        ? undefined
        : await startEventStream({
            client: tables,
            endpoint,
            region: container.config.AWS_REGION ?? 'us-east-1',
            tableName,
            handler: (await import('../event-stream')).handler,
          });
    return {
      server,
      info,
      dynamoDb: ddb,
      async stop() {
        stopJobs();
        stopMembership();
        await events?.stop();
        await server.close();
        await ddb?.stop();
      },
    };
  } catch (e) {
    await ddb?.stop();
    throw e;
  }
}

/** Creates the development tenant and its bearer token once; later starts reuse them from local.json. */
async function bootstrapDevTenant(
  container: import('../compose/container').Container,
  origin: string,
  dataDir: string,
  inMemory: boolean,
  adminKey: string,
): Promise<LocalInfo> {
  const file = join(dataDir, 'local.json');
  const scimBaseUrl = `${origin}/scim/v2/${DEV_TENANT}/${DEFAULT_ENDPOINT}`;
  const urls = {
    scimBaseUrl,
    adminUrl: `${origin}/admin/v1`,
    adminKey,
    tokenEndpoint: `${origin}/oauth/${DEV_TENANT}/token`,
  };
  if (!inMemory && existsSync(file)) {
    const saved = JSON.parse(readFileSync(file, 'utf8')) as Partial<LocalInfo>;
    if (saved.token) {
      const ok = await container.credentials
        .authenticate(
          {
            authorization: `Bearer ${saved.token}`,
            sourceIp: '127.0.0.1',
            userAgent: 'scimgate-bootstrap',
            origin,
          },
          DEV_TENANT,
          DEFAULT_ENDPOINT,
        )
        .then(
          () => true,
          () => false,
        );
      if (ok) {
        const info = { ...(saved as LocalInfo), ...urls };
        writeFileSync(file, JSON.stringify(info, null, 2) + '\n', { mode: 0o600 });
        return info;
      }
    }
  }
  await container.credentials.ensureTenant(DEV_TENANT, 'Development tenant');
  const issued = await container.credentials.issue(
    DEV_TENANT,
    { kind: 'bearer', name: 'local development token', lifetimeDays: 365 },
    { actor: 'system', origin },
  );
  const info: LocalInfo = {
    ...urls,
    token: issued.secret,
    tenantId: DEV_TENANT,
    credentialId: issued.credential.id,
    tokenExpiresAt: issued.credential.expiresAt,
  };
  writeFileSync(file, JSON.stringify(info, null, 2) + '\n', { mode: 0o600 });
  return info;
}

/** The management API key of the local server: kept in local.json across restarts, new for an in-memory run. */
function loadAdminKey(file: string, inMemory: boolean): string {
  if (!inMemory && existsSync(file)) {
    const saved = JSON.parse(readFileSync(file, 'utf8')) as Partial<LocalInfo>;
    if (typeof saved.adminKey === 'string' && saved.adminKey.length >= 32) return saved.adminKey;
  }
  return randomBytes(32).toString('base64url');
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const inMemory =
    args.includes('--in-memory') ||
    ['1', 'true', 'yes'].includes((process.env.SCIMGATE_IN_MEMORY ?? '').toLowerCase());
  const port = Number(process.env.PORT ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`PORT must be a port number, got '${process.env.PORT}'`);
  const dataDir = process.env.SCIMGATE_DATA_DIR ?? '.scimgate';
  let stopping = false;
  let stopRunning = async (): Promise<void> => undefined;
  const exitWith = (code: number) => {
    if (stopping) return;
    stopping = true;
    void stopRunning().finally(() => process.exit(code));
  };
  const running = await startLocal({
    port,
    dataDir,
    inMemory,
    onStorageLost: (reason) => {
      console.error(
        `\nscimgate: ${reason.message}.\n` +
          `Stopping: every request would fail until DynamoDB Local runs again. ` +
          (inMemory
            ? 'The in-memory store is gone with it.'
            : `The data is kept in ${join(resolve(dataDir), 'dynamodb')}; run npm start again.`),
      );
      exitWith(1);
    },
  });
  stopRunning = () => running.stop();
  const { info } = running;
  console.log(
    [
      '',
      `scimgate is running${inMemory ? ' (in-memory store: nothing is kept)' : ` (data in ${resolve(dataDir)})`}`,
      '',
      `  SCIM base URL (Tenant URL):  ${info.scimBaseUrl}`,
      `  Bearer token (Secret Token): ${info.token}`,
      `  Management API:              ${info.adminUrl}  (key: adminKey in local.json)`,
      ...(running.dynamoDb
        ? [
            `  DynamoDB Local:              ${running.dynamoDb.endpoint} (pid ${running.dynamoDb.current()?.pid}; restarted if it dies)`,
          ]
        : []),
      `  Admin console:               ${running.server.origin}/console/  (sign in with a setup link:`,
      `    npx scimgate setup-links create --tenant ${DEV_TENANT} --email you@example.com --role owner)`,
      '',
      `  Both are in ${join(resolve(dataDir), 'local.json')}. Try:`,
      `  curl -H "Authorization: Bearer $(node -p "require('./${join(dataDir, 'local.json')}').token")" ${info.scimBaseUrl}/Users`,
      '',
      'Ctrl-C stops the server and DynamoDB Local.',
    ].join('\n'),
  );
  const stop = (signal: string) => {
    if (stopping) return;
    console.log(`\n${signal}: stopping…`);
    exitWith(0);
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

if (process.argv[1] && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) {
  main().catch((e: Error) => {
    console.error(`scimgate: ${e.message}`);
    process.exit(1);
  });
}
