// ECMA-119 9.4 path table: every directory in breadth-first order (by level, then parent
// number, then identifier), 1-based numbers. Written twice: L (little-endian) and M (big-endian).
import { FormatError } from '../../errors.js';

export interface PathTableEntry {
  id: Buffer;          // 0x00 for the root
  lba: number;
  parent: number;      // 1-based; the root is its own parent (1)
}

export const PATH_ENTRY_FIXED = 8;
/** Path table entries hold 16-bit parent numbers: at most 65,535 directories. */
export const MAX_DIRECTORIES = 0xffff;

export function pathEntryLength(idLength: number): number {
  return PATH_ENTRY_FIXED + idLength + (idLength % 2);
}

export function pathTableSize(entries: readonly PathTableEntry[]): number {
  let n = 0;
  for (const e of entries) n += pathEntryLength(e.id.length);
  return n;
}

/** Encodes one table; bigEndian selects the M form. */
export function encodePathTable(entries: readonly PathTableEntry[], bigEndian: boolean): Buffer {
  const buf = Buffer.alloc(pathTableSize(entries));
  let off = 0;
  for (const e of entries) {
    buf[off] = e.id.length;                    // directory identifier length 1 byte
    buf[off + 1] = 0;                          // extended attribute length   1 byte
    if (bigEndian) {
      buf.writeUInt32BE(e.lba, off + 2);       // extent location             4 bytes
      buf.writeUInt16BE(e.parent, off + 6);    // parent directory number     2 bytes
    } else {
      buf.writeUInt32LE(e.lba, off + 2);
      buf.writeUInt16LE(e.parent, off + 6);
    }
    e.id.copy(buf, off + 8);                   // directory identifier (+ pad to even)
    off += pathEntryLength(e.id.length);
  }
  return buf;
}

/** Decodes an L table (the reader uses it only to cross-check). */
export function decodePathTable(buf: Buffer): PathTableEntry[] {
  const out: PathTableEntry[] = [];
  let off = 0;
  while (off + PATH_ENTRY_FIXED <= buf.length) {
    const len = buf[off]!;
    if (len === 0) throw new FormatError('iso', `path table entry ${out.length + 1} has an empty identifier`);
    if (off + pathEntryLength(len) > buf.length) throw new FormatError('iso', 'path table entry overruns the table');
    out.push({ id: Buffer.from(buf.subarray(off + 8, off + 8 + len)), lba: buf.readUInt32LE(off + 2), parent: buf.readUInt16LE(off + 6) });
    off += pathEntryLength(len);
  }
  return out;
}
