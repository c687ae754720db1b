// Worker task: LZX-compress a run of WIM chunks. Each thread keeps one compressor, whose working
// memory (match cache, parse graph) is reused chunk after chunk.
import { UsageError } from '../lib/errors.js';
import { createLzxCompressor, type LzxCompressor } from '../lib/formats/wim/lzx-compress.js';
import { LZX_WINDOW_SIZE } from '../lib/formats/wim/lzx-constants.js';

export interface LzxCompressTask {
  /** Chunks back to back, each `chunkSize` bytes except possibly the last. */
  data: Uint8Array;
  /** 1..32768; WIM's LZX chunk size is 32768. */
  chunkSize?: number;
}

export interface LzxCompressResult {
  /** The stored chunks back to back: LZX streams, or raw copies where LZX would not be smaller. */
  stored: Uint8Array;
  /** Stored size of each chunk; equal to its uncompressed size exactly when it is stored raw. */
  sizes: Uint32Array;
}

let compressor: LzxCompressor | undefined;

export function lzxCompressChunks(task: LzxCompressTask): LzxCompressResult {
  const { data } = task;
  const chunkSize = task.chunkSize ?? LZX_WINDOW_SIZE;
  if (!Number.isInteger(chunkSize) || chunkSize < 1 || chunkSize > LZX_WINDOW_SIZE) {
    throw new UsageError('ELZX_CHUNK', `lzx: chunkSize must be 1..${LZX_WINDOW_SIZE}, not ${chunkSize}`);
  }
  compressor ??= createLzxCompressor();
  const count = Math.ceil(data.length / chunkSize);
  const sizes = new Uint32Array(count);
  const stored = new Uint8Array(data.length); // never larger: raw copies are the worst case
  let at = 0;
  for (let k = 0; k < count; k++) {
    const chunk = data.subarray(k * chunkSize, Math.min((k + 1) * chunkSize, data.length));
    const z = compressor.compress(chunk);
    const out = z ?? chunk;
    stored.set(out, at);
    sizes[k] = out.length;
    at += out.length;
  }
  return { stored: stored.slice(0, at), sizes };
}
