// Worker tasks of content import (run in the pool: see workers/index.ts).
//
// hashBatch reads a batch of small files into a slot, a SharedArrayBuffer the caller owns and
// reuses, and hashes each (SHA-256). Nothing is allocated or moved per batch (fresh large buffers
// are slow to allocate here). One task per batch, not per file: ten thousand small files would
// otherwise cost ten thousand thread round trips. The caller picks the files the library lacks,
// reserves their records in the pack and writes them from the slot (writeRecords).
//
// copyIntoPack copies a large file into a range of a pack that the caller reserved, verifying
// its SHA-256 as it goes. Sync I/O: a worker thread has nothing else to do while it waits.
// Writes are at most WRITE_BYTES: 1-4 MiB write calls cost several times the kernel time of
// 64-256 KiB ones on this kind of machine.
import { createHash } from 'node:crypto';
import { closeSync, fstatSync, openSync, readSync, writeSync, writevSync } from 'node:fs';
import { RECORD_HEADER_BYTES, recordHeader } from './library.js';

export const DIGEST_BYTES = 32;
const WRITE_BYTES = 256 << 10;
const MAX_IOVECS = 512; // well under IOV_MAX (1024)

export interface BatchFile { path: string; size: number }
export interface HashBatchTask { files: BatchFile[]; slot: SharedArrayBuffer }
/** True when the slot holds the batch, or the path of a file whose size changed since it was listed. */
export type HashBatchResult = true | { changed: string };

/** Slot layout: maxFiles × SHA-256 (32 bytes), then the files' bytes, in order, then one spare byte. */
export function batchSlot(maxFiles: number, maxBytes: number): SharedArrayBuffer {
  return new SharedArrayBuffer(maxFiles * DIGEST_BYTES + maxBytes + 1);
}

function dataStart(slot: SharedArrayBuffer, batchBytes: number): number {
  return slot.byteLength - 1 - batchBytes;
}

export function hashBatch(task: HashBatchTask): HashBatchResult {
  const bytes = new Uint8Array(task.slot);
  const total = task.files.reduce((n, f) => n + f.size, 0);
  let at = dataStart(task.slot, total);
  if (at < task.files.length * DIGEST_BYTES) throw new Error('The batch does not fit its slot.');
  for (let i = 0; i < task.files.length; i++) {
    const f = task.files[i]!;
    // Asking for one byte more than the listed size finds a file that grew without an fstat
    // (the byte lands where the next file goes, or in the slot's spare byte); one that shrank
    // reaches its end early.
    const fd = openSync(f.path, 'r');
    try {
      let got = 0;
      for (;;) {
        const n = readSync(fd, bytes, at + got, f.size + 1 - got, got);
        if (n === 0) break;
        got += n;
        if (got > f.size) return { changed: f.path };
      }
      if (got !== f.size) return { changed: f.path };
    } finally {
      closeSync(fd);
    }
    const digest = createHash('sha256').update(bytes.subarray(at, at + f.size)).digest();
    bytes.set(digest, i * DIGEST_BYTES);
    at += f.size;
  }
  return true;
}

export interface HashedFile { sha256: string; size: number; /** Where its bytes are in the slot. */ at: number }

/** The files of a batch that hashBatch filled: digests and where each file's bytes are. */
export function decodeBatch(slot: SharedArrayBuffer, sizes: readonly number[]): HashedFile[] {
  const out: HashedFile[] = [];
  let at = dataStart(slot, sizes.reduce((n, s) => n + s, 0));
  sizes.forEach((size, i) => {
    out.push({ sha256: Buffer.from(slot, i * DIGEST_BYTES, DIGEST_BYTES).toString('hex'), size, at });
    at += size;
  });
  return out;
}

export interface RecordInSlot {
  /** Index of the file in its batch (where its digest is). */
  index: number;
  /** Where its bytes are in the slot. */
  at: number;
  size: number;
  /** Where its data goes in the pack (the record header comes just before). */
  offset: number;
}
export interface WriteRecordsTask { slot: SharedArrayBuffer; pack: string; records: RecordInSlot[] }

/** Writes pack records (header, then data) from a slot that hashBatch filled, gathered into writev calls of at most WRITE_BYTES: no copy into a write buffer. */
export function writeRecords(task: WriteRecordsTask): void {
  const bytes = new Uint8Array(task.slot);
  const fd = openSync(task.pack, 'r+');
  try {
    let parts: Uint8Array[] = [];
    let start = 0;
    let length = 0;
    const flush = (): void => {
      let done = 0;
      while (done < length) {
        const n = writevSync(fd, parts, start + done);
        done += n;
        if (done < length) parts = remainder(parts, n);
      }
      parts = [];
      length = 0;
    };
    const add = (part: Uint8Array, at: number): void => {
      if (length > 0 && (start + length !== at || length + part.length > WRITE_BYTES || parts.length >= MAX_IOVECS)) flush();
      if (length === 0) start = at;
      parts.push(part);
      length += part.length;
    };
    for (const r of task.records) {
      const digest = bytes.subarray(r.index * DIGEST_BYTES, (r.index + 1) * DIGEST_BYTES);
      add(recordHeader(digest, r.size), r.offset - RECORD_HEADER_BYTES);
      for (let from = 0; from < r.size; from += WRITE_BYTES) {
        const n = Math.min(WRITE_BYTES, r.size - from);
        add(bytes.subarray(r.at + from, r.at + from + n), r.offset + from);
      }
    }
    flush();
  } finally {
    closeSync(fd);
  }
}

/** The parts not yet written after a short writev of n bytes. */
function remainder(parts: Uint8Array[], n: number): Uint8Array[] {
  let skip = n;
  let i = 0;
  while (skip >= parts[i]!.length) skip -= parts[i++]!.length;
  return [parts[i]!.subarray(skip), ...parts.slice(i + 1)];
}

/** `sha256`: the bytes expected; without it the copy is hashed as it goes (a file not hashed before). */
export interface CopyIntoPackTask { source: string; pack: string; offset: number; size: number; sha256?: string }

// One reused buffer per worker thread; 256 KiB because large write calls cost far more kernel time.
let copyBuffer: Buffer | undefined;

/**
 * Copies source into pack at offset, hashing it, then writes its record header. Returns the
 * SHA-256 (hex), or false when the file is not `size` bytes or not the bytes expected.
 */
export function copyIntoPack(task: CopyIntoPackTask): string | false {
  const src = openSync(task.source, 'r');
  const dst = openSync(task.pack, 'r+');
  try {
    const buf = (copyBuffer ??= Buffer.allocUnsafe(WRITE_BYTES));
    const hash = createHash('sha256');
    let done = 0;
    while (done < task.size) {
      const n = readSync(src, buf, 0, Math.min(buf.length, task.size - done), done);
      if (n === 0) return false;
      hash.update(buf.subarray(0, n));
      writeSync(dst, buf, 0, n, task.offset + done);
      done += n;
    }
    const digest = hash.digest();
    if (fstatSync(src).size !== task.size || (task.sha256 !== undefined && digest.toString('hex') !== task.sha256)) return false;
    writeSync(dst, recordHeader(digest, task.size), 0, RECORD_HEADER_BYTES, task.offset - RECORD_HEADER_BYTES);
    return digest.toString('hex');
  } finally {
    closeSync(src);
    closeSync(dst);
  }
}
