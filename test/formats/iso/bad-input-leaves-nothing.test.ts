// Bad input is one clear error and no output file (not even the .partial one).
import test, { type ExecutionContext } from 'ava';
import { join } from 'node:path';
import { readdir, writeFile } from 'node:fs/promises';
import { tempDir } from '../../helpers/tmp.js';
import { buildIsoImages } from '../../../lib/formats/iso/build-image.js';
import { planIso } from '../../../lib/formats/iso/layout.js';
import { scanSourceTree } from '../../../lib/formats/iso/source-tree.js';
import { writeIsoImage } from '../../../lib/formats/iso/iso-writer.js';
import { TsmediaError, UsageError, NotFoundError } from '../../../lib/errors.js';
import { makeTree, FIXED_DATE } from './fixtures.js';

async function attempt(t: Parameters<typeof tempDir>[0], files: Record<string, string>, opts: { label?: string; bios?: string; uefi?: string } = {}) {
  const dir = await tempDir(t, 'tsm-isobad-');
  await makeTree(join(dir, 'src'), files);
  const p = buildIsoImages({ sourcePath: join(dir, 'src'), path: join(dir, 'out.iso'), label: opts.label ?? 'OK', date: FIXED_DATE, biosBootFile: opts.bios, uefiBootFile: opts.uefi });
  return { dir, p };
}

async function nothingWritten(t: ExecutionContext, dir: string): Promise<void> {
  t.deepEqual((await readdir(dir)).filter((n) => n !== 'src'), []);
}

test('a missing source folder', async (t) => {
  const dir = await tempDir(t, 'tsm-isobad-');
  await t.throwsAsync(buildIsoImages({ sourcePath: join(dir, 'nope'), path: join(dir, 'o.iso'), label: 'X', date: FIXED_DATE }), { instanceOf: NotFoundError, message: /does not exist/ });
  t.deepEqual(await readdir(dir), []);
});

test('a boot file that is not in the tree', async (t) => {
  const { dir, p } = await attempt(t, { 'a.txt': 'a' }, { bios: 'boot/etfsboot.com' });
  await t.throwsAsync(p, { instanceOf: UsageError, message: /boot\/etfsboot\.com.*not a file/ });
  await nothingWritten(t, dir);
});

test('an empty UEFI boot file', async (t) => {
  const { dir, p } = await attempt(t, { 'efisys.bin': '' }, { uefi: 'efisys.bin' });
  await t.throwsAsync(p, { instanceOf: UsageError, message: /empty/ });
  await nothingWritten(t, dir);
});

for (const [why, name] of [['a character Joliet forbids', 'bad:name.txt'], ['a name over 103 characters', `${'x'.repeat(104)}.txt`], ['a backslash', 'back\\slash']] as const) {
  test(`a name that cannot be represented: ${why}`, async (t) => {
    const { dir, p } = await attempt(t, { [`ok/${name}`]: 'x' });
    const e = await t.throwsAsync(p, { instanceOf: TsmediaError });
    t.is(e!.code, 'EISO_NAME');
    t.true(e!.message.includes(name), e!.message);
    await nothingWritten(t, dir);
  });
}

test('a label over 32 characters', async (t) => {
  const { dir, p } = await attempt(t, { 'a.txt': 'a' }, { label: 'L'.repeat(33) });
  await t.throwsAsync(p, { instanceOf: UsageError, message: /1 to 32/ });
  await nothingWritten(t, dir);
});

test('a source file that changes after planning fails the write and removes the partial image', async (t) => {
  const dir = await tempDir(t, 'tsm-isobad-');
  await makeTree(join(dir, 'src'), { 'a.bin': 'x'.repeat(5000), 'b.bin': 'y'.repeat(20_000_000) });
  const plan = planIso({ ...(await scanSourceTree(join(dir, 'src'))), label: 'X', date: FIXED_DATE });
  await writeFile(join(dir, 'src', 'a.bin'), 'short');
  const e = await t.throwsAsync(writeIsoImage(plan, join(dir, 'out.iso')), { instanceOf: TsmediaError });
  t.is(e!.code, 'EISO_SOURCE_CHANGED');
  await nothingWritten(t, dir);
  await writeFile(join(dir, 'src', 'a.bin'), 'x'.repeat(5000));
  await writeFile(join(dir, 'src', 'b.bin'), 'y'.repeat(20_000_001));
  const g = await t.throwsAsync(writeIsoImage(plan, join(dir, 'out.iso')), { instanceOf: TsmediaError });
  t.regex(g!.message, /grew/);
  await nothingWritten(t, dir);
});

test('an aborted build leaves no file', async (t) => {
  const dir = await tempDir(t, 'tsm-isobad-');
  await makeTree(join(dir, 'src'), { 'a.bin': 'x'.repeat(5000), 'b.bin': 'y'.repeat(9_000_000) });
  const ac = new AbortController();
  const p = buildIsoImages({ sourcePath: join(dir, 'src'), path: join(dir, 'out.iso'), label: 'X', date: FIXED_DATE, signal: ac.signal, onProgress: () => ac.abort() });
  const e = await t.throwsAsync(p, { instanceOf: TsmediaError });
  t.is(e!.code, 'EABORTED');
  await nothingWritten(t, dir);
});

test('an output folder that does not exist', async (t) => {
  const dir = await tempDir(t, 'tsm-isobad-');
  await makeTree(join(dir, 'src'), { 'a.txt': 'a' });
  const e = await t.throwsAsync(buildIsoImages({ sourcePath: join(dir, 'src'), path: join(dir, 'no', 'out.iso'), label: 'X', date: FIXED_DATE }), { instanceOf: TsmediaError });
  t.is(e!.code, 'EISO_OUTPUT');
  t.regex(e!.message, /folder does not exist/);
});

test('an output path that is a folder: the finished image cannot take its name, and no partial file stays', async (t) => {
  const dir = await tempDir(t, 'tsm-isobad-');
  await makeTree(join(dir, 'src'), { 'a.txt': 'a' }, []);
  await makeTree(join(dir, 'out.iso'), { 'keep.txt': 'x' });
  const e = await t.throwsAsync(buildIsoImages({ sourcePath: join(dir, 'src'), path: join(dir, 'out.iso'), label: 'X', date: FIXED_DATE }), { instanceOf: TsmediaError });
  t.is(e!.code, 'EISO_OUTPUT');
  t.deepEqual((await readdir(dir)).sort(), ['out.iso', 'src']);
});
