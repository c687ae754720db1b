#!/usr/bin/env node
// Benchmark: capture a corpus with tsmedia and with `wimlib-imagex capture --threads=N`, same run,
// and print time ratios, size ratios and our peak RSS; then apply wimlib's WIM with both. Corpus: folders given as arguments (copied
// once into .bench/wim-corpus), default /usr/lib/python3.11 and /usr/share/doc.
// Usage: npm run build && node bench/wim-capture.mjs [--compress=none,xpress,lzx] [--corpus=DIR | dirs...]
// (--corpus: an existing tree used in place, e.g. /tmp/corpus from /work/shared/bench/make-corpus.sh)
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { availableParallelism } from 'node:os';

const args = process.argv.slice(2);
const kinds = (args.find((a) => a.startsWith('--compress='))?.slice(11) ?? 'none').split(',');
const dirs = args.filter((a) => !a.startsWith('--'));
const given = args.find((a) => a.startsWith('--corpus='))?.slice(9);
const sources = dirs.length ? dirs : ['/usr/lib/python3.11', '/usr/share/doc'];
const threads = Number(process.env.TSMEDIA_THREADS) || availableParallelism();
const work = resolve('.bench');
const corpus = given ? resolve(given) : join(work, 'wim-corpus');
if (!existsSync(corpus)) {
  mkdirSync(corpus, { recursive: true });
  for (const s of sources) execFileSync('cp', ['-a', s, corpus]);
}
const du = execFileSync('du', ['-sb', corpus]).toString().split('\t')[0];
console.log(`corpus ${corpus}: ${(Number(du) / 1e6).toFixed(0)} MB, ${threads} threads`);

function timed(cmd, argv) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-f', '%M', cmd, ...argv], { encoding: 'utf8' });
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr}`);
  const rssKb = Number(r.stderr.trim().split('\n').pop());
  return { secs, rssMb: rssKb / 1024 };
}

const runner = join(work, 'capture-one.mjs');
writeFileSync(runner, `import { captureWim } from '${resolve('dist/lib/formats/wim/capture.js')}';
import { closePool } from '${resolve('dist/lib/pool/pool.js')}';
const [out, src, kind] = process.argv.slice(2);
await captureWim(out, [{ source: src, name: 'corpus' }], { compression: kind, now: new Date(0) });
await closePool();
`);
const applier = join(work, 'apply-one.mjs');
writeFileSync(applier, `import { openWim } from '${resolve('dist/lib/formats/wim/reader.js')}';
import { applyImage } from '${resolve('dist/lib/formats/wim/apply.js')}';
import { closePool } from '${resolve('dist/lib/pool/pool.js')}';
const w = openWim(process.argv[2]);
await applyImage(w, 1, process.argv[3], { unsafeSymlinks: true });
w.close();
await closePool();
`);
for (const kind of kinds) {
  const ours = join(work, `ours-${kind}.wim`);
  const theirs = join(work, `wimlib-${kind}.wim`);
  rmSync(ours, { force: true });
  rmSync(theirs, { force: true });
  // best of three, alternating, each after `sync` so neither pays for the other's writeback
  let w = { secs: Infinity, rssMb: 0 };
  let o = { secs: Infinity, rssMb: 0 };
  for (let i = 0; i < 3; i++) {
    rmSync(theirs, { force: true });
    execFileSync('sync');
    const wi = timed('wimlib-imagex', ['capture', corpus, theirs, 'corpus', `--compress=${kind}`, `--threads=${threads}`]);
    if (wi.secs < w.secs) w = wi;
    rmSync(ours, { force: true });
    execFileSync('sync');
    const oi = timed(process.execPath, [runner, ours, corpus, kind]);
    if (oi.secs < o.secs) o = oi;
  }
  const so = statSync(ours).size;
  const sw = statSync(theirs).size;
  console.log(`${kind}: tsmedia ${o.secs.toFixed(2)} s (peak ${o.rssMb.toFixed(0)} MB), wimlib ${w.secs.toFixed(2)} s -> ${(o.secs / w.secs).toFixed(2)}x time; size ${so} vs ${sw} -> ${(so / sw).toFixed(3)}x`);

  let wa = Infinity;
  let oa = Infinity;
  let oaRss = 0;
  for (let i = 0; i < 3; i++) {
    const dw = join(work, `apply-w-${i}`);
    const dO = join(work, `apply-o-${i}`);
    execFileSync('sync');
    wa = Math.min(wa, timed('wimlib-imagex', ['apply', theirs, '1', dw]).secs);
    execFileSync('sync');
    const r = timed(process.execPath, [applier, theirs, dO]);
    if (r.secs < oa) { oa = r.secs; oaRss = r.rssMb; }
  }
  for (let i = 0; i < 3; i++) for (const d of [`apply-w-${i}`, `apply-o-${i}`]) rmSync(join(work, d), { recursive: true, force: true });
  console.log(`${kind} apply: tsmedia ${oa.toFixed(2)} s (peak ${oaRss.toFixed(0)} MB), wimlib ${wa.toFixed(2)} s -> ${(oa / wa).toFixed(2)}x time`);
}
