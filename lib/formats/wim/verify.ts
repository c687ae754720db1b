// Verify: what wimlib-imagex verify checks, for our reader: the integrity table (if any), every
// image's metadata, and every stream the images reference, decompressed and checked by SHA-1.
// A fault (a typed error from the reader) is recorded and the check goes on, so one run reports
// every damaged part; anything else (a bug, a cancel) still throws.
import { TsmediaError } from '../../errors.js';
import { hashHex, wimError } from './bytes.js';
import { walkTree } from './metadata.js';
import type { Wim } from './reader.js';

export interface VerifyResult {
  integrityChecked: boolean;
  images: number;
  streams: number;
  bytes: number;
  /** One line per fault found; empty when the WIM is sound. */
  faults: string[];
}

function fault(e: unknown): string {
  if (e instanceof TsmediaError && e.code !== 'EABORTED') return e.message;
  throw e;
}

export function verifyWim(wim: Wim, opts: { signal?: AbortSignal; onBytes?: (n: number) => void } = {}): VerifyResult {
  const faults: string[] = [];
  let integrityChecked = false;
  try { integrityChecked = wim.verifyIntegrity(); } catch (e) { integrityChecked = true; faults.push(fault(e)); }
  const seen = new Set<string>();
  let bytes = 0;
  for (const img of wim.images) {
    let root;
    try { root = wim.image(img.index).root; } catch (e) { faults.push(`image ${img.index}: ${fault(e)}`); continue; }
    for (const { path, node } of walkTree(root)) {
      for (const h of [node.dataHash, node.reparseHash, ...node.namedStreams.map((s) => s.hash)]) {
        if (!h) continue;
        const key = hashHex(h);
        if (seen.has(key)) continue;
        seen.add(key);
        if (wim.blobSize(h) === undefined) {
          faults.push(`image ${img.index}: ${path || '\\'} refers to a stream (SHA-1 ${key}) that the WIM does not hold`);
          continue;
        }
        try {
          for (const c of wim.blobChunks(h)) {
            if (opts.signal?.aborted) throw new TsmediaError('EABORTED', 'The verification was interrupted.');
            bytes += c.length;
            opts.onBytes?.(c.length);
          }
        } catch (e) {
          faults.push(`image ${img.index}: ${path || '\\'}: ${fault(e)}`);
        }
      }
    }
  }
  return { integrityChecked, images: wim.images.length, streams: seen.size, bytes, faults };
}

/** Throws one FormatError naming how many faults `r` holds and the first, if any. */
export function throwIfFaulty(path: string, r: VerifyResult): void {
  if (r.faults.length === 0) return;
  throw wimError(`${path} has ${r.faults.length} fault${r.faults.length > 1 ? 's' : ''}; the first: ${r.faults[0]}`, { faults: r.faults });
}
