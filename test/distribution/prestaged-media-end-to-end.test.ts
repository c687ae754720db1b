// Issue 6's proof on real media: New-CMPrestageMedia builds the WIM, our Expand-WindowsImage and
// wimlib-imagex apply it; one driver package is revised (one file changed) and one package file is
// removed from each applied cache; Test- reports exactly one Revised and one Missing with their
// bytes; Sync- against our distribution point and against nginx (serving Publish- output)
// downloads exactly those two files; a second Test- is all Valid.
import test from 'ava';
import type { ExecutionContext } from 'ava';
import { createHash } from 'node:crypto';
import { chmod, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startDistributionPoint } from '../../lib/distribution/server.js';
import type { RequestLogEntry } from '../../lib/distribution/server.js';
import { closePool } from '../../lib/pool/pool.js';
import { startNginx } from '../helpers/nginx.js';
import { run } from '../helpers/run.js';
import { pseudoRandomBytes } from '../helpers/sample-tree.js';
import { tempDir } from '../helpers/tmp.js';
import { sampleSite } from '../media/sample-site.js';
import type { SampleSite } from '../media/sample-site.js';

test.after.always(closePool);

interface Row { Id: string; Status: string; CachedVersion: number; CurrentVersion: number; FilesToDownload: number; BytesToDownload: number }

const NEW_DRIVER = pseudoRandomBytes(41_000, 99);
const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

async function status(site: SampleSite, root: string, extra: string[] = []): Promise<Map<string, Row>> {
  const rows: Row[] = await site.ok(['Test-TSPrestagedContent', '-Path', root, ...extra]);
  return new Map(rows.map((r) => [r.Id, r]));
}

function exactlyOneRevisedOneMissing(t: ExecutionContext, site: SampleSite, rows: Map<string, Row>): void {
  const { ids } = site;
  t.like(rows.get(ids.drivers), { Status: 'Revised', CachedVersion: 1, CurrentVersion: 2, FilesToDownload: 1, BytesToDownload: NEW_DRIVER.length });
  t.like(rows.get(ids.office), { Status: 'Missing', CachedVersion: 1, CurrentVersion: 1, FilesToDownload: 1, BytesToDownload: 90_000 });
  const others = [...rows.values()].filter((r) => r.Id !== ids.drivers && r.Id !== ids.office);
  t.is(others.length, 4, 'boot image, OS image, scripts, application');
  for (const r of others) t.like(r, { Status: 'Valid', BytesToDownload: 0 });
}

function allValid(t: ExecutionContext, rows: Map<string, Row>): void {
  t.is(rows.size, 6);
  for (const r of rows.values()) t.like(r, { Status: 'Valid', BytesToDownload: 0 }, r.Id);
}

test('prestaged media applied by Expand-WindowsImage and wimlib: Test- finds the stale content, Sync- from our DP and nginx fetches exactly it', async (t) => {
  const site = await sampleSite(t);
  const { ids } = site;
  const wim = join(site.dir, 'oem.wim');
  await site.ok(['New-CMPrestageMedia', '-TaskSequence', 'Deploy', '-BootImage', ids.boot, '-OperatingSystemImage', ids.os, '-Path', wim]);
  const ours = join(site.dir, 'applied-ours');
  const theirs = join(site.dir, 'applied-wimlib');
  await site.ok(['Expand-WindowsImage', '-ImagePath', wim, '-Index', '1', '-ApplyPath', ours]);
  const a = await run('wimlib-imagex', ['apply', wim, '1', theirs]);
  t.is(a.code, 0, a.stderr);
  allValid(t, await status(site, ours));
  allValid(t, await status(site, wim));

  // one driver file changes at the source and is re-imported; a package file is lost from the caches
  await writeFile(join(site.sources, 'drivers', 'net', 'e1d.sys'), NEW_DRIVER);
  const revised = await site.ok(['Update-CMContent', '-Id', ids.drivers]);
  t.is(revised.SourceVersion, 2);
  for (const root of [ours, theirs]) await rm(join(root, 'SMS', 'PKG', ids.office, 'data', 'office.cab'));
  exactlyOneRevisedOneMissing(t, site, await status(site, ours));
  exactlyOneRevisedOneMissing(t, site, await status(site, theirs));
  const officeCab = sha256(await readFile(join(site.sources, 'office', 'data', 'office.cab')));
  const wanted = [`/files/${sha256(NEW_DRIVER)}`, `/files/${officeCab}`].sort();

  // our distribution point: a machine has no catalog, so Test- asks the DP as well
  const log: RequestLogEntry[] = [];
  const dp = await startDistributionPoint({ home: site.home, port: 0, onRequest: (e) => log.push(e) });
  t.teardown(() => dp.close());
  exactlyOneRevisedOneMissing(t, site, await status(site, ours, ['-DistributionPoint', dp.url]));
  log.length = 0;
  await site.ok(['Sync-TSPrestagedContent', '-Path', ours, '-DistributionPoint', dp.url]);
  t.deepEqual(log.filter((e) => e.path.startsWith('/files/')).map((e) => e.path).sort(), wanted);
  allValid(t, await status(site, ours));
  t.deepEqual(await readFile(join(ours, 'SMS', 'PKG', ids.drivers, 'net', 'e1d.sys')), NEW_DRIVER);

  // nginx serving what Publish-TSContentLibrary wrote
  const www = await tempDir(t, 'tsm-www-');
  await chmod(www, 0o755);
  await site.ok(['Publish-TSContentLibrary', '-Path', www]);
  const nginx = await startNginx(t, www);
  await site.ok(['Sync-TSPrestagedContent', '-Path', theirs, '-DistributionPoint', nginx.url]);
  await sleep(100); // nginx logs after the response
  const gets = (await readFile(nginx.accessLog, 'utf8')).split('\n').filter((l) => l.startsWith('GET /files/')).map((l) => l.split(' ')[1]);
  t.deepEqual(gets.sort(), wanted);
  allValid(t, await status(site, theirs));
});
