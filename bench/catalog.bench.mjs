// Issue 2 benchmarks: import of the corpus against sha256sum, and cold catalog queries on a large
// catalog. Prints ratios from one run (medians of BENCH_RUNS).
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { corpus, freshDir, median, medianRun, peakRow, row, RUNS, timed, verdict, TSMEDIA, ROOT } from './common.mjs';

const src = corpus();
const lines = [];

// 1. import vs sha256sum of every file, two at a time
// alternating, so the machine's drift (it is shared) hits both alike
let home;
const [oursRuns, refRuns] = [[], []];
for (let i = 0; i < RUNS; i++) {
  if (home) rmSync(home, { recursive: true, force: true });
  home = freshDir('tsm-bench-home-');
  oursRuns.push(timed(process.execPath, [TSMEDIA, 'New-CMPackage', '-Name', 'corpus', '-Path', src], { env: { TSMEDIA_HOME: home } }));
  refRuns.push(timed('sh', ['-c', `find "${src}" -type f -print0 | xargs -0 -P2 -n200 sha256sum`]));
}
const [ours, ref] = [medianRun(oursRuns), medianRun(refRuns)];
lines.push(row('import (New-CMPackage) vs sha256sum -P2', ours, ref, 1.5));
lines.push(peakRow('import (New-CMPackage)', ours.peakRssMB, 300));
rmSync(home, { recursive: true, force: true });

// 2. a catalog of 10,000 packages and a task sequence of 500 items, made through the library
home = freshDir('tsm-bench-cat-');
const seed = spawnSync(process.execPath, ['--input-type=module', '-e', `
  import { writeCatalog } from '${join(ROOT, 'dist/lib/catalog/catalog.js')}';
  import { createContent } from '${join(ROOT, 'dist/lib/catalog/content.js')}';
  import { createTaskSequence } from '${join(ROOT, 'dist/lib/catalog/task-sequences.js')}';
  import { createHash } from 'node:crypto';
  const now = new Date('2026-01-01T00:00:00Z');
  const h = (s) => createHash('sha256').update(s).digest('hex');
  await writeCatalog(process.env.H, now, (db) => {
    const ids = [];
    const boot = createContent(db, { type: 'BootImage', name: 'WinPE', sourcePath: '/src/boot.wim', siteCode: 'PS1', imageIndex: 1 }, [{ path: 'boot.wim', size: 300000000, sha256: h('boot') }], [], now);
    for (let i = 0; i < 10000; i++) {
      const files = [1, 2, 3].map((f) => ({ path: 'dir/file' + f + '.bin', size: 1000 * f + i, sha256: h(i + ':' + f) }));
      ids.push(createContent(db, { type: 'Package', name: 'Package ' + i, sourcePath: '/src/p' + i, siteCode: 'PS1' }, files, [], now).Id);
    }
    createTaskSequence(db, { name: 'Big', siteCode: 'PS1', bootImageId: boot.Id, packageIds: ids.slice(0, 500) }, now);
  });`], { env: { ...process.env, H: home }, stdio: 'inherit' });
if (seed.status !== 0) throw new Error('seeding the catalog failed');
const env = { TSMEDIA_HOME: home };
const list = median(() => timed(process.execPath, [TSMEDIA, 'Get-CMPackage', '-OutputFormat', 'Json'], { env }));
// wall time is the target; CPU time (user + system) says what a quiet machine would show
const absolute = (name, m) => `${name.padEnd(52)} ${m.seconds.toFixed(2).padStart(7)} s  (target ≤ 0.5 s) ${verdict(m.seconds, 0.5)}  cpu ${m.cpuSeconds.toFixed(2)} s`;
lines.push(absolute('cold Get-CMPackage -OutputFormat Json, 10,000 packages', list));
const refs = median(() => timed(process.execPath, [TSMEDIA, 'Get-CMTaskSequenceReference', '-TaskSequenceId', 'Big', '-OutputFormat', 'Json'], { env }));
lines.push(absolute('Get-CMTaskSequenceReference, 500 items of 10,000', refs));
const bare = median(() => timed(process.execPath, ['-e', '']));
lines.push(`${'(node -e \'\' alone, for scale)'.padEnd(52)} ${bare.seconds.toFixed(2).padStart(7)} s  cpu ${bare.cpuSeconds.toFixed(2)} s`);
rmSync(home, { recursive: true, force: true });

console.log(lines.join('\n'));
