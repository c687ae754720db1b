// The decoder on hostile input: every failure is a FormatError, nothing hangs or over-allocates.
import test from 'ava';
import { FormatError } from '../../../lib/errors.js';
import { xpressCompress, xpressDecompress } from '../../../lib/formats/wim/xpress.js';
import { binary, lengthTable, rng, text } from './xpress-samples.js';

test('bad streams are rejected with messages that say what is wrong', (t) => {
  const fe = { instanceOf: FormatError };
  t.throws(() => xpressDecompress(new Uint8Array(100), 10), { ...fe, message: /shorter than its 256-byte code table/ });
  t.throws(() => xpressDecompress(new Uint8Array(300), 10), { ...fe, message: /empty Huffman code/ });
  t.throws(() => xpressDecompress(Uint8Array.from([...lengthTable({ 97: 1 }), 0, 0, 0, 0]), 1), { ...fe, message: /^xpress: incomplete/ });
  t.throws(() => xpressDecompress(Uint8Array.from([...lengthTable({ 97: 1, 98: 1, 99: 1 }), 0, 0, 0, 0]), 1), { ...fe, message: /over-subscribed/ });
  // offset 1 at output position 0
  t.throws(() => xpressDecompress(Uint8Array.from([...lengthTable({ 97: 1, 256: 1 }), 0x00, 0x80, 0, 0]), 4), { ...fe, message: /before the chunk start/ });
  // a valid 4-byte stream asked for 3 bytes: the match overruns
  t.throws(() => xpressDecompress(Uint8Array.from([...lengthTable({ 97: 1, 256: 1 }), 0x00, 0x60, 0, 0]), 3), { ...fe, message: /overruns/ });
  // length header 15 with no length byte left
  t.throws(() => xpressDecompress(Uint8Array.from([...lengthTable({ 97: 1, 256: 2, 271: 2 }), 0x00, 0x60, 0, 0]), 101), { ...fe, message: /ends early/ });
  // bits run out
  t.throws(() => xpressDecompress(Uint8Array.from([...lengthTable({ 97: 1, 256: 1 }), 0x00, 0x00]), 40), { ...fe, message: /ends early/ });
  // an output size beyond one XPRESS chunk is refused before allocating
  t.throws(() => xpressDecompress(new Uint8Array(300), 1 << 30), { ...fe, message: /not between 0 and 65536/ });
  t.throws(() => xpressDecompress(new Uint8Array(300), -1), fe);
});

test('fuzz: flipped, truncated and spliced streams fail only with FormatError', (t) => {
  const originals = [text(32768, 40), binary(32768), text(4000, 41), new Uint8Array(20000).fill(3)].map((d) => ({ d, c: xpressCompress(d)! }));
  const r = rng(2024);
  let rejected = 0;
  let accepted = 0;
  const iterations = 4000;
  for (let i = 0; i < iterations; i++) {
    const { d, c } = originals[i % originals.length]!;
    let bad: Uint8Array;
    const kind = r() % 4;
    if (kind === 0) {
      bad = c.slice();
      for (let k = 1 + (r() % 4); k > 0; k--) bad[r() % bad.length]! ^= 1 << (r() % 8);
    } else if (kind === 1) {
      bad = c.slice(0, r() % c.length);
    } else if (kind === 2) {
      bad = c.slice(); // corrupt only the bit stream, keep the code valid
      for (let k = 1 + (r() % 8); k > 0; k--) bad[256 + (r() % (bad.length - 256))] = r() & 0xff;
    } else {
      bad = c.slice();
      bad.copyWithin(256 + (r() % 500), 256 + (r() % 500), 256 + (r() % 2000));
    }
    const outSize = r() % 8 === 0 ? r() % 65537 : d.length;
    try {
      xpressDecompress(bad, outSize);
      accepted++;
    } catch (err) {
      if (!(err instanceof FormatError)) {
        t.fail(`iteration ${i}: ${String(err)}`);
        return;
      }
      rejected++;
    }
  }
  t.is(rejected + accepted, iterations);
  t.true(rejected > iterations / 4, `${rejected} rejected`);
});

test('random garbage after a valid table is rejected or decoded, never thrown otherwise', (t) => {
  const r = rng(77);
  const valid = xpressCompress(text(32768, 42))!;
  for (let i = 0; i < 500; i++) {
    const bad = new Uint8Array(256 + (r() % 3000));
    bad.set(valid.subarray(0, 256));
    for (let k = 256; k < bad.length; k++) bad[k] = r() & 0xff;
    try {
      xpressDecompress(bad, 32768);
    } catch (err) {
      if (!(err instanceof FormatError)) return t.fail(String(err));
    }
  }
  t.pass();
});
