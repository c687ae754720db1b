// Chunk codecs by name. Each WIM chunk is compressed independently; a codec returns null when it
// cannot make the chunk smaller, and the chunk is then stored raw.
import { TsmediaError } from '../../errors.js';
import { wimError } from './bytes.js';
import type { WimCompression } from './header.js';
import { lzxCompress } from './lzx-compress.js';
import { lzxDecompress } from './lzx-decompress.js';
import { xpressCompress, xpressDecompress } from './xpress.js';

export interface ChunkCodec {
  compress(input: Uint8Array): Uint8Array | null;
  decompress(input: Uint8Array, outSize: number): Uint8Array;
}

const none: ChunkCodec = {
  compress: () => null,
  decompress: () => { throw wimError('a chunk of an uncompressed resource cannot be compressed'); },
};

const codecs: Record<WimCompression, ChunkCodec> = {
  none,
  xpress: { compress: xpressCompress, decompress: xpressDecompress },
  lzx: { compress: lzxCompress, decompress: lzxDecompress },
};

export function codecFor(kind: WimCompression): ChunkCodec {
  return codecs[kind];
}

/** Compresses chunks; an entry is null where the chunk is to be stored raw. */
export function compressChunks(kind: WimCompression, chunks: readonly Uint8Array[]): (Uint8Array | null)[] {
  const c = codecFor(kind);
  return chunks.map((ch) => {
    const out = c.compress(ch);
    return out && out.length < ch.length ? out : null;
  });
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

export interface WimCompressTask { kind: WimCompression; chunks: Uint8Array[] }

/** Pool task (workers/index.ts re-exports it): per chunk, the compressed bytes or null for raw. */
export function wimCompressChunks(task: WimCompressTask): (Uint8Array | null)[] {
  return compressChunks(task.kind, task.chunks);
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
 * Pool task: decompresses independent chunks into one buffer, back to back (one buffer to send
 * back: per-chunk arrays cost more to pass between threads than to decompress), or into `scratch`.
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
