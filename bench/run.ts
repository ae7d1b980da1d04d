/**
 * `npm run bench`: the SCIM workload over HTTP against the real handlers and an in-memory DynamoDB Local, in this
 * process, counting every DynamoDB call the server makes per operation. See docs/benchmarks.md.
 *
 * 1. Sizes are seeded straight into the table (bench/seed.ts) and grown in place: the endpoint first holds the
 *    smallest size, is measured (every operation, each concurrency level), then is topped up to the next size and
 *    measured again. These runs give the round trips per operation and the latency tables.
 * 2. Latency drifts down for minutes (JIT of DynamoDB Local and of Node), so the sequential runs cannot be compared
 *    across sizes. The size ratio (get by id, filter by userName) is measured afterwards: a fresh endpoint with the
 *    smallest size in the same table, alternating rounds against the largest endpoint, latencies pooled per side.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { buildContainer } from '../functions/compose/container';
import { coreFromEnv } from '../functions/runtime/core';
import { emulatorDir } from '../functions/local/dynamodb-local';
import { DEFAULT_ENDPOINT, startLocal } from '../functions/local/main';
import { createDocumentClient } from '../shared/adapters/dynamodb/client';
import type { Scope } from '../shared/domain/ports';
import { coldStartTable, measureColdStarts, type ColdStartReport } from './cold-start';
import { loadBenchConfig } from './config';
import { runMembershipBench } from './membership';
import { DynamoCallCounter } from './ddb-counter';
import { eventsMarkdown, measureEvents, type EventsReport } from './events';
import { ScimClient } from './http';
import { checksList, ratioTable, resultsTable, roundTripTable, type Check, type SizeRatio } from './report';
import { checkSeedLayout, seedUsers, userBody, type SeededUser } from './seed';
import { round } from './stats';
import {
  combinePhases,
  operations,
  requestCounts,
  runPhase,
  type PhaseResult,
  type WorkloadState,
} from './workload';

const RATIO_TARGET = 1.2;
/** Largest number of users put in groups per size; the rest are read, filtered and patched. */
const MAX_MEMBER_POOL = 4000;

function dynamoLocalVersion(): string {
  const res = spawnSync('java', ['-jar', join(emulatorDir(), 'DynamoDBLocal.jar'), '-version'], {
    cwd: emulatorDir(),
    encoding: 'utf8',
    timeout: 30_000,
  });
  return (
    `${res.stdout ?? ''}${res.stderr ?? ''}`
      .split('\n')
      .map((l) => l.trim())
      .find((l) => /^\d+\.\d+/.test(l)) ?? 'unknown'
  );
}

