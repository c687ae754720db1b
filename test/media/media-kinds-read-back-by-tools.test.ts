// Each media kind, built from a sample site, is read back by tools none of us wrote (xorriso,
// 7-Zip and udfinfo for ISOs; fsck.fat and mtools for USB images; wimlib-imagex for prestaged
// WIMs), holds ConfigMgr's layout with every content file byte-identical to its source, and
// Get-TSMediaInfo reports exactly the content revisions that went in.
import test from 'ava';
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { run } from '../helpers/run.js';
import { sampleSite } from './sample-site.js';
import type { SampleSite } from './sample-site.js';

async function listFiles(root: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const walk = async (dir: string): Promise<void> => {
    for (const e of await readdir(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) await walk(p);
      else out.set(relative(root, p).split('\\').join('/'), createHash('sha256').update(await readFile(p)).digest('hex'));
    }
  };
  await walk(root);
  return out;
}

/** The content files a medium must hold, by media path (upper-cased: FAT and ISO readers differ in case). */
async function expectedContent(site: SampleSite, items: Record<string, string>): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const [id, folder] of Object.entries(items)) {
    for (const [rel, sha] of await listFiles(join(site.sources, folder))) out.set(`SMS/PKG/${id}/${rel}`.toUpperCase(), sha);
  }
  return out;
}

function upper(m: Map<string, string>): Map<string, string> {
  return new Map([...m].map(([k, v]) => [k.toUpperCase(), v]));
}

function assertHolds(t: import('ava').ExecutionContext, got: Map<string, string>, want: Map<string, string>): void {
  for (const [path, sha] of want) t.is(got.get(path), sha, `${path} differs or is missing`);
  const pkg = [...got.keys()].filter((k) => k.startsWith('SMS/PKG/'));
  t.deepEqual(pkg.sort(), [...want.keys()].sort(), 'no other content on the medium');
}

async function mediaInfo(site: SampleSite, path: string): Promise<{ Kind: string; Content: { Id: string; SourceVersion: number }[] }> {
  return site.ok(['Get-TSMediaInfo', '-Path', path]);
}

test('stand-alone ISO: xorriso sees both boot entries, 7-Zip extracts every content file identical, udfinfo accepts it', async (t) => {
  const site = await sampleSite(t);
  const iso = join(site.dir, 'standalone.iso');
  const built = await site.ok(['New-CMStandaloneMedia', '-TaskSequence', 'Deploy', '-MediaType', 'CdDvd', '-Path', iso]);
  t.is(built.VolumeCount, 1);
  const el = await run('xorriso', ['-indev', iso, '-report_el_torito', 'plain']);
  t.is(el.code, 0, el.stderr);
  t.regex(el.stdout, /El Torito boot img :\s+1\s+BIOS\s+y/);
  t.regex(el.stdout, /El Torito boot img :\s+2\s+UEFI\s+y/);
  t.is((await run('udfinfo', [iso])).code, 0);
  const out = join(site.dir, 'x');
  const x = await run('7z', ['x', '-y', `-o${out}`, iso]);
  t.is(x.code, 0, x.stdout);
  const got = upper(await listFiles(out));
  const { ids } = site;
  const want = await expectedContent(site, { [ids.office]: 'office', [ids.scripts]: 'scripts', [ids.drivers]: 'drivers', [ids.app]: 'app' });
  want.set(`SMS/PKG/${ids.os}/INSTALL.WIM`, createHash('sha256').update(await readFile(join(site.dir, 'install.wim'))).digest('hex'));
  assertHolds(t, got, want);
  t.is(got.get('SOURCES/BOOT.WIM'), createHash('sha256').update(await readFile(join(site.dir, 'boot.wim'))).digest('hex'));
  for (const f of ['BOOTMGR', 'BOOT/ETFSBOOT.COM', 'EFI/MICROSOFT/BOOT/EFISYS.BIN', 'EFI/BOOT/BOOTX64.EFI', 'SMS/DATA/VARIABLES.DAT', 'SMS/DATA/POLICY.XML', 'SMS/DATA/TSMBOOTSTRAP.INI', 'SMS/DATA/MEDIAMANIFEST.JSON', 'AUTORUN.INF', 'MEDIALABEL.TXT']) {
    t.true(got.has(f), `${f} on the medium`);
  }
  const info = await mediaInfo(site, iso);
  t.is(info.Kind, 'StandAlone');
  t.deepEqual(info.Content.map((c) => `${c.Id}@${c.SourceVersion}`).sort(), [ids.boot, ids.os, ids.office, ids.scripts, ids.drivers, ids.app].map((i) => `${i}@1`).sort());
});

