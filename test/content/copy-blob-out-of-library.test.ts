// copyBlobToFile, the one way blobs leave the library as files (media staging, published
// distribution point folders): checked bytes, or a clear error and nothing left behind.
import test from 'ava';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readCatalog } from '../../lib/catalog/catalog.js';
import { blobLocation, findContent, getManifest } from '../../lib/catalog/content.js';
import { importNewContent } from '../../lib/content/content-store.js';
import { copyBlobToFile, packsDir, type BlobLocation } from '../../lib/content/library.js';
import { closePool } from '../../lib/pool/pool.js';
import { pseudoRandomBytes, writeTree } from '../helpers/sample-tree.js';
import { tempDir } from '../helpers/tmp.js';

test.after.always(closePool);
const now = new Date('2026-01-01T00:00:00Z');

async function library(t: import('ava').ExecutionContext): Promise<{ home: string; loc: BlobLocation; data: Buffer; out: string }> {
  const home = await tempDir(t);
  const src = await tempDir(t);
  const data = pseudoRandomBytes(3_000_000, 9); // several copy buffers' worth
  await writeTree(src, { 'big.bin': data });
  await importNewContent(home, now, { type: 'Package', name: 'P', sourcePath: src, siteCode: 'PS1' });
  const loc = await readCatalog(home, now, (db) => {
    const [item] = findContent(db, {});
    return blobLocation(db, getManifest(db, item!.Id, 1)[0]!.sha256);
  });
  return { home, loc, data, out: await tempDir(t) };
}

test('a blob is copied whole, in pieces of the buffer given, and counted', async (t) => {
  const { home, loc, data, out } = await library(t);
  let counted = 0;
  copyBlobToFile(home, loc, join(out, 'copy.bin'), { buffer: Buffer.alloc(64 * 1024), onBytes: (n) => { counted += n; } });
  t.deepEqual(await readFile(join(out, 'copy.bin')), data);
  t.is(counted, data.length);
  t.deepEqual(await readdir(out), ['copy.bin']);
});

test('a damaged blob, a missing pack and a hostile pack name are refused, and no file is left', async (t) => {
  const { home, loc, out } = await library(t);
  const pack = join(packsDir(home), loc.pack);
  const bytes = await readFile(pack);
  bytes[loc.offset + 1_234_567] = bytes[loc.offset + 1_234_567]! ^ 0xff;
  await writeFile(pack, bytes);
  t.throws(() => copyBlobToFile(home, loc, join(out, 'x')), { code: 'ELIBRARY_CORRUPT', message: /does not match its hash/ } as never);
  t.throws(() => copyBlobToFile(home, { ...loc, pack: 'pack-0000.pack' }, join(out, 'x')), { code: 'ELIBRARY_MISSING' } as never);
  t.throws(() => copyBlobToFile(home, { ...loc, pack: '../../etc/passwd' }, join(out, 'x')), { code: 'ELIBRARY_CORRUPT', message: /not a library pack name/ } as never);
  t.deepEqual(await readdir(out), []);
});

test('an aborted copy stops and leaves no file', async (t) => {
  const { home, loc, out } = await library(t);
  const stop = new AbortController();
  stop.abort();
  t.throws(() => copyBlobToFile(home, loc, join(out, 'x'), { signal: stop.signal }), { code: 'EABORTED' } as never);
  t.deepEqual(await readdir(out), []);
});
