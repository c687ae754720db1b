#!/usr/bin/env node
// npm run demo: the main job on built-in sample data. Makes sample content in a folder, sets up a
// site in a catalog of its own there, and runs a tsmedia script that builds media from it,
// printing what was built. Usage: npm run demo [-- DIR]   (default: $TMPDIR/tsmedia-demo)
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
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

write('packages/office/setup.exe', bytes(300_000, 1));
write('packages/office/config.xml', '<Configuration><Add Channel="Current"/></Configuration>\n');
write('packages/office/data/office.cab', bytes(800_000, 2));
write('packages/scripts/Set-Branding.ps1', 'Set-ItemProperty HKLM:\\Software\\Contoso -Name Branded -Value 1\n');
write('drivers/latitude-7450/net/e1d.inf', '[Version]\nSignature="$WINDOWS NT$"\nClass=Net\n');
write('drivers/latitude-7450/net/e1d.sys', bytes(120_000, 3));
write('drivers/latitude-7450/storage/iaStorVD.inf', '[Version]\nSignature="$WINDOWS NT$"\nClass=SCSIAdapter\n');
write('apps/7zip/7z2408-x64.msi', bytes(200_000, 4));
write('apps/7zip/install.cmd', 'msiexec /i 7z2408-x64.msi /qn\n');

const script = `# tsmedia demo: a site, content, a task sequence
Add-CMManagementPoint -SiteCode PS1 -Url http://mp1.contoso.com/
Add-CMDistributionPoint -SiteCode PS1 -Url http://dp1.contoso.com/
New-CMPackage -Name "Office" -Path "${src}/packages/office"
New-CMPackage -Name "Branding scripts" -Path "${src}/packages/scripts"
New-CMDriverPackage -Name "Latitude 7450" -Path "${src}/drivers/latitude-7450"
New-CMApplication -Name "7-Zip" -ContentLocation "${src}/apps/7zip"
Get-CMPackage
`;
writeFileSync(join(dir, 'demo.tsm'), script);

const env = { ...process.env, TSMEDIA_HOME: join(dir, 'home'), SOURCE_DATE_EPOCH: process.env.SOURCE_DATE_EPOCH ?? '1767225600' };
console.log(`tsmedia demo in ${dir}\n`);
const r = spawnSync(process.execPath, [bin, '-File', join(dir, 'demo.tsm')], { env, stdio: 'inherit' });
process.exit(r.status ?? 1);
