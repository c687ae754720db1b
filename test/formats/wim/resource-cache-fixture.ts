// Fixtures for the resource cache tests: a tree that meets every writer path (small grouped blobs,
// streamed large ones, data that does not compress, duplicates, hard links), content keys as the
// integrator gives them (SHA-256 per path), and an in-process compressor that counts its input.
import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compressBlobs } from '../../../lib/formats/wim/codec.js';
import type { ChunkCompressor, ResourceCacheUse } from '../../../lib/formats/wim/resource-writer.js';
import type { ResourceCache } from '../../../lib/formats/wim/resource-cache.js';
import { makeTree, prng, textish } from './tree-fixture.js';

/** makeTree plus a 3 MB half-compressible file (its entry is streamed) and 600 KB of noise (stored raw). */
export function makeCacheTree(root: string): void {
  makeTree(root);
  const mixed = Buffer.alloc(3_000_000);
  for (let off = 0, i = 0; off < mixed.length; off += 16384, i++) {
    (i % 2 ? prng(i, 16384) : textish(i, 16384)).copy(mixed, off);
  }
  writeFileSync(join(root, 'dir', 'mixed.bin'), mixed);
  writeFileSync(join(root, 'noise.bin'), prng(99, 600_000));
  writeFileSync(join(root, 'dir', 'mixed-copy.bin'), mixed);
}

/** SHA-256 (hex) of every regular file under root, by path as the scanner joins it. */
export function sha256Keys(root: string): Map<string, string> {
  const keys = new Map<string, string>();
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      const st = lstatSync(p);
      if (st.isDirectory()) walk(p);
      else if (st.isFile()) keys.set(p, createHash('sha256').update(readFileSync(p)).digest('hex'));
    }
  };
  walk(root);
  return keys;
}

export function useCache(cache: ResourceCache, root: string): ResourceCacheUse {
  const keys = sha256Keys(root);
  return { cache, keyOf: (path) => keys.get(path) };
}

/** An in-process compressor that adds up the bytes it is given. */
export function countingCompressor(): { compressor: ChunkCompressor; bytes: () => number; calls: () => number } {
  let bytes = 0;
  let calls = 0;
  return {
    compressor: async (task) => {
      calls++;
      bytes += task.data.length;
      return compressBlobs(task);
    },
    bytes: () => bytes,
    calls: () => calls,
  };
}
