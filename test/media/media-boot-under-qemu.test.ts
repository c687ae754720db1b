// Built media boot: a bootable ISO under SeaBIOS (El Torito BIOS entry: etfsboot.com from the boot
// image) and OVMF (the UEFI entry: efisys.bin), a stand-alone USB image under SeaBIOS (our MBR and
// VBR load \bootmgr from the boot image) and OVMF (\EFI\BOOT\BOOTX64.EFI). The boot programs are
// the nasm test programs the sample boot image holds; each prints a marker on the serial port.
import test from 'ava';
import { join } from 'node:path';
import { BIOS_EXIT, BIOS_MARKER, BOOTMGR_EXIT, BOOTMGR_MARKER, UEFI_MARKER } from '../helpers/boot-programs.js';
import { bootAndWatch } from '../helpers/qemu.js';
import { sampleSite } from './sample-site.js';

test('a bootable ISO boots under SeaBIOS and OVMF', async (t) => {
  const site = await sampleSite(t);
  const iso = join(site.dir, 'boot.iso');
  await site.ok(['New-CMBootableMedia', '-BootImage', site.ids.boot, '-MediaType', 'CdDvd', '-Path', iso, '-ManagementPoint', 'mp1.contoso.com']);
  const bios = await bootAndWatch(['-cdrom', iso, '-boot', 'd'], BIOS_MARKER);
  t.true(bios.sawMarker, bios.serial);
  t.is(bios.exitCode, BIOS_EXIT);
  const uefi = await bootAndWatch(['-cdrom', iso], UEFI_MARKER, { uefi: true });
  t.true(uefi.sawMarker, uefi.serial.slice(-2000));
});

test('a stand-alone USB image boots under SeaBIOS (bootmgr) and OVMF (BOOTX64.EFI)', async (t) => {
  const site = await sampleSite(t);
  const img = join(site.dir, 'standalone.img');
  await site.ok(['New-CMStandaloneMedia', '-TaskSequence', 'Deploy', '-MediaType', 'Usb', '-Path', img], { TSMEDIA_MEDIA_PASSWORD: 'usb-pass' });
  const drive = ['-drive', `file=${img},format=raw,if=ide`];
  const bios = await bootAndWatch([...drive, '-boot', 'c'], BOOTMGR_MARKER);
  t.true(bios.sawMarker, bios.serial);
  t.is(bios.exitCode, BOOTMGR_EXIT);
  const uefi = await bootAndWatch(drive, UEFI_MARKER, { uefi: true });
  t.true(uefi.sawMarker, uefi.serial.slice(-2000));
});