function log(message: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

interface Stack {
  client: ScimClient;
  counter: DynamoCallCounter;
}

/** Untimed mixed traffic: DynamoDB Local's JVM needs tens of seconds of load before its latency settles. */
async function warmUp(stack: Stack, state: WorkloadState, seconds: number, keys: string[]): Promise<void> {
  const deadline = performance.now() + seconds * 1000;
  for (let round = 0; performance.now() < deadline; round++) {
    const ops = operations(stack.client, state, requestCounts(20), `warm-${state.size}-${round}`).filter(
      (o) => keys.includes(o.key),
    );
    for (const op of ops) await runPhase(stack.client, stack.counter, op, state.size, 4);
  }
}

function logPhase(r: PhaseResult, prefix = ''): void {
  log(
    `${prefix}${r.size} users, c=${r.concurrency}, ${r.op}: ${r.requests} req, ${r.errors} errors, ` +
      `${r.reqPerSec} req/s, p50 ${r.latencyMs.p50} ms, p95 ${r.latencyMs.p95} ms, ` +
      `${r.ddbCallsPerRequest} DynamoDB calls/req ${JSON.stringify(r.ddbCallsPerRequestByCommand)}` +
      (r.errorSamples.length ? `\n    errors: ${r.errorSamples.join('\n            ')}` : ''),
  );
}

async function main(): Promise<void> {
  const config = loadBenchConfig();
  const counts = requestCounts(config.requests);
  const benchStarted = performance.now();
  // Other work on the machine skews every latency here: the 1-minute load average is recorded at both ends.
  const loadAtStart = round(loadavg()[0] ?? NaN, 2);
  log(
    `sizes ${config.sizes.join(', ')}; concurrency ${config.concurrency.join(', ')}; ` +
      `${config.requests} requests per simple operation; seeding by ${config.seedMode}`,
  );

  const dataDir = mkdtempSync(join(tmpdir(), 'scimgate-bench-'));
  const started = performance.now();
  // One access-log line per request would flood the report and cost the client time: off for the benchmark.
  process.env.ACCESS_LOG ??= 'off';
  // The workload runs without the change-event producer (seeded users would all become events); the events phase
  // starts its own at the end (bench/events.ts).
  process.env.SCIMGATE_EVENT_STREAM = 'off';
  // Nor the scheduled jobs: their queries would count as the measured operations' round trips.
  process.env.SCIMGATE_JOB_INTERVAL_SECONDS ??= '0';
  // BENCH_DYNAMODB_ENDPOINT: use a DynamoDB Local that is already running (a loaded machine starts one slowly).
  const running = await startLocal({
    port: 0,
    dataDir,
    inMemory: true,
    ...(process.env.BENCH_DYNAMODB_ENDPOINT
      ? { dynamoEndpoint: process.env.BENCH_DYNAMODB_ENDPOINT, tableName: `bench-${Date.now()}` }
      : {}),
  });
  log(
    `local stack up in ${((performance.now() - started) / 1000).toFixed(1)} s at ${running.info.scimBaseUrl}`,
  );
  try {
    // The core the served functions share in this process (their DynamoDB calls are counted on its client).
    const core = coreFromEnv();
    const container = buildContainer(core.config, { doc: core.doc });
    const counter = DynamoCallCounter.attach(container.doc);
    const tableName = container.config.TABLE_NAME;
    const seedDoc = createDocumentClient({ endpoint: container.config.DYNAMODB_ENDPOINT });
    const tenantId = running.info.tenantId;
    const scope: Scope = { tenantId, endpointId: DEFAULT_ENDPOINT };
    const stack: Stack = { client: new ScimClient(running.info.scimBaseUrl, running.info.token), counter };
    const { client } = stack;

    // Cold starts (bench/cold-start.ts): fresh Node processes against this stack's table, tenant and pepper.
    const coldStart = (): Promise<ColdStartReport> => {
      log(`cold starts: ${config.coldRuns} fresh processes per function…`);
      return measureColdStarts({
        container,
        tenantId,
        endpointId: DEFAULT_ENDPOINT,
        token: running.info.token,
        adminKey: running.info.adminKey,
        origin: running.server.origin,
        runs: config.coldRuns,
        log,
      });
    };
    const coldStartMarkdown = (r: ColdStartReport): string[] => [
      `## Cold starts (import + first invocation, fresh \`node\` process each, ${r.runs} runs per function)`,
      '',
      `${r.nproc} CPUs (${r.cpuModel}), Node ${r.node} ${r.nodeOptions.join(' ')}; 1-minute load average ` +
        `${r.loadAverage1m.atStart} at the start, ${r.loadAverage1m.atEnd} at the end; ${r.durationSeconds} s. ` +
        `Bundled from ${r.source.commit}${r.source.uncommitted.length ? ` with uncommitted changes (${r.source.uncommitted.join(', ')})` : ''}.`,
      '',
      coldStartTable(r),
      '',
    ];
    const eventsPhase = (): Promise<EventsReport> =>
      measureEvents({
        client,
        requestCounter: counter,
        adminUrl: running.info.adminUrl,
        adminKey: running.info.adminKey,
        tenantId,
        writes: config.eventWrites,
        log,
      });
    if (config.only === 'events') {
      const events = await eventsPhase();
      const previous = existsSync(config.out)
        ? (JSON.parse(readFileSync(config.out, 'utf8')) as Record<string, unknown>)
        : {};
      mkdirSync(dirname(config.out), { recursive: true });
      writeFileSync(config.out, JSON.stringify({ ...previous, events }, null, 2) + '\n');
      console.log(
        [
          '# scimgate benchmark: change events only',
          '',
          ...eventsMarkdown(events),
          `Written to ${config.out} (events).`,
        ].join('\n'),
      );
      return;
    }
    if (config.only === 'membership') {
      const env = process.env;
      const membership = await runMembershipBench({
        client,
        counter,
        doc: seedDoc,
        tableName,
        scope,
        users: Number(env.BENCH_MEMBERSHIP_USERS ?? 100_000),
        groupSize: Number(env.BENCH_MEMBERSHIP_GROUP ?? 50_000),
        requests: Number(env.BENCH_MEMBERSHIP_REQUESTS ?? 96),
        log,
      });
      const previous = existsSync(config.out)
        ? (JSON.parse(readFileSync(config.out, 'utf8')) as Record<string, unknown>)
        : {};
      mkdirSync(dirname(config.out), { recursive: true });
      writeFileSync(
        config.out,
        JSON.stringify(
          {
            ...previous,
            membership: { ...membership, loadAverage1m: [loadAtStart, round(loadavg()[0] ?? NaN, 2)] },
          },
          null,
          2,
        ) + '\n',
      );
      console.log(JSON.stringify(membership, null, 2));
      return;
    }
    if (config.only === 'cold-start') {
      const cold = await coldStart();
      // Alone, the cold starts replace `coldStart` in the existing results and keep the workload's.
      const previous = existsSync(config.out)
        ? (JSON.parse(readFileSync(config.out, 'utf8')) as Record<string, unknown>)
        : {};
      mkdirSync(dirname(config.out), { recursive: true });
      writeFileSync(config.out, JSON.stringify({ ...previous, coldStart: cold }, null, 2) + '\n');
      console.log(
        [
          '# scimgate benchmark: cold starts only',
          '',
          ...coldStartMarkdown(cold),
          `Written to ${config.out} (coldStart).`,
        ].join('\n'),
      );
      return;
    }

    const seeded: SeededUser[] = [];
    const memberIds = new Set<string>();
    let createdByBench = 0;
    const seeding: {
      endpoint: string;
      size: number;
      users: number;
      seconds: number;
      usersPerSecond: number;
      mode: string;
    }[] = [];
    const results: PhaseResult[] = [];
    const interleaved: PhaseResult[] = [];
    let largestState: WorkloadState | undefined;
    const checks: Check[] = [];

    const seed = async (target: Scope, from: number, to: number): Promise<SeededUser[]> => {
      log(
        `seeding ${to - from} users into '${target.endpointId}' (${config.seedMode}, ${config.seedParallel} in parallel)…`,
      );
      const res = await seedUsers({
        doc: seedDoc,
        tableName,
        scope: target,
        from,
        to,
        mode: config.seedMode,
        parallel: config.seedParallel,
        onProgress: (done) => log(`  ${done} seeded`),
      });
      seeding.push({
        endpoint: target.endpointId,
        size: to,
        users: res.users.length,
        seconds: round(res.seconds, 1),
        usersPerSecond: round(res.users.length / res.seconds, 0),
        mode: res.mode,
      });
      log(
        `seeded ${res.users.length} in ${res.seconds.toFixed(1)} s (${Math.round(res.users.length / res.seconds)}/s)`,
      );
      return res.users;
    };

    for (const size of config.sizes) {
      if (seeded.length < size) seeded.push(...(await seed(scope, seeded.length, size)));

      const poolSize = Math.min(MAX_MEMBER_POOL, Math.floor(size * 0.9));
      const state: WorkloadState = {
        size,
        targets: seeded.slice(0, size - poolSize).filter((u) => !memberIds.has(u.id)),
        memberPool: seeded.slice(size - poolSize, size),
        members: [],
        userCount: () => seeded.length + createdByBench,
        onCreated: () => createdByBench++,
      };

      if (size === config.sizes[0]) {
        // The seeded items must be the items the server writes: compare with a user created over HTTP.
        const userName = `layout-check@bench.example.com`;
        const created = await client.json<{ id: string }>(
          { method: 'POST', path: 'Users', body: userBody(userName, 42) },
          201,
        );
        createdByBench++;
        await checkSeedLayout({
          doc: seedDoc,
          tableName,
          scope,
          serverCreated: { id: created.id, userName, n: 42 },
        });
        checks.push({
          name: 'seeded items = server-written items',
          ok: true,
          detail: 'same attributes and values',
        });
        log(`warming up for ${config.warmupSeconds} s…`);
        await warmUp(stack, state, config.warmupSeconds, [
          'auth',
          'get',
          'filter',
          'create',
          'patch',
          'listFirst',
        ]);
      } else {
        await warmUp(stack, state, Math.min(3, config.warmupSeconds), ['auth', 'get', 'filter']);
      }
      const expectedTotal = seeded.length + createdByBench;
      const listed = await client.json<{ totalResults: number }>(
        { method: 'GET', path: 'Users?count=0' },
        200,
      );
      checks.push({
        name: `totalResults at ${size} seeded users`,
        ok: listed.totalResults === expectedTotal,
        detail: `${listed.totalResults} (expected ${expectedTotal})`,
      });

      for (const concurrency of config.concurrency) {
        const ops = operations(client, state, counts, `${size}-c${concurrency}`).filter(
          (o) => !config.ops || config.ops.includes(o.key),
        );
        for (const op of ops) {
          const r = await runPhase(client, counter, op, size, concurrency);
          results.push(r);
          logPhase(r);
        }
      }
      for (const u of state.members) memberIds.add(u.id);
      largestState = state;
    }

    const small = config.sizes[0] as number;
    const large = config.sizes[config.sizes.length - 1] as number;
    const ratioOps = ['filter', 'get'].filter((k) => !config.ops || config.ops.includes(k));
    if (config.ratioRounds > 0 && large !== small && ratioOps.length > 0 && largestState) {
      // The size ratio run (see the header): small and large alternate (AB BA AB …), latencies pooled per side.
      const users = await seed({ tenantId, endpointId: 'small' }, 0, small);
      const sides = {
        small: {
          stack: {
            client: new ScimClient(`${running.server.origin}/scim/v2/${tenantId}/small`, running.info.token),
            counter,
          } as Stack,
          state: {
            size: small,
            targets: users,
            memberPool: users,
            members: [],
            userCount: () => users.length,
            onCreated: () => undefined,
          } as WorkloadState,
        },
        large: { stack, state: largestState },
      };
      await warmUp(sides.small.stack, sides.small.state, Math.min(3, config.warmupSeconds), [
        'get',
        'filter',
      ]);
      const perRound = Math.max(1, Math.round(config.ratioRequests / config.ratioRounds));
      for (const concurrency of config.concurrency) {
        for (const opKey of ratioOps) {
          const parts: Record<'small' | 'large', PhaseResult[]> = { small: [], large: [] };
          for (let roundNo = 0; roundNo < config.ratioRounds; roundNo++) {
            const order: ('small' | 'large')[] = roundNo % 2 === 0 ? ['small', 'large'] : ['large', 'small'];
            for (const side of order) {
              const { stack: st, state } = sides[side];
              const op = operations(
                st.client,
                state,
                requestCounts(perRound),
                `ratio-${concurrency}-${roundNo}`,
              ).find((o) => o.key === opKey);
              if (op) parts[side].push(await runPhase(st.client, counter, op, state.size, concurrency));
            }
          }
          for (const side of ['small', 'large'] as const) {
            const r = combinePhases(parts[side]);
            interleaved.push(r);
            logPhase(r, 'interleaved: ');
          }
        }
      }
    }

    // Checks on round trips that must hold whatever the size (every authenticated read also writes its record:
    // decision 18).
    const exactly = (r: PhaseResult, want: Record<string, number>) =>
      JSON.stringify(Object.entries(r.ddbCallsPerRequestByCommand).sort()) ===
      JSON.stringify(Object.entries(want).sort());
    for (const r of results.filter((x) => x.op === 'auth')) {
      checks.push({
        name: `authentication is one DynamoDB read, plus the request's record (${r.size} users, c=${r.concurrency})`,
        ok: exactly(r, { BatchGetItem: 1, PutItem: 1 }),
        detail: JSON.stringify(r.ddbCallsPerRequestByCommand),
      });
    }
    for (const r of results.filter((x) => x.op === 'get')) {
      checks.push({
        name: `GET by id is authentication + one read, plus the record (${r.size} users, c=${r.concurrency})`,
        ok: exactly(r, { BatchGetItem: 1, GetItem: 1, PutItem: 1 }),
        detail: JSON.stringify(r.ddbCallsPerRequestByCommand),
      });
    }
    const errorCount = [...results, ...interleaved].reduce((a, r) => a + r.errors, 0);
    checks.push({ name: 'no failed requests', ok: errorCount === 0, detail: `${errorCount} failed` });

    const ratios: SizeRatio[] = [];
    if (large !== small) {
      for (const op of ratioOps) {
        for (const concurrency of config.concurrency) {
          const find = (rs: PhaseResult[], size: number) =>
            rs.find((r) => r.op === op && r.size === size && r.concurrency === concurrency);
          const seqSmall = find(results, small);
          const seqLarge = find(results, large);
          const sequentialRatio =
            seqSmall && seqLarge ? round(seqLarge.latencyMs.p50 / seqSmall.latencyMs.p50, 3) : undefined;
          const a = find(interleaved, small) ?? seqSmall;
          const b = find(interleaved, large) ?? seqLarge;
          if (!a || !b) continue;
          const ratio = b.latencyMs.p50 / a.latencyMs.p50;
          ratios.push({
            op,
            concurrency,
            smallSize: small,
            largeSize: large,
            smallP50: a.latencyMs.p50,
            largeP50: b.latencyMs.p50,
            ratio: round(ratio, 3),
            method: find(interleaved, small) ? 'interleaved' : 'sequential',
            ...(sequentialRatio !== undefined ? { sequentialRatio } : {}),
            target: RATIO_TARGET,
            ok: ratio <= RATIO_TARGET,
          });
        }
      }
    }

    const cold = config.coldRuns > 0 ? await coldStart() : undefined;
    log(`change events: ${config.eventWrites} writes…`);
    const events = await eventsPhase();

    const machine = {
      nproc: availableParallelism(),
      cpuModel: cpus()[0]?.model ?? 'unknown',
      memoryGiB: round(totalmem() / 2 ** 30, 1),
      node: process.version,
      dynamoDbLocal: `${dynamoLocalVersion()} (in-memory)`,
      loadAverage1m: { atStart: loadAtStart, atEnd: round(loadavg()[0] ?? NaN, 2) },
    };
    const durationSeconds = round((performance.now() - benchStarted) / 1000, 1);
    const report = {
      generatedAt: new Date().toISOString(),
      durationSeconds,
      machine,
      config: { ...config, requestCounts: counts },
      seeding,
      checks,
      ratios,
      results: results.map(({ samples: _samples, ...r }) => r),
      interleaved: interleaved.map(({ samples: _samples, ...r }) => r),
      ...(cold ? { coldStart: cold } : {}),
      events,
    };
    mkdirSync(dirname(config.out), { recursive: true });
    writeFileSync(config.out, JSON.stringify(report, null, 2) + '\n');

    const md = [
      `# scimgate benchmark`,
      '',
      `${machine.nproc} CPUs (${machine.cpuModel}), ${machine.memoryGiB} GiB, Node ${machine.node}, ` +
        `DynamoDB Local ${machine.dynamoDbLocal}; ${durationSeconds} s in all; 1-minute load average ` +
        `${machine.loadAverage1m.atStart} at the start, ${machine.loadAverage1m.atEnd} at the end.`,
      '',
      `Seeding: ${seeding.map((s) => `${s.users} users into '${s.endpoint}' in ${s.seconds} s (${s.usersPerSecond}/s, ${s.mode})`).join('; ')}`,
      '',
      ...config.sizes.flatMap((size) => [
        `## ${size.toLocaleString('en-US')} users`,
        '',
        resultsTable(results, size),
        '',
      ]),
      ...(interleaved.length
        ? [
            `## Size ratio run: ${small.toLocaleString('en-US')} users (endpoint 'small') vs ` +
              `${large.toLocaleString('en-US')} users, interleaved rounds`,
            '',
            resultsTable(interleaved),
            '',
          ]
        : []),
      `## DynamoDB round trips per request (concurrency ${Math.min(...config.concurrency)})`,
      '',
      roundTripTable(results, config.sizes),
      '',
      ...(ratios.length ? ['## p50 latency, largest vs smallest size', '', ratioTable(ratios), ''] : []),
      ...(cold ? coldStartMarkdown(cold) : []),
      ...eventsMarkdown(events),
      '## Checks',
      '',
      checksList(checks),
      '',
      `Written to ${config.out}.`,
    ].join('\n');
    console.log(md);
  } finally {
    await running.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (e: Error) => {
    console.error(`bench: ${e.stack ?? e.message}`);
    process.exit(1);
  },
);
