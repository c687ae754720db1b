import test from 'ava';
import { FormatError } from '../../../lib/errors.js';
import { buildCodeLengths, buildDecodeTable, canonicalCodewords } from '../../../lib/formats/wim/huffman.js';
import { BitReader, BitWriter } from '../../../lib/formats/wim/bitstream.js';
import { rng } from './xpress-samples.js';

/** Kraft sum scaled by 2^maxLen. */
function kraft(lengths: Uint8Array, maxLen: number): number {
  let k = 0;
  for (const l of lengths) if (l) k += 2 ** (maxLen - l);
  return k;
}

/** Cost of an unrestricted optimal code: sum of all merge weights (independent O(n^2) Huffman). */
function optimalCost(freqs: number[]): number {
  const w = freqs.filter((f) => f > 0);
  let cost = 0;
  while (w.length > 1) {
    w.sort((a, b) => a - b);
    const s = w[0]! + w[1]!;
    cost += s;
    w.splice(0, 2, s);
  }
  return cost;
}

function cost(freqs: Uint32Array, lengths: Uint8Array): number {
  let c = 0;
  for (let i = 0; i < freqs.length; i++) c += freqs[i]! * lengths[i]!;
  return c;
}

test('no used symbol gives all-zero lengths; one used symbol gets a dummy partner', (t) => {
  t.deepEqual([...buildCodeLengths(new Uint32Array(8), 8, 15)], [0, 0, 0, 0, 0, 0, 0, 0]);
  const f = new Uint32Array(8);
  f[5] = 9;
  t.deepEqual([...buildCodeLengths(f, 8, 15)], [1, 0, 0, 0, 0, 1, 0, 0]);
  const g = new Uint32Array(8);
  g[0] = 3;
  t.deepEqual([...buildCodeLengths(g, 8, 15)], [1, 1, 0, 0, 0, 0, 0, 0]);
});

test('unlimited codes are optimal and complete', (t) => {
  const r = rng(7);
  let checked = 0;
  for (let iter = 0; iter < 200; iter++) {
    const n = 2 + (r() % 300);
    const f = new Uint32Array(n);
    for (let i = 0; i < n; i++) f[i] = r() % 4 === 0 ? 0 : 1 + (r() % 1000);
    f[0] = 1; f[1] = 2; // at least two used symbols
    const lens = buildCodeLengths(f, n, 16);
    if (Math.max(...lens) >= 16) continue; // the limit may have bitten: optimality not claimed
    t.is(kraft(lens, 16), 2 ** 16);
    t.is(cost(f, lens), optimalCost([...f]));
    checked++;
  }
  t.true(checked > 150, `${checked} codes compared`);
});

test('frequencies of every size order the lengths, ties by symbol, and a reused output array gives the same code', (t) => {
  // codes are sorted by (frequency, symbol): a more frequent symbol never gets a longer codeword,
  // and of two equally frequent ones the higher symbol never gets a longer one. Frequencies up to
  // 2^32 - 1 take every pass of the radix sort; reusing `into` must not leak the last code.
  const r = rng(11);
  const into = new Uint8Array(700);
  for (let iter = 0; iter < 300; iter++) {
    const n = 2 + (r() % 650);
    const f = new Uint32Array(n);
    const top = [8, 16, 24, 32][iter % 4]!;
    for (let i = 0; i < n; i++) f[i] = r() % 3 === 0 ? 0 : (r() % 8 === 0 ? f[r() % (i + 1)]! : (r() >>> (32 - top)) || 1);
    f[0] = 1; f[1] = 1;
    const lens = buildCodeLengths(f, n, 16);
    t.deepEqual(buildCodeLengths(f, n, 16, into), lens, 'the same code through the reused array');
    for (let a = 0; a < n; a++) {
      for (let b = 0; b < n; b++) {
        if (!f[a] || !f[b]) continue;
        if (f[a]! > f[b]! || (f[a] === f[b] && a > b)) {
          if (lens[a]! > lens[b]!) return t.fail(`symbol ${a} (freq ${f[a]}) got ${lens[a]} bits, symbol ${b} (freq ${f[b]}) ${lens[b]}`);
        }
      }
    }
  }
  t.pass();
});

