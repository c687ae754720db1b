// The security data block at the start of a metadata resource: the image's self-relative
// SECURITY_DESCRIPTORs, indexed by the dentries' security_id (wimlib struct wim_security_data_disk).
import { align8, need, putU32, putU64, u32, u64, wimError } from './bytes.js';

const SECURITY_HEADER_SIZE = 8; // total length 4 bytes, entry count 4 bytes
const MAX_ENTRIES = 0x80000000;

export interface SecurityData {
  descriptors: Uint8Array[];
  /** Bytes the block occupies, padding included (the root dentry follows). */
  totalLength: number;
}

export function encodeSecurity(descriptors: readonly Uint8Array[]): Uint8Array {
  let len = SECURITY_HEADER_SIZE + descriptors.length * 8;
  for (const d of descriptors) len += d.length;
  const total = align8(len);
  const b = new Uint8Array(total);
  putU32(b, 0, total);                                          // total length 4 bytes
  putU32(b, 4, descriptors.length);                             // entry count  4 bytes
  let at = SECURITY_HEADER_SIZE;
  for (const d of descriptors) { putU64(b, at, d.length); at += 8; } // sizes 8 bytes each
  for (const d of descriptors) { b.set(d, at); at += d.length; }      // descriptors back to back
  return b;
}

export function decodeSecurity(buf: Uint8Array): SecurityData {
  let total = u32(buf, 0, 'security data length');
  const count = u32(buf, 4, 'security descriptor count');
  if (total === 0) total = SECURITY_HEADER_SIZE;
  if (count > MAX_ENTRIES || SECURITY_HEADER_SIZE + count * 8 > total) {
    throw wimError(`security data claims ${count} descriptors, more than its ${total} bytes can hold`);
  }
  need(buf, 0, total, 'security data');
  const sizes: number[] = [];
  let sum = SECURITY_HEADER_SIZE + count * 8;
  for (let i = 0; i < count; i++) {
    const s = u64(buf, SECURITY_HEADER_SIZE + i * 8, 'security descriptor size');
    if (s > 0xffffffff) throw wimError(`security descriptor ${i} size ${s} is absurd`);
    sum += s;
    if (sum > total) throw wimError('security descriptors overrun the security data block');
    sizes.push(s);
  }
  const descriptors: Uint8Array[] = [];
  let at = SECURITY_HEADER_SIZE + count * 8;
  for (const s of sizes) { descriptors.push(buf.slice(at, at + s)); at += s; }
  return { descriptors, totalLength: align8(total) };
}
