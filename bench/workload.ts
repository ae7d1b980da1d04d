/**
 * The measured operations and the phase runner. One phase = one operation type at one concurrency level, so the
 * DynamoDB calls counted during the phase divided by its requests are that operation's round trips per request.
 */
import { total, type CallCounts, type DynamoCallCounter } from './ddb-counter';
import type { BenchRequest, BenchResponse, ScimClient } from './http';
import { userBody, type SeededUser } from './seed';
import { latencyStats, round, type LatencyStats } from './stats';

const PATCH_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const MEMBERS_PER_PATCH = 100;
const PAGE = 100;

export interface Operation {
  key: string;
  label: string;
  requests: number;
  expectedStatus: number;
  /** Untimed setup before the phase (its DynamoDB calls are not counted). */
  prepare?: (concurrency: number) => Promise<void>;
  request(i: number, worker: number): BenchRequest;
  /** Returns an error description when the response is wrong (status already checked). */
  check?(res: BenchResponse, i: number, worker: number): string | undefined;
}

export interface PhaseResult {
  size: number;
  concurrency: number;
  op: string;
  label: string;
  requests: number;
  errors: number;
  errorSamples: string[];
  seconds: number;
  reqPerSec: number;
  latencyMs: LatencyStats;
  ddbCalls: CallCounts;
  ddbCallsPerRequest: number;
  ddbCallsPerRequestByCommand: Record<string, number>;
  /** Raw latencies (ms); dropped from the JSON report. */
  samples: number[];
}

export async function runPhase(
  client: ScimClient,
  counter: DynamoCallCounter,
  op: Operation,
  size: number,
  concurrency: number,
): Promise<PhaseResult> {
  await op.prepare?.(concurrency);
  const latencies: number[] = [];
  const errorSamples: string[] = [];
  let errors = 0;
  let next = 0;
  const before = counter.snapshot();
  const started = performance.now();
  const worker = async (w: number) => {
    while (next < op.requests) {
      const i = next++;
      const req = op.request(i, w);
      let problem: string | undefined;
      try {
        const res = await client.send(req);
        latencies.push(res.ms);
        problem =
          res.status !== op.expectedStatus
            ? `${req.method} ${req.path.slice(0, 80)} → ${res.status} ${res.text.slice(0, 200)}`
            : op.check?.(res, i, w);
      } catch (e) {
        problem = `${req.method} ${req.path.slice(0, 80)} failed: ${(e as Error).message}`;
      }
      if (problem) {
        errors++;
        if (errorSamples.length < 3) errorSamples.push(problem);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, op.requests) }, (_, w) => worker(w)));
  const seconds = (performance.now() - started) / 1000;
  return summarize(
    { size, concurrency, op: op.key, label: op.label, requests: op.requests, errors, errorSamples, seconds },
    latencies,
    counter.since(before),
  );
}

function summarize(
  base: Pick<
    PhaseResult,
    'size' | 'concurrency' | 'op' | 'label' | 'requests' | 'errors' | 'errorSamples' | 'seconds'
  >,
  samples: number[],
  ddbCalls: CallCounts,
): PhaseResult {
  const byCommand: Record<string, number> = {};
  for (const [name, n] of Object.entries(ddbCalls)) byCommand[name] = round(n / base.requests, 2);
  return {
    ...base,
    seconds: round(base.seconds, 3),
    reqPerSec: round(base.requests / base.seconds, 1),
    latencyMs: Object.fromEntries(
      Object.entries(latencyStats(samples)).map(([k, v]) => [k, round(v, 2)]),
    ) as unknown as LatencyStats,
    ddbCalls,
    ddbCallsPerRequest: round(total(ddbCalls) / base.requests, 2),
    ddbCallsPerRequestByCommand: byCommand,
    samples,
  };
}

