/**
 * Cold starts: every Lambda entry (FUNCTION_ENTRIES, JOB_ENTRIES, EVENT_ENTRIES) and a bare handler are bundled
 * with the construct's own esbuild options (BUNDLING in infra/function.ts, as test/infra/bundles.test.ts does), then
 * each bundle is imported by a fresh `node` process (this Node binary, `--enable-source-maps` as the construct's
 * NODE_OPTIONS) that invokes its handler once with a realistic event against the bench's DynamoDB Local table and
 * reports how long the import and the first invocation took. The child gets the environment a Lambda function
 * has (TABLE_NAME, the pepper, AWS_LAMBDA_FUNCTION_NAME, so the container is built during the import, as in Lambda)
 * and nothing of this process's.
 *
 * Runs are interleaved (one process per bundle per round, rounds repeated), after two untimed processes (an HTTP
 * function and a job) that warm DynamoDB Local. Every first invocation's result is checked (status, job report, recorded bounces),
 * so a broken bundle fails the bench instead of looking fast.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import * as path from 'node:path';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { build } from 'esbuild';
import { EVENT_ENTRIES, FUNCTION_ENTRIES, JOB_ENTRIES } from '../functions/entries';
import { REPO_ROOT, esbuildOptionsFor } from '../infra/function';
import type { Container } from '../functions/compose/container';
import { apiGatewayEvent } from '../functions/local/api-event';
import type { FunctionId } from '../shared/http/routes';
import { percentile, round } from './stats';

const KIB = 1024;
const CHILD_TIMEOUT_MS = 30_000;
export const BARE = 'bare handler';
export const REFERENCE = 'reference handler';

/** What the cold-start run needs of the bench's local stack. */
export interface ColdStartSetup {
  container: Container;
  tenantId: string;
  endpointId: string;
  /** Bearer token of the tenant (the bench's). */
  token: string;
  adminKey: string;
  /** Origin of the local server: the Host of the synthetic API Gateway events. */
  origin: string;
  runs: number;
  log: (message: string) => void;
}

export interface Spread {
  p50: number;
  max: number;
}

export interface ColdStartRow {
  name: string;
  /** Entry file under functions/, or '(inline)' for the bare handler. */
  entry: string;
  kind: 'http' | 'job' | 'event' | 'bare' | 'reference';
  /** The first invocation's event, in words. */
  invocation: string;
  /** What the first invocation returned (checked). */
  result: string;
  bundleKiB: number;
  runs: number;
  importMs: Spread;
  firstInvocationMs: Spread;
  totalMs: Spread;
  /** p50 total minus the bare handler's p50 total. */
  overheadMs: number;
  /** p50 total as a ratio to the reference handler's p50 total (the textbook middy + zod + DynamoDB stack). */
  vsReference: number;
  samples: { importMs: number; firstInvocationMs: number }[];
}

export interface ColdStartReport {
  generatedAt: string;
  durationSeconds: number;
  node: string;
  nproc: number;
  cpuModel: string;
  loadAverage1m: { atStart: number; atEnd: number };
  runs: number;
  /** Untimed processes before the measured rounds. */
  warmupProcesses: string[];
  nodeOptions: string[];
  /** The code that was bundled: the checkout's commit and its uncommitted changes under functions/ and shared/. */
  source: { commit: string; uncommitted: string[] };
  rows: ColdStartRow[];
}

function sourceState(): ColdStartReport['source'] {
  const git = (args: string[]) =>
    spawnSync('git', args, { cwd: REPO_ROOT, encoding: 'utf8', timeout: 10_000 }).stdout?.trim() ?? '';
  return {
    commit: git(['rev-parse', '--short', 'HEAD']) || 'unknown',
    uncommitted: git(['status', '--porcelain', '--', 'functions', 'shared', 'package-lock.json'])
      .split('\n')
      .filter(Boolean),
  };
}

type Check = (result: unknown) => string | Error;

interface Target {
  name: string;
  entry: string;
  kind: ColdStartRow['kind'];
  invocation: string;
  event: () => unknown;
  check: Check;
}

