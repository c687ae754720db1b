import test from 'ava';
import { execFileSync } from 'node:child_process';
import { readdir, symlink, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readCatalog } from '../../lib/catalog/catalog.js';
import { findContent } from '../../lib/catalog/content.js';
import { importNewContent } from '../../lib/content/content-store.js';
import { packsDir } from '../../lib/content/library.js';
import { closePool } from '../../lib/pool/pool.js';
import { tempDir } from '../helpers/tmp.js';
import { writeTree } from '../helpers/sample-tree.js';

test.after.always(closePool);
const now = new Date('2026-01-01T00:00:00Z');

async function refused(t: import('ava').ExecutionContext, prepare: (src: string, outside: string) => Promise<string>, code: string): Promise<void> {
  const home = await tempDir(t);
  const src = await tempDir(t);
  const outside = await tempDir(t);
  await writeTree(src, { 'a.txt': 'a', 'sub/b.txt': 'b' });
  const path = await prepare(src, outside);
  const err = await t.throwsAsync(importNewContent(home, now, { type: 'Package', name: 'P', sourcePath: path, siteCode: 'PS1' }));
  t.is((err as { code?: string }).code, code, err?.message);
  // nothing half-imported: no content row, no pack left behind
  t.deepEqual(await readCatalog(home, now, (db) => findContent(db, {})), []);
  t.deepEqual(await readdir(packsDir(home)).catch(() => []), []);
}

test('a missing source folder is refused', (t) => refused(t, async (src) => join(src, 'nope'), 'ESOURCE_MISSING'));
test('a file where a folder is expected is refused', (t) => refused(t, async (src) => join(src, 'a.txt'), 'ESOURCE_NOT_FOLDER'));
test('a symbolic link that leaves the source tree is refused', (t) => refused(t, async (src, outside) => {
  await writeFile(join(outside, 'secret.txt'), 'x');
  await symlink(join(outside, 'secret.txt'), join(src, 'sub', 'link.txt'));
  return src;
}, 'ESOURCE_LINK_ESCAPES'));
test('a symbolic link loop is refused', (t) => refused(t, async (src) => {
  await symlink('..', join(src, 'sub', 'up'));
  return src;
}, 'ESOURCE_LINK_LOOP'));
test('a dangling symbolic link is refused', (t) => refused(t, async (src) => {
  await symlink(join(src, 'gone'), join(src, 'dangling'));
  return src;
}, 'ESOURCE_BROKEN_LINK'));
test('a pipe in the source is refused', (t) => refused(t, async (src) => {
  execFileSync('mkfifo', [join(src, 'sub', 'fifo')]);
  return src;
}, 'ESOURCE_SPECIAL_FILE'));
test('names Windows cannot hold are imported with a warning each', async (t) => {
  const home = await tempDir(t);
  const src = await tempDir(t);
  await writeTree(src, { 'a.txt': 'a', 'A.txt': 'A', 'bad/what?.txt': 'x', 'con.txt': 'c' });
  const warnings: string[] = [];
  const item = await importNewContent(home, now, { type: 'Package', name: 'P', sourcePath: src, siteCode: 'PS1' }, { onWarning: (w) => warnings.push(w) });
  t.is(item.FileCount, 4);
  t.is(warnings.length, 3);
  t.true(warnings.some((w) => /'A.txt' and 'a.txt' differ only in case/.test(w)));
  t.true(warnings.some((w) => w.includes('bad/what?.txt')));
  t.true(warnings.some((w) => w.includes("'con.txt'")));
});

test('a symbolic link inside the tree is followed', async (t) => {
  const home = await tempDir(t);
  const src = await tempDir(t);
  await writeTree(src, { 'a.txt': 'a' });
  await symlink('a.txt', join(src, 'alias.txt'));
  const item = await importNewContent(home, now, { type: 'Package', name: 'P', sourcePath: src, siteCode: 'PS1' });
  t.is(item.FileCount, 2);
});

test('an unknown site is refused though the walk and the hashing start before the catalog is read, and nothing is kept', async (t) => {
  const home = await tempDir(t);
  const src = await tempDir(t);
  // enough files for several batches in flight, and a tree with no files at all
  await writeTree(src, Object.fromEntries(Array.from({ length: 1200 }, (_, i) => [`d${i % 7}/f${i}.txt`, `file ${i}`])));
  const empty = await tempDir(t);
  for (const sourcePath of [src, empty]) {
    const err = await t.throwsAsync(importNewContent(home, now, { type: 'Package', name: 'P', sourcePath, siteCode: 'XX1' }));
    t.is((err as { code?: string }).code, 'ENOTFOUND', err?.message);
    t.regex(err!.message, /No site with code 'XX1'/);
  }
  t.deepEqual(await readCatalog(home, now, (db) => findContent(db, {})), []);
  t.deepEqual(await readdir(packsDir(home)).catch(() => []), []);
});

test('the total is reported once the walk is done, after the bytes done so far', async (t) => {
  const home = await tempDir(t);
  const src = await tempDir(t);
  await writeTree(src, Object.fromEntries(Array.from({ length: 900 }, (_, i) => [`f${i}.txt`, 'x'.repeat(i)])));
  const events: string[] = [];
  let done = 0;
  await importNewContent(home, now, { type: 'Package', name: 'P', sourcePath: src, siteCode: 'PS1' }, {
    onTotal: (bytes, files) => events.push(`total ${bytes} ${files}`),
    onProgress: (bytes) => { done += bytes; },
  });
  t.deepEqual(events, [`total ${(899 * 900) / 2} 900`]);
  t.is(done, (899 * 900) / 2);
});
