import test from 'ava';
import { e8Decode, e8Encode } from '../../../lib/formats/wim/lzx-e8.js';
import { LZX_E8_FILE_SIZE } from '../../../lib/formats/wim/lzx-constants.js';
import { prng } from './lzx-samples.js';

function callAt(n: number, at: number, rel: number): Uint8Array {
  const d = new Uint8Array(n);
  d[at] = 0xe8;
  new DataView(d.buffer).setInt32(at + 1, rel, true);
  return d;
}

function operand(d: Uint8Array, at: number): number {
  return new DataView(d.buffer, d.byteOffset).getInt32(at + 1, true);
}

test('relative call targets become chunk-absolute ones, by the format rules at each boundary', (t) => {
  const cases: [number, number, number][] = [
    // [position, relative operand, expected operand after encoding]
    [0, 100, 100],
    [3, -3, 0], // lowest relative value still translated
    [3, -4, -4], // below -i: left alone
    [3, LZX_E8_FILE_SIZE - 4, LZX_E8_FILE_SIZE - 1], // last value mapped to rel + i
    [3, LZX_E8_FILE_SIZE - 3, -3], // first value wrapped to rel - size
    [3, LZX_E8_FILE_SIZE - 1, -1],
    [3, LZX_E8_FILE_SIZE, LZX_E8_FILE_SIZE], // at the size: left alone
    [1000, -1000, 0],
    [1000, 2 ** 31 - 1, 2 ** 31 - 1],
    [1000, -(2 ** 31), -(2 ** 31)],
  ];
  for (const [at, rel, abs] of cases) {
    // positions count from the chunk start, so place the call at `at` in a large enough buffer
    const big = callAt(Math.max(64, at + 64), at, rel);
    e8Encode(big);
    t.is(operand(big, at), abs, `call at ${at} rel ${rel}`);
    e8Decode(big);
    t.is(operand(big, at), rel, `back at ${at} rel ${rel}`);
  }
});

test('no call is translated in the last 10 bytes, nor below 11 bytes of chunk', (t) => {
  for (const n of [11, 12, 64]) {
    const last = callAt(n, n - 11, 5); // the last position scanned
    e8Encode(last);
    t.is(operand(last, n - 11), 5 + n - 11, `size ${n}: position n-11 translates`);
    if (n >= 15) {
      const tail = callAt(n, n - 10, 5);
      e8Encode(tail);
      t.is(operand(tail, n - 10), 5, `size ${n}: position n-10 is left`);
    }
  }
  const small = new Uint8Array([0xe8, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
  e8Encode(small);
  t.deepEqual([...small], [0xe8, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
});

test('an E8 inside a translated operand is skipped, in both directions alike', (t) => {
  const d = new Uint8Array(32);
  d.set([0xe8, 0xe8, 0x00, 0x00, 0x00, 0xe8, 0x10, 0, 0, 0], 0);
  const orig = d.slice();
  e8Encode(d);
  t.is(operand(d, 0), 0xe8); // 0 + 0xe8
  t.is(operand(d, 5), 0x10 + 5);
  t.is(d[1], 0xe8);
  e8Decode(d);
  t.deepEqual(d, orig);
});

test('encode and decode are inverse bijections on data dense with calls near every boundary', (t) => {
  const next = prng(77);
  const edges = [0, 1, -1, LZX_E8_FILE_SIZE, LZX_E8_FILE_SIZE - 1, -LZX_E8_FILE_SIZE, 2 ** 31 - 1, -(2 ** 31)];
  for (let round = 0; round < 200; round++) {
    const n = 1 + (next() % 2000);
    const d = new Uint8Array(n);
    for (let i = 0; i < n; i++) d[i] = next() % 4 === 0 ? 0xe8 : next() & 0xff;
    // operands near the position-dependent limits: -i, 12M - i
    for (let i = 0; i + 5 <= n; i += 1 + (next() % 9)) {
      if (d[i] !== 0xe8) continue;
      const pick = next() % 4;
      const v = pick === 0 ? -i + (next() % 3) - 1 : pick === 1 ? LZX_E8_FILE_SIZE - i + (next() % 3) - 1 : edges[next() % edges.length]!;
      new DataView(d.buffer).setInt32(i + 1, v, true);
    }
    const orig = d.slice();
    e8Encode(d);
    e8Decode(d);
    if (Buffer.compare(d, orig) !== 0) { t.fail(`encode then decode differs (round ${round})`); return; }
    e8Decode(d);
    e8Encode(d);
    if (Buffer.compare(d, orig) !== 0) { t.fail(`decode then encode differs (round ${round})`); return; }
  }
  t.pass();
});
