// Worker task (see workers/index.ts): SHA-256 (and optionally SHA-1) of a file, streamed in bounded chunks.
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';

export interface HashFileTask { path: string; sha1?: boolean }
export interface HashFileResult { size: number; sha256: string; sha1?: string }

const CHUNK = 1 << 20;

export async function hashFile(task: HashFileTask): Promise<HashFileResult> {
  const fh = await open(task.path, 'r');
  try {
    const sha256 = createHash('sha256');
    const sha1 = task.sha1 ? createHash('sha1') : undefined;
    const buf = Buffer.allocUnsafe(CHUNK);
    let size = 0;
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, CHUNK, null);
      if (bytesRead === 0) break;
      const view = buf.subarray(0, bytesRead);
      sha256.update(view);
      sha1?.update(view);
      size += bytesRead;
    }
    const out: HashFileResult = { size, sha256: sha256.digest('hex') };
    if (sha1) out.sha1 = sha1.digest('hex');
    return out;
  } finally {
    await fh.close();
  }
}
