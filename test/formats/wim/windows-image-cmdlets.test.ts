import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FormatError, NotFoundError, UsageError } from '../../../lib/errors.js';
import { addWindowsImage, expandWindowsImage, getWindowsImage, newWindowsImage } from '../../../lib/cmdlets/windows-image.js';
import type { CmdletContext } from '../../../lib/shell/types.js';
import { closePool } from '../../../lib/pool/pool.js';
import { run } from '../../helpers/run.js';
import { tempDir } from '../../helpers/tmp.js';
import { diffTrees, listTree, makeTree } from './tree-fixture.js';

test.after.always(closePool);

function ctx(whatIf = false): CmdletContext & { warnings: string[]; whatIfs: string[] } {
  const warnings: string[] = [];
  const whatIfs: string[] = [];
  return {
    home: '/tmp', whatIf, warnings, whatIfs,
    shouldProcess: (target, action) => { if (whatIf) whatIfs.push(`${action} ${target}`); return !whatIf; },
    verbose: () => {}, warn: (m) => { warnings.push(m); },
    progress: () => ({ tick: () => {}, update: () => {}, setTotal: () => {}, done: () => {} }),
    signal: new AbortController().signal, now: () => new Date('2026-01-01T00:00:00Z'), env: {},
    readSecret: () => Promise.resolve(undefined),
  };
}

test('New-, Add-, Get-, Expand-WindowsImage: capture, append, list, details, apply', async (t) => {
  const dir = await tempDir(t, 'tsm-wim-');
  makeTree(join(dir, 'pe'), 0);
  makeTree(join(dir, 'os'), 1);
  const wim = join(dir, 'boot.wim');
  const created = await newWindowsImage.run({ ImagePath: wim, CapturePath: join(dir, 'pe'), Name: 'WinPE', Description: 'Windows PE x64', CompressionType: 'Fast', Setbootable: true, CheckIntegrity: true }, ctx()) as Record<string, unknown>;
  t.is(created['ImageName'], 'WinPE');
  const v = await run('wimlib-imagex', ['info', wim]);
  t.regex(v.stdout, /Boot Index:\s+1/);
  t.regex(v.stdout, /Compression:\s+XPRESS/);
  await t.throwsAsync(newWindowsImage.run({ ImagePath: wim, CapturePath: join(dir, 'pe'), Name: 'x' }, ctx()), { instanceOf: UsageError, message: /exists/ });
  await addWindowsImage.run({ ImagePath: wim, CapturePath: join(dir, 'os'), Name: 'OS' }, ctx());
  const list = await getWindowsImage.run({ ImagePath: wim }, ctx()) as Record<string, unknown>[];
  t.deepEqual(list.map((i) => [i['ImageIndex'], i['ImageName'], i['ImageDescription']]), [[1, 'WinPE', 'Windows PE x64'], [2, 'OS', '']]);
  t.regex(v.stdout, /Description:\s+Windows PE x64/);
  const one = await getWindowsImage.run({ ImagePath: wim, Name: 'OS', CheckIntegrity: true }, ctx()) as Record<string, unknown>;
  t.is(one['ImageIndex'], 2);
  t.is(one['Compression'], 'xpress');
  t.deepEqual(one['CreatedTime'], new Date('2026-01-01T00:00:00Z'));
  await t.throwsAsync(getWindowsImage.run({ ImagePath: wim, Index: 3 }, ctx()), { instanceOf: NotFoundError });
  const c = ctx();
  const applied = await expandWindowsImage.run({ ImagePath: wim, ApplyPath: join(dir, 'out'), Index: 2 }, c) as Record<string, unknown>;
  t.is(applied['ImageIndex'], 2);
  t.deepEqual(diffTrees(listTree(join(dir, 'os')), listTree(join(dir, 'out'))), []);
  t.deepEqual(c.warnings, []);
  // -WhatIf changes nothing
  const w = ctx(true);
  const before = readFileSync(wim);
  t.is(await addWindowsImage.run({ ImagePath: wim, CapturePath: join(dir, 'os'), Name: 'OS2' }, w), undefined);
  t.true(readFileSync(wim).equals(before));
  t.is(w.whatIfs.length, 1);
});

test('Split-, Export-, Test-WindowsImage and Get-WindowsImageContent', async (t) => {
  const { splitWindowsImage, exportWindowsImage, testWindowsImage, getWindowsImageContent } = await import('../../../lib/cmdlets/windows-image.js');
  const dir = await tempDir(t, 'tsm-wim-');
  makeTree(join(dir, 'src'));
  const { writeFileSync } = await import('node:fs');
  const { prng } = await import('./tree-fixture.js');
  writeFileSync(join(dir, 'src', 'r1.bin'), prng(1, 700_000));
  writeFileSync(join(dir, 'src', 'r2.bin'), prng(2, 700_000));
  const wim = join(dir, 'install.wim');
  await newWindowsImage.run({ ImagePath: wim, CapturePath: join(dir, 'src'), Name: 'Pro', CompressionType: 'None' }, ctx());
  const content = await getWindowsImageContent.run({ ImagePath: wim, Index: 1 }, ctx()) as string[];
  t.true(content.includes('boot\\'));
  t.true(content.includes('boot\\BCD'));
  const parts = await splitWindowsImage.run({ ImagePath: wim, SplitImagePath: join(dir, 'install.swm'), FileSize: 1024 * 1024 }, ctx()) as { Part: number; Path: string }[];
  t.true(parts.length >= 2);
  const tested = await testWindowsImage.run({ ImagePath: join(dir, 'install.swm'), SplitImageFilePattern: join(dir, 'install*.swm') }, ctx()) as Record<string, unknown>;
  t.is(tested['Valid'], true);
  // the first part alone: install2.swm, install3.swm... are found beside it
  await expandWindowsImage.run({ ImagePath: join(dir, 'install.swm'), Index: 1, ApplyPath: join(dir, 'from-swm') }, ctx());
  t.deepEqual(diffTrees(listTree(join(dir, 'src')), listTree(join(dir, 'from-swm'))), []);
  t.is((await testWindowsImage.run({ ImagePath: join(dir, 'install.swm') }, ctx()) as Record<string, unknown>)['Valid'], true);
  // Test-WindowsImage reports each fault: two damaged streams, a warning each, then one error
  const bytes = readFileSync(wim);
  for (const seed of [1, 2]) {
    const at = bytes.indexOf(prng(seed, 64)) + 100;
    bytes[at] = (bytes[at] ?? 0) ^ 1;
  }
  writeFileSync(wim, bytes);
  const c = ctx();
  await t.throwsAsync(testWindowsImage.run({ ImagePath: wim }, c), { instanceOf: FormatError, message: /has 2 faults/ });
  t.is(c.warnings.length, 2);
  t.true(c.warnings[0]!.includes('r1.bin') && c.warnings[1]!.includes('r2.bin'), c.warnings.join('\n'));
  const exported = await exportWindowsImage.run({ SourceImagePath: join(dir, 'install.swm'), SplitImageFilePattern: join(dir, 'install*.swm'), SourceIndex: 1, DestinationImagePath: join(dir, 'one.wim'), CompressionType: 'Max', DestinationName: 'Pro LZX' }, ctx()) as Record<string, unknown>;
  t.is(exported['ImageName'], 'Pro LZX');
  const v = await run('wimlib-imagex', ['verify', join(dir, 'one.wim')]);
  t.is(v.code, 0, v.stderr);
  t.regex((await run('wimlib-imagex', ['info', join(dir, 'one.wim')])).stdout, /Compression:\s+LZX/);
});
