// ECMA-167 3/7.2 descriptor tag (16 bytes) and its CRC (CRC-16 CCITT: polynomial 0x1021,
// initial value 0, not reflected — the "CRC-16/XMODEM" variant).
import { FormatError } from '../../../errors.js';

export const TAG_SIZE = 16;
export const TAG_PVD = 1;
export const TAG_AVDP = 2;
export const TAG_IUVD = 4;
export const TAG_PD = 5;
export const TAG_LVD = 6;
export const TAG_USD = 7;
export const TAG_TD = 8;
export const TAG_LVID = 9;
export const TAG_FSD = 256;
export const TAG_FID = 257;
export const TAG_FE = 261;
/** Descriptor version for NSR02 (UDF 1.02). */
export const DESCRIPTOR_VERSION = 2;

const CRC_TABLE = (() => {
  const t = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i << 8;
    for (let k = 0; k < 8; k++) c = c & 0x8000 ? ((c << 1) ^ 0x1021) & 0xffff : (c << 1) & 0xffff;
    t[i] = c;
  }
  return t;
})();

export function crc16(buf: Buffer, start: number, end: number): number {
  let crc = 0;
  for (let i = start; i < end; i++) crc = ((crc << 8) & 0xffff) ^ CRC_TABLE[((crc >> 8) ^ buf[i]!) & 0xff]!;
  return crc;
}

function checksum(buf: Buffer, off: number): number {
  let s = 0;
  for (let i = 0; i < TAG_SIZE; i++) if (i !== 4) s += buf[off + i]!;
  return s & 0xff;
}

/**
 * Fills the tag at off for a descriptor of `length` bytes (tag included) whose body is already
 * written; location is the sector (volume structures) or partition block (file structures).
 */
export function writeTag(buf: Buffer, off: number, id: number, location: number, length: number): void {
  buf.writeUInt16LE(id, off);                         // tag identifier        2 bytes
  buf.writeUInt16LE(DESCRIPTOR_VERSION, off + 2);     // descriptor version    2 bytes
  buf[off + 5] = 0;                                   // reserved              1 byte
  buf.writeUInt16LE(0, off + 6);                      // tag serial number     2 bytes
  buf.writeUInt16LE(crc16(buf, off + TAG_SIZE, off + length), off + 8); // descriptor CRC 2 bytes
  buf.writeUInt16LE(length - TAG_SIZE, off + 10);     // descriptor CRC length 2 bytes
  buf.writeUInt32LE(location, off + 12);              // tag location          4 bytes
  buf[off + 4] = checksum(buf, off);                  // tag checksum          1 byte
}

export interface Tag { id: number; version: number; crcLength: number; location: number }

/**
 * Reads and verifies a tag: checksum, and the CRC when the covered bytes are in buf. Throws
 * FormatError when `expect` is given and differs, or when the tag is damaged.
 */
export function readTag(buf: Buffer, off: number, expect?: number, location?: number): Tag {
  if (off + TAG_SIZE > buf.length) throw new FormatError('udf', 'descriptor tag is truncated');
  const id = buf.readUInt16LE(off);
  if (buf[off + 4] !== checksum(buf, off)) throw new FormatError('udf', `descriptor tag checksum is wrong (tag ${id})`);
  if (expect !== undefined && id !== expect) throw new FormatError('udf', `expected descriptor ${expect}, found ${id}`);
  const crcLength = buf.readUInt16LE(off + 10);
  const tagLocation = buf.readUInt32LE(off + 12);
  if (location !== undefined && tagLocation !== location) throw new FormatError('udf', `descriptor ${id} records location ${tagLocation}, found at ${location}`);
  if (off + TAG_SIZE + crcLength <= buf.length && crc16(buf, off + TAG_SIZE, off + TAG_SIZE + crcLength) !== buf.readUInt16LE(off + 8)) {
    throw new FormatError('udf', `descriptor ${id} CRC is wrong`);
  }
  return { id, version: buf.readUInt16LE(off + 2), crcLength, location: tagLocation };
}
