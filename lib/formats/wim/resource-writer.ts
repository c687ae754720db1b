// Writes blobs and metadata resources into an OutFile (edge module): raw for 'none', else cut
// into 32 KiB chunks compressed in the worker pool, in order, with the chunk table in front.
// Single-instance: a blob whose SHA-1 is already known is not stored again (its bytes are rewound).
// Small blobs are read whole and grouped into one pool task; large ones stream through batches, so
// memory stays bounded (about inFlightLimit() x batch size).
// With a resource cache, a file whose content key has an entry is copied as stored (not read, not
// compressed), at its place in the queue; a file without one is compressed as usual and its
// stored bytes are teed into a new entry as they are written.
import { createHash, type Hash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import { TsmediaError } from '../../errors.js';
import { hashHex } from './bytes.js';
import { chunkCount, chunkTableSize, encodeChunkTable } from './chunk-table.js';
import type { WimCompressResult, WimCompressTask } from './codec.js';
import { WIM_CHUNK_SIZE, type WimCompression } from './header.js';
import type { OutFile } from './out-file.js';
import type { CacheHit, EntrySink, ResourceCache } from './resource-cache.js';
import { RESHDR_FLAG_COMPRESSED, type ResourceHeader } from './resource-header.js';
import { inFlightLimit, runTask, warmPool } from '../../pool/pool.js';

/** Blobs up to this size are read whole and grouped; larger ones are streamed. */
const SMALL_BLOB_MAX = 256 * 1024;
/** A pool task holds up to this many bytes of chunks. */
const TASK_BYTES = 512 * 1024;
/** A task buffer: a task's worth of small blobs plus the one that overflows it. */
const TASK_BUFFER_BYTES = TASK_BYTES + SMALL_BLOB_MAX;
/** Task buffers kept for reuse: enough for every task in flight and the one being filled. */
const SPARE_BUFFERS_MAX = 16;
/** Uncompressed reads stream in blocks of this size straight into the output buffer. */
const RAW_READ_BLOCK = 1024 * 1024;

export interface BlobRecord {
  hash: Uint8Array;
  key: string;
  size: number;
  /** Filled once the blob is written (after drain()). */
  reshdr: ResourceHeader | null;
  refCount: number;
}

/** A resource cache and how to name a file's content for it. */
export interface ResourceCacheUse {
  cache: ResourceCache;
  /**
   * The file's content key (e.g. its SHA-256, hex), or undefined to capture it without the cache.
   * Two files with the same key must hold the same bytes: a key is trusted like a hash.
   */
  keyOf(path: string, size: number): string | undefined;
}

export type ChunkCompressor = (task: WimCompressTask) => Promise<WimCompressResult>;

/**
 * The worker pool (piscina starts with the first task, so uncompressed captures never start it).
 * The task's data moves to the worker, not copied: callers hand over a buffer they no longer need.
 */
export const poolCompressor: ChunkCompressor = async (task) => {
  return runTask<WimCompressResult>('wimCompressBlobs', task, [task.data.buffer as ArrayBuffer]);
};

const NO_RESULT: WimCompressResult = { stored: new Uint8Array(0), chunkSizes: new Uint32Array(0) };

interface Job { results: Promise<WimCompressResult>; finish(r: WimCompressResult): void }

/** A small blob in the group being filled: its bytes are group.subarray(at, at + rec.size). */
interface SmallPending { rec: BlobRecord; at: number; flags: number; sink: EntrySink | null }

function captureError(path: string, e: unknown): TsmediaError {
  return new TsmediaError('EWIM_CAPTURE', `cannot read ${path}: ${(e as Error).message}`, { path });
}

/** The blobs a writer holds, by SHA-1 (hex), and the sizes among them. */
export class BlobRecords extends Map<string, BlobRecord> {
  readonly sizes = new Set<number>();
  override set(key: string, rec: BlobRecord): this {
    this.sizes.add(rec.size);
    return super.set(key, rec);
  }
}

export class ResourceWriter {
  readonly blobs = new BlobRecords();
  private readonly queue: Job[] = [];
  private group: SmallPending[] = [];
  /** Small blobs' bytes, read straight into one buffer that then moves to a worker and back. */
  private groupData: Uint8Array | null = null;
  private groupBytes = 0;
  /** Task buffers back from the workers, for the next tasks (no allocation, no zeroing, less GC). */
  private readonly spare: Uint8Array[] = [];
  private inFlight = 0;
  /** Set by addImages from CaptureOptions.resourceCache. */
  cache: ResourceCacheUse | undefined;
  /** Files of this writer found in (hits) or added to (misses) the cache. */
  readonly cacheCounts = { hits: 0, misses: 0 };
  /** Content key -> record, so a key met twice is looked up once. */
  private readonly keyed = new Map<string, BlobRecord>();
  /** Entries being written and hits not yet copied: released by abandon() when the capture fails. */
  private readonly sinks = new Set<EntrySink>();
  private readonly hits = new Set<CacheHit>();

  constructor(
    private readonly out: OutFile,
    readonly kind: WimCompression,
    private readonly compressor: ChunkCompressor = poolCompressor,
    readonly chunkSize: number = WIM_CHUNK_SIZE,
  ) {
    // the threads start (and load the codecs) while the caller scans its trees
    if (kind !== 'none' && compressor === poolCompressor) warmPool('codecs');
  }

  /** Stores a file's data (or finds it stored); the record's hash is known on return. */
  async addFile(file: string | FileRef, size: number): Promise<BlobRecord> {
    const ref: FileRef = typeof file === 'string' ? { path: file } : file;
    const key = this.cache ? ref.key ?? this.cache.keyOf(ref.path, size) : undefined;
    if (!this.cache || key === undefined) return this.addFileData(ref, size, null);
    const seen = this.keyed.get(key);
    if (seen) return seen;
    const rec = await this.addFileKeyed(this.cache.cache, key, ref, size);
    this.keyed.set(key, rec);
    return rec;
  }

  private addFileData(ref: FileRef, size: number, sink: EntrySink | null): Promise<BlobRecord> {
    if (this.kind === 'none') return Promise.resolve(this.addRawFrom(size, () => fileSource(ref, size), sink));
    if (size <= SMALL_BLOB_MAX) return this.addSmall(size, (into) => readWhole(ref, into), 0, true, sink);
    return this.addLarge(size, () => fileSource(ref, size), sink);
  }

  private async addFileKeyed(cache: ResourceCache, key: string, ref: FileRef, size: number): Promise<BlobRecord> {
    const hit = cache.lookup(key, this.kind, this.chunkSize, size);
    if (!hit) {
      this.cacheCounts.misses++;
      const sink = cache.begin(key, this.kind, this.chunkSize, size, () => this.sinks.delete(sink));
      this.sinks.add(sink);
      try {
        return await this.addFileData(ref, size, sink);
      } catch (e) {
        sink.abort();
        throw e;
      }
    }
    this.cacheCounts.hits++;
    const hex = hashHex(hit.hash);
    const known = this.blobs.get(hex);
    if (known) { hit.close(); return known; }
    const rec: BlobRecord = { hash: hit.hash, key: hex, size, reshdr: null, refCount: 0 };
    this.blobs.set(hex, rec);
    // uncompressed writes are immediate (nothing is ever queued); otherwise the copy takes its
    // turn in the queue, after the data added before it, without waiting for the queue to empty
    if (this.kind === 'none') { this.writeHit(rec, hit, ref); return rec; }
    await this.flushGroup();
    this.hits.add(hit);
    await this.push(Promise.resolve(NO_RESULT), () => this.writeHit(rec, hit, ref));
    return rec;
  }

  /** Copies a hit into the output: its stored resource, or the source raw (checked against the SHA-1). */
  private writeHit(rec: BlobRecord, hit: CacheHit, ref: FileRef): void {
    const path = ref.path;
    this.hits.delete(hit);
    const offset = this.out.pos;
    try {
      if (hit.compressed) {
        this.copyFrom(hit.sizeInWim, () => hit.open(), null);
        rec.reshdr = { sizeInWim: hit.sizeInWim, flags: RESHDR_FLAG_COMPRESSED, offset, originalSize: rec.size };
        return;
      }
      const sha1 = this.writeRawFrom(rec.size, () => fileSource(ref, rec.size));
      if (hashHex(sha1) !== rec.key) {
        this.out.rewind(offset);
        throw new TsmediaError('EWIM_CAPTURE', `${path} does not hold the content its cache key names: the key or the staged file is wrong, or the file changed during the capture`, { path });
      }
      rec.reshdr = { sizeInWim: rec.size, flags: 0, offset, originalSize: rec.size };
    } finally {
      hit.close();
    }
  }

  /** Releases cache entries in progress and held hits (the capture failed). */
  abandon(): void {
    for (const s of [...this.sinks]) s.abort();
    for (const h of this.hits) h.close();
    this.hits.clear();
  }

  /** Stores in-memory data (metadata resources, reparse data). `dedupe` false for metadata. */
  addBuffer(data: Uint8Array, flags: number, dedupe = true, sink: EntrySink | null = null): Promise<BlobRecord> {
    if (this.kind === 'none' || data.length > SMALL_BLOB_MAX) return this.addRawOrLarge(data, flags, dedupe, sink);
    return this.addSmall(data.length, (into) => into.set(data), flags, dedupe, sink);
  }

  /** Metadata too big to group: written raw, or streamed through the pool like a large file. */
  private addRawOrLarge(data: Uint8Array, flags: number, dedupe: boolean, sink: EntrySink | null): Promise<BlobRecord> {
    if (this.kind !== 'none') return this.addLarge(data.length, () => bufferSource(data), sink, flags, dedupe);
    const hash = new Uint8Array(createHash('sha1').update(data).digest());
    const key = hashHex(hash);
    const known = dedupe ? this.blobs.get(key) : undefined;
    if (known) { sink?.abort(); return Promise.resolve(known); }
    const rec: BlobRecord = { hash, key, size: data.length, reshdr: { sizeInWim: data.length, flags, offset: this.out.pos, originalSize: data.length }, refCount: 0 };
    if (dedupe) this.blobs.set(key, rec);
    this.out.write(data);
    sink?.commitRaw(hash);
    return Promise.resolve(rec);
  }

  /** A small blob, filled into the group's buffer by `fill`, hashed there, and compressed with the group. */
  private async addSmall(size: number, fill: (into: Uint8Array) => void, flags: number, dedupe: boolean, sink: EntrySink | null): Promise<BlobRecord> {
    // a group is flushed once it holds TASK_BYTES, so a small blob always fits in a task buffer
    this.groupData ??= this.taskBuffer();
    const at = this.groupBytes;
    const view = this.groupData.subarray(at, at + size);
    fill(view);
    const hash = new Uint8Array(createHash('sha1').update(view).digest());
    const key = hashHex(hash);
    const known = dedupe ? this.blobs.get(key) : undefined;
    if (known) { sink?.abort(); return known; }
    const rec: BlobRecord = { hash, key, size, reshdr: null, refCount: 0 };
    if (dedupe) this.blobs.set(key, rec);
    this.group.push({ rec, at, flags, sink });
    this.groupBytes += size;
    if (this.groupBytes >= TASK_BYTES) await this.flushGroup();
    return rec;
  }

  private async flushGroup(): Promise<void> {
    if (this.group.length === 0) return;
    const group = this.group;
    const data = this.groupData!.subarray(0, this.groupBytes);
    this.group = [];
    this.groupData = null;
    this.groupBytes = 0;
    const blobSizes = group.map((p) => p.rec.size);
    await this.push(this.compressor({ kind: this.kind, chunkSize: this.chunkSize, data, blobSizes }), (r) => {
      let at = 0;
      let k = 0;
      for (const p of group) {
        const count = chunkCount(p.rec.size, this.chunkSize);
        const sizes = Array.from(r.chunkSizes.subarray(k, k + count));
        const storedSize = sizes.reduce((a, b) => a + b, 0);
        this.writeCompressed(p, sizes, r.stored.subarray(at, at + storedSize));
        at += storedSize;
        k += count;
      }
      this.recycle(r.stored);
    });
  }

  /**
   * Writes one small blob from its stored chunks: chunk table + chunks, or the blob raw when that
   * is not smaller (compressBlobs then stored every chunk raw: the stored bytes are the blob's).
   */
  private writeCompressed(p: SmallPending, sizes: number[], stored: Uint8Array): void {
    const size = p.rec.size;
    const total = chunkTableSize(size, this.chunkSize) + stored.length;
    const offset = this.out.pos;
    if (total >= size) {
      if (stored.length !== size) throw new TsmediaError('EWIM_INTERNAL', `a blob of ${size} bytes came back as ${stored.length} raw bytes`);
      this.out.write(stored);
      p.rec.reshdr = { sizeInWim: size, flags: p.flags, offset, originalSize: size };
      p.sink?.commitRaw(p.rec.hash);
      return;
    }
    const table = encodeChunkTable(sizes, size);
    this.out.write(table);
    this.out.write(stored);
    if (p.sink) {
      let at = 0;
      for (const n of sizes) {
        p.sink.chunk(stored.subarray(at, at + n));
        at += n;
      }
      p.sink.commitCompressed(p.rec.hash, table);
    }
    p.rec.reshdr = { sizeInWim: total, flags: p.flags | RESHDR_FLAG_COMPRESSED, offset, originalSize: size };
  }

  /** A buffer for one task's data: a spare one, or a new one. */
  private taskBuffer(): Uint8Array {
    return this.spare.pop() ?? new Uint8Array(TASK_BUFFER_BYTES);
  }

  /** Keeps a task's buffer, back with its result and written out, for a later task. */
  private recycle(stored: Uint8Array): void {
    const buffer = stored.buffer;
    if (buffer.byteLength === TASK_BUFFER_BYTES && this.spare.length < SPARE_BUFFERS_MAX) this.spare.push(new Uint8Array(buffer));
  }

  private async push(results: Promise<WimCompressResult>, finish: (r: WimCompressResult) => void): Promise<void> {
    results.catch(() => { /* awaited in order below */ });
    this.queue.push({ results, finish });
    if (this.inFlight === 0) this.inFlight = inFlightLimit();
    while (this.queue.length > this.inFlight) await this.drainOne();
    // let the event loop turn: piscina hands a queued task to a worker that finished only from
    // there, and reading the next task's files is synchronous (workers waited 20% of a capture)
    await new Promise((resolve) => setImmediate(resolve));
  }

  private async drainOne(): Promise<void> {
    const job = this.queue.shift();
    if (job) job.finish(await job.results);
  }

  /** Waits for every pending write; all records have their reshdr afterwards. */
  async drain(): Promise<void> {
    await this.flushGroup();
    while (this.queue.length) await this.drainOne();
  }

  /** Stores data that is not in a file (a stream of another WIM, re-compressed). */
  async addStream(size: number, open: () => ByteSource): Promise<BlobRecord> {
    if (this.kind === 'none') return this.addRawFrom(size, open);
    if (size <= SMALL_BLOB_MAX) {
      return this.addSmall(size, (into) => {
        const src = open();
        try { src.read(into); } finally { src.close(); }
      }, 0, true, null);
    }
    return this.addLarge(size, open);
  }

  /** Copies a resource as stored (same codec and chunk size): no recompression. */
  async addStored(hash: Uint8Array, reshdr: ResourceHeader, open: () => ByteSource): Promise<BlobRecord> {
    const key = hashHex(hash);
    const known = this.blobs.get(key);
    if (known) return known;
    // written at once, so nothing queued may still be waiting to write before it
    await this.drain();
    const offset = this.out.pos;
    this.copyFrom(reshdr.sizeInWim, open, null);
    const rec: BlobRecord = { hash, key, size: reshdr.originalSize, reshdr: { ...reshdr, offset }, refCount: 0 };
    this.blobs.set(key, rec);
    return rec;
  }

  /** Uncompressed, single-instanced: a duplicate is rewound (its cache entry still says raw). */
  private addRawFrom(size: number, open: () => ByteSource, sink: EntrySink | null = null): BlobRecord {
    const start = this.out.pos;
    const hash = this.writeRawFrom(size, open);
    sink?.commitRaw(hash);
    const key = hashHex(hash);
    const known = this.blobs.get(key);
    if (known) { this.out.rewind(start); return known; }
    const rec: BlobRecord = { hash, key, size, reshdr: { sizeInWim: size, flags: 0, offset: start, originalSize: size }, refCount: 0 };
    this.blobs.set(key, rec);
    return rec;
  }

  /** Writes `size` bytes straight into the output buffer, hashing them there; returns the SHA-1. */
  private writeRawFrom(size: number, open: () => ByteSource): Uint8Array {
    const h = createHash('sha1');
    this.copyFrom(size, open, h);
    return new Uint8Array(h.digest());
  }

  /** The SHA-1 of `size` bytes of a source, read through a task buffer. */
  private hashFrom(size: number, open: () => ByteSource): Uint8Array {
    const h = createHash('sha1');
    const buffer = this.taskBuffer();
    const src = open();
    try {
      for (let left = size; left > 0;) {
        const view = buffer.subarray(0, Math.min(left, buffer.length));
        src.read(view);
        h.update(view);
        left -= view.length;
      }
    } finally {
      src.close();
      this.recycle(buffer);
    }
    return new Uint8Array(h.digest());
  }

  /** Reads `size` bytes from a source straight into the output buffer (hashing them if asked). */
  private copyFrom(size: number, open: () => ByteSource, h: Hash | null): void {
    const start = this.out.pos;
    const src = open();
    try {
      for (let left = size; left > 0;) {
        const n = Math.min(left, this.out.room(), RAW_READ_BLOCK);
        const view = this.out.buf.subarray(this.out.len, this.out.len + n);
        src.read(view);
        h?.update(view);
        this.out.len += n;
        left -= n;
      }
    } catch (e) {
      this.out.rewind(start);
      throw e;
    } finally {
      src.close();
    }
  }

  /**
   * Compressed, streamed: batches of chunks through the pool. Nothing waits for the queue to
   * empty: the chunk table's place is taken by a queued step, and a last queued step fills it in
   * (or rewinds a duplicate, or rewrites the blob raw when compression did not pay).
   */
  private async addLarge(size: number, open: () => ByteSource, sink: EntrySink | null = null, flags = 0, dedupe = true): Promise<BlobRecord> {
    if (dedupe && this.blobs.sizes.has(size)) {
      // only a blob the size of one held may repeat it: hashing it first (one more read) spares
      // compressing it only to rewind it (a tenth of the benchmark corpus's bytes)
      const known = this.blobs.get(hashHex(this.hashFrom(size, open)));
      if (known) { sink?.abort(); return known; }
    }
    await this.flushGroup();
    const tableSize = chunkTableSize(size, this.chunkSize);
    const state = { start: 0, sizes: [] as number[] };
    await this.push(Promise.resolve(NO_RESULT), () => {
      state.start = this.out.pos;
      this.out.write(new Uint8Array(tableSize));
    });
    const h = createHash('sha1');
    const src = open();
    try {
      // whole chunks per batch, read straight into the buffer that moves to the worker
      const batchMax = Math.max(1, Math.floor(TASK_BYTES / this.chunkSize)) * this.chunkSize;
      for (let pos = 0; pos < size;) {
        const batch = this.taskBuffer().subarray(0, Math.min(batchMax, size - pos));
        src.read(batch);
        h.update(batch);
        pos += batch.length;
        await this.push(this.compressor({ kind: this.kind, chunkSize: this.chunkSize, data: batch, blobSizes: [batch.length], partial: true }), (r) => {
          let at = 0;
          for (const n of r.chunkSizes) {
            const c = r.stored.subarray(at, at + n);
            at += n;
            state.sizes.push(n);
            this.out.write(c);
            sink?.chunk(c);
          }
          this.recycle(r.stored);
        });
      }
    } finally {
      src.close();
    }
    const hash = new Uint8Array(h.digest());
    const key = hashHex(hash);
    const known = dedupe ? this.blobs.get(key) : undefined;
    if (known) {
      await this.push(Promise.resolve(NO_RESULT), () => { this.out.rewind(state.start); sink?.abort(); });
      return known;
    }
    const rec: BlobRecord = { hash, key, size, reshdr: null, refCount: 0 };
    if (dedupe) this.blobs.set(key, rec);
    await this.push(Promise.resolve(NO_RESULT), () => {
      const total = this.out.pos - state.start;
      if (total >= size) {
        // not smaller compressed: store it raw, as wimlib does (and WOF requires)
        this.out.rewind(state.start);
        const again = this.writeRawFrom(size, open);
        if (hashHex(again) !== key) throw new TsmediaError('EWIM_CAPTURE', 'the data changed while it was being captured');
        rec.reshdr = { sizeInWim: size, flags, offset: state.start, originalSize: size };
        sink?.commitRaw(hash);
        return;
      }
      const table = encodeChunkTable(state.sizes, size);
      this.out.patch(state.start, table);
      rec.reshdr = { sizeInWim: total, flags: flags | RESHDR_FLAG_COMPRESSED, offset: state.start, originalSize: size };
      sink?.commitCompressed(hash, table);
    });
    return rec;
  }
}

/** Sequential bytes: read() fills its argument completely or throws. */
export interface ByteSource {
  read(into: Uint8Array): void;
  close(): void;
}

/**
 * Where a file's bytes are: a whole file, or `size` bytes at `offset` of one (a blob in a
 * content-library pack). With sha256 the bytes are checked as they are read: a reader that meets
 * other bytes fails the capture instead of storing them. `key` is the resource-cache key.
 */
export interface FileRef { path: string; offset?: number | undefined; sha256?: string | undefined; key?: string | undefined }

function mismatch(ref: FileRef): TsmediaError {
  return new TsmediaError('EWIM_SOURCE_HASH', `the bytes read from ${ref.path}${ref.offset !== undefined ? ` at ${ref.offset}` : ''} do not match their SHA-256 ${ref.sha256}: the source is damaged or was changed`, { path: ref.path });
}

export function fileSource(file: string | FileRef, size?: number): ByteSource {
  const ref: FileRef = typeof file === 'string' ? { path: file } : file;
  const path = ref.path;
  let fd: number;
  try { fd = openSync(path, 'r'); } catch (e) { throw captureError(path, e); }
  let pos = ref.offset ?? 0;
  const hash = ref.sha256 !== undefined && size !== undefined ? createHash('sha256') : undefined;
  let left = size ?? 0;
  return {
    read(into) {
      for (let got = 0; got < into.length;) {
        let r: number;
        try { r = readSync(fd, into, got, into.length - got, pos); } catch (e) { throw captureError(path, e); }
        if (r === 0) throw new TsmediaError('EWIM_CAPTURE', `${path} shrank while it was being captured`, { path });
        got += r;
        pos += r;
      }
      if (hash) {
        hash.update(into);
        left -= into.length;
        if (left === 0 && hash.digest('hex') !== ref.sha256) throw mismatch(ref);
      }
    },
    close() { closeSync(fd); },
  };
}

/** A ByteSource over a generator of pieces (a stream decompressed from another WIM). */
export function iteratorSource(it: Iterator<Uint8Array>): ByteSource {
  let cur: Uint8Array = new Uint8Array(0);
  let at = 0;
  return {
    read(into) {
      for (let got = 0; got < into.length;) {
        if (at === cur.length) {
          const n = it.next();
          if (n.done) throw new TsmediaError('EWIM_IO', 'a stream ended early');
          cur = n.value;
          at = 0;
          continue;
        }
        const k = Math.min(into.length - got, cur.length - at);
        into.set(cur.subarray(at, at + k), got);
        got += k;
        at += k;
      }
    },
    close() { it.return?.(); },
  };
}

/** Reads a whole small file (or its slice of a pack) into `into`, checking its SHA-256 if known. */
function readWhole(ref: FileRef, into: Uint8Array): void {
  const path = ref.path;
  const base = ref.offset ?? 0;
  const size = into.length;
  let fd: number;
  try { fd = openSync(path, 'r'); } catch (e) { throw captureError(path, e); }
  try {
    let got = 0;
    while (got < size) {
      const r = readSync(fd, into, got, size - got, base + got);
      if (r === 0) throw new TsmediaError('EWIM_CAPTURE', `${path} shrank while it was being captured`, { path });
      got += r;
    }
  } catch (e) {
    if (e instanceof TsmediaError) throw e;
    throw captureError(path, e);
  } finally {
    closeSync(fd);
  }
  if (ref.sha256 !== undefined && createHash('sha256').update(into).digest('hex') !== ref.sha256) throw mismatch(ref);
}

/** A ByteSource over bytes in memory. */
function bufferSource(data: Uint8Array): ByteSource {
  let at = 0;
  return {
    read(into) {
      if (into.length > data.length - at) throw new TsmediaError('EWIM_IO', 'a stream ended early');
      into.set(data.subarray(at, at + into.length));
      at += into.length;
    },
    close() { /* nothing to release */ },
  };
}
