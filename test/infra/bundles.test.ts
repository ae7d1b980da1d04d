/**
 * Bundles every Lambda entry (HTTP functions and jobs) with esbuild and the construct's own options (BUNDLING in
 * infra/function.ts: ESM, minified, platform node, target node24, AWS SDK bundled) into a temp dir, and holds each
 * bundle to a size budget: a dependency that drags in half of npm fails here, not in a cold start. Actual sizes
 * are recorded in docs/deploy.md ("Bundle sizes").
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { build } from 'esbuild';
import { EVENT_ENTRIES, FUNCTION_ENTRIES, JOB_ENTRIES } from '../../functions/entries';
import { REPO_ROOT, esbuildOptionsFor } from '../../infra/function';

const KB = 1024;
/** Budget of the minified index.mjs (source map excluded) per entry. */
const BUDGET_BYTES = 1536 * KB;

const ENTRIES: [string, string][] = [
  ...Object.entries(FUNCTION_ENTRIES),
  ...Object.entries(JOB_ENTRIES).map(([job, e]): [string, string] => [`${job} job`, e.entry]),
  ...Object.entries(EVENT_ENTRIES),
];

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'scimgate-bundles-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function bundle(entry: string): Promise<number> {
  const outfile = path.join(dir, path.basename(entry, '.ts'), 'index.mjs');
  await build(esbuildOptionsFor(path.join(REPO_ROOT, 'functions', entry), outfile));
  return statSync(outfile).size;
}

describe('function bundles', () => {
  it.each(ENTRIES)(`should bundle %s (%s) within ${BUDGET_BYTES / KB} KiB`, async (name, entry) => {
    const size = await bundle(entry);
    console.log(`bundle ${name}: ${(size / KB).toFixed(0)} KiB`);

    expect(size).toBeGreaterThan(10 * KB); // really bundled (the SDK is in it)
    expect(size).toBeLessThanOrEqual(BUDGET_BYTES);
  });
});
