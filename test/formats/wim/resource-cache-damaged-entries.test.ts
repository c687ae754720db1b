import test from 'ava';
import { closeSync, copyFileSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, statSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { captureWim, type CaptureOptions } from '../../../lib/formats/wim/capture.js';
import type { WimCompression } from '../../../lib/formats/wim/header.js';
import { ENTRY_HEADER_SIZE, ResourceCache } from '../../../lib/formats/wim/resource-cache.js';
import { tempDir } from '../../helpers/tmp.js';
import { countingCompressor, makeCacheTree, sha256Keys } from './resource-cache-fixture.js';
import { textish, wimlib } from './tree-fixture.js';

const now = new Date('2026-01-01T00:00:00Z');

/** The cache tree plus two compressible files of the same size and different content. */
async function setup(t: Parameters<typeof tempDir>[0]): Promise<{ dir: string; src: string; keys: Map<string, string>; opts: (kind: WimCompression, cache?: ResourceCache) => CaptureOptions }> {
  const dir = await tempDir(t, 'tsm-wimcache-');
  const src = join(dir, 'src');
  makeCacheTree(src);
  writeFileSync(join(src, 't1.txt'), textish(21, 100_000));
  writeFileSync(join(src, 't2.txt'), textish(22, 100_000));
  const keys = sha256Keys(src);
  const opts = (kind: WimCompression, cache?: ResourceCache): CaptureOptions => ({
    compression: kind, now, compressor: countingCompressor().compressor,
    ...(cache ? { resourceCache: { cache, keyOf: (p: string) => keys.get(p) } } : {}),
  });
  return { dir, src, keys, opts };
}

function flip(path: string, at: number): void {
  const b = readFileSync(path);
  const fd = openSync(path, 'r+');
  writeSync(fd, Buffer.from([(b[at] ?? 0) ^ 0x40]), 0, 1, at);
  closeSync(fd);
}

test('damaged entries (flipped body, table and header bytes, truncated, empty) are ignored and rewritten; the WIM is unchanged and verifies', async (t) => {
  const { dir, src, keys, opts } = await setup(t);
  const cache = new ResourceCache(join(dir, 'cache'));
  const plain = join(dir, 'plain.wim');
  await captureWim(plain, [{ source: src, name: 'c' }], opts('xpress'));
  await captureWim(join(dir, 'cold.wim'), [{ source: src, name: 'c' }], opts('xpress', cache));
  const entry = (rel: string): string => cache.entryPath(keys.get(join(src, rel)) ?? '', 'xpress');
  const mixed = entry('dir/mixed.bin');
  t.true(statSync(mixed).size > 1024 * 1024, 'the 3 MB file has a streamed entry');
  t.is(statSync(entry('noise.bin')).size, ENTRY_HEADER_SIZE, 'data that does not compress has a header-only entry');
  flip(mixed, Math.floor(statSync(mixed).size / 2));  // a chunk, read in blocks
  flip(entry('t1.txt'), ENTRY_HEADER_SIZE);            // the chunk table, read whole
  truncateSync(entry('t2.txt'), statSync(entry('t2.txt')).size - 1);
  flip(entry('dir/text-200k.txt'), 40);                // its SHA-1: trusted, it would name another blob
  truncateSync(entry('noise.bin'), 0);
  flip(entry('dir/random.bin'), 33);                   // SHA-1 of a header-only entry

  const warm = join(dir, 'warm.wim');
  const w = await captureWim(warm, [{ source: src, name: 'c' }], opts('xpress', cache));
  t.is(cache.stats.damaged, 6);
  t.is(w.resourceCache?.misses, 6);
  t.true(readFileSync(warm).equals(readFileSync(plain)));
  await wimlib(t, 'verify', warm);
  // rewritten: the next capture finds every entry whole
  const again = await captureWim(join(dir, 'again.wim'), [{ source: src, name: 'c' }], opts('xpress', cache));
  t.is(again.resourceCache?.misses, 0);
  t.is(cache.stats.damaged, 6);
});

test('entries are per compression kind: XPRESS entries never serve an LZX capture, even moved to the LZX place; an entry under another key is refused', async (t) => {
  const { dir, src, keys, opts } = await setup(t);
  const cache = new ResourceCache(join(dir, 'cache'));
  const plain = join(dir, 'plain.wim');
  await captureWim(plain, [{ source: src, name: 'c' }], opts('lzx'));
  const x = await captureWim(join(dir, 'x.wim'), [{ source: src, name: 'c' }], opts('xpress', cache));
  const n = x.resourceCache?.misses ?? 0;
  t.true(n > 50);
  const l = await captureWim(join(dir, 'l.wim'), [{ source: src, name: 'c' }], opts('lzx', cache));
  t.deepEqual(l.resourceCache, { hits: 0, misses: n });
  t.true(readFileSync(join(dir, 'l.wim')).equals(readFileSync(plain)));

  // every XPRESS entry copied over its LZX twin: all refused by the kind in their header
  for (const key of new Set(keys.values())) {
    const from = cache.entryPath(key, 'xpress');
    const to = cache.entryPath(key, 'lzx');
    mkdirSync(dirname(to), { recursive: true });
    try { copyFileSync(from, to); } catch { /* an empty file has no entry */ }
  }
  const before = cache.stats.damaged;
  const moved = join(dir, 'moved.wim');
  const m = await captureWim(moved, [{ source: src, name: 'c' }], opts('lzx', cache));
  t.deepEqual(m.resourceCache, { hits: 0, misses: n });
  t.is(cache.stats.damaged - before, n);
  t.true(readFileSync(moved).equals(readFileSync(plain)));
  await wimlib(t, 'verify', moved);

  // t1's entry under t2's name (same kind, same size): refused by the key digest, else t2 would hold t1's text
  copyFileSync(cache.entryPath(keys.get(join(src, 't1.txt')) ?? '', 'lzx'), cache.entryPath(keys.get(join(src, 't2.txt')) ?? '', 'lzx'));
  const swapped = join(dir, 'swapped.wim');
  const s = await captureWim(swapped, [{ source: src, name: 'c' }], opts('lzx', cache));
  t.deepEqual(s.resourceCache, { hits: n - 1, misses: 1 });
  t.true(readFileSync(swapped).equals(readFileSync(plain)));
});

test('a header-only entry whose key lies about the file is caught by the SHA-1 of the data copied', async (t) => {
  const { dir, src, opts } = await setup(t);
  const cache = new ResourceCache(join(dir, 'cache'));
  await captureWim(join(dir, 'a.wim'), [{ source: src, name: 'c' }], opts('xpress', cache));
  // same size, other bytes, same key: a staging bug
  const noise = join(src, 'noise.bin');
  const b = readFileSync(noise);
  b[1000] = (b[1000] ?? 0) ^ 1;
  writeFileSync(noise, b);
  await t.throwsAsync(captureWim(join(dir, 'b.wim'), [{ source: src, name: 'c' }], opts('xpress', cache)), { code: 'EWIM_CAPTURE', message: /does not hold the content its cache key names/ });
  t.false(existsSync(join(dir, 'b.wim')));
  const left = readdirSync(join(dir, 'cache'), { recursive: true }).map(String).filter((f) => f.includes('.tmp-'));
  t.deepEqual(left, [], 'no temporary entries left behind');
});

test('a cache that cannot be written (its folder is a file) does not fail the capture; the errors are counted', async (t) => {
  const { dir, src, opts } = await setup(t);
  const blocked = join(dir, 'not-a-folder');
  writeFileSync(blocked, '');
  const cache = new ResourceCache(blocked);
  const plain = join(dir, 'plain.wim');
  await captureWim(plain, [{ source: src, name: 'c' }], opts('lzx'));
  const out = join(dir, 'out.wim');
  const r = await captureWim(out, [{ source: src, name: 'c' }], opts('lzx', cache));
  t.true((r.resourceCache?.misses ?? 0) > 50);
  t.is(cache.stats.stored, 0);
  t.is(cache.stats.writeErrors, r.resourceCache?.misses ?? -1);
  t.regex(cache.stats.lastWriteError ?? '', /ENOTDIR|EEXIST/);
  t.true(readFileSync(out).equals(readFileSync(plain)));
});
