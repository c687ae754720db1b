import test from 'ava';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { appendImage } from '../../../lib/formats/wim/append.js';
import { captureWim } from '../../../lib/formats/wim/capture.js';
import { ResourceCache } from '../../../lib/formats/wim/resource-cache.js';
import { closePool } from '../../../lib/pool/pool.js';
import { tempDir } from '../../helpers/tmp.js';
import { makeCacheTree, useCache } from './resource-cache-fixture.js';
import { makeTree, wimlib } from './tree-fixture.js';

test.after.always(closePool);
const now = new Date('2026-01-01T00:00:00Z');

for (const kind of ['none', 'xpress', 'lzx'] as const) {
  test(`${kind}: captures with no cache, a cold cache and a warm cache are byte-identical; the warm one copies every file from the cache and wimlib verifies it`, async (t) => {
    const dir = await tempDir(t, 'tsm-wimcache-');
    const src = join(dir, 'src');
    makeCacheTree(src);
    const cache = new ResourceCache(join(dir, 'cache'));
    const plain = join(dir, 'plain.wim');
    const cold = join(dir, 'cold.wim');
    const warm = join(dir, 'warm.wim');
    const p = await captureWim(plain, [{ source: src, name: 'c' }], { compression: kind, now, integrity: true });
    const c = await captureWim(cold, [{ source: src, name: 'c' }], { compression: kind, now, integrity: true, resourceCache: useCache(cache, src) });
    const w = await captureWim(warm, [{ source: src, name: 'c' }], { compression: kind, now, integrity: true, resourceCache: useCache(cache, src) });
    t.is(p.resourceCache, undefined);
    // distinct contents (keys): every one a miss first, then a hit; hard links and duplicate keys looked up once
    const keys = c.resourceCache?.misses ?? 0;
    t.true(keys > 50);
    t.deepEqual(c.resourceCache, { hits: 0, misses: keys });
    t.deepEqual(w.resourceCache, { hits: keys, misses: 0 });
    t.is(cache.stats.damaged, 0);
    t.is(cache.stats.writeErrors, 0, cache.stats.lastWriteError);
    t.true(readFileSync(cold).equals(readFileSync(plain)), 'cold cache changes the bytes');
    t.true(readFileSync(warm).equals(readFileSync(plain)), 'warm cache changes the bytes');
    // single-instance storage held: the duplicate 3 MB file is stored once
    t.is(w.blobCount, p.blobCount);
    t.true(statSync(warm).size < (kind === 'none' ? 3_000_000 * 2 : 3_000_000));
    await wimlib(t, 'verify', warm);
  });
}

test('appendImage with a warm cache writes the same WIM as without it', async (t) => {
  const dir = await tempDir(t, 'tsm-wimcache-');
  const src = join(dir, 'src');
  makeCacheTree(src);
  const other = join(dir, 'other');
  makeTree(other, 1);
  const cache = new ResourceCache(join(dir, 'cache'));
  await captureWim(join(dir, 'fill.wim'), [{ source: other, name: 'o' }], { compression: 'xpress', now, resourceCache: useCache(cache, other) });
  const plain = join(dir, 'plain.wim');
  const cached = join(dir, 'cached.wim');
  for (const w of [plain, cached]) await captureWim(w, [{ source: src, name: 'c' }], { compression: 'xpress', now });
  await appendImage(plain, { source: other, name: 'o' }, { now });
  const r = await appendImage(cached, { source: other, name: 'o' }, { now, resourceCache: useCache(cache, other) });
  t.is(r.resourceCache?.misses, 0);
  t.true((r.resourceCache?.hits ?? 0) > 10);
  t.true(readFileSync(cached).equals(readFileSync(plain)));
  await wimlib(t, 'verify', cached);
});
