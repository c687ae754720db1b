import test from 'ava';
import { readFileSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { captureWim } from '../../../lib/formats/wim/capture.js';
import { applyImage } from '../../../lib/formats/wim/apply.js';
import { openWim } from '../../../lib/formats/wim/reader.js';
import { tempDir } from '../../helpers/tmp.js';
import { diffTrees, listTree, makeTree, wimlib } from './tree-fixture.js';

const now = new Date('2026-01-01T00:00:00Z');


/**
 * dir --detailed without the fields that legitimately differ between writers: link group ids and
 * offsets, and the access time (we store the mtime there so a capture never depends on atimes).
 */
function detailed(s: string): string[] {
  return s.split('\n').filter((l) => !/^(Link Group ID|Offset in WIM|Compressed size|Reference Count|Last Access Time)/.test(l));
}

/** Lines that differ, few enough to read in a failure. */
function lineDiff(a: string[], b: string[]): string[] {
  const d: string[] = [];
  for (let i = 0; i < Math.max(a.length, b.length) && d.length < 10; i++) if (a[i] !== b[i]) d.push(`${i}: ${a[i]} | ${b[i]}`);
  return d;
}

function stats(info: string): string {
  return info.split('\n').filter((l) => /^(Directory Count|File Count|Total Bytes|Hard Link Bytes|Image Count):/.test(l)).join('\n');
}

test('capture none: wimlib verifies it, lists the same tree and counts as its own capture, applies it byte for byte', async (t) => {
  const dir = await tempDir(t, 'tsm-wim-');
  const src = join(dir, 'src');
  makeTree(src);
  const ours = join(dir, 'ours.wim');
  const res = await captureWim(ours, [{ source: src, name: 'corpus', description: 'test tree' }], { compression: 'none', now, integrity: true });
  t.is(res.images[0]?.name, 'corpus');
  t.false(existsSync(`${ours}.partial-${process.pid}`));
  const out = await wimlib(t, 'verify', ours);
  t.regex(out, /successfully verified/);
  const info = await wimlib(t, 'info', ours, '--check');
  t.regex(info, /Compression:\s+None/);
  t.regex(info, /Attributes:\s+Integrity info/);

  const theirs = join(dir, 'theirs.wim');
  await wimlib(t, 'capture', src, theirs, 'corpus', '--compress=none');
  t.is(stats(info), stats(await wimlib(t, 'info', theirs)));
  t.deepEqual(lineDiff(detailed(await wimlib(t, 'dir', ours, '1', '--detailed')), detailed(await wimlib(t, 'dir', theirs, '1', '--detailed'))), []);

  const applied = join(dir, 'applied');
  await wimlib(t, 'apply', ours, '1', applied);
  t.deepEqual(diffTrees(listTree(src), listTree(applied)), []);
});

test('capture is reproducible: same input and time give the same bytes; the time is in the XML', async (t) => {
  const dir = await tempDir(t, 'tsm-wim-');
  makeTree(join(dir, 'src'));
  const a = join(dir, 'a.wim');
  const b = join(dir, 'b.wim');
  await captureWim(a, [{ source: join(dir, 'src'), name: 'x' }], { compression: 'none', now });
  await captureWim(b, [{ source: join(dir, 'src'), name: 'x' }], { compression: 'none', now });
  t.true(readFileSync(a).equals(readFileSync(b)));
  const c = join(dir, 'c.wim');
  await captureWim(c, [{ source: join(dir, 'src'), name: 'x' }], { compression: 'none', now: new Date('2027-01-01T00:00:00Z') });
  t.false(readFileSync(a).equals(readFileSync(c)));
  const w = openWim(a);
  t.is(w.images[0]?.creationTime, 134116992000000000n); // 2026-01-01T00:00:00Z as FILETIME
  w.close();
  t.deepEqual(readdirSync(dir).sort(), ['a.wim', 'b.wim', 'c.wim', 'src']);
});

test('two images share blobs; our reader and apply give back both trees', async (t) => {
  const dir = await tempDir(t, 'tsm-wim-');
  makeTree(join(dir, 'one'), 0);
  makeTree(join(dir, 'two'), 1);
  const wim = join(dir, 'two.wim');
  const res = await captureWim(wim, [{ source: join(dir, 'one'), name: 'one' }, { source: join(dir, 'two'), name: 'two' }], { compression: 'none', now, bootIndex: 2 });
  await wimlib(t, 'verify', wim);
  const info = await wimlib(t, 'info', wim);
  t.regex(info, /Boot Index:\s+2/);
  // the trees differ in two small files and random.bin: everything else is stored once
  const single = await captureWim(join(dir, 'one.wim'), [{ source: join(dir, 'one') }], { compression: 'none', now });
  t.true(res.size < single.size + 120_000, `two images ${res.size} vs one ${single.size}`);
  const w = openWim(wim);
  t.deepEqual(w.images.map((i) => i.name), ['one', 'two']);
  for (const [i, name] of [[1, 'one'], [2, 'two']] as const) {
    const dest = join(dir, `out${i}`);
    const r = await applyImage(w, i, dest);
    t.deepEqual(r.skippedLinks, []);
    t.deepEqual(diffTrees(listTree(join(dir, name)), listTree(dest)), []);
  }
  w.close();
});
