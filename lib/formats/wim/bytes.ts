// Bounds-checked little-endian reads for WIM structures: every read of untrusted bytes goes
// through here, so a short or hostile buffer becomes a FormatError, never a RangeError.
import { FormatError } from '../../errors.js';

export function wimError(message: string, data: Record<string, unknown> = {}): FormatError {
  return new FormatError('wim', message, data);
}

/** Throws unless buf holds `len` bytes at `off`. */
export function need(buf: Uint8Array, off: number, len: number, what: string): void {
  if (!Number.isSafeInteger(off) || !Number.isSafeInteger(len) || off < 0 || len < 0 || off + len > buf.length) {
    throw wimError(`${what} is truncated or out of bounds (offset ${off}, ${len} bytes, buffer ${buf.length})`);
  }
}

export function view(buf: Uint8Array): DataView {
  return new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
}

export function u16(buf: Uint8Array, off: number, what: string): number {
  need(buf, off, 2, what);
  return view(buf).getUint16(off, true);
}

export function u32(buf: Uint8Array, off: number, what: string): number {
  need(buf, off, 4, what);
  return view(buf).getUint32(off, true);
}

/** A u64 that must fit a safe JS integer (offsets and sizes); larger is corrupt input. */
export function u64(buf: Uint8Array, off: number, what: string): number {
  need(buf, off, 8, what);
  const v = view(buf).getBigUint64(off, true);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw wimError(`${what} is absurdly large (${v})`);
  return Number(v);
}

export function u64big(buf: Uint8Array, off: number, what: string): bigint {
  need(buf, off, 8, what);
  return view(buf).getBigUint64(off, true);
}

export function putU16(buf: Uint8Array, off: number, v: number): void { view(buf).setUint16(off, v, true); }
export function putU32(buf: Uint8Array, off: number, v: number): void { view(buf).setUint32(off, v >>> 0, true); }
export function putU64(buf: Uint8Array, off: number, v: number | bigint): void { view(buf).setBigUint64(off, BigInt(v), true); }

export function align8(n: number): number {
  return Math.ceil(n / 8) * 8;
}

export const SHA1_SIZE = 20;
export const ZERO_HASH: Uint8Array = new Uint8Array(SHA1_SIZE);

export function isZeroHash(h: Uint8Array): boolean {
  for (const b of h) if (b !== 0) return false;
  return true;
}

/** The error for a blob whose bytes do not match its SHA-1. */
export function corruptBlobError(hash: Uint8Array): FormatError {
  return wimError(`stream ${hashHex(hash)} is corrupted (its data does not match its SHA-1)`);
}

export function hashHex(h: Uint8Array): string {
  return Buffer.from(h.buffer, h.byteOffset, h.byteLength).toString('hex');
}

/** UTF-16LE name from bytes; Buffer keeps lone surrogates, which NTFS names may hold. */
export function utf16(buf: Uint8Array, off: number, nbytes: number, what: string): string {
  need(buf, off, nbytes, what);
  if (nbytes % 2 !== 0) throw wimError(`${what} has an odd byte length (${nbytes})`);
  return Buffer.from(buf.buffer, buf.byteOffset + off, nbytes).toString('utf16le');
}
