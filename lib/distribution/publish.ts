// Publish-TSContentLibrary: writes the distribution point layout (layout.ts) as static files, so
// nginx, any web server or a storage bucket can be a distribution point. Every file is written
// under a temporary name and renamed when complete; files already there with the right bytes are
// skipped, so publishing again after a revision writes only what the revision added.
import { mkdir, readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { writeFileAtomic } from '../catalog/atomic-write.js';
import { readCatalog } from '../catalog/catalog.js';
import { blobLocation, findContent, getContent, getManifest } from '../catalog/content.js';
import type { BlobLocation } from '../content/library.js';
import { copyBlobToFile } from '../content/library.js';
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

async function writeDocument(path: string, bytes: Buffer): Promise<boolean> {
  try {
    if ((await readFile(path)).equals(bytes)) return false;
  } catch { /* not there yet */ }
  await mkdir(dirname(path), { recursive: true });
  // not durable: a web server never serves a partial document, and a rerun rewrites what a crash lost
  await writeFileAtomic(path, bytes, { durable: false });
  return true;
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
  const buffer = Buffer.allocUnsafe(1 << 20);
  for (const b of todo) {
    await new Promise((resolve) => setImmediate(resolve)); // a copy is synchronous: let a Ctrl+C in between
    o.signal?.throwIfAborted();
    const path = join(dir, fileUrlPath(b.sha256));
    await mkdir(dirname(path), { recursive: true });
    copyBlobToFile(home, b, path, { buffer, ...(o.onBytes ? { onBytes: o.onBytes } : {}) });
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
