import { build } from 'esbuild';
import * as path from 'node:path';
import { FUNCTION_ENTRIES, JOB_ENTRIES, EVENT_ENTRIES } from '/work/wt-shape/functions/entries';
import { REPO_ROOT, esbuildOptionsFor } from '/work/wt-shape/infra/function';
const entries: [string,string][] = [...Object.entries(FUNCTION_ENTRIES), ...Object.entries(JOB_ENTRIES).map(([j,e])=>[j,e.entry] as [string,string]), ...Object.entries(EVENT_ENTRIES)];
for (const [name, entry] of entries) {
  const out = `/tmp/bundles/${name}/index.mjs`;
  const r = await build({ ...esbuildOptionsFor(path.join(REPO_ROOT, 'functions', entry), out), metafile: true });
  const o = Object.values(r.metafile!.outputs).find((x) => x.entryPoint)!;
  const byPkg = new Map<string, number>();
  for (const [f, v] of Object.entries(o.inputs)) {
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(f);
    const k = m ? m[1]! : f.split('/').slice(0, 2).join('/');
    byPkg.set(k, (byPkg.get(k) ?? 0) + v.bytesInOutput);
  }
  const top = [...byPkg].sort((a, b) => b[1] - a[1]).slice(0, process.env.TOP ? Number(process.env.TOP) : 8).map(([k, v]) => `${k}:${(v / 1024).toFixed(0)}`);
  console.log(name, (o.bytes / 1024).toFixed(0), 'KiB', top.join(' '));
}
