// The pool's worker entry: each named export is a task (runTask(name, ...)). Entry points only;
// the work itself lives in lib/ or the sibling files.
export { hashFile } from './hash.js';
export { wimCompressChunks } from './wim-compress.js';
export { xpressCompressChunksTask } from './xpress.js';
export { lzxCompressChunks } from './lzx.js';
