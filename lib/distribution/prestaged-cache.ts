// A prestaged task sequence cache at first boot: what is valid, what is missing, revised or
// corrupt (Test-TSPrestagedContent), and bringing it up to date from distribution points
// (Sync-TSPrestagedContent).
//
// An applied prestaged medium (a folder, or the prestaged .wim read in place) holds:
//   SMS/data/MediaManifest.json   every item with its SourceVersion and files (path, size, SHA-256)
//   sources/boot.wim              the boot image item's one file
//   SMS/PKG/<ID>/<Path>           every other item's files
//
// Status of an item, first match wins: Missing when the cache lacks the item altogether, Corrupt
// when a file present has another size or SHA-256 than the cached manifest says, Missing when a
// file is absent, Revised when the current revision differs from the cached one, else Valid.
// Damage outranks a revision because it means the disk cannot be trusted; either way the bytes
// to download are the files of the current revision not already present with the right hash.
import { copyFile, link, mkdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { dirname, join } from 'node:path';
import { writeFileAtomic } from '../catalog/atomic-write.js';
import type { ContentType } from '../catalog/content.js';
import { hashFile } from '../content/hash-file.js';
import { TsmediaError } from '../errors.js';
import { findPath, openWim } from '../formats/wim/reader.js';
import type { Wim } from '../formats/wim/reader.js';
import { MAX_MANIFEST_SIZE, parseManifest, writeManifest } from '../media/media-manifest.js';
import type { MediaItem, MediaManifest } from '../media/media-manifest.js';
import { NotOnDistributionPointError, verifyFile } from './client.js';
import type { DistributionPointClient } from './client.js';
import type { DpFile } from './layout.js';

export const MANIFEST_PATH = 'SMS/data/MediaManifest.json';
/** Where Sync keeps verified and partial downloads until they are switched into place. */
export const SYNC_STAGING = 'SMS/data/.tsmedia-sync';
export const BOOT_IMAGE_PATH = 'sources/boot.wim';

export type CacheStatus = 'Valid' | 'Missing' | 'Revised' | 'Corrupt';

export interface CacheRow {
  Id: string;
  Name: string;
  Type: ContentType | null;
  CachedVersion: number | null;
  CurrentVersion: number | null;
  Status: CacheStatus;
  FilesToDownload: number;
  BytesToDownload: number;
  MissingFiles: number;
  CorruptFiles: number;
}

/** The current revision of an item, from the catalog or a distribution point. */
export interface CurrentRevision { Id: string; Name: string; Type: ContentType; SourceVersion: number; Files: DpFile[] }

export interface NeededFile { cachePath: string; sha256: string; size: number }

export interface ItemAnalysis {
  row: CacheRow;
  cached: MediaItem | undefined;
  current: CurrentRevision | undefined;
  needed: NeededFile[];
  /** Cache paths the current revision no longer has. */
  dropped: string[];
}

/** Where an item's file lives in the cache. */
export function cachePathOf(item: { Id: string; Type: ContentType }, file: { Path: string }): string {
  return item.Type === 'BootImage' ? BOOT_IMAGE_PATH : `SMS/PKG/${item.Id}/${file.Path}`;
}

export interface FileDigest { size: number; sha256: string }

/** Read access to a cache: an applied folder or a prestaged WIM (read in place, never extracted). */
export interface CacheSource {
  readonly path: string;
  readonly writable: boolean;
  readManifest(): Promise<MediaManifest>;
  /** Size and SHA-256 of a file, or undefined when it is absent (or not a file). */
  digest(rel: string): Promise<FileDigest | undefined>;
  close(): void;
}

class FolderCache implements CacheSource {
  readonly writable = true;
  constructor(readonly path: string) {}
  async readManifest(): Promise<MediaManifest> {
    let bytes: Buffer;
    try {
      const s = await stat(join(this.path, MANIFEST_PATH));
      if (s.size > MAX_MANIFEST_SIZE) throw new TsmediaError('EBAD_CACHE', `${MANIFEST_PATH} in ${this.path} is ${s.size} bytes; that is no media manifest.`);
      bytes = await readFile(join(this.path, MANIFEST_PATH));
    } catch (err) {
      if (err instanceof TsmediaError) throw err;
      throw new TsmediaError('EBAD_CACHE', `${this.path} has no ${MANIFEST_PATH}; give the folder a prestaged medium was applied to (or the prestaged .wim).`, { path: this.path });
    }
    return parseManifest(bytes);
  }
  async digest(rel: string): Promise<FileDigest | undefined> {
    try {
      const s = await stat(join(this.path, rel));
      if (!s.isFile()) return undefined;
      const h = await hashFile({ path: join(this.path, rel) });
      return { size: h.size, sha256: h.sha256 };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
      throw err;
    }
  }
  close(): void { /* nothing held */ }
}

class WimCache implements CacheSource {
  readonly writable = false;
  private readonly wim: Wim;
  constructor(readonly path: string) {
    this.wim = openWim(path);
  }
  async readManifest(): Promise<MediaManifest> {
    const node = findPath(this.wim.image(1).root, MANIFEST_PATH);
    if (!node || node.children) throw new TsmediaError('EBAD_CACHE', `${this.path} has no ${MANIFEST_PATH} in image 1; it is not a prestaged medium made by tsmedia.`, { path: this.path });
    return parseManifest(node.dataHash ? this.wim.readBlob(node.dataHash, MAX_MANIFEST_SIZE) : new Uint8Array(0));
  }
  async digest(rel: string): Promise<FileDigest | undefined> {
    const node = findPath(this.wim.image(1).root, rel);
    if (!node || node.children) return undefined;
    const h = createHash('sha256');
    let size = 0;
    if (node.dataHash) for (const c of this.wim.blobChunks(node.dataHash)) { h.update(c); size += c.length; }
    return { size, sha256: h.digest('hex') };
  }
  close(): void { this.wim.close(); }
}

/** Opens an applied folder or a .wim. */
export async function openCache(path: string): Promise<CacheSource> {
  let s;
  try {
    s = await stat(path);
  } catch {
    throw new TsmediaError('EBAD_CACHE', `${path} does not exist; give the applied prestaged folder or the prestaged .wim.`, { path });
  }
  return s.isDirectory() ? new FolderCache(path) : new WimCache(path);
}

function refuseEncrypted(m: MediaManifest, path: string): void {
  if (m.ContentEncrypted) {
    throw new TsmediaError('ECACHE_ENCRYPTED', `The content in ${path} is encrypted (-EncryptContent), so its files cannot be checked against their SHA-256 here; rebuild the prestaged media without -EncryptContent to validate or sync its cache.`);
  }
}

/** Compares one item's cached files with its current revision. */
export async function analyseItem(source: CacheSource, id: string, cached: MediaItem | undefined, current: CurrentRevision | undefined): Promise<ItemAnalysis> {
  const seen = new Map<string, FileDigest | undefined>();
  const digest = async (rel: string): Promise<FileDigest | undefined> => {
    if (!seen.has(rel)) seen.set(rel, await source.digest(rel));
    return seen.get(rel);
  };
  let missing = 0;
  let corrupt = 0;
  for (const f of cached?.Files ?? []) {
    const d = await digest(cachePathOf(cached!, f));
    if (!d) missing++;
    else if (d.size !== f.Size || d.sha256 !== f.Sha256) corrupt++;
  }
  // what the cache should hold: the current revision, or (not known anywhere) the cached one
  const target = current ?? (cached ? { ...cached, Files: cached.Files } : undefined);
  const needed: NeededFile[] = [];
  const targetPaths = new Set<string>();
  for (const f of target?.Files ?? []) {
    const rel = cachePathOf(target!, f);
    targetPaths.add(rel);
    const d = await digest(rel);
    if (!d || d.size !== f.Size || d.sha256 !== f.Sha256) needed.push({ cachePath: rel, sha256: f.Sha256, size: f.Size });
  }
  const dropped = (cached?.Files ?? []).map((f) => cachePathOf(cached!, f)).filter((p) => !targetPaths.has(p));
  const status: CacheStatus = !cached ? 'Missing'
    : corrupt > 0 ? 'Corrupt'
      : missing > 0 ? 'Missing'
        : current && current.SourceVersion !== cached.SourceVersion ? 'Revised' : 'Valid';
  return {
    row: {
      Id: id, Name: current?.Name ?? cached?.Name ?? '', Type: current?.Type ?? cached?.Type ?? null,
      CachedVersion: cached?.SourceVersion ?? null, CurrentVersion: current?.SourceVersion ?? null, Status: status,
      FilesToDownload: needed.length, BytesToDownload: needed.reduce((n, f) => n + f.size, 0),
      MissingFiles: cached ? missing : target?.Files.length ?? 0, CorruptFiles: corrupt,
    },
    cached, current, needed, dropped,
  };
}

/** Looks up current revisions (undefined: unknown to the source, e.g. removed from the catalog). */
export type CurrentLookup = (id: string) => Promise<CurrentRevision | undefined>;

export interface TestOptions {
  /** The items the task sequence needs; every item of the cache when absent. */
  ids?: readonly string[];
  current: CurrentLookup;
  onUnknown?: (id: string) => void;
}

/** Test-TSPrestagedContent: one row per needed item. */
export async function testPrestagedCache(path: string, o: TestOptions): Promise<CacheRow[]> {
  const source = await openCache(path);
  try {
    const m = await source.readManifest();
    refuseEncrypted(m, path);
    const byId = new Map(m.Items.map((i) => [i.Id, i]));
    const ids = o.ids ? [...new Set(o.ids.map((i) => i.toUpperCase()))] : m.Items.map((i) => i.Id);
    const rows: CacheRow[] = [];
    for (const id of ids) {
      const current = await o.current(id);
      if (!current) o.onUnknown?.(id);
      rows.push((await analyseItem(source, id, byId.get(id), current)).row);
    }
    return rows;
  } finally {
    source.close();
  }
}

/** A current-revision lookup against distribution points (a machine has no catalog). */
export function currentFromDistributionPoint(client: DistributionPointClient): CurrentLookup {
  return async (id) => {
    try {
      return await client.getManifest(id, 'current');
    } catch (err) {
      if (err instanceof NotOnDistributionPointError) return undefined;
      throw err;
    }
  };
}

export type SyncStatus = 'Valid' | 'Updated' | 'Repaired' | 'NotOnDistributionPoint';

export interface SyncRow {
  Id: string;
  Name: string;
  FromVersion: number;
  ToVersion: number;
  Status: SyncStatus;
  FilesDownloaded: number;
  BytesDownloaded: number;
  FilesRemoved: number;
}

export interface SyncOptions {
  client: DistributionPointClient;
  signal?: AbortSignal;
  onTotal?: (bytes: number) => void;
  /** Bytes done so far (absolute), for a progress bar with a rate. */
  onProgress?: (bytes: number, status: string) => void;
  onUnknown?: (id: string) => void;
}

/** Places a verified staged file at its cache path: a hard link (or copy) under a temporary name, then a rename. */
async function placeFile(staged: string, target: string): Promise<void> {
  await mkdir(dirname(target), { recursive: true });
  const tmp = `${target}.tsmedia-new`;
  await rm(tmp, { force: true });
  try {
    await link(staged, tmp);
  } catch {
    await copyFile(staged, tmp);
  }
  await rename(tmp, target);
}

/**
 * Sync-TSPrestagedContent. Per item: download what is needed into the staging folder (resumable,
 * verified), then switch it into place (renames), delete the files the revision dropped, and
 * rewrite MediaManifest.json atomically. Stopped at any point, the cache keeps every item in its
 * old valid state or its new one; running Sync again resumes (a switch is never interrupted by
 * Ctrl+C; after a power loss mid-switch the item shows Corrupt and the next Sync completes it).
 */
export async function syncPrestagedCache(path: string, o: SyncOptions): Promise<SyncRow[]> {
  const source = await openCache(path);
  try {
    if (!source.writable) throw new TsmediaError('EBAD_CACHE', `${path} is a WIM; Sync-TSPrestagedContent updates an applied folder. Apply the WIM first (Expand-WindowsImage) and sync that folder.`);
    const manifest = await source.readManifest();
    refuseEncrypted(manifest, path);
    const analyses: ItemAnalysis[] = [];
    const currentOf = currentFromDistributionPoint(o.client);
    for (const item of manifest.Items) {
      o.signal?.throwIfAborted();
      const current = await currentOf(item.Id);
      if (!current) o.onUnknown?.(item.Id);
      analyses.push(await analyseItem(source, item.Id, item, current));
    }
    const staging = join(path, SYNC_STAGING);
    const blobSizes = new Map<string, number>();
    for (const a of analyses) for (const f of a.needed) blobSizes.set(f.sha256, f.size);
    const total = [...blobSizes.values()].reduce((n, s) => n + s, 0);
    o.onTotal?.(total);
    let done = 0;
    const staged = new Set<string>();
    const rows: SyncRow[] = [];
    for (const a of analyses) {
      const cached = a.cached!;
      const base = { Id: cached.Id, Name: a.current?.Name ?? cached.Name, FromVersion: cached.SourceVersion, ToVersion: a.current?.SourceVersion ?? cached.SourceVersion, FilesRemoved: 0 };
      if (!a.current) { rows.push({ ...base, Status: 'NotOnDistributionPoint', FilesDownloaded: 0, BytesDownloaded: 0 }); continue; }
      const revised = a.current.SourceVersion !== cached.SourceVersion || a.current.Files.length !== cached.Files.length || a.dropped.length > 0;
      if (a.needed.length === 0 && !revised) { rows.push({ ...base, Status: 'Valid', FilesDownloaded: 0, BytesDownloaded: 0 }); continue; }
      await mkdir(staging, { recursive: true });
      let bytes = 0;
      let files = 0;
      for (const f of a.needed) {
        if (staged.has(f.sha256)) continue;
        o.signal?.throwIfAborted();
        const blob = join(staging, f.sha256);
        if (!(await verifyFile(blob, f))) {
          const partial = `${blob}.partial`;
          const before = done;
          await o.client.download(f, partial, (have) => o.onProgress?.(before + have, `${cached.Id} ${f.cachePath}`));
          await rename(partial, blob);
          bytes += f.size;
          files++;
        }
        staged.add(f.sha256);
        done += f.size;
        o.onProgress?.(done, cached.Id);
      }
      // the switch: no await on the signal from here until the manifest is rewritten
      for (const f of a.needed) await placeFile(join(staging, f.sha256), join(path, f.cachePath));
      for (const rel of a.dropped) await rm(join(path, rel), { force: true });
      const next: MediaItem = { Id: cached.Id, Name: a.current.Name, Type: a.current.Type, SourceVersion: a.current.SourceVersion, Files: a.current.Files.map((f) => ({ ...f })) };
      manifest.Items = manifest.Items.map((i) => (i.Id === cached.Id ? next : i));
      await writeFileAtomic(join(path, MANIFEST_PATH), writeManifest(manifest));
      rows.push({ ...base, Status: a.current.SourceVersion !== cached.SourceVersion ? 'Updated' : 'Repaired', FilesDownloaded: files, BytesDownloaded: bytes, FilesRemoved: a.dropped.length });
    }
    await rm(staging, { recursive: true, force: true });
    return rows;
  } finally {
    source.close();
  }
}
