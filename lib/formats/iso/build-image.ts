// Edge: a folder becomes one ISO image, or a set of them when a volume size is given. Plans every
// volume before writing any, so a bad name or boot path fails with nothing written; a failure
// while writing removes the volumes this run already wrote.
import { unlink } from 'node:fs/promises';
import { RuleError, TsmediaError, UsageError } from '../../errors.js';
import { checkAborted } from './aborted.js';
import { planIso, SECTOR, type IsoPlan, type PlanFile } from './layout.js';
import { scanSourceTree } from './source-tree.js';
import { planVolumes } from './volume-set.js';
import { writeIsoImage } from './iso-writer.js';
import type { HashFileResult } from '../../content/hash-file.js';
import { inFlightLimit, runTask } from '../../pool/pool.js';

export interface BuildIsoOptions {
  /** The folder whose content becomes the image root; or give `files` instead. */
  sourcePath?: string | undefined;
  /**
   * An explicit file list (media built from a content library, no folder): image paths, sizes,
   * sources, content keys for bytes stored once. Boot paths refer to these image paths.
   */
  files?: readonly PlanFile[] | undefined;
  /** With `files`: folders to create even when empty. */
  directories?: readonly string[] | undefined;
  /** Output path of volume 1; later volumes are OUT-2.iso, OUT-3.iso, ... */
  path: string;
  label: string;
  date: Date;
  biosBootFile?: string | undefined;
  uefiBootFile?: string | undefined;
  biosLoadSectors?: number | undefined;
  bootInfoTable?: boolean | undefined;
  udf?: boolean | undefined;
  /** Store files with identical bytes once (oscdimg -o): files of equal size are hashed. */
  deduplicate?: boolean | undefined;
  /** Largest image in bytes; undefined: one image whatever its size. */
  maxVolumeBytes?: number | undefined;
  /** In a set, files that belong on volume 1 beside the boot files (what must be read first). */
  firstVolume?: ((path: string) => boolean) | undefined;
  signal?: AbortSignal | undefined;
  onProgress?: ((done: number, total: number) => void) | undefined;
}

export interface BuiltIsoVolume { path: string; volume: number; volumeCount: number; files: number; fileBytes: number; imageBytes: number; bootable: boolean }

/** OUT.iso, OUT-2.iso, ... */
export function volumePath(path: string, volume: number): string {
  if (volume === 1) return path;
  const m = /^(.*?)(\.[^./\\]+)?$/.exec(path)!;
  return `${m[1]}-${volume}${m[2] ?? ''}`;
}

const norm = (p: string): string => p.replace(/\\/g, '/').replace(/^\/+/, '');

export function checkLabel(label: string): void {
  // eslint-disable-next-line no-control-regex
  if (label.length === 0 || label.length > 32 || /[\u0000-\u001f]/.test(label)) {
    throw new UsageError('EISO_LABEL', `the volume label "${label}" must be 1 to 32 printable characters`);
  }
}

/**
 * Gives files with identical bytes one content key. Only files that share their size with
 * another can be equal, so only those are hashed (SHA-256, in the worker pool).
 */
export async function keyDuplicateFiles(files: readonly PlanFile[], signal?: AbortSignal): Promise<PlanFile[]> {
  const bySize = new Map<number, number[]>();
  files.forEach((f, i) => {
    if (f.size === 0 || f.contentKey !== undefined) return;
    const g = bySize.get(f.size);
    if (g) g.push(i); else bySize.set(f.size, [i]);
  });
  const todo = [...bySize.values()].filter((g) => g.length > 1).flat();
  const out = [...files];
  if (todo.length === 0) return out;
  // the pool (piscina) starts with the first task: a plain build never pays for it
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < todo.length) {
      checkAborted(signal);
      const i = todo[next++]!;
      const f = out[i]!;
      const r = await runTask<HashFileResult>('hashFile', { path: f.source });
      if (r.size !== f.size) throw new TsmediaError('EISO_SOURCE_CHANGED', `"${f.source}" changed size while it was hashed; build the image again`, { path: f.path });
      out[i] = { ...f, contentKey: `sha256:${r.sha256}` };
    }
  };
  await Promise.all(Array.from({ length: Math.min(inFlightLimit(), todo.length) }, lane));
  return out;
}

