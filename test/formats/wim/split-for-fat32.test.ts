import test from 'ava';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { captureWim } from '../../../lib/formats/wim/capture.js';
import { wimSplitterInto } from '../../../lib/formats/wim/split-for-fat32.js';
import { closePool } from '../../../lib/pool/pool.js';
import { run } from '../../helpers/run.js';
import { tempDir } from '../../helpers/tmp.js';
import { writeTree, pseudoRandomBytes } from '../../helpers/sample-tree.js';

test.after.always(closePool);

test('a WIM too big for FAT32 becomes .swm parts under the limit that wimlib verifies and applies', async (t) => {
  const dir = await tempDir(t);
  const files: Record<string, Buffer> = {};
  for (let i = 0; i < 12; i++) files[`f${i}.bin`] = pseudoRandomBytes(100_000, i + 1);
  await writeTree(join(dir, 'src'), files);
  await captureWim(join(dir, 'install.wim'), [{ source: join(dir, 'src'), name: 'Win' }], { compression: 'none', now: new Date(0) });

  const parts = await wimSplitterInto(join(dir, 'parts'), 350_000)({ path: 'sources/install.wim', sourcePath: join(dir, 'install.wim'), size: 0 });
  t.true(parts.length >= 3, `${parts.length} parts`);
  t.is(parts[0]!.name, 'install.swm');
  t.is(parts[1]!.name, 'install2.swm');
  for (const p of parts) t.true(p.size <= 350_000, `${p.name} is ${p.size} bytes`);
  t.deepEqual((await readdir(join(dir, 'parts'))).sort(), parts.map((p) => p.name).sort());

  const first = join(dir, 'parts', 'install.swm');
  const verify = await run('wimlib-imagex', ['verify', first, `--ref=${join(dir, 'parts', 'install*.swm')}`]);
  t.is(verify.code, 0, verify.stderr);
  const apply = await run('wimlib-imagex', ['apply', first, '1', join(dir, 'out'), `--ref=${join(dir, 'parts', 'install*.swm')}`]);
  t.is(apply.code, 0, apply.stderr);
  t.is((await run('diff', ['-r', join(dir, 'src'), join(dir, 'out')])).code, 0);
});

test('a single file larger than a part cannot be split for FAT32: a clear error', async (t) => {
  const dir = await tempDir(t);
  await writeTree(join(dir, 'src'), { 'big.bin': pseudoRandomBytes(500_000, 3) });
  await captureWim(join(dir, 'install.wim'), [{ source: join(dir, 'src'), name: 'Win' }], { compression: 'none', now: new Date(0) });
  const err = await t.throwsAsync(wimSplitterInto(join(dir, 'parts'), 300_000)({ path: 'install.wim', sourcePath: join(dir, 'install.wim'), size: 0 }));
  t.regex(err!.message, /single file of more than 300000 bytes/);
});
