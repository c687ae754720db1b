// A chunk written symbol by symbol, to reach decoder paths our compressor (and wimlib's) never
// emits: an uncompressed block after a compressed one whose header ends exactly on a unit boundary
// (the format then skips a whole 16-bit unit), recent offsets taken from that header, lengths
// delta-coded across an uncompressed block, and an aligned block.
import test from 'ava';
import { FormatError } from '../../../lib/errors.js';
import { BitWriter } from '../../../lib/formats/wim/bitstream.js';
import { canonicalCodewords } from '../../../lib/formats/wim/huffman.js';
import { lzxDecompress } from '../../../lib/formats/wim/lzx-decompress.js';

const MAIN = 496;
const LENGTH = 249;
/** A complete precode without runs: delta symbols 0..15 get 5 bits, 16..19 get 3 bits. */
const PRE_LENS = new Uint8Array([...Array<number>(16).fill(5), 3, 3, 3, 3]);
const PRE_CW = canonicalCodewords(PRE_LENS, 20);

/** A BitWriter that counts the bits it was given. */
class CountingWriter {
  bits = 0;
  readonly out = new Uint8Array(4096);
  readonly w = new BitWriter(this.out);
  put(value: number, count: number): void {
    this.w.writeBits(value, count);
    this.bits += count;
  }
  /** Code lengths [from, to), each as one delta symbol against prev. */
  lens(lens: Uint8Array, prev: Uint8Array, from: number, to: number): void {
    for (let i = 0; i < 20; i++) this.put(PRE_LENS[i]!, 4);
    for (let i = from; i < to; i++) {
      const d = (prev[i]! - lens[i]! + 17) % 17;
      this.put(PRE_CW[d]!, PRE_LENS[d]!);
    }
  }
  /** Block header of a verbatim (1) or aligned (2) block with the given codes. */
  header(type: number, size: number, main: Uint8Array, prevMain: Uint8Array, aligned?: Uint8Array): void {
    this.put(type, 3);
    this.put(0, 1);
    this.put(size, 16);
    if (aligned) for (let i = 0; i < 8; i++) this.put(aligned[i]!, 3);
    this.lens(main, prevMain, 0, 256);
    this.lens(main, prevMain, 256, MAIN);
    this.lens(new Uint8Array(LENGTH), new Uint8Array(LENGTH), 0, LENGTH); // no long matches
  }
}

/** A main code of two symbols, one bit each: `zero` codes as 0, `one` as 1 (zero < one). */
function twoSymbols(zero: number, one: number): Uint8Array {
  const lens = new Uint8Array(MAIN);
  lens[zero] = 1;
  lens[one] = 1;
  return lens;
}

const RAW = new TextEncoder().encode('0123456789abcdefghij');

function buildChunk(skipUnit: boolean): { stream: Uint8Array; expected: Uint8Array } {
  const w = new CountingWriter();
  const A = 0x41;
  const B = 0x42;
  // Block 1, verbatim: literals ABAB... with as many as it takes for block 2's 20-bit header to
  // end on a unit boundary
  const main1 = twoSymbols(A, B);
  const probe = new CountingWriter();
  probe.header(1, 1, main1, new Uint8Array(MAIN));
  const size1 = 4 + ((16 - ((probe.bits + 4 + 20) % 16)) % 16);
  w.header(1, size1, main1, new Uint8Array(MAIN));
  const block1: number[] = [];
  for (let i = 0; i < size1; i++) {
    w.put(i & 1, 1);
    block1.push(i & 1 ? B : A);
  }
  // Block 2, uncompressed, 20 bytes, R0..R2 = 3, 5, 7
  w.put(3, 3);
  w.put(0, 1);
  w.put(RAW.length, 16);
  if (w.bits % 16 !== 0) throw new Error('test setup: block 2 header is not aligned');
  if (skipUnit) w.put(0, 16);
  for (const r of [3, 5, 7]) { w.put(r & 0xffff, 16); w.put(r >>> 16, 16); } // u32 LE = two LE units
  for (let i = 0; i < RAW.length; i += 2) w.put(RAW[i]! | (RAW[i + 1]! << 8), 16);
  // Block 3, verbatim: [R0 match, length 3] 'Z'; main lengths delta-coded against block 1's
  const Z = 0x5a;
  const R0_LEN3 = 256 + 0 * 8 + (3 - 2);
  const main3 = twoSymbols(Z, R0_LEN3);
  w.header(1, 4, main3, main1);
  w.put(1, 1); // R0 match: the last 3 raw bytes
  w.put(0, 1); // Z
  // Block 4, aligned: [offset 20 (slot 8: its 3 extra bits all aligned, value 6), length 4] 'Q'
  const Q = 0x51;
  const SLOT8_LEN4 = 256 + 8 * 8 + (4 - 2);
  const main4 = twoSymbols(Q, SLOT8_LEN4);
  const aligned = new Uint8Array(8);
  aligned[0] = 1;
  aligned[6] = 1;
  w.header(2, 5, main4, main3, aligned);
  w.put(1, 1); // the match symbol; slot 8 has no verbatim bits left
  w.put(1, 1); // aligned symbol 6 (formatted offset 16 + 6 = 22, real offset 20)
  w.put(0, 1); // Q
  const size = w.w.finish();
  const text = (s: string): number[] => [...new TextEncoder().encode(s)];
  const expected = new Uint8Array([...block1, ...RAW, ...text('hij'), Z, ...text('4567'), Q]);
  return { stream: w.out.slice(0, size), expected };
}

test('verbatim, uncompressed (aligned header: one unit skipped), verbatim and aligned blocks in one chunk', (t) => {
  const { stream, expected } = buildChunk(true);
  t.deepEqual(lzxDecompress(stream, expected.length), expected);
});

test('without the skipped unit the same chunk does not decode (the quirk is what makes it work)', (t) => {
  const { stream, expected } = buildChunk(false);
  let out: Uint8Array | undefined;
  try {
    out = lzxDecompress(stream, expected.length);
  } catch (err) {
    t.true(err instanceof FormatError);
    return;
  }
  t.notDeepEqual(out, expected);
});

test('a run of zero lengths may overrun the literal part of the main code (as wimlib accepts)', (t) => {
  const w = new CountingWriter();
  const main = twoSymbols(0x41, 0x42);
  w.put(1, 3);
  w.put(0, 1);
  w.put(4, 16);
  // literal part: 0x00..0x42 one delta each, then 189 zeros as four runs of 51 (15 too many)
  for (let i = 0; i < 20; i++) w.put(PRE_LENS[i]!, 4);
  for (let i = 0; i <= 0x42; i++) { const d = (17 - main[i]!) % 17; w.put(PRE_CW[d]!, PRE_LENS[d]!); }
  for (let k = 0; k < 4; k++) { w.put(PRE_CW[18]!, PRE_LENS[18]!); w.put(31, 5); }
  w.lens(main, new Uint8Array(MAIN), 256, MAIN);
  w.lens(new Uint8Array(LENGTH), new Uint8Array(LENGTH), 0, LENGTH);
  for (const bit of [0, 1, 0, 1]) w.put(bit, 1);
  const size = w.w.finish();
  t.deepEqual(lzxDecompress(w.out.slice(0, size), 4), new TextEncoder().encode('ABAB'));
});
