import test from 'ava';
import { closePool, runTask } from '../../../lib/pool/pool.js';
import type { LzxCompressChunksResult } from '../../../lib/formats/wim/lzx-compress.js';
import { lzxDecompress } from '../../../lib/formats/wim/lzx-decompress.js';
import { LZX_WINDOW_SIZE } from '../../../lib/formats/wim/lzx-constants.js';
import { randomBytes, records, text, x86 } from './lzx-samples.js';

test.after.always(closePool);

test('pool tasks compress a run of chunks (incompressible ones raw) and decompress it', async (t) => {
  const parts = [text(LZX_WINDOW_SIZE, 1), randomBytes(LZX_WINDOW_SIZE, 2), x86(LZX_WINDOW_SIZE, 3), records(5000, 4)];
  const data = new Uint8Array(Buffer.concat(parts));
  const r = await runTask<LzxCompressChunksResult>('lzxCompressChunks', { data });
  t.is(r.sizes.length, 4);
  let at = 0;
  for (let k = 0; k < parts.length; k++) {
    const usize = parts[k]!.length;
    const size = r.sizes[k]!;
    const stored = r.stored.subarray(at, at + size);
    at += size;
    if (k === 1) t.is(size, usize, 'random chunk stored raw');
    else t.true(size < usize, `chunk ${k} compressed`);
    const back = size === usize ? stored : lzxDecompress(stored, usize);
    t.deepEqual(new Uint8Array(back), parts[k]!);
  }
  t.is(at, r.stored.length);
  // and back in one task, raw and compressed chunks alike
  const back = await runTask<Uint8Array>('lzxDecompressChunks', { stored: r.stored, sizes: r.sizes, size: data.length });
  t.deepEqual(new Uint8Array(back), data);
  const truncated = r.stored.subarray(0, r.stored.length - 1);
  await t.throwsAsync(runTask('lzxDecompressChunks', { stored: truncated, sizes: r.sizes, size: data.length }), { message: /claims/ });
  await t.throwsAsync(runTask('lzxDecompressChunks', { stored: r.stored, sizes: r.sizes, size: data.length + LZX_WINDOW_SIZE }), { message: /cannot make/ });
  await t.throwsAsync(runTask('lzxCompressChunks', { data, chunkSize: LZX_WINDOW_SIZE + 1 }), { message: /chunkSize/ });
});
