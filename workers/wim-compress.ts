// Worker task: compress a batch of WIM chunks with one codec (entry point only; work in lib/).
import { compressChunks } from '../lib/formats/wim/codec.js';
import type { WimCompression } from '../lib/formats/wim/header.js';

export interface WimCompressTask { kind: WimCompression; chunks: Uint8Array[] }

/** Per chunk: the compressed bytes, or null to store it raw. */
export function wimCompressChunks(task: WimCompressTask): (Uint8Array | null)[] {
  return compressChunks(task.kind, task.chunks);
}
