// The pool's worker entry: each named export is a task (runTask(name, ...)). Entry points only;
// the work itself lives in lib/.
export { hashFile } from '../lib/content/hash-file.js';
export { hashBatch, copyIntoPack } from '../lib/content/file-batch.js';
export { xpressCompressChunks } from '../lib/formats/wim/xpress.js';
export { lzxCompressChunks } from '../lib/formats/wim/lzx-compress.js';
export { lzxDecompressChunks } from '../lib/formats/wim/lzx-decompress.js';
export { wimCompressChunks, wimDecompressChunks } from '../lib/formats/wim/codec.js';
/** A no-op: the task warmPool runs to start the threads early. */
export function ready(): boolean { return true; }
