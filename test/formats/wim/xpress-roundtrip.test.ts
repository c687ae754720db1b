import test from 'ava';
import { UsageError } from '../../../lib/errors.js';
import { createXpressCompressor, xpressCompress, xpressDecompress } from '../../../lib/formats/wim/xpress.js';
import { INCOMPRESSIBLE, randomBytes, samples, text } from './xpress-samples.js';

for (const [name, data] of samples()) {
  test(`round trip: ${name}`, (t) => {
    const c = xpressCompress(data);
    if (INCOMPRESSIBLE.has(name)) {
      t.is(c, null, 'stored raw');
      return;
    }
    t.truthy(c, 'compresses');
    t.true(c!.length < data.length, 'compressed output is smaller than the input');
    t.deepEqual(xpressDecompress(c!, data.length), data);
  });
}

test('compressible inputs do compress, incompressible ones come back null', (t) => {
  t.is(xpressCompress(new Uint8Array(0)), null);
  t.is(xpressCompress(Uint8Array.of(1)), null);
  t.is(xpressCompress(randomBytes(32768, 11)), null);
  const zeros = xpressCompress(new Uint8Array(65536));
  t.truthy(zeros);
  t.true(zeros!.length < 300, `64 KiB of zeros -> ${zeros!.length} bytes`);
  const txt = xpressCompress(text(32768, 12));
  t.truthy(txt);
  t.true(txt!.length < 32768 * 0.45, `text ratio ${txt!.length / 32768}`);
});

test('a reused compressor gives the same bytes as a fresh one (no state leaks between chunks)', (t) => {
  const reused = createXpressCompressor();
  const inputs = [text(32768, 20), new Uint8Array(32768), text(20000, 21), text(32768, 20)];
  const first = inputs.map((d) => reused.compress(d));
  for (let i = 0; i < inputs.length; i++) {
    t.deepEqual(first[i], createXpressCompressor().compress(inputs[i]!));
  }
  t.deepEqual(first[0], first[3]);
});

test('search depth and nice length change speed, not correctness', (t) => {
  const data = text(65536, 30);
  for (const opts of [{ maxSearchDepth: 1, niceLength: 3 }, { maxSearchDepth: 200, niceLength: 65536 }]) {
    const c = createXpressCompressor(opts).compress(data);
    t.truthy(c);
    t.deepEqual(xpressDecompress(c!, data.length), data);
  }
});

test('chunks above 64 KiB are a usage error', (t) => {
  t.throws(() => xpressCompress(new Uint8Array(65537)), { instanceOf: UsageError });
  t.throws(() => createXpressCompressor({ maxChunkSize: 4096 }).compress(new Uint8Array(4097)), { instanceOf: UsageError });
  t.throws(() => createXpressCompressor({ maxChunkSize: 1 << 17 }), { instanceOf: UsageError });
});
