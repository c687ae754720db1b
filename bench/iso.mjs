#!/usr/bin/env node
// ISO writer benchmark: tsmedia against xorriso and genisoimage on one folder, in one sitting.
// Makes no corpus (use /work/shared/bench/make-corpus.sh); usage:
//   node bench/iso.mjs [CORPUS=/tmp/corpus] [--reps 3] [--out DIR] [--settle SECONDS=2]
// Each rep deletes the previous output first (a constant memory/disk footprint keeps reps
// comparable), runs under /usr/bin/time -v, and the median of the reps is reported with the
// peak RSS. Needs a build (npm run build).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const opt = (name, dflt) => { const i = args.indexOf(name); return i >= 0 ? args.splice(i, 2)[1] : dflt; };
const reps = Number(opt('--reps', process.env.BENCH_RUNS || '3'));
const settle = opt('--settle', '2');
const outDir = opt('--out', mkdtempSync(join(tmpdir(), 'tsm-isobench-')));
const corpus = args[0] ?? '/tmp/corpus';
if (!existsSync(corpus)) { console.error(`no corpus at ${corpus}: run /work/shared/bench/make-corpus.sh first`); process.exit(2); }
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const builder = join(root, 'dist/lib/formats/iso/build-image.js');
if (!existsSync(builder)) { console.error('build first: npm run build'); process.exit(2); }
const epoch = process.env.SOURCE_DATE_EPOCH ?? '1767225600';

const pool = join(root, 'dist/lib/pool/pool.js');
const ours = (out, udf, dedup = false) => [process.execPath, '--input-type=module', '-e',
  `import { buildIsoImages } from ${JSON.stringify(builder)};
   import { closePool } from ${JSON.stringify(pool)};
   await buildIsoImages({ sourcePath: ${JSON.stringify(corpus)}, path: ${JSON.stringify(out)}, label: 'BENCH', date: new Date(${epoch} * 1000), udf: ${udf}, deduplicate: ${dedup} });
   await closePool();`];
const rows = [
  { name: 'tsmedia ISO+Joliet+UDF', cmd: (o) => ours(o, true) },
  { name: 'tsmedia ISO+Joliet', cmd: (o) => ours(o, false) },
  { name: 'tsmedia ISO+Joliet+UDF -DeduplicateFiles', cmd: (o) => ours(o, true, true) },
  { name: 'xorriso -as mkisofs -iso-level 3 -J -joliet-long', cmd: (o) => ['xorriso', '-as', 'mkisofs', '-quiet', '-iso-level', '3', '-J', '-joliet-long', '-o', o, corpus] },
  { name: 'genisoimage -iso-level 3 -J -joliet-long -udf', cmd: (o) => ['genisoimage', '-quiet', '-iso-level', '3', '-J', '-joliet-long', '-udf', '-allow-limited-size', '-o', o, corpus] },
];

function timed(argv) {
  const r = spawnSync('/usr/bin/time', ['-v', ...argv], { encoding: 'utf8', env: { ...process.env, SOURCE_DATE_EPOCH: epoch }, maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`${argv.join(' ')} failed (${r.status}): ${r.stderr.slice(-2000)}`);
  const wall = /Elapsed \(wall clock\) time.*: (?:(\d+):)?(\d+):([\d.]+)/.exec(r.stderr);
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr);
  const secs = wall ? Number(wall[1] ?? 0) * 3600 + Number(wall[2]) * 60 + Number(wall[3]) : NaN;
  // CPU (user + system, all threads): steadier than wall on this shared machine
  const cpu = ['User', 'System'].reduce((s, k) => s + Number(new RegExp(`${k} time \\(seconds\\): ([\\d.]+)`).exec(r.stderr)?.[1] ?? NaN), 0);
  return { secs, cpu, rssMB: rss ? Number(rss[1]) / 1024 : NaN };
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

console.log(`corpus ${corpus}, ${reps} reps, outputs in ${outDir}`);
// Round-robin: rep i runs every tool once, starting at a rotating row, so the machine's drift (this VM
// is noisy) and the cost of the previous output's deletion hit all rows alike.
const runs = rows.map(() => []);
const sizes = rows.map(() => 0);
const out = join(outDir, 'bench.iso');
for (let i = 0; i < reps; i++) {
  for (let j = 0; j < rows.length; j++) {
    const k = (i + j) % rows.length;
    const row = rows[k];
    rmSync(out, { force: true });
    spawnSync('sync');
    spawnSync('sleep', [settle]); // let the deletion's discards finish (ext4 -o discard) before timing
    runs[k].push(timed(row.cmd(out)));
    sizes[k] = statSync(out).size;
  }
}
rmSync(out, { force: true });
const results = rows.map((row, k) => {
  const secs = runs[k].map((x) => x.secs);
  const r = { name: row.name, secs: median(secs), min: Math.min(...secs), max: Math.max(...secs), cpu: median(runs[k].map((x) => x.cpu)), rssMB: Math.max(...runs[k].map((x) => x.rssMB)), size: sizes[k] };
  console.log(`${r.name.padEnd(52)} median ${r.secs.toFixed(2)} s  (${r.min.toFixed(2)}-${r.max.toFixed(2)})  CPU ${r.cpu.toFixed(2)} s  peak RSS ${r.rssMB.toFixed(0)} MB  ${r.size} bytes`);
  return r;
});
const idx = (prefix) => rows.findIndex((r) => r.name === prefix || r.name.startsWith(`${prefix} `));
const ratio = (a, b) => {
  const [ia, ib] = [idx(a), idx(b)];
  const perRep = runs[ia].map((x, i) => (x.secs / runs[ib][i].secs).toFixed(2)).join(' ');
  return [results[ia].secs / results[ib].secs, perRep];
};
const judged = (value, target) => `(target ≤ ${Number.isInteger(target) && target < 10 ? target.toFixed(1) : target}) ${value <= target ? 'ok' : 'OVER TARGET'}`;
const line = (label, a, b) => {
  const [r, perRep] = ratio(a, b);
  const cpu = results[idx(a)].cpu / results[idx(b)].cpu;
  return `${label.padEnd(52)} ratio ${r.toFixed(2)} ${judged(r, 1.0)}  per rep: ${perRep}  (CPU ratio ${cpu.toFixed(2)})`;
};
// xorriso cannot write UDF: like for like is our -NoUdf image; our default (with UDF) is shown too
console.log(line('ISO+Joliet (-NoUdf) vs xorriso', 'tsmedia ISO+Joliet', 'xorriso'));
console.log(line('ISO+Joliet+UDF (default) vs xorriso', 'tsmedia ISO+Joliet+UDF', 'xorriso'));
console.log(line('ISO+Joliet+UDF (default) vs genisoimage -udf', 'tsmedia ISO+Joliet+UDF', 'genisoimage'));
const peak = Math.max(...results.filter((r) => r.name.startsWith('tsmedia')).map((r) => r.rssMB));
console.log(`${'ISO, tsmedia memory'.padEnd(52)} peak ${peak.toFixed(0)} MB ${judged(peak, 200).replace(')', ' MB)')}`);
rmSync(outDir, { recursive: true, force: true });
