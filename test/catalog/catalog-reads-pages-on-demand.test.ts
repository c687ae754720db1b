import test from 'ava';
import { closeSync, openSync, fstatSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { catalogPath, forgetCatalogSnapshot, readCatalog, writeCatalog } from '../../lib/catalog/catalog.js';
import { createContent } from '../../lib/catalog/content.js';
import type { ManifestFile } from '../../lib/content/manifest.js';
import { loadSqlJs, SqlDatabase } from '../../lib/catalog/database.js';
import { FileBackedBytes } from '../../lib/catalog/file-backed-bytes.js';
import { listSites } from '../../lib/catalog/sites.js';
import { tempDir } from '../helpers/tmp.js';

const now = new Date('2026-01-01T00:00:00Z');

/** A catalog of some MB: `items` packages of 60 files each. */
async function catalogWith(home: string, items: number, name = 'Item'): Promise<void> {
  await writeCatalog(home, now, (db) => {
    for (let i = 0; i < items; i++) {
      const files: ManifestFile[] = Array.from({ length: 60 }, (_, f) => ({
        path: `folder/sub/file-${f}.bin`, size: 1000 + f, sha256: createHash('sha256').update(`${name}${i}:${f}`).digest('hex'),
      }));
      createContent(db, { type: 'Package', name: `${name} ${i}`, sourcePath: `/src/${i}`, siteCode: 'PS1' }, files, [], now);
    }
  });
}

const CONTENT_SUMMARY = 'SELECT count(*) AS files, sum(size) AS bytes, count(DISTINCT content_id) AS items FROM content_files';

test('sql.js reads a file-backed catalog page by page: a small query reads a small part, a full scan reads the same answers as the whole file', async (t) => {
  const home = await tempDir(t);
  await catalogWith(home, 300);
  const SQL = await loadSqlJs();
  const whole = new SqlDatabase(new SQL.Database(await readFile(catalogPath(home))));
  const fd = openSync(catalogPath(home), 'r');
  const bytes = new FileBackedBytes(fd, fstatSync(fd).size);
  const paged = new SqlDatabase(new SQL.Database(bytes as unknown as Uint8Array), () => bytes.close());
  try {
    t.true(bytes.length > 1_000_000, `the catalog is ${bytes.length} bytes`);
    t.deepEqual(paged.all('SELECT code FROM sites'), [{ code: 'PS1' }]);
    t.true(bytes.bytesRead < bytes.length / 20, `${bytes.bytesRead} of ${bytes.length} bytes read for one small table`);
    t.deepEqual(paged.get(CONTENT_SUMMARY), whole.get(CONTENT_SUMMARY));
    t.deepEqual(paged.get(CONTENT_SUMMARY), { files: 18000, bytes: 300 * (60 * 1000 + 1770), items: 300 });
  } finally {
    paged.close();
    whole.close();
  }
  t.throws(() => bytes.subarray(0, 16), { message: /closed/ });
});

test('a reader keeps reading the catalog as it was when it opened it while a writer replaces the file', async (t) => {
  const home = await tempDir(t);
  await catalogWith(home, 100);
  forgetCatalogSnapshot(home);
  const seen = await readCatalog(home, now, async (db) => {
    const sites = listSites(db).length; // reads a few pages only
    await catalogWith(home, 100, 'More'); // another writer replaces the catalog meanwhile
    return { sites, content: db.get(CONTENT_SUMMARY) }; // pages this reader has not read yet
  });
  t.deepEqual(seen, { sites: 1, content: { files: 6000, bytes: 100 * 61770, items: 100 } });
  t.deepEqual(await readCatalog(home, now, (db) => db.get(CONTENT_SUMMARY)), { files: 12000, bytes: 200 * 61770, items: 200 });
});

test('a reader cannot change the catalog: the write is refused and the file is untouched', async (t) => {
  const home = await tempDir(t);
  await readCatalog(home, now, listSites);
  forgetCatalogSnapshot(home);
  const before = await readFile(catalogPath(home));
  await t.throwsAsync(readCatalog(home, now, (db) => db.run(`UPDATE sites SET name = 'changed'`)), { message: /readonly|read-only/i });
  t.deepEqual(await readFile(catalogPath(home)), before);
  t.is((await readCatalog(home, now, listSites))[0]!.SiteName, 'Primary Site 1');
});

test('a catalog file shortened behind a reader\'s back is a clear error, not wrong answers', async (t) => {
  const home = await tempDir(t);
  await catalogWith(home, 50);
  const fd = openSync(catalogPath(home), 'r');
  const bytes = new FileBackedBytes(fd, fstatSync(fd).size + 4096); // as if the file lost its last page after opening
  try {
    t.throws(() => bytes.subarray(bytes.length - 4096, bytes.length), { code: 'ECATALOG_CORRUPT' } as never);
  } finally {
    bytes.close();
  }
  closeSync(openSync(catalogPath(home), 'r'));
});

test('readers and writers interleaved in one process each get an open snapshot', async (t) => {
  const home = await tempDir(t);
  await catalogWith(home, 5);
  forgetCatalogSnapshot(home);
  let written = 0;
  const work = Array.from({ length: 40 }, (_, k) => (k % 4 === 3
    ? catalogWith(home, 1, `Writer ${k}`).then(() => { written++; })
    : readCatalog(home, now, (db) => listSites(db).length)));
  const results = await Promise.all(work);
  t.is(results.filter((r) => r === 1).length, 30);
  t.is(written, 10);
  t.is(await readCatalog(home, now, (db) => db.get<{ n: number }>('SELECT count(*) AS n FROM content')!.n), 15);
});
