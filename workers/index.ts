// The pool's worker entry: each named export is a task (runTask(name, ...)). Entry points only;
// the work itself lives in lib/.
export { hashFile } from '../lib/content/hash-file.js';
export { hashBatch, copyIntoPack } from '../lib/content/file-batch.js';
