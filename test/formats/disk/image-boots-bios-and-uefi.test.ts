// The image boots under qemu: SeaBIOS runs our MBR, which chain-loads our VBR, which finds BOOTMGR
// through the root directory's cluster chain and the FAT and runs it (the fake bootmgr writes its
// marker and exits qemu with 35); OVMF runs EFI/BOOT/BOOTX64.EFI (marker, exit 0).
import test from 'ava';
import { open } from 'node:fs/promises';
import { bootAndWatch } from '../../helpers/qemu.js';
import { bootPrograms, BOOTMGR_MARKER, BOOTMGR_EXIT, UEFI_MARKER } from '../../helpers/boot-programs.js';
import { imageOf, bytes } from './fixtures.js';

async function bootTree(): Promise<Record<string, Buffer | string>> {
  const { fakeBootmgr, uefiApp } = await bootPrograms();
  const tree: Record<string, Buffer | string> = {
    // padded past several clusters, so the VBR must follow the FAT from cluster to cluster
    bootmgr: Buffer.concat([fakeBootmgr, bytes(450_000, 5)]), // near a real bootmgr's size
    'EFI/BOOT/BOOTX64.EFI': uefiApp,
    'sources/boot.wim': bytes(20_000, 6),
  };
  // enough long names before BOOTMGR that the root directory spans several clusters
  for (let i = 0; i < 60; i++) tree[`AAA long name ${i} to push bootmgr further.txt`] = `${i}`;
  return tree;
}

// smallest size (512-byte clusters), 300 MB (4 KiB), 40 GiB (32 KiB; sparse, so cheap)
for (const [sizeMb, cluster] of [[undefined, 512], [300, 4096], [40960, 32768]] as const) {
  test(`BIOS: our MBR and VBR load bootmgr at 2000:0000 with DL=80 (${cluster}-byte clusters)`, async (t) => {
    const { img, result } = await imageOf(t, await bootTree(), sizeMb ? sizeMb * 1048576 : undefined);
    t.is(result.clusterSize, cluster);
    const r = await bootAndWatch(['-drive', `file=${img},format=raw`], BOOTMGR_MARKER, { timeoutMs: 60_000 });
    t.true(r.sawMarker, `serial: ${r.serial}`);
    t.is(r.exitCode, BOOTMGR_EXIT);
    t.regex(r.serial, /drive=80/);
  });
}

test('BIOS: boots as a USB stick (xHCI mass storage) too', async (t) => {
  const { img } = await imageOf(t, await bootTree());
  const stick = ['-device', 'qemu-xhci', '-drive', `if=none,id=stick,format=raw,file=${img}`, '-device', 'usb-storage,drive=stick,bootindex=0'];
  const r = await bootAndWatch(stick, BOOTMGR_MARKER, { timeoutMs: 60_000 });
  t.true(r.sawMarker, `serial: ${r.serial}`);
  t.is(r.exitCode, BOOTMGR_EXIT);
});

/** Screen text of a BIOS boot: graphics=off makes SeaBIOS mirror int 10h output to the serial port. */
async function screenText(img: string, ms: number): Promise<{ text: string; exitCode: number }> {
  const r = await bootAndWatch(['-machine', 'graphics=off', '-drive', `file=${img},format=raw`], BOOTMGR_MARKER, { timeoutMs: ms });
  return { text: r.serial.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '').replace(/\r/g, ''), exitCode: r.exitCode };
}

test('BIOS: without BOOTMGR the VBR says so and stops', async (t) => {
  const { img } = await imageOf(t, { 'nothing.txt': 'no bootmgr here', BOOTMGR2: 'a near miss', 'bootmgr.efi': 'another' });
  const r = await screenText(img, 10_000);
  t.regex(r.text, /BOOTMGR is missing/);
  t.is(r.exitCode, 128, 'still halted when the timeout ended qemu');
});

test('BIOS: a BOOTMGR too big for conventional memory is refused, not loaded over the EBDA', async (t) => {
  const { fakeBootmgr } = await bootPrograms();
  const { img } = await imageOf(t, { BOOTMGR: Buffer.concat([fakeBootmgr, bytes(640_000, 4)]) });
  const r = await screenText(img, 10_000);
  t.regex(r.text, /BOOTMGR too big/);
  t.notRegex(r.text, /TSMEDIA BIOS BOOTMGR OK/);
});

test('BIOS: our MBR says when no partition is active', async (t) => {
  const { img } = await imageOf(t, { 'nothing.txt': 'x' });
  const h = await open(img, 'r+');
  await h.write(Buffer.from([0]), 0, 1, 446); // clear the active flag of partition 1
  await h.close();
  const r = await screenText(img, 10_000);
  t.regex(r.text, /No active partition/);
});

test('UEFI: OVMF boots EFI/BOOT/BOOTX64.EFI from the FAT32 partition', async (t) => {
  const { img } = await imageOf(t, await bootTree());
  const r = await bootAndWatch(['-drive', `file=${img},format=raw`], UEFI_MARKER, { uefi: true, timeoutMs: 90_000 });
  t.true(r.sawMarker, `serial: ${r.serial.slice(-2000)}`);
  t.is(r.exitCode, 0);
});
