#!/usr/bin/env node
// npm run demo: the main job on built-in sample data. Makes sample content in a folder, sets up a
// site in a catalog of its own there, and runs a tsmedia script that builds media from it,
// printing what was built (one medium of each kind). Usage: npm run demo [-- DIR]   (default:
// $TMPDIR/tsmedia-demo)
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = join(root, 'dist', 'bin', 'tsmedia.js');
const dir = resolve(process.argv[2] ?? join(tmpdir(), 'tsmedia-demo'));
rmSync(dir, { recursive: true, force: true });
const src = join(dir, 'sources');

function write(rel, data) {
  const path = join(src, rel);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, data);
}

// Deterministic sample bytes: the demo's output is the same on every run.
function bytes(size, seed) {
  const out = Buffer.alloc(size);
  let x = seed;
  for (let i = 0; i < size; i++) { x = (x * 1103515245 + 12345) >>> 0; out[i] = x >>> 24; }
  return out;
}

// A stand-in WinPE: the boot files where a real boot.wim has them (placeholders here, not boot
// programs: the tests boot media built from nasm-assembled ones), and an OS with two editions.
for (const f of ['PCAT/bootmgr', 'EFI/bootmgr.efi', 'EFI/bootmgfw.efi', 'DVD/PCAT/BCD', 'DVD/PCAT/boot.sdi', 'DVD/PCAT/etfsboot.com', 'DVD/EFI/BCD', 'DVD/EFI/en-US/efisys.bin']) {
  write(`winpe/Windows/Boot/${f}`, bytes(2048, f.length));
}
write('winpe/Windows/System32/winpeshl.ini', '[LaunchApps]\r\n%SYSTEMDRIVE%\\sms\\bin\\x64\\TsBootShell.exe\r\n');
write('os/enterprise/Windows/System32/config/SOFTWARE', bytes(400_000, 5));
write('os/education/Windows/System32/config/SOFTWARE', bytes(400_000, 6));
write('packages/office/setup.exe', bytes(300_000, 1));
write('packages/office/config.xml', '<Configuration><Add Channel="Current"/></Configuration>\n');
write('packages/office/data/office.cab', bytes(800_000, 2));
write('packages/scripts/Set-Branding.ps1', 'Set-ItemProperty HKLM:\\Software\\Contoso -Name Branded -Value 1\n');
write('drivers/latitude-7450/net/e1d.inf', '[Version]\nSignature="$WINDOWS NT$"\nClass=Net\n');
write('drivers/latitude-7450/net/e1d.sys', bytes(120_000, 3));
write('drivers/latitude-7450/storage/iaStorVD.inf', '[Version]\nSignature="$WINDOWS NT$"\nClass=SCSIAdapter\n');
write('apps/7zip/7z2408-x64.msi', bytes(200_000, 4));
write('apps/7zip/install.cmd', 'msiexec /i 7z2408-x64.msi /qn\n');
writeFileSync(join(dir, 'media-password.txt'), 'demo password\n');

const epoch = Number(process.env.SOURCE_DATE_EPOCH ?? '1767225600');
// Sample files and folders dated at the epoch, not when this run wrote them: WIMs keep file times,
// so with fresh times the images (and the media holding them) would differ from run to run.
(function stamp(path) {
  for (const e of readdirSync(path, { withFileTypes: true })) if (e.isDirectory()) stamp(join(path, e.name)); else utimesSync(join(path, e.name), epoch, epoch);
  utimesSync(path, epoch, epoch);
})(src);

const out = join(dir, 'media');
mkdirSync(out);
// A fresh catalog numbers objects PS100001, PS100002, ... in the order they are made.
const script = `# tsmedia demo: a site, content, a task sequence, and one medium of each kind
Add-CMManagementPoint -SiteCode PS1 -Url http://mp1.contoso.com/
Add-CMDistributionPoint -SiteCode PS1 -Url http://dp1.contoso.com/
New-WindowsImage -ImagePath "${dir}/boot.wim" -CapturePath "${src}/winpe" -Name "WinPE x64" -CompressionType Max
New-WindowsImage -ImagePath "${dir}/install.wim" -CapturePath "${src}/os/enterprise" -Name "Windows 11 Enterprise"
Add-WindowsImage -ImagePath "${dir}/install.wim" -CapturePath "${src}/os/education" -Name "Windows 11 Education"
New-CMBootImage -Name "WinPE x64" -Path "${dir}/boot.wim"
New-CMOperatingSystemImage -Name "Windows 11" -Path "${dir}/install.wim"
New-CMPackage -Name "Office" -Path "${src}/packages/office"
New-CMPackage -Name "Branding scripts" -Path "${src}/packages/scripts"
New-CMDriverPackage -Name "Latitude 7450" -Path "${src}/drivers/latitude-7450"
New-CMApplication -Name "7-Zip" -ContentLocation "${src}/apps/7zip"
New-CMTaskSequence -Name "Deploy Windows 11" -BootImageId PS100001 -OperatingSystemImageId PS100002 -PackageId PS100003,PS100004 -DriverPackageId PS100005 -ApplicationId PS100006
New-CMCaptureMedia -BootImage "WinPE x64" -MediaType CdDvd -Path "${out}/capture.iso"
New-CMBootableMedia -BootImage "WinPE x64" -MediaType Usb -Path "${out}/bootable.img" -ManagementPoint mp1.contoso.com -PrestartCommand "cmd /c Set-Branding.cmd" -PrestartPackage PS100004
New-CMStandaloneMedia -TaskSequence "Deploy Windows 11" -MediaType CdDvd -Path "${out}/standalone.iso" -MediaPasswordFile "${dir}/media-password.txt" -EncryptContent
New-CMPrestageMedia -TaskSequence "Deploy Windows 11" -BootImage "WinPE x64" -OperatingSystemImage "Windows 11" -OperatingSystemImageIndex 1 -Path "${out}/prestaged.wim" -Comment "Staging centre"
Get-TSMedia
`;
writeFileSync(join(dir, 'demo.tsm'), script);

const env = { ...process.env, TSMEDIA_HOME: join(dir, 'home'), SOURCE_DATE_EPOCH: String(epoch) };
console.log(`tsmedia demo in ${dir}\n`);
const r = spawnSync(process.execPath, [bin, '-File', join(dir, 'demo.tsm')], { env, stdio: 'inherit' });
process.exit(r.status ?? 1);
