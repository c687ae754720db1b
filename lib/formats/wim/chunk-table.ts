// The chunk table at the start of a compressed (non-solid) resource: one entry per chunk except
// the first, each the offset of the next chunk's stored bytes relative to the end of the table
// (wimlib src/resource.c). Entries are 8 bytes when the original size exceeds 4 GiB - 1.
import { need, putU32, putU64, u32, u64, wimError } from './bytes.js';

export function chunkCount(originalSize: number, chunkSize: number): number {
  return Math.ceil(originalSize / chunkSize);
}

export function chunkEntrySize(originalSize: number): 4 | 8 {
  return originalSize > 0xffffffff ? 8 : 4;
}

export function chunkTableSize(originalSize: number, chunkSize: number): number {
  return Math.max(0, chunkCount(originalSize, chunkSize) - 1) * chunkEntrySize(originalSize);
}

/** Encodes the table for chunks whose stored sizes are given in order. */
export function encodeChunkTable(storedSizes: readonly number[], originalSize: number): Uint8Array {
  const es = chunkEntrySize(originalSize);
  const b = new Uint8Array(Math.max(0, storedSizes.length - 1) * es);
  let off = 0;
  for (let i = 0; i + 1 < storedSizes.length; i++) {
    off += storedSizes[i] ?? 0;
    if (es === 4) putU32(b, i * 4, off); // chunk offset 4 bytes
    else putU64(b, i * 8, off);          // chunk offset 8 bytes
  }
  return b;
}

export interface ChunkLayout {
  tableSize: number;
  /** Per chunk: offset of its stored bytes from the start of the resource, and stored size. */
  offsets: Float64Array;
  sizes: Float64Array;
}

/**
 * Decodes and checks a chunk table: offsets must rise, every stored size must be 1..uncompressed
 * size of its chunk, and everything must lie within sizeInWim.
 */
export function decodeChunkTable(table: Uint8Array, originalSize: number, sizeInWim: number, chunkSize: number): ChunkLayout {
  const n = chunkCount(originalSize, chunkSize);
  const es = chunkEntrySize(originalSize);
  const tableSize = Math.max(0, n - 1) * es;
  if (tableSize > sizeInWim) throw wimError(`chunk table (${tableSize} bytes) is larger than its resource (${sizeInWim} bytes)`);
  need(table, 0, tableSize, 'chunk table');
  const offsets = new Float64Array(n);
  const sizes = new Float64Array(n);
  const dataSize = sizeInWim - tableSize;
  let prev = 0;
  for (let i = 0; i < n; i++) {
    const start = i === 0 ? 0 : es === 4 ? u32(table, (i - 1) * 4, 'chunk table entry') : u64(table, (i - 1) * 8, 'chunk table entry');
    const end = i + 1 < n ? (es === 4 ? u32(table, i * 4, 'chunk table entry') : u64(table, i * 8, 'chunk table entry')) : dataSize;
    const usize = Math.min(chunkSize, originalSize - i * chunkSize);
    const ssize = end - start;
    if (start < prev || ssize <= 0 || ssize > usize || end > dataSize) {
      throw wimError(`chunk ${i} has an invalid stored size ${ssize} (uncompressed ${usize}); the resource is corrupt`);
    }
    offsets[i] = tableSize + start;
    sizes[i] = ssize;
    prev = end;
  }
  return { tableSize, offsets, sizes };
}
