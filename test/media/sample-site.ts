// A small site for media tests, made through the real cmdlets: a boot image WIM whose
// Windows\Boot files are the nasm test programs (etfsboot.com prints a BIOS marker, efisys.bin is a
// FAT image with a UEFI app, bootmgr is a stand-in loaded by our FAT32 VBR), an OS image WIM with
// two images, two packages, a driver package and an application, a management point and a task
// sequence referencing them all. Content files carry marker strings for the encryption tests.
import type { ExecutionContext } from 'ava';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { bootPrograms } from '../helpers/boot-programs.js';
import { efiFatImage } from '../helpers/efi-fat-image.js';
import { pseudoRandomBytes, writeTree } from '../helpers/sample-tree.js';
import { tempDir } from '../helpers/tmp.js';
import { tsmedia } from '../helpers/tsmedia.js';

export const CONTENT_MARKER = 'TSMEDIA-SECRET-CONTENT-MARKER-7f3a';

export interface SampleSite {
  dir: string;
  home: string;
  sources: string;
  ids: { boot: string; os: string; office: string; scripts: string; drivers: string; app: string; ts: string };
  /** Runs tsmedia in process against the site's home; fails the test on a non-zero exit. */
  ok(argv: readonly string[], env?: Record<string, string>): Promise<ReturnType<typeof JSON.parse>>;
  run: (argv: readonly string[], env?: Record<string, string>) => ReturnType<typeof tsmedia>;
}

export async function sampleSite(t: ExecutionContext): Promise<SampleSite> {
  const dir = await tempDir(t, 'tsm-media-');
  const home = join(dir, 'home');
  const sources = join(dir, 'sources');
  const progs = await bootPrograms();
  await mkdir(join(dir, 'fat'));
  const efisys = await readFile(await efiFatImage(join(dir, 'fat'), progs.uefiApp));
  await writeTree(join(sources, 'winpe'), {
    'Windows/Boot/PCAT/bootmgr': progs.fakeBootmgr,
    'Windows/Boot/EFI/bootmgr.efi': progs.uefiApp,
    'Windows/Boot/EFI/bootmgfw.efi': progs.uefiApp,
    'Windows/Boot/DVD/PCAT/BCD': 'bcd (bios)',
    'Windows/Boot/DVD/PCAT/boot.sdi': pseudoRandomBytes(3000, 5),
    'Windows/Boot/DVD/PCAT/etfsboot.com': progs.biosElToritoImage,
    'Windows/Boot/DVD/EFI/BCD': 'bcd (uefi)',
    'Windows/Boot/DVD/EFI/en-US/efisys.bin': efisys,
    'Windows/System32/winpeshl.ini': '[LaunchApps]\r\n',
  });
  await writeTree(join(sources, 'os1'), { 'Windows/System32/kernel.txt': 'os one', 'Users/Public/readme.txt': 'hello' });
  await writeTree(join(sources, 'os2'), { 'Windows/System32/kernel.txt': 'os two' });
  await writeTree(join(sources, 'office'), { 'setup.exe': pseudoRandomBytes(70_000, 1), 'config.xml': `<Configuration marker="${CONTENT_MARKER}"/>`, 'data/office.cab': pseudoRandomBytes(90_000, 2) });
  await writeTree(join(sources, 'scripts'), { 'Set-Branding.ps1': `# ${CONTENT_MARKER}\r\nSet-ItemProperty HKLM:\\Software\\Contoso -Name Branded -Value 1\r\n` });
  await writeTree(join(sources, 'drivers'), { 'net/e1d.inf': '[Version]\r\nClass=Net\r\n', 'net/e1d.sys': pseudoRandomBytes(40_000, 3) });
  await writeTree(join(sources, 'app'), { 'install.cmd': 'msiexec /i app.msi /qn\r\n', 'app.msi': pseudoRandomBytes(30_000, 4) });

  const run = (argv: readonly string[], env: Record<string, string> = {}): ReturnType<typeof tsmedia> => tsmedia(home, argv, env);
  const ok = async (argv: readonly string[], env: Record<string, string> = {}): Promise<any> => {
    const r = await run([...argv, '-OutputFormat', 'Json'], env);
    if (r.code !== 0) throw new Error(`tsmedia ${argv.join(' ')} exited ${r.code}: ${r.stderr}`);
    return r.stdout.trim() === '' ? undefined : r.json();
  };
  await ok(['New-WindowsImage', '-ImagePath', join(dir, 'boot.wim'), '-CapturePath', join(sources, 'winpe'), '-Name', 'WinPE']);
  await ok(['New-WindowsImage', '-ImagePath', join(dir, 'install.wim'), '-CapturePath', join(sources, 'os1'), '-Name', 'Enterprise']);
  await ok(['Add-WindowsImage', '-ImagePath', join(dir, 'install.wim'), '-CapturePath', join(sources, 'os2'), '-Name', 'Education']);
  await ok(['Add-CMManagementPoint', '-SiteCode', 'PS1', '-Url', 'http://mp1.contoso.com/']);
  await ok(['Add-CMDistributionPoint', '-SiteCode', 'PS1', '-Url', 'http://dp1.contoso.com/']);
  const boot = (await ok(['New-CMBootImage', '-Name', 'WinPE x64', '-Path', join(dir, 'boot.wim')])).Id;
  const os = (await ok(['New-CMOperatingSystemImage', '-Name', 'Windows 11', '-Path', join(dir, 'install.wim')])).Id;
  const office = (await ok(['New-CMPackage', '-Name', 'Office', '-Path', join(sources, 'office')])).Id;
  const scripts = (await ok(['New-CMPackage', '-Name', 'Branding', '-Path', join(sources, 'scripts')])).Id;
  const drivers = (await ok(['New-CMDriverPackage', '-Name', 'Latitude', '-Path', join(sources, 'drivers')])).Id;
  const app = (await ok(['New-CMApplication', '-Name', '7-Zip', '-ContentLocation', join(sources, 'app')])).Id;
  const ts = (await ok(['New-CMTaskSequence', '-Name', 'Deploy', '-BootImageId', boot, '-OperatingSystemImageId', os,
    '-PackageId', `${office},${scripts}`, '-DriverPackageId', drivers, '-ApplicationId', app])).Id;
  return { dir, home, sources, ids: { boot, os, office, scripts, drivers, app, ts }, ok, run };
}
