// Writes a response body into a file at an offset, keeping every byte that arrived. A stream that
// is destroyed (the server dropped the connection) throws away what it had buffered, and an async
// iterator stops at once, so bytes already received would be lost and a resume would ask for them
// again. Here the body is consumed as it arrives (flowing mode, paused only when the disk falls
// behind by HIGH_WATER bytes) and the write queue is always finished before the outcome is told.
import type { IncomingMessage } from 'node:http';
import type { FileHandle } from 'node:fs/promises';

const HIGH_WATER = 8 << 20;
const LOW_WATER = 1 << 20;

export interface BodyOutcome {
  /** The file offset after the last byte written. */
  at: number;
  /** Why the body ended early (connection broken, disk error); undefined when it ended normally. */
  error: Error | undefined;
  /** The server sent more than `limit` bytes; the excess was not written. */
  overflow: boolean;
}

export function bodyToFile(res: IncomingMessage, fh: FileHandle, offset: number, limit: number, onChunk: (chunk: Buffer, at: number) => void): Promise<BodyOutcome> {
  return new Promise((resolve) => {
    const queue: Buffer[] = [];
    let queued = 0;
    let at = offset;
    let received = offset;
    let writing = false;
    let finished = false;
    let settled = false;
    let error: Error | undefined;
    let overflow = false;
    const settle = (): void => {
      if (settled || !finished || writing || queue.length > 0) return;
      settled = true;
      resolve({ at, error, overflow });
    };
    const stop = (why?: Error): void => {
      if (why) error ??= why;
      finished = true;
      settle();
    };
    const pump = async (): Promise<void> => {
      if (writing) return;
      writing = true;
      try {
        while (queue.length > 0) {
          const c = queue.shift()!;
          queued -= c.length;
          await fh.write(c, 0, c.length, at);
          at += c.length;
          onChunk(c, at);
          if (queued < LOW_WATER && res.isPaused() && !finished) res.resume();
        }
      } catch (err) {
        queue.length = 0;
        res.destroy();
        error ??= err as Error;
        finished = true;
      }
      writing = false;
      settle();
    };
    res.on('data', (c: Buffer) => {
      if (finished) return;
      if (received + c.length > limit) {
        overflow = true;
        res.destroy();
        stop();
        return;
      }
      received += c.length;
      queue.push(c);
      queued += c.length;
      if (queued > HIGH_WATER) res.pause();
      void pump();
    });
    res.on('end', () => stop());
    res.on('error', (err) => stop(err));
    res.on('close', () => { if (!finished) stop(new Error('the connection closed')); });
  });
}
