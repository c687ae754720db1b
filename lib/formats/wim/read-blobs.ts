// Pool tasks of uncompressed captures (edge module, run in workers: see workers/index.ts), so the
// reading and hashing of the files runs on the pool's threads while the main thread scans the
// tree and writes. readBlobs reads a group of small files into the task's buffer and hashes each
// (SHA-1): one task per group, as thousands of thread round trips cost more. copyBlob copies a
// large file into the range of the WIM reserved for it, hashing it as it goes.
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import { copyRange } from '../../copy-range.js';

export const SHA1_BYTES = 20;

/** A file, or `size` bytes at `offset` of one (a blob in a pack); `sha256` (hex): the bytes expected. */
export interface BlobFile { path: string; size: number; offset?: number | undefined; sha256?: string | undefined }
export interface ReadBlobsTask { files: BlobFile[]; data: Uint8Array }
/** Why a file could not be read: it is unreadable, not the size listed, or not the bytes expected. */
export interface BlobReadFault { index: number; kind: 'unreadable' | 'changed' | 'mismatch'; message: string }
export interface ReadBlobsResult {
  /** The task's buffer, back: the files' bytes one after the other. */
  data: Uint8Array;
  /** Their SHA-1s, SHA1_BYTES each, in order (up to the fault, if any). */
  sha1s: Uint8Array;
  fault?: BlobReadFault;
}

const CHANGED = { kind: 'changed', message: 'it changed size while it was being captured' } as const;
const MISMATCH = { kind: 'mismatch', message: 'the bytes read do not match their SHA-256' } as const;

export function readBlobs(task: ReadBlobsTask): ReadBlobsResult {
  const { files, data } = task;
  const sha1s = new Uint8Array(files.length * SHA1_BYTES);
  let at = 0;
  for (let i = 0; i < files.length; i++) {
    const f = files[i]!;
    const view = data.subarray(at, at + f.size);
    const fault = readInto(f, view);
    if (fault) return { data, sha1s, fault: { index: i, ...fault } };
    if (f.sha256 !== undefined && createHash('sha256').update(view).digest('hex') !== f.sha256) {
      return { data, sha1s, fault: { index: i, ...MISMATCH } };
    }
    sha1s.set(createHash('sha1').update(view).digest(), i * SHA1_BYTES);
    at += f.size;
  }
  return { data, sha1s };
}

function readInto(f: BlobFile, into: Uint8Array): Omit<BlobReadFault, 'index'> | undefined {
  let fd: number;
  try {
    fd = openSync(f.path, 'r');
  } catch (e) {
    return { kind: 'unreadable', message: (e as Error).message };
  }
  try {
    const base = f.offset ?? 0;
    for (let got = 0; got < into.length;) {
      const n = readSync(fd, into, got, into.length - got, base + got);
      if (n === 0) return CHANGED;
      got += n;
    }
    return undefined;
  } catch (e) {
    return { kind: 'unreadable', message: (e as Error).message };
  } finally {
    closeSync(fd);
  }
}

export interface CopyBlobTask { file: BlobFile; dest: string; destOffset: number }
export type CopyBlobResult = { sha1: Uint8Array; fault?: undefined } | { fault: Omit<BlobReadFault, 'index'> };

/** Copies a file (or its slice of a pack) to dest at destOffset: its SHA-1, or what is wrong. */
export function copyBlob(task: CopyBlobTask): CopyBlobResult {
  const { file } = task;
  const check = file.sha256 !== undefined;
  let digests: Buffer[] | false;
  try {
    digests = copyRange({ source: file.path, sourceOffset: file.offset, size: file.size, dest: task.dest, destOffset: task.destOffset, algorithms: check ? ['sha1', 'sha256'] : ['sha1'] });
  } catch (e) {
    return { fault: { kind: 'unreadable', message: (e as Error).message } };
  }
  if (!digests) return { fault: CHANGED };
  if (check && digests[1]!.toString('hex') !== file.sha256) return { fault: MISMATCH };
  return { sha1: new Uint8Array(digests[0]!) };
}
