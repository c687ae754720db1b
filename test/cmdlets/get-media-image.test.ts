import test from 'ava';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { closePool } from '../../lib/pool/pool.js';
import { tempDir } from '../helpers/tmp.js';
import { tsmedia } from '../helpers/tsmedia.js';
import { writeTree, pseudoRandomBytes } from '../helpers/sample-tree.js';

test.after.always(closePool);

test('Get-TSMediaImage reads ISO and USB images: label, boot entries, totals, and every path with -List', async (t) => {
  const dir = await tempDir(t);
  const src = join(dir, 'src');
  await writeTree(src, {
    'boot/etfsboot.com': pseudoRandomBytes(2048, 1), 'EFI/Microsoft/Boot/efisys.bin': pseudoRandomBytes(4096, 2),
    'EFI/BOOT/BOOTX64.EFI': pseudoRandomBytes(1024, 3), 'Data/Ünïcode name.txt': 'x',
  });
  const iso = await tsmedia(dir, ['New-TSIsoImage', '-SourcePath', src, '-Path', join(dir, 'm.iso'), '-VolumeLabel', 'TSDEMO', '-BiosBootFile', 'boot/etfsboot.com', '-UefiBootFile', 'EFI/Microsoft/Boot/efisys.bin']);
  t.is(iso.code, 0, iso.stderr);
  const usb = await tsmedia(dir, ['New-TSUsbImage', '-SourcePath', src, '-Path', join(dir, 'm.img'), '-VolumeLabel', 'TSDEMO']);
  t.is(usb.code, 0, usb.stderr);

  const isoInfo = (await tsmedia(dir, ['Get-TSMediaImage', join(dir, 'm.iso'), '-OutputFormat', 'Json'])).json();
  t.like(isoInfo, { Kind: 'Iso', Label: 'TSDEMO', Files: 4, Bytes: 2048 + 4096 + 1024 + 1, HasUdf: true });
  t.regex(isoInfo.BootEntries, /^BIOS no-emulation, 4 sectors at LBA \d+; UEFI no-emulation, 8 sectors at LBA \d+$/);
  const usbInfo = (await tsmedia(dir, ['Get-TSMediaImage', join(dir, 'm.img'), '-OutputFormat', 'Json'])).json();
  t.like(usbInfo, { Kind: 'Usb', Label: 'TSDEMO', Files: 4, Bytes: 2048 + 4096 + 1024 + 1, Partition: 1 });
  t.regex(usbInfo.BootEntries, /BIOS MBR, active partition 1 at LBA 2048; UEFI/);

  const expected = ['Data/Ünïcode name.txt', 'EFI/BOOT/BOOTX64.EFI', 'boot/etfsboot.com', 'EFI/Microsoft/Boot/efisys.bin'];
  for (const image of ['m.iso', 'm.img']) {
    const list = (await tsmedia(dir, ['Get-TSMediaImage', join(dir, image), '-List', '-OutputFormat', 'Json'])).json();
    t.deepEqual(list.map((f: { Path: string }) => f.Path).sort((a: string, b: string) => a.toLowerCase().localeCompare(b.toLowerCase())),
      [...expected].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase())), image);
  }

  await writeFile(join(dir, 'junk.bin'), pseudoRandomBytes(70_000, 9));
  const junk = await tsmedia(dir, ['Get-TSMediaImage', join(dir, 'junk.bin')]);
  t.is(junk.code, 1);
  t.regex(junk.stderr, /neither an ISO image .* nor a USB image/);
  const wrongFs = await tsmedia(dir, ['Get-TSMediaImage', join(dir, 'm.img'), '-FileSystem', 'Udf']);
  t.is(wrongFs.code, 1);
  t.regex(wrongFs.stderr, /applies to ISO images/);
});
