// Images we write are what sfdisk, fsck.fat and mtools expect: one active FAT32 (LBA) partition
// at 2048, a clean file system, and every file back identical under its long name. Our reader
// reads them too, and reads images made by mkfs.fat + mcopy.
import test from 'ava';
import { join } from 'node:path';
import { mkdir, stat } from 'node:fs/promises';
import { run } from '../../helpers/run.js';
import { tempDir } from '../../helpers/tmp.js';
import { writeUsbImage } from '../../../lib/formats/disk/usb-writer.js';
import { readUsbImage } from '../../../lib/formats/disk/usb-reader.js';
import { makeTree, sampleTree, treeDigest, bytes, FIXED_DATE } from './fixtures.js';

async function fsck(t: import('ava').ExecutionContext, img: string, dir: string): Promise<string> {
  const part = join(dir, 'part.img');
  const dd = await run('dd', [`if=${img}`, `of=${part}`, 'bs=1M', 'skip=1', 'conv=sparse', 'status=none']);
  t.is(dd.code, 0, dd.stderr);
  const r = await run('fsck.fat', ['-n', '-v', part]);
  t.is(r.code, 0, `fsck.fat: ${r.stdout}${r.stderr}`);
  t.notRegex(r.stdout, /differences between boot sector and its backup|Free cluster summary wrong|Orphaned|Bad short file name|Duplicate/i);
  return r.stdout;
}

test('sfdisk, fsck.fat and mcopy accept the image; files come back identical', async (t) => {
  const dir = await tempDir(t, 'tsm-usb-');
  const src = join(dir, 'src');
  await makeTree(src, sampleTree());
  const img = join(dir, 'usb.img');
  const r = await writeUsbImage({ sourcePath: src, outPath: img, date: FIXED_DATE, label: 'tsmedia x' });
  t.is(r.clusterSize, 512);
  t.is((await stat(img)).size, r.imageBytes);

  const sf = await run('sfdisk', ['--json', img]);
  t.is(sf.code, 0, sf.stderr);
  const table = JSON.parse(sf.stdout).partitiontable;
  t.is(table.label, 'dos');
  t.is(table.partitions.length, 1);
  t.like(table.partitions[0], { start: 2048, type: 'c', bootable: true, size: r.imageBytes / 512 - 2048 });

  const out = await fsck(t, img, dir);
  t.regex(out, /32 bit entries/);

  const mdir = await run('mdir', ['-i', `${img}@@1M`, '-/', '::']);
  t.is(mdir.code, 0, mdir.stderr);
  t.regex(mdir.stdout, /Volume in drive : is TSMEDIA X/);
  t.regex(mdir.stdout, /ファイル\.txt/);
  t.regex(mdir.stdout, /Ωμέγα and Ünïcödé\.txt/);
  t.regex(mdir.stdout, /README   TXT .* 2026-01-01  12:34/, 'timestamps are the date the caller gave');

  const back = join(dir, 'back');
  await mkdir(back);
  const mc = await run('mcopy', ['-i', `${img}@@1M`, '-s', '-n', '-m', '::/', back + '/']);
  t.is(mc.code, 0, mc.stderr);
  t.deepEqual(await treeDigest(back), await treeDigest(src));

  const ours = await readUsbImage(img);
  t.is(ours.label, 'TSMEDIA X');
  t.is(ours.partition, 1);
  const want = await treeDigest(src);
  t.deepEqual(ours.files.map((f) => f.path).sort(), [...want.keys()].filter((k) => !k.endsWith('/')).sort());
  t.deepEqual(ours.directories.sort(), [...want.keys()].filter((k) => k.endsWith('/')).map((k) => k.slice(0, -1)).sort());
  t.true((await ours.readFile('big.dat')).equals(bytes(300_000, 1)));
});

