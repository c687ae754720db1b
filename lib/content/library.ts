// The content library: a single-instance store of file contents addressed by SHA-256.
//
// Blobs live in append-only pack files (library/packs/*.pack) and the catalog's library_blobs
// table says where each one is. Packs instead of one file per blob because importing ten thousand
// small files is then one sequential write, not ten thousand file creations. Each import writes a
// pack of its own, so concurrent imports never share a file and a failed import removes its pack
// and leaves nothing behind.
//
// Pack layout: "TSMPACK1", then records: "TSMB" (4), size u64 LE (8), SHA-256 (32), data.
// The record headers make a pack self-describing, so the index could be rebuilt from the packs.
import { randomUUID, createHash } from 'node:crypto';
import { closeSync, fsync, openSync, readSync, renameSync, rmSync, writeSync } from 'node:fs';
import { mkdir, open, rm } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { BackgroundSync, SYNC_EVERY } from '../background-sync.js';
import { temporaryPath } from '../catalog/atomic-write.js';
import { TsmediaError } from '../errors.js';

export const PACK_MAGIC = Buffer.from('TSMPACK1', 'latin1');
const RECORD_MAGIC = Buffer.from('TSMB', 'latin1');
export const RECORD_HEADER_BYTES = 44;

export interface BlobLocation {
  sha256: string;
  size: number;
  pack: string;
  /** Offset of the blob's first data byte in the pack. */
  offset: number;
}

export function packsDir(home: string): string {
  return join(home, 'library', 'packs');
}

export function recordHeader(sha256: Uint8Array, size: number): Buffer {
  const h = Buffer.alloc(RECORD_HEADER_BYTES);
  RECORD_MAGIC.copy(h, 0);                // magic    4 bytes
  h.writeBigUInt64LE(BigInt(size), 4);     // size     8 bytes
  h.set(sha256, 12);                       // sha256  32 bytes
  return h;
}

/**
 * Lays out a new pack: the importing thread hands out byte ranges, and the records are written
 * into them where the bytes are: from a batch's slot (writeRecords) or, for a large file, by the
 * worker that copies it (copyIntoPack). No write buffer: nothing is copied twice.
 */
export class PackWriter {
  private fd: number | undefined;
  private position = PACK_MAGIC.length;
  private sync: BackgroundSync | undefined;
  readonly blobs: BlobLocation[] = [];

  private constructor(readonly home: string, readonly name: string, readonly path: string, private readonly syncEvery: number) {}

  static async create(home: string, opts: { syncEvery?: number } = {}): Promise<PackWriter> {
    const dir = packsDir(home);
    await mkdir(dir, { recursive: true });
    const name = `pack-${randomUUID()}.pack`;
    const w = new PackWriter(home, name, join(dir, name), opts.syncEvery ?? SYNC_EVERY);
    w.fd = openSync(w.path, 'wx', 0o644);
    w.sync = new BackgroundSync(w.fd, w.syncEvery);
    writeSync(w.fd, PACK_MAGIC, 0, PACK_MAGIC.length, 0);
    return w;
  }

  /**
   * Reserves the range of a record (its header, then its data) for writeRecords or copyIntoPack to
   * write. Records reserved one after another are contiguous. The location is the data's.
   */
  reserve(sha256Hex: string, size: number): BlobLocation {
    return this.recordBlob(sha256Hex, size, this.reserveUnnamed(size));
  }

  /**
   * Reserves a record's range before its SHA-256 is known (a large file hashed as it is copied);
   * recordBlob() then makes it a blob of the pack. Returns the data's offset.
   */
  reserveUnnamed(size: number): number {
    const offset = this.position + RECORD_HEADER_BYTES;
    this.position = offset + size;
    return offset;
  }

  /** Records the blob whose data a reserved range holds. */
  recordBlob(sha256Hex: string, size: number, offset: number): BlobLocation {
    const loc = { sha256: sha256Hex, size, pack: this.name, offset };
    this.blobs.push(loc);
    return loc;
  }

  /** Counts bytes written into the pack: every syncEvery bytes (64 MiB) they go to the disk in the background. */
  wrote(bytes: number): void {
    this.sync?.wrote(bytes);
  }

  /** Makes the pack durable: one fsync once every record is written (by any thread: fsync is per file). Returns false (and removes the pack) when it holds no blob. */
  async finish(): Promise<boolean> {
    if (this.blobs.length === 0) {
      await this.abort();
      return false;
    }
    const fd = this.fd!;
    this.fd = undefined;
    await this.sync?.stop(); // the descriptor stays open until the last background flush is done
    try {
      await new Promise<void>((done, fail) => fsync(fd, (err) => (err ? fail(err) : done())));
    } finally {
      closeSync(fd);
    }
    return true;
  }

