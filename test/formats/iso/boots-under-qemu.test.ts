// The image boots: SeaBIOS loads the El Torito BIOS entry (our nasm test program prints a marker
// on COM1 and exits qemu with 33), OVMF boots the UEFI entry (a FAT image made here with mkfs.fat
// and mcopy, holding EFI/BOOT/BOOTX64.EFI; it prints a marker and powers off, exit 0).
import test from 'ava';
import { join } from 'node:path';
import { writeFile, mkdir, readFile } from 'node:fs/promises';
import { tempDir } from '../../helpers/tmp.js';
import { bootPrograms, BIOS_MARKER, BIOS_EXIT, UEFI_MARKER } from '../../helpers/boot-programs.js';
import { bootAndWatch } from '../../helpers/qemu.js';
import { efiFatImage } from '../../helpers/efi-fat-image.js';
import { buildIsoImages } from '../../../lib/formats/iso/build-image.js';
import { readIsoImage } from '../../../lib/formats/iso/iso-reader.js';
import { makeTree, FIXED_DATE, pattern } from './fixtures.js';

async function bootableIso(t: Parameters<typeof tempDir>[0], bootInfoTable: boolean): Promise<string> {
  const dir = await tempDir(t, 'tsm-isoboot-');
  const progs = await bootPrograms();
  const src = join(dir, 'src');
  await mkdir(join(dir, 'fat'));
  const fat = await efiFatImage(join(dir, 'fat'), progs.uefiApp);
  await makeTree(src, { 'boot/etfsboot.com': progs.biosElToritoImage, 'sources/boot.wim': pattern(9, 1_000_000), 'readme.txt': 'x' });
  await mkdir(join(src, 'efi/microsoft/boot'), { recursive: true });
  await writeFile(join(src, 'efi/microsoft/boot/efisys.bin'), await readFile(fat));
  const iso = join(dir, 'boot.iso');
  await buildIsoImages({ sourcePath: src, path: iso, label: 'BOOTTEST', date: FIXED_DATE, biosBootFile: 'boot/etfsboot.com', uefiBootFile: 'efi/microsoft/boot/efisys.bin', bootInfoTable });
  return iso;
}

test('SeaBIOS boots the BIOS no-emulation entry', async (t) => {
  const iso = await bootableIso(t, false);
  const r = await bootAndWatch(['-cdrom', iso, '-boot', 'd'], BIOS_MARKER);
  t.true(r.sawMarker, r.serial);
  t.is(r.exitCode, BIOS_EXIT, r.serial);
  t.regex(r.serial, /bi_pvd=00000000/, 'no boot info table unless asked for');
});

test('with -BootInfoTable the BIOS image sees the PVD and its own LBA', async (t) => {
  const iso = await bootableIso(t, true);
  const img = await readIsoImage(iso);
  const lba = img.bootEntries[0]!.lba;
  await img.close();
  const r = await bootAndWatch(['-cdrom', iso, '-boot', 'd'], BIOS_MARKER);
  t.is(r.exitCode, BIOS_EXIT, r.serial);
  t.regex(r.serial, /bi_pvd=00000010/);
  t.true(r.serial.includes(`bi_file=${lba.toString(16).toUpperCase().padStart(8, '0')}`), r.serial);
});

test('OVMF boots the UEFI (0xEF) entry from the FAT image', async (t) => {
  const iso = await bootableIso(t, false);
  const r = await bootAndWatch(['-cdrom', iso], UEFI_MARKER, { uefi: true });
  t.true(r.sawMarker, r.serial.slice(-2000));
  t.is(r.exitCode, 0);
});
