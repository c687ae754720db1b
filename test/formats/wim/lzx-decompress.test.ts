import test from 'ava';
import { FormatError } from '../../../lib/errors.js';
import { BitWriter } from '../../../lib/formats/wim/bitstream.js';
import { createLzxCompressor, lzxCompress } from '../../../lib/formats/wim/lzx-compress.js';
import { lzxDecompress } from '../../../lib/formats/wim/lzx-decompress.js';
import { LZX_WINDOW_SIZE } from '../../../lib/formats/wim/lzx-constants.js';
import { e8Encode } from '../../../lib/formats/wim/lzx-e8.js';
import { nodeBinaryChunks, prng, randomBytes, records, text, x86 } from './lzx-samples.js';

/**
 * An uncompressed block built by hand, starting on a unit boundary: 3 type bits, the size (1 bit
 * "32768" or 0 + 16 bits), zero bits to the next unit, R0..R2 as u32 LE, the bytes, a pad byte
 * if the size is odd.
 */
function uncompressedBlock(bytes: Uint8Array, recent: [number, number, number] = [1, 1, 1], type = 3): Uint8Array {
  const out = new Uint8Array(bytes.length + 32);
  const w = new BitWriter(out);
  w.writeBits(type, 3);
  if (bytes.length === LZX_WINDOW_SIZE) {
    w.writeBits(1, 1);
  } else {
    w.writeBits(0, 1);
    w.writeBits(bytes.length, 16);
  }
  let at = w.finish(); // pads the header to its unit boundary (4 or 20 bits: never already aligned)
  const dv = new DataView(out.buffer);
  for (const r of recent) { dv.setUint32(at, r, true); at += 4; }
  out.set(bytes, at);
  at += bytes.length;
  if (bytes.length & 1) at++;
  return out.slice(0, at);
}

function concat(...parts: Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts));
}

test('uncompressed blocks: even, odd and full-size, with E8 translation undone after the chunk', (t) => {
  for (const n of [1, 2, 999, 1000, LZX_WINDOW_SIZE]) {
    const data = x86(n, n);
    const stored = data.slice();
    e8Encode(stored); // a block holds the translated bytes, like any other block
    t.deepEqual(lzxDecompress(uncompressedBlock(stored), n), data, `size ${n}`);
  }
});

test('several blocks of different types in one chunk decode in sequence', (t) => {
  // Text has no 0xE8 bytes, so each part's E8 translation is the identity and parts concatenate
  const a = text(1001, 1);
  const b = text(2000, 2);
  const c = text(12000, 3);
  const cz = lzxCompress(c)!;
  t.truthy(cz);
  const stream = concat(uncompressedBlock(a), uncompressedBlock(b, [7, 8, 9]), cz);
  t.deepEqual(lzxDecompress(stream, a.length + b.length + c.length), concat(a, b, c));
  // compressed blocks after compressed blocks: the compressor's multi-block output
  const d = records(20000, 4);
  const dz = createLzxCompressor({ maxBlockSize: 4000 }).compress(d)!;
  t.deepEqual(lzxDecompress(concat(uncompressedBlock(a), dz), a.length + d.length), concat(a, d));
});

test('decoding into a reused buffer gives the same bytes and writes only the chunk', (t) => {
  const data = records(20000, 51);
  const z = lzxCompress(data)!;
  const buf = new Uint8Array(LZX_WINDOW_SIZE).fill(0xaa);
  const out = lzxDecompress(z, data.length, buf);
  t.is(out.buffer, buf.buffer);
  t.deepEqual(out, data);
  t.true(buf.subarray(data.length).every((b) => b === 0xaa));
  t.throws(() => lzxDecompress(z, data.length, new Uint8Array(100)), { name: 'UsageError', message: /smaller than the chunk/ });
});

