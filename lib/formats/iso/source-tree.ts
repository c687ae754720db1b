// Edge: turns a folder into the file list a plan takes (sizes from stat, sorted, '/' paths).
// Symbolic links are followed (a link loop is an error); sockets, FIFOs and devices are refused;
// hard links get a shared content key, so their bytes are stored once.
// Synchronous calls: a media tree holds thousands of small files, and sync stat costs a fraction
// of a promise round trip each.
import { readdirSync, statSync, type Stats } from 'node:fs';
import { join, sep } from 'node:path';
import { NotFoundError, TsmediaError, UsageError } from '../../errors.js';
import { checkAborted } from './aborted.js';
import type { PlanFile } from './layout.js';

export interface SourceTree { files: PlanFile[]; directories: string[]; bytes: number }

export async function scanSourceTree(root: string, signal?: AbortSignal): Promise<SourceTree> {
  const statOf = (p: string, what: (e: NodeJS.ErrnoException) => Error): Stats => {
    try {
      return statSync(p);
    } catch (e) {
      throw what(e as NodeJS.ErrnoException);
    }
  };
  const st = statOf(root, (e) => (e.code === 'ENOENT'
    ? new NotFoundError('source', `the source folder "${root}" does not exist`, { path: root })
    : new TsmediaError('EISO_SOURCE', `cannot read "${root}": ${e.message}`, { path: root })));
  if (!st.isDirectory()) throw new UsageError('EISO_SOURCE', `the source "${root}" is not a folder`, { path: root });
  const files: PlanFile[] = [];
  const directories: string[] = [];
  let bytes = 0;
  const walk = (abs: string, rel: string, ancestors: Set<string>): void => {
    checkAborted(signal);
    let names: string[];
    try {
      names = readdirSync(abs).sort();
    } catch (e) {
      throw new TsmediaError('EISO_SOURCE', `cannot read the folder "${abs}": ${(e as Error).message}`, { path: abs });
    }
    for (const name of names) {
      // below the root, abs is already normalized: plain concatenation, no path.join per entry
      const a = rel ? `${abs}${sep}${name}` : join(abs, name);
      const r = rel ? `${rel}/${name}` : name;
      const s = statOf(a, (e) => new TsmediaError('EISO_SOURCE', `cannot read "${a}": ${e.code === 'ENOENT' ? 'a dangling link or a file removed while scanning' : e.message}`, { path: a }));
      if (s.isDirectory()) {
        const key = `${s.dev}:${s.ino}`;
        if (ancestors.has(key)) throw new TsmediaError('EISO_SOURCE', `"${a}" links back to a folder that contains it`, { path: a });
        directories.push(r);
        walk(a, r, new Set([...ancestors, key]));
      } else if (s.isFile()) {
        // hard links: one extent on the disc for all names of one file
        files.push({ path: r, size: s.size, source: a, ...(s.nlink > 1 ? { contentKey: `inode:${s.dev}:${s.ino}` } : {}) });
        bytes += s.size;
      } else {
        throw new TsmediaError('EISO_SOURCE', `"${a}" is not a regular file or folder (socket, FIFO or device)`, { path: a });
      }
    }
  };
  walk(root, '', new Set([`${st.dev}:${st.ino}`]));
  return { files, directories, bytes };
}