/** One result from several phases of the same operation (pooled latencies, summed requests and calls). */
export function combinePhases(parts: PhaseResult[]): PhaseResult {
  const first = parts[0];
  if (!first) throw new Error('combinePhases: no phases');
  const calls: CallCounts = {};
  for (const p of parts) for (const [k, n] of Object.entries(p.ddbCalls)) calls[k] = (calls[k] ?? 0) + n;
  return summarize(
    {
      size: first.size,
      concurrency: first.concurrency,
      op: first.op,
      label: first.label,
      requests: parts.reduce((a, p) => a + p.requests, 0),
      errors: parts.reduce((a, p) => a + p.errors, 0),
      errorSamples: parts.flatMap((p) => p.errorSamples).slice(0, 3),
      seconds: parts.reduce((a, p) => a + p.seconds, 0),
    },
    parts.flatMap((p) => p.samples),
    calls,
  );
}

/** Deterministic pseudo-random sequence (FNV-1a seeded xorshift32), so runs pick comparable targets. */
function rng(seedText: string): () => number {
  let x = 0x811c9dc5;
  for (let i = 0; i < seedText.length; i++) x = Math.imul(x ^ seedText.charCodeAt(i), 0x01000193) >>> 0;
  x ||= 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 0x1_0000_0000;
  };
}

export interface WorkloadState {
  size: number;
  /** Users read, filtered and patched (never put in groups, so their reads carry no `groups` lookup). */
  targets: SeededUser[];
  /** Users added to groups in batches of MEMBERS_PER_PATCH. */
  memberPool: SeededUser[];
  /** Users that are members of at least one group (after the group phase). */
  members: SeededUser[];
  /** Users in the endpoint now (seeded + created by the benchmark). */
  userCount: () => number;
  onCreated: () => void;
}

export interface RequestCounts {
  simple: number;
  groupPatch: number;
  listFirst: number;
  listSpread: number;
  cursor: number;
}

/** Requests per operation, derived from BENCH_REQUESTS. Deep startIndex pages are few: each costs O(startIndex). */
export function requestCounts(simple: number): RequestCounts {
  return {
    simple,
    groupPatch: Math.max(16, Math.round(simple / 6)),
    listFirst: Math.max(16, Math.round(simple / 3)),
    listSpread: Math.max(16, Math.round(simple / 15)),
    cursor: Math.max(16, Math.round(simple / 3)),
  };
}

