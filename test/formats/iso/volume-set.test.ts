// Spreading content over several discs: the pure planner (first fit in path order, boot files on
// volume 1, no file split, a file bigger than a volume refused) and a real 3-volume set in which
// every file lands on exactly one volume, read back with 7z and with our reader.
import test from 'ava';
import { join } from 'node:path';
import { readdir } from 'node:fs/promises';
import { run } from '../../helpers/run.js';
import { tempDir } from '../../helpers/tmp.js';
import { planVolumes, parseVolumeSize, MEDIA_SECTORS } from '../../../lib/formats/iso/volume-set.js';
import { buildIsoImages, volumePath } from '../../../lib/formats/iso/build-image.js';
import { readIsoImage } from '../../../lib/formats/iso/iso-reader.js';
import { planIso } from '../../../lib/formats/iso/layout.js';
import { RuleError, UsageError } from '../../../lib/errors.js';
import { makeTree, pattern, FIXED_DATE } from './fixtures.js';

const MB = 2 ** 20;

test('planner: boot files on volume 1, first fit in path order, every file exactly once', (t) => {
  const items = [
    ...Array.from({ length: 30 }, (_, i) => ({ path: `pkg/f${String(i).padStart(2, '0')}.bin`, size: 300_000 })),
    { path: 'zz/boot.efi', size: 1000, firstVolume: true },
  ];
  const vols = planVolumes(items, 4 * MB);
  t.true(vols.length >= 3);
  t.true(vols[0]!.paths.includes('zz/boot.efi'));
  const all = vols.flatMap((v) => v.paths).sort();
  t.deepEqual(all, items.map((i) => i.path).sort());
  for (const v of vols) t.true(v.estimatedSectors * 2048 <= 4 * MB, `volume ${v.volume} over capacity`);
  t.deepEqual(vols.map((v) => v.volume), vols.map((_, i) => i + 1));
});

test('planner: a file bigger than a volume is refused, never split', (t) => {
  const e = t.throws(() => planVolumes([{ path: 'big.wim', size: 5 * MB }], 4 * MB), { instanceOf: RuleError });
  t.regex(e!.message, /big\.wim.*does not fit one volume/);
  t.throws(() => planVolumes([{ path: 'a', size: MB * 5, firstVolume: true }], 4 * MB), { instanceOf: RuleError });
});

test('planner: volume sizes by media name or bytes', (t) => {
  t.is(parseVolumeSize('4.7GB'), MEDIA_SECTORS['4.7GB']! * 2048);
  t.is(parseVolumeSize('650mb'), 333_000 * 2048);
  t.is(parseVolumeSize('8.5GB'), 4_173_824 * 2048);
  t.is(parseVolumeSize('100MB'), 100 * MB);
  t.is(parseVolumeSize('123456789'), 123_456_789);
  t.throws(() => parseVolumeSize('big'), { instanceOf: UsageError });
  t.throws(() => planVolumes([], 1000), { instanceOf: UsageError });
});

test('a 3-volume set: boot files on volume 1, every file on exactly one volume, each image whole', async (t) => {
  const dir = await tempDir(t, 'tsm-isoset-');
  const src = join(dir, 'src');
  const files: Record<string, Buffer> = { 'boot/etfsboot.com': pattern(1, 2048), 'efi/efisys.bin': pattern(2, 40_000) };
  for (let i = 0; i < 12; i++) files[`SMS/PKG/PKG${i}/content-${i}.bin`] = pattern(10 + i, 400_000 + i);
  await makeTree(src, files, ['SMS/data']);
  const out = join(dir, 'set.iso');
  const cap = 2.5 * MB;
  const vols = await buildIsoImages({ sourcePath: src, path: out, label: 'SET', date: FIXED_DATE, biosBootFile: 'boot/etfsboot.com', uefiBootFile: 'efi/efisys.bin', maxVolumeBytes: cap });
  t.is(vols.length, 3);
  t.deepEqual(vols.map((v) => v.path), [out, join(dir, 'set-2.iso'), join(dir, 'set-3.iso')]);
  t.deepEqual(vols.map((v) => v.bootable), [true, false, false]);
  const seen = new Map<string, number>();
  for (const v of vols) {
    t.true(v.imageBytes <= cap, `volume ${v.volume}: ${v.imageBytes} bytes`);
    const img = await readIsoImage(v.path, { fileSystem: 'udf' });
    t.is(img.volumeSetInfo.id, `SET_${v.volume}_OF_3`);
    for (const f of img.files) {
      t.false(seen.has(f.path), `${f.path} on two volumes`);
      seen.set(f.path, v.volume);
      t.true((await img.readFile(f.path)).equals(files[f.path]!), f.path);
    }
    await img.close();
    const x = await run('7z', ['t', v.path]);
    t.is(x.code, 0, x.stdout);
  }
  t.deepEqual([...seen.keys()].sort(), Object.keys(files).sort());
  t.is(seen.get('boot/etfsboot.com'), 1);
  t.is(seen.get('efi/efisys.bin'), 1);
  t.is(volumePath('/x/a.iso', 2), '/x/a-2.iso');
  t.is(volumePath('/x/a', 3), '/x/a-3');
});

test('a set whose file exceeds a volume fails before writing anything', async (t) => {
  const dir = await tempDir(t, 'tsm-isoset-');
  await makeTree(join(dir, 'src'), { 'small.bin': pattern(1, 1000), 'huge.bin': pattern(2, 3 * MB) });
  await t.throwsAsync(buildIsoImages({ sourcePath: join(dir, 'src'), path: join(dir, 'o.iso'), label: 'X', date: FIXED_DATE, maxVolumeBytes: 2 * MB }), { instanceOf: RuleError, message: /huge\.bin/ });
  t.deepEqual((await readdir(dir)).sort(), ['src']);
});

test('planner: its estimate is never below the real layout (random trees, long and short names)', (t) => {
  let x = 42;
  const rand = (n: number): number => { x = (x * 1103515245 + 12345) >>> 0; return x % n; };
  for (let round = 0; round < 20; round++) {
    const items: { path: string; size: number }[] = [];
    const count = 50 + rand(400);
    for (let i = 0; i < count; i++) {
      const depth = 1 + rand(6);
      const dirs = Array.from({ length: depth }, () => (rand(2) ? 'd' : 'very long folder name '.repeat(1 + rand(4)).trim()) + rand(5));
      const name = rand(3) ? `f${i}.bin` : `${'a long file name with ünïcödé '.repeat(1 + rand(2))}${i}.dat`;
      items.push({ path: [...dirs, name].join('/'), size: rand(3) ? rand(5000) : rand(3_000_000) });
    }
    const cap = 4 * MB + rand(8) * MB;
    for (const v of planVolumes(items, cap)) {
      const files = v.paths.map((p) => ({ path: p, size: items.find((i) => i.path === p)!.size, source: '' }));
      const plan = planIso({ files, label: 'EST', date: FIXED_DATE });
      t.true(plan.totalSectors <= v.estimatedSectors, `round ${round} volume ${v.volume}: ${plan.totalSectors} > ${v.estimatedSectors}`);
      t.true(plan.totalSectors * 2048 <= cap);
    }
  }
});
