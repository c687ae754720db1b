import test from 'ava';
import { readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { captureWim } from '../../../lib/formats/wim/capture.js';
import { ResourceCache } from '../../../lib/formats/wim/resource-cache.js';
import { tempDir } from '../../helpers/tmp.js';
import { countingCompressor, makeCacheTree, sha256Keys, useCache } from './resource-cache-fixture.js';
import { textish, wimlib } from './tree-fixture.js';

const now = new Date('2026-01-01T00:00:00Z');

test('a warm rebuild after one file changed compresses that file (and the metadata) only, and equals a capture without the cache', async (t) => {
  const dir = await tempDir(t, 'tsm-wimcache-');
  const src = join(dir, 'src');
  makeCacheTree(src);
  const cache = new ResourceCache(join(dir, 'cache'));
  const cold = countingCompressor();
  const c = await captureWim(join(dir, 'cold.wim'), [{ source: src, name: 'c' }], { compression: 'lzx', now, compressor: cold.compressor, resourceCache: useCache(cache, src) });
  const keys = c.resourceCache?.misses ?? 0;

  writeFileSync(join(src, 'dir', 'text-200k.txt'), textish(4, 210_000));
  const warm = countingCompressor();
  const rebuilt = join(dir, 'rebuilt.wim');
  const w = await captureWim(rebuilt, [{ source: src, name: 'c' }], { compression: 'lzx', now, compressor: warm.compressor, resourceCache: useCache(cache, src) });
  // the old text is still held by text-copy.txt: the changed file is one new key
  t.deepEqual(w.resourceCache, { hits: keys, misses: 1 });
  // a third capture of the same tree compresses nothing but its metadata: the difference is the file
  const again = countingCompressor();
  const a = await captureWim(join(dir, 'again.wim'), [{ source: src, name: 'c' }], { compression: 'lzx', now, compressor: again.compressor, resourceCache: useCache(cache, src) });
  t.deepEqual(a.resourceCache, { hits: keys + 1, misses: 0 });
  t.true(again.bytes() > 0 && again.bytes() < 64 * 1024, `metadata only, got ${again.bytes()}`);
  t.is(warm.bytes() - again.bytes(), 210_000);
  t.true(cold.bytes() > 3_000_000);

  const plain = join(dir, 'plain.wim');
  await captureWim(plain, [{ source: src, name: 'c' }], { compression: 'lzx', now, compressor: countingCompressor().compressor });
  t.true(readFileSync(rebuilt).equals(readFileSync(plain)));
  await wimlib(t, 'verify', rebuilt);
});

test('a key seen once per capture: two paths with one key are looked up once and stored once', async (t) => {
  const dir = await tempDir(t, 'tsm-wimcache-');
  const src = join(dir, 'src');
  makeCacheTree(src);
  const cache = new ResourceCache(join(dir, 'cache'));
  const keys = sha256Keys(src);
  const asked: string[] = [];
  await captureWim(join(dir, 'a.wim'), [{ source: src, name: 'c' }], {
    compression: 'xpress', now, compressor: countingCompressor().compressor,
    resourceCache: { cache, keyOf: (p) => { asked.push(p); return keys.get(p); } },
  });
  t.true(asked.some((p) => p.endsWith('mixed-copy.bin')));
  t.is(cache.stats.misses, new Set(asked.map((p) => keys.get(p))).size);
});

test('prune drops the least recently used entries down to maxBytes; a hit counts as a use; stale temporary files go', async (t) => {
  const dir = await tempDir(t, 'tsm-wimcache-');
  const src = join(dir, 'src');
  makeCacheTree(src);
  const cache = new ResourceCache(join(dir, 'cache'), { maxBytes: 0 });
  await captureWim(join(dir, 'a.wim'), [{ source: src, name: 'c' }], { compression: 'xpress', now, compressor: countingCompressor().compressor, resourceCache: useCache(cache, src) });
  const files = (): string[] => {
    const out: string[] = [];
    const root = join(dir, 'cache', 'xpress');
    for (const sub of readdirSync(root)) for (const f of readdirSync(join(root, sub))) out.push(join(root, sub, f));
    return out;
  };
  const old = new Date('2020-01-01T00:00:00Z');
  for (const f of files()) utimesSync(f, old, old);
  const stale = `${files()[0] ?? ''}.tmp-1-deadbeef`;
  writeFileSync(stale, 'left by a killed writer');
  utimesSync(stale, old, old);
  // a lookup of the 3 MB file's key marks it used now
  const mixed = join(src, 'dir', 'mixed.bin');
  const key = sha256Keys(src).get(mixed) ?? '';
  const hit = cache.lookup(key, 'xpress', 32768, statSync(mixed).size);
  t.truthy(hit);
  hit?.close();
  const kept = statSync(cache.entryPath(key, 'xpress')).size;
  const before = files().length;
  t.true(before > 20);
  cache.prune(kept);
  t.deepEqual(files(), [cache.entryPath(key, 'xpress')]);
  cache.prune();
  t.deepEqual(files(), [], 'maxBytes 0 from the options empties the cache');
});
