// Issue 7 benchmark: 20 stand-alone ISO media of overlapping content (each holds the same 8 shared
// packages and 2 of its own, all corpus subfolders) built by one Invoke-TSMediaBuild against 20
// separate `tsmedia New-CMStandaloneMedia` processes. Ratio of wall times (target ≤ 0.6) and the
// bulk run's peak RSS (target ≤ 500 MB). Set-up (imports, task sequences) is not timed. Folders
// holding names that differ only in case are left out: media refuse them.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { caseSafe, corpus, freshDir, median, row, standInWinPe, timed, TSMEDIA } from './common.mjs';

const SITES = 20;
const SHARED = 8;
const OWN = 2;
const src = corpus();
const home = freshDir('tsm-bench-bulk-');
const work = freshDir('tsm-bench-bulk-out-');
const env = { TSMEDIA_HOME: home, SOURCE_DATE_EPOCH: '1767225600' };

/** Runs a tsmedia script (one process); returns each line's JSON document. */
function script(lines) {
  const file = join(work, 'setup.tsm');
  writeFileSync(file, lines.join('\n') + '\n');
  const r = spawnSync(process.execPath, [TSMEDIA, '-File', file, '-OutputFormat', 'Json'], { env: { ...process.env, ...env }, encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`setup script failed: ${r.stderr}`);
  return r.stdout.trim().split('\n').map((l) => JSON.parse(l));
}

const du = (dir) => {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) n += e.isDirectory() ? du(join(dir, e.name)) : e.isFile() ? statSync(join(dir, e.name)).size : 0;
  return n;
};

// second-level folders of the corpus, largest first, skipping the very largest (the run stays short)
const folders = readdirSync(src).flatMap((top) => readdirSync(join(src, top), { withFileTypes: true })
  .filter((e) => e.isDirectory() && !top.startsWith('dup-')).map((e) => join(src, top, e.name)))
  .filter(caseSafe).map((p) => ({ p, size: du(p) })).sort((a, b) => b.size - a.size).slice(SHARED);
const need = SHARED + SITES * OWN;
if (folders.length < need) throw new Error(`the corpus has ${folders.length} usable folders; ${need} are needed`);
const chosen = folders.slice(0, need);
const mb = (n) => (n / 1048576).toFixed(1);
const sharedBytes = chosen.slice(0, SHARED).reduce((s, f) => s + f.size, 0);
const ownBytes = chosen.slice(SHARED).reduce((s, f) => s + f.size, 0);
console.log(`${SITES} media: ${SHARED} shared packages (${mb(sharedBytes)} MB) + ${OWN} own each (${mb(ownBytes)} MB over all); ${mb(SITES * sharedBytes + ownBytes)} MB of content on media`);

const pe = standInWinPe(join(work, 'winpe'));
const q = (s) => `'${s.replaceAll("'", "''")}'`;
const [, boot, ...pkgs] = script([
  `New-WindowsImage -ImagePath ${q(join(work, 'boot.wim'))} -CapturePath ${q(pe)} -Name WinPE`,
  `New-CMBootImage -Name WinPE -Path ${q(join(work, 'boot.wim'))}`,
  ...chosen.map((f, k) => `New-CMPackage -Name ${q(`pkg-${k}`)} -Path ${q(f.p)}`),
]);
const ids = pkgs.map((x) => x.Id);
script(Array.from({ length: SITES }, (_, s) => {
  const own = ids.slice(SHARED + s * OWN, SHARED + (s + 1) * OWN);
  return `New-CMTaskSequence -Name site-${s + 1} -BootImageId ${boot.Id} -PackageId ${[...ids.slice(0, SHARED), ...own].join(',')}`;
}));

const out = join(work, 'media');
const iso = (s) => join(out, `site-${s + 1}.iso`);
const fresh = () => { rmSync(out, { recursive: true, force: true }); mkdirSync(out); };
const manifest = join(work, 'builds.json');
writeFileSync(manifest, JSON.stringify(Array.from({ length: SITES }, (_, s) => ({
  Entry: `site-${s + 1}`, Cmdlet: 'New-CMStandaloneMedia', TaskSequence: `site-${s + 1}`, MediaType: 'CdDvd', Path: iso(s),
}))));

/** The SHA-256 of every medium: the bulk run must write the very bytes the separate runs write. */
const digests = () => Array.from({ length: SITES }, (_, s) => createHash('sha256').update(readFileSync(iso(s))).digest('hex')).join();
const bulk = median(() => timed(process.execPath, [TSMEDIA, 'Invoke-TSMediaBuild', '-Manifest', manifest], { env }), fresh);
const bulkBytes = digests();
const separate = median(() => {
  let seconds = 0;
  let rssMB = 0;
  for (let s = 0; s < SITES; s++) {
    const r = timed(process.execPath, [TSMEDIA, 'New-CMStandaloneMedia', '-TaskSequence', `site-${s + 1}`, '-MediaType', 'CdDvd', '-Path', iso(s)], { env });
    seconds += r.seconds;
    rssMB = Math.max(rssMB, r.rssMB);
  }
  return { seconds, rssMB };
}, fresh);
if (digests() !== bulkBytes) throw new Error('the bulk run wrote other bytes than the separate runs');
console.log(row(`Invoke-TSMediaBuild, ${SITES} media vs ${SITES} New-CMStandaloneMedia`, bulk, separate, 0.6)
  + `  peak ${bulk.peakRssMB.toFixed(0)} MB (target ≤ 500; separate runs peak ${separate.peakRssMB.toFixed(0)} MB)`);
rmSync(home, { recursive: true, force: true });
rmSync(work, { recursive: true, force: true });