test('bad headers and sizes are FormatErrors that say what is wrong', (t) => {
  const a = text(100, 5);
  for (const type of [0, 4, 5, 6, 7]) {
    const e = t.throws(() => lzxDecompress(uncompressedBlock(a, [1, 1, 1], type), a.length), { instanceOf: FormatError });
    t.regex(e!.message, /block type/);
  }
  t.throws(() => lzxDecompress(uncompressedBlock(a), a.length - 1), { instanceOf: FormatError, message: /does not fit/ });
  t.throws(() => lzxDecompress(concat(uncompressedBlock(new Uint8Array(0)), uncompressedBlock(a)), a.length), { instanceOf: FormatError, message: /block of 0 bytes/ });
  t.throws(() => lzxDecompress(uncompressedBlock(a), a.length + 1), { instanceOf: FormatError });
  t.throws(() => lzxDecompress(uncompressedBlock(a, [1, 0, 1]), a.length), { instanceOf: FormatError, message: /recent offset/ });
  t.throws(() => lzxDecompress(uncompressedBlock(a).subarray(0, 50), a.length), { instanceOf: FormatError, message: /ends early/ });
  t.throws(() => lzxDecompress(new Uint8Array(0), 10), { instanceOf: FormatError });
  t.deepEqual(lzxDecompress(new Uint8Array(0), 0), new Uint8Array(0));
  t.throws(() => lzxDecompress(new Uint8Array(4), LZX_WINDOW_SIZE + 1), { name: 'UsageError', message: /0\.\.32768/ });
  t.throws(() => lzxDecompress(new Uint8Array(4), -1), { name: 'UsageError', message: /0\.\.32768/ });
  // a valid stream asked for the wrong size
  const c = text(LZX_WINDOW_SIZE, 6);
  const cz = lzxCompress(c)!;
  t.throws(() => lzxDecompress(cz, c.length - 1), { instanceOf: FormatError });
  t.throws(() => lzxDecompress(cz, 1000), { instanceOf: FormatError });
});

test('fuzz: flipped bits, truncation and garbage give a FormatError or a chunk of the asked size', (t) => {
  const next = prng(2024);
  const samples: [Uint8Array, number][] = [];
  const add = (z: Uint8Array | null, n: number): void => { if (z) samples.push([z, n]); };
  add(lzxCompress(text(LZX_WINDOW_SIZE, 7)), LZX_WINDOW_SIZE);
  add(lzxCompress(x86(20000, 8)), 20000);
  add(lzxCompress(records(LZX_WINDOW_SIZE, 9)), LZX_WINDOW_SIZE);
  add(lzxCompress(new Uint8Array(LZX_WINDOW_SIZE)), LZX_WINDOW_SIZE);
  add(lzxCompress(nodeBinaryChunks(1, LZX_WINDOW_SIZE)[0]!), LZX_WINDOW_SIZE);
  add(createLzxCompressor({ maxBlockSize: 3000 }).compress(text(10000, 10)), 10000);
  add(uncompressedBlock(randomBytes(777, 11)), 777);
  t.is(samples.length, 7);
  let formatErrors = 0;
  let decoded = 0;
  const attempt = (input: Uint8Array, n: number): void => {
    try {
      const out = lzxDecompress(input, n);
      if (out.length !== n) throw new Error(`decoded ${out.length} bytes, asked for ${n}`);
      decoded++;
    } catch (err) {
      if (!(err instanceof FormatError)) throw err;
      formatErrors++;
    }
  };
  for (let round = 0; round < 4000; round++) {
    const [z, n] = samples[round % samples.length]!;
    const kind = next() % 4;
    let m: Uint8Array;
    if (kind === 0) {
      m = z.slice();
      for (let f = 1 + (next() % 3); f > 0; f--) { const bit = next() % (m.length * 8); m[bit >> 3]! ^= 1 << (bit & 7); }
    } else if (kind === 1) {
      m = z.subarray(0, next() % z.length);
    } else if (kind === 2) {
      m = z.slice();
      const at = next() % m.length;
      m.set(randomBytes(Math.min(16, m.length - at), next()), at);
    } else {
      m = randomBytes(next() % 3000, next());
    }
    attempt(m, n);
  }
  t.true(formatErrors > 1000, `${formatErrors} format errors`);
  t.true(decoded > 0, `${decoded} decoded`);
});
