// Benchmark (issue 7): a prestaged rebuild after one content revision, with the WIM resource cache.
// Through the library (the cmdlet-level staging is the media builder's): the corpus is staged as
// hard links (cp -al, as the media builder links blobs), each file's SHA-256 is computed once up
// front (the media builder has it from the content manifests; its time is printed, not counted),
// then:
//   full   capture without a cache (a build today), median of BENCH_RUNS
//   cold   capture with an empty cache (the first build, which fills it), once
//   warm   one subfolder (doc/git, ~1% of the corpus) rewritten as a new revision, then capture
//          with the cache; before each run the new revision's entries are dropped, so every run
//          compresses the changed files and copies the rest; median of BENCH_RUNS
// and prints warm/full (target ≤ 0.3) and cold/full (the cost of filling the cache).
// BENCH_WIMCACHE_KIND=xpress for --CompressionType Fast (default lzx, Max).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { corpus, freshDir, median, ROOT, row, timed } from './common.mjs';

const { ResourceCache } = await import(pathToFileURL(join(ROOT, 'dist/lib/formats/wim/resource-cache.js')).href);
const kind = process.env.BENCH_WIMCACHE_KIND || 'lzx';
const CHANGED = 'doc/git';
const work = freshDir('tsm-bench-wimcache-');
try {
  const src = join(work, 'staged');
  execFileSync('cp', ['-al', corpus(), src]);

  const t0 = process.hrtime.bigint();
  const keys = {};
  let bytes = 0;
  const walk = (dir) => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      const st = lstatSync(p);
      if (st.isDirectory()) walk(p);
      else if (st.isFile()) { keys[p] = createHash('sha256').update(readFileSync(p)).digest('hex'); bytes += st.size; }
    }
  };
  walk(src);
  const hashSecs = Number(process.hrtime.bigint() - t0) / 1e9;
  const keysFile = join(work, 'keys.json');
  writeFileSync(keysFile, JSON.stringify(keys));

  const runner = join(work, 'capture.mjs');
  writeFileSync(runner, `import { readFileSync, writeFileSync } from 'node:fs';
import { captureWim } from '${join(ROOT, 'dist/lib/formats/wim/capture.js')}';
import { ResourceCache } from '${join(ROOT, 'dist/lib/formats/wim/resource-cache.js')}';
import { closePool } from '${join(ROOT, 'dist/lib/pool/pool.js')}';
const [out, src, kind, cacheDir, keysFile, report] = process.argv.slice(2);
const keys = JSON.parse(readFileSync(keysFile, 'utf8'));
const opts = { compression: kind, now: new Date(0) };
if (cacheDir !== '-') opts.resourceCache = { cache: new ResourceCache(cacheDir), keyOf: (p) => keys[p] };
const r = await captureWim(out, [{ source: src, name: 'corpus' }], opts);
writeFileSync(report, JSON.stringify({ size: r.size, cache: r.resourceCache ?? null, stats: opts.resourceCache?.cache.stats ?? null }));
await closePool();
`);
  const wim = join(work, 'out.wim');
  const cacheDir = join(work, 'cache');
  const report = join(work, 'report.json');
  const capture = (cache) => {
    rmSync(wim, { force: true });
    execFileSync('sync');
    const r = timed(process.execPath, [runner, wim, src, kind, cache, keysFile, report]);
    return { ...r, ...JSON.parse(readFileSync(report, 'utf8')) };
  };

  console.log(`corpus ${(bytes / 1e6).toFixed(0)} MB, ${Object.keys(keys).length} files, ${kind}; SHA-256 of every file once: ${hashSecs.toFixed(2)} s (not counted: the manifests hold it)`);
  const full = median(() => capture('-'));
  const cold = capture(cacheDir);
  const cacheBytes = Number(execFileSync('du', ['-sb', cacheDir]).toString().split('\t')[0]);
  console.log(`cold: ${cold.cache.misses} files compressed into the cache (${(cacheBytes / 1e6).toFixed(0)} MB), WIM ${(cold.size / 1e6).toFixed(0)} MB`);

  // the new revision: every file of one subfolder changes (new files, the corpus is untouched)
  const changedDir = join(src, CHANGED);
  let changedBytes = 0;
  const revise = (dir) => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      const st = lstatSync(p);
      if (st.isDirectory()) { revise(p); continue; }
      if (!st.isFile()) continue;
      const data = Buffer.concat([readFileSync(p), Buffer.from('\nrevision 2\n')]);
      rmSync(p);
      writeFileSync(p, data);
      keys[p] = createHash('sha256').update(data).digest('hex');
      changedBytes += data.length;
    }
  };
  revise(changedDir);
  writeFileSync(keysFile, JSON.stringify(keys));
  const newKeys = new Set(Object.entries(keys).filter(([p]) => p.startsWith(changedDir + '/')).map(([, k]) => k));
  const entries = new ResourceCache(cacheDir);
  const dropNew = () => { for (const k of newKeys) rmSync(entries.entryPath(k, kind), { force: true }); };
  const warm = median(() => capture(cacheDir), dropNew);
  console.log(`warm: ${CHANGED} revised (${(changedBytes / 1e6).toFixed(1)} MB, ${(100 * changedBytes / bytes).toFixed(1)}% of the corpus): ${warm.cache.misses} files compressed, ${warm.cache.hits} copied from the cache`);
  console.log(row(`rebuild after one revision, warm cache (${kind})`, warm, full, 0.3));
  console.log(row(`first build, filling the cache (${kind})`, cold, full));
  console.log(`peak RSS: full ${full.peakRssMB.toFixed(0)} MB, cold ${cold.rssMB.toFixed(0)} MB, warm ${warm.peakRssMB.toFixed(0)} MB`);
} finally {
  rmSync(work, { recursive: true, force: true });
}

