// Importing and re-importing content: scan the source, copy it into the library, and record the
// item and its revision in the catalog. The slow part (reading, hashing, copying) runs before the
// catalog lock is taken; only the short catalog change runs under it.
import { open } from 'node:fs/promises';
import { resolve } from 'node:path';
import { readCatalog, writeCatalog } from '../catalog/catalog.js';
import type { SqlDatabase } from '../catalog/database.js';
import { blobSizesAbove, createContent, getContent, isImageType, knownBlobs, reviseContent } from '../catalog/content.js';
import type { ContentItem, ContentType } from '../catalog/content.js';
import { getSite } from '../catalog/sites.js';
import { TsmediaError } from '../errors.js';
import { warmPool } from '../pool/pool.js';
import { importFiles, LARGE_FILE } from './import.js';
import type { ImportOutcome } from './import.js';
import { checkSourceFolder, scanSourceFile, walkSourceFolder } from './source-tree.js';
import type { SourceFile } from './source-tree.js';

export interface ImportProgress {
  /** Called once the source is listed, with its total bytes (some may be done already). */
  onTotal?: (bytes: number, files: number) => void;
  onProgress?: (bytes: number) => void;
  /** Something a medium will refuse later, such as a name Windows cannot hold. */
  onWarning?: (message: string) => void;
  signal?: AbortSignal;
}

const WIM_MAGIC = Buffer.from('MSWIM\0\0\0', 'latin1');
const WIM_HEADER_IMAGE_COUNT_OFFSET = 44;

/** Checks that a file is a WIM (header magic) and returns its image count. */
export async function checkWimFile(path: string): Promise<number> {
  const fh = await open(path, 'r');
  try {
    const header = Buffer.alloc(208);
    const { bytesRead } = await fh.read(header, 0, header.length, 0);
    if (bytesRead < header.length || !header.subarray(0, 8).equals(WIM_MAGIC)) {
      throw new TsmediaError('ENOT_WIM', `'${path}' is not a WIM file (no MSWIM header); give a .wim image such as boot.wim or install.wim.`, { path });
    }
    return header.readUInt32LE(WIM_HEADER_IMAGE_COUNT_OFFSET);
  } finally {
    await fh.close();
  }
}

/**
 * The source's files, listed as the import takes them (a folder), or after its checks (a WIM
 * image). Counts them and reports the total once the listing ends.
 */
async function listSource(type: ContentType, sourcePath: string, imageIndex: number | undefined, progress: ImportProgress): Promise<Iterable<SourceFile>> {
  if (!isImageType(type)) {
    const realRoot = await checkSourceFolder(sourcePath);
    return counted(walkSourceFolder(sourcePath, realRoot, (w) => progress.onWarning?.(w)), progress);
  }
  const file = await scanSourceFile(sourcePath);
  const images = await checkWimFile(sourcePath);
  if (imageIndex !== undefined && (imageIndex < 1 || imageIndex > images)) {
    throw new TsmediaError('EBAD_IMAGE_INDEX', `'${sourcePath}' holds ${images} image(s); -Index ${imageIndex} does not exist.`, { images });
  }
  return counted([file], progress);
}

function* counted(files: Iterable<SourceFile>, progress: ImportProgress): Generator<SourceFile> {
  let bytes = 0;
  let count = 0;
  for (const f of files) {
    bytes += f.size;
    count++;
    yield f;
  }
  progress.onTotal?.(bytes, count);
}

/**
 * Imports the files with a catalog snapshot opened alongside: the walk and the hashing start at
 * once, the catalog opens (a first import creates it) once the first files are with the pool, and
 * only deciding which blobs are new waits for it. `check` runs on the snapshot first (the site
 * exists), and its error is the import's.
 */
async function importSource(home: string, now: Date, files: Iterable<SourceFile>, progress: ImportProgress, check: (db: SqlDatabase) => void = () => {}): Promise<ImportOutcome> {
  let release!: () => void;
  const held = new Promise<void>((resolve) => { release = resolve; });
  let opened!: (db: SqlDatabase) => void;
  const catalog = new Promise<SqlDatabase>((resolve) => { opened = resolve; });
  let reading: Promise<void> | undefined;
  // settles only if the catalog could not be opened or the check failed
  let failed: Promise<never> | undefined;
  const openCatalog = (): Promise<never> => {
    if (!reading || !failed) {
      reading = readCatalog(home, now, async (db) => {
        check(db);
        opened(db);
        await held;
      });
      failed = reading.then(() => new Promise<never>(() => {}));
      failed.catch(() => {});
    }
    return failed;
  };
  const snapshot = (): Promise<SqlDatabase> => Promise.race([catalog, openCatalog()]);
  let largeSizes: Promise<Set<number>> | undefined;
  const opts = {
    known: async (sha256s: readonly string[]) => knownBlobs(await snapshot(), sha256s),
    mayHoldSize: async (size: number) => (await (largeSizes ??= snapshot().then((db) => blobSizesAbove(db, LARGE_FILE)))).has(size),
    onStarted: () => { openCatalog(); },
    ...(progress.onProgress ? { onProgress: progress.onProgress } : {}),
    ...(progress.signal ? { signal: progress.signal } : {}),
  };
  try {
    const outcome = await importFiles(home, files, opts);
    await snapshot(); // an import that asked nothing (no files) still needs the check
    return outcome;
  } finally {
    release();
    await reading?.catch(() => {});
  }
}

/** Runs the catalog change; if it fails, the pack this import wrote is removed. */
async function commit<T>(home: string, now: Date, outcome: ImportOutcome, change: Parameters<typeof writeCatalog<T>>[2]): Promise<T> {
  try {
    return await writeCatalog(home, now, change);
  } catch (err) {
    await outcome.pack?.abort();
    throw err;
  }
}

export interface NewContentRequest {
  type: ContentType;
  name: string;
  sourcePath: string;
  siteCode: string;
  imageIndex?: number;
}

export async function importNewContent(home: string, now: Date, req: NewContentRequest, progress: ImportProgress = {}): Promise<ContentItem> {
  const sourcePath = resolve(req.sourcePath);
  warmPool();
  const files = await listSource(req.type, sourcePath, req.imageIndex, progress);
  const outcome = await importSource(home, now, files, progress, (db) => getSite(db, req.siteCode));
  return commit(home, now, outcome, (db) => createContent(db, { ...req, sourcePath }, outcome.manifest, outcome.newBlobs, now));
}

/** Re-reads an item's source; a new revision is recorded only if something changed. */
export async function refreshContent(home: string, now: Date, id: string, progress: ImportProgress = {}): Promise<{ changed: boolean; item: ContentItem }> {
  warmPool();
  const item = await readCatalog(home, now, (db) => getContent(db, id));
  const files = await listSource(item.Type, item.SourcePath, item.ImageIndex, progress);
  const outcome = await importSource(home, now, files, progress);
  const result = await commit(home, now, outcome, (db) => reviseContent(db, item.Id, outcome.manifest, outcome.newBlobs, now));
  // Nothing changed: the blobs this import wrote are already in the library under other packs.
  if (!result.changed) await outcome.pack?.abort();
  return result;
}
