// Edge: streams an IsoPlan to a file. Output goes through two reused buffers: one is written
// (asynchronously, by libuv's thread pool, in large positional writes) while the next fills.
// Sources are read synchronously straight into the output buffer: on the main thread, that
// overlaps with the write in flight and costs a third of promise-based reads for the thousands
// of small files media hold. Memory: 2 x bufferSize. All-zero output chunks are skipped (the
// file is extended at the end), so sparse inputs give sparse images. The image is written as
// `<out>.partial-<pid>` and renamed when whole; on any failure the partial file is removed.
import { closeSync, openSync, readSync } from 'node:fs';
import { open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { TsmediaError } from '../../errors.js';
import { checkAborted } from './aborted.js';
import { patchBootInfoTable } from './boot-info-table.js';
import { SECTOR, type IsoPlan, type FileNode } from './layout.js';

export interface WriteIsoOptions {
  signal?: AbortSignal | undefined;
  /** Called after each output chunk with bytes written so far and the image size. */
  onProgress?: ((done: number, total: number) => void) | undefined;
  /** Bytes per output buffer (default 4 MiB; two are used). */
  bufferSize?: number;
}

const DEFAULT_BUFFER = 4 * 1024 * 1024;
const MAX_BOOT_INFO_IMAGE = 16 * 1024 * 1024;
const ZERO = Buffer.alloc(64 * 1024);
const ONE = Buffer.alloc(1);

function isZero(b: Buffer, end: number): boolean {
  for (let off = 0; off < end; off += ZERO.length) {
    const n = Math.min(ZERO.length, end - off);
    if (b.compare(ZERO, 0, n, off, off + n) !== 0) return false;
  }
  return true;
}

function changed(f: FileNode, why: string): TsmediaError {
  return new TsmediaError('EISO_SOURCE_CHANGED', `"${f.source}" ${why} since the layout was planned (expected ${f.size} bytes); build the image again`, { path: f.path });
}

function openSource(f: FileNode): number {
  try {
    return openSync(f.source, 'r');
  } catch (e) {
    throw new TsmediaError('EISO_SOURCE', `cannot read "${f.source}": ${(e as Error).message}`, { path: f.path });
  }
}

/**
 * Reads from fd at pos into buf[off, off+len) until len bytes or end of file; returns the count.
 */
function readFully(fd: number, buf: Buffer, off: number, len: number, pos: number): number {
  let done = 0;
  while (done < len) {
    const n = readSync(fd, buf, off + done, len - done, pos + done);
    if (n === 0) break;
    done += n;
  }
  return done;
}

class Sink {
  private bufs: [Buffer, Buffer];
  private cur: Buffer;
  private fill = 0;
  private base = 0;                 // image offset of cur[0]
  private writing: Promise<void> | undefined;

  constructor(private fh: FileHandle, size: number, private total: number, private signal: AbortSignal | undefined, private progress?: (done: number, total: number) => void) {
    this.bufs = [Buffer.allocUnsafe(size), Buffer.allocUnsafe(size)];
    this.cur = this.bufs[0];
  }

  get position(): number { return this.base + this.fill; }
  private get space(): number { return this.cur.length - this.fill; }

  async flush(): Promise<void> {
    checkAborted(this.signal); // also inside one huge file
    if (this.fill === 0) return;
    await this.writing;
    const buf = this.cur;
    const len = this.fill;
    const at = this.base;
    this.writing = isZero(buf, len) ? undefined : this.fh.write(buf, 0, len, at).then(({ bytesWritten }) => {
      if (bytesWritten !== len) throw new TsmediaError('EISO_WRITE', `short write at byte ${at}`);
    });
    this.writing?.catch(() => {}); // awaited later; never an unhandled rejection meanwhile
    this.base += len;
    this.fill = 0;
    this.cur = buf === this.bufs[0] ? this.bufs[1] : this.bufs[0];
    this.progress?.(this.base, this.total);
  }

  /** After a failure: lets the write in flight finish (or fail) before the file is closed. */
  async settle(): Promise<void> {
    await this.writing?.catch(() => {});
  }

  async done(): Promise<void> {
    await this.flush();
    const w = this.writing;
    this.writing = undefined;
    await w;
  }

  async zeros(n: number): Promise<void> {
    while (n > 0) {
      if (this.space === 0) await this.flush();
      const k = Math.min(n, this.space);
      this.cur.fill(0, this.fill, this.fill + k);
      this.fill += k;
      n -= k;
    }
  }

  async bytes(b: Buffer): Promise<void> {
    let off = 0;
    while (off < b.length) {
      if (this.space === 0) await this.flush();
      const k = Math.min(b.length - off, this.space);
      b.copy(this.cur, this.fill, off, off + k);
      this.fill += k;
      off += k;
    }
  }

  /** Copies a file, checks it still has its planned size, and pads it to whole sectors. */
  async file(f: FileNode): Promise<void> {
    const padded = Math.ceil(f.size / SECTOR) * SECTOR;
    const fd = openSource(f);
    try {
      if (padded <= this.space) {
        // one read; asking for a byte more (into the padding) also tells whether the file grew
        const want = padded > f.size ? f.size + 1 : f.size;
        const got = readFully(fd, this.cur, this.fill, want, 0);
        if (got < f.size) throw changed(f, 'shrank');
        if (got > f.size || (want === f.size && readSync(fd, ONE, 0, 1, f.size) !== 0)) throw changed(f, 'grew');
        this.cur.fill(0, this.fill + f.size, this.fill + padded);
        this.fill += padded;
        return;
      }
      let done = 0;
      while (done < f.size) {
        if (this.space === 0) await this.flush();
        const want = Math.min(f.size - done, this.space);
        const got = readFully(fd, this.cur, this.fill, want, done);
        if (got < want) throw changed(f, 'shrank');
        this.fill += got;
        done += got;
      }
      if (readSync(fd, ONE, 0, 1, f.size) !== 0) throw changed(f, 'grew');
    } finally {
      closeSync(fd);
    }
    await this.zeros(padded - f.size);
  }
}

/** Reads a whole (small) source file, checking its size. */
function readSmall(f: FileNode): Buffer {
  const b = Buffer.alloc(f.size + 1);
  const fd = openSource(f);
  try {
    const got = readFully(fd, b, 0, f.size + 1, 0);
    if (got !== f.size) throw changed(f, got < f.size ? 'shrank' : 'grew');
  } finally {
    closeSync(fd);
  }
  return b.subarray(0, f.size);
}

/** Writes the planned image to outPath (atomically). Returns the image size in bytes. */
export async function writeIsoImage(plan: IsoPlan, outPath: string, opts: WriteIsoOptions = {}): Promise<number> {
  const total = plan.totalSectors * SECTOR;
  const tmp = `${outPath}.partial-${process.pid}`;
  const fh = await open(tmp, 'w').catch((e: NodeJS.ErrnoException) => {
    throw new TsmediaError('EISO_OUTPUT', `cannot create "${tmp}": ${e.code === 'ENOENT' ? 'its folder does not exist' : e.message}`, { path: outPath });
  });
  let ok = false;
  const sink = new Sink(fh, opts.bufferSize ?? DEFAULT_BUFFER, total, opts.signal, opts.onProgress);
  try {
    const bootPatch = new Map(plan.boot.filter((b) => b.bootInfoTable).map((b) => [b.file, b]));
    for (const r of plan.regions) {
      checkAborted(opts.signal);
      const at = r.lba * SECTOR;
      if (at < sink.position) throw new TsmediaError('EISO_PLAN', `region overlap at sector ${r.lba}`);
      await sink.zeros(at - sink.position);
      if (r.kind === 'meta') {
        for (const b of r.render()) await sink.bytes(b);
        if (sink.position !== at + r.sectors * SECTOR) throw new TsmediaError('EISO_PLAN', `the ${r.name} region rendered ${sink.position - at} bytes, planned ${r.sectors * SECTOR}`);
      } else if (bootPatch.has(r.file)) {
        if (r.file.size > MAX_BOOT_INFO_IMAGE) throw new TsmediaError('EISO_BOOT_FILE', `a boot image with a boot info table must be under ${MAX_BOOT_INFO_IMAGE} bytes`);
        await sink.bytes(patchBootInfoTable(readSmall(r.file), plan.pvdLba, r.lba));
        await sink.zeros(r.sectors * SECTOR - r.file.size);
      } else {
        await sink.file(r.file);
      }
    }
    await sink.zeros(total - sink.position);
    await sink.done();
    await fh.truncate(total);
    ok = true;
  } finally {
    if (!ok) await sink.settle();
    await fh.close();
    if (!ok) await unlink(tmp).catch(() => {});
  }
  await rename(tmp, outPath);
  return total;
}
