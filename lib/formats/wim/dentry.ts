// One directory entry (DIRENTRY, 102 fixed bytes + names + tagged items, Align8) and the extra
// stream entries (STREAMENTRY, 38 fixed bytes + name, Align8) that follow it
// (wimlib struct wim_dentry_on_disk, struct wim_extra_stream_entry_on_disk; MS-WIM).
import { align8, need, SHA1_SIZE, u16, u32, u64, u64big, utf16, view, wimError } from './bytes.js';

export const DENTRY_FIXED_SIZE = 102;
export const STREAM_ENTRY_FIXED_SIZE = 38;
/** A length this small marks the end of a directory's child list. */
export const END_OF_DIR_MAX = 8;

export const FILE_ATTRIBUTE_READONLY = 0x1;
export const FILE_ATTRIBUTE_HIDDEN = 0x2;
export const FILE_ATTRIBUTE_SYSTEM = 0x4;
export const FILE_ATTRIBUTE_DIRECTORY = 0x10;
export const FILE_ATTRIBUTE_ARCHIVE = 0x20;
export const FILE_ATTRIBUTE_NORMAL = 0x80;
export const FILE_ATTRIBUTE_SPARSE_FILE = 0x200;
export const FILE_ATTRIBUTE_REPARSE_POINT = 0x400;
export const FILE_ATTRIBUTE_ENCRYPTED = 0x4000;

export const NO_SECURITY_ID = -1;

export interface DiskStream {
  /** '' for the unnamed stream. */
  name: string;
  hash: Uint8Array;
}

export interface DiskDentry {
  attributes: number;
  /** Index into the security data, -1 = none. */
  securityId: number;
  /** Offset of the child list in the metadata resource; 0 for files. */
  subdirOffset: number;
  creationTime: bigint;
  lastAccessTime: bigint;
  lastWriteTime: bigint;
  mainHash: Uint8Array;
  /** With FILE_ATTRIBUTE_REPARSE_POINT: the reparse tag and flags; else the hard link group. */
  reparseTag: number;
  rpFlags: number;
  hardLinkId: bigint;
  name: string;
  shortName: string;
  /** Tagged items after the names (wimlib UNIX data, object ids), carried as raw bytes. */
  tagged: Uint8Array;
  streams: DiskStream[];
}

function nameBytes(s: string): number { return s.length * 2; }

/** Length field of the dentry: fixed part, names with terminators, tagged items; Align8. */
export function dentryLength(d: DiskDentry): number {
  const n = nameBytes(d.name);
  const s = nameBytes(d.shortName);
  return align8(align8(DENTRY_FIXED_SIZE + (n ? n + 2 : 0) + (s ? s + 2 : 0)) + d.tagged.length);
}

function streamEntryLength(st: DiskStream): number {
  const n = nameBytes(st.name);
  return align8(STREAM_ENTRY_FIXED_SIZE + (n ? n + 2 : 0));
}

/** Bytes the dentry and its extra stream entries occupy. */
export function dentryTotalSize(d: DiskDentry): number {
  let size = dentryLength(d);
  for (const st of d.streams) size += streamEntryLength(st);
  return size;
}

/**
 * Writes the dentry and its stream entries at `at` (buffer zeroed); returns the end offset.
 * One DataView and names copied by a loop: an image's metadata is written in one go, and
 * per-field views, BigInt conversions and native string writes were most of its cost.
 */
export function writeDentry(b: Uint8Array, at: number, d: DiskDentry): number {
  const len = dentryLength(d);
  const nlen = nameBytes(d.name);
  const slen = nameBytes(d.shortName);
  if (nlen > 0xfffe || slen > 0xfffe || d.streams.length > 0xffff) throw new RangeError('dentry name or stream count too large');
  const v = view(b);
  setU64(v, at, len);                                  // length          8 bytes
  v.setUint32(at + 0x08, d.attributes >>> 0, true);    // attributes      4 bytes
  v.setInt32(at + 0x0c, d.securityId, true);           // security id     4 bytes
  setU64(v, at + 0x10, d.subdirOffset);                // subdir offset   8 bytes
  //                                                      reserved       16 bytes
  v.setBigUint64(at + 0x28, d.creationTime, true);     // creation time   8 bytes
  v.setBigUint64(at + 0x30, d.lastAccessTime, true);   // access time     8 bytes
  v.setBigUint64(at + 0x38, d.lastWriteTime, true);    // write time      8 bytes
  b.set(d.mainHash, at + 0x40);                        // main hash      20 bytes
  //                                                      unknown         4 bytes
  if (d.attributes & FILE_ATTRIBUTE_REPARSE_POINT) {
    v.setUint32(at + 0x58, d.reparseTag >>> 0, true);  // reparse tag     4 bytes
    v.setUint16(at + 0x5e, d.rpFlags, true);           // reserved 2, rp flags 2 bytes
  } else {
    v.setBigUint64(at + 0x58, d.hardLinkId, true);     // hard link id    8 bytes
  }
  v.setUint16(at + 0x60, d.streams.length, true);      // stream count    2 bytes
  v.setUint16(at + 0x62, slen, true);                  // short name len  2 bytes
  v.setUint16(at + 0x64, nlen, true);                  // name len        2 bytes
  let p = at + DENTRY_FIXED_SIZE;
  if (nlen) p = putName(b, p, d.name) + 2;
  if (slen) p = putName(b, p, d.shortName) + 2;
  p = at + align8(p - at);
  b.set(d.tagged, p);
  p = at + len;
  for (const st of d.streams) {
    const sl = streamEntryLength(st);
    setU64(v, p, sl);                                  // length          8 bytes
    //                                                    reserved        8 bytes
    b.set(st.hash, p + 16);                            // hash           20 bytes
    v.setUint16(p + 36, nameBytes(st.name), true);     // name len        2 bytes
    if (st.name) putName(b, p + STREAM_ENTRY_FIXED_SIZE, st.name);
    p += sl;
  }
  return p;
}