test('larger volumes pick larger clusters and stay clean', async (t) => {
  const dir = await tempDir(t, 'tsm-usb-');
  const src = join(dir, 'src');
  const tree: Record<string, Buffer | string> = { 'one.bin': bytes(50_000, 7), 'dir/two.bin': bytes(9_000, 8), 'dir/empty/': '' };
  for (let i = 0; i < 300; i++) tree[`many/a rather long file name, number ${i}.txt`] = `${i}\n`;
  await makeTree(src, tree);
  for (const [sizeMb, cluster] of [[100, 1024], [300, 4096]] as const) {
    const img = join(dir, `u${sizeMb}.img`);
    const r = await writeUsbImage({ sourcePath: src, outPath: img, date: FIXED_DATE, sizeBytes: sizeMb * 1048576 });
    t.is(r.clusterSize, cluster);
    t.is(r.imageBytes, sizeMb * 1048576);
    const st = await stat(img);
    t.true(st.blocks * 512 < st.size / 4, 'free space is not written (sparse)');
    await fsck(t, img, dir);
    const back = join(dir, `back${sizeMb}`);
    await mkdir(back);
    const mc = await run('mcopy', ['-i', `${img}@@1M`, '-s', '-n', '-m', '::/', back + '/']);
    t.is(mc.code, 0, mc.stderr);
    t.deepEqual(await treeDigest(back), await treeDigest(src));
  }
});

test('our reader reads an image made by mkfs.fat and mcopy, long names included', async (t) => {
  const dir = await tempDir(t, 'tsm-usb-');
  const src = join(dir, 'src');
  await makeTree(src, { 'A Long Name.txt': 'one\n', 'sub dir/Ünïcode ファイル.bin': bytes(5000, 3), 'SHORT.TXT': 'two\n' });
  const img = join(dir, 'ref.img');
  const steps: [string, string[]][] = [
    ['truncate', ['-s', '40M', img]],
    ['sfdisk', ['-q', img]],
    ['mkfs.fat', ['-F', '32', '-n', 'REFVOL', '--offset', '2048', img, String((40 * 2048 - 2048) / 2)]],
    ['mcopy', ['-i', `${img}@@1M`, '-s', join(src, 'A Long Name.txt'), join(src, 'sub dir'), join(src, 'SHORT.TXT'), '::/']],
  ];
  for (const [cmd, args] of steps) {
    const r = await run(cmd, args, cmd === 'sfdisk' ? { input: 'label: dos\nstart=2048, type=c, bootable\n' } : {});
    t.is(r.code, 0, `${cmd}: ${r.stderr}`);
  }
  const ours = await readUsbImage(img);
  t.is(ours.label, 'REFVOL');
  t.deepEqual(ours.files.map((f) => f.path).sort(), ['A Long Name.txt', 'SHORT.TXT', 'sub dir/Ünïcode ファイル.bin']);
  t.true((await ours.readFile('sub dir/Ünïcode ファイル.bin')).equals(bytes(5000, 3)));
});

test('names outside the BMP are stored as UTF-16 surrogate pairs (mtools cannot show them; fsck and our reader can)', async (t) => {
  const dir = await tempDir(t, 'tsm-usb-');
  const src = join(dir, 'src');
  await makeTree(src, { 'emoji 😀 name.txt': 'astral\n', '𝔘𝔫𝔦𝔠𝔬𝔡𝔢/x': 'y' });
  const img = join(dir, 'u.img');
  await writeUsbImage({ sourcePath: src, outPath: img, date: FIXED_DATE });
  await fsck(t, img, dir);
  const ours = await readUsbImage(img);
  t.deepEqual(ours.files.map((f) => f.path).sort(), ['emoji 😀 name.txt', '𝔘𝔫𝔦𝔠𝔬𝔡𝔢/x']);
  t.is((await ours.readFile('emoji 😀 name.txt')).toString(), 'astral\n');
});

test('our reader reads a bare FAT32 volume (no partition table) made by mkfs.fat', async (t) => {
  const dir = await tempDir(t, 'tsm-usb-');
  const img = join(dir, 'vol.img');
  await makeTree(join(dir, 'src'), { 'Some Long Name.dat': bytes(3000, 9) });
  for (const [cmd, args] of [
    ['mkfs.fat', ['-C', '-F', '32', '-n', 'BARE', img, String(40 * 1024)]],
    ['mcopy', ['-i', img, join(dir, 'src', 'Some Long Name.dat'), '::/']],
  ] as const) {
    const r = await run(cmd, args);
    t.is(r.code, 0, `${cmd}: ${r.stderr}`);
  }
  const ours = await readUsbImage(img);
  t.is(ours.partition, 0);
  t.deepEqual(ours.partitions, []);
  t.is(ours.label, 'BARE');
  t.true((await ours.readFile('some long name.dat')).equals(bytes(3000, 9)), 'a path found regardless of ASCII case');
});