/** The driver each child runs: import the bundle, invoke once, write the timings. */
const DRIVER = `import { readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
const [bundle, eventFile, outFile] = process.argv.slice(2);
const event = JSON.parse(readFileSync(eventFile, 'utf8'));
const context = {
  callbackWaitsForEmptyEventLoop: false,
  functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:local:000000000000:function:' + process.env.AWS_LAMBDA_FUNCTION_NAME,
  memoryLimitInMB: '512',
  awsRequestId: crypto.randomUUID(),
  logGroupName: '/aws/lambda/' + process.env.AWS_LAMBDA_FUNCTION_NAME,
  logStreamName: 'cold-start',
  getRemainingTimeInMillis: () => 29000,
};
const started = performance.now();
const mod = await import(pathToFileURL(bundle).href);
const imported = performance.now();
let result;
let error;
try {
  result = await mod.handler(event, context);
} catch (e) {
  error = String(e && e.stack ? e.stack : e);
}
const invoked = performance.now();
writeFileSync(outFile, JSON.stringify({ bootMs: started, importMs: imported - started, firstInvocationMs: invoked - imported, result, error }));
process.exit(0);
`;

function apiEvent(
  origin: string,
  method: string,
  rawPath: string,
  rawQueryString: string,
  headers: Record<string, string>,
  body?: string,
): APIGatewayProxyEventV2 {
  const host = new URL(origin).host;
  return apiGatewayEvent({
    method,
    rawPath,
    rawQueryString,
    headers: { host, 'x-forwarded-proto': 'http', 'user-agent': 'scimgate-bench-cold-start', ...headers },
    domainName: host,
    sourceIp: '127.0.0.1',
    apiId: 'bench',
    ...(body !== undefined ? { body } : {}),
  });
}

/** Status 200 and a body that contains `needle`. */
function httpOk(needle: string): Check {
  return (result) => {
    const r = result as { statusCode?: number; body?: string } | undefined;
    if (r?.statusCode !== 200 || typeof r.body !== 'string' || !r.body.includes(needle)) {
      return new Error(`expected status 200 with '${needle}', got ${JSON.stringify(result)?.slice(0, 300)}`);
    }
    return `200 (${r.body.length} B)`;
  };
}

