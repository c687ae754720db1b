// Uncompressed captures of small and large files: the layout is the same run after run, repeats
// are stored once (a large repeat is written, then rewound), and bad sources fail clearly.
import test from 'ava';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TsmediaError } from '../../../lib/errors.js';
import { applyImage } from '../../../lib/formats/wim/apply.js';
import { captureWim } from '../../../lib/formats/wim/capture.js';
import type { ListedFile } from '../../../lib/formats/wim/list-tree.js';
import { openWim } from '../../../lib/formats/wim/reader.js';
import { tempDir } from '../../helpers/tmp.js';
import { diffTrees, listTree, makeTree, prng, textish, wimlib } from './tree-fixture.js';

const now = new Date('2026-01-01T00:00:00Z');

/** makeTree plus large files: unique sizes, a repeat, two of one size with other bytes, and many of them. */
function makeLargeTree(root: string): void {
  makeTree(root);
  mkdirSync(join(root, 'large'), { recursive: true });
  for (let i = 0; i < 12; i++) writeFileSync(join(root, 'large', `unique-${i}.bin`), prng(100 + i, 300_000 + i * 97_001));
  const twin = textish(7, 2_000_000);
  writeFileSync(join(root, 'large', 'twin-a.bin'), twin);
  writeFileSync(join(root, 'twin-copy.bin'), twin);
  const other = Buffer.from(twin);
  other[12345] = other[12345]! ^ 0xff;
  writeFileSync(join(root, 'large', 'twin-other.bin'), other);
}

test('an uncompressed capture with large files, repeats and same-size files is byte-identical run after run, verified by wimlib and applied exactly', async (t) => {
  const dir = await tempDir(t, 'tsm-wimraw-');
  const src = join(dir, 'src');
  makeLargeTree(src);
  const wims = [];
  for (let i = 0; i < 3; i++) {
    const wim = join(dir, `w${i}.wim`);
    await captureWim(wim, [{ source: src, name: 'raw' }], { compression: 'none', now });
    wims.push(readFileSync(wim));
  }
  t.true(wims[1]!.equals(wims[0]!) && wims[2]!.equals(wims[0]!), 'the same bytes every time');
  await wimlib(t, 'verify', join(dir, 'w0.wim'));
  // the repeated 2 MB file is stored once: the WIM holds the tree's distinct bytes, no more
  const theirs = join(dir, 'theirs.wim');
  await wimlib(t, 'capture', src, theirs, 'raw', '--compress=none');
  t.true(Math.abs(wims[0]!.length - readFileSync(theirs).length) < 4096, `ours ${wims[0]!.length}, wimlib's ${readFileSync(theirs).length}`);

  const w = openWim(join(dir, 'w0.wim'));
  try {
    await applyImage(w, 1, join(dir, 'out'));
  } finally {
    w.close();
  }
  t.deepEqual(diffTrees(listTree(src), listTree(join(dir, 'out'))), []);
});

/** A pack holding a small and a large blob, and the list that names them by slice and SHA-256. */
function makePack(dir: string): { pack: string; files: ListedFile[] } {
  const small = textish(1, 5_000);
  const large = textish(2, 1_500_000);
  const pack = join(dir, 'pack.bin');
  writeFileSync(pack, Buffer.concat([Buffer.alloc(100), small, large]));
  const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
  return {
    pack,
    files: [
      { path: 'small.txt', size: small.length, source: { path: pack, offset: 100, sha256: sha(small) } },
      { path: 'dir/large.bin', size: large.length, source: { path: pack, offset: 100 + small.length, sha256: sha(large) } },
    ],
  };
}

test('listed slices of a pack are captured; a damaged one, small or large, fails with EWIM_SOURCE_HASH and leaves no WIM', async (t) => {
  const dir = await tempDir(t, 'tsm-wimraw-');
  const { files } = makePack(dir);
  const good = join(dir, 'good.wim');
  await captureWim(good, [{ source: dir, name: 'listed', files }], { compression: 'none', now });
  await wimlib(t, 'verify', good);
  for (const which of [0, 1]) {
    const damaged = files.map((f, i) => (i === which ? { ...f, source: { ...f.source, sha256: '0'.repeat(64) } } : f));
    const wim = join(dir, `bad-${which}.wim`);
    const err = await t.throwsAsync(captureWim(wim, [{ source: dir, name: 'listed', files: damaged }], { compression: 'none', now }));
    t.true(err instanceof TsmediaError && err.code === 'EWIM_SOURCE_HASH', `${which}: ${String(err)}`);
    t.regex(err!.message, /pack\.bin/);
    t.false(existsSync(wim));
  }
  t.deepEqual(readdirSync(dir).filter((n) => n.includes('partial')), []);
});

test('a listed slice that runs past the end of its file, small or large, is a clear error naming it', async (t) => {
  const dir = await tempDir(t, 'tsm-wimraw-');
  const { files } = makePack(dir);
  for (const which of [0, 1]) {
    const long = files.map((f, i) => (i === which ? { ...f, source: { path: f.source.path, offset: 1_600_000 } } : f));
    const wim = join(dir, `short-${which}.wim`);
    const err = await t.throwsAsync(captureWim(wim, [{ source: dir, name: 'listed', files: long }], { compression: 'none', now }));
    t.true(err instanceof TsmediaError && err.code === 'EWIM_CAPTURE', `${which}: ${String(err)}`);
    t.regex(err!.message, /pack\.bin shrank while it was being captured/);
    t.false(existsSync(wim));
  }
});

test('a missing source file is a clear error naming it', async (t) => {
  const dir = await tempDir(t, 'tsm-wimraw-');
  for (const size of [10, 600_000]) {
    const files: ListedFile[] = [{ path: 'gone.bin', size, source: { path: join(dir, 'gone.bin') } }];
    const err = await t.throwsAsync(captureWim(join(dir, 'w.wim'), [{ source: dir, name: 'x', files }], { compression: 'none', now }));
    t.true(err instanceof TsmediaError && err.code === 'EWIM_CAPTURE', String(err));
    t.regex(err!.message, /gone\.bin/);
  }
});
