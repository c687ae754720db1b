// A persistent cache of compressed file resources (edge module), so a rebuild copies the stored
// bytes of unchanged content into a new WIM instead of compressing it again. Keyed by the caller's
// content key (e.g. the file's SHA-256) and the compression kind; one file per entry at
// <dir>/<kind>/<2 hex>/<SHA-256 of the key>, written to a temporary name and renamed.
//
// Entry: a 128-byte header, then the resource exactly as stored in a WIM (chunk table + chunks).
//   0   8  magic "TSMWRC1\0"
//   8   1  kind (0 none, 1 xpress, 2 lzx)      9  1  flags (1 = compressed body follows)
//   10  2  zero                                12  4  chunk size
//   16  8  original size                       24  8  body size (sizeInWim; 0 when raw)
//   32 20  SHA-1 of the uncompressed data      52 32  SHA-256 of the key
//   84 12  zero                                96 32  checksum
// checksum = SHA-256(chunks ‖ chunk table ‖ header[0,96)): the order in which a streamed resource's
// parts become known (the table and the SHA-1 come last), so a writer never reads its entry back.
// An entry whose data did not compress is a header only ("store raw"): its bytes are the source's,
// read again on a hit (and checked against the SHA-1), so the cache never holds a plain copy.
import { createHash, randomBytes, type Hash } from 'node:crypto';
import {
  closeSync, fstatSync, futimesSync, mkdirSync, openSync, readdirSync, readSync, renameSync, rmSync, statSync,
  writeFileSync, writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { TsmediaError } from '../../errors.js';
import { chunkTableSize } from './chunk-table.js';
import type { WimCompression } from './header.js';
import type { ByteSource } from './resource-writer.js';

export const ENTRY_HEADER_SIZE = 128;
const MAGIC = Buffer.from('TSMWRC1\0', 'latin1');
const CHECKSUM_AT = 96;
const FLAG_COMPRESSED = 1;
const KIND_CODES: Record<WimCompression, number> = { none: 0, xpress: 1, lzx: 2 };
/** Bodies up to this size are read (and written) whole; larger ones stream through a descriptor. */
const WHOLE_MAX = 1024 * 1024;
const READ_BLOCK = 1024 * 1024;
/** A hit marks its entry used (mtime now) unless it was marked less than this long ago. */
const TOUCH_AFTER_MS = 60 * 60 * 1000;
/** Temporary files older than this are leftovers of a killed writer; prune() removes them. */
const STALE_TMP_MS = 60 * 60 * 1000;

export interface CacheStats {
  hits: number;
  misses: number;
  /** Entries found but rejected (truncated, checksum, wrong key/kind/size); each counts as a miss too. */
  damaged: number;
  stored: number;
  /** Entries that could not be written (the capture goes on without them). */
  writeErrors: number;
  /** The first write error, for a warning. */
  lastWriteError?: string;
}

export interface ResourceCacheOptions {
  /** prune() keeps the cache at or under this many bytes, dropping the least recently used. */
  maxBytes?: number;
}

/** A verified entry, its descriptor held open until close() (an entry is only ever replaced by rename). */
export interface CacheHit {
  /** SHA-1 of the uncompressed data. */
  hash: Uint8Array;
  originalSize: number;
  /** true: open() yields the stored resource (sizeInWim bytes); false: store the source's data raw. */
  compressed: boolean;
  sizeInWim: number;
  open(): ByteSource;
  close(): void;
}

interface EntryHeader {
  kind: number;
  flags: number;
  chunkSize: number;
  originalSize: number;
  bodySize: number;
  sha1: Uint8Array;
  keyDigest: Uint8Array;
  checksum: Uint8Array;
}

function keyDigest(key: string): Uint8Array {
  return new Uint8Array(createHash('sha256').update(key, 'utf8').digest());
}

function encodeEntryHeader(h: Omit<EntryHeader, 'checksum'>): Buffer {
  const b = Buffer.alloc(ENTRY_HEADER_SIZE);
  MAGIC.copy(b, 0);
  b[8] = h.kind;
  b[9] = h.flags;
  b.writeUInt32LE(h.chunkSize, 12);
  b.writeBigUInt64LE(BigInt(h.originalSize), 16);
  b.writeBigUInt64LE(BigInt(h.bodySize), 24);
  b.set(h.sha1, 32);
  b.set(h.keyDigest, 52);
  return b;
}

function decodeEntryHeader(b: Buffer): EntryHeader | undefined {
  if (b.length < ENTRY_HEADER_SIZE || !b.subarray(0, 8).equals(MAGIC)) return undefined;
  const originalSize = b.readBigUInt64LE(16);
  const bodySize = b.readBigUInt64LE(24);
  if (originalSize > BigInt(Number.MAX_SAFE_INTEGER) || bodySize > BigInt(Number.MAX_SAFE_INTEGER)) return undefined;
  return {
    kind: b[8] ?? 255, flags: b[9] ?? 255, chunkSize: b.readUInt32LE(12), originalSize: Number(originalSize), bodySize: Number(bodySize),
    sha1: new Uint8Array(b.subarray(32, 52)), keyDigest: new Uint8Array(b.subarray(52, 84)), checksum: new Uint8Array(b.subarray(CHECKSUM_AT, CHECKSUM_AT + 32)),
  };
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

function readFully(fd: number, into: Uint8Array, pos: number): boolean {
  for (let got = 0; got < into.length;) {
    const n = readSync(fd, into, got, into.length - got, pos + got);
    if (n === 0) return false;
    got += n;
  }
  return true;
}

/** Hashes [from, to) of a descriptor into h in blocks; false if the file ends early. */
function hashRange(fd: number, h: Hash, from: number, to: number, buf: Buffer): boolean {
  for (let p = from; p < to;) {
    const n = Math.min(buf.length, to - p);
    if (!readFully(fd, buf.subarray(0, n), p)) return false;
    h.update(buf.subarray(0, n));
    p += n;
  }
  return true;
}

export class ResourceCache {
  readonly stats: CacheStats = { hits: 0, misses: 0, damaged: 0, stored: 0, writeErrors: 0 };
  private readonly made = new Set<string>();

  constructor(readonly dir: string, readonly options: ResourceCacheOptions = {}) {}

  /** Where the entry for (key, kind) lives. */
  entryPath(key: string, kind: WimCompression): string {
    const name = Buffer.from(keyDigest(key)).toString('hex');
    return join(this.dir, kind, name.slice(0, 2), name);
  }

  /**
   * The entry for (key, kind) if it is whole and its checksum holds, and it describes `size` bytes
   * in chunks of `chunkSize`; otherwise undefined (a damaged entry is left to be replaced).
   */
  lookup(key: string, kind: WimCompression, chunkSize: number, size: number): CacheHit | undefined {
    const path = this.entryPath(key, kind);
    let fd: number;
    try { fd = openSync(path, 'r'); } catch { this.stats.misses++; return undefined; }
    let keep = false;
    try {
      const st = fstatSync(fd);
      const hit = this.verify(fd, st.size, key, kind, chunkSize, size);
      if (!hit) { this.stats.damaged++; this.stats.misses++; return undefined; }
      this.stats.hits++;
      // the mtime says when an entry was last used: prune() drops the oldest first
      if (Date.now() - st.mtimeMs > TOUCH_AFTER_MS) {
        try { const t = new Date(); futimesSync(fd, t, t); } catch { /* a read-only cache is still usable */ }
      }
      keep = true;
      return hit;
    } catch {
      this.stats.damaged++;
      this.stats.misses++;
      return undefined;
    } finally {
      if (!keep) closeSync(fd);
    }
  }

  private verify(fd: number, fileSize: number, key: string, kind: WimCompression, chunkSize: number, size: number): CacheHit | undefined {
    const head = Buffer.alloc(ENTRY_HEADER_SIZE);
    if (!readFully(fd, head, 0)) return undefined;
    const h = decodeEntryHeader(head);
    if (!h || h.kind !== KIND_CODES[kind] || h.chunkSize !== chunkSize || h.originalSize !== size) return undefined;
    if (!sameBytes(h.keyDigest, keyDigest(key))) return undefined;
    const compressed = (h.flags & FLAG_COMPRESSED) !== 0;
    if (h.flags & ~FLAG_COMPRESSED) return undefined;
    if (compressed ? (kind === 'none' || h.bodySize === 0 || h.bodySize >= size) : h.bodySize !== 0) return undefined;
    if (fileSize !== ENTRY_HEADER_SIZE + h.bodySize) return undefined;
    const tableSize = compressed ? chunkTableSize(size, chunkSize) : 0;
    if (tableSize > h.bodySize) return undefined;
    const sum = createHash('sha256');
    let body: Uint8Array | null = null;
    if (h.bodySize <= WHOLE_MAX) {
      body = new Uint8Array(h.bodySize);
      if (!readFully(fd, body, ENTRY_HEADER_SIZE)) return undefined;
      sum.update(body.subarray(tableSize)).update(body.subarray(0, tableSize));
    } else {
      const buf = Buffer.allocUnsafe(READ_BLOCK);
      if (!hashRange(fd, sum, ENTRY_HEADER_SIZE + tableSize, ENTRY_HEADER_SIZE + h.bodySize, buf)) return undefined;
      if (!hashRange(fd, sum, ENTRY_HEADER_SIZE, ENTRY_HEADER_SIZE + tableSize, buf)) return undefined;
    }
    sum.update(head.subarray(0, CHECKSUM_AT));
    if (!sameBytes(new Uint8Array(sum.digest()), h.checksum)) return undefined;
    let closed = false;
    const close = (): void => { if (!closed) { closed = true; closeSync(fd); } };
    return {
      hash: h.sha1, originalSize: size, compressed, sizeInWim: h.bodySize, close,
      open: () => (body ? bufferSource(body) : fdSource(fd, ENTRY_HEADER_SIZE)),
    };
  }

  /** Starts writing the entry for (key, kind); the resource writer feeds it as it writes the WIM. */
  begin(key: string, kind: WimCompression, chunkSize: number, size: number, onSettled?: () => void): EntrySink {
    return new EntrySink(this, this.entryPath(key, kind), {
      kind: KIND_CODES[kind], flags: 0, chunkSize, originalSize: size, bodySize: 0, sha1: new Uint8Array(20), keyDigest: keyDigest(key),
    }, onSettled);
  }

  /** @internal the entry's folder, made once per cache object. */
  ensureDir(dir: string): void {
    if (this.made.has(dir)) return;
    mkdirSync(dir, { recursive: true });
    this.made.add(dir);
  }

  /** @internal */
  noteWriteError(e: unknown): void {
    this.stats.writeErrors++;
    this.stats.lastWriteError ??= (e as Error).message;
  }

  /**
   * Drops the least recently used entries (oldest mtime first) until the cache holds at most
   * `maxBytes` (default: the option; no bound if neither), and temporary files left by killed
   * writers. Returns the bytes removed.
   */
  prune(maxBytes = this.options.maxBytes): number {
    const entries: { path: string; size: number; mtime: number }[] = [];
    let total = 0;
    let removed = 0;
    const now = Date.now();
    for (const kind of Object.keys(KIND_CODES)) {
      const kindDir = join(this.dir, kind);
      for (const sub of safeList(kindDir)) {
        for (const name of safeList(join(kindDir, sub))) {
          const path = join(kindDir, sub, name);
          let st;
          try { st = statSync(path); } catch { continue; }
          if (name.includes('.tmp-')) {
            if (now - st.mtimeMs > STALE_TMP_MS) { rmSync(path, { force: true }); removed += st.size; }
            continue;
          }
          entries.push({ path, size: st.size, mtime: st.mtimeMs });
          total += st.size;
        }
      }
    }
    if (maxBytes === undefined) return removed;
    entries.sort((a, b) => a.mtime - b.mtime || (a.path < b.path ? -1 : 1));
    for (const e of entries) {
      if (total <= maxBytes) break;
      rmSync(e.path, { force: true });
      total -= e.size;
      removed += e.size;
    }
    return removed;
  }
}

function safeList(dir: string): string[] {
  try { return readdirSync(dir); } catch { return []; }
}

function bufferSource(body: Uint8Array): ByteSource {
  let at = 0;
  return {
    read(into) {
      if (at + into.length > body.length) throw new TsmediaError('EWIM_CACHE', 'a cached resource is shorter than its header says');
      into.set(body.subarray(at, at + into.length));
      at += into.length;
    },
    close() { /* nothing held */ },
  };
}

function fdSource(fd: number, start: number): ByteSource {
  let pos = start;
  return {
    read(into) {
      if (!readFully(fd, into, pos)) throw new TsmediaError('EWIM_CACHE', 'a cached resource ended early while it was copied');
      pos += into.length;
    },
    close() { /* the hit's close() releases the descriptor */ },
  };
}

/**
 * One entry being written, fed in WIM order: chunk() per stored chunk, then commitCompressed() with
 * the chunk table, or commitRaw(), or abort(). Never throws: a failed write is counted in the
 * cache's stats and the entry is dropped (the capture does not depend on its cache).
 */
export class EntrySink {
  private readonly tmp: string;
  private readonly sum: Hash = createHash('sha256');
  private pieces: Uint8Array[] = [];
  private pieceBytes = 0;
  private fd: number | null = null;
  private bodyBytes = 0;
  private failed = false;
  private done = false;
  private tmpMade = false;

  constructor(
    private readonly cache: ResourceCache,
    private readonly path: string,
    private readonly head: Omit<EntryHeader, 'checksum'>,
    private readonly onSettled?: () => void,
  ) {
    this.tmp = `${path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  }

  private get tableSize(): number {
    return chunkTableSize(this.head.originalSize, this.head.chunkSize);
  }

  chunk(bytes: Uint8Array): void {
    if (this.failed || this.done) return;
    this.bodyBytes += bytes.length;
    try {
      if (this.fd === null) {
        this.pieces.push(bytes.slice()); // a copy: the writer reuses its buffers
        this.pieceBytes += bytes.length;
        if (this.pieceBytes > WHOLE_MAX) this.spill();
      } else {
        writeSync(this.fd, bytes, 0, bytes.length, ENTRY_HEADER_SIZE + this.tableSize + this.bodyBytes - bytes.length);
      }
      this.sum.update(bytes);
    } catch (e) {
      this.fail(e);
    }
  }

  /** Moves the buffered chunks into the temporary file, after room for header and table. */
  private spill(): void {
    this.cache.ensureDir(join(this.path, '..'));
    this.fd = openSync(this.tmp, 'wx', 0o644);
    this.tmpMade = true;
    let pos = ENTRY_HEADER_SIZE + this.tableSize;
    for (const p of this.pieces) { writeSync(this.fd, p, 0, p.length, pos); pos += p.length; }
    this.pieces = [];
  }

  commitCompressed(sha1: Uint8Array, table: Uint8Array): void {
    this.commit(sha1, FLAG_COMPRESSED, table);
  }

  commitRaw(sha1: Uint8Array): void {
    if (this.failed || this.done) return;
    this.cleanup();
    this.bodyBytes = 0;
    this.commit(sha1, 0, new Uint8Array(0));
  }

  private commit(sha1: Uint8Array, flags: number, table: Uint8Array): void {
    if (this.failed || this.done) return;
    this.done = true;
    this.onSettled?.();
    try {
      const bodySize = flags ? table.length + this.bodyBytes : 0;
      const head = encodeEntryHeader({ ...this.head, flags, sha1, bodySize });
      const sum = flags ? this.sum.update(table) : createHash('sha256');
      head.set(sum.update(head.subarray(0, CHECKSUM_AT)).digest(), CHECKSUM_AT);
      if (this.fd === null) {
        this.cache.ensureDir(join(this.path, '..'));
        this.tmpMade = true;
        writeFileSync(this.tmp, flags ? Buffer.concat([head, table, ...this.pieces]) : head, { flag: 'wx', mode: 0o644 });
      } else {
        writeSync(this.fd, table, 0, table.length, ENTRY_HEADER_SIZE);
        writeSync(this.fd, head, 0, head.length, 0);
        closeSync(this.fd);
        this.fd = null;
      }
      renameSync(this.tmp, this.path);
      this.tmpMade = false;
      this.cache.stats.stored++;
    } catch (e) {
      this.fail(e);
    } finally {
      this.pieces = [];
    }
  }

  abort(): void {
    if (this.done) return;
    this.done = true;
    this.onSettled?.();
    this.cleanup();
  }

  private fail(e: unknown): void {
    if (!this.failed) this.cache.noteWriteError(e);
    this.failed = true;
    if (!this.done) { this.done = true; this.onSettled?.(); }
    this.cleanup();
  }

  private cleanup(): void {
    this.pieces = [];
    if (this.fd !== null) { try { closeSync(this.fd); } catch { /* already closed */ } this.fd = null; }
    if (this.tmpMade) { rmSync(this.tmp, { force: true }); this.tmpMade = false; }
  }
}
