import test from 'ava';
import { createLzxCompressor, lzxCompress } from '../../../lib/formats/wim/lzx-compress.js';
import { lzxDecompress } from '../../../lib/formats/wim/lzx-decompress.js';
import { LZX_BLOCK_ALIGNED, LZX_BLOCK_VERBATIM, LZX_WINDOW_SIZE } from '../../../lib/formats/wim/lzx-constants.js';
import { nodeBinaryChunks, randomBytes, records, text, x86 } from './lzx-samples.js';

/** Block type of the first block: the top 3 bits of the first 16-bit LE unit. */
function firstBlockType(c: Uint8Array): number {
  return c[1]! >> 5;
}

function roundTrip(data: Uint8Array): Uint8Array | null {
  const c = lzxCompress(data);
  if (c) {
    const back = lzxDecompress(c, data.length);
    if (Buffer.compare(Buffer.from(back), Buffer.from(data)) !== 0) throw new Error(`round trip of ${data.length} bytes differs`);
  }
  return c;
}

test('empty and incompressible chunks give null (the caller stores them raw)', (t) => {
  t.is(lzxCompress(new Uint8Array(0)), null);
  t.is(lzxCompress(new Uint8Array([7])), null);
  t.is(lzxCompress(randomBytes(LZX_WINDOW_SIZE, 1)), null);
  t.is(lzxCompress(randomBytes(1000, 2)), null);
});

test('tiny chunks around the E8 tail size round-trip or are refused', (t) => {
  for (let n = 1; n <= 40; n++) {
    const zeros = new Uint8Array(n);
    const calls = new Uint8Array(n).fill(0xe8);
    for (const d of [zeros, calls, text(n, n)]) t.notThrows(() => roundTrip(d), `size ${n}`);
  }
  // 200 zero bytes do compress (one literal and a repeat match outweigh the ~40-byte header)
  t.truthy(roundTrip(new Uint8Array(200)));
});

test('a full chunk of zeros shrinks to a few dozen bytes and uses the default block size flag', (t) => {
  const c = roundTrip(new Uint8Array(LZX_WINDOW_SIZE));
  t.truthy(c);
  t.true(c!.length < 100, `${c!.length} bytes`);
  // header: 3 type bits, then 1 = "block size 32768"
  t.is((c![1]! >> 4) & 1, 1);
  const shorter = roundTrip(new Uint8Array(LZX_WINDOW_SIZE - 1));
  t.is((shorter![1]! >> 4) & 1, 0);
});

test('text, x86 code with E8 calls, record data and real machine code round-trip and shrink', (t) => {
  const cases: [string, Uint8Array, number][] = [
    ['text', text(LZX_WINDOW_SIZE, 3), 0.45],
    ['x86', x86(LZX_WINDOW_SIZE, 4), 0.45],
    ['records', records(LZX_WINDOW_SIZE, 5), 0.45],
    ...nodeBinaryChunks(6, LZX_WINDOW_SIZE).map((c, i): [string, Uint8Array, number] => [`node binary ${i}`, c, 0.95]),
  ];
  for (const [name, data, maxRatio] of cases) {
    const before = data.slice();
    const c = roundTrip(data);
    t.deepEqual(data, before, `${name}: the input is left as it was (E8 works on a copy)`);
    t.truthy(c, name);
    t.true(c!.length / data.length < maxRatio, `${name}: ${c!.length} of ${data.length}`);
  }
});

test('odd sizes and every chunk size class round-trip', (t) => {
  const src = x86(LZX_WINDOW_SIZE, 9);
  for (const n of [11, 12, 13, 100, 255, 256, 257, 258, 4095, 4096, 12345, 32766, 32767, 32768]) {
    t.notThrows(() => roundTrip(src.subarray(0, n)), `size ${n}`);
  }
});

test('periodic data (every repeat-offset pattern up to period 40) round-trips', (t) => {
  for (let period = 1; period <= 40; period++) {
    const unit = randomBytes(period, period);
    const data = new Uint8Array(9000 + period);
    for (let i = 0; i < data.length; i++) data[i] = unit[i % period]!;
    // interleave two periods so R1/R2 swaps are needed
    for (let i = 4000; i < 6000; i++) data[i] = unit[(i * 3) % period]!;
    const c = roundTrip(data);
    t.truthy(c, `period ${period}`);
  }
});

