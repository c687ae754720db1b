// First-boot cmdlets for prestaged media: Test-TSPrestagedContent (what is valid, missing, revised
// or corrupt in the task sequence cache) and Sync-TSPrestagedContent (fetch only that from
// distribution points).
import { resolve } from 'node:path';
import { readCatalog } from '../catalog/catalog.js';
import { getContent, getManifest } from '../catalog/content.js';
import { taskSequenceReferences } from '../catalog/task-sequences.js';
import { DistributionPointClient } from '../distribution/client.js';
import { currentFromDistributionPoint, syncPrestagedCache, testPrestagedCache } from '../distribution/prestaged-cache.js';
import type { CurrentLookup } from '../distribution/prestaged-cache.js';
import { isTsmediaError, UsageError } from '../errors.js';
import { readPolicyFile } from '../media/policy.js';
import type { CmdletContext, CmdletSpec, ParameterSpec } from '../shell/types.js';
import { mediaPasswordOf } from './common.js';
import { readInputFile } from './read-input-file.js';

const MAX_POLICY = 16 * 1024 * 1024;

const retryParameters: ParameterSpec[] = [
  { name: 'RetryCount', type: 'int', help: 'Rounds over all distribution points before a download fails (default 4).' },
  { name: 'RetryDelayMs', type: 'int', help: 'Wait before the second round, doubled each round up to 8 s (default 500).' },
  { name: 'TimeoutSec', type: 'int', help: 'Abandon a connection that sends nothing for this long (default 30).' },
];

interface RetryParams { RetryCount?: number; RetryDelayMs?: number; TimeoutSec?: number }

function client(urls: readonly string[], p: RetryParams, ctx: CmdletContext): DistributionPointClient {
  for (const [name, v, min] of [['RetryCount', p.RetryCount, 1], ['RetryDelayMs', p.RetryDelayMs, 0], ['TimeoutSec', p.TimeoutSec, 1]] as const) {
    if (v !== undefined && v < min) throw new UsageError('EBAD_VALUE', `-${name} must be at least ${min}.`);
  }
  return new DistributionPointClient({
    urls, signal: ctx.signal,
    ...(p.RetryCount !== undefined ? { rounds: p.RetryCount } : {}),
    ...(p.RetryDelayMs !== undefined ? { baseDelayMs: p.RetryDelayMs, maxDelayMs: Math.max(p.RetryDelayMs, 8000) } : {}),
    ...(p.TimeoutSec !== undefined ? { idleTimeoutMs: p.TimeoutSec * 1000 } : {}),
    onRetry: (r) => ctx.verbose(`${r.url}: ${r.error} (${r.what}); trying again.`),
  });
}

function currentFromCatalog(ctx: CmdletContext): CurrentLookup {
  return (id) => readCatalog(ctx.home, ctx.now(), (db) => {
    try {
      const item = getContent(db, id);
      const files = getManifest(db, item.Id, item.SourceVersion).map((f) => ({ Path: f.path, Size: f.size, Sha256: f.sha256 }));
      return { Id: item.Id, Name: item.Name, Type: item.Type, SourceVersion: item.SourceVersion, Files: files };
    } catch (err) {
      if (isTsmediaError(err) && err.code === 'ENOTFOUND') return undefined;
      throw err;
    }
  });
}

interface TestParams extends RetryParams {
  Path: string;
  TaskSequence?: string;
  PolicyPath?: string;
  MediaPassword?: string;
  MediaPasswordFile?: string;
  DistributionPoint?: string[];
}

async function neededIds(p: TestParams, ctx: CmdletContext): Promise<string[] | undefined> {
  if (p.TaskSequence !== undefined) {
    return readCatalog(ctx.home, ctx.now(), (db) => taskSequenceReferences(db, p.TaskSequence!).map((r) => r.Id));
  }
  if (p.PolicyPath !== undefined) {
    const bytes = await readInputFile(p.PolicyPath, MAX_POLICY, 'EPOLICY_FILE', 'the policy');
    const policy = readPolicyFile(bytes, await mediaPasswordOf(p, ctx));
    return [policy.BootImageId, ...policy.References.map((r) => r.Id)];
  }
  return undefined;
}

