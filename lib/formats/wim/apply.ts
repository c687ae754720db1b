// Apply (edge module): extract an image, or one folder of it, into a directory on Linux, as
// wimlib-imagex apply does there: data, directories, hard links, symlinks (symlink and junction
// reparse points), last write and access times. Named streams, security descriptors, short names
// and other reparse points have no Linux form and are counted, not applied.
// Data flows through a pipeline: stored chunks are read in tree order, compressed ones are
// decompressed in the worker pool (batches, a few in flight). A file whose data is all in one
// batch is checked and written by the worker (most files: the main thread would otherwise spend
// its time in write syscalls); the others are written here in order. Every file's SHA-1 is
// checked before it is closed.
// Safety: the target must be new or empty; names were checked when the metadata was decoded
// (no '..', separators or NUL); files are created exclusively; symlinks are made last, so nothing is
// ever written through one; a link whose target leaves the target folder is not created unless
// `unsafeSymlinks` is set.
import { createHash, type Hash } from 'node:crypto';
import { closeSync, futimesSync, linkSync, lutimesSync, mkdirSync, openSync, readdirSync, symlinkSync, utimesSync, writeSync } from 'node:fs';
import { dirname, join, posix, relative } from 'node:path';
import { NotFoundError, TsmediaError } from '../../errors.js';
import { wimError } from './bytes.js';
import { corruptBlobError } from './bytes.js';
import { wimDecompressChunks, type WimDecompressTask } from './codec.js';
import type { WimCompression } from './header.js';
import { FILE_ATTRIBUTE_REPARSE_POINT } from './dentry.js';
import { HDR_FLAG_RP_FIX, WIM_CHUNK_SIZE } from './header.js';
import { walkTree, type WimNode } from './metadata.js';
import { findPath, type Wim } from './reader.js';
import { decodeLinkReparse, RP_FLAG_NOT_FIXED } from './reparse.js';
import { RESHDR_FLAG_COMPRESSED } from './resource-header.js';
import { FILETIME_UNIX_EPOCH } from './scan.js';
import { inFlightLimit, runTask } from '../../pool/pool.js';

const MAX_REPARSE_DATA = 16 * 1024;
/** Uncompressed bytes per pool task. */
const TASK_BYTES = 2 * 1024 * 1024;
/** Batches in flight before the pool is loaded (raw data only). */
const RAW_IN_FLIGHT = 4;

/** Stored chunks back to back → their uncompressed bytes back to back. */
export type ChunkDecompressor = (kind: WimCompression, stored: Uint8Array, storedSizes: number[], sizes: number[], writes: FileWrite[], returnBytes: boolean) => Promise<Uint8Array>;

/** The worker pool (loaded on first use); worker errors come back as FormatErrors. */
export const poolDecompressor: ChunkDecompressor = async (kind, stored, storedSizes, sizes, writes, returnBytes) => {
  try {
    const task: ApplyBatchTask = { kind, stored, storedSizes, sizes, writes, returnBytes };
    return await runTask<Uint8Array>('wimApplyBatch', task, [stored.buffer as ArrayBuffer]);
  } catch (e) {
    if (e instanceof TsmediaError) throw e;
    const message = (e as Error).message;
    // the worker's own errors (a file it could not write, a SHA-1 mismatch) keep their message
    if (message.startsWith(CANNOT_APPLY)) throw new TsmediaError('EWIM_APPLY', message);
    throw wimError(message.startsWith('stream ') ? message : `a ${kind.toUpperCase()} chunk does not decompress: ${message}`);
  }
};

const CANNOT_APPLY = 'cannot apply ';

/** A whole file in a batch's output (`size` bytes at `at`) for the worker to check and write. */
export interface FileWrite { at: number; size: number; hash: Uint8Array; path: string; rel: string; atime: number; mtime: number }
/** `returnBytes`: some pieces are written by the main thread, which needs the bytes back. */
export interface ApplyBatchTask extends WimDecompressTask { writes: FileWrite[]; returnBytes: boolean }

/** A worker's output buffer, reused while no batch needs its bytes sent back. */
let scratch: Uint8Array | undefined;

/**
 * Pool task: decompresses a batch, then checks and writes the whole files in it (created
 * exclusively, as on the main thread). Returns the batch's bytes for the files that span batches.
 */
