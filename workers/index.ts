// The pool's worker entry: each named export is a task (runTask(name, ...)). Entry points only;
// the work itself lives in lib/.
export { hashFile } from '../lib/content/hash-file.js';
export { hashBatch, copyIntoPack } from '../lib/content/file-batch.js';
export { xpressCompressChunks } from '../lib/formats/wim/xpress.js';
export { lzxCompressChunks } from '../lib/formats/wim/lzx-compress.js';
export { lzxDecompressChunks } from '../lib/formats/wim/lzx-decompress.js';
export { wimCompressChunks, wimDecompressChunks } from '../lib/formats/wim/codec.js';
import { move } from 'piscina';
import { wimApplyBatch as applyBatch, type ApplyBatchTask } from '../lib/formats/wim/apply.js';

/** A batch's bytes move back to the main thread (a transfer, not a copy). */
export function wimApplyBatch(task: ApplyBatchTask): unknown {
  return move(applyBatch(task));
}

/** A no-op: the task warmPool runs to start the threads early. */
export function ready(): boolean { return true; }
