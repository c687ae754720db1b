// ECMA-167 4/14.9 File Entry: one 2048-byte block per file and per directory, strategy 4,
// data described by short_ads (partition-relative, at most MAX_AD_EXTENT bytes each).
import { FormatError } from '../../../errors.js';
import { SECTOR } from '../directory-record.js';
import { TAG_FE, readTag, writeTag } from './tag.js';
import { writeRegid, writeTimestamp, IMPLEMENTATION_ID, MAX_AD_EXTENT, SHORT_AD_SIZE } from './primitives.js';

export const FE_FIXED = 176;
export const FILE_TYPE_DIRECTORY = 4;
export const FILE_TYPE_FILE = 5;
const AD_SHORT = 0;
/** Short ads that fit in one File Entry block: a file of up to ~234 GiB. */
export const MAX_SHORT_ADS = Math.floor((SECTOR - FE_FIXED) / SHORT_AD_SIZE);
/** Largest file a single File Entry describes. */
export const MAX_UDF_FILE = MAX_SHORT_ADS * MAX_AD_EXTENT;
// ECMA-167 4/14.9.5 permissions: other bits 0-4, group 5-9, owner 10-14 (x=1, w=2, r=4)
const PERM_FILE = 0x4 | (0x4 << 5) | (0x4 << 10);
const PERM_DIR = 0x5 | (0x5 << 5) | (0x5 << 10);

export interface FileEntryInput {
  block: number;
  directory: boolean;
  size: number;
  /** Partition block of the data (contiguous). */
  dataBlock: number;
  links: number;
  uniqueId: number;
  date: Date;
}

/** Number of short ads a file of `size` bytes needs. */
export function shortAdCount(size: number): number {
  return Math.ceil(size / MAX_AD_EXTENT);
}

// The fields every entry of one image shares (times, ids, permissions) are laid out once per
// (date, kind) and copied: an image holds thousands of File Entries.
let template: { key: string; bytes: Buffer } | undefined;

function templateFor(directory: boolean, date: Date): Buffer {
  const key = `${directory ? 'd' : 'f'}${date.getTime()}`;
  if (template?.key === key) return template.bytes;
  const b = Buffer.alloc(FE_FIXED);
  b.writeUInt32LE(0, 16);                                  // ICB: prior direct entries 4 bytes
  b.writeUInt16LE(4, 20);                                  // ICB: strategy type       2 bytes
  b.writeUInt16LE(1, 24);                                  // ICB: max entries         2 bytes
  b[27] = directory ? FILE_TYPE_DIRECTORY : FILE_TYPE_FILE; // ICB: file type          1 byte
  b.writeUInt16LE(AD_SHORT, 34);                           // ICB: flags               2 bytes
  b.writeUInt32LE(0xffffffff, 36);                         // uid                      4 bytes
  b.writeUInt32LE(0xffffffff, 40);                         // gid                      4 bytes
  b.writeUInt32LE(directory ? PERM_DIR : PERM_FILE, 44);  // permissions              4 bytes
  writeTimestamp(b, 72, date);                             // access time             12 bytes
  writeTimestamp(b, 84, date);                             // modification time       12 bytes
  writeTimestamp(b, 96, date);                             // attribute time          12 bytes
  b.writeUInt32LE(1, 108);                                 // checkpoint               4 bytes
  writeRegid(b, 128, IMPLEMENTATION_ID);                   // implementation id       32 bytes
  b.writeUInt32LE(0, 168);                                 // EA length                4 bytes
  template = { key, bytes: b };
  return b;
}

/** A 64-bit little-endian field from a safe integer (no BigInt on the hot path). */
function writeU64(b: Buffer, off: number, v: number): void {
  b.writeUInt32LE(v % 0x1_0000_0000, off);
  b.writeUInt32LE(Math.floor(v / 0x1_0000_0000), off + 4);
}

/** Encodes a File Entry into b (one block, zeroed first). */
export function encodeFileEntry(b: Buffer, f: FileEntryInput): void {
  const ads = shortAdCount(f.size);
  if (ads > MAX_SHORT_ADS) throw new RangeError(`file of ${f.size} bytes needs ${ads} extents`);
  templateFor(f.directory, f.date).copy(b, 0);
  b.fill(0, FE_FIXED, SECTOR);
  b.writeUInt16LE(f.links, 48);                            // file link count          2 bytes
  writeU64(b, 56, f.size);                                 // information length       8 bytes
  writeU64(b, 64, Math.ceil(f.size / SECTOR));             // logical blocks recorded  8 bytes
  writeU64(b, 160, f.uniqueId);                            // unique id                8 bytes
  b.writeUInt32LE(ads * SHORT_AD_SIZE, 172);               // AD length                4 bytes
  let left = f.size;
  let block = f.dataBlock;
  for (let i = 0; i < ads; i++) {
    const len = Math.min(left, MAX_AD_EXTENT);
    b.writeUInt32LE(len, FE_FIXED + i * SHORT_AD_SIZE);    // short_ad: extent length  4 bytes
    b.writeUInt32LE(block, FE_FIXED + i * SHORT_AD_SIZE + 4); // short_ad: position   4 bytes
    left -= len;
    block += len / SECTOR;
  }
  writeTag(b, 0, TAG_FE, f.block, FE_FIXED + ads * SHORT_AD_SIZE);
}

export interface DecodedFileEntry {
  directory: boolean;
  size: number;
  /** Partition-relative extents, or embedded data. */
  extents: { block: number; length: number }[];
  embedded?: Buffer;
}

/** Decodes a File Entry; supports short_ad and embedded data (what bridges write). */
export function decodeFileEntry(b: Buffer, block: number): DecodedFileEntry {
  readTag(b, 0, TAG_FE, block);
  if (b.length < FE_FIXED) throw new FormatError('udf', 'file entry is truncated');
  const type = b[27]!;
  const flags = b.readUInt16LE(34) & 7;
  const size = Number(b.readBigUInt64LE(56));
  if (!Number.isSafeInteger(size)) throw new FormatError('udf', 'file entry size is out of range');
  const ea = b.readUInt32LE(168);
  const adLen = b.readUInt32LE(172);
  const start = FE_FIXED + ea;
  if (start + adLen > b.length || start + adLen > SECTOR) throw new FormatError('udf', 'file entry descriptors overrun the block');
  const directory = type === FILE_TYPE_DIRECTORY;
  if (flags === 3) return { directory, size, extents: [], embedded: Buffer.from(b.subarray(start, start + Math.min(adLen, size))) };
  if (flags !== AD_SHORT) throw new FormatError('udf', `allocation descriptor type ${flags} is not supported`);
  const extents: { block: number; length: number }[] = [];
  for (let off = start; off + SHORT_AD_SIZE <= start + adLen; off += SHORT_AD_SIZE) {
    const raw = b.readUInt32LE(off);
    const length = raw & 0x3fff_ffff;
    if (length === 0) break;
    if (raw >>> 30 === 3) throw new FormatError('udf', 'allocation extent continuations are not supported');
    extents.push({ block: b.readUInt32LE(off + 4), length });
  }
  return { directory, size, extents };
}
