// Replaces a file so that a crash at any point leaves either the old or the new bytes:
// write a temporary file in the same folder, fsync it, rename it over the target, fsync the folder.
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Where a file is written before it is renamed into place: hidden, beside it, this process's own. */
export function temporaryPath(path: string): string {
  return join(dirname(path), `.${basename(path)}.tmp-${process.pid}`);
}

/**
 * `durable: false` skips the fsyncs: a reader still never sees a partial file (what published
 * distribution point folders need), but a crash may leave the old one.
 */
export async function writeFileAtomic(path: string, data: Uint8Array, o: { durable?: boolean } = {}): Promise<void> {
  const durable = o.durable ?? true;
  const tmp = temporaryPath(path);
  try {
    const fh = await open(tmp, 'w', 0o644);
    try {
      await fh.writeFile(data);
      if (durable) await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  if (durable) await syncFolder(dirname(path));
}

/** Makes a rename durable: the folder's entry must reach the disk too. */
export async function syncFolder(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
