// Reads a small input file a parameter names (a PFX, a password file, a policy), refusing
// anything but a regular file of at most `max` bytes, with one usage error naming the parameter.
import { readFile, stat } from 'node:fs/promises';
import { UsageError } from '../errors.js';

export async function readInputFile(path: string, max: number, code: string, what: string): Promise<Buffer> {
  try {
    const s = await stat(path);
    if (!s.isFile()) throw new Error('not a regular file');
    if (s.size > max) throw new Error(`larger than ${max} bytes`);
    return await readFile(path);
  } catch (err) {
    throw new UsageError(code, `Cannot read ${what} ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}).`, { path });
  }
}
