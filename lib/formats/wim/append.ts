// Append: a new image into an existing WIM, sharing blobs it already holds (edge module).
// The result is written as a new file: the old file's data region is copied unchanged (so the old
// metadata and blob offsets stay valid), the new image's new blobs and metadata follow, then a
// new blob table, the XML with the old IMAGE elements carried through unchanged (unknown elements
// too), the integrity table and the header. Renamed over the old file when whole.
import { closeSync, openSync, readSync, renameSync, rmSync } from 'node:fs';
import { basename } from 'node:path';
import { TsmediaError, UsageError } from '../../errors.js';
import { hashHex } from './bytes.js';
import { addImages, checkCaptureOptions, finishWim, type CaptureImageSpec, type CaptureOptions, type CaptureResult } from './capture.js';
import { encodeHeader, HDR_FLAG_WRITE_IN_PROGRESS, MAX_IMAGES, WIM_CHUNK_SIZE, WIM_HEADER_SIZE, type WimHeader } from './header.js';
import { OutFile } from './out-file.js';
import { openWim, type Wim } from './reader.js';
import { isEmptyResource, type ResourceHeader } from './resource-header.js';
import { ResourceWriter, type ChunkCompressor } from './resource-writer.js';

export type AppendOptions = Omit<CaptureOptions, 'compression' | 'guid'>;

const COPY_BLOCK = 1 << 20;

export interface Reopened {
  writer: ResourceWriter;
  header: WimHeader;
  metadata: { reshdr: ResourceHeader; hash: Uint8Array }[];
}

/**
 * Starts rewriting `wim` into `out`: header placeholder, then the old data region copied unchanged
 * (so old offsets stay valid); the writer knows the old blobs, with their refcounts.
 */
export function reopenForAppend(wim: Wim, out: OutFile, compressor?: ChunkCompressor): Reopened {
  const h = { ...wim.header };
  if (h.totalParts > 1) throw new UsageError('EWIM_SPLIT', `${wim.path} is part of a split WIM; images cannot be added to split WIMs`);
  if (h.imageCount >= MAX_IMAGES) throw new UsageError('EWIM_IMAGES', `${wim.path} already holds ${MAX_IMAGES} images`);
  const chunkSize = wim.compression === 'none' ? WIM_CHUNK_SIZE : h.chunkSize;
  if (wim.compression === 'lzx' && chunkSize !== WIM_CHUNK_SIZE) {
    throw new TsmediaError('EWIM_CHUNK', `${wim.path} uses ${chunkSize}-byte LZX chunks; only 32768-byte chunks can be written`);
  }
  const table = wim.blobTable();
  // the data region to keep: up to the end of the last resource the blob table points at
  let dataEnd = WIM_HEADER_SIZE;
  for (const e of [...table.metadata, ...table.blobs]) dataEnd = Math.max(dataEnd, e.reshdr.offset + e.reshdr.sizeInWim);
  out.write(encodeHeader({ ...h, flags: h.flags | HDR_FLAG_WRITE_IN_PROGRESS }));
  const fd = openSync(wim.path, 'r');
  try {
    const buf = Buffer.allocUnsafe(COPY_BLOCK);
    for (let p = WIM_HEADER_SIZE; p < dataEnd;) {
      const n = readSync(fd, buf, 0, Math.min(COPY_BLOCK, dataEnd - p), p);
      if (n === 0) throw new TsmediaError('EWIM_IO', `${wim.path} ended early`);
      out.write(buf.subarray(0, n));
      p += n;
    }
  } finally {
    closeSync(fd);
  }
  const writer = new ResourceWriter(out, wim.compression, compressor, chunkSize);
  for (const b of table.blobs) {
    writer.blobs.set(hashHex(b.hash), { hash: b.hash, key: hashHex(b.hash), size: b.reshdr.originalSize, reshdr: b.reshdr, refCount: b.refCount });
  }
  return { writer, header: h, metadata: table.metadata.map((m) => ({ reshdr: m.reshdr, hash: m.hash })) };
}

export async function appendImage(wimPath: string, spec: CaptureImageSpec, opts: AppendOptions): Promise<CaptureResult> {
  const wim = openWim(wimPath);
  const tmpPath = `${wimPath}.partial-${process.pid}`;
  let out: OutFile | undefined;
  try {
    checkCaptureOptions({ ...opts, compression: wim.compression }, wim.header.imageCount + 1);
    const name = spec.name ?? basename(spec.source);
    if (wim.images.some((i) => i.name === name)) throw new UsageError('EWIM_NAME', `${wimPath} already has an image named "${name}"`);
    out = new OutFile(tmpPath, 'w', { durable: opts.fsync ?? false });
    const { writer, header: h, metadata } = reopenForAppend(wim, out, opts.compressor);
    const added = await addImages(writer, [{ ...spec, name }], h.imageCount + 1, { ...opts, compression: wim.compression });
    const size = finishWim({
      out, tmpPath, writer, header: h,
      images: [...wim.images.map((i) => i.xml), ...added.xml],
      metadata: [...metadata, ...added.metadata],
      integrity: opts.integrity ?? !isEmptyResource(h.integrity),
      fsync: opts.fsync ?? false,
    });
    wim.close();
    renameSync(tmpPath, wimPath);
    return {
      path: wimPath, images: added.images, blobCount: [...writer.blobs.values()].filter((b) => b.refCount > 0).length, size,
      ...(opts.resourceCache ? { resourceCache: { ...writer.cacheCounts } } : {}),
    };
  } catch (e) {
    wim.close();
    out?.close();
    rmSync(tmpPath, { force: true });
    throw e;
  }
}
