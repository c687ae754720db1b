// Durable files written in one go (a library pack, a WIM): every `every` bytes, what was written
// so far goes to the disk in the background (fdatasync on libuv's thread pool) while writing goes
// on. Otherwise the kernel holds the whole file's pages dirty until the end, and the fsync that
// makes the file durable waits for all of them (0.3 s for 430 MB here). An error shows again in
// that final fsync, so it is left to it.
import { fdatasync } from 'node:fs';

/** Bytes between background flushes. */
export const SYNC_EVERY = 64 << 20;

export class BackgroundSync {
  private unsynced = 0;
  private syncing: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly fd: number, private readonly every = SYNC_EVERY) {}

  /** Counts bytes written; starts a flush when `every` more are waiting and none is running. */
  wrote(bytes: number): void {
    this.unsynced += bytes;
    if (this.unsynced < this.every || this.syncing || this.stopped) return;
    this.unsynced = 0;
    this.syncing = new Promise<void>((done) => fdatasync(this.fd, () => done())).finally(() => { this.syncing = undefined; });
  }

  /** Starts no more flushes; resolves once the running one is done (the descriptor may then close). */
  stop(): Promise<void> {
    this.stopped = true;
    return this.syncing ?? Promise.resolve();
  }
}
