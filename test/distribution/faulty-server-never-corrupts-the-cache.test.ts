import test from 'ava';
import type { ExecutionContext } from 'ava';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash } from 'node:crypto';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readCatalog } from '../../lib/catalog/catalog.js';
import { blobLocation, getManifest } from '../../lib/catalog/content.js';
import { readBlob } from '../../lib/content/library.js';
import { DistributionPointClient } from '../../lib/distribution/client.js';
import { MANIFEST_PATH, SYNC_STAGING, syncPrestagedCache, testPrestagedCache, currentFromDistributionPoint } from '../../lib/distribution/prestaged-cache.js';
import { startDistributionPoint } from '../../lib/distribution/server.js';
import type { RunningDistributionPoint } from '../../lib/distribution/server.js';
import { closePool } from '../../lib/pool/pool.js';
import { tempDir } from '../helpers/tmp.js';
import { CHANGED_DRIVER, makeAppliedCache, makeLibrary, NOW, revise } from './prestaged-fixture.js';
import type { Library } from './prestaged-fixture.js';

test.after.always(closePool);

type Fault = 'flip' | 'truncate' | 'drop' | 'long' | 'ok';

interface FaultyServer { url: string; seen: Array<{ path: string; range: string | undefined; fault: Fault }> }

/**
 * A distribution point that lies: manifests come from the good server, but file bodies are
 * damaged as `fault(n)` says for the n-th file request (0-based).
 */
async function faultyServer(t: ExecutionContext, lib: Library, good: RunningDistributionPoint, fault: (n: number) => Fault): Promise<FaultyServer> {
  const seen: FaultyServer['seen'] = [];
  let n = 0;
  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const path = req.url ?? '/';
    if (!path.startsWith('/files/')) {
      const r = await fetch(good.url + path.slice(1));
      res.writeHead(r.status, { 'Content-Type': 'application/json' });
      res.end(Buffer.from(await r.arrayBuffer()));
      return;
    }
    const sha = path.slice('/files/'.length);
    const f = fault(n++);
    seen.push({ path, range: req.headers.range, fault: f });
    const bytes = await readCatalog(lib.home, NOW, (db) => readBlob(lib.home, blobLocation(db, sha)));
    const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const start = m ? Number(m[1]) : 0;
    const body = Buffer.from(bytes.subarray(start));
    const headers: Record<string, string> = { 'Content-Length': String(body.length), ETag: `"${sha}"` };
    if (m) headers['Content-Range'] = `bytes ${start}-${bytes.length - 1}/${bytes.length}`;
    switch (f) {
      case 'flip':
        body[body.length >> 1]! ^= 0x01;
        res.writeHead(m ? 206 : 200, headers);
        res.end(body);
        return;
      case 'truncate':
        // says the full length, sends half, ends the connection cleanly
        res.writeHead(m ? 206 : 200, headers);
        res.write(body.subarray(0, body.length >> 1), () => res.socket?.end());
        return;
      case 'drop':
        res.writeHead(m ? 206 : 200, headers);
        res.write(body.subarray(0, body.length >> 1), () => res.socket?.destroy());
        return;
      case 'long':
        res.writeHead(200, { ETag: `"${sha}"` }); // chunked, with trailing garbage
        res.end(Buffer.concat([body, Buffer.from('garbage')]));
        return;
      case 'ok':
        res.writeHead(m ? 206 : 200, headers);
        res.end(body);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve(undefined)); }));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, seen };
}

async function statuses(root: string, client: DistributionPointClient): Promise<string[]> {
  return (await testPrestagedCache(root, { current: currentFromDistributionPoint(client) })).map((r) => r.Status).sort();
}

const client = (urls: string[], rounds = 2): DistributionPointClient => new DistributionPointClient({ urls, rounds, baseDelayMs: 5, maxDelayMs: 20, idleTimeoutMs: 2000 });

