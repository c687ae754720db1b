// The committed boot-code constants are exactly what nasm makes of the committed .asm sources.
import test from 'ava';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { assemble } from '../../helpers/nasm.js';
import { MBR_CODE } from '../../../lib/formats/disk/boot/mbr-code.js';
import { VBR_CODE, VBR_STAGE2_SECTOR, VBR_STAGE2_SECTORS } from '../../../lib/formats/disk/boot/vbr-code.js';

// dist/test/formats/disk -> the sources in lib/formats/disk/boot
const BOOT_DIR = new URL('../../../../lib/formats/disk/boot/', import.meta.url);

test('mbr.asm assembles to MBR_CODE (440 bytes)', async (t) => {
  const bytes = await assemble(await readFile(fileURLToPath(new URL('mbr.asm', BOOT_DIR)), 'utf8'));
  t.is(bytes.length, 440);
  t.true(bytes.equals(MBR_CODE), 'rerun node lib/formats/disk/boot/assemble.mjs');
});

test('vbr.asm assembles to VBR_CODE: a boot sector with 55 AA and the second stage', async (t) => {
  const src = await readFile(fileURLToPath(new URL('vbr.asm', BOOT_DIR)), 'utf8');
  const bytes = await assemble(src);
  t.true(bytes.equals(VBR_CODE), 'rerun node lib/formats/disk/boot/assemble.mjs');
  t.is(bytes.length, 512 * (1 + VBR_STAGE2_SECTORS));
  t.is(bytes.readUInt16LE(510), 0xaa55);
  t.is(bytes[0], 0xeb, 'a short jump over the BPB');
  t.regex(src, new RegExp(`^STAGE2_SECTOR\\s+equ\\s+${VBR_STAGE2_SECTOR}\\b`, 'm'));
});
