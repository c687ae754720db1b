// The inter-process lock that serialises catalog writers.
import { createRequire } from 'node:module';
import { TsmediaError } from '../errors.js';

type Lockfile = typeof import('proper-lockfile');
let loaded: Lockfile | undefined;
// loaded by writers only, readers (most commands) start faster without it; with require(), as
// proper-lockfile is CommonJS (the ESM loader would scan it and its dependencies for exports)
const properLockfile = (): Lockfile => (loaded ??= createRequire(import.meta.url)('proper-lockfile') as Lockfile);

/**
 * Runs fn while holding the lock on `path`. proper-lockfile's default onCompromised throws from a
 * timer and kills the process; instead the loss is recorded and the caller's result refused, so
 * a writer that lost its lock never trusts what it wrote under it.
 */
export async function withLock<T>(path: string, fn: () => Promise<T>): Promise<T> {
  let compromised: Error | undefined;
  let release: () => Promise<void>;
  const lockfile = properLockfile();
  try {
    release = await lockfile.lock(path, {
      realpath: false,
      stale: 10_000,
      update: 2_000,
      retries: { retries: 400, factor: 1.2, minTimeout: 20, maxTimeout: 250, randomize: true },
      onCompromised: (err) => { compromised = err; },
    });
  } catch (err) {
    throw new TsmediaError('ECATALOG_LOCKED', `The catalog ${path} is locked by another tsmedia process and did not come free: ${(err as Error).message}`);
  }
  try {
    const out = await fn();
    if (compromised) throw new TsmediaError('ECATALOG_LOCK_LOST', `Lost the catalog lock (${compromised.message}); the change was not kept. Run the command again.`);
    return out;
  } finally {
    await release().catch(() => {});
  }
}
