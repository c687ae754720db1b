// npm run bench: every benchmark, one after another, on the same corpus in one run.
// BENCH_ONLY=catalog,iso runs a subset; BENCH_RUNS sets the runs per median (default 3).
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { corpus, loadLine } from './common.mjs';

const dir = fileURLToPath(new URL('.', import.meta.url));
const only = process.env.BENCH_ONLY?.split(',');
corpus();
let failed = 0;
for (const file of readdirSync(dir).filter((f) => f.endsWith('.bench.mjs')).sort()) {
  const name = file.replace('.bench.mjs', '');
  if (only && !only.includes(name)) continue;
  console.log(`\n## ${name}  (${new Date().toISOString()}, ${loadLine()})`);
  const r = spawnSync(process.execPath, [fileURLToPath(new URL(file, import.meta.url))], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
