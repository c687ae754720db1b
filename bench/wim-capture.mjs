#!/usr/bin/env node
// Benchmark: capture a corpus with tsmedia and with `wimlib-imagex capture --threads=N` (N = 2, or
// WIM_THREADS; tsmedia's pool gets the same N through TSMEDIA_THREADS), alternating in the same
// run, and print time and size ratios against issue 3's targets and our peak RSS; then apply
// wimlib's WIM with both. Medians of BENCH_RUNS (default 3); BENCH_LZX_RUNS overrides it for LZX,
// whose capture takes ~25-50 s per run for wimlib alone. Corpus: folders given as arguments
// (copied once into .bench/wim-corpus), default /usr/lib/python3.11 and /usr/share/doc.
// Usage: npm run build && node bench/wim-capture.mjs [--compress=none,xpress,lzx] [--corpus=DIR | dirs...]
// (--corpus: an existing tree used in place, e.g. /tmp/corpus from /work/shared/bench/make-corpus.sh;
// `npm run bench` runs it that way through wim.bench.mjs)
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { medianRun, peakRow, ROOT, row, RUNS, sizeRow, timed as timedRun } from './common.mjs';

const args = process.argv.slice(2);
const kinds = (args.find((a) => a.startsWith('--compress='))?.slice(11) ?? 'none').split(',');
const dirs = args.filter((a) => !a.startsWith('--'));
const given = args.find((a) => a.startsWith('--corpus='))?.slice(9);
const sources = dirs.length ? dirs : ['/usr/lib/python3.11', '/usr/share/doc'];
const threads = Number(process.env.WIM_THREADS) || 2;
const corpus = given ? resolve(given) : join(resolve('.bench'), 'wim-corpus');
if (!existsSync(corpus)) {
  mkdirSync(corpus, { recursive: true });
  for (const s of sources) execFileSync('cp', ['-a', s, corpus]);
}
const work = mkdtempSync(join(process.env.BENCH_OUT ?? tmpdir(), 'tsm-bench-wim-'));
const du = execFileSync('du', ['-sb', corpus]).toString().split('\t')[0];
console.log(`corpus ${corpus}: ${(Number(du) / 1e6).toFixed(0)} MB, ${threads} threads each`);

const env = { TSMEDIA_THREADS: String(threads) };
const timed = (cmd, argv) => timedRun(cmd, argv, { env });
const TARGETS = { none: { time: 1.3 }, xpress: { time: 1.5, size: 1.05 }, lzx: { time: 2, size: 1.05 } };
const runner = join(work, 'capture-one.mjs');
writeFileSync(runner, `import { captureWim } from '${resolve(ROOT, 'dist/lib/formats/wim/capture.js')}';
import { closePool } from '${resolve(ROOT, 'dist/lib/pool/pool.js')}';
const [out, src, kind] = process.argv.slice(2);
await captureWim(out, [{ source: src, name: 'corpus' }], { compression: kind, now: new Date(0) });
await closePool();
`);
const applier = join(work, 'apply-one.mjs');
writeFileSync(applier, `import { openWim } from '${resolve(ROOT, 'dist/lib/formats/wim/reader.js')}';
import { applyImage } from '${resolve(ROOT, 'dist/lib/formats/wim/apply.js')}';
import { closePool } from '${resolve(ROOT, 'dist/lib/pool/pool.js')}';
const w = openWim(process.argv[2]);
await applyImage(w, 1, process.argv[3], { unsafeSymlinks: true });
w.close();
await closePool();
`);
const lines = [];
let capturePeak = 0;

/**
 * Runs the two tools of repetition i, wimlib first in even repetitions and ours first in odd
 * ones: on this ext4, creating files right after the other tool's run (its journal, the inodes it
 * freed) cost the second one up to 2x, so neither may always go second.
 */
function inTurn(i, wimlib, ours) {
  if (i % 2 === 0) { wimlib(); ours(); } else { ours(); wimlib(); }
}
try {
  for (const kind of kinds) {
    const runs = kind === 'lzx' ? Number(process.env.BENCH_LZX_RUNS || RUNS) : RUNS;
    const ours = join(work, `ours-${kind}.wim`);
    const theirs = join(work, `wimlib-${kind}.wim`);
    // alternating, each after `sync` so neither pays for the other's writeback
    const w = [];
    const o = [];
    for (let i = 0; i < runs; i++) {
      inTurn(i, () => {
        rmSync(theirs, { force: true });
        execFileSync('sync');
        w.push(timed('wimlib-imagex', ['capture', corpus, theirs, 'corpus', `--compress=${kind}`, `--threads=${threads}`]));
      }, () => {
        rmSync(ours, { force: true });
        execFileSync('sync');
        o.push(timed(process.execPath, [runner, ours, corpus, kind]));
      });
    }
    const [om, wm] = [medianRun(o), medianRun(w)];
    capturePeak = Math.max(capturePeak, om.peakRssMB);
    const target = TARGETS[kind] ?? {};
    const label = `capture ${kind}${runs !== RUNS ? ` (${runs} run${runs > 1 ? 's' : ''})` : ''}`;
    lines.push(row(`${label} vs wimlib --threads=${threads}`, om, wm, target.time));
    lines.push(sizeRow(`${label} size`, statSync(ours).size, statSync(theirs).size, target.size));
    lines.push(peakRow(`${label} memory`, om.peakRssMB, 400));

    // apply wimlib's WIM with both, into fresh folders
    const wa = [];
    const oa = [];
    for (let i = 0; i < runs; i++) {
      inTurn(i, () => {
        execFileSync('sync');
        wa.push(timed('wimlib-imagex', ['apply', theirs, '1', join(work, `apply-w-${i}`)]));
      }, () => {
        execFileSync('sync');
        oa.push(timed(process.execPath, [applier, theirs, join(work, `apply-o-${i}`)]));
      });
    }
    for (let i = 0; i < runs; i++) for (const d of [`apply-w-${i}`, `apply-o-${i}`]) rmSync(join(work, d), { recursive: true, force: true });
    const oam = medianRun(oa);
    lines.push(row(`apply ${kind} (wimlib's WIM) vs wimlib apply`, oam, medianRun(wa), 1.5) + `  peak ${oam.peakRssMB.toFixed(0)} MB`);
    rmSync(ours, { force: true });
    rmSync(theirs, { force: true });
  }
  lines.push(peakRow('capture, peak of all kinds', capturePeak, 400));
  console.log(lines.join('\n'));
} finally {
  rmSync(work, { recursive: true, force: true });
}
