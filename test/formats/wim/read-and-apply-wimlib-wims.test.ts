import test from 'ava';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FormatError, TsmediaError } from '../../../lib/errors.js';
import { applyImage, extractFolderFromWim } from '../../../lib/formats/wim/apply.js';
import { openWim, readFileFromWim } from '../../../lib/formats/wim/reader.js';
import { closePool } from '../../../lib/pool/pool.js';
import { tempDir } from '../../helpers/tmp.js';
import { diffTrees, listTree, makeTree, prng, wimlib } from './tree-fixture.js';


test.after.always(closePool);

for (const kind of ['none', 'xpress', 'lzx'] as const) {
  test(`we read and apply a 2-image ${kind} WIM written by wimlib-imagex`, async (t) => {
    const dir = await tempDir(t, 'tsm-wim-');
    makeTree(join(dir, 'one'), 0);
    makeTree(join(dir, 'two'), 1);
    const wim = join(dir, 'w.wim');
    await wimlib(t, 'capture', join(dir, 'one'), wim, 'first', '--compress=' + kind, '--check');
    await wimlib(t, 'append', join(dir, 'two'), wim, 'second', '--check');
    const w = openWim(wim);
    t.true(w.verifyIntegrity());
    t.is(w.compression, kind);
    t.deepEqual(w.images.map((i) => [i.index, i.name]), [[1, 'first'], [2, 'second']]);
    t.deepEqual(Buffer.from(readFileFromWim(w, 1, '\\BOOT\\BCD')), prng(11, 4096));
    t.deepEqual(Buffer.from(readFileFromWim(w, 2, 'dir/random.bin')), prng(8, 100_000));
    for (const [i, name] of [[1, 'one'], [2, 'two']] as const) {
      const dest = join(dir, `out-${name}`);
      await applyImage(w, i, dest);
      t.deepEqual(diffTrees(listTree(join(dir, name)), listTree(dest)), []);
    }
    const boot = join(dir, 'boot');
    await extractFolderFromWim(w, 1, 'boot', boot);
    t.deepEqual(readdirSync(boot).sort(), ['BCD', 'bootmgr']);
    w.close();
  });
}

test('we read a split set (.swm) that wimlib-imagex wrote, given the other parts', async (t) => {
  const dir = await tempDir(t, 'tsm-wim-');
  makeTree(join(dir, 'src'));
  // incompressible data, so 1 MiB parts make at least three
  writeFileSync(join(dir, 'src', 'r1.bin'), prng(21, 900_000));
  writeFileSync(join(dir, 'src', 'r2.bin'), prng(22, 900_000));
  const wim = join(dir, 'w.wim');
  await wimlib(t, 'capture', join(dir, 'src'), wim, 'x', '--compress=xpress');
  await wimlib(t, 'split', wim, join(dir, 'w.swm'), '1'); // 1 MiB parts: random.bin and texts spread out
  const parts = readdirSync(dir).filter((n) => n.endsWith('.swm')).sort();
  t.true(parts.length >= 2, parts.join(','));
  const refs = parts.filter((p) => p !== 'w.swm').map((p) => join(dir, p));
  const part1 = openWim(join(dir, 'w.swm'));
  await t.throwsAsync(applyImage(part1, 1, join(dir, 'fail')), { instanceOf: FormatError, message: /not in the WIM|incomplete/ });
  part1.close();
  const w = openWim(join(dir, 'w.swm'), { refs });
  await applyImage(w, 1, join(dir, 'out'));
  w.close();
  t.deepEqual(diffTrees(listTree(join(dir, 'src')), listTree(join(dir, 'out'))), []);
});

test('chunk sizes: XPRESS with 64 KiB chunks reads; LZX with 128 KiB chunks is refused clearly', async (t) => {
  const dir = await tempDir(t, 'tsm-wim-');
  makeTree(join(dir, 'src'));
  const x = join(dir, 'x.wim');
  await wimlib(t, 'capture', join(dir, 'src'), x, 'x', '--compress=xpress', '--chunk-size=65536');
  const w = openWim(x);
  await applyImage(w, 1, join(dir, 'out'));
  w.close();
  t.deepEqual(diffTrees(listTree(join(dir, 'src')), listTree(join(dir, 'out'))), []);
  const l = join(dir, 'l.wim');
  await wimlib(t, 'capture', join(dir, 'src'), l, 'l', '--compress=lzx', '--chunk-size=131072');
  const lw = openWim(l);
  t.is(lw.images.length, 1);
  t.throws(() => readFileFromWim(lw, 1, 'boot/BCD'), { instanceOf: TsmediaError, message: /131072-byte chunks/ });
  lw.close();
});
