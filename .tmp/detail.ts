import { build } from 'esbuild';
import * as path from 'node:path';
import { REPO_ROOT, esbuildOptionsFor } from '/work/wt-shape/infra/function';
const r = await build({ ...esbuildOptionsFor(path.join(REPO_ROOT, 'functions', process.argv[2]!), '/tmp/bundles/d/index.mjs'), metafile: true });
const o = Object.values(r.metafile!.outputs).find((x) => x.entryPoint)!;
const rows = Object.entries(o.inputs).map(([f, v]) => [f.replace(/.*node_modules\//, ''), v.bytesInOutput] as const).sort((a, b) => b[1] - a[1]);
for (const [f, b] of rows.slice(0, Number(process.argv[3] ?? 40))) console.log((b / 1024).toFixed(1).padStart(6), f);
