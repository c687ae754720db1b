// Imports source files into the content library: each file is read and hashed in the worker pool,
// and blobs the library does not hold yet are appended to this import's pack. Files are taken in
// order with a bounded number in flight, so memory stays bounded whatever the source size.
import { inFlightLimit, runTask } from '../pool/pool.js';
import type { ReadHashResult } from '../../workers/read-hash.js';
import { DIGEST_BYTES } from '../../workers/read-hash.js';
import { PackWriter } from './library.js';
import type { BlobLocation } from './library.js';
import type { ManifestFile } from './manifest.js';
import type { SourceFile } from './source-tree.js';
import { TsmediaError } from '../errors.js';

/** Files up to this size travel whole from the worker; larger ones are copied streaming. */
const INLINE_LIMIT = 8 << 20;

export interface ImportOutcome {
  manifest: ManifestFile[];
  /** Blobs this import added to the library (to record in the catalog). */
  newBlobs: BlobLocation[];
  /** The pack holding them, or undefined when the library already held every blob. */
  pack: PackWriter | undefined;
}

export interface ImportOptions {
  /** True when the library already holds a blob with this SHA-256. */
  has(sha256: string): boolean;
  onProgress?: (bytes: number) => void;
  signal?: AbortSignal;
}

export async function importFiles(home: string, files: readonly SourceFile[], opts: ImportOptions): Promise<ImportOutcome> {
  const writer = await PackWriter.create(home);
  const manifest: ManifestFile[] = [];
  const added = new Set<string>();
  const limit = inFlightLimit();
  const pending: Promise<ReadHashResult>[] = [];
  let next = 0;
  const submit = (): void => {
    const f = files[next++]!;
    const p = runTask<ReadHashResult>('readAndHash', { path: f.absolute, size: f.size, inlineLimit: INLINE_LIMIT });
    p.catch(() => {}); // observed below, in order; avoid an unhandled rejection meanwhile
    pending.push(p);
  };
  try {
    for (let i = 0; i < files.length; i++) {
      while (next < files.length && pending.length < limit) submit();
      if (opts.signal?.aborted) throw new TsmediaError('EABORTED', 'The import was interrupted; nothing was kept.');
      const file = files[i]!;
      let result: ReadHashResult;
      try {
        result = await pending.shift()!;
      } catch (err) {
        throw new TsmediaError('ESOURCE_UNREADABLE', `Cannot read '${file.path}' from the source: ${(err as Error).message}`, { path: file.path });
      }
      if (result instanceof ArrayBuffer) {
        const sha256 = Buffer.from(result, 0, DIGEST_BYTES).toString('hex');
        const data = new Uint8Array(result, DIGEST_BYTES);
        manifest.push({ path: file.path, size: data.length, sha256 });
        if (!opts.has(sha256) && !added.has(sha256)) {
          added.add(sha256);
          await writer.append(sha256, data);
        }
        opts.onProgress?.(data.length);
      } else {
        manifest.push({ path: file.path, size: result.size, sha256: result.sha256 });
        if (!opts.has(result.sha256) && !added.has(result.sha256)) {
          added.add(result.sha256);
          await writer.appendFile(file.absolute, result);
        }
        opts.onProgress?.(result.size);
      }
    }
    const kept = await writer.finish();
    return { manifest, newBlobs: writer.blobs, pack: kept ? writer : undefined };
  } catch (err) {
    await Promise.allSettled(pending);
    await writer.abort();
    throw err;
  }
}