/** A non-negative safe integer as a little-endian u64. */
function setU64(v: DataView, at: number, n: number): void {
  v.setUint32(at, n % 0x100000000, true);
  v.setUint32(at + 4, Math.floor(n / 0x100000000), true);
}

/** A name as UTF-16LE code units at `at`; returns its end. */
function putName(b: Uint8Array, at: number, name: string): number {
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    b[at++] = c;
    b[at++] = c >>> 8;
  }
  return at;
}

export function encodeDentry(d: DiskDentry): Uint8Array {
  const b = new Uint8Array(dentryTotalSize(d));
  writeDentry(b, 0, d);
  return b;
}

/**
 * Reads the dentry at `at`. Returns null at an end-of-directory marker. Checks every length
 * against the buffer; `end` is where the next sibling starts.
 */
export function readDentry(b: Uint8Array, at: number): { dentry: DiskDentry; end: number } | null {
  const len = u64(b, at, 'dentry length');
  if (len <= END_OF_DIR_MAX) return null;
  if (len < DENTRY_FIXED_SIZE) throw wimError(`dentry at offset ${at} has length ${len}, less than ${DENTRY_FIXED_SIZE}`);
  need(b, at, len, `dentry at offset ${at}`);
  const nlen = u16(b, at + 0x64, 'name length');
  const slen = u16(b, at + 0x62, 'short name length');
  const nstreams = u16(b, at + 0x60, 'stream count');
  const namesEnd = DENTRY_FIXED_SIZE + (nlen ? nlen + 2 : 0) + (slen ? slen + 2 : 0);
  if (namesEnd > len) throw wimError(`dentry at offset ${at}: names (${namesEnd} bytes) overrun its length ${len}`);
  const name = utf16(b, at + DENTRY_FIXED_SIZE, nlen, 'dentry name');
  const shortName = utf16(b, at + DENTRY_FIXED_SIZE + (nlen ? nlen + 2 : 0), slen, 'dentry short name');
  const attributes = u32(b, at + 0x08, 'attributes');
  const isReparse = (attributes & FILE_ATTRIBUTE_REPARSE_POINT) !== 0;
  const taggedStart = Math.min(align8(namesEnd), len);
  const d: DiskDentry = {
    attributes,
    securityId: view(b).getInt32(at + 0x0c, true),
    subdirOffset: u64(b, at + 0x10, 'subdir offset'),
    creationTime: u64big(b, at + 0x28, 'creation time'),
    lastAccessTime: u64big(b, at + 0x30, 'access time'),
    lastWriteTime: u64big(b, at + 0x38, 'write time'),
    mainHash: b.slice(at + 0x40, at + 0x40 + SHA1_SIZE),
    reparseTag: isReparse ? u32(b, at + 0x58, 'reparse tag') : 0,
    rpFlags: isReparse ? u16(b, at + 0x5e, 'reparse flags') : 0,
    hardLinkId: isReparse ? 0n : u64big(b, at + 0x58, 'hard link id'),
    name,
    shortName,
    tagged: b.slice(at + taggedStart, at + len),
    streams: [],
  };
  let p = at + align8(len);
  for (let i = 0; i < nstreams; i++) {
    const sl = u64(b, p, 'stream entry length');
    if (sl < STREAM_ENTRY_FIXED_SIZE) throw wimError(`stream entry at offset ${p} has length ${sl}`);
    need(b, p, sl, `stream entry at offset ${p}`);
    const n = u16(b, p + 36, 'stream name length');
    if (STREAM_ENTRY_FIXED_SIZE + n > sl) throw wimError(`stream entry at offset ${p}: name overruns the entry`);
    d.streams.push({ name: utf16(b, p + STREAM_ENTRY_FIXED_SIZE, n, 'stream name'), hash: b.slice(p + 16, p + 16 + SHA1_SIZE) });
    p += align8(sl);
  }
  return { dentry: d, end: p };
}
