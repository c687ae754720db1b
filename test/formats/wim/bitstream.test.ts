import test from 'ava';
import { FormatError } from '../../../lib/errors.js';
import { BitReader, BitWriter, InterleavedBitWriter } from '../../../lib/formats/wim/bitstream.js';

test('bits go MSB-first into 16-bit little-endian units, the last one zero-padded', (t) => {
  const out = new Uint8Array(8);
  const w = new BitWriter(out);
  w.writeBits(0b101, 3);
  w.writeBits(0x1fff, 13); // completes unit 0: 101 1111111111111 = 0xbfff
  w.writeBits(0b11, 2); // unit 1: 11 then 14 zero bits = 0xc000
  t.is(w.finish(), 4);
  t.deepEqual([...out.subarray(0, 4)], [0xff, 0xbf, 0x00, 0xc0]);
});

test('writer and reader agree on random bit counts up to 32', (t) => {
  let x = 12345;
  const next = () => (x = (Math.imul(x, 1103515245) + 12345) >>> 0);
  const items: [number, number][] = [];
  for (let i = 0; i < 5000; i++) {
    const n = next() % 33;
    const v = n === 0 ? 0 : (next() * 2 ** 5 + (next() & 31)) % 2 ** n;
    items.push([v, n]);
  }
  const out = new Uint8Array(5000 * 4 + 4);
  const w = new BitWriter(out);
  for (const [v, n] of items) w.writeBits(v, n);
  const size = w.finish();
  const r = new BitReader(out, 0, size, 'test');
  let ok = true;
  for (const [v, n] of items) if (r.readBits(n) !== v) { ok = false; break; }
  t.true(ok);
});

test('a writer that runs out of room reports 0 instead of a short stream', (t) => {
  const w = new BitWriter(new Uint8Array(4));
  for (let i = 0; i < 3; i++) w.writeBits(0xffff, 16);
  t.is(w.finish(), 0);
  t.true(w.overflowed);
});

test('reading past the end is a FormatError, never a RangeError; lookahead past the end is fine', (t) => {
  const r = new BitReader(Uint8Array.from([0x00, 0x80]), 0, 2, 'xpress');
  r.ensureBits(16);
  t.is(r.peekBits(1), 1);
  t.is(r.readBits(16), 0x8000);
  r.ensureBits(16); // virtual zero unit: peeking is allowed
  t.is(r.peekBits(16), 0);
  t.throws(() => r.readBits(1), { instanceOf: FormatError, message: /ends early/ });
  const odd = new BitReader(Uint8Array.from([0x12]), 0, 1, 'xpress');
  t.throws(() => odd.readBits(1), { instanceOf: FormatError });
  const bytes = new BitReader(Uint8Array.from([1, 2, 3]), 0, 3, 'lzx');
  t.is(bytes.readU16(), 0x0201);
  t.throws(() => bytes.readU16(), { instanceOf: FormatError, message: /^lzx:/ });
  t.is(bytes.readByte(), 3);
  t.throws(() => bytes.readByte(), { instanceOf: FormatError });
  const u32 = new BitReader(Uint8Array.from([1, 0, 0, 0x80]));
  t.is(u32.readU32(), 0x80000001);
  t.throws(() => u32.readBytes(new Uint8Array(1), 0, 1), { instanceOf: FormatError });
});

test('interleaved writer: a unit slot is reserved ahead, bytes land between units (golden)', (t) => {
  const out = new Uint8Array(16).fill(0xee);
  const w = new InterleavedBitWriter(out);
  w.writeBits(0x1234, 16); // 16 pending: not yet flushed (flush needs more than 16)
  w.writeByte(0xab); // byte stream starts after the two reserved slots, at 4
  w.writeBits(1, 1); // 17 pending: 0x1234 -> slot 0, new slot at 5
  t.is(w.finish(), 7); // pending bit left-aligned in slot 1 (2..3), zero in slot 5..6
  t.deepEqual([...out.subarray(0, 8)], [0x34, 0x12, 0x00, 0x80, 0xab, 0x00, 0x00, 0xee]);
  // the XPRESS decoder discipline reads it back: 16 bits, ensure 16 more, then the byte
  const r = new BitReader(out, 0, 7, 'xpress');
  t.is(r.readBits(16), 0x1234);
  r.ensureBits(16);
  t.is(r.readByte(), 0xab);
  t.is(r.readBits(1), 1);
});

test('alignToUnit drops buffered bits so raw bytes follow the consumed units', (t) => {
  const r = new BitReader(Uint8Array.from([0x00, 0xa0, 0x44, 0x33, 0x22, 0x11]));
  t.is(r.readBits(3), 0b101);
  r.ensureBits(1);
  r.alignToUnit();
  t.is(r.readU32(), 0x11223344);
  t.is(r.position, 6);
});
