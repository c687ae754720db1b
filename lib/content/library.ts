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
import { closeSync, fsync, openSync, writeSync } from 'node:fs';
import { mkdir, open, rm } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { TsmediaError } from '../errors.js';

export const PACK_MAGIC = Buffer.from('TSMPACK1', 'latin1');
const RECORD_MAGIC = Buffer.from('TSMB', 'latin1');
const RECORD_HEADER_BYTES = 44;
// 256 KiB: on this kernel 1-4 MiB write calls cost several times the system time of 64-256 KiB ones.
const WRITE_BUFFER_BYTES = 256 << 10;

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

function recordHeader(sha256: Buffer, size: number): Buffer {
  const h = Buffer.alloc(RECORD_HEADER_BYTES);
  RECORD_MAGIC.copy(h, 0);                // magic    4 bytes
  h.writeBigUInt64LE(BigInt(size), 4);     // size     8 bytes
  sha256.copy(h, 12);                      // sha256  32 bytes
  return h;
}

/**
 * Appends blobs to a new pack, buffering small writes into sequential ones of WRITE_BUFFER_BYTES.
 * Appends are synchronous: a pool round trip for each 256 KiB write made this thread, not the
 * hashing workers, set the pace of an import, and the thread has nothing else to do meanwhile.
 */
export class PackWriter {
  private fd: number | undefined;
  private position = 0;
  private buffer = Buffer.allocUnsafe(WRITE_BUFFER_BYTES);
  private buffered = 0;
  readonly blobs: BlobLocation[] = [];

  private constructor(readonly home: string, readonly name: string, readonly path: string) {}

  static async create(home: string): Promise<PackWriter> {
    const dir = packsDir(home);
    await mkdir(dir, { recursive: true });
    const name = `pack-${randomUUID()}.pack`;
    const w = new PackWriter(home, name, join(dir, name));
    w.fd = openSync(w.path, 'wx', 0o644);
    w.write(PACK_MAGIC);
    return w;
  }

  /** Copies bytes into the buffer, flushing it whenever it fills: every write call is one buffer's size. */
  private write(bytes: Uint8Array): void {
    let from = 0;
    while (from < bytes.length) {
      if (this.buffered === this.buffer.length) this.flush();
      const n = Math.min(bytes.length - from, this.buffer.length - this.buffered);
      this.buffer.set(bytes.subarray(from, from + n), this.buffered);
      this.buffered += n;
      from += n;
    }
  }

  private flush(): void {
    let done = 0;
    while (done < this.buffered) done += writeSync(this.fd!, this.buffer, done, this.buffered - done, this.position + done);
    this.position += this.buffered;
    this.buffered = 0;
  }

  private get offset(): number {
    return this.position + this.buffered;
  }

  /** Appends a blob whose bytes are in memory (copied: the caller may reuse them on return). */
  append(sha256Hex: string, data: Uint8Array): BlobLocation {
    this.write(recordHeader(Buffer.from(sha256Hex, 'hex'), data.length));
    const loc = { sha256: sha256Hex, size: data.length, pack: this.name, offset: this.offset };
    this.write(data);
    this.blobs.push(loc);
    return loc;
  }

  /**
   * Reserves a range for a blob that a worker copies in (copyIntoPack), so large files never pass
   * through this thread. Later appends go after the range.
   */
  reserve(sha256Hex: string, size: number): BlobLocation {
    this.write(recordHeader(Buffer.from(sha256Hex, 'hex'), size));
    this.flush();
    const loc = { sha256: sha256Hex, size, pack: this.name, offset: this.position };
    this.position += size;
    this.blobs.push(loc);
    return loc;
  }

  /** Makes the pack durable (one fsync, after every blob is in); returns false (and removes it) when it holds no blob. */
  async finish(): Promise<boolean> {
    this.flush();
    if (this.blobs.length === 0) {
      await this.abort();
      return false;
    }
    const fd = this.fd!;
    this.fd = undefined;
    try {
      await new Promise<void>((done, fail) => fsync(fd, (err) => (err ? fail(err) : done())));
    } finally {
      closeSync(fd);
    }
    return true;
  }

  /** Removes the pack: an import that failed leaves nothing in the library. */
  async abort(): Promise<void> {
    if (this.fd !== undefined) {
      try { closeSync(this.fd); } catch { /* removed below either way */ }
    }
    this.fd = undefined;
    await rm(this.path, { force: true });
  }
}

/** Opens a blob for reading: the pack's handle and the byte range. */
export async function openBlob(home: string, loc: Pick<BlobLocation, 'pack' | 'offset' | 'size'>): Promise<{ fh: FileHandle; start: number; end: number }> {
  if (!/^pack-[0-9a-f-]+\.pack$/.test(loc.pack)) throw new TsmediaError('ELIBRARY_CORRUPT', `The catalog names a pack '${loc.pack}' that is not a library pack name.`);
  let fh: FileHandle;
  try {
    fh = await open(join(packsDir(home), loc.pack), 'r');
  } catch {
    throw new TsmediaError('ELIBRARY_MISSING', `The content library lacks pack ${loc.pack}; the library under ${home} was changed outside tsmedia.`, { pack: loc.pack });
  }
  return { fh, start: loc.offset, end: loc.offset + loc.size };
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
      throw new TsmediaError('ELIBRARY_CORRUPT', `Blob ${loc.sha256} in pack ${loc.pack} does not match its hash; the content library is damaged.`, { sha256: loc.sha256 });
    }
    return buf;
  } finally {
    await fh.close();
  }
}
