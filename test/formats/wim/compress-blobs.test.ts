import test from 'ava';
import { closePool, runTask } from '../../../lib/pool/pool.js';
import { compressBlobs, wimDecompressChunks, type WimCompressResult, type WimCompressTask } from '../../../lib/formats/wim/codec.js';
import { chunkCount } from '../../../lib/formats/wim/chunk-table.js';
import type { WimCompression } from '../../../lib/formats/wim/header.js';
import { randomBytes, text, x86 } from './lzx-samples.js';

test.after.always(closePool);

const CHUNK = 32768;

function concat(parts: Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts));
}

/** Each chunk's uncompressed size, blob by blob. */
function chunkSizesOf(blobSizes: number[], chunkSize: number): number[] {
  return blobSizes.flatMap((size) => Array.from({ length: chunkCount(size, chunkSize) }, (_, i) => Math.min(chunkSize, size - i * chunkSize)));
}

function decompressAll(kind: WimCompression, r: WimCompressResult, blobSizes: number[], chunkSize = CHUNK): Uint8Array {
  return wimDecompressChunks({ kind, stored: r.stored, storedSizes: Array.from(r.chunkSizes), sizes: chunkSizesOf(blobSizes, chunkSize) });
}

for (const kind of ['xpress', 'lzx'] as const) {
  test(`${kind}: a pool worker compresses blobs as in-thread, raw where a chunk does not shrink, and the bytes come back`, async (t) => {
    // blob 0: text then a random chunk; blob 1: code; blob 2: 10 random bytes (raw whole)
    const blobs = [concat([text(CHUNK + 5000, 1), randomBytes(CHUNK, 2)]), x86(3 * CHUNK, 3), randomBytes(10, 4)];
    const blobSizes = blobs.map((b) => b.length);
    const data = concat(blobs);
    const task = (): WimCompressTask => ({ kind, chunkSize: CHUNK, data: data.slice(), blobSizes });
    const mine = task();
    const local = compressBlobs(mine);
    t.is(local.stored.buffer, mine.data.buffer, 'compressed in place, so the buffer can serve again');
    const sent = task();
    const pooled = await runTask<WimCompressResult>('wimCompressBlobs', sent, [sent.data.buffer as ArrayBuffer]);
    t.is(sent.data.byteLength, 0, 'the task data moved to the worker');
    t.deepEqual(Array.from(pooled.chunkSizes), Array.from(local.chunkSizes));
    t.deepEqual(new Uint8Array(pooled.stored), new Uint8Array(local.stored));
    const sizes = Array.from(local.chunkSizes);
    const raw = chunkSizesOf(blobSizes, CHUNK);
    t.is(sizes.length, 3 + 3 + 1);
    t.true(sizes[0]! < raw[0]! && sizes[1]! < raw[1]!, 'text chunks shrink');
    t.is(sizes[2], raw[2], 'the random chunk is stored raw');
    t.true(sizes[3]! < raw[3]!, 'code shrinks');
    t.is(sizes[6], 10, 'a tiny blob is raw');
    t.is(local.stored.length, sizes.reduce((a, b) => a + b, 0));
    t.deepEqual(decompressAll(kind, local, blobSizes), data);
  });

  test(`${kind}: a whole blob that does not pay is raw in every chunk; a streamed batch keeps its compressed chunks`, (t) => {
    // random chunks, the last starting with zeros: the first zero run long enough to make that
    // chunk shrink saves a byte or two, less than the 12-byte chunk table costs
    let blob: Uint8Array = new Uint8Array(0);
    let partial: WimCompressResult | undefined;
    for (let zeros = 0; zeros < 4096 && !partial; zeros++) {
      blob = concat([randomBytes(3 * CHUNK, 5), new Uint8Array(zeros), randomBytes(CHUNK - zeros, 6)]);
      const r = compressBlobs({ kind, chunkSize: CHUNK, data: blob.slice(), blobSizes: [blob.length], partial: true });
      if (r.stored.length < blob.length) partial = r;
    }
    if (!partial) return t.fail('no zero run made the last chunk shrink');
    const whole = compressBlobs({ kind, chunkSize: CHUNK, data: blob.slice(), blobSizes: [blob.length] });
    const tableBytes = 3 * 4;
    t.true(partial.stored.length + tableBytes >= blob.length, 'the fixture is a blob that does not pay');
    t.true(partial.chunkSizes[3]! < CHUNK, 'the streamed batch keeps the chunk that shrank');
    t.deepEqual(Array.from(whole.chunkSizes), [CHUNK, CHUNK, CHUNK, CHUNK]);
    t.deepEqual(new Uint8Array(whole.stored), blob, 'stored whole blob = its own bytes');
  });
}

test('64 KiB XPRESS chunks, empty blobs, and sizes that do not add up', (t) => {
  const blobs = [text(150_000, 7), new Uint8Array(0), text(1000, 8)];
  const blobSizes = blobs.map((b) => b.length);
  const data = concat(blobs);
  const r = compressBlobs({ kind: 'xpress', chunkSize: 65536, data: data.slice(), blobSizes });
  t.is(r.chunkSizes.length, 3 + 0 + 1);
  t.deepEqual(decompressAll('xpress', r, blobSizes, 65536), data);
  t.throws(() => compressBlobs({ kind: 'xpress', chunkSize: CHUNK, data, blobSizes: [data.length - 1] }), { message: /add up/ });
  t.throws(() => compressBlobs({ kind: 'lzx', chunkSize: 0, data, blobSizes }), { message: /chunk size/ });
});
