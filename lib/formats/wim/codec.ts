// Chunk codecs by name. Each WIM chunk is compressed independently; a codec returns null when it
// cannot make the chunk smaller, and the chunk is then stored raw.
import { TsmediaError } from '../../errors.js';
import { wimError } from './bytes.js';
import type { WimCompression } from './header.js';
import { chunkCount, chunkTableSize } from './chunk-table.js';
import { lzxCompressInto } from './lzx-compress.js';
import { lzxDecompress } from './lzx-decompress.js';
import { xpressCompressInto, xpressDecompress } from './xpress.js';

export interface ChunkCodec {
  /** Compresses into the start of `out`: the stored size, or 0 to store the chunk raw. */
  compressInto(input: Uint8Array, out: Uint8Array): number;
  decompress(input: Uint8Array, outSize: number): Uint8Array;
}

const none: ChunkCodec = {
  compressInto: () => 0,
  decompress: () => { throw wimError('a chunk of an uncompressed resource cannot be compressed'); },
};

const codecs: Record<WimCompression, ChunkCodec> = {
  none,
  xpress: { compressInto: xpressCompressInto, decompress: xpressDecompress },
  lzx: { compressInto: lzxCompressInto, decompress: lzxDecompress },
};

export function codecFor(kind: WimCompression): ChunkCodec {
  return codecs[kind];
}

/** Blobs to compress as WIM resources: one pool task. */
export interface WimCompressTask {
  kind: WimCompression;
  chunkSize: number;
  /** The blobs' bytes back to back (moved to the worker: one transfer per task). */
  data: Uint8Array;
  /** Each blob's size, in order; each is cut into chunks from its own start. */
  blobSizes: readonly number[];
  /** The data is one batch of a larger blob, streamed: whether the blob pays is decided later. */
  partial?: boolean;
}

export interface WimCompressResult {
  /**
   * Every chunk as stored, back to back: compressed, or raw where compressing did not make it
   * smaller. A view of the task's own buffer from its start (compressed in place), so the buffer
   * can come back with it and serve again.
   */
  stored: Uint8Array;
  /** Stored size of each chunk; equal to its uncompressed size exactly when it is stored raw. */
  chunkSizes: Uint32Array;
}

/** One blob's chunks as stored, before they replace the blob in the task's buffer. */
let blobScratch = new Uint8Array(0);

/**
 * Compresses blobs chunk by chunk, in place: the stored chunks replace the data. A whole blob
 * whose chunk table and chunks would not be smaller than the blob has all its chunks stored raw,
 * so its stored bytes are the blob itself (written uncompressed, as wimlib does and WOF requires).
 * Deterministic: the bytes decide.
 */
export function compressBlobs(task: WimCompressTask): WimCompressResult {
  const { kind, chunkSize, data, blobSizes } = task;
  if (!Number.isInteger(chunkSize) || chunkSize < 1) throw new TsmediaError('EWIM_INTERNAL', `chunk size ${chunkSize} is not a positive integer`);
  let chunkTotal = 0;
  let byteTotal = 0;
  let largest = 0;
  for (const size of blobSizes) {
    chunkTotal += chunkCount(size, chunkSize);
    byteTotal += size;
    if (size > largest) largest = size;
  }
  if (byteTotal !== data.length) throw new TsmediaError('EWIM_INTERNAL', `blob sizes add up to ${byteTotal} bytes, the task holds ${data.length}`);
  if (blobScratch.length < largest) blobScratch = new Uint8Array(largest);
  const codec = codecFor(kind);
  const chunkSizes = new Uint32Array(chunkTotal);
  let from = 0; // where the next blob's data starts
  let at = 0; // where its stored chunks go (never after `from`: a chunk is never stored larger)
  let k = 0;
  for (const size of blobSizes) {
    const firstChunk = k;
    let storedSize = 0;
    for (let off = 0; off < size; off += chunkSize) {
      const chunk = data.subarray(from + off, from + Math.min(size, off + chunkSize));
      let n = codec.compressInto(chunk, blobScratch.subarray(storedSize, storedSize + chunk.length - 1));
      if (n === 0) {
        blobScratch.set(chunk, storedSize);
        n = chunk.length;
      }
      chunkSizes[k++] = n;
      storedSize += n;
    }
    if (!task.partial && storedSize < size && chunkTableSize(size, chunkSize) + storedSize >= size) {
      data.copyWithin(at, from, from + size);
      at += size;
      for (let j = firstChunk; j < k; j++) chunkSizes[j] = Math.min(chunkSize, size - (j - firstChunk) * chunkSize);
    } else {
      data.set(blobScratch.subarray(0, storedSize), at);
      at += storedSize;
    }
    from += size;
  }
  return { stored: data.subarray(0, at), chunkSizes };
}

/**
 * Decompresses one stored chunk; stored size == uncompressed size means raw. With `into` (at
 * least outSize bytes), the result is written there (LZX decodes in place) and returned as its
 * first outSize bytes.
 */
export function decompressChunk(kind: WimCompression, stored: Uint8Array, outSize: number, into?: Uint8Array): Uint8Array {
  if (stored.length === outSize) {
    if (!into) return stored;
    into.set(stored);
    return into.subarray(0, outSize);
  }
  if (stored.length > outSize || stored.length === 0) throw wimError(`chunk stored size ${stored.length} is invalid for ${outSize} bytes`);
  let out: Uint8Array;
  try {
    out = kind === 'lzx' ? lzxDecompress(stored, outSize, into) : codecFor(kind).decompress(stored, outSize);
  } catch (e) {
    if (e instanceof TsmediaError) throw e;
    throw wimError(`a ${kind.toUpperCase()} chunk does not decompress: ${(e as Error).message}`);
  }
  if (out.length !== outSize) throw wimError(`a ${kind.toUpperCase()} chunk decompressed to ${out.length} bytes, expected ${outSize}`);
  if (into && out.buffer !== into.buffer) into.set(out);
  return into ? into.subarray(0, outSize) : out;
}

export interface WimDecompressTask {
  kind: WimCompression;
  /** Stored chunks back to back (one buffer, so one transfer to the worker). */
  stored: Uint8Array;
  /** Stored size of each chunk. */
  storedSizes: number[];
  /** Uncompressed size of each chunk. */
  sizes: number[];
}

/**
 * Decompresses independent chunks into one buffer, back to back, or into `scratch` (apply's pool
 * task runs it: one buffer to send back, as per-chunk arrays cost more to pass between threads
 * than to decompress).
 */
export function wimDecompressChunks(task: WimDecompressTask, scratch?: Uint8Array): Uint8Array {
  const { kind, stored, storedSizes, sizes } = task;
  if (storedSizes.length !== sizes.length) throw wimError(`${storedSizes.length} stored sizes for ${sizes.length} chunks`);
  let total = 0;
  for (const n of sizes) total += n;
  // `scratch`, when large enough, is reused (the caller's buffer) instead of a new one
  const out = scratch && scratch.length >= total ? scratch.subarray(0, total) : new Uint8Array(total);
  let at = 0;
  let from = 0;
  for (let i = 0; i < sizes.length; i++) {
    const ssize = storedSizes[i]!;
    const usize = sizes[i]!;
    if (ssize > stored.length - from) throw wimError(`chunk ${i} claims ${ssize} stored bytes, ${stored.length - from} left`);
    decompressChunk(kind, stored.subarray(from, from + ssize), usize, out.subarray(at, at + usize));
    from += ssize;
    at += usize;
  }
  return out;
}
