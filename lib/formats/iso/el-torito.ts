// El Torito 1.0 boot catalog: one 2048-byte sector of 32-byte entries, little-endian numbers.
// Layout written: validation entry, initial/default entry (the first boot image), then for a
// second image a final section header (0x91) with its platform and one section entry — the
// shape oscdimg's -bootdata:2#p0,e,b..#pEF,e,b.. and xorriso produce.
import { FormatError } from '../../errors.js';
import { SECTOR } from './directory-record.js';

export const PLATFORM_X86 = 0x00;
export const PLATFORM_EFI = 0xef;
export const BOOTABLE = 0x88;
export const MEDIA_NO_EMULATION = 0;
export const HEADER_VALIDATION = 0x01;
export const HEADER_MORE = 0x90;
export const HEADER_FINAL = 0x91;
export const ENTRY = 32;
/** The real-mode segment etfsboot.com is loaded at (0 in the catalog means the same). */
export const DEFAULT_LOAD_SEGMENT = 0x07c0;

export interface BootImage {
  platform: number;
  lba: number;
  /** 512-byte virtual sectors to load (0 = firmware decides, used for a UEFI image > 32 MiB). */
  sectorCount: number;
  loadSegment: number;
}

function writeEntry(buf: Buffer, off: number, e: BootImage): void {
  buf[off] = BOOTABLE;                        // boot indicator       1 byte
  buf[off + 1] = MEDIA_NO_EMULATION;          // boot media type      1 byte
  buf.writeUInt16LE(e.loadSegment, off + 2);  // load segment         2 bytes
  buf[off + 4] = 0;                           // system type          1 byte
  buf[off + 5] = 0;                           // unused               1 byte
  buf.writeUInt16LE(e.sectorCount, off + 6);  // sector count         2 bytes
  buf.writeUInt32LE(e.lba, off + 8);          // load RBA             4 bytes
}

/** Encodes the catalog for one or two boot images (the first becomes the default entry). */
export function encodeBootCatalog(images: readonly BootImage[]): Buffer {
  const first = images[0];
  if (!first || images.length > 2) throw new RangeError('a boot catalog holds one or two images here');
  const buf = Buffer.alloc(SECTOR);
  buf[0] = HEADER_VALIDATION;                 // header id            1 byte
  buf[1] = first.platform;                    // platform id          1 byte
  buf[30] = 0x55;                             // key bytes            2 bytes
  buf[31] = 0xaa;
  let sum = 0;
  for (let i = 0; i < ENTRY; i += 2) sum = (sum + buf.readUInt16LE(i)) & 0xffff;
  buf.writeUInt16LE((0x10000 - sum) & 0xffff, 28); // checksum: the 16 words sum to 0
  writeEntry(buf, ENTRY, first);
  const second = images[1];
  if (second) {
    buf[2 * ENTRY] = HEADER_FINAL;            // header indicator     1 byte
    buf[2 * ENTRY + 1] = second.platform;     // platform id          1 byte
    buf.writeUInt16LE(1, 2 * ENTRY + 2);      // number of entries    2 bytes
    writeEntry(buf, 3 * ENTRY, second);
  }
  return buf;
}

export interface DecodedBootEntry {
  platform: number;
  bootable: boolean;
  media: number;
  loadSegment: number;
  sectorCount: number;
  lba: number;
}

/** Decodes a catalog sector; throws FormatError on a bad validation entry. Bounded: one sector. */
export function decodeBootCatalog(buf: Buffer): DecodedBootEntry[] {
  if (buf.length < SECTOR) throw new FormatError('iso', 'the boot catalog is truncated');
  if (buf[0] !== HEADER_VALIDATION || buf[30] !== 0x55 || buf[31] !== 0xaa) throw new FormatError('iso', 'the El Torito validation entry is missing');
  let sum = 0;
  for (let i = 0; i < ENTRY; i += 2) sum = (sum + buf.readUInt16LE(i)) & 0xffff;
  if (sum !== 0) throw new FormatError('iso', 'the El Torito validation entry checksum is wrong');
  const read = (off: number, platform: number): DecodedBootEntry => ({
    platform, bootable: buf[off] === BOOTABLE, media: buf[off + 1]! & 0x0f,
    loadSegment: buf.readUInt16LE(off + 2) || DEFAULT_LOAD_SEGMENT, sectorCount: buf.readUInt16LE(off + 6), lba: buf.readUInt32LE(off + 8),
  });
  const out = [read(ENTRY, buf[1]!)];
  let off = 2 * ENTRY;
  while (off + ENTRY <= SECTOR) {
    const h = buf[off]!;
    if (h !== HEADER_MORE && h !== HEADER_FINAL) break;
    const platform = buf[off + 1]!;
    const count = buf.readUInt16LE(off + 2);
    off += ENTRY;
    for (let i = 0; i < count && off + ENTRY <= SECTOR; i++, off += ENTRY) {
      if (buf[off] === 0x44) { i--; continue; } // extension entry: belongs to the previous one
      out.push(read(off, platform));
    }
    if (h === HEADER_FINAL) break;
  }
  return out;
}
