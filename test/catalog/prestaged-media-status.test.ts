import test from 'ava';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { catalogPath, forgetCatalogSnapshot, readCatalog, writeCatalog } from '../../lib/catalog/catalog.js';
import { loadSqlJs, SqlDatabase } from '../../lib/catalog/database.js';
import { createContent, getContent, getManifest, removeContent, reviseContent } from '../../lib/catalog/content.js';
import { recordMedia } from '../../lib/catalog/media.js';
import { compareMediaItems, prestagedMediaItems, prestagedMediaStatus, type PrestagedMediaStatus } from '../../lib/catalog/media-status.js';
import type { ManifestFile } from '../../lib/content/manifest.js';
import { closePool } from '../../lib/pool/pool.js';
import { tempDir } from '../helpers/tmp.js';
import { BOOT, DAY3, DRIVERS, LEGACY, M1, M2, M3, M5, OFFICE, ZIP, recordMedium, revisedCatalog } from '../helpers/revised-catalog.js';

test.after.always(closePool);

test('each prestaged medium: which items are revised or removed, and the files of the current revision a machine lacks', async (t) => {
  const { home } = await revisedCatalog(t);
  const items = await readCatalog(home, new Date(), (db) => prestagedMediaItems(db));
  // the stand-alone medium M4 is not prestaged; the rest oldest first (M1 and M5 on day 1, in the order recorded)
  t.deepEqual([...new Set(items.map((i) => i.MediaId))], [M1, M5, M2, M3]);
  const rows = (id: string) => items.filter((i) => i.MediaId === id).map((i) => [i.Id, i.CachedVersion, i.CurrentVersion, i.Status, i.DownloadFiles, i.DownloadBytes]);
  // M1 (day 1): Office v1 -> v3 needs a.txt (12), b.txt (16, changed twice: only its v3 bytes) and new.txt (5),
  // not c/d.bin; Drivers v1 -> v3 are the v1 files again (x.inf changed back, y.sys re-added identical)
  t.deepEqual(rows(M1), [
    [BOOT, 1, 1, 'Valid', 0, 0],
    [OFFICE, 1, 3, 'Revised', 3, 12 + 16 + 5],
    [DRIVERS, 1, 3, 'Revised', 0, 0],
    [LEGACY, 1, null, 'Removed', 0, 0],
    [ZIP, 1, 1, 'Valid', 0, 0],
  ]);
  // M2 (day 2): Office v2 already has new.txt; Drivers v2 had another x.inf and no y.sys
  t.deepEqual(rows(M2), [
    [BOOT, 1, 1, 'Valid', 0, 0],
    [OFFICE, 2, 3, 'Revised', 2, 12 + 16],
    [DRIVERS, 2, 3, 'Revised', 2, 4 + 8],
    [ZIP, 1, 1, 'Valid', 0, 0],
  ]);
  t.deepEqual(rows(M3).map((r) => r[3]), ['Valid', 'Valid', 'Valid', 'Valid']);
  t.deepEqual(rows(M5), [[BOOT, 1, 1, 'Valid', 0, 0], [DRIVERS, 1, 3, 'Revised', 0, 0]]);

  // one medium by id (any case) or by path
  const one = await readCatalog(home, new Date(), (db) => [prestagedMediaItems(db, { mediaId: M2.toLowerCase() }), prestagedMediaItems(db, { mediaId: '/media/m2.wim' })]);
  t.deepEqual(one.map((r) => [...new Set(r.map((x) => x.MediaId))]), [[M2], [M2]]);
});

test('the rebuild rule: a removed item, or any download (at least the threshold); a revision that costs nothing is no reason', async (t) => {
  const { home } = await revisedCatalog(t);
  const status = (threshold?: number) => readCatalog(home, new Date(), (db) => prestagedMediaStatus(db, {}, threshold));
  const [byDefault, at40, at41, at1G] = [await status(), await status(40), await status(41), await status(1 << 30)];
  const summary = (id: string, threshold?: number) => {
    const list = threshold === undefined ? byDefault : threshold === 40 ? at40 : threshold === 41 ? at41 : at1G;
    return list.find((r) => r.MediaId === id)!;
  };
  t.deepEqual(byDefault.map((r) => r.MediaId), [M1, M5, M2, M3]);

  t.like(summary(M1), { Items: 5, RevisedItems: 2, RemovedItems: 1, DownloadFiles: 3, DownloadBytes: 33, Rebuild: true });
  t.is(summary(M1).Reason, `1 item removed from the catalog (${LEGACY}); 1 revised item (${OFFICE}) need 3 files, 33 B, per machine; 1 revised item (${DRIVERS}) need no download.`);
  t.like(summary(M2), { RevisedItems: 2, RemovedItems: 0, DownloadFiles: 4, DownloadBytes: 40, Rebuild: true });
  t.like(summary(M3), { RevisedItems: 0, RemovedItems: 0, DownloadFiles: 0, DownloadBytes: 0, Rebuild: false, Reason: 'Every item is at its current revision.' });
  t.like(summary(M5), { RevisedItems: 1, DownloadFiles: 0, Rebuild: false, Reason: `1 revised item (${DRIVERS}) need no download.` });

  // the threshold: 40 bytes to download is a rebuild at 40, not at 41; a removed item always is
  t.true(summary(M2, 40).Rebuild);
  t.false(summary(M2, 41).Rebuild);
  t.regex(summary(M2, 41).Reason, /under the 41 B threshold/);
  t.true(summary(M1, 1 << 30).Rebuild);
});

