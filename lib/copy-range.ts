// Copies a range of one file into a range of another, hashing the bytes as they pass (edge module,
// run in pool workers). Sync I/O: a worker thread has nothing else to do while it waits. Pieces
// are 256 KiB, as 1-4 MiB write calls cost several times the kernel time of 64-256 KiB ones on
// this kind of machine. Import copies large files into library packs with it, and uncompressed
// captures large files into their WIM.
import { createHash } from 'node:crypto';
import { closeSync, fstatSync, openSync, readSync, writeSync } from 'node:fs';

const PIECE_BYTES = 256 << 10;

export interface CopyRange {
  source: string;
  /** Where the bytes start in the source (default 0: the whole file, which must be `size` long). */
  sourceOffset?: number | undefined;
  size: number;
  dest: string;
  destOffset: number;
  /** Hash algorithms (node:crypto names) to digest the bytes with. */
  algorithms: readonly string[];
}

// One reused buffer per worker thread.
let piece: Buffer | undefined;

/**
 * The digests of the bytes copied, in the order of `algorithms`; false when the source ran out
 * before `size` bytes or, copied whole, is longer than `size` (it changed since it was listed).
 */
export function copyRange(task: CopyRange): Buffer[] | false {
  const src = openSync(task.source, 'r');
  let dst: number | undefined;
  try {
    dst = openSync(task.dest, 'r+');
    const buf = (piece ??= Buffer.allocUnsafe(PIECE_BYTES));
    const hashes = task.algorithms.map((a) => createHash(a));
    const base = task.sourceOffset ?? 0;
    for (let done = 0; done < task.size;) {
      const n = readSync(src, buf, 0, Math.min(buf.length, task.size - done), base + done);
      if (n === 0) return false;
      const bytes = buf.subarray(0, n);
      for (const h of hashes) h.update(bytes);
      for (let w = 0; w < n;) w += writeSync(dst, bytes, w, n - w, task.destOffset + done + w);
      done += n;
    }
    if (task.sourceOffset === undefined && fstatSync(src).size !== task.size) return false;
    return hashes.map((h) => h.digest());
  } finally {
    closeSync(src);
    if (dst !== undefined) closeSync(dst);
  }
}