export function operations(
  client: ScimClient,
  state: WorkloadState,
  counts: RequestCounts,
  runTag: string,
): Operation[] {
  const random = rng(`${state.size}:${runTag}`);
  const pick = <T>(xs: T[]): T => xs[Math.floor(random() * xs.length)] as T;
  let patchCursor = 0;
  let groups: string[] = [];
  let groupRound = 0;
  const cursors = new Map<number, string>();
  const filterFor = (userName: string) => `Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}`;

  return [
    {
      key: 'auth',
      label: 'authentication only (GET /ServiceProviderConfig)',
      requests: counts.simple,
      expectedStatus: 200,
      request: () => ({ method: 'GET', path: 'ServiceProviderConfig' }),
    },
    {
      key: 'create',
      label: 'create user (POST /Users)',
      requests: counts.simple,
      expectedStatus: 201,
      request: (i) => {
        state.onCreated();
        return { method: 'POST', path: 'Users', body: userBody(`new-${runTag}-${i}@bench.example.com`, i) };
      },
    },
    {
      key: 'get',
      label: 'get user by id (GET /Users/{id})',
      requests: counts.simple,
      expectedStatus: 200,
      request: () => ({ method: 'GET', path: `Users/${pick(state.targets).id}` }),
    },
    {
      key: 'filter',
      label: 'filter userName eq (GET /Users?filter=)',
      requests: counts.simple,
      expectedStatus: 200,
      request: () => ({ method: 'GET', path: filterFor(pick(state.targets).userName) }),
      check: (res) => {
        const body = JSON.parse(res.text) as { totalResults?: number };
        return body.totalResults === 1 ? undefined : `filter: totalResults ${body.totalResults}, expected 1`;
      },
    },
    {
      key: 'patch',
      label: 'PATCH user (Entra Replace active + displayName)',
      requests: counts.simple,
      expectedStatus: 200,
      request: (i) => {
        const user = state.targets[patchCursor++ % state.targets.length] as SeededUser;
        return {
          method: 'PATCH',
          path: `Users/${user.id}`,
          body: {
            schemas: [PATCH_SCHEMA],
            Operations: [
              { op: 'Replace', path: 'active', value: i % 2 === 0 ? 'False' : 'True' },
              { op: 'Replace', path: 'displayName', value: `Patched ${runTag} ${i}` },
            ],
          },
        };
      },
    },
    {
      key: 'groupAdd',
      label: `group PATCH, Entra Add of ${MEMBERS_PER_PATCH} members`,
      requests: counts.groupPatch,
      expectedStatus: 204,
      // Fresh groups, at least two per concurrent request, so concurrent PATCHes never touch the same group.
      prepare: async (concurrency) => {
        const n = Math.max(8, 2 * concurrency);
        groups = [];
        for (let g = 0; g < n; g++) {
          const created = await client.json<{ id: string }>(
            {
              method: 'POST',
              path: 'Groups',
              body: { schemas: [GROUP_SCHEMA], displayName: `bench ${runTag} ${groupRound} ${g}` },
            },
            201,
          );
          groups.push(created.id);
        }
        groupRound++;
      },
      request: (i) => {
        const pool = state.memberPool;
        const value: { value: string }[] = [];
        for (let k = 0; k < MEMBERS_PER_PATCH; k++) {
          const u = pool[(i * MEMBERS_PER_PATCH + k) % pool.length] as SeededUser;
          value.push({ value: u.id });
          if (i * MEMBERS_PER_PATCH + k < pool.length) state.members.push(u);
        }
        return {
          method: 'PATCH',
          path: `Groups/${groups[i % groups.length]}`,
          body: { schemas: [PATCH_SCHEMA], Operations: [{ op: 'Add', path: 'members', value }] },
        };
      },
    },
    {
      key: 'getMember',
      label: 'get user by id, user in groups (GET /Users/{id})',
      requests: counts.simple,
      expectedStatus: 200,
      request: () => ({
        method: 'GET',
        path: `Users/${pick(state.members.length ? state.members : state.targets).id}`,
      }),
    },
    {
      key: 'listFirst',
      label: 'list first page (GET /Users?startIndex=1&count=100)',
      requests: counts.listFirst,
      expectedStatus: 200,
      request: () => ({ method: 'GET', path: `Users?startIndex=1&count=${PAGE}` }),
    },
    {
      key: 'listSpread',
      label: 'list startIndex page, evenly spread over the collection (= average page of a full walk)',
      requests: counts.listSpread,
      expectedStatus: 200,
      request: (i) => {
        const pages = Math.max(1, Math.floor(state.userCount() / PAGE));
        const page = Math.floor(((i + 0.5) * pages) / counts.listSpread);
        return { method: 'GET', path: `Users?startIndex=${1 + page * PAGE}&count=${PAGE}` };
      },
    },
    {
      key: 'cursor',
      label: 'list cursor page (GET /Users?cursor=…&count=100), sequential walk per client',
      requests: counts.cursor,
      expectedStatus: 200,
      request: (_i, w) => ({
        method: 'GET',
        path: `Users?cursor=${encodeURIComponent(cursors.get(w) ?? '')}&count=${PAGE}`,
      }),
      check: (res, _i, w) => {
        const body = JSON.parse(res.text) as { nextCursor?: string; Resources?: unknown[] };
        if (body.nextCursor) cursors.set(w, body.nextCursor);
        else cursors.delete(w);
        return body.Resources?.length ? undefined : 'cursor page is empty';
      },
    },
  ];
}
