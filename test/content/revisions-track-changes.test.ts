import test from 'ava';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readCatalog, writeCatalog } from '../../lib/catalog/catalog.js';
import { getManifest, listRevisions, findContent, removeContent } from '../../lib/catalog/content.js';
import { createTaskSequence, taskSequenceReferences } from '../../lib/catalog/task-sequences.js';
import { importNewContent, refreshContent } from '../../lib/content/content-store.js';
import { closePool } from '../../lib/pool/pool.js';
import { tempDir } from '../helpers/tmp.js';
import { writeTree, fakeWimHeader } from '../helpers/sample-tree.js';

test.after.always(closePool);
const now = new Date('2026-01-01T00:00:00Z');

test('a re-read source raises SourceVersion only when something changed, and each revision says what', async (t) => {
  const home = await tempDir(t);
  const src = await tempDir(t);
  await writeTree(src, { 'a.txt': 'one', 'b.txt': 'two', 'c.txt': 'three' });
  const v1 = await importNewContent(home, now, { type: 'DriverPackage', name: 'Drivers', sourcePath: src, siteCode: 'PS1' });

  const same = await refreshContent(home, new Date('2026-01-02T00:00:00Z'), v1.Id);
  t.false(same.changed);
  t.is(same.item.SourceVersion, 1);

  await writeFile(join(src, 'b.txt'), 'TWO');       // changed
  await rm(join(src, 'c.txt'));                      // removed
  await writeFile(join(src, 'd.txt'), 'four');      // added
  const v2 = await refreshContent(home, new Date('2026-01-03T00:00:00Z'), v1.Id);
  t.true(v2.changed);
  t.is(v2.item.SourceVersion, 2);

  await writeFile(join(src, 'a.txt'), 'ONE');
  const v3 = await refreshContent(home, new Date('2026-01-04T00:00:00Z'), v1.Id);
  t.is(v3.item.SourceVersion, 3);

  const revs = await readCatalog(home, now, (db) => listRevisions(db, v1.Id));
  t.deepEqual(revs.map((r) => [r.SourceVersion, r.FileCount, r.FilesAdded, r.FilesChanged, r.FilesRemoved]), [
    [1, 3, 3, 0, 0],
    [2, 3, 1, 1, 1],
    [3, 3, 0, 1, 0],
  ]);
  const since = await readCatalog(home, now, (db) => listRevisions(db, v1.Id, { sinceVersion: 1 }));
  t.deepEqual(since.map((r) => r.SourceVersion), [2, 3]);
  const byDate = await readCatalog(home, now, (db) => listRevisions(db, v1.Id, { since: new Date('2026-01-03T12:00:00Z') }));
  t.deepEqual(byDate.map((r) => r.SourceVersion), [3]);

  // Old revisions stay readable: version 1's manifest still has c.txt and the old b.txt.
  const m1 = await readCatalog(home, now, (db) => getManifest(db, v1.Id, 1));
  const m3 = await readCatalog(home, now, (db) => getManifest(db, v1.Id, 3));
  t.deepEqual(m1.map((f) => f.path), ['a.txt', 'b.txt', 'c.txt']);
  t.deepEqual(m3.map((f) => f.path), ['a.txt', 'b.txt', 'd.txt']);
  t.not(m1[1]!.sha256, m3[1]!.sha256);
});

test('task sequence references list current versions; referenced content is kept unless -Force', async (t) => {
  const home = await tempDir(t);
  const src = await tempDir(t);
  await writeTree(src, { 'boot.wim': fakeWimHeader(1), 'pkg/x.txt': 'x', 'drv/y.inf': 'y' });
  const boot = await importNewContent(home, now, { type: 'BootImage', name: 'PE', sourcePath: join(src, 'boot.wim'), siteCode: 'PS1', imageIndex: 1 });
  const pkg = await importNewContent(home, now, { type: 'Package', name: 'Pkg', sourcePath: join(src, 'pkg'), siteCode: 'PS1' });
  const drv = await importNewContent(home, now, { type: 'DriverPackage', name: 'Drv', sourcePath: join(src, 'drv'), siteCode: 'PS1' });
  const ts = await writeCatalog(home, now, (db) => createTaskSequence(db, { name: 'Deploy', siteCode: 'PS1', bootImageId: boot.Id, driverPackageIds: [drv.Id], packageIds: [pkg.Id] }, now));
  t.is(ts.ReferenceCount, 3);
  await writeFile(join(src, 'pkg', 'x.txt'), 'xx');
  await refreshContent(home, now, pkg.Id);
  const refs = await readCatalog(home, now, (db) => taskSequenceReferences(db, ts.Id));
  t.deepEqual(refs.map((r) => [r.Id, r.Role, r.SourceVersion, r.SizeBytes]), [
    [boot.Id, 'BootImage', 1, boot.SizeBytes], [drv.Id, 'DriverPackage', 1, 1], [pkg.Id, 'Package', 2, 2],
  ]);
  // wrong type for a reference is refused
  await t.throwsAsync(writeCatalog(home, now, (db) => createTaskSequence(db, { name: 'Bad', siteCode: 'PS1', bootImageId: pkg.Id }, now)), { message: /is a package, not a boot image/ });

  const inUse = await t.throwsAsync(writeCatalog(home, now, (db) => removeContent(db, pkg.Id, 'Package', false)));
  t.regex(inUse!.message, /used by task sequence/);
  await writeCatalog(home, now, (db) => removeContent(db, pkg.Id, 'Package', true));
  t.deepEqual((await readCatalog(home, now, (db) => findContent(db, { type: 'Package' }))).length, 0);
  t.is((await readCatalog(home, now, (db) => taskSequenceReferences(db, ts.Id))).length, 2);
});
