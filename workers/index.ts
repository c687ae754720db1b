// The pool's worker entry: each named export is a task (runTask(name, ...)). Entry points only;
// the work itself lives in lib/ or the sibling files.
export { hashFile } from './hash.js';
export { lzxCompressChunks } from '../lib/formats/wim/lzx-compress.js';
export { lzxDecompressChunks } from '../lib/formats/wim/lzx-decompress.js';
