// Imports source files into the content library. Small files travel in batches to the worker
// pool, which reads and hashes them into a shared slot; this thread writes those the library
// lacks to the pack straight from the slot. A large file is copied by a worker straight into a
// range of the pack reserved for it, hashed as it goes, when no blob of its size is held or met
// (then its bytes cannot be held); otherwise it is hashed first and copied only if new. Files
// are taken from the source listing as it is made, and results in order, with a bounded number
// of tasks in flight: the walk, the hashing and the writing overlap, and memory stays bounded
// whatever the source size.
import { inFlightLimit, runTask } from '../pool/pool.js';
import { TsmediaError } from '../errors.js';
import { batchSlot, decodeBatch, writeRecords } from './file-batch.js';
import type { BatchFile, CopyIntoPackTask, HashBatchResult, HashBatchTask, RecordInSlot } from './file-batch.js';
import type { HashFileResult } from './hash-file.js';
import { PackWriter, RECORD_HEADER_BYTES } from './library.js';
import type { BlobLocation } from './library.js';
import type { ManifestFile } from './manifest.js';
import type { SourceFile } from './source-tree.js';

/** Files above this size are copied by a worker rather than passed through memory. */
export const LARGE_FILE = 4 << 20;
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
  /**
   * The SHA-256s among these that the library already holds (asked once per batch, not per file;
   * it may wait for the catalog, which opens while the first files are hashed).
   */
  known(sha256s: readonly string[]): ReadonlySet<string> | Promise<ReadonlySet<string>>;
  /**
   * False when the library holds no blob of this size (of a large file), so the file can be
   * copied while it is hashed; true when it may. Without it, every large file is hashed first.
   */
  mayHoldSize?(size: number): boolean | Promise<boolean>;
  onProgress?: (bytes: number) => void;
  /** Called once the first files are with the pool (work that may wait, such as opening the catalog, goes here). */
  onStarted?: () => void;
  signal?: AbortSignal;
}

type Job = { kind: 'batch'; files: SourceFile[]; slot?: SharedArrayBuffer } | { kind: 'large'; file: SourceFile };

/** Groups files into batches of small files and single large ones, keeping their order. */
export function* planJobs(files: Iterable<SourceFile>): Generator<Job> {
  let batch: SourceFile[] = [];
  let bytes = 0;
  for (const f of files) {
    if (f.size > LARGE_FILE) {
      if (batch.length) yield { kind: 'batch', files: batch };
      batch = [];
      bytes = 0;
      yield { kind: 'large', file: f };
      continue;
    }
    if (batch.length >= BATCH_FILES || bytes + f.size > BATCH_BYTES) {
      yield { kind: 'batch', files: batch };
      batch = [];
      bytes = 0;
    }
    batch.push(f);
    bytes += f.size;
  }
  if (batch.length) yield { kind: 'batch', files: batch };
}

function changed(path: string): TsmediaError {
  return new TsmediaError('ESOURCE_CHANGED', `'${path}' changed while it was being imported; run the import again when the source is stable.`, { path });
}

/** A large file copied into the pack as it was hashed: its SHA-256 (false: it changed) and where. */
interface CopiedFile { copied: string | false; offset: number }
type JobResult = HashBatchResult | HashFileResult | CopiedFile;

