// Imports source files into the content library. Small files travel in batches to the worker
// pool, which reads and hashes them into a shared slot; this thread writes those the library
// lacks to the pack straight from the slot. A large file is hashed in a worker first and, if new,
// copied by a worker straight into a range of the pack reserved for it. Results are taken in order
// with a bounded number of tasks in flight, so memory stays bounded whatever the source size.
import { inFlightLimit, runTask } from '../pool/pool.js';
import { TsmediaError } from '../errors.js';
import { batchSlot, decodeBatch, writeRecords } from './file-batch.js';
import type { BatchFile, CopyIntoPackTask, HashBatchResult, HashBatchTask, RecordInSlot } from './file-batch.js';
import type { HashFileResult } from './hash-file.js';
import { PackWriter } from './library.js';
import type { BlobLocation } from './library.js';
import type { ManifestFile } from './manifest.js';
import type { SourceFile } from './source-tree.js';

/** Files above this size are copied by a worker rather than passed through memory. */
const LARGE_FILE = 4 << 20;
const BATCH_BYTES = 4 << 20;
const BATCH_FILES = 256;

export interface ImportOutcome {
  manifest: ManifestFile[];
  /** Blobs this import added to the library (to record in the catalog). */
  newBlobs: BlobLocation[];
  /** The pack holding them, or undefined when the library already held every blob. */
  pack: PackWriter | undefined;
}

export interface ImportOptions {
  /** The SHA-256s among these that the library already holds (asked once per batch, not per file). */
  known(sha256s: readonly string[]): ReadonlySet<string>;
  onProgress?: (bytes: number) => void;
  signal?: AbortSignal;
}

type Job = { kind: 'batch'; files: SourceFile[]; slot?: SharedArrayBuffer } | { kind: 'large'; file: SourceFile };

/** Groups files into batches of small files and single large ones, keeping their order. */
export function planJobs(files: readonly SourceFile[]): Job[] {
  const jobs: Job[] = [];
  let batch: SourceFile[] = [];
  let bytes = 0;
  const flush = (): void => {
    if (batch.length) jobs.push({ kind: 'batch', files: batch });
    batch = [];
    bytes = 0;
  };
  for (const f of files) {
    if (f.size > LARGE_FILE) {
      flush();
      jobs.push({ kind: 'large', file: f });
      continue;
    }
    if (batch.length >= BATCH_FILES || bytes + f.size > BATCH_BYTES) flush();
    batch.push(f);
    bytes += f.size;
  }
  flush();
  return jobs;
}

function changed(path: string): TsmediaError {
  return new TsmediaError('ESOURCE_CHANGED', `'${path}' changed while it was being imported; run the import again when the source is stable.`, { path });
}

function startJob(job: Job): Promise<HashBatchResult | HashFileResult> {
  let p: Promise<HashBatchResult | HashFileResult>;
  if (job.kind === 'batch') {
    const task: HashBatchTask = { files: job.files.map((f): BatchFile => ({ path: f.absolute, size: f.size })), slot: job.slot! };
    p = runTask<HashBatchResult>('hashBatch', task);
  } else {
    p = runTask<HashFileResult>('hashFile', { path: job.file.absolute });
  }
  p.catch(() => {}); // observed in order below; no unhandled rejection meanwhile
  return p;
}

export async function importFiles(home: string, files: readonly SourceFile[], opts: ImportOptions): Promise<ImportOutcome> {
  const writer = await PackWriter.create(home);
  const manifest: ManifestFile[] = [];
  const added = new Set<string>();
  /** The ones neither the library nor this import holds yet; they count as held from now on. */
  const fresh = (sha256s: readonly string[]): Set<string> => {
    const known = opts.known(sha256s.filter((h) => !added.has(h)));
    const out = new Set<string>();
    for (const h of sha256s) {
      if (known.has(h) || added.has(h)) continue;
      added.add(h);
      out.add(h);
    }
    return out;
  };
  const jobs = planJobs(files);
  const limit = inFlightLimit();
  const pending: Promise<HashBatchResult | HashFileResult>[] = [];
  const copies: Promise<void>[] = [];
  // Slots are reused, one per batch in flight, so memory stays bounded.
  const slots: SharedArrayBuffer[] = [];
  let next = 0;
  try {
    for (const job of jobs) {
      while (next < jobs.length && pending.length < limit) {
        const upcoming = jobs[next++]!;
        if (upcoming.kind === 'batch') upcoming.slot = slots.pop() ?? batchSlot(BATCH_FILES, BATCH_BYTES);
        pending.push(startJob(upcoming));
      }
      if (opts.signal?.aborted) throw new TsmediaError('EABORTED', 'The import was interrupted; nothing was kept.');
      let result: HashBatchResult | HashFileResult;
      try {
        result = await pending.shift()!;
      } catch (err) {
        const where = job.kind === 'large' ? job.file.path : `${job.files[0]!.path} (or a file after it)`;
        throw new TsmediaError('ESOURCE_UNREADABLE', `Cannot read '${where}' from the source: ${(err as Error).message}`);
      }
      if (job.kind === 'batch') {
        if (result !== true) {
          if (typeof result === 'object' && 'changed' in result) throw changed(result.changed);
          throw new TsmediaError('EINTERNAL', 'A batch hash task returned no result.');
        }
        const slot = job.slot!;
        const records: RecordInSlot[] = [];
        const hashed = decodeBatch(slot, job.files.map((f) => f.size));
        const isNew = fresh(hashed.map((h) => h.sha256));
        hashed.forEach((h, i) => {
          manifest.push({ path: job.files[i]!.path, size: h.size, sha256: h.sha256 });
          // once: a second file with these bytes in the batch is not new after the first
          if (isNew.delete(h.sha256)) records.push({ index: i, at: h.at, size: h.size, offset: writer.reserve(h.sha256, h.size).offset });
        });
        // here, not in a worker: two threads writing one file contend for it in the kernel
        if (records.length) writeRecords({ slot, pack: writer.path, records });
        slots.push(slot);
        opts.onProgress?.(job.files.reduce((n, f) => n + f.size, 0));
      } else {
        const r = result as HashFileResult;
        if (r.size !== job.file.size) throw changed(job.file.path);
        manifest.push({ path: job.file.path, size: r.size, sha256: r.sha256 });
        if (fresh([r.sha256]).size) {
          const loc = writer.reserve(r.sha256, r.size);
          const task: CopyIntoPackTask = { source: job.file.absolute, pack: writer.path, offset: loc.offset, size: r.size, sha256: r.sha256 };
          const copy = runTask<boolean>('copyIntoPack', task).then((ok) => { if (!ok) throw changed(job.file.path); });
          copy.catch(() => {});
          copies.push(copy);
        }
        opts.onProgress?.(r.size);
      }
    }
    await Promise.all(copies);
    const kept = await writer.finish();
    return { manifest, newBlobs: writer.blobs, pack: kept ? writer : undefined };
  } catch (err) {
    await Promise.allSettled([...pending, ...copies]);
    await writer.abort();
    throw err;
  }
}