test('download costs match a file-by-file comparison of the two manifests for every pair of versions', async (t) => {
  // A random walk of 25 revisions over 12 paths: files change, change back, vanish and return.
  const home = await tempDir(t);
  const now = new Date('2026-01-01T00:00:00Z');
  let seed = 7;
  const rand = (n: number): number => { seed ^= seed << 13; seed ^= seed >>> 17; seed ^= seed << 5; return (seed >>> 0) % n; }; // xorshift32
  const file = (path: string, v: number): ManifestFile => ({ path, size: 100 + v, sha256: createHash('sha256').update(`${v}`).digest('hex') });
  const VERSIONS = 25;
  let during = 0;
  const id = await writeCatalog(home, now, (db) => {
    let files = new Map<string, ManifestFile>([['p0', file('p0', 0)], ['p1', file('p1', 1)]]);
    const item = createContent(db, { type: 'Package', name: 'Walk', sourcePath: '/src/walk', siteCode: 'PS1' }, [...files.values()], [], now);
    const record = (n: number, version: number): void => recordMedia(db, {
      MediaId: `00000000-0000-8000-8000-${String(n).padStart(12, '0')}`, Kind: 'Prestaged', MediaType: 'Wim', Path: `/m/${n}.wim`, VolumeCount: 1,
      SizeBytes: 0, SiteCode: 'PS1', TaskSequenceId: null, BootImageId: item.Id, ContentEncrypted: false, Created: now.toISOString(),
      Content: [{ Id: item.Id, Name: 'Walk', Type: 'Package', SourceVersion: version, FileCount: 0, SizeBytes: 0 }],
    });
    // media recorded during the walk: their costs change as the item is revised after them
    for (let n = 100; getContent(db, item.Id).SourceVersion < VERSIONS; n++) {
      record(n, getContent(db, item.Id).SourceVersion);
      during++;
      files = new Map(files);
      for (let k = 0; k < 3; k++) {
        const path = `p${rand(12)}`;
        const what = rand(3);
        if (what === 0) files.delete(path);
        else files.set(path, file(path, rand(4))); // few distinct contents: changes back are common
      }
      reviseContent(db, item.Id, [...files.values()], [], now);
    }
    // and recorded once the walk is done, one per version and one claiming a version the catalog
    // never had (a restored backup)
    for (let v = 1; v <= VERSIONS + 1; v++) record(v, v);
    return item.Id;
  });
  await readCatalog(home, now, (db) => {
    const current = getManifest(db, id, VERSIONS);
    const items = prestagedMediaItems(db);
    t.is(items.length, during + VERSIONS + 1);
    t.true(during >= VERSIONS - 1);
    const summaries = prestagedMediaStatus(db);
    let revisedWithDownloads = 0;
    for (const [k, item] of items.entries()) {
      t.deepEqual([summaries[k]!.DownloadFiles, summaries[k]!.DownloadBytes], [item.DownloadFiles, item.DownloadBytes]);
      const cached = item.CachedVersion <= VERSIONS ? getManifest(db, id, item.CachedVersion) : [];
      const have = new Set(cached.map((f) => `${f.path}\0${f.sha256}`));
      const need = current.filter((f) => !have.has(`${f.path}\0${f.sha256}`));
      t.deepEqual([item.DownloadFiles, item.DownloadBytes], [need.length, need.reduce((s, f) => s + f.size, 0)], `cached version ${item.CachedVersion}`);
      t.is(item.Status, item.CachedVersion === VERSIONS ? 'Valid' : 'Revised');
      if (need.length) revisedWithDownloads++;
    }
    t.true(revisedWithDownloads > 5, 'the walk exercises real downloads');
  });
});

