// Capture: directory trees -> a new WIM file (edge module). Layout: header placeholder (write in
// progress), file blobs, one metadata resource per image, blob table, XML, optional integrity
// table, final header. Written to `<out>.partial-<pid>` and renamed when whole. Every time written
// comes from the files' mtimes or `now`; the GUID is derived from the content, so the same input
// and `now` give the same bytes.
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync, renameSync, rmSync } from 'node:fs';
import { basename } from 'node:path';
import { TsmediaError, UsageError } from '../../errors.js';
import { hashHex } from './bytes.js';
import { encodeBlobTable, type BlobEntry } from './blob-table.js';
import { FILE_ATTRIBUTE_REPARSE_POINT } from './dentry.js';
import {
  blankHeader, compressionFlags, encodeHeader, HDR_FLAG_WRITE_IN_PROGRESS, MAX_IMAGES, WIM_CHUNK_SIZE, WIM_HEADER_SIZE,
  type WimCompression, type WimHeader,
} from './header.js';
import { encodeIntegrity, INTEGRITY_CHUNK_SIZE } from './integrity.js';
import { encodeMetadata, isDirectory, walkTree, type WimNode } from './metadata.js';
import { OutFile } from './out-file.js';
import { EMPTY_RESHDR, RESHDR_FLAG_METADATA, type ResourceHeader } from './resource-header.js';
import { ResourceWriter, type BlobRecord, type ChunkCompressor, type ResourceCacheUse } from './resource-writer.js';
import { dateToFiletime, scanTreeFiles, type ScannedFile, type ScanResult, type SymlinkPolicy } from './scan.js';
import { treeFromList, type ListedFile } from './list-tree.js';
import { encodeXmlBytes, imageElement, wimXml, type ImageStats, type XmlElement } from './xml.js';

export interface CaptureImageSpec {
  /** Directory whose contents become the image root (with `files`: only names the image). */
  source: string;
  /** The image's files as a list instead of a folder scan; every time is the capture's `now`. */
  files?: readonly ListedFile[];
  /** Image name (unique in the WIM); default: the source folder's name. */
  name?: string;
  description?: string;
}

export interface CaptureOptions {
  compression: WimCompression;
  /** The capture time for the XML (callers pass SOURCE_DATE_EPOCH or the clock). */
  now: Date;
  /** Write an integrity table (SHA-1 per 10 MiB), as wimlib --check. */
  integrity?: boolean;
  /** 1-based image to mark bootable (WinPE boot.wim), 0 = none. */
  bootIndex?: number;
  /** 16 bytes; default derived from the content and `now`. */
  guid?: Uint8Array;
  /** Symbolic links: stored as symlink reparse points (default), or refused with an error. */
  symlinks?: SymlinkPolicy;
  signal?: AbortSignal;
  /** fsync the file before it is renamed into place (default false, as wimlib). */
  fsync?: boolean;
  /** Compression backend; default the worker pool. Tests may pass an in-process one. */
  compressor?: ChunkCompressor;
  /**
   * Reuse stored resources of files whose content key has a cache entry for this compression;
   * store the others' as new entries. The WIM is byte-identical with or without it.
   */
  resourceCache?: ResourceCacheUse;
}

export interface CapturedImage extends ImageStats { index: number; name: string; skipped: string[] }

export interface CaptureResult {
  path: string;
  images: CapturedImage[];
  blobCount: number;
  size: number;
  /** With a resource cache: files copied from it and files compressed (and added to it). */
  resourceCache?: { hits: number; misses: number };
}

/** The XML counts wimlib writes: over names; reparse-point directories count as files. */
export function imageStats(root: WimNode, sizeOf: (h: Uint8Array) => number): ImageStats {
  const s: ImageStats = { dirCount: 0, fileCount: 0, totalBytes: 0, hardLinkBytes: 0 };
  const seenLinks = new Set<bigint>();
  for (const { node } of walkTree(root)) {
    if (isDirectory(node) && !(node.attributes & FILE_ATTRIBUTE_REPARSE_POINT)) s.dirCount++;
    else s.fileCount++;
    let bytes = 0;
    if (node.dataHash) bytes += sizeOf(node.dataHash);
    if (node.reparseHash) bytes += sizeOf(node.reparseHash);
    for (const ns of node.namedStreams) bytes += sizeOf(ns.hash);
    s.totalBytes += bytes;
    if (node.hardLinkId !== 0n) {
      if (seenLinks.has(node.hardLinkId)) s.hardLinkBytes += bytes;
      else seenLinks.add(node.hardLinkId);
    }
  }
  return s;
}

/** Adds each stream reference of an image to its blob's refcount. */
export function countReferences(root: WimNode, blobs: Map<string, BlobRecord>): void {
  const ref = (h: Uint8Array | null): void => {
    if (!h) return;
    const r = blobs.get(hashHex(h));
    if (r) r.refCount++;
  };
  for (const { node } of walkTree(root)) {
    ref(node.dataHash);
    ref(node.reparseHash);
    for (const ns of node.namedStreams) ref(ns.hash);
  }
}

