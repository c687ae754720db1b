// A bootable image of a tree with Unicode, 103-character and 12-level-deep names, checked by
// tools no one here wrote: isoinfo (PVD, Joliet level 3, both trees), isovfy (ISO 9660
// records, path tables, sort order), xorriso (El Torito
// entries), udfinfo (UDF 1.02, closed integrity), 7z/7zz (extract every file byte-identical).
import test from 'ava';
import { join } from 'node:path';
import { readFile, link, stat } from 'node:fs/promises';
import { run } from '../../helpers/run.js';
import { tempDir } from '../../helpers/tmp.js';
import { buildIsoImages } from '../../../lib/formats/iso/build-image.js';
import { readIsoImage } from '../../../lib/formats/iso/iso-reader.js';
import { makeTree, readTree, richTree, pattern, FIXED_DATE, LONG_NAME } from './fixtures.js';

async function build(t: Parameters<typeof tempDir>[0]) {
  const dir = await tempDir(t, 'tsm-iso-');
  const src = join(dir, 'src');
  const tree = richTree();
  await makeTree(src, tree.files, tree.emptyDirs);
  // a FAT-image stand-in for the UEFI entry: 1.44 MB of pattern (xorriso only reads the catalog)
  await makeTree(src, { 'efi/microsoft/boot/efisys.bin': Buffer.alloc(1_474_560, 0xf6) });
  const iso = join(dir, 'out.iso');
  const vols = await buildIsoImages({ sourcePath: src, path: iso, label: 'TSMEDIA_TEST', date: FIXED_DATE, biosBootFile: 'boot/etfsboot.com', uefiBootFile: 'efi/microsoft/boot/efisys.bin' });
  return { dir, src, iso, vols, tree };
}

test('isoinfo reads the primary descriptor, Joliet level 3 and both trees', async (t) => {
  const { iso } = await build(t);
  const d = await run('isoinfo', ['-d', '-i', iso]);
  t.is(d.code, 0, d.stderr);
  t.regex(d.stdout, /Volume id: TSMEDIA_TEST/);
  t.regex(d.stdout, /Joliet with UCS level 3 found/);
  t.regex(d.stdout, /El Torito VD version 1 found/);
  t.regex(d.stdout, /Logical block size is: 2048/);
  const j = await run('isoinfo', ['-J', '-l', '-i', iso]);
  t.is(j.code, 0, j.stderr);
  // isoinfo prints Joliet names in ISO 8859-1 (characters beyond it as '_'; 7-Zip checks those)
  const listing = j.stdoutBytes.toString('latin1');
  for (const name of ['README.txt', 'boot.wim', 'Ünïcödé ñame.txt', LONG_NAME, 'Mixed Case.File.With.Dots.cab', 'mixed case.file.with.dots.cab', 'deep.txt', 'empty-folder']) {
    t.true(listing.includes(name), `Joliet listing lacks ${name}`);
  }
  t.true(listing.includes('/level1/level2/level3/level4/level5/level6/level7/level8/level9/level10/level11/level12/'), 'deep directories are kept');
  const l = await run('isoinfo', ['-l', '-i', iso]);
  t.is(l.code, 0, l.stderr);
  t.regex(l.stdout, /README\.TXT;1/);
  t.regex(l.stdout, /Directory listing of \/SMS\/PKG\/PS100012\//);
  // the two names that differ only in case get distinct ISO 9660 identifiers
  const cabs = l.stdout.split('\n').filter((x) => /MIXED_CASE/.test(x));
  t.is(cabs.length, 2);
  t.not(cabs[0]!.trim().split(/\s+/).pop(), cabs[1]!.trim().split(/\s+/).pop());
});

test('isovfy finds no errors in the ISO 9660 structures (records, path tables, ordering)', async (t) => {
  const { iso } = await build(t);
  const r = await run('isovfy', [iso]);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout + r.stderr, /No errors found/);
});

test('xorriso reports a BIOS no-emulation entry and a UEFI (0xEF) entry', async (t) => {
  const { iso } = await build(t);
  const r = await run('xorriso', ['-indev', iso, '-report_el_torito', 'plain']);
  t.is(r.code, 0, r.stderr);
  const lines = r.stdout.split('\n');
  const bios = lines.find((l) => /El Torito boot img :\s+1\s+BIOS/.test(l));
  const uefi = lines.find((l) => /El Torito boot img :\s+2\s+UEFI/.test(l));
  t.truthy(bios, r.stdout);
  t.truthy(uefi, r.stdout);
  t.regex(bios!, /y\s+none\s+0x07c0\s+0x00\s+4\b/i);
  t.regex(uefi!, /y\s+none\s+0x0000\s+0x00\s+2880\b/i);
});

test('udfinfo accepts the UDF 1.02 bridge: closed integrity, file and folder counts', async (t) => {
  const { iso, tree } = await build(t);
  const r = await run('udfinfo', [iso]);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /udfrev=1\.02/);
  t.regex(r.stdout, /integrity=closed/);
  t.regex(r.stdout, /label=TSMEDIA_TEST/);
  t.regex(r.stdout, new RegExp(`numfiles=${Object.keys(tree.files).length + 1}\\b`));
});

for (const tool of ['7z', '7zz']) {
  test(`${tool} extracts every file byte-identical (it reads the UDF tree)`, async (t) => {
    const { dir, src, iso } = await build(t);
    const out = join(dir, `x-${tool}`);
    const l = await run(tool, ['l', '-slt', iso]);
    t.is(l.code, 0, l.stderr);
    t.regex(l.stdout, /Type = Udf/);
    const x = await run(tool, ['x', '-y', `-o${out}`, iso]);
    t.is(x.code, 0, x.stderr + x.stdout);
    const want = await readTree(src);
    const got = await readTree(out);
    t.deepEqual([...got.keys()].sort(), [...want.keys()].sort());
    for (const [p, b] of want) t.true(got.get(p)?.equals(b), `${p} differs`);
  });
}