test('compareMediaItems: removed, added, revised and (on request) equal items, by Id', (t) => {
  const item = (Id: string, SourceVersion: number) => ({ Id, Name: `n${Id}`, Type: 'Package' as const, SourceVersion });
  const a = [item('PS100001', 1), item('PS100002', 1), item('PS100003', 2)];
  const b = [item('PS100003', 5), item('PS100004', 1), item('PS100001', 1)];
  t.deepEqual(compareMediaItems(a, b).map((d) => [d.Id, d.ReferenceVersion, d.DifferenceVersion, d.Change, d.SideIndicator]), [
    ['PS100002', 1, null, 'Removed', '<='],
    ['PS100003', 2, 5, 'Revised', '<>'],
    ['PS100004', null, 1, 'Added', '=>'],
  ]);
  t.deepEqual(compareMediaItems(a, b, true).map((d) => d.SideIndicator), ['==', '<=', '<>', '=>']);
  t.deepEqual(compareMediaItems(a, a), []);
});

test('a catalog from before schema 3 gets the history lookups, the media download costs and the media status back-filled when it is migrated', async (t) => {
  const { home } = await revisedCatalog(t);
  const before = await readCatalog(home, new Date(), (db) => prestagedMediaItems(db));
  const statusBefore = await readCatalog(home, new Date(), (db) => prestagedMediaStatus(db));
  // take the catalog back to schema 2, as an older tsmedia left it
  await writeCatalog(home, new Date(), (db) => {
    for (const trigger of ['media_status_on_record', 'media_status_on_item', 'media_status_on_item_change', 'media_status_on_removal']) db.run(`DROP TRIGGER ${trigger}`);
    db.run('DROP TABLE media_status');
    for (const trigger of ['media_content_costs_on_record', 'media_content_costs_on_revision', 'media_content_costs_on_removal']) db.run(`DROP TRIGGER ${trigger}`);
    for (const column of ['current_version', 'download_files', 'download_bytes']) db.run(`ALTER TABLE media_content DROP COLUMN ${column}`);
    db.run('DROP TRIGGER content_file_returns_on_insert');
    db.run('DROP TABLE content_file_returns');
    db.run('PRAGMA user_version = 2');
  });
  forgetCatalogSnapshot(home);
  const SQL = await loadSqlJs();
  const old = new SqlDatabase(new SQL.Database(await readFile(catalogPath(home))));
  t.is(old.get<{ v: number }>('SELECT user_version AS v FROM pragma_user_version')!.v, 2);
  old.close();

  const after = await readCatalog(home, new Date(), (db) => {
    // Drivers v3: x.inf and y.sys came back with their v1 bytes
    t.deepEqual(db.all('SELECT content_id, path, added_in FROM content_file_returns ORDER BY 1, 2'), [
      { content_id: DRIVERS, path: 'x.inf', added_in: 3 }, { content_id: DRIVERS, path: 'y.sys', added_in: 3 },
    ]);
    return prestagedMediaItems(db);
  });
  t.deepEqual(after, before);
  t.deepEqual(await readCatalog(home, new Date(), (db) => prestagedMediaStatus(db)), statusBefore);

  // they go with their item
  await writeCatalog(home, new Date(), (db) => removeContent(db, DRIVERS, 'DriverPackage', true));
  t.deepEqual(await readCatalog(home, new Date(), (db) => db.all('SELECT * FROM content_file_returns')), []);
});

test('a medium recorded again at its path replaces its status, and a medium of no items has a status of none', async (t) => {
  const { home } = await revisedCatalog(t);
  const summary = async (id: string): Promise<PrestagedMediaStatus> => (await readCatalog(home, DAY3, (db) => prestagedMediaStatus(db, { mediaId: id })))[0]!;
  t.like(await summary(M1), { Items: 5, RevisedItems: 2, RemovedItems: 1 });
  // the same path, now holding only current content: its old status must not linger
  await recordMedium(home, DAY3, { id: M1, path: '/media/m1.wim', kind: 'Prestaged', content: [BOOT, OFFICE] });
  t.like(await summary(M1), { Items: 2, RevisedItems: 0, RemovedItems: 0, DownloadFiles: 0, Rebuild: false });
  await recordMedium(home, DAY3, { id: M1, path: '/media/m1.wim', kind: 'Prestaged', content: [] });
  t.like(await summary(M1), { Items: 0, RevisedItems: 0, DownloadFiles: 0, Rebuild: false, Reason: 'Every item is at its current revision.' });
  t.is(await readCatalog(home, DAY3, (db) => db.get<{ n: number }>('SELECT count(*) AS n FROM media_status WHERE seq NOT IN (SELECT seq FROM media)')!.n), 0);
});
