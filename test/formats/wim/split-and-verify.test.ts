import test from 'ava';
import { readdirSync, statSync, writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FormatError } from '../../../lib/errors.js';
import { applyImage } from '../../../lib/formats/wim/apply.js';
import { captureWim } from '../../../lib/formats/wim/capture.js';
import { openWim } from '../../../lib/formats/wim/reader.js';
import { partName, splitWim } from '../../../lib/formats/wim/split.js';
import { throwIfFaulty, verifyWim } from '../../../lib/formats/wim/verify.js';
import { closePool } from '../../../lib/pool/pool.js';
import { run } from '../../helpers/run.js';
import { tempDir } from '../../helpers/tmp.js';
import { diffTrees, listTree, makeTree, prng } from './tree-fixture.js';

test.after.always(closePool);
const now = new Date('2026-01-01T00:00:00Z');

test('part names: X.swm, X2.swm, X3.swm', (t) => {
  t.is(partName('/a/install.swm', 1), '/a/install.swm');
  t.is(partName('/a/install.swm', 3), '/a/install3.swm');
  t.is(partName('/a.b/part', 2), '/a.b/part2');
});

test('split: parts pass wimlib verify and apply with --ref, and our reader with refs', async (t) => {
  const dir = await tempDir(t, 'tsm-wim-');
  const src = join(dir, 'src');
  makeTree(src);
  for (let i = 0; i < 5; i++) writeFileSync(join(src, `r${i}.bin`), prng(30 + i, 400_000));
  const wim = join(dir, 'w.wim');
  await captureWim(wim, [{ source: src, name: 'a' }, { source: join(src, 'dir'), name: 'b' }], { compression: 'xpress', now, bootIndex: 1 });
  const w = openWim(wim);
  const parts = splitWim(w, join(dir, 'w.swm'), 1_000_000, { integrity: true });
  w.close();
  t.true(parts.length >= 3, `${parts.length} parts`);
  t.deepEqual(readdirSync(dir).filter((n) => n.endsWith('.swm')).sort(), parts.map((p) => p.slice(dir.length + 1)).sort());
  for (const p of parts.slice(0, -1)) t.true(statSync(p).size < 1_000_000 + 500_000, `${p} is ${statSync(p).size}`);
  const v = await run('wimlib-imagex', ['verify', parts[0] ?? '', `--ref=${join(dir, 'w*.swm')}`]);
  t.is(v.code, 0, v.stderr);
  const info = await run('wimlib-imagex', ['info', parts[1] ?? '', '--header']);
  t.regex(info.stdout, /Part Number\s*=\s*2/);
  const a = await run('wimlib-imagex', ['apply', parts[0] ?? '', '1', join(dir, 'wl'), `--ref=${join(dir, 'w*.swm')}`]);
  t.is(a.code, 0, a.stderr);
  t.deepEqual(diffTrees(listTree(src), listTree(join(dir, 'wl'))), []);
  const ours = openWim(parts[0] ?? '', { refs: parts.slice(1) });
  t.is(verifyWim(ours).images, 2);
  await applyImage(ours, 1, join(dir, 'a'));
  // image 2 is src/dir alone: its link-up (../boot/BCD) would leave the target folder
  t.deepEqual((await applyImage(ours, 2, join(dir, 'b'))).skippedLinks, ['link-up']);
  ours.close();
  t.deepEqual(diffTrees(listTree(src), listTree(join(dir, 'a'))), []);
});

test('verify: finds each corrupted stream, which opening and listing do not read', async (t) => {
  const dir = await tempDir(t, 'tsm-wim-');
  makeTree(join(dir, 'src'));
  const wim = join(dir, 'w.wim');
  await captureWim(wim, [{ source: join(dir, 'src') }], { compression: 'none', now });
  const good = openWim(wim);
  const r = verifyWim(good);
  good.close();
  t.false(r.integrityChecked);
  t.true(r.streams > 50);
  t.deepEqual(r.faults, []);
  // corrupt one byte inside random.bin's data (the first large blob, well after the header)
  const b = readFileSync(wim);
  const at = b.indexOf(prng(7, 64));
  t.true(at > 208);
  b[at + 10] = (b[at + 10] ?? 0) ^ 1;
  writeFileSync(wim, b);
  // and one inside boot/bootmgr: verify goes on after the first fault and reports both
  const at2 = b.indexOf(prng(12, 64));
  t.true(at2 > 208);
  b[at2 + 10] = (b[at2 + 10] ?? 0) ^ 1;
  writeFileSync(wim, b);
  const bad = openWim(wim);
  t.notThrows(() => bad.image(1));
  const found = verifyWim(bad);
  bad.close();
  t.is(found.faults.length, 2, found.faults.join('\n'));
  t.regex(found.faults.find((f) => f.includes('random.bin')) ?? '', /corrupted/);
  t.regex(found.faults.find((f) => f.includes('bootmgr')) ?? '', /corrupted/);
  t.throws(() => throwIfFaulty(wim, found), { instanceOf: FormatError, message: /has 2 faults; the first: / });
});