export function checkCaptureOptions(o: CaptureOptions, imageCount: number): void {
  if (!['none', 'xpress', 'lzx'].includes(o.compression)) throw new UsageError('EWIM_COMPRESSION', `unknown compression ${String(o.compression)}; use none, xpress or lzx`);
  if (!(o.now instanceof Date) || Number.isNaN(o.now.getTime())) throw new UsageError('EWIM_TIME', 'a valid capture time is required');
  if (o.guid && o.guid.length !== 16) throw new UsageError('EWIM_GUID', 'a WIM GUID is 16 bytes');
  if (imageCount < 1 || imageCount > MAX_IMAGES) throw new UsageError('EWIM_IMAGES', `a WIM holds 1 to ${MAX_IMAGES} images`);
  const b = o.bootIndex ?? 0;
  if (!Number.isInteger(b) || b < 0 || b > imageCount) throw new UsageError('EWIM_BOOTINDEX', `boot index ${b} is not 0 or an image index (1..${imageCount})`);
}

/** Reads back [start, end) of a file in 10 MiB slices and hashes each (integrity table). */
export function integrityHashes(path: string, start: number, end: number, chunk = INTEGRITY_CHUNK_SIZE): Uint8Array[] {
  const fd = openSync(path, 'r');
  const buf = Buffer.allocUnsafe(Math.min(chunk, 1 << 20));
  const hashes: Uint8Array[] = [];
  try {
    for (let pos = start; pos < end; pos += chunk) {
      const h = createHash('sha1');
      const stop = Math.min(end, pos + chunk);
      for (let p = pos; p < stop;) {
        const n = readSync(fd, buf, 0, Math.min(buf.length, stop - p), p);
        if (n === 0) throw new TsmediaError('EWIM_IO', `${path} is shorter than expected`);
        h.update(buf.subarray(0, n));
        p += n;
      }
      hashes.push(new Uint8Array(h.digest()));
    }
  } finally {
    closeSync(fd);
  }
  return hashes;
}

export interface FinishInput {
  out: OutFile;
  tmpPath: string;
  writer: ResourceWriter;
  /** Metadata resource headers and hashes, in image order (all images of the WIM). */
  metadata: { reshdr: ResourceHeader; hash: Uint8Array }[];
  images: XmlElement[];
  header: WimHeader;
  integrity: boolean;
  fsync: boolean;
}

/** Writes blob table, XML, integrity table and the final header; closes the file. */
export function finishWim(f: FinishInput): number {
  const entries: BlobEntry[] = f.metadata.map((m) => ({ reshdr: m.reshdr, partNumber: 1, refCount: 1, hash: m.hash }));
  const blobs = [...f.writer.blobs.values()].filter((b) => b.refCount > 0 && b.reshdr);
  blobs.sort((a, b) => (a.reshdr?.offset ?? 0) - (b.reshdr?.offset ?? 0));
  for (const b of blobs) if (b.reshdr) entries.push({ reshdr: b.reshdr, partNumber: 1, refCount: b.refCount, hash: b.hash });
  const table = encodeBlobTable(entries);
  const h = f.header;
  h.blobTable = { sizeInWim: table.length, flags: RESHDR_FLAG_METADATA, offset: f.out.pos, originalSize: table.length };
  f.out.write(table);
  const xmlOffset = f.out.pos;
  const xml = encodeXmlBytes(wimXml(f.images, xmlOffset));
  h.xml = { sizeInWim: xml.length, flags: RESHDR_FLAG_METADATA, offset: xmlOffset, originalSize: xml.length };
  f.out.write(xml);
  h.imageCount = f.metadata.length;
  const boot = h.bootIndex > 0 ? f.metadata[h.bootIndex - 1] : undefined;
  if (boot) h.bootMetadata = boot.reshdr;
  h.integrity = EMPTY_RESHDR;
  if (f.integrity) {
    f.out.flush();
    const end = h.blobTable.offset + h.blobTable.sizeInWim;
    const it = encodeIntegrity({ chunkSize: INTEGRITY_CHUNK_SIZE, hashes: integrityHashes(f.tmpPath, WIM_HEADER_SIZE, end) });
    h.integrity = { sizeInWim: it.length, flags: 0, offset: f.out.pos, originalSize: it.length };
    f.out.write(it);
  }
  h.flags &= ~HDR_FLAG_WRITE_IN_PROGRESS;
  const size = f.out.pos;
  f.out.patch(0, encodeHeader(h));
  f.out.finish(f.fsync);
  return size;
}

export interface AddedImages {
  images: CapturedImage[];
  xml: XmlElement[];
  metadata: { reshdr: ResourceHeader; hash: Uint8Array }[];
}

function* filesOf(scan: ScanResult): Generator<ScannedFile, ScanResult> {
  yield* scan.files;
  return scan;
}

