import test from 'ava';
import { createHash } from 'node:crypto';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { readCatalog } from '../../lib/catalog/catalog.js';
import { blobLocation, getManifest } from '../../lib/catalog/content.js';
import { importNewContent } from '../../lib/content/content-store.js';
import { packsDir, readBlob } from '../../lib/content/library.js';
import { closePool } from '../../lib/pool/pool.js';
import { tempDir } from '../helpers/tmp.js';
import { pseudoRandomBytes, writeTree, fakeWimHeader } from '../helpers/sample-tree.js';

test.after.always(closePool);
const now = new Date('2026-01-01T00:00:00Z');
const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

test('importing content hashes every file, stores identical files once, and keeps the manifest', async (t) => {
  const home = await tempDir(t);
  const src = await tempDir(t);
  const big = pseudoRandomBytes(9 * 1024 * 1024 + 3, 7); // above the inline limit: the streaming path
  await writeTree(src, {
    'setup.exe': pseudoRandomBytes(70_000, 1),
    'copy/setup.exe': pseudoRandomBytes(70_000, 1), // same bytes: one blob
    'docs/readme.txt': 'hello',
    'docs/empty.txt': '',
    'ünïcødé/名前.txt': 'unicode',
    'big.bin': big,
  });
  const item = await importNewContent(home, now, { type: 'Package', name: 'Office', sourcePath: src, siteCode: 'PS1' });
  t.is(item.Id, 'PS100001');
  t.is(item.SourceVersion, 1);
  t.is(item.FileCount, 6);
  t.is(item.SizeBytes, 70_000 * 2 + 5 + 7 + big.length);

  const manifest = await readCatalog(home, now, (db) => getManifest(db, item.Id, 1));
  t.deepEqual(manifest.map((f) => f.path), ['big.bin', 'copy/setup.exe', 'docs/empty.txt', 'docs/readme.txt', 'setup.exe', 'ünïcødé/名前.txt']);
  t.is(manifest.find((f) => f.path === 'docs/readme.txt')!.sha256, sha('hello'));
  t.is(manifest.find((f) => f.path === 'big.bin')!.sha256, sha(big));

  // Five distinct contents (two setup.exe are one); each readable back, hash-checked.
  const distinct = new Set(manifest.map((f) => f.sha256));
  t.is(distinct.size, 5);
  for (const h of distinct) {
    const loc = await readCatalog(home, now, (db) => blobLocation(db, h));
    t.is(sha(await readBlob(home, loc)), h);
  }

  // A second package holding the same files adds no bytes to the library.
  const packs = await readdir(packsDir(home));
  const sizeBefore = (await Promise.all(packs.map((p) => stat(join(packsDir(home), p))))).reduce((n, s) => n + s.size, 0);
  t.true(sizeBefore < 70_000 * 2 + big.length, 'the duplicate was not stored twice');
  const again = await importNewContent(home, now, { type: 'Package', name: 'Office copy', sourcePath: src, siteCode: 'PS1' });
  t.is(again.Id, 'PS100002');
  t.deepEqual(await readdir(packsDir(home)), packs, 'no new pack: every blob was already there');
});

test('OS and boot images must be WIM files, and the boot image index must exist', async (t) => {
  const home = await tempDir(t);
  const src = await tempDir(t);
  await writeTree(src, { 'boot.wim': fakeWimHeader(2), 'notes.txt': 'not a wim at all' });
  const boot = await importNewContent(home, now, { type: 'BootImage', name: 'WinPE', sourcePath: join(src, 'boot.wim'), siteCode: 'PS1', imageIndex: 2 });
  t.is(boot.ImageIndex, 2);
  t.is(boot.FileCount, 1);
  const notWim = await t.throwsAsync(importNewContent(home, now, { type: 'OperatingSystemImage', name: 'x', sourcePath: join(src, 'notes.txt'), siteCode: 'PS1' }));
  t.is((notWim as { code?: string }).code, 'ENOT_WIM');
  const badIndex = await t.throwsAsync(importNewContent(home, now, { type: 'BootImage', name: 'x', sourcePath: join(src, 'boot.wim'), siteCode: 'PS1', imageIndex: 3 }));
  t.regex(badIndex!.message, /holds 2 image\(s\); -Index 3 does not exist/);
});
