// New-TSIsoImage binds its parameters, takes its dates from ctx.now() (SOURCE_DATE_EPOCH), and
// returns one PascalCase object per volume; -WhatIf writes nothing.
import test from 'ava';
import { join } from 'node:path';
import { readdir, readFile } from 'node:fs/promises';
import { tempDir } from '../helpers/tmp.js';
import { newIsoImage, isoImageCmdlets } from '../../lib/cmdlets/iso-image.js';
import { readIsoImage } from '../../lib/formats/iso/iso-reader.js';
import { makeTree, pattern, fakeContext } from '../formats/iso/fixtures.js';
import { checkCmdletSpec } from '../../lib/shell/spec-check.js';
import { runCommandLine } from '../../lib/shell/run-command-line.js';
import { decodeVolumeDescriptor } from '../../lib/formats/iso/volume-descriptor.js';
import { testIO } from '../shell/shell-io.js';

test('New-TSIsoImage writes a bootable image dated by the context clock', async (t) => {
  const dir = await tempDir(t, 'tsm-isocmd-');
  await makeTree(join(dir, 'src'), { 'boot/etfsboot.com': pattern(1, 2048), 'data/a.bin': pattern(2, 10_000) });
  const ctx = fakeContext(new Date(1_767_225_600_000));
  const res = await newIsoImage.run({ SourcePath: join(dir, 'src'), Path: join(dir, 'm.iso'), VolumeLabel: 'CMD', BiosBootFile: 'boot\\etfsboot.com' }, ctx) as Record<string, unknown>[];
  t.deepEqual(res, [{ Path: join(dir, 'm.iso'), Volume: 1, VolumeCount: 1, Label: 'CMD', Files: 2, FileBytes: 12_048, ImageBytes: res[0]!['ImageBytes'], Bootable: true }]);
  const img = await readIsoImage(join(dir, 'm.iso'));
  t.is(img.label, 'CMD');
  t.is(img.bootEntries.length, 1);
  await img.close();
  // the same clock gives the same bytes
  await newIsoImage.run({ SourcePath: join(dir, 'src'), Path: join(dir, 'n.iso'), VolumeLabel: 'CMD', BiosBootFile: 'boot/etfsboot.com' }, ctx);
  t.true((await readFile(join(dir, 'm.iso'))).equals(await readFile(join(dir, 'n.iso'))));
  t.is(isoImageCmdlets[0]!.name, 'New-TSIsoImage');
});

test('New-TSIsoImage -WhatIf writes nothing; -MaxVolumeSize splits', async (t) => {
  const dir = await tempDir(t, 'tsm-isocmd-');
  await makeTree(join(dir, 'src'), { 'a.bin': pattern(1, 900_000), 'b.bin': pattern(2, 900_000) });
  const ctx = { ...fakeContext(), whatIf: true, shouldProcess: () => false };
  t.is(await newIsoImage.run({ SourcePath: join(dir, 'src'), Path: join(dir, 'w.iso') }, ctx), undefined);
  t.deepEqual(await readdir(dir), ['src']);
  const res = await newIsoImage.run({ SourcePath: join(dir, 'src'), Path: join(dir, 's.iso'), MaxVolumeSize: '1.5MB' }, fakeContext()) as { Path: string }[];
  t.deepEqual(res.map((r) => r.Path), [join(dir, 's.iso'), join(dir, 's-2.iso')]);
});

test('through the shell: spec checks clean, SOURCE_DATE_EPOCH dates the image, errors exit non-zero with no file', async (t) => {
  t.deepEqual(checkCmdletSpec(newIsoImage), []);
  const dir = await tempDir(t, 'tsm-isocmd-');
  await makeTree(join(dir, 'src'), { 'boot/etfsboot.com': pattern(1, 2048), 'a.txt': 'a' });
  const io = testIO({ env: { SOURCE_DATE_EPOCH: '1767225600' } });
  const code = await runCommandLine(['New-TSIsoImage', join(dir, 'src'), join(dir, 's.iso'), '-VolumeLabel', 'SHELL', '-BiosBootFile', 'boot/etfsboot.com', '-OutputFormat', 'Json'], io, [newIsoImage]);
  t.is(code, 0, io.stderr.text);
  t.regex(io.stdout.text, /"Bootable":\s*true/);
  const img = await readIsoImage(join(dir, 's.iso'));
  t.is(img.label, 'SHELL');
  await img.close();
  const { created } = decodeVolumeDescriptor((await readFile(join(dir, 's.iso'))).subarray(16 * 2048, 17 * 2048))!;
  t.is(created?.toISOString(), '2026-01-01T00:00:00.000Z');
  const bad = testIO();
  t.not(await runCommandLine(['New-TSIsoImage', join(dir, 'src'), join(dir, 'bad.iso'), '-UefiBootFile', 'missing.bin'], bad, [newIsoImage]), 0);
  t.regex(bad.stderr.text, /missing\.bin/);
  t.false((await readdir(dir)).some((n) => n.startsWith('bad.iso')));
});