test('length limit holds on skewed (Fibonacci) frequencies and the code stays complete', (t) => {
  const n = 40;
  const f = new Uint32Array(n);
  let a = 1, b = 1;
  for (let i = 0; i < n; i++) { f[i] = a; [a, b] = [b, (a + b) % 0x40000000]; }
  for (const maxLen of [7, 12, 15, 16]) {
    const lens = buildCodeLengths(f, n, maxLen);
    t.true(Math.max(...lens) <= maxLen, `maxLen ${maxLen}`);
    t.true(Math.min(...lens) >= 1);
    t.is(kraft(lens, maxLen), 2 ** maxLen);
    // more frequent never longer
    for (let i = 1; i < n; i++) t.true(lens[i]! <= lens[i - 1]!);
  }
  // the bound is tight: 128 used symbols at maxLen 7 means all lengths are 7
  const flat = new Uint32Array(128);
  for (let i = 0; i < 128; i++) flat[i] = i * i + 1;
  t.deepEqual([...new Set(buildCodeLengths(flat, 128, 7))], [7]);
});

test('canonical codewords follow (length, symbol) order (RFC 1951 §3.2.2 example)', (t) => {
  const lens = Uint8Array.from([3, 3, 3, 3, 3, 2, 4, 4]);
  const cw = canonicalCodewords(lens, 8);
  t.deepEqual([...cw], [0b010, 0b011, 0b100, 0b101, 0b110, 0b00, 0b1110, 0b1111]);
});

test('decode tables reject bad codes and accept an empty one', (t) => {
  const over = Uint8Array.from([1, 1, 1]);
  t.throws(() => buildDecodeTable(over, 3, 4, 15), { instanceOf: FormatError, message: /over-subscribed/ });
  const incomplete = Uint8Array.from([1, 2, 0]);
  t.throws(() => buildDecodeTable(incomplete, 3, 4, 15), { instanceOf: FormatError, message: /incomplete/ });
  const tooLong = Uint8Array.from([1, 2, 3, 3]);
  t.throws(() => buildDecodeTable(tooLong, 4, 2, 2), { instanceOf: FormatError, message: /exceeds/ });
  const empty = buildDecodeTable(new Uint8Array(10), 10, 4, 15);
  t.true(empty.empty);
  const br = new BitReader(Uint8Array.from([0xff, 0xff]), 0, 2, 'test');
  t.throws(() => br.decodeSymbol(empty), { instanceOf: FormatError, message: /empty Huffman code/ });
});

test('symbols written with canonical codewords decode back, main table and subtables', (t) => {
  const r = rng(99);
  for (let iter = 0; iter < 60; iter++) {
    const n = 2 + (r() % 600);
    const maxLen = iter % 2 ? 15 : 16;
    const f = new Uint32Array(n);
    for (let i = 0; i < n; i++) f[i] = r() % 3 === 0 ? 0 : (r() % 7 === 0 ? 1 << (r() % 18) : 1 + (r() % 5));
    const lens = buildCodeLengths(f, n, maxLen);
    const cw = canonicalCodewords(lens, n);
    const used = [...lens.keys()].filter((s) => lens[s]! > 0);
    const syms: number[] = [];
    for (let i = 0; i < 3000; i++) syms.push(used[r() % used.length]!);
    const out = new Uint8Array(3000 * 4 + 16);
    const w = new BitWriter(out);
    for (const s of syms) w.writeBits(cw[s]!, lens[s]!);
    const size = w.finish();
    t.true(size > 0);
    const tableBits = [6, 9, 11, maxLen][iter % 4]!;
    const dt = buildDecodeTable(lens, n, tableBits, maxLen);
    const br = new BitReader(out, 0, size, 'test');
    let ok = true;
    for (const s of syms) if (br.decodeSymbol(dt) !== s) { ok = false; break; }
    t.true(ok, `iteration ${iter}`);
  }
});
