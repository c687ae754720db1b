// The 24-byte resource header ("reshdr") that locates every resource in a WIM
// (wimlib struct wim_reshdr_disk; MS-WIM "RESHDR_DISK_SHORT").
import { need, putU64, u64, view, wimError } from './bytes.js';

export const RESHDR_SIZE = 24;
export const RESHDR_FLAG_FREE = 0x01;       // unused space; ignored
export const RESHDR_FLAG_METADATA = 0x02;   // metadata resource, blob table, XML
export const RESHDR_FLAG_COMPRESSED = 0x04; // chunked and compressed with the WIM's codec
export const RESHDR_FLAG_SPANNED = 0x08;    // ignored
export const RESHDR_FLAG_SOLID = 0x10;      // solid (LZMS/ESD) resource: not supported

const MAX_SIZE_56 = 2 ** 56 - 1;

export interface ResourceHeader {
  /** Stored bytes in the file, chunk table included. 56 bits. */
  sizeInWim: number;
  flags: number;
  /** Byte offset of the resource from the start of the file. */
  offset: number;
  /** Uncompressed size. */
  originalSize: number;
}

export const EMPTY_RESHDR: ResourceHeader = Object.freeze({ sizeInWim: 0, flags: 0, offset: 0, originalSize: 0 });

export function encodeResourceHeader(r: ResourceHeader, out: Uint8Array = new Uint8Array(RESHDR_SIZE), at = 0): Uint8Array {
  if (r.sizeInWim < 0 || r.sizeInWim > MAX_SIZE_56) throw new RangeError(`resource size ${r.sizeInWim} does not fit 56 bits`);
  // size in wim  7 bytes, flags  1 byte
  putU64(out, at, r.sizeInWim);
  out[at + 7] = r.flags & 0xff;
  putU64(out, at + 8, r.offset);        // offset         8 bytes
  putU64(out, at + 16, r.originalSize); // original size  8 bytes
  return out;
}

export function decodeResourceHeader(buf: Uint8Array, at = 0, what = 'resource header'): ResourceHeader {
  need(buf, at, RESHDR_SIZE, what);
  const dv = view(buf);
  const sizeInWim = Number(dv.getBigUint64(at, true) & 0x00ff_ffff_ffff_ffffn);
  const flags = buf[at + 7] ?? 0;
  const offset = u64(buf, at + 8, `${what} offset`);
  const originalSize = u64(buf, at + 16, `${what} original size`);
  return { sizeInWim, flags, offset, originalSize };
}

export function isEmptyResource(r: ResourceHeader): boolean {
  return r.sizeInWim === 0 && r.offset === 0 && r.originalSize === 0;
}

/** Checks a resource lies inside a file of `fileSize` bytes and obeys the uncompressed-size rule. */
export function checkResourceBounds(r: ResourceHeader, fileSize: number, what: string): void {
  if (r.offset + r.sizeInWim > fileSize) {
    throw wimError(`${what} lies outside the file (offset ${r.offset} + ${r.sizeInWim} bytes > file size ${fileSize}); the WIM is truncated or corrupt`);
  }
  if (!(r.flags & RESHDR_FLAG_COMPRESSED) && r.sizeInWim !== r.originalSize) {
    throw wimError(`${what} is uncompressed but its stored size ${r.sizeInWim} differs from its original size ${r.originalSize}`);
  }
  if (r.flags & RESHDR_FLAG_SOLID) throw wimError(`${what} is a solid (ESD/LZMS) resource, which is not supported`);
}
