// Writes blobs and metadata resources into an OutFile (edge module): raw for 'none', else cut
// into 32 KiB chunks compressed in the worker pool, in order, with the chunk table in front.
// Single-instance: a blob whose SHA-1 is already known is not stored again (its bytes are rewound).
// Small blobs are read whole and grouped into one pool task; large ones stream through batches, so
// memory stays bounded (about inFlightLimit() x batch size).
import { createHash, type Hash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import { TsmediaError } from '../../errors.js';
import { hashHex } from './bytes.js';
import { chunkTableSize, encodeChunkTable } from './chunk-table.js';
import { WIM_CHUNK_SIZE, type WimCompression } from './header.js';
import type { OutFile } from './out-file.js';
import { RESHDR_FLAG_COMPRESSED, type ResourceHeader } from './resource-header.js';

/** Blobs up to this size are read whole and grouped; larger ones are streamed. */
const SMALL_BLOB_MAX = 256 * 1024;
/** A pool task holds up to this many bytes of chunks. */
const TASK_BYTES = 512 * 1024;
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

export type ChunkCompressor = (kind: WimCompression, chunks: Uint8Array[]) => Promise<(Uint8Array | null)[]>;

/**
 * The worker pool; loaded on first use, so uncompressed captures never start it. The chunks are
 * moved, not copied: callers pass copies they no longer need.
 */
export const poolCompressor: ChunkCompressor = async (kind, chunks) => {
  const { runTask } = await import('../../pool/pool.js');
  const buffers = [...new Set(chunks.map((c) => c.buffer))].filter((b): b is ArrayBuffer => b instanceof ArrayBuffer);
  return runTask<(Uint8Array | null)[]>('wimCompressChunks', { kind, chunks }, buffers);
};

interface Job { results: Promise<(Uint8Array | null)[]>; finish(r: (Uint8Array | null)[]): void }

interface SmallPending { rec: BlobRecord; data: Uint8Array; first: number; count: number; flags: number }

function captureError(path: string, e: unknown): TsmediaError {
  return new TsmediaError('EWIM_CAPTURE', `cannot read ${path}: ${(e as Error).message}`, { path });
}

export class ResourceWriter {
  readonly blobs = new Map<string, BlobRecord>();
  private readonly queue: Job[] = [];
  private group: SmallPending[] = [];
  private groupChunks: Uint8Array[] = [];
  private groupBytes = 0;
  private inFlight = 0;

  constructor(
    private readonly out: OutFile,
    readonly kind: WimCompression,
    private readonly compressor: ChunkCompressor = poolCompressor,
    readonly chunkSize: number = WIM_CHUNK_SIZE,
  ) {}

  /** Stores a file's data (or finds it stored); the record's hash is known on return. */
  async addFile(path: string, size: number): Promise<BlobRecord> {
    if (this.kind === 'none') return this.addFileRaw(path, size);
    if (size <= SMALL_BLOB_MAX) return this.addBuffer(readWhole(path, size), 0);
    return this.addLarge(size, () => fileSource(path));
  }

  /** Stores in-memory data (metadata resources, reparse data). `dedupe` false for metadata. */
  async addBuffer(data: Uint8Array, flags: number, dedupe = true): Promise<BlobRecord> {
    const hash = new Uint8Array(createHash('sha1').update(data).digest());
    const key = hashHex(hash);
    const known = dedupe ? this.blobs.get(key) : undefined;
    if (known) return known;
    const rec: BlobRecord = { hash, key, size: data.length, reshdr: null, refCount: 0 };
    if (dedupe) this.blobs.set(key, rec);
    if (this.kind === 'none') {
      rec.reshdr = { sizeInWim: data.length, flags, offset: this.out.pos, originalSize: data.length };
      this.out.write(data);
      return rec;
    }
    const first = this.groupChunks.length;
    for (let off = 0; off < data.length; off += this.chunkSize) {
      this.groupChunks.push(data.subarray(off, Math.min(data.length, off + this.chunkSize)));
    }
    this.group.push({ rec, data, first, count: this.groupChunks.length - first, flags });
    this.groupBytes += data.length;
    if (this.groupBytes >= TASK_BYTES) await this.flushGroup();
    return rec;
  }

  private async flushGroup(): Promise<void> {
    if (this.group.length === 0) return;
    const group = this.group;
    const chunks = this.groupChunks;
    this.group = [];
    this.groupChunks = [];
    this.groupBytes = 0;
    // copies: the pool transfers or clones, and the data views must stay intact for a raw fallback
    await this.push(this.compressor(this.kind, chunks.map((c) => c.slice())), (results) => {
      for (const p of group) this.writeCompressed(p, results.slice(p.first, p.first + p.count), chunks.slice(p.first, p.first + p.count));
    });
  }

  /** Writes one in-memory blob from its chunk results: chunk table + chunks, or raw if not smaller. */
  private writeCompressed(p: SmallPending, results: (Uint8Array | null)[], chunks: Uint8Array[]): void {
    const sizes = results.map((r, i) => r?.length ?? chunks[i]?.length ?? 0);
    const tableSize = chunkTableSize(p.data.length, this.chunkSize);
    const total = tableSize + sizes.reduce((a, b) => a + b, 0);
    const offset = this.out.pos;
    if (total >= p.data.length) {
      this.out.write(p.data);
      p.rec.reshdr = { sizeInWim: p.data.length, flags: p.flags, offset, originalSize: p.data.length };
      return;
    }
    this.out.write(encodeChunkTable(sizes, p.data.length));
    results.forEach((r, i) => this.out.write(r ?? chunks[i] ?? new Uint8Array(0)));
    p.rec.reshdr = { sizeInWim: total, flags: p.flags | RESHDR_FLAG_COMPRESSED, offset, originalSize: p.data.length };
  }

  private async push(results: Promise<(Uint8Array | null)[]>, finish: (r: (Uint8Array | null)[]) => void): Promise<void> {
    results.catch(() => { /* awaited in order below */ });
    this.queue.push({ results, finish });
    if (this.inFlight === 0) this.inFlight = (await import('../../pool/pool.js')).inFlightLimit();
    while (this.queue.length > this.inFlight) await this.drainOne();
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

  private addFileRaw(path: string, size: number): BlobRecord {
    return this.addRawFrom(size, () => fileSource(path));
  }

  /** Stores data that is not in a file (a stream of another WIM, re-compressed). */
  async addStream(size: number, open: () => ByteSource): Promise<BlobRecord> {
    if (this.kind === 'none') return this.addRawFrom(size, open);
    if (size <= SMALL_BLOB_MAX) {
      const data = new Uint8Array(size);
      const src = open();
      try { src.read(data); } finally { src.close(); }
      return this.addBuffer(data, 0);
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

  /** Uncompressed, single-instanced: a duplicate is rewound. */
  private addRawFrom(size: number, open: () => ByteSource): BlobRecord {
    const start = this.out.pos;
    const hash = this.writeRawFrom(size, open);
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
  private async addLarge(size: number, open: () => ByteSource): Promise<BlobRecord> {
    await this.flushGroup();
    const tableSize = chunkTableSize(size, this.chunkSize);
    const state = { start: 0, sizes: [] as number[] };
    await this.push(Promise.resolve([]), () => {
      state.start = this.out.pos;
      this.out.write(new Uint8Array(tableSize));
    });
    const h = createHash('sha1');
    const src = open();
    try {
      let pos = 0;
      while (pos < size) {
        const batch: Uint8Array[] = [];
        let batchBytes = 0;
        while (pos < size && batchBytes < TASK_BYTES) {
          const n = Math.min(this.chunkSize, size - pos);
          const chunk = new Uint8Array(n);
          src.read(chunk);
          h.update(chunk);
          batch.push(chunk);
          batchBytes += n;
          pos += n;
        }
        await this.push(this.compressor(this.kind, batch.map((c) => c.slice())), (results) => {
          results.forEach((r, i) => {
            const c = r ?? batch[i] ?? new Uint8Array(0);
            state.sizes.push(c.length);
            this.out.write(c);
          });
        });
      }
    } finally {
      src.close();
    }
    const hash = new Uint8Array(h.digest());
    const key = hashHex(hash);
    const known = this.blobs.get(key);
    if (known) {
      await this.push(Promise.resolve([]), () => this.out.rewind(state.start));
      return known;
    }
    const rec: BlobRecord = { hash, key, size, reshdr: null, refCount: 0 };
    this.blobs.set(key, rec);
    await this.push(Promise.resolve([]), () => {
      const total = this.out.pos - state.start;
      if (total >= size) {
        // not smaller compressed: store it raw, as wimlib does (and WOF requires)
        this.out.rewind(state.start);
        const again = this.writeRawFrom(size, open);
        if (hashHex(again) !== key) throw new TsmediaError('EWIM_CAPTURE', 'the data changed while it was being captured');
        rec.reshdr = { sizeInWim: size, flags: 0, offset: state.start, originalSize: size };
        return;
      }
      this.out.patch(state.start, encodeChunkTable(state.sizes, size));
      rec.reshdr = { sizeInWim: total, flags: RESHDR_FLAG_COMPRESSED, offset: state.start, originalSize: size };
    });
    return rec;
  }
}

/** Sequential bytes: read() fills its argument completely or throws. */
export interface ByteSource {
  read(into: Uint8Array): void;
  close(): void;
}

export function fileSource(path: string): ByteSource {
  let fd: number;
  try { fd = openSync(path, 'r'); } catch (e) { throw captureError(path, e); }
  let pos = 0;
  return {
    read(into) {
      for (let got = 0; got < into.length;) {
        let r: number;
        try { r = readSync(fd, into, got, into.length - got, pos); } catch (e) { throw captureError(path, e); }
        if (r === 0) throw new TsmediaError('EWIM_CAPTURE', `${path} shrank while it was being captured`, { path });
        got += r;
        pos += r;
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

function readWhole(path: string, size: number): Uint8Array {
  const data = new Uint8Array(size);
  let fd: number;
  try { fd = openSync(path, 'r'); } catch (e) { throw captureError(path, e); }
  try {
    let got = 0;
    while (got < size) {
      const r = readSync(fd, data, got, size - got, got);
      if (r === 0) throw new TsmediaError('EWIM_CAPTURE', `${path} shrank while it was being captured`, { path });
      got += r;
    }
  } catch (e) {
    if (e instanceof TsmediaError) throw e;
    throw captureError(path, e);
  } finally {
    closeSync(fd);
  }
  return data;
}
