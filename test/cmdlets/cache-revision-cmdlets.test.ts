import test from 'ava';
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeManifest } from '../../lib/media/media-manifest.js';
import { closePool } from '../../lib/pool/pool.js';
import { tempDir } from '../helpers/tmp.js';
import { tsmedia } from '../helpers/tsmedia.js';
import { writeTree } from '../helpers/sample-tree.js';
import { BOOT, DAY1, DAY2, DAY3, DRIVERS, LEGACY, M1, M2, M3, M4, M5, OFFICE, ZIP, revisedCatalog } from '../helpers/revised-catalog.js';

test.after.always(closePool);

test('Get-TSPrestagedMediaStatus: one row per prestaged medium, as Json, Csv and a table', async (t) => {
  const { home } = await revisedCatalog(t);
  const json = await tsmedia(home, ['Get-TSPrestagedMediaStatus', '-OutputFormat', 'Json']);
  t.is(json.code, 0, json.stderr);
  const rows = json.json();
  t.deepEqual(Object.keys(rows[0]), ['MediaId', 'Path', 'Created', 'TaskSequenceId', 'Items', 'RevisedItems', 'RemovedItems', 'DownloadBytes', 'DownloadFiles', 'Rebuild', 'Reason']);
  t.deepEqual(rows.map((r: any) => [r.MediaId, r.Path, r.Created, r.RevisedItems, r.RemovedItems, r.DownloadFiles, r.DownloadBytes, r.Rebuild]), [
    [M1, '/media/m1.wim', DAY1.toISOString(), 2, 1, 3, 33, true],
    [M5, '/media/m5.wim', DAY1.toISOString(), 1, 0, 0, 0, false],
    [M2, '/media/m2.wim', DAY2.toISOString(), 2, 0, 4, 40, true],
    [M3, '/media/m3.wim', DAY3.toISOString(), 0, 0, 0, 0, false],
  ]);

  const csv = (await tsmedia(home, ['Get-TSPrestagedMediaStatus', '-MediaId', '/media/m2.wim', '-OutputFormat', 'Csv'])).stdout.split('\r\n');
  t.is(csv[0], 'MediaId,Path,Created,TaskSequenceId,Items,RevisedItems,RemovedItems,DownloadBytes,DownloadFiles,Rebuild,Reason');
  t.is(csv[1], `${M2},/media/m2.wim,2026-01-02T00:00:00.000Z,,4,2,0,40,4,True,"2 revised items (${OFFICE}, ${DRIVERS}) need 4 files, 40 B, per machine."`);
  t.is(csv.length, 3, 'a header, one medium and the final line end');

  const table = (await tsmedia(home, ['Get-TSPrestagedMediaStatus'])).stdout;
  t.regex(table, /MediaId\s+Path\s+Created\s+RevisedItems\s+RemovedItems\s+DownloadBytes\s+DownloadFiles\s+Rebuild/);
  t.regex(table, /\/media\/m3\.wim .* 0\s+0\s+0\s+0 False/);

  const threshold = (await tsmedia(home, ['Get-TSPrestagedMediaStatus', M2, '-RebuildThreshold', '1KB', '-OutputFormat', 'Json'])).json();
  t.like(threshold[0], { DownloadBytes: 40, Rebuild: false });
});

test('Get-TSPrestagedMediaStatus -Detailed: one row per medium and item with both versions and the status', async (t) => {
  const { home } = await revisedCatalog(t);
  const r = await tsmedia(home, ['Get-TSPrestagedMediaStatus', '-MediaId', M1.toLowerCase(), '-Detailed', '-OutputFormat', 'Json']);
  t.is(r.code, 0, r.stderr);
  t.deepEqual(r.json(), [
    { MediaId: M1, Path: '/media/m1.wim', Id: BOOT, Name: 'WinPE', Type: 'BootImage', CachedVersion: 1, CurrentVersion: 1, Status: 'Valid', DownloadBytes: 0, DownloadFiles: 0 },
    { MediaId: M1, Path: '/media/m1.wim', Id: OFFICE, Name: 'Office', Type: 'Package', CachedVersion: 1, CurrentVersion: 3, Status: 'Revised', DownloadBytes: 33, DownloadFiles: 3 },
    { MediaId: M1, Path: '/media/m1.wim', Id: DRIVERS, Name: 'Drivers', Type: 'DriverPackage', CachedVersion: 1, CurrentVersion: 3, Status: 'Revised', DownloadBytes: 0, DownloadFiles: 0 },
    { MediaId: M1, Path: '/media/m1.wim', Id: LEGACY, Name: 'Legacy', Type: 'Package', CachedVersion: 1, CurrentVersion: null, Status: 'Removed', DownloadBytes: 0, DownloadFiles: 0 },
    { MediaId: M1, Path: '/media/m1.wim', Id: ZIP, Name: '7-Zip', Type: 'Application', CachedVersion: 1, CurrentVersion: 1, Status: 'Valid', DownloadBytes: 0, DownloadFiles: 0 },
  ]);
  // the table shows the item columns, not the per-medium ones
  const table = (await tsmedia(home, ['Get-TSPrestagedMediaStatus', M1, '-Detailed'])).stdout;
  t.regex(table, /^Path\s+Id\s+Name\s+CachedVersion\s+CurrentVersion\s+Status\s+DownloadBytes\s+DownloadFiles$/m);
  t.regex(table, new RegExp(`^/media/m1\\.wim\\s+${OFFICE}\\s+Office\\s+1\\s+3 Revised\\s+33\\s+3$`, 'm'));
  const all = (await tsmedia(home, ['Get-TSPrestagedMediaStatus', '-ExpandItems', '-OutputFormat', 'Json'])).json();
  t.is(all.length, 5 + 2 + 4 + 4, 'every item of the four prestaged media');
});

