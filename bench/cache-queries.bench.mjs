// Issue 6 benchmark: cache-revision queries on a large catalog. 10,000 content items with 50
// revisions each (4-6 files, one or two changed per revision, now and then one added or removed)
// and 500 prestaged media of 20-50 items recorded between the revisions, all made through the
// library functions. Times cold command lines (a new process each) against the 0.3 s target, and
// the queries alone in one process, to tell the query from node's and sql.js's start-up.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { availableParallelism, loadavg } from 'node:os';
import { freshDir, RUNS, TSMEDIA, ROOT } from './common.mjs';

const ITEMS = Number(process.env.BENCH_ITEMS || 10000);
const REVISIONS = 50;
const MEDIA = 500;
const TARGET = 0.3;
// BENCH_CACHE_HOME keeps the seeded catalog there between runs (seeding 10,000 items takes minutes).
const kept = process.env.BENCH_CACHE_HOME;
const home = kept || freshDir('tsm-bench-cache-');
const reuse = kept && existsSync(join(kept, 'catalog.sqlite'));
const lib = (p) => join(ROOT, 'dist/lib', p);

const seedStart = Date.now();
const seed = reuse ? { status: 0 } : spawnSync(process.execPath, ['--input-type=module', '-e', `
  import { writeCatalog } from '${lib('catalog/catalog.js')}';
  import { createContent, reviseContent, getContent } from '${lib('catalog/content.js')}';
  import { recordMedia } from '${lib('catalog/media.js')}';
  import { createHash } from 'node:crypto';
  const h = (s) => createHash('sha256').update(s).digest('hex');
  let x = 2463534242;
  const rand = (n) => { x ^= x << 13; x ^= x >>> 17; x ^= x << 5; return (x >>> 0) % n; };
  const day = (d) => new Date(Date.UTC(2026, 0, 1) + d * 86400000);
  const ITEMS = ${ITEMS}, REVISIONS = ${REVISIONS}, MEDIA = ${MEDIA};
  await writeCatalog(process.env.H, day(0), (db) => {
    const boot = createContent(db, { type: 'BootImage', name: 'WinPE', sourcePath: '/src/boot.wim', siteCode: 'PS1', imageIndex: 1 }, [{ path: 'boot.wim', size: 300000000, sha256: h('boot') }], [], day(0));
    const items = [];
    for (let i = 0; i < ITEMS; i++) {
      const files = new Map();
      for (let f = 0; f < 4; f++) files.set('dir/file' + f + '.bin', { path: 'dir/file' + f + '.bin', size: 100000 * (f + 1) + i, sha256: h(i + ':' + f + ':0') });
      const type = i % 5 === 0 ? 'DriverPackage' : i % 5 === 1 ? 'Application' : 'Package';
      const id = createContent(db, { type, name: 'Item ' + i, sourcePath: '/src/i' + i, siteCode: 'PS1' }, [...files.values()], [], day(0)).Id;
      items.push({ id, files, n: 4 });
    }
    const record = (m, when) => {
      const count = 20 + rand(31);
      const chosen = new Set();
      while (chosen.size < count) chosen.add(items[rand(items.length)].id);
      const content = [boot.Id, ...chosen].map((id) => { const c = getContent(db, id); return { Id: c.Id, Name: c.Name, Type: c.Type, SourceVersion: c.SourceVersion, FileCount: c.FileCount, SizeBytes: c.SizeBytes }; });
      recordMedia(db, { MediaId: 'B0000000-0000-8000-8000-' + String(m).padStart(12, '0'), Kind: 'Prestaged', MediaType: 'Wim', Path: '/media/m' + m + '.wim',
        VolumeCount: 1, SizeBytes: content.reduce((s, c) => s + c.SizeBytes, 0), SiteCode: 'PS1', TaskSequenceId: null, BootImageId: boot.Id,
        ContentEncrypted: false, Created: when.toISOString(), Content: content });
    };
    let m = 0;
    for (let v = 2; v <= REVISIONS; v++) {
      const when = day(v);
      for (const it of items) {
        const files = it.files;
        const paths = [...files.keys()];
        for (let k = rand(4) === 0 ? 2 : 1; k > 0; k--) {
          const p = paths[rand(paths.length)];
          files.set(p, { path: p, size: files.get(p).size + 1 + rand(1000), sha256: h(it.id + p + v + ':' + k) });
        }
        const extra = paths.find((p) => p.startsWith('extra/'));
        if (rand(10) === 0) { const p = 'extra/' + v + '.dat'; files.set(p, { path: p, size: 5000 + rand(5000), sha256: h(it.id + p) }); }
        else if (extra && rand(5) === 0) files.delete(extra);
        reviseContent(db, it.id, [...files.values()], [], when);
      }
      // about ten media between two revision rounds: their items sit at every age
      for (; m < Math.round((MEDIA * (v - 1)) / (REVISIONS - 1)); m++) record(m, when);
    }
  });`], { env: { ...process.env, H: home }, stdio: 'inherit', maxBuffer: 1 << 26 });