test('7z extracts the Joliet tree identically when UDF is left out', async (t) => {
  const dir = await tempDir(t, 'tsm-iso-');
  const src = join(dir, 'src');
  const tree = richTree();
  await makeTree(src, tree.files, tree.emptyDirs);
  const iso = join(dir, 'j.iso');
  await buildIsoImages({ sourcePath: src, path: iso, label: 'J', date: FIXED_DATE, udf: false });
  const l = await run('7z', ['l', '-slt', iso]);
  t.regex(l.stdout, /Type = Iso/);
  const x = await run('7z', ['x', '-y', `-o${join(dir, 'x')}`, iso]);
  t.is(x.code, 0, x.stderr);
  const want = await readTree(src);
  const got = await readTree(join(dir, 'x'));
  for (const [p, b] of want) t.true(got.get(p)?.equals(b), `${p} differs`);
});

test('our reader lists and reads the same tree through Joliet, ISO 9660 and UDF', async (t) => {
  const { iso, src } = await build(t);
  const want = await readTree(src);
  for (const fs of ['joliet', 'udf'] as const) {
    const img = await readIsoImage(iso, { fileSystem: fs });
    try {
      t.is(img.fileSystem, fs);
      t.is(img.label, fs === 'joliet' ? 'TSMEDIA_TEST' : 'TSMEDIA_TEST');
      t.deepEqual(img.files.map((f) => f.path).sort(), [...want.keys()].sort());
      for (const [p, b] of want) t.true((await img.readFile(p)).equals(b), `${fs}: ${p}`);
      t.true(img.directories.includes('empty-folder'));
      t.deepEqual(img.bootEntries.map((e) => [e.platform, e.kind, e.loadSize, e.loadSegment]), [['bios', 'no-emulation', 4, 0x7c0], ['uefi', 'no-emulation', 2880, 0x7c0]]);
    } finally {
      await img.close();
    }
  }
  const plain = await readIsoImage(iso, { fileSystem: 'iso9660' });
  t.true(plain.files.some((f) => f.path === 'README.TXT'));
  t.is((await plain.readFile('SOURCES/BOOT.WIM')).length, 300_001);
  await plain.close();
});

test('the same tree and date give a byte-identical image; another date changes it', async (t) => {
  const a = await build(t);
  const b = await build(t);
  t.true((await readFile(a.iso)).equals(await readFile(b.iso)));
  const c = join(a.dir, 'c.iso');
  await buildIsoImages({ sourcePath: a.src, path: c, label: 'TSMEDIA_TEST', date: new Date('2027-06-01T12:00:00Z'), biosBootFile: 'boot/etfsboot.com', uefiBootFile: 'efi/microsoft/boot/efisys.bin' });
  t.false((await readFile(a.iso)).equals(await readFile(c)));
});

test('hard links and shared content keys store their bytes once; every reader still sees each file whole', async (t) => {
  const dir = await tempDir(t, 'tsm-iso-');
  const src = join(dir, 'src');
  const big = pattern(11, 1_000_000);
  await makeTree(src, { 'a/original.bin': big, 'other.bin': pattern(12, 5000) });
  await link(join(src, 'a/original.bin'), join(src, 'hard-link.bin'));
  const linked = join(dir, 'linked.iso');
  await buildIsoImages({ sourcePath: src, path: linked, label: 'LINKS', date: FIXED_DATE });
  // the same bytes under a content key (as the content library gives), from a file list
  const listed = join(dir, 'listed.iso');
  await buildIsoImages({
    files: [
      { path: 'pkg1/x.cab', size: big.length, source: join(src, 'a/original.bin'), contentKey: 'sha256:same' },
      { path: 'pkg2/x.cab', size: big.length, source: join(src, 'a/original.bin'), contentKey: 'sha256:same' },
      { path: 'pkg3/y.cab', size: 5000, source: join(src, 'other.bin') },
    ],
    path: listed, label: 'LISTED', date: FIXED_DATE,
  });
  const plain = join(dir, 'plain.iso');
  await buildIsoImages({ files: [{ path: 'one.bin', size: big.length, source: join(src, 'a/original.bin') }, { path: 'y.cab', size: 5000, source: join(src, 'other.bin') }], path: plain, label: 'P', date: FIXED_DATE });
  // one copy of the 1 MB file in each: within a few sectors of the image holding it once
  for (const iso of [linked, listed]) t.true((await stat(iso)).size < (await stat(plain)).size + 16 * 2048, iso);
  for (const iso of [linked, listed]) {
    t.regex((await run('isovfy', [iso])).stdout, /No errors found/);
    t.regex((await run('udfinfo', [iso])).stdout, /integrity=closed/);
    const x = await run('7z', ['x', '-y', `-o${iso}.x`, iso]);
    t.is(x.code, 0, x.stdout);
    const got = await readTree(`${iso}.x`);
    for (const [p, b] of got) t.true(b.equals(p.endsWith('y.cab') || p === 'other.bin' ? pattern(12, 5000) : big), p);
    for (const fs of ['joliet', 'udf'] as const) {
      const img = await readIsoImage(iso, { fileSystem: fs });
      for (const f of img.files) t.is((await img.readFile(f.path)).length, f.size);
      await img.close();
    }
  }
  t.is((await readTree(`${linked}.x`)).size, 3);
  t.is((await readTree(`${listed}.x`)).size, 3);
});