export function wimApplyBatch(task: ApplyBatchTask): Uint8Array {
  if (!task.returnBytes) scratch ??= new Uint8Array(TASK_BYTES + WIM_CHUNK_SIZE);
  const out = wimDecompressChunks(task, task.returnBytes ? undefined : scratch);
  for (const w of task.writes) {
    if (w.at + w.size > out.length) throw wimError(`${w.rel}: its data reaches past the batch`);
    const data = out.subarray(w.at, w.at + w.size);
    if (!createHash('sha1').update(data).digest().equals(w.hash)) throw corruptBlobError(w.hash);
    let fd: number | undefined;
    try {
      fd = openSync(w.path, 'wx', 0o644);
      for (let off = 0; off < data.length;) off += writeSync(fd, data, off, data.length - off);
      futimesSync(fd, w.atime, w.mtime);
    } catch (e) {
      throw new TsmediaError('EWIM_APPLY', `${CANNOT_APPLY}${w.rel}: ${(e as Error).message}`, { path: w.rel });
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  }
  return task.returnBytes ? out : new Uint8Array(0);
}

export interface ApplyOptions {
  /** Create symlinks whose target lies outside the target folder (default: skip them). */
  unsafeSymlinks?: boolean;
  signal?: AbortSignal;
  /** Decompression backend; default the worker pool. */
  decompressor?: ChunkDecompressor;
}

export interface ApplyResult {
  dirs: number;
  files: number;
  hardLinks: number;
  symlinks: number;
  bytes: number;
  /** Named data streams that Linux cannot hold. */
  skippedStreams: number;
  /** Paths of links not created: escaping targets, or reparse points with no Linux form. */
  skippedLinks: string[];
}

function filetimeToSeconds(ft: bigint): number {
  return Number(ft - FILETIME_UNIX_EPOCH) / 1e7;
}

function prepareTarget(dest: string): void {
  mkdirSync(dest, { recursive: true });
  if (readdirSync(dest).length > 0) throw new TsmediaError('EWIM_TARGET', `${dest} is not empty; apply into a new or empty folder`, { path: dest });
}

/** Applies image `index` of `wim` into `dest` (created; must be empty). */
export async function applyImage(wim: Wim, index: number, dest: string, opts: ApplyOptions = {}): Promise<ApplyResult> {
  return applyTree(wim, wim.image(index).root, dest, opts);
}

/** Applies one folder of an image (its contents, not the folder itself) into `dest`. */
export async function extractFolderFromWim(wim: Wim, index: number, folder: string, dest: string, opts: ApplyOptions = {}): Promise<ApplyResult> {
  const node = findPath(wim.image(index).root, folder);
  if (!node) throw new NotFoundError('path', `${folder} is not in image ${index} of ${wim.path}`, { path: folder, index });
  if (!node.children) throw new TsmediaError('EWIM_NOTDIR', `${folder} in image ${index} of ${wim.path} is not a directory`, { path: folder });
  return applyTree(wim, node, dest, opts);
}

/** File system errors become one clear error naming the path; typed errors pass through. */
function applyError(rel: string, e: unknown): TsmediaError {
  if (e instanceof TsmediaError) return e;
  return new TsmediaError('EWIM_APPLY', `cannot apply ${rel}: ${(e as Error).message}`, { path: rel });
}

/** `byWorker`: its data is all in one batch, and the worker checks and writes it. */
interface FileJob { rel: string; local: string; node: WimNode; expected: Uint8Array; fd: number | null; hash: Hash | null; left: number; byWorker: boolean }
/** A piece of a file: raw bytes, or `size` bytes at `at` in its batch's decompressed output. */
interface Piece { file: FileJob; raw: Uint8Array | null; at: number; size: number }
interface Batch { results: Promise<Uint8Array>; pieces: Piece[] }

/** Writes file data in tree order while the pool decompresses ahead. */
class DataPipeline {
  private readonly queue: Batch[] = [];
  private pieces: Piece[] = [];
  private chunks: Uint8Array[] = [];
  private storedBytes = 0;
  private sizes: number[] = [];
  /** Uncompressed bytes of the batch being gathered, and of its compressed chunks. */
  private bytes = 0;
  private outBytes = 0;
  private writes: FileWrite[] = [];
  /** Counts flushes, so a file can tell whether all its pieces went into one batch. */
  private batchNo = 0;
  private limit = RAW_IN_FLIGHT;
  private open: FileJob | null = null;

  constructor(private readonly wim: Wim, private readonly r: ApplyResult, private readonly decompressor: ChunkDecompressor) {}

  async add(rel: string, local: string, node: WimNode, hash: Uint8Array): Promise<void> {
    const size = this.wim.blobSize(hash);
    if (size === undefined) throw wimError(`${rel}: its data (SHA-1 ${Buffer.from(hash).toString('hex')}) is not in the WIM`);
    const file: FileJob = { rel, local, node, expected: hash, fd: null, hash: null, left: size, byWorker: false };
    if (this.queue.length === 0 && this.pieces.length === 0 && !(this.wim.stored(hash).reshdr.flags & RESHDR_FLAG_COMPRESSED)) {
      // nothing pending and nothing to decompress: straight from the reader's buffer to the file
      for (const chunk of this.wim.blobChunks(hash)) this.write(file, chunk, false);
      return;
    }
    const batch = this.batchNo;
    const at = this.outBytes;
    let got = 0;
    let allCompressed = true;
    for (const piece of this.wim.storedChunks(hash)) {
      got += piece.usize;
      if (piece.raw) allCompressed = false;
      if (piece.raw) {
        this.pieces.push({ file, raw: piece.data, at: 0, size: piece.usize });
      } else {
        this.pieces.push({ file, raw: null, at: this.outBytes, size: piece.usize });
        this.chunks.push(piece.data);
        this.storedBytes += piece.data.length;
        this.sizes.push(piece.usize);
        this.outBytes += piece.usize;
      }
      if (got === size && allCompressed && batch === this.batchNo) {
        // the whole file is in this batch's output: the worker checks and writes it (the hash is
        // copied: a view would send its whole buffer)
        const t = this.times(node);
        this.writes.push({ at, size, hash: hash.slice(), path: local, rel, atime: t[0], mtime: t[1] });
        file.byWorker = true;
      }
      this.bytes += piece.usize;
      if (this.bytes >= TASK_BYTES) await this.flush();
    }
  }

  private async flush(): Promise<void> {
    if (this.pieces.length === 0) return;
    let results: Promise<Uint8Array> = Promise.resolve(new Uint8Array(0));
    if (this.chunks.length > 0) {
      if (this.limit === RAW_IN_FLIGHT) this.limit = inFlightLimit();
      // one buffer for the batch: one transfer to the worker, not one per chunk
      const stored = new Uint8Array(this.storedBytes);
      const storedSizes: number[] = [];
      let at = 0;
      for (const c of this.chunks) { stored.set(c, at); at += c.length; storedSizes.push(c.length); }
      results = this.decompressor(this.wim.compression, stored, storedSizes, this.sizes, this.writes, this.pieces.some((p) => !p.raw && !p.file.byWorker));
      results.catch(() => { /* awaited in order */ });
    }
    this.queue.push({ results, pieces: this.pieces });
    this.pieces = [];
    this.chunks = [];
    this.storedBytes = 0;
    this.sizes = [];
    this.bytes = 0;
    this.outBytes = 0;
    this.writes = [];
    this.batchNo++;
    while (this.queue.length > this.limit) await this.drainOne();
  }

  private async drainOne(): Promise<void> {
    const b = this.queue.shift();
    if (!b) return;
    const results = await b.results;
    for (const p of b.pieces) {
      if (p.file.byWorker) {
        // written by the worker: only counted here
        p.file.left -= p.size;
        this.r.bytes += p.size;
        if (p.file.left === 0) this.r.files++;
        continue;
      }
      if (!p.raw && p.at + p.size > results.length) throw wimError('the decompressor returned too few bytes');
      this.write(p.file, p.raw ?? results.subarray(p.at, p.at + p.size));
    }
  }

  /** Writes the next piece of a file; `check` false when the reader already checks the SHA-1. */
  private write(f: FileJob, data: Uint8Array, check = true): void {
    try {
      if (f.fd === null) {
        f.fd = openSync(f.local, 'wx', 0o644);
        this.open = f;
      }
      if (check) (f.hash ??= createHash('sha1')).update(data);
      for (let off = 0; off < data.length;) off += writeSync(f.fd, data, off, data.length - off);
      f.left -= data.length;
      this.r.bytes += data.length;
      if (f.left > 0) return;
      if (check) this.wim.checkBlobHash(f.expected, (f.hash ??= createHash('sha1')).digest());
      // through the descriptor: no second path lookup
      futimesSync(f.fd, ...this.times(f.node));
      closeSync(f.fd);
      this.open = null;
      this.r.files++;
    } catch (e) {
      throw applyError(f.rel, e);
    }
  }

  private times(node: WimNode): [number, number] {
    return [filetimeToSeconds(node.lastAccessTime), filetimeToSeconds(node.lastWriteTime)];
  }

  async finish(): Promise<void> {
    await this.flush();
    while (this.queue.length) await this.drainOne();
  }

  /** After a failure: closes the file being written. */
  abort(): void {
    if (this.open?.fd != null) { try { closeSync(this.open.fd); } catch { /* closed */ } }
  }
}

export async function applyTree(wim: Wim, root: WimNode, dest: string, opts: ApplyOptions = {}): Promise<ApplyResult> {
  try {
    prepareTarget(dest);
  } catch (e) {
    throw applyError(dest, e);
  }
  const r: ApplyResult = { dirs: 0, files: 0, hardLinks: 0, symlinks: 0, bytes: 0, skippedStreams: 0, skippedLinks: [] };
  const firstName = new Map<bigint, string>();
  const hardLinks: { rel: string; first: string; local: string }[] = [];
  const links: { rel: string; node: WimNode }[] = [];
  const dirTimes: { path: string; node: WimNode }[] = [];
  const data = new DataPipeline(wim, r, opts.decompressor ?? poolDecompressor);
  try {
    for (const { path: rel, node } of walkTree(root)) {
      if (opts.signal?.aborted) throw new TsmediaError('EABORTED', 'apply was cancelled');
      if (rel === '') continue;
      const local = join(dest, ...rel.split('/'));
      r.skippedStreams += node.namedStreams.length;
      if (node.attributes & FILE_ATTRIBUTE_REPARSE_POINT) { links.push({ rel, node }); continue; }
      try {
        if (node.children) {
          mkdirSync(local);
          r.dirs++;
          dirTimes.push({ path: local, node });
          continue;
        }
        const first = node.hardLinkId !== 0n ? firstName.get(node.hardLinkId) : undefined;
        if (first !== undefined) { hardLinks.push({ rel, first, local }); continue; }
        if (node.hardLinkId !== 0n) firstName.set(node.hardLinkId, local);
        if (node.dataHash) { await data.add(rel, local, node, node.dataHash); continue; }
        const fd = openSync(local, 'wx', 0o644);
        try {
          futimesSync(fd, filetimeToSeconds(node.lastAccessTime), filetimeToSeconds(node.lastWriteTime));
        } finally {
          closeSync(fd);
        }
        r.files++;
      } catch (e) {
        throw applyError(rel, e);
      }
    }
    await data.finish();
  } catch (e) {
    data.abort();
    throw e;
  }
  // hard links once their first name has its data
  for (const h of hardLinks) {
    try { linkSync(h.first, h.local); } catch (e) { throw applyError(h.rel, e); }
    r.hardLinks++;
  }
  for (const { rel, node } of links) {
    try {
      const target = linkTarget(wim, rel, node, opts);
      if (target === null) { r.skippedLinks.push(rel); continue; }
      const local = join(dest, ...rel.split('/'));
      symlinkSync(target, local);
      lutimesSync(local, filetimeToSeconds(node.lastAccessTime), filetimeToSeconds(node.lastWriteTime));
      r.symlinks++;
    } catch (e) {
      throw applyError(rel, e);
    }
  }
  // directory times last, after their contents
  for (let i = dirTimes.length - 1; i >= 0; i--) {
    const t = dirTimes[i];
    if (t) utimesSync(t.path, filetimeToSeconds(t.node.lastAccessTime), filetimeToSeconds(t.node.lastWriteTime));
  }
  return r;
}

/** The Linux target of a link, or null when it must not (or cannot) be created. */
function linkTarget(wim: Wim, rel: string, node: WimNode, opts: ApplyOptions): string | null {
  const data = node.reparseHash ? wim.readBlob(node.reparseHash, MAX_REPARSE_DATA) : new Uint8Array(0);
  if (data.length === 0) return null;
  const t = decodeLinkReparse(node.reparseTag, data);
  if (!t || t.target === '' || t.target.includes('\0')) return null;
  const linkDir = posix.dirname(rel);
  let target = t.target;
  if (!t.relative) {
    // an absolute target fixed at capture (RP_FIX) is relative to the image root
    const fixed = (wim.header.flags & HDR_FLAG_RP_FIX) !== 0 && !(node.rpFlags & RP_FLAG_NOT_FIXED);
    if (!fixed) return opts.unsafeSymlinks ? target : null;
    target = relative(dirname(posix.join('/', rel)), target) || '.';
  }
  const resolved = posix.normalize(posix.join(linkDir, target));
  if (!opts.unsafeSymlinks && (resolved === '..' || resolved.startsWith('../') || posix.isAbsolute(resolved))) return null;
  return target;
}
