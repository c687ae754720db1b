// The integrity table: SHA-1 of every 10 MiB slice of [208, end of blob table)
// (wimlib src/integrity.c): u32 size, u32 count, u32 chunk size, count x SHA-1.
import { need, putU32, SHA1_SIZE, u32, wimError } from './bytes.js';

export const INTEGRITY_CHUNK_SIZE = 10 * 1024 * 1024;
const INTEGRITY_HEADER_SIZE = 12;

export interface IntegrityTable { chunkSize: number; hashes: Uint8Array[] }

export function encodeIntegrity(t: IntegrityTable): Uint8Array {
  const size = INTEGRITY_HEADER_SIZE + t.hashes.length * SHA1_SIZE;
  const b = new Uint8Array(size);
  putU32(b, 0, size);               // table size  4 bytes
  putU32(b, 4, t.hashes.length);    // entries     4 bytes
  putU32(b, 8, t.chunkSize);        // chunk size  4 bytes
  t.hashes.forEach((h, i) => b.set(h, INTEGRITY_HEADER_SIZE + i * SHA1_SIZE));
  return b;
}

/** Decodes a table meant to cover `coveredBytes` bytes, checking its counts. */
export function decodeIntegrity(b: Uint8Array, coveredBytes: number): IntegrityTable {
  const size = u32(b, 0, 'integrity table size');
  const n = u32(b, 4, 'integrity entry count');
  const chunkSize = u32(b, 8, 'integrity chunk size');
  if (size !== b.length || size !== INTEGRITY_HEADER_SIZE + n * SHA1_SIZE) throw wimError(`integrity table size ${size} does not match its ${n} entries`);
  if (chunkSize === 0) throw wimError('integrity table has chunk size 0');
  if (n !== Math.ceil(coveredBytes / chunkSize)) throw wimError(`integrity table has ${n} entries, expected ${Math.ceil(coveredBytes / chunkSize)}`);
  need(b, INTEGRITY_HEADER_SIZE, n * SHA1_SIZE, 'integrity hashes');
  const hashes: Uint8Array[] = [];
  for (let i = 0; i < n; i++) hashes.push(b.slice(INTEGRITY_HEADER_SIZE + i * SHA1_SIZE, INTEGRITY_HEADER_SIZE + (i + 1) * SHA1_SIZE));
  return { chunkSize, hashes };
}
