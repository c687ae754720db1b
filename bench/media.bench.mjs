// Issue 5 benchmark: stand-alone ISO media of the corpus (each top-level folder imported as a
// package, all referenced by one task sequence) against xorriso on the same folders plus
// sha256sum of them, one after the other (what a hand-made medium with checked content costs).
// Medians of BENCH_RUNS; our peak RSS. The import is set-up, not timed. Folders holding names
// that differ only in case (doc/, perl/ in the corpus) are left out of both: Windows media
// cannot hold such names, and tsmedia refuses them.
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { caseSafe, corpus, freshDir, median, row, standInWinPe, timed, tsmediaJson, TSMEDIA } from './common.mjs';

const src = corpus();
const home = freshDir('tsm-bench-media-');
const work = freshDir('tsm-bench-media-out-');
const env = { TSMEDIA_HOME: home, SOURCE_DATE_EPOCH: '1767225600' };

const tsm = (...argv) => tsmediaJson(env, ...argv);

const pe = standInWinPe(join(work, 'winpe'));
tsm('New-WindowsImage', '-ImagePath', join(work, 'boot.wim'), '-CapturePath', pe, '-Name', 'WinPE');
const boot = tsm('New-CMBootImage', '-Name', 'WinPE', '-Path', join(work, 'boot.wim')).Id;
const folders = readdirSync(src).sort().filter((d) => caseSafe(join(src, d)));
console.log(`packages: ${folders.join(', ')} (left out for case clashes: ${readdirSync(src).filter((d) => !folders.includes(d)).join(', ') || 'none'})`);
const packages = folders.map((d) => tsm('New-CMPackage', '-Name', d, '-Path', join(src, d)).Id);
tsm('New-CMTaskSequence', '-Name', 'Corpus', '-BootImageId', boot, '-PackageId', packages.join(','));

const iso = join(work, 'media.iso');
const ref = join(work, 'ref.iso');
const ours = median(() => timed(process.execPath, [TSMEDIA, 'New-CMStandaloneMedia', '-TaskSequence', 'Corpus', '-MediaType', 'CdDvd', '-Path', iso, '-Force'], { env }),
  () => rmSync(iso, { force: true }));
const paths = folders.map((d) => join(src, d));
const xorriso = median(() => timed('xorriso', ['-as', 'mkisofs', '-quiet', '-J', '-joliet-long', '-iso-level', '3', '-graft-points', '-o', ref, ...folders.map((d) => `/${d}=${join(src, d)}`)]), () => rmSync(ref, { force: true }));
const sha = median(() => timed('sh', ['-c', `find ${paths.map((p) => `"${p}"`).join(' ')} -type f -print0 | xargs -0 -n200 sha256sum`]));
const theirs = { seconds: xorriso.seconds + sha.seconds };
console.log(`reference: xorriso ${xorriso.seconds.toFixed(2)} s + sha256sum ${sha.seconds.toFixed(2)} s`);
console.log(row('stand-alone ISO (New-CMStandaloneMedia) vs xorriso + sha256sum', ours, theirs, 1.3) + `  peak ${ours.peakRssMB.toFixed(0)} MB (target ≤ 300)`);
rmSync(home, { recursive: true, force: true });
rmSync(work, { recursive: true, force: true });
