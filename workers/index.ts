// The pool's worker entry: each named export is a task (runTask(name, ...)). Entry points only;
// the work itself lives in lib/. Each task's module loads with the task's first run: a worker that
// only hashes an import's files starts in 11 ms instead of the 57 ms all the codecs took to load,
// CPU its threads otherwise took from the main thread's own start.
import { move, transferableSymbol, valueSymbol } from 'piscina';
import { lazy } from '../lib/lazy.js';

/** Task `name` of the module `load` gives, loaded on its first run (piscina passes the task as is). */
function onDemand<M, K extends keyof M>(load: () => Promise<M>, name: K): (task: unknown) => Promise<unknown> {
  return async (task) => ((await load())[name] as (task: unknown) => unknown)(task);
}

const hashing = lazy(() => import('../lib/content/hash-file.js'));
const batches = lazy(() => import('../lib/content/file-batch.js'));
const codec = lazy(() => import('../lib/formats/wim/codec.js'));
const apply = lazy(() => import('../lib/formats/wim/apply.js'));

export const hashFile = onDemand(hashing, 'hashFile');
export const hashBatch = onDemand(batches, 'hashBatch');
export const copyIntoPack = onDemand(batches, 'copyIntoPack');

/** Compressed blobs move back in the task's own buffer, with their chunk sizes: transferred, not copied. */
export async function wimCompressBlobs(task: Parameters<typeof import('../lib/formats/wim/codec.js').compressBlobs>[0]): Promise<unknown> {
  const result = (await codec()).compressBlobs(task);
  // move() of a plain object would send nothing: an object that names its buffers is moved whole
  return move({
    get [transferableSymbol]() { return [result.stored.buffer, result.chunkSizes.buffer]; },
    get [valueSymbol]() { return result; },
  });
}

/** A batch's bytes move back to the main thread (a transfer, not a copy). */
export async function wimApplyBatch(task: Parameters<typeof import('../lib/formats/wim/apply.js').wimApplyBatch>[0]): Promise<unknown> {
  return move((await apply()).wimApplyBatch(task));
}

/** The task warmPool runs to start the threads early, loading the WIM codecs too when asked. */
export async function ready(preload?: 'codecs'): Promise<boolean> {
  if (preload === 'codecs') await codec();
  return true;
}
