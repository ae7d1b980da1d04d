/** Markdown rendering of the benchmark results (stdout and docs/benchmarks.md). */
import type { PhaseResult } from './workload';

export interface SizeRatio {
  op: string;
  concurrency: number;
  smallSize: number;
  largeSize: number;
  smallP50: number;
  largeP50: number;
  ratio: number;
  /** How smallP50/largeP50 were measured. */
  method: 'interleaved' | 'sequential';
  /** The ratio of the main (sequential) size runs, for comparison. */
  sequentialRatio?: number;
  target: number;
  ok: boolean;
}

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

const fmt = (n: number, digits = 1): string => (Number.isFinite(n) ? n.toFixed(digits) : '–');

export function callsText(r: PhaseResult): string {
  const parts = Object.entries(r.ddbCallsPerRequestByCommand)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, n]) => `${name} ${fmt(n, 2)}`);
  return `**${fmt(r.ddbCallsPerRequest, 2)}**${parts.length ? ` (${parts.join(', ')})` : ''}`;
}

function table(head: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}

/** Results of one size, or (without `size`) of all sizes with a column for the size. */
export function resultsTable(results: PhaseResult[], size?: number): string {
  const withSize = size === undefined;
  return table(
    [
      'operation',
      ...(withSize ? ['users'] : []),
      'conc.',
      'requests',
      'errors',
      'req/s',
      'p50 ms',
      'p95 ms',
      'p99 ms',
      'DynamoDB calls / request',
    ],
    results
      .filter((r) => withSize || r.size === size)
      .map((r) => [
        r.label,
        ...(withSize ? [r.size.toLocaleString('en-US')] : []),
        String(r.concurrency),
        String(r.requests),
        String(r.errors),
        fmt(r.reqPerSec),
        fmt(r.latencyMs.p50),
        fmt(r.latencyMs.p95),
        fmt(r.latencyMs.p99),
        callsText(r),
      ]),
  );
}

/** Round trips per operation and size (lowest concurrency: no contention retries). */
export function roundTripTable(results: PhaseResult[], sizes: number[]): string {
  const concurrency = Math.min(...results.map((r) => r.concurrency));
  const ops = [...new Map(results.map((r) => [r.op, r.label])).entries()];
  return table(
    ['operation', ...sizes.map((s) => `${s.toLocaleString('en-US')} users`)],
    ops.map(([op, label]) => [
      label,
      ...sizes.map((s) => {
        const r = results.find((x) => x.op === op && x.size === s && x.concurrency === concurrency);
        return r ? callsText(r) : '–';
      }),
    ]),
  );
}

export function ratioTable(ratios: SizeRatio[]): string {
  const withSequential = ratios.some((r) => r.method === 'interleaved' && r.sequentialRatio !== undefined);
  return table(
    [
      'operation',
      'conc.',
      'p50 ms small',
      'p50 ms large',
      'large / small',
      ...(withSequential ? ['(sequential runs, for comparison)'] : []),
      'target',
    ],
    ratios.map((r) => [
      `${r.op}: ${r.largeSize.toLocaleString('en-US')} vs ${r.smallSize.toLocaleString('en-US')} users (${r.method})`,
      String(r.concurrency),
      fmt(r.smallP50, 2),
      fmt(r.largeP50, 2),
      `**${fmt(r.ratio, 2)}×**`,
      ...(withSequential ? [`${fmt(r.sequentialRatio ?? NaN, 2)}×`] : []),
      `≤ ${r.target}× ${r.ok ? '✓' : '✗'}`,
    ]),
  );
}

export function checksList(checks: Check[]): string {
  return checks.map((c) => `- ${c.ok ? '✓' : '✗'} ${c.name}: ${c.detail}`).join('\n');
}
