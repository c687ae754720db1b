// Bad input is one clear error and leaves nothing behind: no image, no .partial file.
import test from 'ava';
import { join } from 'node:path';
import { readdir, mkdir, open, writeFile, readFile } from 'node:fs/promises';
import { tempDir } from '../../helpers/tmp.js';
import { writeUsbImage, type SplitWimHook } from '../../../lib/formats/disk/usb-writer.js';
import { readUsbImage } from '../../../lib/formats/disk/usb-reader.js';
import { UsageError, TsmediaError } from '../../../lib/errors.js';
import { makeTree, FIXED_DATE } from './fixtures.js';

async function sparseFile(path: string, size: number): Promise<void> {
  const h = await open(path, 'w');
  await h.truncate(size);
  await h.close();
}

async function expectRefusal(t: import('ava').ExecutionContext, files: Record<string, Buffer | string>, opts: { sizeBytes?: number; label?: string; big?: string }, message: RegExp, type: typeof TsmediaError = UsageError): Promise<void> {
  const dir = await tempDir(t, 'tsm-usbbad-');
  const src = join(dir, 'src');
  await mkdir(src);
  await makeTree(src, files);
  if (opts.big) await sparseFile(join(src, opts.big), 2 ** 32);
  const outDir = join(dir, 'out');
  await mkdir(outDir);
  const err = await t.throwsAsync(writeUsbImage({ sourcePath: src, outPath: join(outDir, 'x.img'), date: FIXED_DATE, ...(opts.sizeBytes ? { sizeBytes: opts.sizeBytes } : {}), ...(opts.label ? { label: opts.label } : {}) }));
  t.true(err instanceof type, `${err?.name}: ${err?.message}`);
  t.regex(err?.message ?? '', message);
  t.deepEqual(await readdir(outDir), [], 'no output file is left');
}

test('a missing source folder', async (t) => {
  const dir = await tempDir(t, 'tsm-usbbad-');
  const err = await t.throwsAsync(writeUsbImage({ sourcePath: join(dir, 'nope'), outPath: join(dir, 'x.img'), date: FIXED_DATE }));
  t.true(err instanceof UsageError);
  t.regex(err?.message ?? '', /does not exist/);
  t.deepEqual(await readdir(dir), []);
});

test('a size too small for FAT32 names the smallest size', (t) => expectRefusal(t, { 'a.txt': 'x' }, { sizeBytes: 20 * 1048576 }, /-SizeMB 20 is too small for FAT32.*at least 34/));
test('a size too small for the tree', (t) => expectRefusal(t, { 'a.bin': Buffer.alloc(40 * 1048576) }, { sizeBytes: 36 * 1048576 }, /needs about \d+ MB and -SizeMB is 36/));
test('names FAT cannot hold, listed', (t) => expectRefusal(t, { 'a:b.txt': 'x', 'dots.': 'y', 'ok.txt': 'z' }, {}, /2 item\(s\).*a:b\.txt.*":".*dots\./));
test('names that differ only in case', (t) => expectRefusal(t, { 'Index.html': 'a', 'index.html': 'b' }, {}, /same name as .* ignores case/));
test('a bad volume label', (t) => expectRefusal(t, { 'a.txt': 'x' }, { label: 'much too long label' }, /not a FAT volume label/));
test('a file of 4 GiB or more', (t) => expectRefusal(t, {}, { big: 'huge.iso' }, /huge\.iso: 4294967296 bytes; FAT32 holds files up to 4 GiB - 1/));
test('a .wim of 4 GiB or more without a splitter', (t) => expectRefusal(t, {}, { big: 'install.wim' }, /install\.wim .*must be split into \.swm parts and no WIM splitter was given/, TsmediaError));

test('the split hook replaces a big .wim with its parts', async (t) => {
  const dir = await tempDir(t, 'tsm-usbbad-');
  const src = join(dir, 'src');
  await mkdir(join(src, 'sources'), { recursive: true });
  await sparseFile(join(src, 'sources', 'install.wim'), 2 ** 32 + 1);
  await writeFile(join(dir, 'part1'), 'one');
  await writeFile(join(dir, 'part2'), 'two!');
  const seen: unknown[] = [];
  const splitWim: SplitWimHook = async (file) => {
    seen.push(file);
    return [{ name: 'install.swm', sourcePath: join(dir, 'part1'), size: 3 }, { name: 'install2.swm', sourcePath: join(dir, 'part2'), size: 4 }];
  };
  const img = join(dir, 'x.img');
  await writeUsbImage({ sourcePath: src, outPath: img, date: FIXED_DATE, splitWim });
  t.like(seen[0], { path: 'sources/install.wim', size: 2 ** 32 + 1 });
  const r = await readUsbImage(img);
  t.deepEqual(r.files.map((f) => f.path).sort(), ['sources/install.swm', 'sources/install2.swm']);
  t.is((await r.readFile('sources/install2.swm')).toString(), 'two!');
});

