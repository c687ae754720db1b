// Worker task: XPRESS-compress one run of WIM chunks (each chunk independent).
import { xpressCompressChunks, type XpressChunks } from '../lib/formats/wim/xpress.js';

export interface XpressChunksTask { data: Uint8Array; chunkSize: number }

export function xpressCompressChunksTask(task: XpressChunksTask): XpressChunks {
  return xpressCompressChunks(task.data, task.chunkSize);
}
