// A large file whose bytes the WIM already holds is hashed before it is compressed, so it is
// never compressed only to be thrown away: within one capture, and when appending an image to a
// WIM that holds it. A file of the same size with other bytes is still stored.
import test from 'ava';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { appendImage } from '../../../lib/formats/wim/append.js';
import { applyImage } from '../../../lib/formats/wim/apply.js';
import { captureWim } from '../../../lib/formats/wim/capture.js';
import { openWim } from '../../../lib/formats/wim/reader.js';
import { closePool } from '../../../lib/pool/pool.js';
import { tempDir } from '../../helpers/tmp.js';
import { countingCompressor } from './resource-cache-fixture.js';
import { diffTrees, listTree, textish, wimlib } from './tree-fixture.js';

test.after.always(closePool);
const now = new Date('2026-01-01T00:00:00Z');
const SIZE = 1_000_000;
/** The metadata resources of these small trees are compressed too; they stay under this. */
const METADATA_MAX = 64 * 1024;

function makeRepeats(root: string): void {
  const big = textish(1, SIZE);
  const other = Buffer.from(big);
  other[SIZE >> 1] = other[SIZE >> 1]! ^ 1;
  mkdirSync(join(root, 'a'), { recursive: true });
  mkdirSync(join(root, 'b'), { recursive: true });
  writeFileSync(join(root, 'a', 'big.bin'), big);
  writeFileSync(join(root, 'b', 'big-copy.bin'), big);
  writeFileSync(join(root, 'b', 'same-size-other-bytes.bin'), other);
}

test('a repeated large file is compressed once; one of the same size with other bytes is stored; the image applies', async (t) => {
  const dir = await tempDir(t, 'tsm-wimdup-');
  const src = join(dir, 'src');
  makeRepeats(src);
  const counter = countingCompressor();
  const wim = join(dir, 'w.wim');
  const r = await captureWim(wim, [{ source: src, name: 'one' }], { compression: 'xpress', now, compressor: counter.compressor });
  const data = counter.bytes() - 2 * SIZE;
  t.true(data >= 0 && data < METADATA_MAX, `compressed ${counter.bytes()} bytes for two distinct ${SIZE}-byte files`);
  t.is(r.blobCount, 2, 'two file blobs');
  await wimlib(t, 'verify', wim);

  const w = openWim(wim);
  try {
    await applyImage(w, 1, join(dir, 'out'));
  } finally {
    w.close();
  }
  t.deepEqual(diffTrees(listTree(src), listTree(join(dir, 'out'))), []);
});

test('appending an image whose large file the WIM holds compresses only the new metadata', async (t) => {
  const dir = await tempDir(t, 'tsm-wimdup-');
  makeRepeats(join(dir, 'one'));
  mkdirSync(join(dir, 'two'));
  writeFileSync(join(dir, 'two', 'renamed.bin'), textish(1, SIZE));
  const wim = join(dir, 'w.wim');
  await captureWim(wim, [{ source: join(dir, 'one'), name: 'one' }], { compression: 'lzx', now });
  const counter = countingCompressor();
  await appendImage(wim, { source: join(dir, 'two'), name: 'two' }, { now, compressor: counter.compressor });
  t.true(counter.bytes() < METADATA_MAX, `compressed ${counter.bytes()} bytes`);
  await wimlib(t, 'verify', wim);
});
