// Worker task: read a content file and hash it (SHA-256) in one pass.
// A small file comes back whole, moved (not copied) to the caller, so the main thread can append
// it to the content library without reading it again: the returned ArrayBuffer is the 32-byte
// digest followed by the file's bytes. A large file is hashed streaming and only the digest and
// size come back; the caller copies it with a second, verifying read.
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { move } from 'piscina';
import { hashFile } from './hash.js';

export interface ReadHashTask { path: string; size: number; inlineLimit: number }
export type ReadHashResult = ArrayBuffer | { size: number; sha256: string };

export const DIGEST_BYTES = 32;

export async function readAndHash(task: ReadHashTask): Promise<ReadHashResult> {
  if (task.size > task.inlineLimit) return hashFile({ path: task.path });
  const fh = await open(task.path, 'r');
  try {
    const ab = new ArrayBuffer(DIGEST_BYTES + task.size);
    const data = new Uint8Array(ab, DIGEST_BYTES);
    let got = 0;
    while (got < data.length) {
      const { bytesRead } = await fh.read(data, got, data.length - got, null);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    // A file that grew since it was listed is hashed streaming instead, whole.
    const { bytesRead: more } = await fh.read(new Uint8Array(1), 0, 1, null);
    if (more > 0) return hashFile({ path: task.path });
    const digest = createHash('sha256').update(data.subarray(0, got)).digest();
    new Uint8Array(ab, 0, DIGEST_BYTES).set(digest);
    // A file that shrank comes back at its real length (a rare copy).
    const out = got === task.size ? ab : ab.slice(0, DIGEST_BYTES + got);
    return move(out) as unknown as ArrayBuffer;
  } finally {
    await fh.close();
  }
}