  /** Removes the pack: an import that failed leaves nothing in the library. */
  async abort(): Promise<void> {
    const fd = this.fd;
    this.fd = undefined;
    await this.sync?.stop();
    if (fd !== undefined) {
      try { closeSync(fd); } catch { /* removed below either way */ }
    }
    await rm(this.path, { force: true });
  }
}

/** The pack file a catalog row names; a name that is not a library pack's is refused. */
export function packPath(home: string, pack: string): string {
  if (!/^pack-[0-9a-f-]+\.pack$/.test(pack)) throw new TsmediaError('ELIBRARY_CORRUPT', `The catalog names a pack '${pack}' that is not a library pack name.`);
  return join(packsDir(home), pack);
}

function missingPack(home: string, pack: string): TsmediaError {
  return new TsmediaError('ELIBRARY_MISSING', `The content library lacks pack ${pack}; the library under ${home} was changed outside tsmedia.`, { pack });
}

function corruptBlob(loc: BlobLocation): TsmediaError {
  return new TsmediaError('ELIBRARY_CORRUPT', `Blob ${loc.sha256} in pack ${loc.pack} does not match its hash; the content library is damaged. Re-import the content (Update-CMContent) from its source.`, { sha256: loc.sha256 });
}

/** Opens a blob for reading: the pack's handle and the byte range. */
export async function openBlob(home: string, loc: Pick<BlobLocation, 'pack' | 'offset' | 'size'>): Promise<{ fh: FileHandle; start: number; end: number }> {
  const path = packPath(home, loc.pack);
  let fh: FileHandle;
  try {
    fh = await open(path, 'r');
  } catch {
    throw missingPack(home, loc.pack);
  }
  return { fh, start: loc.offset, end: loc.offset + loc.size };
}

export interface CopyBlobOptions {
  /** A reusable copy buffer (1 MiB when absent). */
  buffer?: Buffer;
  onBytes?: (n: number) => void;
  signal?: AbortSignal;
}

/**
 * Copies a blob out of its pack to `target`, checking its SHA-256 on the way, so a damaged
 * library is never copied out. Written under a temporary name beside the target and renamed when
 * whole. Synchronous (one blob is a run of reads and writes with nothing to wait for in between):
 * callers that copy many yield between blobs.
 */
export function copyBlobToFile(home: string, loc: BlobLocation, target: string, o: CopyBlobOptions = {}): void {
  const buffer = o.buffer ?? Buffer.allocUnsafe(1 << 20);
  let src: number;
  try {
    src = openSync(packPath(home, loc.pack), 'r');
  } catch (err) {
    if (err instanceof TsmediaError) throw err;
    throw missingPack(home, loc.pack);
  }
  const tmp = temporaryPath(target);
  try {
    const dst = openSync(tmp, 'w', 0o644);
    try {
      const hash = createHash('sha256');
      let done = 0;
      while (done < loc.size) {
        if (o.signal?.aborted) throw new TsmediaError('EABORTED', 'The copy out of the content library was interrupted.');
        const n = readSync(src, buffer, 0, Math.min(buffer.length, loc.size - done), loc.offset + done);
        if (n === 0) break;
        const slice = buffer.subarray(0, n);
        hash.update(slice);
        for (let w = 0; w < n;) w += writeSync(dst, slice, w, n - w);
        done += n;
        o.onBytes?.(n);
      }
      if (done !== loc.size || hash.digest('hex') !== loc.sha256) throw corruptBlob(loc);
    } finally {
      closeSync(dst);
    }
    renameSync(tmp, target);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  } finally {
    closeSync(src);
  }
}

/** Reads a whole blob and checks its SHA-256 (for small blobs; stream large ones). */
export async function readBlob(home: string, loc: BlobLocation): Promise<Buffer> {
  const { fh, start } = await openBlob(home, loc);
  try {
    const buf = Buffer.allocUnsafe(loc.size);
    let got = 0;
    while (got < loc.size) {
      const { bytesRead } = await fh.read(buf, got, loc.size - got, start + got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    if (got !== loc.size || createHash('sha256').update(buf).digest('hex') !== loc.sha256) {
      throw corruptBlob(loc);
    }
    return buf;
  } finally {
    await fh.close();
  }
}
