// Worker tasks of content import (run in the pool: see workers/index.ts).
//
// hashBatch reads a batch of small files into a slot, a SharedArrayBuffer the caller owns and
// reuses, and hashes each (SHA-256). Nothing is allocated or moved per batch: the main thread
// appends the new files to the library straight from the slot, then hands the slot to another
// batch (fresh large buffers are slow to allocate here). One task per batch, not per file: ten
// thousand small files would otherwise cost ten thousand thread round trips.
//
// copyIntoPack copies a large file into a range of a pack that the caller reserved, verifying
// its SHA-256 as it goes. Sync I/O: a worker thread has nothing else to do while it waits.
import { createHash } from 'node:crypto';
import { closeSync, fstatSync, openSync, readSync, writeSync } from 'node:fs';

export const DIGEST_BYTES = 32;

export interface BatchFile { path: string; size: number }
export interface HashBatchTask { files: BatchFile[]; slot: SharedArrayBuffer }
/** True when the slot holds the batch, or the path of a file whose size changed since it was listed. */
export type HashBatchResult = true | { changed: string };

/** Slot layout: maxFiles × SHA-256 (32 bytes), then the files' bytes, in order. */
export function batchSlot(maxFiles: number, maxBytes: number): SharedArrayBuffer {
  return new SharedArrayBuffer(maxFiles * DIGEST_BYTES + maxBytes);
}

function dataStart(slot: SharedArrayBuffer, batchBytes: number): number {
  return slot.byteLength - batchBytes;
}

export function hashBatch(task: HashBatchTask): HashBatchResult {
  const bytes = new Uint8Array(task.slot);
  const total = task.files.reduce((n, f) => n + f.size, 0);
  let at = dataStart(task.slot, total);
  if (at < task.files.length * DIGEST_BYTES) throw new Error('The batch does not fit its slot.');
  for (let i = 0; i < task.files.length; i++) {
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
    bytes.set(digest, i * DIGEST_BYTES);
    at += f.size;
  }
  return true;
}

export interface HashedFile { sha256: string; size: number; data: Uint8Array }

/** The files of a batch that hashBatch filled (views into the slot, no copies). */
export function decodeBatch(slot: SharedArrayBuffer, sizes: readonly number[]): HashedFile[] {
  const bytes = new Uint8Array(slot);
  const out: HashedFile[] = [];
  let at = dataStart(slot, sizes.reduce((n, s) => n + s, 0));
  sizes.forEach((size, i) => {
    out.push({ sha256: Buffer.from(slot, i * DIGEST_BYTES, DIGEST_BYTES).toString('hex'), size, data: bytes.subarray(at, at + size) });
    at += size;
  });
  return out;
}

export interface CopyIntoPackTask { source: string; pack: string; offset: number; size: number; sha256: string }

/** Copies source into pack at offset; returns false when the bytes are not the expected ones. */
// One reused buffer per worker thread; 256 KiB because large write calls cost far more kernel time.
let copyBuffer: Buffer | undefined;

export function copyIntoPack(task: CopyIntoPackTask): boolean {
  const src = openSync(task.source, 'r');
  const dst = openSync(task.pack, 'r+');
  try {
    const buf = (copyBuffer ??= Buffer.allocUnsafe(256 << 10));
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