test('Get-TSPrestagedMediaStatus: a medium not on record, a stand-alone medium, and an empty catalog', async (t) => {
  const { home } = await revisedCatalog(t);
  const missing = await tsmedia(home, ['Get-TSPrestagedMediaStatus', '-MediaId', '/media/none.wim']);
  t.is(missing.code, 1);
  t.regex(missing.stderr, /No medium with ID or path '\/media\/none\.wim' is on record/);
  const standAlone = await tsmedia(home, ['Get-TSPrestagedMediaStatus', '-MediaId', M4]);
  t.is(standAlone.code, 1);
  t.regex(standAlone.stderr, /is StandAlone media, not prestaged/);
  const empty = await tsmedia(await tempDir(t), ['Get-TSPrestagedMediaStatus', '-OutputFormat', 'Json']);
  t.deepEqual(empty.json(), []);
});

test('Compare-TSMedia: items added, removed and at other versions, between recorded media and a media folder', async (t) => {
  const { home } = await revisedCatalog(t);
  const cmp = async (...argv: string[]) => {
    const r = await tsmedia(home, ['Compare-TSMedia', ...argv, '-OutputFormat', 'Json']);
    t.is(r.code, 0, r.stderr);
    return r.json().map((d: any) => [d.Id, d.ReferenceVersion, d.DifferenceVersion, d.Change, d.SideIndicator]);
  };
  t.deepEqual(await cmp('-ReferenceMedia', M1, '-DifferenceMedia', '/media/m3.wim'), [
    [OFFICE, 1, 3, 'Revised', '<>'],
    [DRIVERS, 1, 3, 'Revised', '<>'],
    [LEGACY, 1, null, 'Removed', '<='],
  ]);
  t.deepEqual(await cmp(M3, M1), [[OFFICE, 3, 1, 'Revised', '<>'], [DRIVERS, 3, 1, 'Revised', '<>'], [LEGACY, null, 1, 'Added', '=>']]);
  t.deepEqual(await cmp(M5, M4, '-IncludeEqual'), [[BOOT, 1, 1, 'Equal', '=='], [OFFICE, null, 1, 'Added', '=>'], [DRIVERS, 1, null, 'Removed', '<='], [ZIP, null, 1, 'Added', '=>']]);
  t.deepEqual(await cmp(M2, M2), []);
  const shape = (await tsmedia(home, ['Compare-TSMedia', M1, M2, '-OutputFormat', 'Json'])).json();
  t.deepEqual(Object.keys(shape[0]), ['Id', 'Name', 'Type', 'ReferenceVersion', 'DifferenceVersion', 'Change', 'SideIndicator']);

  // a medium on disk: its SMS/data/MediaManifest.json holds Office v2 and an item this catalog never saw
  const media = await tempDir(t);
  await mkdir(join(media, 'SMS', 'data'), { recursive: true });
  await writeFile(join(media, 'SMS', 'data', 'MediaManifest.json'), writeManifest({
    MediaKind: 'Prestaged', MediaId: '99999999-9999-8999-8999-999999999999', Created: DAY2.toISOString(), TaskSequence: null, ContentEncrypted: false, BootEntries: [],
    Items: [
      { Id: BOOT, Name: 'WinPE', Type: 'BootImage', SourceVersion: 1, Files: [] },
      { Id: OFFICE, Name: 'Office', Type: 'Package', SourceVersion: 2, Files: [{ Path: 'a.txt', Size: 4, Sha256: 'a'.repeat(64) }] },
      { Id: 'CAS00001', Name: 'Elsewhere', Type: 'Package', SourceVersion: 7, Files: [] },
    ],
  }));
  t.deepEqual(await cmp(M3, media), [['CAS00001', null, 7, 'Added', '=>'], [OFFICE, 3, 2, 'Revised', '<>'], [DRIVERS, 3, null, 'Removed', '<='], [ZIP, 1, null, 'Removed', '<=']]);
  t.deepEqual(await cmp(join(media, 'SMS', 'data', 'MediaManifest.json'), media), []);

  const nothing = await tsmedia(home, ['Compare-TSMedia', M1, join(media, 'nope')]);
  t.is(nothing.code, 1);
  t.regex(nothing.stderr, /-DifferenceMedia '.*nope' is neither a medium on record .* nor a media folder with SMS\/data\/MediaManifest\.json/);
  await writeTree(media, { 'bad/SMS/data/MediaManifest.json': '{"Format": "other"}' });
  const bad = await tsmedia(home, ['Compare-TSMedia', join(media, 'bad'), M1]);
  t.is(bad.code, 1);
  t.regex(bad.stderr, /MediaManifest\.json: the manifest lacks/);
});

