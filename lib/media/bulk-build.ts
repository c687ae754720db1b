// Many media in one run (Invoke-TSMediaBuild): every build shares one MediaBuildSession per
// staging folder (each library blob read and checked once), the process's worker pool and the
// catalog (writes are locked and atomic, so builds finishing together all land), and at most
// `throttleLimit` builds run at once. A failure cancels the rest unless continueOnError; an
// interrupt cancels every unfinished build, which leaves no output (buildMedia removes its
// partials). With resume, an entry whose output is on record, whole, and would get the same media
// id from today's content revisions and its parameters is skipped.
import { statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { resolve } from 'node:path';
import { readCatalog } from '../catalog/catalog.js';
import { listMedia } from '../catalog/media.js';
import type { MediaRecord } from '../catalog/media.js';
import { TsmediaError } from '../errors.js';
import { volumePath } from '../formats/iso/build-image.js';
import type { StagerStats } from './blob-stager.js';
import { buildMedia, MediaBuildSession, plannedMediaId } from './build-media.js';
import type { MediaRequest } from './build-media.js';

export type BulkStatus = 'Built' | 'Skipped' | 'Failed' | 'Cancelled';

export interface BulkJob {
  /** 1-based position in the manifest. */
  index: number;
  /** How reports name the entry. */
  label: string;
  request: MediaRequest;
}

export interface BulkRow {
  Entry: string;
  Kind: string;
  Output: string;
  SizeBytes: number | null;
  ContentItems: number | null;
  Seconds: number;
  Status: BulkStatus;
  Error: string | null;
  MediaId: string | null;
}

export interface BulkOptions {
  /** The build clock (SOURCE_DATE_EPOCH when set). */
  now: Date;
  throttleLimit: number;
  continueOnError: boolean;
  resume: boolean;
  signal?: AbortSignal | undefined;
  onStart?: ((job: BulkJob) => void) | undefined;
  onProgress?: ((job: BulkJob, phase: 'Staging' | 'Writing', done: number, total: number) => void) | undefined;
  onEnd?: ((job: BulkJob, row: BulkRow) => void) | undefined;
}

export interface BulkResult {
  /** One row per job, in manifest order. */
  rows: BulkRow[];
  /** What the shared stagers read and checked, over all builds. */
  stats: StagerStats;
  /** The failure that stopped the run (no continueOnError), if any. */
  firstFailure?: { job: BulkJob; error: unknown };
}

/** Every file a recorded medium consists of (the volumes of a CD/DVD set). */
function volumesOf(m: MediaRecord): string[] {
  return m.MediaType === 'CdDvd' ? Array.from({ length: m.VolumeCount }, (_, k) => volumePath(m.Path, k + 1)) : [m.Path];
}

/** The recorded medium's files are all there with the recorded total size. */
function wholeOnDisk(m: MediaRecord): boolean {
  let bytes = 0;
  for (const v of volumesOf(m)) {
    try { bytes += statSync(v).size; } catch { return false; }
  }
  return bytes === m.SizeBytes;
}

type ResumeDecision = { skip: MediaRecord } | { replace: boolean };

/**
 * Whether the output on record is this entry's medium already. The media id carries the build
 * time, so the would-be id is computed at the recorded time: equal ids mean the same content
 * revisions and the same parameters. A stale or damaged output that tsmedia recorded is replaced.
 */
async function resumeDecision(home: string, req: MediaRequest, now: Date): Promise<ResumeDecision> {
  const path = resolve(req.path);
  const records = await readCatalog(home, now, (db) => listMedia(db, { mediaId: path }).filter((m) => m.Path === path));
  const last = records.at(-1);
  if (!last) return { replace: false };
  if (wholeOnDisk(last) && (await plannedMediaId(home, req, now, new Date(last.Created))) === last.MediaId) return { skip: last };
  // what is at the path is tsmedia's own output, stale or damaged: rebuilt over it
  return { replace: true };
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

const seconds = (ms: number): number => Math.round(ms / 10) / 100;

/** Runs the jobs; never throws for a job's failure (its row says why). */
export async function runBulkBuild(home: string, jobs: readonly BulkJob[], opts: BulkOptions): Promise<BulkResult> {
  const run = new AbortController();
  const onOuterAbort = (): void => run.abort(opts.signal?.reason);
  if (opts.signal?.aborted) run.abort(opts.signal.reason);
  opts.signal?.addEventListener('abort', onOuterAbort, { once: true });
  // hard links join staged blobs to media trees, so each staging folder has its own session
  const sessions = new Map<string, MediaBuildSession>();
  const sessionFor = (req: MediaRequest): MediaBuildSession => {
    const root = req.temporaryFolder ?? tmpdir();
    let s = sessions.get(root);
    if (!s) sessions.set(root, (s = new MediaBuildSession(home, root)));
    return s;
  };
  const rows: BulkRow[] = jobs.map((j) => ({
    Entry: j.label, Kind: j.request.kind, Output: resolve(j.request.path), SizeBytes: null, ContentItems: null, Seconds: 0,
    Status: 'Cancelled', Error: null, MediaId: null,
  }));
  const result: BulkResult = { rows, stats: { blobChecks: 0, distinctBlobs: 0, bytesChecked: 0 } };

  const one = async (k: number): Promise<void> => {
    const job = jobs[k]!;
    const row = rows[k]!;
    const started = performance.now();
    opts.onStart?.(job);
    try {
      let req = job.request;
      if (opts.resume) {
        const d = await resumeDecision(home, req, opts.now);
        if ('skip' in d) {
          Object.assign(row, { Status: 'Skipped', SizeBytes: d.skip.SizeBytes, ContentItems: d.skip.Content.length, MediaId: d.skip.MediaId });
          return;
        }
        if (d.replace) req = { ...req, force: true };
      }
      const built = await buildMedia(home, req, {
        now: opts.now, signal: run.signal, session: sessionFor(req),
        onProgress: (phase, done, total) => opts.onProgress?.(job, phase, done, total),
      });
      Object.assign(row, { Status: 'Built', SizeBytes: built.SizeBytes, ContentItems: built.ContentItems, MediaId: built.MediaId });
    } catch (e) {
      if (run.signal.aborted) {
        row.Status = 'Cancelled';
      } else {
        Object.assign(row, { Status: 'Failed', Error: errorText(e) });
        if (!opts.continueOnError) {
          result.firstFailure = { job, error: e };
          run.abort(new TsmediaError('ECANCELLED', `Cancelled: ${job.label} failed.`));
        }
      }
    } finally {
      row.Seconds = seconds(performance.now() - started);
      opts.onEnd?.(job, row);
    }
  };

  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < jobs.length && !run.signal.aborted) await one(next++);
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.throttleLimit, jobs.length)) }, lane));
  } finally {
    opts.signal?.removeEventListener('abort', onOuterAbort);
    for (const s of sessions.values()) {
      const st = s.stager.stats();
      result.stats.blobChecks += st.blobChecks;
      result.stats.distinctBlobs += st.distinctBlobs;
      result.stats.bytesChecked += st.bytesChecked;
      s.dispose();
    }
  }
  return result;
}
