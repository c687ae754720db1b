// XPRESS micro-benchmark: our per-core compression and decompression speed (CPU time) and output
// size on a corpus, against wimlib's XPRESS on the same unique blobs (wimlib-imagex capture, one
// thread). Usage: npm run build && node bench/xpress.mjs [DIR]  (default BENCH_CORPUS or
// /tmp/corpus). Sizes count like a WIM: chunk tables included, a blob stored raw when compressing
// does not make it smaller.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const { createXpressCompressor, xpressDecompress } = await import(new URL('../dist/lib/formats/wim/xpress.js', import.meta.url).href);
const dir = process.argv[2] ?? process.env.BENCH_CORPUS ?? '/tmp/corpus';
const CHUNK = 32768;

function* walk(d) {
  for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const p = join(d, e.name);
    if (e.isDirectory()) yield* walk(p);
    else if (e.isFile()) yield p;
  }
}

// ours
const compressor = createXpressCompressor();
const seen = new Set();
let unique = 0, ours = 0, cpuC = 0, cpuD = 0;
for (const path of walk(dir)) {
  const data = readFileSync(path);
  if (data.length === 0) continue;
  const sha1 = createHash('sha1').update(data).digest('hex');
  if (seen.has(sha1)) continue;
  seen.add(sha1);
  unique += data.length;
  const chunks = Math.ceil(data.length / CHUNK);
  let size = (chunks - 1) * 4;
  for (let o = 0; o < data.length; o += CHUNK) {
    const chunk = data.subarray(o, o + CHUNK);
    let t = process.cpuUsage();
    const c = compressor.compress(chunk);
    t = process.cpuUsage(t);
    cpuC += t.user + t.system;
    if (c) {
      let u = process.cpuUsage();
      xpressDecompress(c, chunk.length);
      u = process.cpuUsage(u);
      cpuD += u.user + u.system;
    }
    size += c ? c.length : chunk.length;
  }
  ours += Math.min(size, data.length);
}

// wimlib, one thread, same tree
const tmp = mkdtempSync(join(tmpdir(), 'tsm-bench-xpress-'));
try {
  const wim = join(tmp, 'x.wim');
  const t0 = process.hrtime.bigint();
  const cap = spawnSync('wimlib-imagex', ['capture', dir, wim, '--compress=XPRESS', '--threads=1'], { stdio: 'ignore' });
  const wimlibSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (cap.status !== 0) throw new Error('wimlib-imagex capture failed (is wimlib installed?)');
  const info = spawnSync('wimlib-imagex', ['info', wim, '--blobs'], { encoding: 'utf8', maxBuffer: 1 << 28 });
  let wimlib = 0;
  for (const blob of info.stdout.split(/\n\s*\n/)) {
    const m = /Compressed size\s*=\s*(\d+)/.exec(blob);
    if (m && !/METADATA/.test(blob)) wimlib += Number(m[1]);
  }
  const mb = (n) => (n / 1e6).toFixed(1);
  console.log(`corpus ${dir}: ${mb(unique)} MB unique`);
  console.log(`ours    ${mb(ours)} MB (${((ours / wimlib - 1) * 100).toFixed(2)}% vs wimlib; target within 3%), ` +
    `compress ${(unique / cpuC).toFixed(1)} MB/s per core (target >= 35), decompress ${(unique / cpuD).toFixed(1)} MB/s`);
  console.log(`wimlib  ${mb(wimlib)} MB, capture ${(unique / 1e6 / wimlibSeconds).toFixed(1)} MB/s on one thread (wall, incl. hashing and I/O)`);
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
