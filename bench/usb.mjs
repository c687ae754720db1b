#!/usr/bin/env node
// USB image benchmark: tsmedia's writer against `truncate + sfdisk + mkfs.fat -F 32 + mcopy -s`
// on the same folder and the same image size, median of 3 runs each, plus tsmedia's peak RSS.
// Usage: node bench/usb.mjs [FOLDER]   (default $BENCH_CORPUS or /tmp/corpus, made by make-corpus.sh);
// `npm run bench` runs it through usb.bench.mjs.
// FAT cannot hold names that differ only in case, so the folder is first mirrored with hard
// links minus such clashes (the corpus has a few); both tools get the mirrored tree.
// Needs a build (npm run build). Outputs go to $BENCH_OUT or the system temp folder.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, readdirSync, statSync, mkdirSync, linkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const src = process.argv[2] ?? process.env.BENCH_CORPUS ?? '/tmp/corpus';
const root = fileURLToPath(new URL('..', import.meta.url));
const work = mkdtempSync(join(process.env.BENCH_OUT ?? tmpdir(), 'tsm-bench-usb-'));
const RUNS = Number(process.env.BENCH_RUNS || 3);

function mirror(from, to) {
  mkdirSync(to);
  const seen = new Set();
  let skipped = 0;
  for (const name of readdirSync(from).sort()) {
    const key = name.toUpperCase();
    if (seen.has(key)) { skipped++; continue; }
    seen.add(key);
    const a = join(from, name);
    const st = statSync(a);
    if (st.isDirectory()) skipped += mirror(a, join(to, name));
    else if (st.isFile()) linkSync(a, join(to, name));
  }
  return skipped;
}

function sh(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', ...opts });
  if (r.status !== 0 && !opts.okCodes?.includes(r.status)) throw new Error(`${cmd} ${args.join(' ')}: exit ${r.status}\n${r.stderr}`);
  return r;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

try {
  const tree = join(work, 'tree');
  const skipped = mirror(src, tree);
  const img = join(work, 'tsmedia.img');
  const ref = join(work, 'ref.img');
  const driver = `
    const { writeUsbImage } = await import(${JSON.stringify(join(root, 'dist/lib/formats/disk/usb-writer.js'))});
    const t0 = performance.now();
    const r = await writeUsbImage({ sourcePath: process.argv[1], outPath: process.argv[2], date: new Date(0), force: true });
    console.log(JSON.stringify({ ms: performance.now() - t0, bytes: r.imageBytes, cluster: r.clusterSize, files: r.files }));`;
  const ours = [];
  const rss = [];
  let info;
  const theirs = [];
  // runs alternate, each after an untimed sync, so neither tool pays for the other's writeback
  for (let i = 0; i < RUNS; i++) {
    rmSync(img, { force: true });
    rmSync(ref, { force: true });
    sh('sync', []);
    const t0 = performance.now();
    const r = sh('/usr/bin/time', ['-f', '%M', process.execPath, '--input-type=module', '-e', driver, tree, img]);
    ours.push(performance.now() - t0);
    info = JSON.parse(r.stdout.trim().split('\n').pop());
    rss.push(Number(r.stderr.trim().split('\n').pop()) / 1024);
    rmSync(img, { force: true });
    sh('sync', []);
    const sizeBytes = info.bytes;
    const partKiB = (sizeBytes - 1048576) / 1024;
    const t1 = performance.now();
    sh('truncate', ['-s', String(sizeBytes), ref]);
    sh('sfdisk', ['-q', ref], { input: 'label: dos\nstart=2048, type=c, bootable\n' });
    sh('mkfs.fat', ['-F', '32', '-S', '512', '-s', String(info.cluster / 512), '--offset', '2048', ref, String(partKiB)], { stdio: ['ignore', 'ignore', 'pipe'] });
    const entries = readdirSync(tree).map((n) => join(tree, n));
    sh('mcopy', ['-i', `${ref}@@1M`, '-s', '-Q', ...entries, '::/']);
    theirs.push(performance.now() - t1);
  }
  const sizeBytes = info.bytes;
  const o = median(ours);
  const r = median(theirs);
  console.log(`folder ${src}: ${info.files} files (${skipped} case clashes left out), image ${(sizeBytes / 1048576).toFixed(0)} MiB, ${info.cluster}-byte clusters`);
  console.log(`tsmedia   median ${(o / 1000).toFixed(2)} s  (runs ${ours.map((x) => (x / 1000).toFixed(2)).join(', ')}; whole process)`);
  console.log(`reference median ${(r / 1000).toFixed(2)} s  (runs ${theirs.map((x) => (x / 1000).toFixed(2)).join(', ')}; truncate + sfdisk + mkfs.fat + mcopy -s)`);
  const judged = (value, target) => (value <= target ? 'ok' : 'OVER TARGET');
  const peak = Math.max(...rss);
  console.log(`${'USB image vs mkfs.fat -F 32 + mcopy -s'.padEnd(52)} ratio ${(o / r).toFixed(2)} (target ≤ 1.0) ${judged(o / r, 1.0)}`);
  console.log(`${'USB image, tsmedia memory'.padEnd(52)} peak ${peak.toFixed(0)} MB (target ≤ 200 MB) ${judged(peak, 200)}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
