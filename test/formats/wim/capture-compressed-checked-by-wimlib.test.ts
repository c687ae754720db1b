import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { captureWim } from '../../../lib/formats/wim/capture.js';
import { applyImage } from '../../../lib/formats/wim/apply.js';
import { openWim } from '../../../lib/formats/wim/reader.js';
import { closePool } from '../../../lib/pool/pool.js';
import { run } from '../../helpers/run.js';
import { tempDir } from '../../helpers/tmp.js';
import { diffTrees, listTree, makeTree, textish } from './tree-fixture.js';
import { writeFileSync } from 'node:fs';

test.after.always(closePool);
const now = new Date('2026-01-01T00:00:00Z');

for (const kind of ['xpress', 'lzx'] as const) {
  test(`capture ${kind}: wimlib verifies and applies it, 7-Zip tests it; compressed resources, raw ones where not smaller; reproducible`, async (t) => {
    const dir = await tempDir(t, 'tsm-wim-');
    const src = join(dir, 'src');
    makeTree(src);
    // a large compressible file crosses the streamed (not grouped) path, with many chunks
    writeFileSync(join(src, 'big.txt'), textish(5, 1_500_000));
    const wim = join(dir, 'c.wim');
    await captureWim(wim, [{ source: src, name: 'c' }], { compression: kind, now, integrity: true });
    const v = await run('wimlib-imagex', ['verify', wim]);
    t.is(v.code, 0, v.stderr);
    const info = await run('wimlib-imagex', ['info', wim, '--header']);
    t.regex(info.stdout, new RegExp(`Chunk Size\\s*=\\s*32768`, 'i'));
    t.regex(info.stdout, new RegExp(kind === 'xpress' ? 'COMPRESS_XPRESS' : 'COMPRESS_LZX'));
    // 7-Zip, a second independent reader, tests every stream
    const z = await run('7z', ['t', wim]);
    t.is(z.code, 0, z.stdout + z.stderr);
    t.regex(z.stdout, /Everything is Ok/);
    const applied = join(dir, 'applied');
    const a = await run('wimlib-imagex', ['apply', wim, '1', applied]);
    t.is(a.code, 0, a.stderr);
    t.deepEqual(diffTrees(listTree(src), listTree(applied)), []);
    // compressed: much smaller than the data (random.bin stays raw)
    const w = openWim(wim);
    t.true(readFileSync(wim).length < 1_500_000 / 2);
    const ours = join(dir, 'ours');
    await applyImage(w, 1, ours);
    w.close();
    t.deepEqual(diffTrees(listTree(src), listTree(ours)), []);
    const again = join(dir, 'again.wim');
    await captureWim(again, [{ source: src, name: 'c' }], { compression: kind, now, integrity: true });
    t.true(readFileSync(wim).equals(readFileSync(again)));
  });
}
