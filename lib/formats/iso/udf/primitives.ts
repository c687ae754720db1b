// ECMA-167 1/7 and UDF 1.02 2.1 small fields: charspec, dstring (OSTA CS0), regid (entity
// identifier), timestamp, extent_ad, long_ad, short_ad.
import { utf16be, fromUtf16be } from '../joliet-names.js';

export const CHARSPEC_SIZE = 64;
export const REGID_SIZE = 32;
export const TIMESTAMP_SIZE = 12;
export const LONG_AD_SIZE = 16;
export const SHORT_AD_SIZE = 8;
export const UDF_REVISION = 0x0102;
export const OSTA_CS0 = 'OSTA Compressed Unicode';
export const DOMAIN_ID = '*OSTA UDF Compliant';
export const IMPLEMENTATION_ID = '*tsmedia';
/** Domain flags: hard and soft write-protect (a read-only medium). */
export const DOMAIN_FLAGS_WRITE_PROTECT = 0x03;
/** Largest short_ad extent: 30-bit length, whole blocks (UDF 2.3.10: 2^30 - block size). */
export const MAX_AD_EXTENT = 0x3fff_f800;

/** charspec type 0 with "OSTA Compressed Unicode". */
export function writeCharspec(buf: Buffer, off: number): void {
  buf[off] = 0;                               // character set type  1 byte
  buf.write(OSTA_CS0, off + 1, 'latin1');     // character set info 63 bytes
}

/** OSTA CS0 bytes: compression id 8 (one byte per char) when every char fits, else 16 (UTF-16BE). */
export function cs0(s: string): Buffer {
  if (s.length === 0) return Buffer.alloc(0);
  // eslint-disable-next-line no-control-regex
  if (/^[\u0001-\u00ff]*$/.test(s)) return Buffer.concat([Buffer.from([8]), Buffer.from(s, 'latin1')]);
  return Buffer.concat([Buffer.from([16]), utf16be(s)]);
}

/** Writes cs0(s) at off (no allocation); returns its length. */
export function writeCs0(buf: Buffer, off: number, s: string): number {
  const n = cs0Length(s);
  if (n === 0) return 0;
  if (n === 1 + s.length) {
    buf[off] = 8;
    for (let i = 0; i < s.length; i++) buf[off + 1 + i] = s.charCodeAt(i);
  } else {
    buf[off] = 16;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      buf[off + 1 + 2 * i] = c >> 8;
      buf[off + 2 + 2 * i] = c & 0xff;
    }
  }
  return n;
}

/** Length of cs0(s) without building it. */
export function cs0Length(s: string): number {
  if (s.length === 0) return 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0 || c > 0xff) return 1 + 2 * s.length;
  }
  return 1 + s.length;
}

export function fromCs0(b: Buffer): string {
  if (b.length === 0) return '';
  if (b[0] === 8) return b.toString('latin1', 1);
  if (b[0] === 16) return fromUtf16be(b.subarray(1));
  return b.toString('latin1', 1);
}

/** dstring: CS0 text in a fixed field whose last byte holds the used length. Truncates to fit. */
export function writeDstring(buf: Buffer, off: number, size: number, s: string): void {
  let text = s;
  let b = cs0(text);
  while (b.length > size - 1) { text = text.slice(0, -1); b = cs0(text); }
  b.copy(buf, off);
  buf[off + size - 1] = b.length;
}

export function readDstring(buf: Buffer, off: number, size: number): string {
  const len = Math.min(buf[off + size - 1]!, size - 1);
  return fromCs0(buf.subarray(off, off + len));
}

/** regid: flags, 23-byte identifier, 8-byte suffix. */
export function writeRegid(buf: Buffer, off: number, id: string, suffix: readonly number[] = []): void {
  buf[off] = 0;                               // flags                 1 byte
  buf.write(id, off + 1, 23, 'latin1');       // identifier           23 bytes
  for (let i = 0; i < suffix.length && i < 8; i++) buf[off + 24 + i] = suffix[i]!; // suffix 8 bytes
}

/** Suffix of domain and UDF entity ids: UDF revision (LE16) and flags. */
export function udfSuffix(flags = 0): number[] {
  return [UDF_REVISION & 0xff, UDF_REVISION >> 8, flags];
}

/** ECMA-167 1/7.3 timestamp, type 1 (local time) with a 0 offset: UTC. */
export function writeTimestamp(buf: Buffer, off: number, d: Date): void {
  buf.writeUInt16LE(0x1000, off);             // type and time zone    2 bytes
  buf.writeInt16LE(d.getUTCFullYear(), off + 2); // year               2 bytes
  buf[off + 4] = d.getUTCMonth() + 1;         // month                 1 byte
  buf[off + 5] = d.getUTCDate();              // day                   1 byte
  buf[off + 6] = d.getUTCHours();             // hour                  1 byte
  buf[off + 7] = d.getUTCMinutes();           // minute                1 byte
  buf[off + 8] = d.getUTCSeconds();           // second                1 byte
  buf[off + 9] = Math.floor(d.getUTCMilliseconds() / 10); // centiseconds 1 byte
  buf[off + 10] = (d.getUTCMilliseconds() % 10) * 10;     // hundreds of microseconds 1 byte
  buf[off + 11] = 0;                          // microseconds          1 byte
}

export function writeExtentAd(buf: Buffer, off: number, length: number, location: number): void {
  buf.writeUInt32LE(length, off);             // extent length         4 bytes
  buf.writeUInt32LE(location, off + 4);       // extent location       4 bytes
}

/** long_ad: length, lb_addr (block, partition reference), 6 bytes implementation use. */
export function writeLongAd(buf: Buffer, off: number, length: number, block: number, partition = 0): void {
  buf.writeUInt32LE(length, off);             // extent length         4 bytes
  buf.writeUInt32LE(block, off + 4);          // logical block number  4 bytes
  buf.writeUInt16LE(partition, off + 8);      // partition reference   2 bytes
  buf.fill(0, off + 10, off + 16);            // implementation use    6 bytes
}

export function readLongAd(buf: Buffer, off: number): { length: number; block: number; partition: number } {
  return { length: buf.readUInt32LE(off) & 0x3fff_ffff, block: buf.readUInt32LE(off + 4), partition: buf.readUInt16LE(off + 8) };
}
