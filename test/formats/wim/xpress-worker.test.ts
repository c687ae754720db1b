import test from 'ava';
import { closePool, runTask } from '../../../lib/pool/pool.js';
import { xpressDecompress, xpressCompressChunks, type XpressCompressChunksResult, type XpressCompressChunksTask } from '../../../lib/formats/wim/xpress.js';
import { UsageError } from '../../../lib/errors.js';
import { randomBytes, text } from './xpress-samples.js';

test.after.always(closePool);

function unpack(r: XpressCompressChunksResult, chunkSize: number, total: number): Uint8Array {
  const out = new Uint8Array(total);
  let at = 0;
  for (let i = 0; i < r.sizes.length; i++) {
    const usize = Math.min(chunkSize, total - i * chunkSize);
    const stored = r.stored.subarray(at, at + r.sizes[i]!);
    out.set(stored.length === usize ? stored : xpressDecompress(stored, usize), i * chunkSize);
    at += stored.length;
  }
  return out;
}

test('a pool worker compresses a run of chunks: raw where incompressible, same bytes as in-thread', async (t) => {
  const data = new Uint8Array(100_000 + 32768 + 123);
  data.set(text(100_000, 50));
  data.set(randomBytes(32768 + 123, 51), 100_000);
  const task: XpressCompressChunksTask = { data };
  const r = await runTask<XpressCompressChunksResult>('xpressCompressChunks', task);
  t.is(r.sizes.length, 5);
  t.true(r.sizes[0]! < 32768 && r.sizes[1]! < 32768 && r.sizes[2]! < 32768);
  t.is(r.sizes[4], data.length - 4 * 32768); // random tail: stored raw
  t.deepEqual(unpack(r, 32768, data.length), data);
  t.is(r.sizes.reduce((a, b) => a + b, 0), r.stored.length);
  const local = xpressCompressChunks({ data, chunkSize: 32768 });
  t.deepEqual([...r.sizes], [...local.sizes]);
  t.deepEqual(new Uint8Array(r.stored), local.stored);
});

test('64 KiB chunks work and bad chunk sizes are usage errors', (t) => {
  const data = text(200_000, 52);
  const r = xpressCompressChunks({ data, chunkSize: 65536 });
  t.is(r.sizes.length, 4);
  t.deepEqual(unpack(r, 65536, data.length), data);
  t.throws(() => xpressCompressChunks({ data, chunkSize: 65537 }), { instanceOf: UsageError });
  t.throws(() => xpressCompressChunks({ data, chunkSize: 0 }), { instanceOf: UsageError });
});