export async function importFiles(home: string, files: Iterable<SourceFile>, opts: ImportOptions): Promise<ImportOutcome> {
  const writer = await PackWriter.create(home);
  const manifest: ManifestFile[] = [];
  const added = new Set<string>();
  /** The ones neither the library nor this import holds yet; they count as held from now on. */
  const fresh = async (sha256s: readonly string[]): Promise<Set<string>> => {
    const known = await opts.known(sha256s.filter((h) => !added.has(h)));
    const out = new Set<string>();
    for (const h of sha256s) {
      if (known.has(h) || added.has(h)) continue;
      added.add(h);
      out.add(h);
    }
    return out;
  };
  /** Sizes of the large files met so far: a second file of a size may repeat the first's bytes. */
  const largeSizes = new Set<number>();
  const startLarge = async (file: SourceFile): Promise<HashFileResult | CopiedFile> => {
    const met = largeSizes.has(file.size);
    largeSizes.add(file.size);
    if (!met && opts.mayHoldSize && !(await opts.mayHoldSize(file.size))) {
      // no blob of this size anywhere: these bytes are new, so they are copied while hashed (one read, not two)
      const offset = writer.reserveUnnamed(file.size);
      const task: CopyIntoPackTask = { source: file.absolute, pack: writer.path, offset, size: file.size };
      return { copied: await runTask<string | false>('copyIntoPack', task), offset };
    }
    return runTask<HashFileResult>('hashFile', { path: file.absolute });
  };
  const startJob = (job: Job): Promise<JobResult> => {
    let p: Promise<JobResult>;
    if (job.kind === 'batch') {
      const task: HashBatchTask = { files: job.files.map((f): BatchFile => ({ path: f.absolute, size: f.size })), slot: job.slot! };
      p = runTask<HashBatchResult>('hashBatch', task);
    } else {
      p = startLarge(job.file);
    }
    p.catch(() => {}); // observed in order below; no unhandled rejection meanwhile
    return p;
  };
  const jobs = planJobs(files);
  const limit = inFlightLimit();
  const pending: { job: Job; result: Promise<JobResult> }[] = [];
  const copies: Promise<void>[] = [];
  // Slots are reused, one per batch in flight, so memory stays bounded.
  const slots: SharedArrayBuffer[] = [];
  let listed = false;
  /** Lists and starts jobs (the walk runs here) until `limit` are in flight. */
  const startMore = (): void => {
    while (!listed && pending.length < limit) {
      const next = jobs.next();
      if (next.done) { listed = true; return; }
      const job = next.value;
      if (job.kind === 'batch') job.slot = slots.pop() ?? batchSlot(BATCH_FILES, BATCH_BYTES);
      pending.push({ job, result: startJob(job) });
    }
  };
  try {
    startMore();
    opts.onStarted?.();
    for (; pending.length > 0; startMore()) {
      const { job, result: running } = pending.shift()!;
      if (opts.signal?.aborted) throw new TsmediaError('EABORTED', 'The import was interrupted; nothing was kept.');
      let result: JobResult;
      try {
        result = await running;
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
        const isNew = await fresh(hashed.map((h) => h.sha256));
        hashed.forEach((h, i) => {
          manifest.push({ path: job.files[i]!.path, size: h.size, sha256: h.sha256 });
          // once: a second file with these bytes in the batch is not new after the first
          if (isNew.delete(h.sha256)) records.push({ index: i, at: h.at, size: h.size, offset: writer.reserve(h.sha256, h.size).offset });
        });
        // here, not in a worker: two threads writing one file contend for it in the kernel
        if (records.length) {
          writeRecords({ slot, pack: writer.path, records });
          writer.wrote(records.reduce((n, r) => n + RECORD_HEADER_BYTES + r.size, 0));
        }
        slots.push(slot);
        opts.onProgress?.(job.files.reduce((n, f) => n + f.size, 0));
      } else if (typeof result === 'object' && 'copied' in result) {
        if (result.copied === false) throw changed(job.file.path);
        const size = job.file.size;
        manifest.push({ path: job.file.path, size, sha256: result.copied });
        // new by its size; were it not (a library changed meanwhile), the copy is only unused bytes of the pack
        if ((await fresh([result.copied])).size) writer.recordBlob(result.copied, size, result.offset);
        writer.wrote(RECORD_HEADER_BYTES + size);
        opts.onProgress?.(size);
      } else {
        const r = result as HashFileResult;
        if (r.size !== job.file.size) throw changed(job.file.path);
        manifest.push({ path: job.file.path, size: r.size, sha256: r.sha256 });
        if ((await fresh([r.sha256])).size) {
          const loc = writer.reserve(r.sha256, r.size);
          const task: CopyIntoPackTask = { source: job.file.absolute, pack: writer.path, offset: loc.offset, size: r.size, sha256: r.sha256 };
          const copy = runTask<string | false>('copyIntoPack', task).then((ok) => {
            if (ok === false) throw changed(job.file.path);
            writer.wrote(RECORD_HEADER_BYTES + r.size);
          });
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
    await Promise.allSettled([...pending.map((p) => p.result), ...copies]);
    await writer.abort();
    throw err;
  }
}
