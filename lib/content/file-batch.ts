// Worker tasks of content import (run in the pool: see workers/index.ts).
//
// hashBatch reads a batch of small files and hashes each (SHA-256) in one pass. The files come
// back whole, moved (not copied) to the caller in one ArrayBuffer, so the main thread appends them
// to the library without reading them again. One task per batch, not per file: ten thousand small
// files would otherwise cost ten thousand thread round trips.
//
// copyIntoPack copies a large file into a range of a pack that the caller reserved, verifying
// its SHA-256 as it goes. Sync I/O: a worker thread has nothing else to do while it waits.
import { createHash } from 'node:crypto';
import { closeSync, fstatSync, openSync, readSync, writeSync } from 'node:fs';
import { move } from 'piscina';

export const DIGEST_BYTES = 32;
const ENTRY_BYTES = DIGEST_BYTES + 8; // digest 32 bytes, size f64 8 bytes

export interface BatchFile { path: string; size: number }
/** The batch's bytes, or the path of a file whose size changed since it was listed. */
export type HashBatchResult = ArrayBuffer | { changed: string };

// Batch layout: count u32 | count × (sha256 32, size f64) | the files' bytes, in order.
export function hashBatch(task: { files: BatchFile[] }): HashBatchResult {
  const count = task.files.length;
  const dataStart = 4 + count * ENTRY_BYTES;
  const total = task.files.reduce((n, f) => n + f.size, dataStart);
  const ab = new ArrayBuffer(total);
  const view = new DataView(ab);
  const bytes = new Uint8Array(ab);
  view.setUint32(0, count, true);
  let at = dataStart;
  for (let i = 0; i < count; i++) {
    const f = task.files[i]!;
    const fd = openSync(f.path, 'r');
    try {
      if (fstatSync(fd).size !== f.size) return { changed: f.path };
      let got = 0;
      while (got < f.size) {
        const n = readSync(fd, bytes, at + got, f.size - got, got);
        if (n === 0) return { changed: f.path };
        got += n;
      }
    } finally {
      closeSync(fd);
    }
    const digest = createHash('sha256').update(bytes.subarray(at, at + f.size)).digest();
    bytes.set(digest, 4 + i * ENTRY_BYTES);
    view.setFloat64(4 + i * ENTRY_BYTES + DIGEST_BYTES, f.size, true);
    at += f.size;
  }
  return move(ab) as unknown as ArrayBuffer;
}

export interface HashedFile { sha256: string; size: number; data: Uint8Array }

/** Splits a hashBatch result into its files (views into the buffer, no copies). */
export function decodeBatch(ab: ArrayBuffer): HashedFile[] {
  const view = new DataView(ab);
  const count = view.getUint32(0, true);
  const out: HashedFile[] = [];
  let at = 4 + count * ENTRY_BYTES;
  for (let i = 0; i < count; i++) {
    const entry = 4 + i * ENTRY_BYTES;
    const size = view.getFloat64(entry + DIGEST_BYTES, true);
    out.push({ sha256: Buffer.from(ab, entry, DIGEST_BYTES).toString('hex'), size, data: new Uint8Array(ab, at, size) });
    at += size;
  }
  return out;
}

export interface CopyIntoPackTask { source: string; pack: string; offset: number; size: number; sha256: string }

/** Copies source into pack at offset; returns false when the bytes are not the expected ones. */
export function copyIntoPack(task: CopyIntoPackTask): boolean {
  const src = openSync(task.source, 'r');
  const dst = openSync(task.pack, 'r+');
  try {
    const buf = Buffer.allocUnsafe(4 << 20);
    const hash = createHash('sha256');
    let done = 0;
    while (done < task.size) {
      const n = readSync(src, buf, 0, Math.min(buf.length, task.size - done), done);
      if (n === 0) return false;
      hash.update(buf.subarray(0, n));
      writeSync(dst, buf, 0, n, task.offset + done);
      done += n;
    }
    return fstatSync(src).size === task.size && hash.digest('hex') === task.sha256;
  } finally {
    closeSync(src);
    closeSync(dst);
  }
}