/** Scans and stores the trees' data, then their metadata resources; images numbered from `first`. */
export async function addImages(writer: ResourceWriter, specs: readonly (CaptureImageSpec & { name: string })[], first: number, opts: CaptureOptions): Promise<AddedImages> {
  writer.cache = opts.resourceCache;
  try {
    return await addImagesTo(writer, specs, first, opts);
  } catch (e) {
    writer.abandon();
    throw e;
  }
}

async function addImagesTo(writer: ResourceWriter, specs: readonly (CaptureImageSpec & { name: string })[], first: number, opts: CaptureOptions): Promise<AddedImages> {
  const scans = [];
  for (const spec of specs) {
    // a folder's files are stored while the scan goes on (the pool is busy from the first folder)
    const scanning = spec.files
      ? filesOf(treeFromList(spec.files, opts.now))
      : scanTreeFiles(spec.source, { ...(opts.symlinks ? { symlinks: opts.symlinks } : {}), ...(opts.signal ? { signal: opts.signal } : {}) });
    const stored = new Map<ScannedFile, BlobRecord>();
    let step = scanning.next();
    for (; !step.done; step = scanning.next()) {
      if (opts.signal?.aborted) throw new TsmediaError('EABORTED', 'capture was cancelled');
      stored.set(step.value, await writer.addFile(step.value.ref ?? step.value.path, step.value.size));
    }
    const scan = step.value;
    // hard links found later in the scan share the first name's data
    for (const [f, rec] of stored) for (const n of f.nodes) n.dataHash = rec.hash;
    for (const r of scan.reparse) r.node.reparseHash = (await writer.addBuffer(r.data, 0)).hash;
    countReferences(scan.root, writer.blobs);
    scans.push(scan);
  }
  await writer.drain();
  const sizeOf = (h: Uint8Array): number => writer.blobs.get(hashHex(h))?.size ?? 0;
  const metaRecs: BlobRecord[] = [];
  for (const scan of scans) metaRecs.push(await writer.addBuffer(encodeMetadata({ security: [], root: scan.root }), RESHDR_FLAG_METADATA, false));
  await writer.drain();
  const time = dateToFiletime(opts.now);
  const images: CapturedImage[] = [];
  const xml = scans.map((scan, i) => {
    const stats = imageStats(scan.root, sizeOf);
    const spec = specs[i];
    const name = spec?.name ?? '';
    images.push({ index: first + i, name, skipped: scan.skipped, ...stats });
    return imageElement(first + i, { ...stats, name, ...(spec?.description ? { description: spec.description } : {}), creationTime: time, lastModificationTime: time });
  });
  return { images, xml, metadata: metaRecs.map((m) => ({ reshdr: m.reshdr as ResourceHeader, hash: m.hash })) };
}

/** Captures one or more directory trees as the images of a new WIM at `outPath`. */
export async function captureWim(outPath: string, images: readonly CaptureImageSpec[], opts: CaptureOptions): Promise<CaptureResult> {
  checkCaptureOptions(opts, images.length);
  const names = images.map((s) => s.name ?? basename(s.source));
  if (new Set(names).size !== names.length) throw new UsageError('EWIM_NAME', 'image names in one WIM must be unique');
  const tmpPath = `${outPath}.partial-${process.pid}`;
  const out = new OutFile(tmpPath, 'w', { durable: opts.fsync ?? false });
  try {
    const header = blankHeader();
    header.flags = compressionFlags(opts.compression) | HDR_FLAG_WRITE_IN_PROGRESS;
    header.chunkSize = opts.compression === 'none' ? 0 : WIM_CHUNK_SIZE;
    header.bootIndex = opts.bootIndex ?? 0;
    out.write(encodeHeader(header));
    const writer = new ResourceWriter(out, opts.compression, opts.compressor);
    const added = await addImages(writer, images.map((s, i) => ({ ...s, name: names[i] ?? '' })), 1, opts);
    header.guid = opts.guid ?? deriveGuid(opts.now, added.metadata.map((m) => m.hash));
    const size = finishWim({
      out, tmpPath, writer, header, images: added.xml, integrity: opts.integrity ?? false, fsync: opts.fsync ?? false,
      metadata: added.metadata,
    });
    renameSync(tmpPath, outPath);
    return {
      path: outPath, images: added.images, blobCount: [...writer.blobs.values()].filter((b) => b.refCount > 0).length, size,
      ...(opts.resourceCache ? { resourceCache: { ...writer.cacheCounts } } : {}),
    };
  } catch (e) {
    out.close();
    rmSync(tmpPath, { force: true });
    throw e;
  }
}

/** A GUID that depends only on the content and the capture time (reproducible output). */
export function deriveGuid(now: Date, metadataHashes: readonly Uint8Array[]): Uint8Array {
  const h = createHash('sha1').update('tsmedia WIM GUID\0').update(String(now.getTime()));
  for (const m of metadataHashes) h.update(m);
  return new Uint8Array(h.digest().subarray(0, 16));
}