test('an existing image is kept unless -Force', async (t) => {
  const dir = await tempDir(t, 'tsm-usbbad-');
  const src = join(dir, 'src');
  await makeTree(src, { 'a.txt': 'x' });
  const img = join(dir, 'x.img');
  await writeFile(img, 'precious');
  const err = await t.throwsAsync(writeUsbImage({ sourcePath: src, outPath: img, date: FIXED_DATE }));
  t.regex(err?.message ?? '', /exists: add -Force/);
  t.is(await readFile(img, 'utf8'), 'precious');
  await writeUsbImage({ sourcePath: src, outPath: img, date: FIXED_DATE, force: true });
  t.deepEqual((await readUsbImage(img)).files, [{ path: 'a.txt', size: 1 }]);
  t.deepEqual((await readdir(dir)).sort(), ['src', 'x.img']);
});

test('a failure while streaming removes the .partial file', async (t) => {
  const dir = await tempDir(t, 'tsm-usbbad-');
  const src = join(dir, 'src');
  await makeTree(src, { 'a.txt': 'x' });
  await sparseFile(join(src, 'big.wim'), 2 ** 32);
  const outDir = join(dir, 'out');
  await mkdir(outDir);
  // a part that vanished before it could be copied: the write fails after the image was started
  const splitWim: SplitWimHook = async () => [{ name: 'big.swm', sourcePath: join(dir, 'gone.swm'), size: 10 }];
  const err = await t.throwsAsync(writeUsbImage({ sourcePath: src, outPath: join(outDir, 'x.img'), date: FIXED_DATE, splitWim }));
  t.regex(err?.message ?? '', /ENOENT/);
  t.deepEqual(await readdir(outDir), []);
});

test('a file name that is not UTF-8', async (t) => {
  const dir = await tempDir(t, 'tsm-usbbad-');
  const src = join(dir, 'src');
  await makeTree(src, { 'fine \uFFFD name.txt': 'a real U+FFFD is fine' });
  await writeFile(Buffer.concat([Buffer.from(`${src}/latin1-`), Buffer.from([0xe9]), Buffer.from('.txt')]), 'x');
  const err = await t.throwsAsync(writeUsbImage({ sourcePath: src, outPath: join(dir, 'x.img'), date: FIXED_DATE }));
  t.true(err instanceof UsageError);
  t.regex(err?.message ?? '', /not valid UTF-8/);
  t.deepEqual((await readdir(dir)).sort(), ['src']);
});

test('an interrupted build leaves no file', async (t) => {
  const dir = await tempDir(t, 'tsm-usbbad-');
  const src = join(dir, 'src');
  const files: Record<string, string> = {};
  for (let i = 0; i < 600; i++) files[`f${i}.txt`] = `${i}`;
  await makeTree(src, files);
  const ac = new AbortController();
  let calls = 0;
  const err = await t.throwsAsync(writeUsbImage({
    sourcePath: src, outPath: join(dir, 'x.img'), date: FIXED_DATE, signal: ac.signal,
    onProgress: () => { if (++calls === 1) ac.abort(); },
  }));
  t.true(err instanceof TsmediaError);
  t.is((err as TsmediaError).code, 'EABORTED');
  t.deepEqual((await readdir(dir)).sort(), ['src']);
});

test('a source file whose size changed after the scan', async (t) => {
  const dir = await tempDir(t, 'tsm-usbbad-');
  const src = join(dir, 'src');
  await makeTree(src, { 'a.txt': 'x' });
  await sparseFile(join(src, 'big.wim'), 2 ** 32);
  await writeFile(join(dir, 'part'), 'seven b');
  // the part is announced with 3 bytes but holds 7, as if it grew after the scan
  const splitWim: SplitWimHook = async () => [{ name: 'big.swm', sourcePath: join(dir, 'part'), size: 3 }];
  const err = await t.throwsAsync(writeUsbImage({ sourcePath: src, outPath: join(dir, 'x.img'), date: FIXED_DATE, splitWim }));
  t.regex(err?.message ?? '', /changed size while the image was written/);
  t.false((await readdir(dir)).some((n) => n.startsWith('x.img')));
});
