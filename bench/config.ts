/**
 * Benchmark configuration from the environment. Everything has a default that fits a full run on a 2-core machine
 * in a few minutes; BENCH_QUICK=1 is a smoke run.
 *
 *   BENCH_SIZES=2000,100000   user counts to seed (ascending; the same endpoint is grown from one size to the next)
 *   BENCH_QUICK=1             sizes 500,5000 and fewer requests per operation
 *   BENCH_CONCURRENCY=1,16    client concurrency levels
 *   BENCH_REQUESTS=200        requests per simple operation (others are derived from it: `requestCounts`)
 *   BENCH_WARMUP_SECONDS=20   untimed mixed traffic before the first measurement (DynamoDB Local's JIT warm-up)
 *   BENCH_OPS=get,filter      run only these operations (keys as in bench/workload.ts)
 *   BENCH_RATIO_ROUNDS=8      interleaved rounds of the size-ratio run (0 = skip it; see bench/run.ts)
 *   BENCH_RATIO_REQUESTS=400  requests per operation, size and concurrency in the size-ratio run
 *   BENCH_SEED=batch|repo     seeding: BatchWrite of the repository's item layout (default) or the repository's own
 *                             `create` transaction, many in parallel
 *   BENCH_SEED_PARALLEL=8     concurrent seeding calls
 *   BENCH_COLD_RUNS=5         cold starts per function after the workload (bench/cold-start.ts; 0 = skip them)
 *   BENCH_ONLY=cold-start     only the cold starts (no seeding, no workload); merged into the existing BENCH_OUT
 *   BENCH_ONLY=membership     only the membership benchmark (bench/membership.ts); merged into BENCH_OUT
 *   BENCH_ONLY=events         only the change-events phase (bench/events.ts); merged into the existing BENCH_OUT
 *   BENCH_EVENT_WRITES=200    sequential writes timed from response to event readable
 *   BENCH_DYNAMODB_ENDPOINT=http://127.0.0.1:8000  use this running DynamoDB Local (fresh table) instead of starting one
 *   BENCH_OUT=bench/results/latest.json
 */

export type SeedMode = 'batch' | 'repo';

export interface BenchConfig {
  sizes: number[];
  concurrency: number[];
  quick: boolean;
  /** Requests per simple operation (auth, create, get, filter, patch). */
  requests: number;
  seedMode: SeedMode;
  seedParallel: number;
  warmupSeconds: number;
  /** Only these operation keys (BENCH_OPS); undefined = all. */
  ops?: string[];
  /** Rounds of the interleaved smallest-vs-largest get/filter run; 0 skips it. */
  ratioRounds: number;
  ratioRequests: number;
  /** Fresh processes per function in the cold-start run; 0 skips it. */
  coldRuns: number;
  /** BENCH_ONLY: only the cold-start run, only bench/membership.ts, or only the change-events phase. */
  only?: 'cold-start' | 'membership' | 'events';
  /** Writes of the change-events phase. */
  eventWrites: number;
  out: string;
}

function intList(name: string, raw: string | undefined, fallback: number[]): number[] {
  if (raw === undefined || raw.trim() === '') return fallback;
  const values = raw.split(',').map((s) => Number(s.trim().replace(/_/g, '')));
  if (values.some((v) => !Number.isInteger(v) || v <= 0)) {
    throw new Error(`${name} must be a comma-separated list of positive integers, got '${raw}'`);
  }
  return values;
}

function positiveInt(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw.trim() === '') return fallback;
  const v = Number(raw);
  if (!Number.isInteger(v) || v <= 0) throw new Error(`${name} must be a positive integer, got '${raw}'`);
  return v;
}

function nonNegative(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw.trim() === '') return fallback;
  const v = Number(raw);
  if (!Number.isFinite(v) || v < 0) throw new Error(`${name} must be a number >= 0, got '${raw}'`);
  return v;
}

export function loadBenchConfig(env: NodeJS.ProcessEnv = process.env): BenchConfig {
  const quick = ['1', 'true', 'yes'].includes((env.BENCH_QUICK ?? '').toLowerCase());
  const sizes = [...new Set(intList('BENCH_SIZES', env.BENCH_SIZES, quick ? [500, 5000] : [2000, 100_000]))];
  sizes.sort((a, b) => a - b);
  const seedMode = (env.BENCH_SEED ?? 'batch').toLowerCase();
  if (seedMode !== 'batch' && seedMode !== 'repo') {
    throw new Error(`BENCH_SEED must be 'batch' or 'repo', got '${env.BENCH_SEED}'`);
  }
  const only = (env.BENCH_ONLY ?? '').trim().toLowerCase();
  if (only !== '' && only !== 'cold-start' && only !== 'membership' && only !== 'events') {
    throw new Error(
      `BENCH_ONLY must be 'cold-start', 'membership' or 'events' (or unset), got '${env.BENCH_ONLY}'`,
    );
  }
  const coldRuns = Math.floor(nonNegative('BENCH_COLD_RUNS', env.BENCH_COLD_RUNS, 5));
  if (only === 'cold-start' && coldRuns === 0)
    throw new Error('BENCH_ONLY=cold-start needs BENCH_COLD_RUNS > 0');
  return {
    sizes,
    concurrency: intList('BENCH_CONCURRENCY', env.BENCH_CONCURRENCY, [1, 16]),
    quick,
    requests: positiveInt('BENCH_REQUESTS', env.BENCH_REQUESTS, quick ? 60 : 200),
    seedMode,
    seedParallel: positiveInt('BENCH_SEED_PARALLEL', env.BENCH_SEED_PARALLEL, 8),
    warmupSeconds: nonNegative('BENCH_WARMUP_SECONDS', env.BENCH_WARMUP_SECONDS, quick ? 5 : 20),
    ...(env.BENCH_OPS?.trim() ? { ops: env.BENCH_OPS.split(',').map((s) => s.trim()) } : {}),
    ratioRounds: Math.floor(nonNegative('BENCH_RATIO_ROUNDS', env.BENCH_RATIO_ROUNDS, 8)),
    ratioRequests: positiveInt('BENCH_RATIO_REQUESTS', env.BENCH_RATIO_REQUESTS, quick ? 120 : 400),
    coldRuns,
    ...(only === 'cold-start' || only === 'membership' || only === 'events' ? { only } : {}),
    eventWrites: positiveInt('BENCH_EVENT_WRITES', env.BENCH_EVENT_WRITES, quick ? 50 : 200),
    out: env.BENCH_OUT ?? 'bench/results/latest.json',
  };
}