async function targets(setup: ColdStartSetup): Promise<Target[]> {
  const { container, tenantId, endpointId, token, adminKey, origin } = setup;
  const scim = `/scim/v2/${tenantId}/${endpointId}`;
  const bearer = { authorization: `Bearer ${token}` };
  // A real OAuth client of the tenant, issued as the management API would.
  const issued = await container.credentials.issue(
    tenantId,
    { kind: 'oauth-client', name: 'bench cold start' },
    { actor: 'bench', origin },
  );
  const clientId = issued.connection.clientId ?? '';
  const basic = `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(issued.secret)}`).toString('base64')}`;
  // A console session of an admin of the tenant, started through a setup link as the SPA would.
  const link = await container.consoleSessions.createSetupLink(
    tenantId,
    { email: 'bench@bench.example.com', role: 'viewer' },
    'bench',
    `${origin}/console/`,
  );
  const started = await container.consoleSessions.exchange(link.token, {
    sourceIp: '127.0.0.1',
    userAgent: 'scimgate-bench-cold-start',
  });

  const http: Record<FunctionId, Omit<Target, 'name' | 'entry' | 'kind'>> = {
    scimRoot: {
      invocation: 'GET /ServiceProviderConfig',
      event: () => apiEvent(origin, 'GET', `${scim}/ServiceProviderConfig`, '', bearer),
      check: httpOk('ServiceProviderConfig'),
    },
    scimUsers: {
      invocation: 'GET /Users?filter=userName eq "x"',
      event: () =>
        apiEvent(
          origin,
          'GET',
          `${scim}/Users`,
          `filter=${encodeURIComponent('userName eq "cold-start@bench.example.com"')}`,
          bearer,
        ),
      check: httpOk('ListResponse'),
    },
    scimGroups: {
      invocation: 'GET /Groups?excludedAttributes=members&count=1',
      event: () => apiEvent(origin, 'GET', `${scim}/Groups`, 'excludedAttributes=members&count=1', bearer),
      check: httpOk('ListResponse'),
    },
    oauthToken: {
      invocation: 'POST /oauth/{tenant}/token (client credentials)',
      event: () =>
        apiEvent(
          origin,
          'POST',
          `/oauth/${tenantId}/token`,
          '',
          { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
          'grant_type=client_credentials',
        ),
      check: httpOk('access_token'),
    },
    management: {
      invocation: 'GET /admin/v1/tenants (admin key)',
      event: () => apiEvent(origin, 'GET', '/admin/v1/tenants', '', { 'x-admin-key': adminKey }),
      check: httpOk(tenantId),
    },
    console: {
      invocation: 'GET /console/api/session (session cookie)',
      event: () =>
        apiEvent(origin, 'GET', '/console/api/session', '', {
          cookie: `scimgate_console=${started.cookieValue}`,
        }),
      check: httpOk('csrfToken'),
    },
  };
  const jobCheck: Check = (result) => {
    const r = result as { job?: string; due?: number; failures?: unknown[] } | undefined;
    if (typeof r?.job !== 'string' || typeof r.due !== 'number' || (r.failures?.length ?? 0) > 0) {
      return new Error(
        `expected a job report without failures, got ${JSON.stringify(result)?.slice(0, 300)}`,
      );
    }
    return `job report (${r.due} due)`;
  };
  return [
    {
      name: BARE,
      entry: '(inline)',
      kind: 'bare',
      invocation: '{}',
      event: () => ({}),
      check: (result) =>
        (result as { statusCode?: number } | undefined)?.statusCode === 200
          ? '200'
          : new Error(`expected statusCode 200, got ${JSON.stringify(result)}`),
    },
    {
      name: REFERENCE,
      entry: '../bench/reference/handler.ts',
      kind: 'reference',
      invocation: 'GET with path parameters: one GetItem',
      event: () => apiEvent(origin, 'GET', `/scim/v2/${tenantId}/${endpointId}/Users/x`, '', {}),
      check: httpOk('found'),
    },
    ...Object.entries(FUNCTION_ENTRIES).map(([fn, entry]): Target => ({
      name: fn,
      entry,
      kind: 'http',
      ...http[fn as FunctionId],
    })),
    ...Object.entries(JOB_ENTRIES).map(([job, e]): Target => ({
      name: `${job} job`,
      entry: e.entry,
      kind: 'job',
      invocation: 'scheduled event { time: now }',
      event: () => ({ time: new Date().toISOString() }),
      check: jobCheck,
    })),
    ...Object.entries(EVENT_ENTRIES).map(([name, entry]): Target => ({
      name,
      entry,
      kind: 'event',
      ...EVENT_INVOCATIONS[name as EventEntry](tenantId),
    })),
  ];
}

type EventEntry = keyof typeof EVENT_ENTRIES;
type Invocation = Pick<Target, 'invocation' | 'event' | 'check'>;

/** The stream consumers' first invocation: an empty batch (import, composition and the handler's path; no store call). */
const emptyStreamBatch = (answer: (result: unknown) => boolean): Invocation => ({
  invocation: 'DynamoDB stream batch without records',
  event: () => ({ Records: [] }),
  check: (result) =>
    answer(result)
      ? 'nothing to do'
      : new Error(`expected an empty batch to do nothing, got ${JSON.stringify(result)}`),
});

/** One first invocation per event-driven function: a new entry without one is a type error, not a failed run. */
const EVENT_INVOCATIONS: Record<EventEntry, (tenantId: string) => Invocation> = {
  sesFeedback: (tenantId) => ({
    invocation: 'SNS event, permanent bounce without recipients',
    event: () => ({
      Records: [
        {
          EventSource: 'aws:sns',
          Sns: {
            Type: 'Notification',
            Message: JSON.stringify({
              eventType: 'Bounce',
              mail: { timestamp: new Date().toISOString(), tags: { tenants: [tenantId] } },
              bounce: { bounceType: 'Permanent', timestamp: new Date().toISOString(), bouncedRecipients: [] },
            }),
          },
        },
      ],
    }),
    check: (result) =>
      Array.isArray(result)
        ? `${result.length} recorded`
        : new Error(`expected the recorded recipients, got ${JSON.stringify(result)}`),
  }),
  // Reports the batch item failures (none).
  membershipStream: () =>
    emptyStreamBatch((r) => {
      const failures = (r as { batchItemFailures?: unknown[] } | undefined)?.batchItemFailures;
      return Array.isArray(failures) && failures.length === 0;
    }),
  // Reports the events it produced (none).
  eventStream: () => emptyStreamBatch((r) => (r as { events?: number } | undefined)?.events === 0),
};

/**
 * `BENCH_COLD_TRACING=on`: the functions are bundled as a stage with detailed tracing has them (the Powertools
 * Tracer and the X-Ray SDK in the bundle, a subsegment per DynamoDB call).
 */
const DETAILED_TRACING = process.env.BENCH_COLD_TRACING === 'on';

/** Bundles one entry with exactly the construct's options; returns the path of index.mjs. */
async function bundle(entryPoint: string, outdir: string): Promise<string> {
  const outfile = path.join(outdir, 'index.mjs');
  await build(esbuildOptionsFor(entryPoint, outfile, DETAILED_TRACING));
  return outfile;
}

interface ChildResult {
  importMs: number;
  firstInvocationMs: number;
  result?: unknown;
  error?: string;
}

const NODE_OPTIONS = ['--enable-source-maps'];

/**
 * `BENCH_COLD_PROFILE=<dir>`: every cold-start child also writes a V8 CPU profile there (`--cpu-prof`), to see where
 * an import or a first invocation spends its time (open it in Chrome DevTools; the bundles keep their source maps
 * beside them in the run's temporary directory, which is then kept too).
 */
const PROFILE_DIR = process.env.BENCH_COLD_PROFILE;
const CHILD_OPTIONS = PROFILE_DIR
  ? [...NODE_OPTIONS, '--cpu-prof', `--cpu-prof-dir=${path.resolve(PROFILE_DIR)}`]
  : NODE_OPTIONS;

function runChild(
  driver: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  outFile: string,
): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...CHILD_OPTIONS, driver, ...args], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: CHILD_TIMEOUT_MS,
    });
    let output = '';
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-4000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      try {
        if (code !== 0) throw new Error(`exit ${code ?? signal}`);
        resolve(JSON.parse(readFileSync(outFile, 'utf8')) as ChildResult);
      } catch (e) {
        reject(new Error(`cold-start child failed (${(e as Error).message}):\n${output}`));
      }
    });
  });
}

export async function measureColdStarts(setup: ColdStartSetup): Promise<ColdStartReport> {
  const { container, log } = setup;
  const started = performance.now();
  const loadAtStart = round(loadavg()[0] ?? NaN, 2);
  const dir = mkdtempSync(path.join(tmpdir(), 'scimgate-cold-'));
  try {
    const list = await targets(setup);
    const source = sourceState();
    const driver = path.join(dir, 'driver.mjs');
    writeFileSync(driver, DRIVER);
    const bareSource = path.join(dir, 'bare.mjs');
    writeFileSync(bareSource, 'export const handler = async () => ({ statusCode: 200 });\n');
    const bundleStarted = performance.now();
    const bundles = new Map(
      await Promise.all(
        list.map(async (t): Promise<[string, { file: string; bytes: number }]> => {
          const outdir = path.join(dir, t.name.replace(/\W+/g, '-'));
          mkdirSync(outdir, { recursive: true });
          const file = await bundle(
            t.kind === 'bare' ? bareSource : path.join(REPO_ROOT, 'functions', t.entry),
            outdir,
          );
          return [t.name, { file, bytes: statSync(file).size }];
        }),
      ),
    );
    log(`bundled ${list.length} entries in ${((performance.now() - bundleStarted) / 1000).toFixed(1)} s`);

    const config = container.config;
    const baseEnv: NodeJS.ProcessEnv = {
      PATH: process.env.PATH ?? '',
      TABLE_NAME: config.TABLE_NAME,
      DYNAMODB_ENDPOINT: config.DYNAMODB_ENDPOINT ?? '',
      PEPPER_FILE: config.PEPPER_FILE ?? '',
      ADMIN_KEY: config.ADMIN_KEY ?? '',
      AWS_REGION: config.AWS_REGION ?? process.env.AWS_REGION ?? 'us-east-1',
      OUTBOX_DIR: path.join(dir, 'outbox'),
      TZ: 'UTC',
      // What Lambda gives a traced invocation: a sampled trace header and the X-Ray daemon's address (UDP).
      ...(DETAILED_TRACING
        ? {
            _X_AMZN_TRACE_ID: 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1',
            AWS_XRAY_DAEMON_ADDRESS: '127.0.0.1:2000',
            AWS_XRAY_CONTEXT_MISSING: 'IGNORE_ERROR',
          }
        : {}),
    };
    const samples = new Map<string, { importMs: number; firstInvocationMs: number }[]>();
    const results = new Map<string, string>();
    // Untimed: one process of an HTTP function and one of a job, so DynamoDB Local has served each kind of call once.
    const warmup = [list.find((t) => t.kind === 'http'), list.find((t) => t.kind === 'job')].filter(
      (t): t is Target => t !== undefined,
    );
    const schedule = [
      ...warmup.map((t) => ({ t, timed: false })),
      ...Array.from({ length: setup.runs }, () => list.map((t) => ({ t, timed: true }))).flat(),
    ];
    let done = 0;
    for (const { t, timed } of schedule) {
      const b = bundles.get(t.name);
      if (!b) throw new Error(`no bundle for ${t.name}`);
      const eventFile = path.join(dir, 'event.json');
      const outFile = path.join(dir, 'result.json');
      writeFileSync(eventFile, JSON.stringify(t.event()));
      rmSync(outFile, { force: true });
      const env = { ...baseEnv, AWS_LAMBDA_FUNCTION_NAME: `scimgate-bench-${t.name.replace(/\W+/g, '-')}` };
      const r = await runChild(driver, [b.file, eventFile, outFile], env, outFile);
      if (r.error) throw new Error(`cold start of ${t.name}: the handler threw: ${r.error}`);
      const checked = t.check(r.result);
      if (checked instanceof Error) throw new Error(`cold start of ${t.name}: ${checked.message}`);
      results.set(t.name, checked);
      if (!timed) continue;
      const own = samples.get(t.name) ?? [];
      own.push({ importMs: round(r.importMs, 2), firstInvocationMs: round(r.firstInvocationMs, 2) });
      samples.set(t.name, own);
      if (++done % list.length === 0) log(`cold starts: round ${done / list.length} of ${setup.runs} done`);
    }

    const spread = (values: number[]): Spread => {
      const sorted = [...values].sort((a, b) => a - b);
      return { p50: round(percentile(sorted, 50), 1), max: round(sorted[sorted.length - 1] ?? NaN, 1) };
    };
    const rows: ColdStartRow[] = list.map((t) => {
      const s = samples.get(t.name) ?? [];
      return {
        name: t.name,
        entry: t.entry,
        kind: t.kind,
        invocation: t.invocation,
        result: results.get(t.name) ?? '',
        bundleKiB: round((bundles.get(t.name)?.bytes ?? NaN) / KIB, 1),
        runs: s.length,
        importMs: spread(s.map((x) => x.importMs)),
        firstInvocationMs: spread(s.map((x) => x.firstInvocationMs)),
        totalMs: spread(s.map((x) => x.importMs + x.firstInvocationMs)),
        overheadMs: 0,
        vsReference: NaN,
        samples: s,
      };
    });
    const bare = rows.find((r) => r.kind === 'bare');
    const reference = rows.find((r) => r.kind === 'reference');
    for (const r of rows) {
      r.overheadMs = round(r.totalMs.p50 - (bare?.totalMs.p50 ?? 0), 1);
      r.vsReference = round(r.totalMs.p50 / (reference?.totalMs.p50 ?? NaN), 2);
    }
    return {
      generatedAt: new Date().toISOString(),
      durationSeconds: round((performance.now() - started) / 1000, 1),
      node: process.version,
      nproc: availableParallelism(),
      cpuModel: cpus()[0]?.model ?? 'unknown',
      loadAverage1m: { atStart: loadAtStart, atEnd: round(loadavg()[0] ?? NaN, 2) },
      runs: setup.runs,
      warmupProcesses: warmup.map((t) => t.name),
      nodeOptions: NODE_OPTIONS,
      source,
      rows,
    };
  } finally {
    if (!PROFILE_DIR) rmSync(dir, { recursive: true, force: true });
  }
}

const fmt = (n: number, digits = 1): string => (Number.isFinite(n) ? n.toFixed(digits) : '–');

/** Markdown table of a cold-start report. */
export function coldStartTable(report: ColdStartReport): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  const head = [
    'function',
    'first invocation',
    'bundle KiB',
    'import ms p50 / max',
    'first invocation ms p50 / max',
    'total ms p50',
    'overhead vs bare ms',
    'vs reference',
  ];
  return [
    line(head),
    line(head.map(() => '---')),
    ...report.rows.map((r) =>
      line([
        r.kind === 'bare' ? `_${r.name}_` : `${r.name} (${r.entry})`,
        `${r.invocation} → ${r.result}`,
        fmt(r.bundleKiB, 1),
        `${fmt(r.importMs.p50)} / ${fmt(r.importMs.max)}`,
        `${fmt(r.firstInvocationMs.p50)} / ${fmt(r.firstInvocationMs.max)}`,
        `**${fmt(r.totalMs.p50)}**`,
        r.kind === 'bare' ? '–' : `+${fmt(r.overheadMs)}`,
        `${fmt(r.vsReference, 2)}×`,
      ]),
    ),
  ].join('\n');
}