test('a server that only sends damaged bytes never changes the cache; failover to a good one then syncs it', async (t) => {
  const lib = await makeLibrary(t);
  const root = await makeAppliedCache(t, lib);
  await revise(t, lib, root);
  const good = await startDistributionPoint({ home: lib.home, port: 0 });
  t.teardown(() => good.close());
  const modes: Fault[] = ['flip', 'truncate', 'drop', 'long'];
  const bad = await faultyServer(t, lib, good, (n) => modes[n % modes.length]!);
  const manifestBefore = await readFile(join(root, MANIFEST_PATH));

  const err = await t.throwsAsync(syncPrestagedCache(root, { client: client([bad.url], 4) }));
  t.regex(err!.message, /after 4 rounds/);
  t.true(bad.seen.length >= 4);
  t.deepEqual(await readFile(join(root, MANIFEST_PATH)), manifestBefore, 'the manifest is untouched');
  t.deepEqual(await statuses(root, client([good.url])), ['Missing', 'Revised', 'Valid', 'Valid'], 'still the old valid state: nothing Corrupt');
  // nothing unverified was kept as a complete staged file
  const staged = await readdir(join(root, SYNC_STAGING)).catch(() => []);
  t.true(staged.every((name) => name.endsWith('.partial') || name.endsWith('.etag')), staged.join(', '));

  // the faulty server first, a good one second: every file fails over and the sync completes
  bad.seen.length = 0;
  const rows = await syncPrestagedCache(root, { client: client([bad.url, good.url], 2) });
  t.true(bad.seen.length >= 1);
  t.deepEqual(rows.map((r) => r.Status).sort(), ['Repaired', 'Updated', 'Valid', 'Valid']);
  t.deepEqual(await statuses(root, client([good.url])), ['Valid', 'Valid', 'Valid', 'Valid']);
});

test('a broken download resumes with a Range request from where it stopped', async (t) => {
  const lib = await makeLibrary(t);
  const root = await makeAppliedCache(t, lib);
  await revise(t, lib, root);
  const good = await startDistributionPoint({ home: lib.home, port: 0 });
  t.teardown(() => good.close());
  const changedSha = await readCatalog(lib.home, NOW, (db) => getManifest(db, lib.drivers, 2).find((f) => f.path === 'net/e1000.sys')!.sha256);

  // the first request of each file drops the connection half-way; one round only: Sync fails
  const dropping = await faultyServer(t, lib, good, () => 'drop');
  await t.throwsAsync(syncPrestagedCache(root, { client: client([dropping.url], 1) }));
  const partial = join(root, SYNC_STAGING, `${changedSha}.partial`);
  const kept = (await stat(partial)).size;
  t.true(kept > 0 && kept < CHANGED_DRIVER.length, `kept ${kept} bytes`);
  t.deepEqual(await statuses(root, client([good.url])), ['Missing', 'Revised', 'Valid', 'Valid']);

  // then the server behaves: the download goes on from the partial file
  const healing = await faultyServer(t, lib, good, () => 'ok');
  await syncPrestagedCache(root, { client: client([healing.url], 1) });
  const resumed = healing.seen.find((s) => s.path === `/files/${changedSha}`);
  t.is(resumed?.range, `bytes=${kept}-`);
  t.deepEqual(await readFile(join(root, 'SMS/PKG', lib.drivers, 'net/e1000.sys')), CHANGED_DRIVER);
  t.deepEqual(await statuses(root, client([good.url])), ['Valid', 'Valid', 'Valid', 'Valid']);
});

test('a resumed download whose first half was wrong is detected and fetched again whole', async (t) => {
  const lib = await makeLibrary(t);
  const good = await startDistributionPoint({ home: lib.home, port: 0 });
  t.teardown(() => good.close());
  const file = await readCatalog(lib.home, NOW, (db) => getManifest(db, lib.drivers, 1).find((f) => f.path === 'net/e1000.sys')!);
  const dir = await tempDir(t, 'tsm-partial-');
  const partial = join(dir, 'x.partial');
  await writeFile(partial, Buffer.alloc(1000, 0xee)); // not the file's first 1000 bytes
  const c = client([good.url], 2);
  await c.download({ sha256: file.sha256, size: file.size }, partial);
  t.is(createHash('sha256').update(await readFile(partial)).digest('hex'), file.sha256);
});