test('bootable USB image: fsck.fat finds no error, mcopy reads the layout back; no content but the prestart package', async (t) => {
  const site = await sampleSite(t);
  const img = join(site.dir, 'boot.img');
  await site.ok(['New-CMBootableMedia', '-BootImage', site.ids.boot, '-MediaType', 'Usb', '-Path', img, '-ManagementPoint', 'mp1.contoso.com',
    '-PrestartCommand', 'cmd /c Set-Branding.cmd', '-PrestartPackage', 'Branding']);
  const part = join(site.dir, 'part.img');
  t.is((await run('dd', [`if=${img}`, `of=${part}`, 'bs=1M', 'skip=1', 'status=none'])).code, 0);
  const fsck = await run('fsck.fat', ['-n', '-v', part]);
  t.is(fsck.code, 0, fsck.stdout + fsck.stderr);
  const out = join(site.dir, 'x');
  await mkdir(out);
  const mc = await run('mcopy', ['-i', `${img}@@1M`, '-s', '-n', '-m', '::/', `${out}/`]);
  t.is(mc.code, 0, mc.stderr);
  const got = upper(await listFiles(out));
  assertHolds(t, got, await expectedContent(site, { [site.ids.scripts]: 'scripts' }));
  t.true(got.has('SOURCES/BOOT.WIM') && got.has('BOOTMGR') && got.has('EFI/BOOT/BOOTX64.EFI'));
  t.false(got.has('SMS/DATA/POLICY.XML'), 'bootable media carry no policy');
  const info = await site.ok(['Get-TSMediaInfo', '-Path', img]);
  t.is(info.Kind, 'Bootable');
  t.deepEqual(info.ManagementPoints, ['http://mp1.contoso.com/']);
  t.is(info.Variables._SMSTSPreExecCommandLine, 'cmd /c Set-Branding.cmd');
  t.is(info.Variables._SMSTSPreExecPackageID, site.ids.scripts);
});

test('prestaged WIM: wimlib-imagex verifies and applies it; the narrowed content, OS image and manifest are inside', async (t) => {
  const site = await sampleSite(t);
  const wim = join(site.dir, 'oem.wim');
  const { ids } = site;
  await site.ok(['New-CMPrestageMedia', '-TaskSequence', ids.ts, '-BootImage', ids.boot, '-OperatingSystemImage', ids.os,
    '-OperatingSystemImageIndex', '2', '-ManagementPoint', 'http://mp1.contoso.com/', '-Path', wim, '-DriverPackage', ids.drivers,
    '-Comment', 'Lab OEM', '-CreatedBy', 'OSD team', '-Version', '1.2']);
  const v = await run('wimlib-imagex', ['verify', wim]);
  t.is(v.code, 0, v.stdout + v.stderr);
  const out = join(site.dir, 'applied');
  const a = await run('wimlib-imagex', ['apply', wim, '1', out]);
  t.is(a.code, 0, a.stderr);
  const got = upper(await listFiles(out));
  const want = await expectedContent(site, { [ids.drivers]: 'drivers' });
  want.set(`SMS/PKG/${ids.os}/INSTALL.WIM`, createHash('sha256').update(await readFile(join(site.dir, 'install.wim'))).digest('hex'));
  assertHolds(t, got, want);
  t.false(got.has('AUTORUN.INF'), 'a disk image has no autorun.inf');
  const info = await site.ok(['Get-TSMediaInfo', '-Path', wim]);
  t.is(info.Kind, 'Prestaged');
  t.deepEqual(info.Content.map((c: { Id: string }) => c.Id).sort(), [ids.boot, ids.os, ids.drivers].sort());
  t.is(info.Comment, 'Lab OEM');
  t.is(info.CreatedBy, 'OSD team');
  t.is(info.Variables.OSDImageIndex, '2');
  const applied = await site.ok(['Get-TSMediaInfo', '-Path', out]);
  t.is(applied.MediaId, info.MediaId, 'the applied folder says the same as the WIM');
});

test('capture ISO: boot files and the boot image only', async (t) => {
  const site = await sampleSite(t);
  const iso = join(site.dir, 'capture.iso');
  await site.ok(['New-CMCaptureMedia', '-BootImage', 'WinPE x64', '-MediaType', 'CdDvd', '-Path', iso, '-NoAutoRun']);
  const l = await run('isoinfo', ['-J', '-f', '-i', iso]);
  t.is(l.code, 0, l.stderr);
  t.regex(l.stdout, /\/sources\/boot\.wim/i);
  t.notRegex(l.stdout, /\/SMS\/PKG/i);
  t.notRegex(l.stdout, /autorun\.inf/i);
  const info = await site.ok(['Get-TSMediaInfo', '-Path', iso]);
  t.is(info.Kind, 'Capture');
  t.deepEqual(info.Content.map((c: { Id: string }) => c.Id), [site.ids.boot]);
  const recorded = await site.ok(['Get-TSMedia', '-Kind', 'Capture']);
  t.is(recorded.length, 1);
  t.is(recorded[0].Path, iso);
  t.is(recorded[0].SizeBytes, (await stat(iso)).size);
});
