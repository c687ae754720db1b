import test from 'ava';
import { join } from 'node:path';
import { applyImage } from '../../../lib/formats/wim/apply.js';
import { captureWim } from '../../../lib/formats/wim/capture.js';
import { exportImage } from '../../../lib/formats/wim/export.js';
import { openWim } from '../../../lib/formats/wim/reader.js';
import { child, childText } from '../../../lib/formats/wim/xml.js';
import { closePool } from '../../../lib/pool/pool.js';
import { tempDir } from '../../helpers/tmp.js';
import { diffTrees, listTree, makeTree, prng, textish, wimlib } from './tree-fixture.js';
import { writeFileSync } from 'node:fs';

test.after.always(closePool);
const now = new Date('2026-01-01T00:00:00Z');


test('export: from a wimlib LZX WIM into new LZX (stored copy) and XPRESS (recompressed) WIMs, and into an existing WIM', async (t) => {
  const dir = await tempDir(t, 'tsm-wim-');
  makeTree(join(dir, 'one'), 0);
  makeTree(join(dir, 'two'), 1);
  // a large compressible blob (streamed through the pool) before raw ones (copied as stored)
  writeFileSync(join(dir, 'two', 'big.txt'), textish(9, 1_000_000));
  writeFileSync(join(dir, 'two', 'dir', 'zz-raw.bin'), prng(77, 300_000));
  const src = join(dir, 'src.wim');
  await wimlib(t, 'capture', join(dir, 'one'), src, 'first', '--compress=lzx');
  await wimlib(t, 'append', join(dir, 'two'), src, 'second');
  await wimlib(t, 'info', src, '2', '--image-property', 'WINDOWS/EDITIONID=Enterprise');
  const s = openWim(src);
  const lzx = join(dir, 'lzx.wim');
  const xp = join(dir, 'xpress.wim');
  t.is((await exportImage(s, 2, lzx, { now })).index, 1);
  await exportImage(s, 2, xp, { now, compression: 'xpress', name: 'renamed', bootable: true });
  const existing = join(dir, 'existing.wim');
  await captureWim(existing, [{ source: join(dir, 'one'), name: 'one' }], { compression: 'none', now, integrity: true });
  t.is((await exportImage(s, 2, existing, { now })).index, 2);
  s.close();
  for (const [wim, idx, comp] of [[lzx, 1, 'LZX'], [xp, 1, 'XPRESS'], [existing, 2, 'None']] as const) {
    t.regex(await wimlib(t, 'verify', wim), /successfully verified/);
    t.regex(await wimlib(t, 'info', wim), new RegExp(`Compression:\\s+${comp}`));
    const out = join(dir, `out-${comp}`);
    await wimlib(t, 'apply', wim, String(idx), out);
    t.deepEqual(diffTrees(listTree(join(dir, 'two')), listTree(out)), [], comp);
    const w = openWim(wim);
    const img = w.images[idx - 1];
    const win = img && child(img.xml, 'WINDOWS');
    t.is(win && childText(win, 'EDITIONID'), 'Enterprise');
    if (wim === xp) { t.is(img?.name, 'renamed'); t.is(w.header.bootIndex, 1); }
    if (wim === existing) {
      // the old image still applies: its data stayed where it was
      await applyImage(w, 1, join(dir, 'old'));
      t.deepEqual(diffTrees(listTree(join(dir, 'one')), listTree(join(dir, 'old'))), []);
    }
    w.close();
  }
});
