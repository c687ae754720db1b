// Publish-TSContentLibrary: writes the distribution point layout (layout.ts) as static files, so
// nginx, any web server or a storage bucket can be a distribution point. Every file is written
// under a temporary name and renamed when complete; files already there with the right bytes are
// skipped, so publishing again after a revision writes only what the revision added.
import { createHash } from 'node:crypto';
import { mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { readCatalog } from '../catalog/catalog.js';
import { blobLocation, findContent, getContent, getManifest } from '../catalog/content.js';
import type { BlobLocation } from '../content/library.js';
import { openBlob } from '../content/library.js';
import { TsmediaError } from '../errors.js';
import { fileUrlPath, manifestDocument, manifestUrlPath } from './layout.js';

export interface PublishResult {
  Path: string;
  Items: number;
  Manifests: number;
  FilesWritten: number;
  FilesSkipped: number;
  BytesWritten: number;
}

export interface PublishOptions {
  ids?: readonly string[];
  signal?: AbortSignal;
  onTotal?: (bytes: number) => void;
  onBytes?: (bytes: number) => void;
}

interface Plan {
  documents: Array<{ rel: string; bytes: Buffer }>;
  blobs: BlobLocation[];
  items: number;
}

const COPY_CHUNK = 1 << 20;

function tempName(path: string): string {
  return join(dirname(path), `.${path.slice(dirname(path).length + 1)}.tmp-${process.pid}`);
}

async function writeDocument(path: string, bytes: Buffer): Promise<boolean> {
  try {
    if ((await readFile(path)).equals(bytes)) return false;
  } catch { /* not there yet */ }
  await mkdir(dirname(path), { recursive: true });
  const tmp = tempName(path);
  try {
    const fh = await open(tmp, 'w', 0o644);
    try { await fh.writeFile(bytes); } finally { await fh.close(); }
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  return true;
}

/** Copies a blob out of its pack, checking its SHA-256 on the way (a damaged library is never published). */
async function copyBlob(home: string, loc: BlobLocation, path: string, onBytes?: (n: number) => void): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = tempName(path);
  const src = await openBlob(home, loc);
  try {
    const out = await open(tmp, 'w', 0o644);
    try {
      const hash = createHash('sha256');
      const buf = Buffer.allocUnsafe(Math.min(COPY_CHUNK, Math.max(1, loc.size)));
      for (let p = 0; p < loc.size;) {
        const { bytesRead } = await src.fh.read(buf, 0, Math.min(buf.length, loc.size - p), src.start + p);
        if (bytesRead === 0) throw new TsmediaError('ELIBRARY_CORRUPT', `Pack ${loc.pack} ends inside blob ${loc.sha256}; the content library is damaged.`);
        const view = buf.subarray(0, bytesRead);
        hash.update(view);
        await out.write(view);
        p += bytesRead;
        onBytes?.(bytesRead);
      }
      if (hash.digest('hex') !== loc.sha256) throw new TsmediaError('ELIBRARY_CORRUPT', `Blob ${loc.sha256} in pack ${loc.pack} does not match its hash; the content library is damaged.`, { sha256: loc.sha256 });
    } finally {
      await out.close();
    }
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  } finally {
    await src.fh.close();
  }
}

async function plan(home: string, now: Date, ids: readonly string[] | undefined): Promise<Plan> {
  return readCatalog(home, now, (db) => {
    const items = ids && ids.length ? ids.map((id) => getContent(db, id)) : findContent(db, {});
    const documents: Plan['documents'] = [];
    const blobs = new Map<string, BlobLocation>();
    for (const item of items) {
      const versions = db.all<{ version: number }>('SELECT version FROM revisions WHERE content_id = ? ORDER BY version', [item.Id]);
      for (const { version } of versions) {
        const files = getManifest(db, item.Id, version);
        const bytes = manifestDocument(item, version, files);
        documents.push({ rel: manifestUrlPath(item.Id, version), bytes });
        if (version === item.SourceVersion) documents.push({ rel: manifestUrlPath(item.Id, 'current'), bytes });
        for (const f of files) if (!blobs.has(f.sha256)) blobs.set(f.sha256, blobLocation(db, f.sha256));
      }
    }
    return { documents, blobs: [...blobs.values()], items: items.length };
  });
}

export async function publishContentLibrary(home: string, now: Date, dir: string, o: PublishOptions = {}): Promise<PublishResult> {
  const p = await plan(home, now, o.ids);
  const result: PublishResult = { Path: dir, Items: p.items, Manifests: p.documents.length, FilesWritten: 0, FilesSkipped: 0, BytesWritten: 0 };
  // files first, manifests last: a manifest never names a file that is not yet published
  const todo: BlobLocation[] = [];
  for (const b of p.blobs) {
    const s = await stat(join(dir, fileUrlPath(b.sha256))).catch(() => undefined);
    if (s?.isFile() && s.size === b.size) result.FilesSkipped++;
    else todo.push(b);
  }
  o.onTotal?.(todo.reduce((n, b) => n + b.size, 0));
  for (const b of todo) {
    o.signal?.throwIfAborted();
    await copyBlob(home, b, join(dir, fileUrlPath(b.sha256)), o.onBytes);
    result.FilesWritten++;
    result.BytesWritten += b.size;
  }
  for (const d of p.documents) {
    o.signal?.throwIfAborted();
    if (await writeDocument(join(dir, d.rel), d.bytes)) {
      result.FilesWritten++;
      result.BytesWritten += d.bytes.length;
    } else {
      result.FilesSkipped++;
    }
  }
  return result;
}
