import test from 'ava';
import type { ExecutionContext } from 'ava';
import { access, chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { readCatalog } from '../../lib/catalog/catalog.js';
import { getManifest } from '../../lib/catalog/content.js';
import { startDistributionPoint } from '../../lib/distribution/server.js';
import type { RequestLogEntry } from '../../lib/distribution/server.js';
import { SYNC_STAGING } from '../../lib/distribution/prestaged-cache.js';
import { deriveMediaKey, mediaSalt } from '../../lib/media/media-key.js';
import { writePolicyFile } from '../../lib/media/policy.js';
import { closePool } from '../../lib/pool/pool.js';
import { run } from '../helpers/run.js';
import { tempDir } from '../helpers/tmp.js';
import { tsmedia } from '../helpers/tsmedia.js';
import { startNginx } from '../helpers/nginx.js';
import { CHANGED_DRIVER, makeAppliedCache, makeLibrary, revise } from './prestaged-fixture.js';
import type { Library } from './prestaged-fixture.js';

test.after.always(closePool);

interface Row { Id: string; Status: string; CachedVersion: number | null; CurrentVersion: number | null; FilesToDownload: number; BytesToDownload: number }

async function testCache(t: ExecutionContext, lib: Library, args: string[]): Promise<Map<string, Row>> {
  const r = await tsmedia(lib.home, ['Test-TSPrestagedContent', ...args, '-OutputFormat', 'Json']);
  t.is(r.code, 0, r.stderr);
  return new Map(r.json<Row[]>().map((row) => [row.Id, row]));
}

/** The proof of issue 6: exactly one Revised and one Missing, with the bytes each needs. */
function checkStale(t: ExecutionContext, lib: Library, rows: Map<string, Row>): void {
  t.is(rows.size, 4);
  t.is(rows.get(lib.boot)!.Status, 'Valid');
  t.is(rows.get(lib.apps)!.Status, 'Valid');
  t.like(rows.get(lib.drivers), { Status: 'Revised', CachedVersion: 1, CurrentVersion: 2, FilesToDownload: 1, BytesToDownload: CHANGED_DRIVER.length });
  t.like(rows.get(lib.tools), { Status: 'Missing', CachedVersion: 1, CurrentVersion: 1, FilesToDownload: 1, BytesToDownload: 30_000 });
}

function allValid(t: ExecutionContext, rows: Map<string, Row>): void {
  t.deepEqual([...rows.values()].map((r) => [r.Status, r.BytesToDownload]), [...rows.values()].map(() => ['Valid', 0]));
}

async function fileSha(lib: Library, id: string, version: number, path: string): Promise<string> {
  return readCatalog(lib.home, new Date(), (db) => getManifest(db, id, version).find((f) => f.path === path)!.sha256);
}

test('Test- finds one Revised and one Missing; Sync- from our server fetches exactly those two files; then all Valid', async (t) => {
  const lib = await makeLibrary(t);
  const root = await makeAppliedCache(t, lib);
  allValid(t, await testCache(t, lib, ['-Path', root]));
  await revise(t, lib, root);
  checkStale(t, lib, await testCache(t, lib, ['-Path', root]));
  // the same cache captured as a WIM (by wimlib) is read in place, with the same answer
  const wim = join(await tempDir(t, 'tsm-dp-wim-'), 'prestaged.wim');
  const cap = await run('wimlib-imagex', ['capture', root, wim, 'Prestaged']);
  t.is(cap.code, 0, cap.stderr);
  checkStale(t, lib, await testCache(t, lib, ['-Path', wim]));
  const refused = await tsmedia(lib.home, ['Sync-TSPrestagedContent', '-Path', wim, '-DistributionPoint', 'http://127.0.0.1:9/']);
  t.regex(refused.stderr, /is a WIM; Sync-TSPrestagedContent updates an applied folder/);

  // -TaskSequence narrows the rows to what the task sequence needs
  const ts = await tsmedia(lib.home, ['New-CMTaskSequence', '-Name', 'Deploy', '-BootImageId', lib.boot, '-DriverPackageId', lib.drivers, '-OutputFormat', 'Json']);
  t.is(ts.code, 0, ts.stderr);
  const narrowed = await testCache(t, lib, ['-Path', root, '-TaskSequence', ts.json<{ Id: string }>().Id]);
  t.deepEqual([...narrowed.keys()].sort(), [lib.boot, lib.drivers].sort());

  // -PolicyPath: the items a sealed task sequence policy references (no password: the default key)
  const policy = writePolicyFile(deriveMediaKey(null, mediaSalt('8F2C1B4A-0D3E-8A5B-9C6D-7E8F90A1B2C3')), {
    TaskSequenceId: 'PS1000AA', TaskSequenceName: 'Deploy', BootImageId: lib.boot,
    References: [{ Id: lib.tools, Name: 'Tools', Type: 'Package', Role: 'Package', SourceVersion: 1 }],
  });
  const policyPath = join(await tempDir(t), 'Policy.xml');
  await writeFile(policyPath, policy);
  const byPolicy = await testCache(t, lib, ['-Path', root, '-PolicyPath', policyPath]);
  t.deepEqual([...byPolicy.keys()].sort(), [lib.boot, lib.tools].sort());
  t.is(byPolicy.get(lib.tools)!.Status, 'Missing');

  const log: RequestLogEntry[] = [];
  const dp = await startDistributionPoint({ home: lib.home, port: 0, onRequest: (e) => log.push(e) });
  t.teardown(() => dp.close());
  // a machine has no catalog: the same answer from the distribution point's manifests
  checkStale(t, lib, await testCache(t, lib, ['-Path', root, '-DistributionPoint', dp.url]));

  log.length = 0;
  const sync = await tsmedia(lib.home, ['Sync-TSPrestagedContent', '-Path', root, '-DistributionPoint', dp.url, '-OutputFormat', 'Json']);
  t.is(sync.code, 0, sync.stderr);
  const rows = new Map(sync.json<Array<{ Id: string; Status: string; FilesDownloaded: number; BytesDownloaded: number; ToVersion: number }>>().map((r) => [r.Id, r]));
  t.like(rows.get(lib.drivers), { Status: 'Updated', ToVersion: 2, FilesDownloaded: 1, BytesDownloaded: CHANGED_DRIVER.length });
  t.like(rows.get(lib.tools), { Status: 'Repaired', FilesDownloaded: 1, BytesDownloaded: 30_000 });
  const fileGets = log.filter((e) => e.path.startsWith('/files/'));
  t.deepEqual(fileGets.map((e) => e.path).sort(), [
    `/files/${await fileSha(lib, lib.drivers, 2, 'net/e1000.sys')}`,
    `/files/${await fileSha(lib, lib.tools, 1, 'tool.exe')}`,
  ].sort());
  t.true(fileGets.every((e) => e.status === 200));

  allValid(t, await testCache(t, lib, ['-Path', root]));
  allValid(t, await testCache(t, lib, ['-Path', root, '-DistributionPoint', dp.url]));
  t.deepEqual(await readFile(join(root, 'SMS/PKG', lib.drivers, 'net/e1000.sys')), CHANGED_DRIVER);
  await t.throwsAsync(access(join(root, SYNC_STAGING)), undefined, 'the staging folder is gone after a complete sync');

  // nothing left to do: a second Sync downloads nothing
  log.length = 0;
  const again = await tsmedia(lib.home, ['Sync-TSPrestagedContent', '-Path', root, '-DistributionPoint', dp.url, '-OutputFormat', 'Json']);
  t.is(again.code, 0, again.stderr);
  t.is(log.filter((e) => e.path.startsWith('/files/')).length, 0);
});

test('Publish- writes the layout as static files; nginx serves it and Sync- fetches exactly the changed and missing files', async (t) => {
  const lib = await makeLibrary(t);
  const root = await makeAppliedCache(t, lib);
  await revise(t, lib, root);
  const www = await tempDir(t, 'tsm-www-');
  await chmod(www, 0o755); // nginx's workers run as another user when started by root
  const pub = await tsmedia(lib.home, ['Publish-TSContentLibrary', '-Path', www, '-OutputFormat', 'Json']);
  t.is(pub.code, 0, pub.stderr);
  // 4 items, 5 revisions, 4 current.json; 9 distinct files (e1000.sys twice)
  t.like(pub.json(), { Items: 4, Manifests: 9, FilesWritten: 9 + 9, FilesSkipped: 0 });
  const again = await tsmedia(lib.home, ['Publish-TSContentLibrary', '-Path', www, '-OutputFormat', 'Json']);
  t.like(again.json(), { FilesWritten: 0, FilesSkipped: 18, BytesWritten: 0 }, 'publishing again writes nothing');

  // the static documents are byte for byte what our server sends
  const dp = await startDistributionPoint({ home: lib.home, port: 0 });
  t.teardown(() => dp.close());
  for (const rel of [`content/${lib.drivers}/1.json`, `content/${lib.drivers}/current.json`]) {
    const served = Buffer.from(await (await fetch(dp.url + rel)).arrayBuffer());
    t.deepEqual(await readFile(join(www, rel)), served, rel);
  }

  const nginx = await startNginx(t, www);
  checkStale(t, lib, await testCache(t, lib, ['-Path', root, '-DistributionPoint', nginx.url]));
  await writeFile(nginx.accessLog, '');
  const sync = await tsmedia(lib.home, ['Sync-TSPrestagedContent', '-Path', root, '-DistributionPoint', nginx.url, '-OutputFormat', 'Json']);
  t.is(sync.code, 0, sync.stderr);
  await sleep(100); // nginx writes its log line after the response
  const files = (await readFile(nginx.accessLog, 'utf8')).split('\n').filter((l) => l.startsWith('GET /files/'));
  t.deepEqual(files.map((l) => l.split(' ')[1]).sort(), [
    `/files/${await fileSha(lib, lib.drivers, 2, 'net/e1000.sys')}`,
    `/files/${await fileSha(lib, lib.tools, 1, 'tool.exe')}`,
  ].sort());
  allValid(t, await testCache(t, lib, ['-Path', root]));
});