test('Get-CMContentRevision answers what changed: counts per revision, each file with -List, after a date or a version', async (t) => {
  const { home } = await revisedCatalog(t);
  const json = async (...argv: string[]) => {
    const r = await tsmedia(home, ['Get-CMContentRevision', ...argv, '-OutputFormat', 'Json']);
    t.is(r.code, 0, r.stderr);
    return r.json();
  };
  const counts = (revs: any[]) => revs.map((r) => [r.SourceVersion, r.Created, r.FileCount, r.SizeBytes, r.FilesAdded, r.FilesChanged, r.FilesRemoved]);
  t.deepEqual(counts(await json('-Id', OFFICE)), [
    [1, DAY1.toISOString(), 3, 4 + 6 + 10, 3, 0, 0],
    [2, DAY2.toISOString(), 4, 4 + 8 + 10 + 5, 1, 1, 0],
    [3, DAY3.toISOString(), 4, 12 + 16 + 10 + 5, 0, 2, 0],
  ]);
  t.deepEqual(counts(await json(DRIVERS, '-Since', '2026-01-01 12:00')), [
    [2, DAY2.toISOString(), 1, 12, 0, 1, 1],
    [3, DAY3.toISOString(), 2, 4 + 8, 1, 1, 0],
  ]);
  t.deepEqual(counts(await json(DRIVERS, '-Since', DAY3.toISOString())), [], 'only revisions made after the date');
  t.deepEqual((await json(OFFICE, '-Version', '2')).map((r: any) => r.SourceVersion), [3]);
  t.deepEqual(await json(OFFICE, '-Version', '3'), []);

  const files = (revs: any[]) => revs.map((r) => [r.SourceVersion, r.Path, r.Change, r.Size]);
  t.deepEqual(files(await json(DRIVERS, '-List')), [
    [1, 'x.inf', 'Added', 4], [1, 'y.sys', 'Added', 8],
    [2, 'x.inf', 'Changed', 12], [2, 'y.sys', 'Removed', 8],
    [3, 'x.inf', 'Changed', 4], [3, 'y.sys', 'Added', 8],
  ]);
  t.deepEqual(files(await json(OFFICE, '-Version', '1', '-ListFiles')), [
    [2, 'b.txt', 'Changed', 8], [2, 'new.txt', 'Added', 5],
    [3, 'a.txt', 'Changed', 12], [3, 'b.txt', 'Changed', 16],
  ]);
  t.regex((await tsmedia(home, ['Get-CMContentRevision', OFFICE, '-List'])).stdout, /^SourceVersion\s+Path\s+Change\s+Size$/m);
  const listed = await json(OFFICE, '-Since', '2026-01-02T12:00:00Z', '-List');
  t.deepEqual(Object.keys(listed[0]), ['Id', 'SourceVersion', 'Path', 'Change', 'Size', 'Sha256']);
  t.like(listed[0], { SourceVersion: 3, Path: 'a.txt', Sha256: createHash('sha256').update('AAAAAAAAAAAA').digest('hex') });

  const both = await tsmedia(home, ['Get-CMContentRevision', OFFICE, '-Since', '2026-01-01', '-Version', '1']);
  t.is(both.code, 2);
  t.regex(both.stderr, /Give -Since or -Version, not both/);
  const removed = await tsmedia(home, ['Get-CMContentRevision', LEGACY]);
  t.is(removed.code, 1);
  t.regex(removed.stderr, /No content with ID 'PS100004'/);
});
