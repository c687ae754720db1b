// ECMA-167 4/14.4 File Identifier Descriptor: a directory's data is a run of these, the first
// one naming the parent. Each is padded to a multiple of 4 bytes and may cross block boundaries.
import { FormatError } from '../../../errors.js';
import { SECTOR } from '../directory-record.js';
import { TAG_FID, readTag, writeTag } from './tag.js';
import { cs0Length, fromCs0, writeCs0, writeLongAd, readLongAd } from './primitives.js';

export const FID_FIXED = 38;
export const CHAR_DIRECTORY = 0x02;
export const CHAR_DELETED = 0x04;
export const CHAR_PARENT = 0x08;

/** Bytes a FID takes for a name of `name` (CS0-encoded length). */
export function fidLength(nameBytes: number): number {
  return (FID_FIXED + nameBytes + 3) & ~3;
}

/**
 * Writes a FID at off in buf (which must hold it whole); block is the partition block where the
 * FID starts (its tag location); icbBlock the File Entry it points at.
 */
export function writeFid(buf: Buffer, off: number, block: number, characteristics: number, name: string, icbBlock: number): number {
  const nameLength = cs0Length(name);
  const len = fidLength(nameLength);
  buf.fill(0, off, off + len);
  buf.writeUInt16LE(1, off + 16);                 // file version number   2 bytes
  buf[off + 18] = characteristics;                // file characteristics  1 byte
  buf[off + 19] = nameLength;                     // length of identifier  1 byte
  writeLongAd(buf, off + 20, SECTOR, icbBlock);   // ICB                  16 bytes
  buf.writeUInt16LE(0, off + 36);                 // implementation use length 2 bytes
  writeCs0(buf, off + FID_FIXED, name);           // file identifier (+ padding)
  writeTag(buf, off, TAG_FID, block, len);
  return len;
}

export interface DecodedFid { characteristics: number; name: string; icbBlock: number; length: number }

/** Reads the FID at off; `block` is the partition block that holds off (for the tag check). */
export function readFid(buf: Buffer, off: number, block: number): DecodedFid {
  if (off + FID_FIXED > buf.length) throw new FormatError('udf', 'file identifier is truncated');
  readTag(buf.subarray(off), 0, TAG_FID, block);
  const nameLen = buf[off + 19]!;
  const iuLen = buf.readUInt16LE(off + 36);
  const length = (FID_FIXED + iuLen + nameLen + 3) & ~3;
  if (off + FID_FIXED + iuLen + nameLen > buf.length) throw new FormatError('udf', 'file identifier overruns its directory');
  const start = off + FID_FIXED + iuLen;
  return {
    characteristics: buf[off + 18]!,
    name: fromCs0(buf.subarray(start, start + nameLen)),
    icbBlock: readLongAd(buf, off + 20).block,
    length,
  };
}
