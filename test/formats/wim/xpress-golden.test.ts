// Streams derived by hand from MS-XCA §2.1–2.2 and wimlib's interleaving (research §1.12).
import test from 'ava';
import { xpressCompress, xpressDecompress } from '../../../lib/formats/wim/xpress.js';
import { lengthTable } from './xpress-samples.js';

test('literal then a match of offset 1 and length 3 (symbol 256)', (t) => {
  // codes: 'a' (97) -> 0, 256 -> 1. Bits: 0 (a), 1 (match, no offset bits), 1 (end of data)
  // = 011 -> first unit 0x6000, then the zero second slot.
  const stream = Uint8Array.from([...lengthTable({ 97: 1, 256: 1 }), 0x00, 0x60, 0x00, 0x00]);
  t.deepEqual(xpressDecompress(stream, 4), new TextEncoder().encode('aaaa'));
});

test('a match with one extra length byte in the byte stream', (t) => {
  // codes: 97 -> 0, 256 -> 10, 271 (offset 1, length header 15) -> 11.
  // 'a', then 271 and the length byte 100 - 3 - 15 = 82 (at byte 260, after the two reserved
  // slots), then end of data: bits 0 11 10 -> 0x7000.
  const stream = Uint8Array.from([...lengthTable({ 97: 1, 256: 2, 271: 2 }), 0x00, 0x70, 0x00, 0x00, 82]);
  t.deepEqual(xpressDecompress(stream, 101), new Uint8Array(101).fill(97));
});

test('offset bits follow the symbol in the bit stream', (t) => {
  // "abcabc": a, b, c literals, then offset 3 (log2 1, low bit 1), length 3: symbol 256 + 16 = 272.
  // codes (lengths a2 b2 c2 272:3 256:3): a 00, b 01, c 10, 256 110, 272 111.
  // bits: 00 01 10 111 1 110 = 0001 1011 1111 0 -> padded 0x1bf0
  const stream = Uint8Array.from([...lengthTable({ 97: 2, 98: 2, 99: 2, 256: 3, 272: 3 }), 0xf0, 0x1b, 0x00, 0x00]);
  t.deepEqual(xpressDecompress(stream, 6), new TextEncoder().encode('abcabc'));
});

test('our compressor writes the exact stream for 1000 equal bytes (u16 length path)', (t) => {
  // 'a' literal, then offset 1 length 999: header 15, extra byte 255, then u16 996 (LE e4 03).
  // Frequencies 97, 256 (end of data), 271 all 1: lengths 271:1, 97:2, 256:2 (ties by symbol),
  // codes 271 -> 0, 97 -> 10, 256 -> 11. Bits 10 0 11 -> 0x9800; bytes ff e4 03.
  const out = xpressCompress(new Uint8Array(1000).fill(97));
  const expected = Uint8Array.from([...lengthTable({ 97: 2, 256: 2, 271: 1 }), 0x00, 0x98, 0x00, 0x00, 0xff, 0xe4, 0x03]);
  t.deepEqual(out, expected);
  t.deepEqual(xpressDecompress(expected, 1000), new Uint8Array(1000).fill(97));
});
