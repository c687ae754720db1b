// Verify: what wimlib-imagex verify checks, for our reader: the integrity table (if any), every
// image's metadata, and every stream the images reference, decompressed and checked by SHA-1.
import { hashHex, wimError } from './bytes.js';
import { walkTree } from './metadata.js';
import type { Wim } from './reader.js';

export interface VerifyResult {
  integrityChecked: boolean;
  images: number;
  streams: number;
  bytes: number;
}

export function verifyWim(wim: Wim, opts: { signal?: AbortSignal; onBytes?: (n: number) => void } = {}): VerifyResult {
  const integrityChecked = wim.verifyIntegrity();
  const seen = new Set<string>();
  let bytes = 0;
  for (const img of wim.images) {
    const root = wim.image(img.index).root;
    for (const { path, node } of walkTree(root)) {
      for (const h of [node.dataHash, node.reparseHash, ...node.namedStreams.map((s) => s.hash)]) {
        if (!h) continue;
        const key = hashHex(h);
        if (seen.has(key)) continue;
        seen.add(key);
        if (wim.blobSize(h) === undefined) throw wimError(`image ${img.index}: ${path || '\\'} refers to a stream (SHA-1 ${key}) that the WIM does not hold`);
        for (const c of wim.blobChunks(h)) {
          if (opts.signal?.aborted) throw wimError('verification was cancelled');
          bytes += c.length;
          opts.onBytes?.(c.length);
        }
      }
    }
  }
  return { integrityChecked, images: wim.images.length, streams: seen.size, bytes };
}
