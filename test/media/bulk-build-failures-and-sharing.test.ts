// Bulk builds that fail, and what they share: with -ContinueOnError a failing entry is a Failed
// row that says why while the others are built, and the exit code is 1; without it the first
// failure cancels the rest (no output for them). Builds in one run check each library blob once
// however many media hold it, and builds finishing together are all recorded in the catalog.
import test from 'ava';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readCatalog } from '../../lib/catalog/catalog.js';
import { listMedia } from '../../lib/catalog/media.js';
import { runBulkBuild } from '../../lib/media/bulk-build.js';
import type { BulkJob } from '../../lib/media/bulk-build.js';
import type { MediaRequest } from '../../lib/media/build-media.js';
import { sampleSite } from './sample-site.js';

test('-ContinueOnError: the bad entry fails with its reason, the others are built, exit 1', async (t) => {
  const site = await sampleSite(t);
  const p = (n: string): string => join(site.dir, n);
  const manifest = p('builds.json');
  await writeFile(manifest, JSON.stringify([
    { Entry: 'one', Cmdlet: 'New-CMCaptureMedia', BootImage: 'WinPE x64', MediaType: 'CdDvd', Path: p('one.iso') },
    { Entry: 'lost', Cmdlet: 'New-CMStandaloneMedia', TaskSequence: 'No Such Sequence', MediaType: 'CdDvd', Path: p('lost.iso') },
    { Entry: 'three', Cmdlet: 'New-CMStandaloneMedia', TaskSequence: 'Deploy', MediaType: 'CdDvd', Path: p('three.iso') },
  ]));
  const r = await site.run(['Invoke-TSMediaBuild', manifest, '-ContinueOnError', '-ThrottleLimit', '2', '-OutputFormat', 'Json']);
  t.is(r.code, 1);
  const rows = r.json<any[]>();
  t.deepEqual(rows.map((x) => [x.Entry, x.Status]), [['one', 'Built'], ['lost', 'Failed'], ['three', 'Built']]);
  t.regex(rows[1].Error, /No Such Sequence/);
  t.is(rows[1].SizeBytes, null);
  t.regex(r.stderr, /^Invoke-TSMediaBuild: 1 of 3 builds failed: entry 2 \(lost\): .*No Such Sequence/m);
  t.true(existsSync(p('one.iso')) && existsSync(p('three.iso')));
  t.false(existsSync(p('lost.iso')));
  t.deepEqual((await site.ok(['Get-TSMedia'])).map((m: any) => m.Path).sort(), [p('one.iso'), p('three.iso')]);
});

test('without -ContinueOnError the first failure cancels the rest, which leave no output', async (t) => {
  const site = await sampleSite(t);
  const p = (n: string): string => join(site.dir, n);
  const manifest = p('builds.csv');
  await writeFile(manifest, [
    'Kind,TaskSequence,BootImage,MediaType,Path',
    `StandAlone,No Such Sequence,,CdDvd,${p('lost.iso')}`,
    `Capture,,WinPE x64,CdDvd,${p('two.iso')}`,
    `StandAlone,Deploy,,Usb,${p('three.img')}`,
  ].join('\n'));
  const r = await site.run(['Invoke-TSMediaBuild', manifest, '-ThrottleLimit', '1', '-OutputFormat', 'Json']);
  t.is(r.code, 1);
  t.deepEqual(r.json<any[]>().map((x) => [x.Entry, x.Status]), [['1', 'Failed'], ['2', 'Cancelled'], ['3', 'Cancelled']]);
  t.regex(r.stderr, /Invoke-TSMediaBuild: entry 1 failed: .*No Such Sequence.*; 2 other build\(s\) cancelled \(give -ContinueOnError/);
  t.false(existsSync(p('two.iso')) || existsSync(p('three.img')));
  t.deepEqual(await site.ok(['Get-TSMedia']), []);
});

test('one run checks each library blob once across its media, and every build lands in the catalog', async (t) => {
  const site = await sampleSite(t);
  const now = new Date(1767225600_000);
  const job = (k: number, mediaType: 'Usb' | 'CdDvd', file: string): BulkJob => {
    const request: MediaRequest = { kind: 'StandAlone', mediaType, path: join(site.dir, file), siteCode: 'PS1', taskSequence: 'Deploy', password: null };
    return { index: k, label: file, request };
  };
  // one medium: how many distinct blobs the sequence's content has
  const single = await runBulkBuild(site.home, [job(1, 'Usb', 'single.img')], { now, throttleLimit: 1, continueOnError: false, resume: false });
  t.is(single.rows[0]!.Status, 'Built');
  const distinct = single.stats.distinctBlobs;
  t.true(distinct >= 8, `${distinct} blobs`);

  // four USB media at once (staged copies): still each blob read and checked once
  const usb = await runBulkBuild(site.home, [1, 2, 3, 4].map((k) => job(k, 'Usb', `usb-${k}.img`)), { now, throttleLimit: 4, continueOnError: false, resume: false });
  t.deepEqual(usb.rows.map((r) => r.Status), ['Built', 'Built', 'Built', 'Built']);
  t.deepEqual({ checks: usb.stats.blobChecks, distinct: usb.stats.distinctBlobs }, { checks: distinct, distinct });

  // ISO media read content straight from the packs: a range checked by one medium is trusted by the next
  const iso = await runBulkBuild(site.home, [1, 2, 3].map((k) => job(k, 'CdDvd', `set-${k}.iso`)), { now, throttleLimit: 1, continueOnError: false, resume: false });
  t.deepEqual(iso.rows.map((r) => r.Status), ['Built', 'Built', 'Built']);
  t.is(iso.stats.blobChecks, iso.stats.distinctBlobs);

  // every medium of the concurrent runs is on record (catalog writes finishing together all land)
  const recorded = await readCatalog(site.home, now, (db) => listMedia(db).map((m) => m.Path));
  t.deepEqual(recorded.sort(), [...usb.rows, ...iso.rows, ...single.rows].map((r) => r.Output).sort());
});
