// -DeduplicateFiles (oscdimg -o): files with equal bytes under different names share one extent;
// equal sizes with different bytes do not. Checked with 7z (UDF), isovfy, udfinfo.
import test from 'ava';
import { join } from 'node:path';
import { stat } from 'node:fs/promises';
import { run } from '../../helpers/run.js';
import { tempDir } from '../../helpers/tmp.js';
import { closePool } from '../../../lib/pool/pool.js';
import { buildIsoImages, keyDuplicateFiles } from '../../../lib/formats/iso/build-image.js';
import { makeTree, readTree, pattern, FIXED_DATE } from './fixtures.js';

test.after.always(closePool);

test('equal files are stored once, look-alikes of the same size are not', async (t) => {
  const dir = await tempDir(t, 'tsm-isodup-');
  const src = join(dir, 'src');
  const a = pattern(1, 700_000);
  const b = Buffer.from(a);
  b[350_000] = b[350_000]! ^ 1; // same size, one byte different
  await makeTree(src, { 'pkg1/a.cab': a, 'pkg2/copy of a.cab': a, 'pkg3/a.cab': a, 'pkg4/almost a.cab': b, 'small.txt': 'x' });
  const keyed = await keyDuplicateFiles([
    { path: 'x', size: a.length, source: join(src, 'pkg1/a.cab') },
    { path: 'y', size: a.length, source: join(src, 'pkg4/almost a.cab') },
    { path: 'z', size: 1, source: join(src, 'small.txt') },
  ]);
  t.truthy(keyed[0]!.contentKey);
  t.not(keyed[0]!.contentKey, keyed[1]!.contentKey);
  t.is(keyed[2]!.contentKey, undefined, 'a size nobody shares is not hashed');

  const plain = join(dir, 'plain.iso');
  const dedup = join(dir, 'dedup.iso');
  await buildIsoImages({ sourcePath: src, path: plain, label: 'P', date: FIXED_DATE });
  await buildIsoImages({ sourcePath: src, path: dedup, label: 'D', date: FIXED_DATE, deduplicate: true });
  const saved = (await stat(plain)).size - (await stat(dedup)).size;
  t.is(saved, 2 * Math.ceil(a.length / 2048) * 2048, 'two of the three copies are gone');
  t.regex((await run('isovfy', [dedup])).stdout, /No errors found/);
  t.regex((await run('udfinfo', [dedup])).stdout, /numfiles=5\b/);
  const x = await run('7z', ['x', '-y', `-o${join(dir, 'x')}`, dedup]);
  t.is(x.code, 0, x.stdout);
  const want = await readTree(src);
  const got = await readTree(join(dir, 'x'));
  t.is(got.size, want.size);
  for (const [p, bytes] of want) t.true(got.get(p)?.equals(bytes), p);
});