const testCmdlet: CmdletSpec<TestParams> = {
  name: 'Test-TSPrestagedContent',
  synopsis: 'Checks a prestaged task sequence cache: per content item Valid, Missing, Revised or Corrupt, and the bytes to download.',
  description: 'Reads an applied prestaged medium (folder) or the prestaged .wim in place. Every cached file is hashed. Current versions come from the catalog, or from distribution points with -DistributionPoint (a machine has no catalog). Status precedence: Corrupt, then Missing, then Revised. See docs/distribution-point.md.',
  parameters: [
    { name: 'Path', type: 'string', mandatory: true, position: 0, help: 'The folder a prestaged medium was applied to, or the prestaged .wim.' },
    { name: 'TaskSequence', type: 'string', parameterSets: ['ByTaskSequence'], help: 'Only the items this task sequence needs (from the catalog).' },
    { name: 'PolicyPath', type: 'string', parameterSets: ['ByPolicy'], help: 'Only the items this task sequence policy (Policy.xml) needs.' },
    { name: 'MediaPassword', type: 'secure', parameterSets: ['ByPolicy'], help: 'The media password that seals the policy.' },
    { name: 'MediaPasswordFile', type: 'string', parameterSets: ['ByPolicy'], help: 'A file holding the media password.' },
    { name: 'DistributionPoint', type: 'string', array: true, help: 'Take current versions from these distribution points instead of the catalog.' },
    ...retryParameters,
  ],
  defaultParameterSet: 'All',
  defaultView: ['Id', 'Name', 'CachedVersion', 'CurrentVersion', 'Status', 'FilesToDownload', 'BytesToDownload'],
  examples: [
    { code: 'tsmedia Test-TSPrestagedContent -Path /mnt/applied -TaskSequence PS100010', remarks: 'What the disk still holds validly for task sequence PS100010, against the catalog.' },
    { code: 'tsmedia Test-TSPrestagedContent -Path prestaged.wim -DistributionPoint http://dp1:8080/', remarks: 'Checks the WIM against a distribution point.' },
  ],
  async run(p, ctx) {
    const ids = await neededIds(p, ctx);
    const current = p.DistributionPoint ? currentFromDistributionPoint(client(p.DistributionPoint, p, ctx)) : currentFromCatalog(ctx);
    const where = p.DistributionPoint ? 'the distribution points' : 'the catalog';
    return testPrestagedCache(resolve(p.Path), {
      ...(ids ? { ids } : {}), current,
      onUnknown: (id) => ctx.warn(`${id} is not in ${where}; it is compared with its cached revision only.`),
    });
  },
};

interface SyncParams extends RetryParams { Path: string; DistributionPoint: string[] }

const syncCmdlet: CmdletSpec<SyncParams> = {
  name: 'Sync-TSPrestagedContent',
  synopsis: 'Brings a prestaged task sequence cache up to date from distribution points: downloads only missing, revised or corrupt files.',
  description: 'Each file is downloaded into SMS/data/.tsmedia-sync (resumed after a broken transfer), its SHA-256 checked, and only then switched into place, item by item, with MediaManifest.json rewritten atomically. Failed downloads are retried with backoff and fail over to the next distribution point. Interrupted, the cache stays valid and the next run resumes.',
  parameters: [
    { name: 'Path', type: 'string', mandatory: true, position: 0, help: 'The folder a prestaged medium was applied to.' },
    { name: 'DistributionPoint', type: 'string', array: true, mandatory: true, position: 1, help: 'Distribution point URLs, in order of preference.' },
    ...retryParameters,
  ],
  defaultView: ['Id', 'Name', 'FromVersion', 'ToVersion', 'Status', 'FilesDownloaded', 'BytesDownloaded', 'FilesRemoved'],
  examples: [{ code: 'tsmedia Sync-TSPrestagedContent -Path /mnt/applied -DistributionPoint http://dp1:8080/,http://dp2/', remarks: 'Fetches what changed since the disk was prestaged, from dp1 or else dp2.' }],
  async run(p, ctx) {
    const path = resolve(p.Path);
    const dp = client(p.DistributionPoint, p, ctx);
    if (!ctx.shouldProcess(path, 'Sync-TSPrestagedContent')) return undefined;
    let bar: ReturnType<CmdletContext['progress']> | undefined;
    try {
      return await syncPrestagedCache(path, {
        client: dp, signal: ctx.signal,
        onTotal: (bytes) => { bar = ctx.progress('Downloading revised and missing content', bytes, 'bytes'); },
        onProgress: (bytes, status) => bar?.update(bytes, status),
        onUnknown: (id) => ctx.warn(`${id} is on no distribution point; it is left as it is.`),
      });
    } finally {
      bar?.done();
    }
  },
};

export const prestagedContentCmdlets: CmdletSpec<any>[] = [testCmdlet, syncCmdlet];
