// Our reader is not only a mirror of our writer: it reads images made by xorriso (Joliet and
// ISO 9660 trees, El Torito) and genisoimage (Joliet and its UDF bridge) byte-identically.
import test from 'ava';
import { join } from 'node:path';
import { run } from '../../helpers/run.js';
import { tempDir } from '../../helpers/tmp.js';
import { bootPrograms } from '../../helpers/boot-programs.js';
import { readIsoImage } from '../../../lib/formats/iso/iso-reader.js';
import { makeTree, readTree, pattern } from './fixtures.js';

async function source(t: Parameters<typeof tempDir>[0]) {
  const dir = await tempDir(t, 'tsm-isoforeign-');
  const src = join(dir, 'src');
  await makeTree(src, {
    'boot/bios.img': (await bootPrograms()).biosElToritoImage,
    'a/b/c/d.txt': 'deep\n', 'Ünïcödé.txt': 'x', 'data/r.bin': pattern(7, 300_000), 'data/empty': '',
  });
  return { dir, src, want: await readTree(src) };
}

test('reads an xorriso image: Joliet, ISO 9660 and its BIOS boot entry', async (t) => {
  const { dir, src, want } = await source(t);
  const iso = join(dir, 'x.iso');
  const r = await run('xorriso', ['-as', 'mkisofs', '-quiet', '-iso-level', '3', '-J', '-joliet-long', '-V', 'XORRISO_IMG', '-b', 'boot/bios.img', '-no-emul-boot', '-boot-load-size', '4', '-o', iso, src]);
  t.is(r.code, 0, r.stderr);
  const img = await readIsoImage(iso);
  t.is(img.fileSystem, 'joliet');
  // xorriso lists its boot catalog as a file
  t.deepEqual(img.files.map((f) => f.path).filter((p) => p !== 'boot.catalog').sort(), [...want.keys()].sort());
  for (const [p, b] of want) t.true((await img.readFile(p)).equals(b), p);
  t.deepEqual(img.bootEntries.map((e) => [e.platform, e.kind, e.loadSize]), [['bios', 'no-emulation', 4]]);
  await img.close();
  const plain = await readIsoImage(iso, { fileSystem: 'iso9660' });
  t.is(plain.label, 'XORRISO_IMG');
  t.is((await plain.readFile('DATA/R.BIN')).length, 300_000);
  await plain.close();
});

test('reads a genisoimage image through Joliet and through its UDF bridge', async (t) => {
  const { dir, src, want } = await source(t);
  const iso = join(dir, 'g.iso');
  const r = await run('genisoimage', ['-quiet', '-iso-level', '3', '-J', '-joliet-long', '-udf', '-V', 'GENISO', '-o', iso, src]);
  t.is(r.code, 0, r.stderr);
  for (const fs of ['joliet', 'udf'] as const) {
    const img = await readIsoImage(iso, { fileSystem: fs });
    t.true(img.hasUdf);
    t.deepEqual(img.files.map((f) => f.path).sort(), [...want.keys()].sort(), fs);
    for (const [p, b] of want) t.true((await img.readFile(p)).equals(b), `${fs}: ${p}`);
    await img.close();
  }
});
