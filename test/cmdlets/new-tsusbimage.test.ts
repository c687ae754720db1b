// New-TSUsbImage binds, honours -WhatIf, passes ctx.now() as the timestamp, returns one object,
// and leaves no file when it fails.
import test from 'ava';
import { join } from 'node:path';
import { readdir, readFile } from 'node:fs/promises';
import type { CmdletContext } from '../../lib/shell/types.js';
import { usbImageCmdlets } from '../../lib/cmdlets/usb-image.js';
import { readUsbImage } from '../../lib/formats/disk/usb-reader.js';
import { UsageError } from '../../lib/errors.js';
import { tempDir } from '../helpers/tmp.js';
import { makeTree } from '../formats/disk/fixtures.js';

function fakeCtx(whatIf = false): CmdletContext & { said: string[] } {
  const said: string[] = [];
  return {
    said,
    home: '/nonexistent',
    whatIf,
    shouldProcess: (target, action) => { if (whatIf) said.push(`What if: ${action} ${target}`); return !whatIf; },
    verbose: (m) => said.push(m),
    warn: (m) => said.push(m),
    progress: () => ({ tick() {}, update() {}, setTotal() {}, done() {} }),
    signal: new AbortController().signal,
    now: () => new Date('2026-01-01T00:00:00Z'),
    env: {},
    readSecret: async () => undefined,
  };
}

const cmdlet = usbImageCmdlets.find((c) => c.name === 'New-TSUsbImage')!;

test('creates the image and reports it', async (t) => {
  const dir = await tempDir(t, 'tsm-cmd-');
  await makeTree(join(dir, 'media'), { 'bootmgr': 'x', 'sources/boot.wim': 'y' });
  const out = await cmdlet.run({ SourcePath: join(dir, 'media'), Path: join(dir, 'usb.img'), VolumeLabel: 'WinPE' }, fakeCtx());
  t.like(out, { Path: join(dir, 'usb.img'), Device: false, SizeMB: 34, Files: 2, Directories: 1, ClusterSize: 512, VolumeLabel: 'WINPE' });
  t.regex((out as { VolumeSerial: string }).VolumeSerial, /^[0-9A-F]{4}-[0-9A-F]{4}$/);
  const r = await readUsbImage(join(dir, 'usb.img'));
  t.is(r.label, 'WINPE');
  t.deepEqual(r.files.map((f) => f.path).sort(), ['bootmgr', 'sources/boot.wim']);
});

test('the image is dated by the context clock: the same clock gives the same bytes, another one not', async (t) => {
  const dir = await tempDir(t, 'tsm-cmd-');
  await makeTree(join(dir, 'media'), { 'bootmgr': 'x', 'sources/boot.wim': 'y' });
  const at = (iso: string): CmdletContext => ({ ...fakeCtx(), now: () => new Date(iso) });
  for (const [name, when] of [['a', '2026-01-01T00:00:00Z'], ['b', '2026-01-01T00:00:00Z'], ['c', '2027-06-01T12:00:00Z']] as const) {
    await cmdlet.run({ SourcePath: join(dir, 'media'), Path: join(dir, `${name}.img`) }, at(when));
  }
  const [a, b, c] = await Promise.all(['a', 'b', 'c'].map((n) => readFile(join(dir, `${n}.img`))));
  t.true(a!.equals(b!));
  t.false(a!.equals(c!));
});

test('-WhatIf writes nothing', async (t) => {
  const dir = await tempDir(t, 'tsm-cmd-');
  await makeTree(join(dir, 'media'), { a: 'x' });
  const ctx = fakeCtx(true);
  t.is(await cmdlet.run({ SourcePath: join(dir, 'media'), Path: join(dir, 'usb.img') }, ctx), undefined);
  t.deepEqual(await readdir(dir), ['media']);
  t.regex(ctx.said.join('\n'), /What if: Create USB image/);
});

test('bad -SizeMB and failures leave no file', async (t) => {
  const dir = await tempDir(t, 'tsm-cmd-');
  await makeTree(join(dir, 'media'), { a: 'x', 'bad:name': 'y' });
  const e1 = await t.throwsAsync(cmdlet.run({ SourcePath: join(dir, 'media'), Path: join(dir, 'usb.img'), SizeMB: -5 }, fakeCtx()));
  t.true(e1 instanceof UsageError);
  const e2 = await t.throwsAsync(cmdlet.run({ SourcePath: join(dir, 'media'), Path: join(dir, 'usb.img') }, fakeCtx()));
  t.regex(e2?.message ?? '', /bad:name/);
  t.deepEqual(await readdir(dir), ['media']);
});
