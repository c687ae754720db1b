// Issue 7 benchmark: a prestaged rebuild after one driver package revision against a full build of
// the same media. The corpus folders are packages, a small folder is the driver package; a full
// build starts from an empty WIM resource cache, the rebuild finds every unchanged file's
// compressed resource there (XPRESS). Medians of BENCH_RUNS.
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { caseSafe, corpus, freshDir, median, standInWinPe, timed, tsmediaJson, TSMEDIA } from './common.mjs';

const src = corpus();
const home = freshDir('tsm-bench-pre-');
const work = freshDir('tsm-bench-pre-out-');
const env = { TSMEDIA_HOME: home, SOURCE_DATE_EPOCH: '1767225600' };

const tsm = (...argv) => tsmediaJson(env, ...argv);
function write(path, data) {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, data);
}

const pe = standInWinPe(join(work, 'winpe'));
tsm('New-WindowsImage', '-ImagePath', join(work, 'boot.wim'), '-CapturePath', pe, '-Name', 'WinPE');
tsm('New-WindowsImage', '-ImagePath', join(work, 'install.wim'), '-CapturePath', join(src, 'python3.11'), '-Name', 'OS');
const boot = tsm('New-CMBootImage', '-Name', 'WinPE', '-Path', join(work, 'boot.wim')).Id;
const os = tsm('New-CMOperatingSystemImage', '-Name', 'OS', '-Path', join(work, 'install.wim')).Id;
const folders = readdirSync(src).sort().filter((d) => d !== 'python3.11' && caseSafe(join(src, d)));
const packages = folders.map((d) => tsm('New-CMPackage', '-Name', d, '-Path', join(src, d)).Id);
const drv = join(work, 'drivers');
for (let i = 0; i < 20; i++) write(join(drv, `net${i}`, 'driver.sys'), Buffer.alloc(200_000, i));
const drivers = tsm('New-CMDriverPackage', '-Name', 'Drivers', '-Path', drv).Id;
tsm('New-CMTaskSequence', '-Name', 'OEM', '-BootImageId', boot, '-OperatingSystemImageId', os, '-PackageId', packages.join(','), '-DriverPackageId', drivers);
console.log(`prestaged media of ${folders.join(', ')} + an OS image of python3.11 + 20 driver files`);

const out = join(work, 'oem.wim');
const build = () => timed(process.execPath, [TSMEDIA, 'New-CMPrestageMedia', '-TaskSequence', 'OEM', '-BootImage', boot, '-OperatingSystemImage', os, '-ManagementPoint', 'mp1', '-Path', out, '-Force'], { env });
tsm('Add-CMManagementPoint', '-SiteCode', 'PS1', '-Url', 'http://mp1/');
const full = median(build, () => rmSync(join(home, 'cache'), { recursive: true, force: true }));
let revision = 0;
const rebuild = median(build, () => {
  write(join(drv, 'net0', 'driver.sys'), Buffer.alloc(200_000, 100 + ++revision)); // one driver file revised
  tsm('Update-CMContent', '-Id', drivers);
});
const ratio = rebuild.seconds / full.seconds;
console.log(`${'prestaged rebuild after one driver revision vs full build'.padEnd(60)} ${rebuild.seconds.toFixed(2)} s vs ${full.seconds.toFixed(2)} s  ratio ${ratio.toFixed(2)} (target ≤ 0.3) ${ratio <= 0.3 ? 'ok' : 'OVER TARGET'}  peak ${Math.max(full.peakRssMB, rebuild.peakRssMB).toFixed(0)} MB`);
rmSync(home, { recursive: true, force: true });
rmSync(work, { recursive: true, force: true });
