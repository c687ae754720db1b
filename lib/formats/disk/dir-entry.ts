// 32-byte FAT directory entries with 8.3 names (Microsoft FAT specification, "Directory Structure").
export const DIR_ENTRY_SIZE = 32;
const OFF_NAME = 0;                              // 8 + 3 name, space padded  11 bytes
const OFF_ATTR = 11;                             // attributes  1 byte
const OFF_NT_CASE = 12;                          // lower-case flags (Windows NT)  1 byte
const OFF_CREATE_CENTIS = 13;                    // creation time, 10 ms units  1 byte
const OFF_CREATE_TIME = 14;                      // 2 bytes
const OFF_CREATE_DATE = 16;                      // 2 bytes
const OFF_ACCESS_DATE = 18;                      // 2 bytes
const OFF_CLUSTER_HIGH = 20;                     // first cluster, high 16 bits  2 bytes
const OFF_WRITE_TIME = 22;                       // 2 bytes
const OFF_WRITE_DATE = 24;                       // 2 bytes
const OFF_CLUSTER_LOW = 26;                      // first cluster, low 16 bits  2 bytes
const OFF_SIZE = 28;                             // file size  4 bytes
export const SHORT_NAME_SIZE = 11;

export const ATTR_READ_ONLY = 0x01;
export const ATTR_HIDDEN = 0x02;
export const ATTR_SYSTEM = 0x04;
export const ATTR_VOLUME_ID = 0x08;
export const ATTR_DIRECTORY = 0x10;
export const ATTR_ARCHIVE = 0x20;
export const ATTR_LONG_NAME = 0x0f;              // RO|HIDDEN|SYSTEM|VOLUME_ID marks an LFN entry
export const ATTR_LONG_NAME_MASK = 0x3f;
export const CASE_LOWER_BASE = 0x08;
export const CASE_LOWER_EXT = 0x10;
export const ENTRY_END = 0x00;                   // first name byte: no entries follow
export const ENTRY_DELETED = 0xe5;
const ENTRY_E5_ESCAPE = 0x05;                    // a name really starting with 0xE5
/** The largest file size a directory entry can hold (4 GiB - 1). */
export const MAX_FILE_SIZE = 0xffffffff;

const FAT_EPOCH_YEAR = 1980;
const FAT_LAST_YEAR = 2107;

export interface FatTimestamp { date: number; time: number; centis: number }

/** A date as FAT date/time words, from its UTC fields (FAT has no zone; UTC keeps builds reproducible). */
export function encodeFatTimestamp(when: Date): FatTimestamp {
  let y = when.getUTCFullYear();
  if (!Number.isFinite(y) || y < FAT_EPOCH_YEAR) return { date: (1 << 5) | 1, time: 0, centis: 0 };
  if (y > FAT_LAST_YEAR) y = FAT_LAST_YEAR;
  const date = ((y - FAT_EPOCH_YEAR) << 9) | ((when.getUTCMonth() + 1) << 5) | when.getUTCDate();
  const s = when.getUTCSeconds();
  const time = (when.getUTCHours() << 11) | (when.getUTCMinutes() << 5) | (s >> 1);
  return { date, time, centis: (s & 1) * 100 + Math.floor(when.getUTCMilliseconds() / 10) };
}

export interface ShortEntry {
  /** The 11 raw name bytes. */
  name: Buffer;
  attr: number;
  caseFlags: number;
  firstCluster: number;
  size: number;
}

export function encodeShortEntry(e: ShortEntry, stamp: FatTimestamp, out: Buffer, offset: number): void {
  out.fill(0, offset, offset + DIR_ENTRY_SIZE);
  e.name.copy(out, offset + OFF_NAME, 0, SHORT_NAME_SIZE);
  out[offset + OFF_ATTR] = e.attr;
  out[offset + OFF_NT_CASE] = e.caseFlags;
  out[offset + OFF_CREATE_CENTIS] = stamp.centis;
  out.writeUInt16LE(stamp.time, offset + OFF_CREATE_TIME);
  out.writeUInt16LE(stamp.date, offset + OFF_CREATE_DATE);
  out.writeUInt16LE(stamp.date, offset + OFF_ACCESS_DATE);
  out.writeUInt16LE(e.firstCluster >>> 16, offset + OFF_CLUSTER_HIGH);
  out.writeUInt16LE(stamp.time, offset + OFF_WRITE_TIME);
  out.writeUInt16LE(stamp.date, offset + OFF_WRITE_DATE);
  out.writeUInt16LE(e.firstCluster & 0xffff, offset + OFF_CLUSTER_LOW);
  out.writeUInt32LE(e.size >>> 0, offset + OFF_SIZE);
}

/** Reads the entry at `offset` (the caller has checked it is neither free, deleted nor LFN). */
export function parseShortEntry(buf: Buffer, offset: number): ShortEntry {
  return {
    name: Buffer.from(buf.subarray(offset + OFF_NAME, offset + OFF_NAME + SHORT_NAME_SIZE)),
    attr: buf[offset + OFF_ATTR] ?? 0,
    caseFlags: buf[offset + OFF_NT_CASE] ?? 0,
    firstCluster: (buf.readUInt16LE(offset + OFF_CLUSTER_HIGH) << 16 | buf.readUInt16LE(offset + OFF_CLUSTER_LOW)) >>> 0,
    size: buf.readUInt32LE(offset + OFF_SIZE),
  };
}

export function entryAttr(buf: Buffer, offset: number): number {
  return buf[offset + OFF_ATTR] ?? 0;
}

/** "NAME.EXT" from 11 name bytes, honouring the NT lower-case flags. Bytes above 0x7F read as Latin-1. */
export function decodeShortName(name: Buffer, caseFlags: number): string {
  const raw = Buffer.from(name);
  if (raw[0] === ENTRY_E5_ESCAPE) raw[0] = ENTRY_DELETED;
  let base = raw.toString('latin1', 0, 8).trimEnd();
  let ext = raw.toString('latin1', 8, 11).trimEnd();
  if (caseFlags & CASE_LOWER_BASE) base = base.toLowerCase();
  if (caseFlags & CASE_LOWER_EXT) ext = ext.toLowerCase();
  return ext ? `${base}.${ext}` : base;
}

/** The 11-byte name field of a volume label entry or BPB label. */
export function labelBytes(label: string): Buffer {
  return Buffer.from(label.padEnd(SHORT_NAME_SIZE, ' '), 'latin1');
}
