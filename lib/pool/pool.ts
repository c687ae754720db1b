// One Piscina pool for all stateless heavy work (hashing, compression, encryption). One pool, not
// one per kind: on a 2-core machine several pools would oversubscribe the CPU. Tasks are the named
// exports of workers/index.ts.
import { availableParallelism } from 'node:os';
import type { Piscina } from 'piscina';

const EXT = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
const WORKER_URL = new URL(`../../workers/index${EXT}`, import.meta.url).href;

// piscina is loaded with the first task: commands that never use the pool start without it
let pool: Promise<Piscina> | undefined;

/** Threads: TSMEDIA_THREADS, else one per core. */
export function poolThreads(): number {
  const fromEnv = Number(process.env['TSMEDIA_THREADS']);
  return Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : Math.max(1, availableParallelism());
}

function getPool(): Promise<Piscina> {
  pool ??= import('piscina').then(({ Piscina }) => new Piscina({
    filename: WORKER_URL,
    minThreads: 0,
    maxThreads: poolThreads(),
    idleTimeout: 10_000,
    // a second task waits in the worker's own queue: the thread goes on to it at once instead of
    // waiting for the main thread to hand it over between its synchronous reads (workers of a
    // capture sat idle a quarter of the time). Tasks are synchronous or keep no shared state
    // across awaits, so two on one thread never interleave.
    concurrentTasksPerWorker: 2,
  }));
  return pool;
}

/** Runs a named worker task. Buffers in transferList move instead of being copied. */
export async function runTask<R>(name: string, task: unknown, transferList?: ArrayBuffer[]): Promise<R> {
  return (await getPool()).run(task, transferList ? { name, transferList } : { name }) as Promise<R>;
}

/**
 * Starts the pool's threads without waiting for them, so they boot while this thread does other
 * work (an import's source scan, a capture's tree scan) instead of after it; `codecs` loads the
 * WIM codecs in them too.
 */
export function warmPool(preload?: 'codecs'): void {
  for (let i = 0; i < poolThreads(); i++) runTask('ready', preload).catch(() => {});
}

/** Tasks worth keeping in flight: two per thread keeps threads busy without flooding the queue. */
export function inFlightLimit(): number {
  return poolThreads() * 2;
}

export async function closePool(): Promise<void> {
  const p = pool;
  pool = undefined;
  if (p) await (await p).destroy();
}
