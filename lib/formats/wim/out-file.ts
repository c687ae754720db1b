// A buffered, seekable output file for the WIM writer (edge module). Writes append at `pos`;
// rewind() discards data (a duplicate blob), patch() fills reserved bytes (a chunk table).
import { closeSync, ftruncateSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { BackgroundSync, SYNC_EVERY } from '../../background-sync.js';

const BUFFER_SIZE = 4 * 1024 * 1024;

export class OutFile {
  readonly fd: number;
  /** The buffer; bytes [0, len) belong at file offset `start`. */
  buf: Buffer = Buffer.allocUnsafe(BUFFER_SIZE);
  len = 0;
  start = 0;
  /** Set for a file that finish() will fsync: its data goes to the disk while it is written. */
  private readonly sync: BackgroundSync | undefined;
  private closed = false;

  constructor(path: string, flags = 'wx', opts: { durable?: boolean } = {}) {
    this.fd = openSync(path, flags, 0o644);
    this.sync = opts.durable ? new BackgroundSync(this.fd, SYNC_EVERY) : undefined;
  }

  get pos(): number { return this.start + this.len; }

  write(bytes: Uint8Array): void {
    let off = 0;
    while (off < bytes.length) {
      if (this.len === this.buf.length) this.flush();
      const n = Math.min(bytes.length - off, this.buf.length - this.len);
      this.buf.set(bytes.subarray(off, off + n), this.len);
      this.len += n;
      off += n;
    }
  }

  /** Room for at least one byte at the end of the buffer, flushing when full. */
  room(): number {
    if (this.len === this.buf.length) this.flush();
    return this.buf.length - this.len;
  }

  flush(): void {
    let off = 0;
    while (off < this.len) off += writeSync(this.fd, this.buf, off, this.len - off, this.start + off);
    this.sync?.wrote(this.len);
    this.start += this.len;
    this.len = 0;
  }

  /** Moves the write position back to `to`; later writes overwrite what was there. */
  rewind(to: number): void {
    if (to >= this.start) { this.len = to - this.start; return; }
    this.flush();
    this.start = to;
  }

  /** Overwrites bytes at an earlier offset (inside the buffer or already on disk). */
  patch(at: number, bytes: Uint8Array): void {
    if (at + bytes.length > this.pos) throw new RangeError('patch beyond the written data');
    const inBuf = Math.min(bytes.length, Math.max(0, at + bytes.length - this.start));
    const onDisk = bytes.length - inBuf;
    let off = 0;
    while (off < onDisk) off += writeSync(this.fd, bytes, off, onDisk - off, at + off);
    if (inBuf > 0) this.buf.set(bytes.subarray(onDisk), at + onDisk - this.start);
  }

  /** Flushes, cuts the file at the current position, optionally syncs, and closes. */
  finish(fsync: boolean): void {
    this.flush();
    ftruncateSync(this.fd, this.start);
    if (fsync) fsyncSync(this.fd);
    this.close();
  }

  /**
   * Closes the file once (a second close could hit a descriptor reused since). A background flush
   * still running keeps the descriptor open until it ends; the file may be renamed meanwhile.
   */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    const fd = this.fd;
    const closeQuietly = (): void => { try { closeSync(fd); } catch { /* nothing left to release */ } };
    if (this.sync) void this.sync.stop().then(closeQuietly);
    else closeQuietly();
  }
}
