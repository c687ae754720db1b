// Invoke-TSMediaBuild: many media from one manifest (issue 7). Every entry is bound with the real
// binder against its media cmdlet and turned into a build request before anything is built, so a
// bad entry is one usage error naming it; then lib/media/bulk-build runs the builds.
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { PartialFailure, TsmediaError, UsageError } from '../errors.js';
import { entryName, parseManifest } from '../media/build-manifest.js';
import type { ManifestEntry } from '../media/build-manifest.js';
import { runBulkBuild } from '../media/bulk-build.js';
import type { BulkJob, BulkRow } from '../media/bulk-build.js';
import { bindParameters } from '../shell/binder.js';
import type { CmdletContext, CmdletSpec, ProgressHandle } from '../shell/types.js';
import { mediaBuilders, mediaRequestFrom } from './media.js';
import type { MediaParams } from './media.js';
import { readInputFile } from './read-input-file.js';

interface Params { Manifest: string; ThrottleLimit?: number; ContinueOnError?: boolean; Resume?: boolean }

const MAX_MANIFEST = 16 << 20;
/** Short kinds a manifest may give instead of a cmdlet name. */
const KIND_WORDS: Readonly<Record<string, string>> = {
  capture: 'Capture', bootable: 'Bootable', standalone: 'StandAlone', prestaged: 'Prestaged', prestage: 'Prestaged',
};

type Builder = (typeof mediaBuilders)[number];

function builderFor(e: ManifestEntry, where: string): Builder {
  const byName = e.cmdlet === undefined ? undefined : mediaBuilders.find((b) => b.spec.name.toLowerCase() === e.cmdlet!.toLowerCase());
  if (e.cmdlet !== undefined && !byName) throw new UsageError('EMANIFEST', `${where}: '${e.cmdlet}' is not a media cmdlet; use ${mediaBuilders.map((b) => b.spec.name).join(', ')}.`);
  const kind = e.kind === undefined ? undefined : KIND_WORDS[e.kind.toLowerCase().replace(/[-_ ]/g, '')];
  if (e.kind !== undefined && !kind) throw new UsageError('EMANIFEST', `${where}: Kind '${e.kind}' is not a media kind; use Capture, Bootable, StandAlone or Prestaged.`);
  const byKind = kind === undefined ? undefined : mediaBuilders.find((b) => b.kind === kind);
  if (byName && byKind && byName !== byKind) throw new UsageError('EMANIFEST', `${where}: Cmdlet ${byName.spec.name} builds ${byName.kind} media, not ${byKind.kind}; give one of Cmdlet and Kind.`);
  const b = byName ?? byKind;
  if (!b) throw new UsageError('EMANIFEST', `${where}: name the build with a Cmdlet (${mediaBuilders.map((x) => x.spec.name).join(', ')}) or a Kind.`);
  return b;
}

/** The entry's name before a message from the binder or the request checks. */
function inEntry(where: string, entry: number, e: unknown): never {
  if (e instanceof UsageError) throw new UsageError(e.code, `${where}: ${e.message}`, { ...e.data, entry });
  if (e instanceof TsmediaError) throw new TsmediaError(e.code, `${where}: ${e.message}`, { ...e.data, entry });
  throw e;
}

/** Every entry bound and checked, or the first bad one as a usage error; nothing is built here. */
async function jobsFrom(entries: readonly ManifestEntry[], source: string, ctx: CmdletContext): Promise<{ job: BulkJob; cmdlet: string }[]> {
  const out: { job: BulkJob; cmdlet: string }[] = [];
  const outputs = new Map<string, ManifestEntry>();
  for (const e of entries) {
    const where = `${source} ${entryName(e)}`;
    const b = builderFor(e, where);
    let request;
    try {
      const binding = bindParameters(b.spec, e.tokens);
      const common = Object.keys(binding.common);
      if (common.length > 0) throw new UsageError('EMANIFEST', `-${common[0]} applies to the whole run: give it to Invoke-TSMediaBuild, not in an entry.`, { parameter: common[0] });
      request = await mediaRequestFrom(b.kind, binding.params as unknown as MediaParams, ctx);
    } catch (err) {
      inEntry(where, e.index, err);
    }
    const twin = outputs.get(request.path);
    if (twin) throw new UsageError('EMANIFEST', `${where}: writes ${request.path}, as ${entryName(twin)} does; give each medium its own -Path.`, { path: request.path });
    outputs.set(request.path, e);
    out.push({ job: { index: e.index, label: e.label, request }, cmdlet: b.spec.name });
  }
  return out;
}

/** One progress line per running build, named by its entry; a new line at each phase. */
function buildProgress(ctx: CmdletContext): { onProgress(job: BulkJob, phase: string, done: number, total: number): void; end(job: BulkJob): void } {
  const bars = new Map<BulkJob, { phase: string; bar: ProgressHandle }>();
  return {
    onProgress(job, phase, done, total) {
      let b = bars.get(job);
      if (b?.phase !== phase) {
        b?.bar.done();
        b = { phase, bar: ctx.progress(`${job.label}: ${phase === 'Staging' ? 'staging content' : `writing ${job.request.path}`}`, total, 'bytes') };
        bars.set(job, b);
      }
      b.bar.update(done);
    },
    end(job) { bars.get(job)?.bar.done(); bars.delete(job); },
  };
}