test('low-entropy noise is coded as literals when matches do not pay', (t) => {
  // 4 symbols, every byte independent: 2 bits a byte is the best any coder can do
  const noise = randomBytes(LZX_WINDOW_SIZE, 61).map((b) => 0x41 + (b >> 6));
  const c = roundTrip(noise);
  t.truthy(c);
  t.true(c!.length < LZX_WINDOW_SIZE / 4 + 200, `${c!.length} bytes`);
});

test('E8 translation makes repeated calls compress better than the same calls untranslatable', (t) => {
  // The same code, but with the CALL opcode replaced so no translation applies
  const code = x86(LZX_WINDOW_SIZE, 11);
  const plain = code.map((b) => (b === 0xe8 ? 0xe9 : b));
  const withE8 = roundTrip(code)!;
  const without = roundTrip(plain)!;
  t.true(withE8.length < without.length, `${withE8.length} vs ${without.length}`);
});

test('both verbatim and aligned blocks are chosen, each where it is smaller', (t) => {
  const types = new Set<number>();
  const chunks = [text(LZX_WINDOW_SIZE, 12), records(LZX_WINDOW_SIZE, 13), x86(LZX_WINDOW_SIZE, 14), ...nodeBinaryChunks(12, LZX_WINDOW_SIZE)];
  // Data whose far offsets are multiples of 8 skews the low 3 bits: aligned blocks win there
  const aligned = new Uint8Array(LZX_WINDOW_SIZE);
  const rec = randomBytes(4096, 15);
  for (let i = 0; i < aligned.length; i += 8) aligned.set(rec.subarray(((i * 7919) % 4096) & ~7, (((i * 7919) % 4096) & ~7) + 8), i);
  chunks.push(aligned);
  for (const c of chunks) {
    const z = roundTrip(c);
    if (z) types.add(firstBlockType(z));
  }
  t.true(types.has(LZX_BLOCK_VERBATIM));
  t.true(types.has(LZX_BLOCK_ALIGNED));
});

test('several blocks per chunk (per-block codes, delta-coded lengths) round-trip', (t) => {
  const data = new Uint8Array(LZX_WINDOW_SIZE);
  data.set(text(12000, 21), 0);
  data.set(x86(12000, 22), 12000);
  data.set(records(LZX_WINDOW_SIZE - 24000, 23), 24000);
  for (const maxBlockSize of [1, 100, 3000, 6500, 16384]) {
    const c = createLzxCompressor({ maxBlockSize }).compress(data);
    if (maxBlockSize < 100) { t.is(c, null); continue; } // one byte per block cannot pay
    t.truthy(c, `blocks of ${maxBlockSize}`);
    t.deepEqual(lzxDecompress(c!, data.length), data);
  }
});

test('compressor options are validated and other settings still round-trip', (t) => {
  t.throws(() => createLzxCompressor({ passes: 0 }), { name: 'UsageError' });
  t.throws(() => createLzxCompressor({ niceLen: 2 }), { name: 'UsageError' });
  t.throws(() => createLzxCompressor({ maxBlockSize: LZX_WINDOW_SIZE + 1 }), { name: 'UsageError' });
  t.throws(() => lzxCompress(new Uint8Array(LZX_WINDOW_SIZE + 1)), { name: 'UsageError' });
  const data = records(LZX_WINDOW_SIZE, 31);
  for (const o of [{ passes: 3 }, { maxDepth: 1, niceLen: 3 }, { maxDepth: 64, niceLen: 257 }]) {
    const c = createLzxCompressor(o).compress(data);
    t.truthy(c);
    t.deepEqual(lzxDecompress(c!, data.length), data, JSON.stringify(o));
  }
});

test('a compressor object gives the same bytes whatever it compressed before (reproducible)', (t) => {
  const a = text(LZX_WINDOW_SIZE, 41);
  const first = createLzxCompressor().compress(a);
  const reused = createLzxCompressor();
  reused.compress(x86(LZX_WINDOW_SIZE, 42));
  reused.compress(new Uint8Array(5000));
  t.deepEqual(reused.compress(a), first);
});
