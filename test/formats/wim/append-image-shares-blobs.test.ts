import test from 'ava';
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../../../lib/errors.js';
import { appendImage } from '../../../lib/formats/wim/append.js';
import { applyImage } from '../../../lib/formats/wim/apply.js';
import { captureWim } from '../../../lib/formats/wim/capture.js';
import { openWim } from '../../../lib/formats/wim/reader.js';
import { childText, child } from '../../../lib/formats/wim/xml.js';
import { closePool } from '../../../lib/pool/pool.js';
import { tempDir } from '../../helpers/tmp.js';
import { diffTrees, listTree, makeTree, prng, wimlib } from './tree-fixture.js';

test.after.always(closePool);
const now = new Date('2026-01-01T00:00:00Z');


test('append to our WIM: the second image adds only new data; wimlib verifies; both images apply', async (t) => {
  const dir = await tempDir(t, 'tsm-wim-');
  makeTree(join(dir, 'one'), 0);
  makeTree(join(dir, 'two'), 1);
  writeFileSync(join(dir, 'one', 'big.bin'), prng(5, 2_000_000));
  writeFileSync(join(dir, 'two', 'big.bin'), prng(5, 2_000_000));
  const wim = join(dir, 'w.wim');
  await captureWim(wim, [{ source: join(dir, 'one'), name: 'one' }], { compression: 'none', now, integrity: true });
  const before = statSync(wim).size;
  const r = await appendImage(wim, { source: join(dir, 'two'), name: 'two' }, { now });
  t.is(r.images[0]?.index, 2);
  const after = statSync(wim).size;
  t.true(after - before < 150_000, `append grew the WIM by ${after - before} bytes`);
  t.regex(await wimlib(t, 'verify', wim), /successfully verified/);
  const info = await wimlib(t, 'info', wim);
  t.regex(info, /Image Count:\s+2/);
  t.regex(info, /Integrity info/);
  const w = openWim(wim);
  for (const [i, name] of [[1, 'one'], [2, 'two']] as const) {
    await applyImage(w, i, join(dir, `out-${name}`));
    t.deepEqual(diffTrees(listTree(join(dir, name)), listTree(join(dir, `out-${name}`))), []);
  }
  w.close();
  await t.throwsAsync(appendImage(wim, { source: join(dir, 'two'), name: 'two' }, { now }), { instanceOf: UsageError, message: /already has an image named/ });
});

test('append to a wimlib LZX WIM keeps its unknown XML elements and its compression', async (t) => {
  const dir = await tempDir(t, 'tsm-wim-');
  makeTree(join(dir, 'one'), 0);
  makeTree(join(dir, 'two'), 1);
  const wim = join(dir, 'w.wim');
  await wimlib(t, 'capture', join(dir, 'one'), wim, 'first', '--compress=lzx');
  await wimlib(t, 'info', wim, '1', '--image-property', 'WINDOWS/EDITIONID=Professional');
  await appendImage(wim, { source: join(dir, 'two'), name: 'second', description: 'd' }, { now });
  t.regex(await wimlib(t, 'verify', wim), /successfully verified/);
  const w = openWim(wim);
  t.is(w.compression, 'lzx');
  const win = child(w.images[0]?.xml ?? { name: '', attrs: [], children: [] }, 'WINDOWS');
  t.is(win && childText(win, 'EDITIONID'), 'Professional');
  t.is(w.images[1]?.description, 'd');
  await applyImage(w, 2, join(dir, 'out'));
  w.close();
  t.deepEqual(diffTrees(listTree(join(dir, 'two')), listTree(join(dir, 'out'))), []);
  const applied = join(dir, 'wl');
  await wimlib(t, 'apply', wim, '2', applied);
  t.deepEqual(diffTrees(listTree(join(dir, 'two')), listTree(applied)), []);
});