function failureMessage(rows: readonly BulkRow[], stopped: BulkRow | undefined): string {
  const name = (r: BulkRow): string => entryName({ index: rows.indexOf(r) + 1, label: r.Entry });
  const failed = rows.filter((r) => r.Status === 'Failed');
  if (stopped) {
    const cancelled = rows.filter((r) => r.Status === 'Cancelled').length;
    return `${name(stopped)} failed: ${(stopped.Error ?? '').replace(/\.$/, '')}${cancelled ? `; ${cancelled} other build(s) cancelled (give -ContinueOnError to build the rest)` : ''}.`;
  }
  return `${failed.length} of ${rows.length} builds failed: ${failed.map((r) => `${name(r)}: ${(r.Error ?? '').replace(/\.$/, '')}`).join('; ')}.`;
}

const invokeMediaBuild: CmdletSpec<Params> = {
  name: 'Invoke-TSMediaBuild',
  synopsis: 'Builds many media from a manifest (JSON or CSV), several at once, sharing the content each reads and checks.',
  description: 'Each manifest entry names a media cmdlet (Cmdlet: New-CMStandaloneMedia, ...; or Kind: StandAlone, ...) and its parameters by their command-line names. '
    + 'JSON: an array of objects, lists as arrays. CSV: a header row of names, one row per medium, a quoted "a,b" is a list. '
    + 'Every entry is bound and checked before anything is built. Builds share one staging session (each library blob read and checked once) and run up to -ThrottleLimit at once. '
    + 'A failure cancels the other builds unless -ContinueOnError; the exit code is non-zero when any failed. Ctrl+C or SIGTERM keeps finished media and leaves no unfinished output. '
    + '-Resume skips entries whose output is on record, whole, and built from the same content revisions with the same parameters.',
  parameters: [
    { name: 'Manifest', type: 'string', mandatory: true, position: 0, aliases: ['Path'], help: 'The manifest: a .json or .csv file, one entry per medium.' },
    { name: 'ThrottleLimit', type: 'int', help: 'How many builds run at once (default: the number of cores).' },
    { name: 'ContinueOnError', type: 'switch', help: 'A failing build does not stop the others.' },
    { name: 'Resume', type: 'switch', help: 'Skip entries already built from the same content revisions and parameters; rebuild stale ones.' },
  ],
  defaultView: ['Entry', 'Kind', 'Output', 'SizeBytes', 'ContentItems', 'Seconds', 'Status', 'Error'],
  examples: [
    { code: 'tsmedia Invoke-TSMediaBuild -Manifest branches.csv -ThrottleLimit 2 -ContinueOnError', remarks: 'Builds every medium the CSV lists, two at a time, reporting failures without stopping.' },
    { code: 'tsmedia Invoke-TSMediaBuild builds.json -Resume -OutputFormat Json', remarks: 'Builds only what is missing or stale, with a JSON report.' },
  ],
  async run(prm, ctx) {
    if (prm.ThrottleLimit !== undefined && prm.ThrottleLimit < 1) throw new UsageError('EBADVALUE', `Cannot bind -ThrottleLimit: ${prm.ThrottleLimit} is not 1 or more.`, { parameter: 'ThrottleLimit' });
    const source = resolve(prm.Manifest);
    const text = (await readInputFile(source, MAX_MANIFEST, 'EMANIFEST', 'the manifest')).toString('utf8');
    const jobs = await jobsFrom(parseManifest(text, prm.Manifest), prm.Manifest, ctx);
    const go = jobs.filter((j) => ctx.shouldProcess(j.job.request.path, j.cmdlet));
    if (go.length < jobs.length) return undefined;
    const progress = buildProgress(ctx);
    const r = await runBulkBuild(ctx.home, jobs.map((j) => j.job), {
      now: ctx.now(), throttleLimit: prm.ThrottleLimit ?? availableParallelism(), continueOnError: prm.ContinueOnError === true,
      resume: prm.Resume === true, signal: ctx.signal,
      onProgress: (job, phase, done, total) => progress.onProgress(job, phase, done, total),
      onEnd: (job, row) => { progress.end(job); ctx.verbose(`${row.Entry}: ${row.Status}${row.Error ? ` (${row.Error})` : ''} in ${row.Seconds} s`); },
    });
    ctx.verbose(`content checked: ${r.stats.distinctBlobs} blob(s), ${r.stats.blobChecks} SHA-256 check(s), ${r.stats.bytesChecked} bytes`);
    const stopped = r.firstFailure ? r.rows[jobs.findIndex((j) => j.job === r.firstFailure!.job)] : undefined;
    if (ctx.signal.aborted) throw new PartialFailure('EABORTED', 'The bulk build was interrupted; finished media are kept.', r.rows);
    if (r.rows.some((x) => x.Status === 'Failed')) throw new PartialFailure('EBULK_FAILED', failureMessage(r.rows, stopped), r.rows);
    return r.rows;
  },
};

export const mediaBuildCmdlets = [invokeMediaBuild];