export async function buildIsoImages(o: BuildIsoOptions): Promise<BuiltIsoVolume[]> {
  checkLabel(o.label);
  if ((o.sourcePath === undefined) === (o.files === undefined)) throw new UsageError('EISO_SOURCE', 'give either a source folder or a file list');
  const tree = o.sourcePath !== undefined
    ? await scanSourceTree(o.sourcePath, o.signal)
    : { files: [...o.files!], directories: [...(o.directories ?? [])] };
  if (o.deduplicate) tree.files = await keyDuplicateFiles(tree.files, o.signal);
  const boot = [o.biosBootFile, o.uefiBootFile].filter((x): x is string => x !== undefined).map(norm);
  for (const b of boot) {
    if (!tree.files.some((f) => f.path === b)) throw new UsageError('EISO_BOOT_FILE', `the boot file "${b}" is not a file ${o.sourcePath !== undefined ? `under "${o.sourcePath}"` : 'in the list'}`);
  }
  let groups: { files: PlanFile[]; directories: string[] }[];
  if (o.maxVolumeBytes === undefined) {
    groups = [{ files: tree.files, directories: tree.directories }];
  } else {
    const vols = planVolumes(tree.files.map((f) => ({ path: f.path, size: f.size, firstVolume: boot.includes(f.path) || (o.firstVolume?.(f.path) ?? false) })), o.maxVolumeBytes);
    const byPath = new Map(tree.files.map((f) => [f.path, f]));
    groups = vols.map((v, i) => ({ files: v.paths.map((p) => byPath.get(p)!), directories: i === 0 ? tree.directories : [] }));
  }
  const plans: IsoPlan[] = groups.map((g, i) => planIso({
    files: g.files, directories: g.directories, label: o.label, date: o.date,
    biosBoot: i === 0 && o.biosBootFile !== undefined ? { path: norm(o.biosBootFile), loadSectors: o.biosLoadSectors, bootInfoTable: o.bootInfoTable ?? false } : undefined,
    uefiBoot: i === 0 && o.uefiBootFile !== undefined ? { path: norm(o.uefiBootFile) } : undefined,
    udf: o.udf ?? true,
    ...(groups.length > 1 ? { volumeSetId: `${o.label}_${i + 1}_OF_${groups.length}` } : {}),
  }));
  if (o.maxVolumeBytes !== undefined) {
    plans.forEach((p, i) => {
      if (p.totalSectors * SECTOR > o.maxVolumeBytes!) throw new RuleError('EISO_VOLUME_FULL', `volume ${i + 1} came out at ${p.totalSectors * SECTOR} bytes, over ${o.maxVolumeBytes}`);
    });
  }
  const total = plans.reduce((s, p) => s + p.totalSectors * SECTOR, 0);
  let before = 0;
  const written: string[] = [];
  const out: BuiltIsoVolume[] = [];
  try {
    for (const [i, plan] of plans.entries()) {
      const path = volumePath(o.path, i + 1);
      const base = before;
      const bytes = await writeIsoImage(plan, path, { signal: o.signal, onProgress: (d) => o.onProgress?.(base + d, total) });
      written.push(path);
      before += bytes;
      out.push({ path, volume: i + 1, volumeCount: plans.length, files: plan.files.length, fileBytes: plan.files.reduce((s, f) => s + f.size, 0), imageBytes: bytes, bootable: plan.boot.length > 0 });
    }
  } catch (e) {
    for (const p of written) await unlink(p).catch(() => {});
    throw e;
  }
  return out;
}
