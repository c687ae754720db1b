// ECMA-119 9.1 directory record, shared by the ISO 9660 and Joliet trees.
import { FormatError } from '../../errors.js';
import { readBoth32, writeBoth16, writeBoth32 } from './both-endian.js';
import { readRecordDate, writeRecordDate, RECORD_DATE_SIZE } from './iso-date.js';

export const SECTOR = 2048;
export const DIR_RECORD_FIXED = 33;
export const FLAG_HIDDEN = 0x01;
export const FLAG_DIRECTORY = 0x02;
export const FLAG_MULTI_EXTENT = 0x80;
/** Largest extent of a multi-extent file: 4 GiB less one sector, a whole number of sectors. */
export const MAX_EXTENT = 0xffff_f800;

export interface DirectoryRecord {
  lba: number;
  size: number;
  flags: number;
  /** Identifier bytes: 0x00 for ".", 0x01 for "..", else the name (with ";1" for files). */
  id: Buffer;
  date?: Date | undefined;
}

/** Record length: 33 + identifier, padded to an even length. */
export function recordLength(idLength: number): number {
  return DIR_RECORD_FIXED + idLength + (idLength % 2 === 0 ? 1 : 0);
}

/** The 7-byte recording date, computed once per image and copied into every record. */
export function recordDateBytes(date: Date): Buffer {
  const b = Buffer.alloc(RECORD_DATE_SIZE);
  writeRecordDate(b, 0, date);
  return b;
}

function writeFixed(buf: Buffer, off: number, len: number, lba: number, size: number, flags: number, idLength: number, date: Buffer): void {
  // every byte of the record is written (no range fill: a native call per record was a hot spot)
  if (len > DIR_RECORD_FIXED + idLength) buf[off + len - 1] = 0; // padding byte after an even-length id
  buf[off] = len;                              // record length            1 byte
  buf[off + 1] = 0;                            // extended attribute length 1 byte
  writeBoth32(buf, off + 2, lba);              // extent location          8 bytes
  writeBoth32(buf, off + 10, size);            // data length              8 bytes
  for (let i = 0; i < 7; i++) buf[off + 18 + i] = date[i]!; // recording date  7 bytes
  buf[off + 25] = flags;                       // file flags               1 byte
  buf[off + 26] = 0;                           // file unit size           1 byte
  buf[off + 27] = 0;                           // interleave gap           1 byte
  writeBoth16(buf, off + 28, 1);               // volume sequence number   4 bytes
  buf[off + 32] = idLength;                    // identifier length        1 byte
}

/**
 * Writes a record whose identifier is text: latin-1 bytes (ISO 9660) or UTF-16BE (Joliet),
 * straight into buf (no per-record allocation). Returns its length.
 */
export function writeNamedRecord(buf: Buffer, off: number, lba: number, size: number, flags: number, name: string, joliet: boolean, date: Buffer): number {
  const idLength = joliet ? 2 * name.length : name.length;
  const len = recordLength(idLength);
  writeFixed(buf, off, len, lba, size, flags, idLength, date);
  // short names: byte loops beat native write calls here (tens of thousands of records)
  const at = off + 33;
  if (joliet) {
    for (let i = 0; i < name.length; i++) {
      const c = name.charCodeAt(i);
      buf[at + 2 * i] = c >> 8;
      buf[at + 2 * i + 1] = c & 0xff;
    }
  } else {
    for (let i = 0; i < name.length; i++) buf[at + i] = name.charCodeAt(i);
  }
  return len;
}

/** Writes a record at off; returns its length. */
export function writeDirectoryRecord(buf: Buffer, off: number, r: DirectoryRecord, date: Date | Buffer): number {
  const len = recordLength(r.id.length);
  writeFixed(buf, off, len, r.lba, r.size, r.flags, r.id.length, date instanceof Date ? recordDateBytes(date) : date);
  r.id.copy(buf, off + 33);                    // identifier (+ pad)
  return len;
}

/**
 * Reads the record at off inside one directory sector. Returns undefined at a zero length byte
 * (the rest of the sector is padding); throws FormatError when the record breaks the format.
 */
export function readDirectoryRecord(buf: Buffer, off: number, limit: number): DirectoryRecord | undefined {
  const len = buf[off] ?? 0;
  if (len === 0) return undefined;
  if (len < DIR_RECORD_FIXED + 1 || off + len > limit) throw new FormatError('iso', `directory record at byte ${off} has a bad length ${len}`);
  const idLen = buf[off + 32]!;
  if (DIR_RECORD_FIXED + idLen > len) throw new FormatError('iso', `directory record at byte ${off}: identifier overruns the record`);
  return {
    lba: readBoth32(buf, off + 2),
    size: readBoth32(buf, off + 10),
    flags: buf[off + 25]!,
    id: Buffer.from(buf.subarray(off + 33, off + 33 + idLen)),
    date: readRecordDate(buf, off + 18),
  };
}
