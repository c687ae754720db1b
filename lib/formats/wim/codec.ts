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

/** Decompresses one stored chunk; stored size == uncompressed size means raw. */
export function decompressChunk(kind: WimCompression, stored: Uint8Array, outSize: number): Uint8Array {
  if (stored.length === outSize) return stored;
  if (stored.length > outSize || stored.length === 0) throw wimError(`chunk stored size ${stored.length} is invalid for ${outSize} bytes`);
  let out: Uint8Array;
  try {
    out = codecFor(kind).decompress(stored, outSize);
  } catch (e) {
    if (e instanceof TsmediaError) throw e;
    throw wimError(`a ${kind.toUpperCase()} chunk does not decompress: ${(e as Error).message}`);
  }
  if (out.length !== outSize) throw wimError(`a ${kind.toUpperCase()} chunk decompressed to ${out.length} bytes, expected ${outSize}`);
  return out;
}

export interface WimCompressTask { kind: WimCompression; chunks: Uint8Array[] }

/** Pool task (workers/index.ts re-exports it): per chunk, the compressed bytes or null for raw. */
export function wimCompressChunks(task: WimCompressTask): (Uint8Array | null)[] {
  return compressChunks(task.kind, task.chunks);
}

export interface WimDecompressTask { kind: WimCompression; chunks: Uint8Array[]; sizes: number[] }

/** Pool task: decompresses independent chunks to their uncompressed sizes. */
export function wimDecompressChunks(task: WimDecompressTask): Uint8Array[] {
  return task.chunks.map((c, i) => decompressChunk(task.kind, c, task.sizes[i] ?? 0));
}
