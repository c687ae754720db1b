import test from 'ava';
import { createHash } from 'node:crypto';
import { mkdtemp, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTask, closePool } from '../../lib/pool/pool.js';
import type { HashFileResult } from '../../lib/content/hash-file.js';

test.after.always(closePool);

test('a worker hashes a file in bounded chunks and returns SHA-256 and SHA-1', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'tsm-pool-'));
  try {
    // 3 MiB + 7 bytes: crosses the 1 MiB chunk boundary with a ragged tail
    const data = Buffer.alloc(3 * 1024 * 1024 + 7);
    for (let i = 0; i < data.length; i++) data[i] = (i * 31 + 7) & 0xff;
    const file = join(dir, 'f.bin');
    await writeFile(file, data);
    const r = await runTask<HashFileResult>('hashFile', { path: file, sha1: true });
    t.is(r.size, data.length);
    t.is(r.sha256, createHash('sha256').update(data).digest('hex'));
    t.is(r.sha1, createHash('sha1').update(data).digest('hex'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