if (seed.status !== 0) throw new Error('seeding the catalog failed');
const catalogMB = statSync(join(home, 'catalog.sqlite')).size / 1048576;
if (!reuse) console.log(`seeded ${ITEMS} items x ${REVISIONS} revisions, ${MEDIA} media in ${((Date.now() - seedStart) / 1000).toFixed(0)} s; catalog ${catalogMB.toFixed(0)} MB`);

const env = { TSMEDIA_HOME: home };
const first = 'B0000000-0000-8000-8000-000000000000';
const item = `PS1${(2 + Math.floor(ITEMS / 2)).toString(16).toUpperCase().padStart(5, '0')}`; // one in the middle
const last = `B0000000-0000-8000-8000-${String(MEDIA - 1).padStart(12, '0')}`;
const queries = [
  ['cold Get-TSPrestagedMediaStatus -OutputFormat Json', ['Get-TSPrestagedMediaStatus', '-OutputFormat', 'Json']],
  ['cold Get-TSPrestagedMediaStatus -Detailed (Json)', ['Get-TSPrestagedMediaStatus', '-Detailed', '-OutputFormat', 'Json']],
  ['cold Compare-TSMedia (first vs last medium)', ['Compare-TSMedia', first, last, '-OutputFormat', 'Json']],
  ['cold Get-CMContentRevision -Id X -Since (Json)', ['Get-CMContentRevision', '-Id', item, '-Since', '2026-01-25', '-OutputFormat', 'Json']],
  ['cold Get-CMContentRevision -Id X -Version 40 -List', ['Get-CMContentRevision', '-Id', item, '-Version', '40', '-List', '-OutputFormat', 'Json']],
];
// Wall seconds (the target) and CPU seconds (user + sys: what the command costs, less swayed by
// other work on a shared machine), medians of BENCH_RUNS.
function timedCpu(argv) {
  const dir = freshDir('tsm-bench-time-');
  try {
    const out = join(dir, 'time');
    const r = spawnSync('/usr/bin/time', ['-f', '%e %U %S %M', '-o', out, process.execPath, TSMEDIA, ...argv], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...env } });
    if (r.status !== 0) throw new Error(`tsmedia ${argv.join(' ')} failed: ${r.stderr}`);
    const [wall, user, sys, kb] = readFileSync(out, 'utf8').trim().split(/\s+/).slice(-4).map(Number);
    return { seconds: wall, cpu: user + sys, rssMB: kb / 1024 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
const lines = [];
for (const [name, argv] of queries) {
  const runs = Array.from({ length: RUNS }, () => timedCpu(argv));
  const mid = (k) => runs.map((r) => r[k]).sort((a, b) => a - b)[Math.floor(runs.length / 2)];
  const wall = mid('seconds');
  lines.push(`${name.padEnd(52)} ${wall.toFixed(2).padStart(6)} s wall, ${mid('cpu').toFixed(2).padStart(5)} s cpu  (target ≤ ${TARGET} s) ${wall <= TARGET ? 'ok' : 'OVER TARGET'}  peak ${mid('rssMB').toFixed(0)} MB`);
}

// The same queries in one process: catalog load once, then each query alone.
const inproc = spawnSync(process.execPath, ['--input-type=module', '-e', `
  import { readCatalog } from '${lib('catalog/catalog.js')}';
  import { prestagedMediaStatus, prestagedMediaItems, compareMediaItems } from '${lib('catalog/media-status.js')}';
  import { getMediaRecord } from '${lib('catalog/media.js')}';
  import { listRevisions } from '${lib('catalog/content.js')}';
  import { performance } from 'node:perf_hooks';
  const now = new Date();
  let t = performance.now();
  await readCatalog(process.env.H, now, () => 0);
  const out = ['catalog load (readFile + sql.js open)'.padEnd(52) + ((performance.now() - t) / 1000).toFixed(3).padStart(7) + ' s'];
  const time = (name, fn) => readCatalog(process.env.H, now, (db) => {
    const s = performance.now(); const c = process.cpuUsage(); const n = fn(db); const u = process.cpuUsage(c);
    out.push(name.padEnd(52) + ((performance.now() - s) / 1000).toFixed(3).padStart(7) + ' s wall, ' + ((u.user + u.system) / 1e6).toFixed(3) + ' s cpu  (' + n + ' rows)');
  });
  await time('  query: prestaged media status, every medium', (db) => prestagedMediaStatus(db).length);
  await time('  query: the same, one row per medium and item', (db) => prestagedMediaItems(db).length);
  await time('  query: compare two media', (db) => compareMediaItems(getMediaRecord(db, '${first}').Content, getMediaRecord(db, '${last}').Content).length);
  await time('  query: revisions of one item since a date', (db) => listRevisions(db, '${item}', { since: new Date('2026-01-25') }).length);
  console.log(out.join('\\n'));`], { env: { ...process.env, H: home }, encoding: 'utf8' });
if (inproc.status !== 0) throw new Error(`in-process timing failed: ${inproc.stderr}`);
lines.push(inproc.stdout.trimEnd());
if (!kept) rmSync(home, { recursive: true, force: true });
console.log(lines.join('\n'));
console.log(`load average during the run: ${loadavg().map((l) => l.toFixed(1)).join(' ')} on ${availableParallelism()} cores`);
