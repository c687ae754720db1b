import test from 'ava';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { readCatalog, writeCatalog, catalogPath, forgetCatalogSnapshot } from '../../lib/catalog/catalog.js';
import { loadSqlJs, SqlDatabase } from '../../lib/catalog/database.js';
import { listSites, addSite, allocateObjectId } from '../../lib/catalog/sites.js';
import { loadMigrations, SCHEMA_VERSION } from '../../db/migrations/index.js';
import { tempDir } from '../helpers/tmp.js';

const now = new Date('2026-01-01T00:00:00Z');

test('a catalog is created on first use with the primary site PS1 and the schema version recorded', async (t) => {
  const home = await tempDir(t);
  const sites = await readCatalog(home, now, listSites);
  t.deepEqual(sites.map((s) => [s.SiteCode, s.Type]), [['PS1', 'Primary']]);
  const SQL = await loadSqlJs();
  const db = new SqlDatabase(new SQL.Database(await readFile(catalogPath(home))));
  t.is(db.get<{ user_version: number }>('PRAGMA user_version')?.user_version, SCHEMA_VERSION);
});

test('object IDs are the site code and five hex digits, rising', async (t) => {
  const home = await tempDir(t);
  const ids = await writeCatalog(home, now, (db) => [allocateObjectId(db, 'PS1'), allocateObjectId(db, 'PS1')]);
  t.deepEqual(ids, ['PS100001', 'PS100002']);
  const more = await writeCatalog(home, now, (db) => {
    for (let i = 0; i < 14; i++) allocateObjectId(db, 'PS1');
    return allocateObjectId(db, 'PS1');
  });
  t.is(more, 'PS100011');
});

test('a catalog newer than the code is refused with a clear error', async (t) => {
  const home = await tempDir(t);
  await readCatalog(home, now, listSites);
  const SQL = await loadSqlJs();
  const db = new SQL.Database(await readFile(catalogPath(home)));
  db.run(`PRAGMA user_version = ${SCHEMA_VERSION + 1}`);
  await writeFile(catalogPath(home), db.export());
  forgetCatalogSnapshot(home);
  const err = await t.throwsAsync(readCatalog(home, now, listSites));
  t.is((err as { code?: string }).code, 'ECATALOG_NEWER');
  t.regex(err!.message, /newer than this tsmedia understands/);
});

test('a file that is not SQLite is refused as a corrupt catalog', async (t) => {
  const home = await tempDir(t);
  await readCatalog(home, now, listSites);
  await writeFile(catalogPath(home), 'this is not a database at all, not even close'.repeat(100));
  forgetCatalogSnapshot(home);
  const err = await t.throwsAsync(readCatalog(home, now, listSites));
  t.is((err as { code?: string }).code, 'ECATALOG_CORRUPT');
});

test('a change that throws leaves the catalog as it was', async (t) => {
  const home = await tempDir(t);
  await readCatalog(home, now, listSites);
  const before = await readFile(catalogPath(home));
  await t.throwsAsync(writeCatalog(home, now, (db) => {
    addSite(db, { code: 'CAS', name: 'Central', type: 'CentralAdministration', https: false }, now);
    throw new Error('boom');
  }));
  t.deepEqual(await readFile(catalogPath(home)), before);
  t.deepEqual((await readCatalog(home, now, listSites)).map((s) => s.SiteCode), ['PS1']);
});

test('site rules: CAS has no parent, a primary\'s parent is a CAS, codes are three characters', async (t) => {
  const home = await tempDir(t);
  await writeCatalog(home, now, (db) => addSite(db, { code: 'cas', name: 'Central', type: 'CentralAdministration', https: false }, now));
  const ps2 = await writeCatalog(home, now, (db) => addSite(db, { code: 'PS2', name: 'Branch', type: 'Primary', parentCode: 'CAS', https: true }, now));
  t.is(ps2.ParentSiteCode, 'CAS');
  await t.throwsAsync(writeCatalog(home, now, (db) => addSite(db, { code: 'PS3', name: 'x', type: 'Primary', parentCode: 'PS1', https: false }, now)), { message: /parent must be a central administration site/ });
  await t.throwsAsync(writeCatalog(home, now, (db) => addSite(db, { code: 'TOOLONG', name: 'x', type: 'Primary', https: false }, now)), { message: /exactly three/ });
  await t.throwsAsync(writeCatalog(home, now, (db) => addSite(db, { code: 'CON', name: 'x', type: 'Primary', https: false }, now)), { message: /reserved/ });
});

test('the schema version counts the migration files, which load in order, once', async (t) => {
  const files = (await readdir(new URL('../../db/migrations/', import.meta.url))).filter((f) => /^\d{4}-.+\.js$/.test(f)).sort();
  t.is(files.length, SCHEMA_VERSION);
  t.deepEqual(files.map((f) => Number(f.slice(0, 4))), Array.from({ length: SCHEMA_VERSION }, (_, i) => i + 1));
  const sqls = await loadMigrations();
  t.is(sqls.length, SCHEMA_VERSION);
  t.regex(sqls[0]!, /CREATE TABLE sites/);
  t.is(new Set(sqls).size, SCHEMA_VERSION, 'each file its own SQL');
  t.is(await loadMigrations(), sqls);
});
