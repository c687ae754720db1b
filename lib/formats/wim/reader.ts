// Reading WIMs (edge module): open a file (and the other parts of a split set), list its images
// from the XML, load an image's metadata, and stream any blob chunk by chunk, checking its SHA-1.
// Every size and offset read from the file is checked against the file size before it is used.
import { createHash } from 'node:crypto';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { NotFoundError, TsmediaError } from '../../errors.js';
import { corruptBlobError, hashHex, wimError } from './bytes.js';
import { decodeBlobTable, type BlobEntry } from './blob-table.js';
import { chunkTableSize, decodeChunkTable, type ChunkLayout } from './chunk-table.js';
import { decompressChunk } from './codec.js';
import { decodeHeader, headerCompression, WIM_CHUNK_SIZE, WIM_HEADER_SIZE, type WimCompression, type WimHeader } from './header.js';
import { decodeIntegrity } from './integrity.js';
import { decodeMetadata, type ImageMetadata, type WimNode } from './metadata.js';
import { compareNamesInsensitive } from './names.js';
import { checkResourceBounds, isEmptyResource, RESHDR_FLAG_COMPRESSED, type ResourceHeader } from './resource-header.js';
import { childText, decodeXmlBytes, imagesOf, readTime, type XmlElement } from './xml.js';

/** wimlib's bound: a metadata resource may not expand to more than 512x the file size. */
const METADATA_EXPANSION_LIMIT = 512;
/** Largest resource read whole into memory (metadata, XML, a file asked for by readFile). */
export const MAX_IN_MEMORY = 1 << 30;
const RAW_BLOCK = 1 << 20;

export interface WimImageInfo {
  index: number;
  name: string;
  description: string;
  dirCount: number;
  fileCount: number;
  totalBytes: number;
  hardLinkBytes: number;
  creationTime: bigint | undefined;
  lastModificationTime: bigint | undefined;
  /** The whole <IMAGE> element, unknown children included. */
  xml: XmlElement;
}

interface Part { path: string; fd: number; size: number; header: WimHeader }

interface Located { entry: BlobEntry; part: Part }

function readAt(part: Part, buf: Uint8Array, pos: number): void {
  let got = 0;
  while (got < buf.length) {
    const n = readSync(part.fd, buf, got, buf.length - got, pos + got);
    if (n === 0) throw wimError(`${part.path} ended early at offset ${pos + got}`);
    got += n;
  }
}

function openPart(path: string): Part {
  let fd: number;
  try { fd = openSync(path, 'r'); } catch (e) { throw new NotFoundError('wim', `cannot open ${path}: ${(e as Error).message}`, { path }); }
  try {
    const size = fstatSync(fd).size;
    if (size < WIM_HEADER_SIZE) throw wimError(`${path} is too small to be a WIM (${size} bytes)`);
    const hb = new Uint8Array(WIM_HEADER_SIZE);
    let got = 0;
    while (got < hb.length) got += readSync(fd, hb, got, hb.length - got, got) || hb.length;
    const part: Part = { path, fd, size, header: decodeHeader(hb) };
    for (const [r, what] of [[part.header.blobTable, 'blob table'], [part.header.xml, 'XML data'], [part.header.integrity, 'integrity table']] as const) {
      if (isEmptyResource(r)) continue;
      checkResourceBounds(r, size, what);
      if (r.flags & RESHDR_FLAG_COMPRESSED) throw wimError(`the ${what} is compressed, which WIMs never are`);
    }
    return part;
  } catch (e) {
    closeSync(fd);
    throw e;
  }
}

export interface OpenOptions {
  /** Other parts of a split set (.swm files); their GUID must match. */
  refs?: readonly string[];
}

export class Wim {
  readonly path: string;
  readonly header: WimHeader;
  readonly compression: WimCompression;
  readonly xml: XmlElement;
  readonly images: WimImageInfo[];
  private readonly parts: Part[];
  private readonly metadataEntries: BlobEntry[];
  private readonly blobs = new Map<string, Located>();
  private readonly loaded = new Map<number, ImageMetadata>();
  /** Buffers for reading uncompressed blobs, back from finished reads. */
  private readonly spareReadBuffers: Uint8Array[] = [];

  private constructor(path: string, opts: OpenOptions) {
    this.path = path;
    const main = openPart(path);
    this.parts = [main];
    try {
      this.header = main.header;
      this.compression = headerCompression(main.header);
      if (main.header.partNumber !== 1 && main.header.totalParts > 1) {
        throw wimError(`${path} is part ${main.header.partNumber} of a split WIM; open part 1 and pass the others as references`);
      }
      const table = this.readResource(main, main.header.blobTable, 'blob table', main.size);
      const decoded = decodeBlobTable(table, main.header.partNumber);
      this.metadataEntries = decoded.metadata;
      for (const [k, e] of decoded.blobs) this.blobs.set(k, { entry: e, part: main });
      for (const ref of opts.refs ?? []) {
        const p = openPart(ref);
        this.parts.push(p);
        if (Buffer.compare(p.header.guid, main.header.guid) !== 0) throw wimError(`${ref} is not part of the same split WIM as ${path} (GUID differs)`);
        if (headerCompression(p.header) !== this.compression) throw wimError(`${ref} uses another compression than ${path}`);
        const t = decodeBlobTable(this.readResource(p, p.header.blobTable, 'blob table', p.size), p.header.partNumber);
        for (const [k, e] of t.blobs) if (!this.blobs.has(k)) this.blobs.set(k, { entry: e, part: p });
      }
      this.xml = decodeXmlBytes(this.readResource(main, main.header.xml, 'XML data', main.size));
      const imgs = imagesOf(this.xml, main.header.imageCount);
      this.images = imgs.map((x, i) => imageInfo(i + 1, x));
    } catch (e) {
      this.close();
      throw e;
    }
  }

  static open(path: string, opts: OpenOptions = {}): Wim {
    return new Wim(path, opts);
  }

  close(): void {
    for (const p of this.parts) { try { closeSync(p.fd); } catch { /* closed */ } }
    this.parts.length = 0;
  }

  /** Checks the integrity table, if there is one; returns false when there is none. */
  verifyIntegrity(): boolean {
    const main = this.parts[0];
    if (!main || isEmptyResource(main.header.integrity)) return false;
    const covered = main.header.blobTable.offset + main.header.blobTable.sizeInWim - WIM_HEADER_SIZE;
    const t = decodeIntegrity(this.readResource(main, main.header.integrity, 'integrity table', main.size), covered);
    const buf = new Uint8Array(Math.min(t.chunkSize, RAW_BLOCK));
    t.hashes.forEach((expected, i) => {
      const h = createHash('sha1');
      const start = WIM_HEADER_SIZE + i * t.chunkSize;
      const end = Math.min(WIM_HEADER_SIZE + covered, start + t.chunkSize);
      for (let p = start; p < end; p += buf.length) {
        const view = buf.subarray(0, Math.min(buf.length, end - p));
        readAt(main, view, p);
        h.update(view);
      }
      if (!h.digest().equals(expected)) throw wimError(`integrity check failed for bytes ${start}..${end} of ${this.path}; the file is corrupt`);
    });
    return true;
  }

  /** Loads (once) and returns an image's security data and tree. */
  image(index: number): ImageMetadata {
    const info = this.images[index - 1];
    if (!info || !Number.isInteger(index)) throw new NotFoundError('image', `${this.path} has no image ${index} (it has ${this.images.length})`, { index });
    const cached = this.loaded.get(index);
    if (cached) return cached;
    const e = this.metadataEntries[index - 1];
    const main = this.parts[0];
    if (!e || !main) throw wimError(`image ${index} has no metadata resource in the blob table`);
    const limit = Math.min(MAX_IN_MEMORY, main.size * METADATA_EXPANSION_LIMIT);
    const buf = this.readResource(main, e.reshdr, `metadata of image ${index}`, limit);
    if (!createHash('sha1').update(buf).digest().equals(e.hash)) throw wimError(`metadata resource of image ${index} is corrupted (invalid SHA-1)`);
    const m = decodeMetadata(buf);
    this.loaded.set(index, m);
    return m;
  }

  /** The blob table of part 1: metadata entries in image order, and the file blobs. */
  blobTable(): { metadata: readonly BlobEntry[]; blobs: BlobEntry[] } {
    const main = this.parts[0];
    return { metadata: this.metadataEntries, blobs: [...this.blobs.values()].filter((b) => b.part === main).map((b) => b.entry) };
  }

  /** A blob's resource as stored, to copy into another WIM without recompressing. */
  stored(hash: Uint8Array): { reshdr: ResourceHeader; chunkSize: number; open(): { read(into: Uint8Array): void; close(): void } } {
    const { entry, part } = this.locate(hash);
    checkResourceBounds(entry.reshdr, part.size, `stream ${hashHex(hash)}`);
    return {
      reshdr: entry.reshdr,
      chunkSize: part.header.chunkSize,
      open: () => {
        let pos = entry.reshdr.offset;
        return { read(into) { readAt(part, into, pos); pos += into.length; }, close() { /* the WIM owns the descriptor */ } };
      },
    };
  }

  /** Size of the blob with this SHA-1, or undefined if not in this WIM (or its parts). */
  blobSize(hash: Uint8Array): number | undefined {
    return this.blobs.get(hashHex(hash))?.entry.reshdr.originalSize;
  }

  private locate(hash: Uint8Array): Located {
    const b = this.blobs.get(hashHex(hash));
    if (!b) throw wimError(`a stream (SHA-1 ${hashHex(hash)}) is not in ${this.path}${this.header.totalParts > 1 ? ' or the parts given' : ''}; the WIM is incomplete`);
    return b;
  }

  /** Streams a blob's data in chunks (views valid until the next one), then checks its SHA-1. */
  *blobChunks(hash: Uint8Array): Generator<Uint8Array> {
    const { entry, part } = this.locate(hash);
    const h = createHash('sha1');
    for (const c of this.resourceChunks(part, entry.reshdr, `stream ${hashHex(hash)}`)) {
      h.update(c);
      yield c;
    }
    if (!h.digest().equals(entry.hash)) throw corruptBlobError(hash);
  }

  /**
   * A blob's stored pieces in order, in fresh buffers (views of one read for adjacent chunks): compressed chunks with their uncompressed
   * size, or raw pieces (raw: true). For callers that decompress elsewhere (the pool) and check
   * the SHA-1 themselves.
   */
  *storedChunks(hash: Uint8Array): Generator<{ data: Uint8Array; usize: number; raw: boolean }> {
    const { entry, part } = this.locate(hash);
    const r = entry.reshdr;
    const what = `stream ${hashHex(hash)}`;
    checkResourceBounds(r, part.size, what);
    if (!(r.flags & RESHDR_FLAG_COMPRESSED)) {
      for (let p = 0; p < r.originalSize; p += RAW_BLOCK) {
        const data = new Uint8Array(Math.min(RAW_BLOCK, r.originalSize - p));
        readAt(part, data, r.offset + p);
        yield { data, usize: data.length, raw: true };
      }
      return;
    }
    const layout = this.chunkLayout(part, r, what);
    const chunkSize = part.header.chunkSize;
    const { offsets, sizes } = layout;
    // Runs of adjacent chunks are read with one call (up to RAW_BLOCK bytes), then handed out as views
    for (let i = 0; i < sizes.length;) {
      const from = offsets[i] ?? 0;
      let to = from + (sizes[i] ?? 0);
      let j = i + 1;
      while (j < sizes.length && offsets[j] === to && to + (sizes[j] ?? 0) - from <= RAW_BLOCK) to += sizes[j++] ?? 0;
      const span = new Uint8Array(to - from);
      readAt(part, span, r.offset + from);
      for (let at = 0; i < j; i++) {
        const n = sizes[i] ?? 0;
        const usize = Math.min(chunkSize, r.originalSize - i * chunkSize);
        yield { data: span.subarray(at, at + n), usize, raw: n === usize };
        at += n;
      }
    }
  }

  /** Expected SHA-1 check for callers of storedChunks. */
  checkBlobHash(hash: Uint8Array, actual: Uint8Array): void {
    if (Buffer.compare(actual, hash) !== 0) throw corruptBlobError(hash);
  }

  private chunkLayout(part: Part, r: ResourceHeader, what: string): ChunkLayout {
    if (this.compression === 'none') throw wimError(`${what} is marked compressed in an uncompressed WIM`);
    const chunkSize = part.header.chunkSize;
    if (this.compression === 'lzx' && chunkSize !== WIM_CHUNK_SIZE) {
      throw new TsmediaError('EWIM_CHUNK', `${part.path} uses LZX with ${chunkSize}-byte chunks; only the standard 32768-byte chunks are supported (wimlib-imagex export --chunk-size=32768 converts it)`);
    }
    const tableSize = chunkTableSize(r.originalSize, chunkSize);
    if (tableSize > r.sizeInWim) throw wimError(`${what}: chunk table larger than the resource; corrupt`);
    const table = new Uint8Array(tableSize);
    readAt(part, table, r.offset);
    return decodeChunkTable(table, r.originalSize, r.sizeInWim, chunkSize);
  }

  /** A whole blob in memory (bounded by `max`). */
  readBlob(hash: Uint8Array, max = MAX_IN_MEMORY): Uint8Array {
    const size = this.blobSize(hash) ?? 0;
    if (size > max) throw new TsmediaError('EWIM_TOO_LARGE', `stream of ${size} bytes is larger than ${max} bytes allowed here`);
    const out = new Uint8Array(size);
    let at = 0;
    for (const c of this.blobChunks(hash)) { out.set(c, at); at += c.length; }
    return out;
  }

  private readResource(part: Part, r: ResourceHeader, what: string, limit: number): Uint8Array {
    if (r.originalSize > limit) throw wimError(`${what} claims ${r.originalSize} bytes, more than the ${limit} allowed for this file`);
    const out = new Uint8Array(r.originalSize);
    let at = 0;
    for (const c of this.resourceChunks(part, r, what)) { out.set(c, at); at += c.length; }
    return out;
  }

  private *resourceChunks(part: Part, r: ResourceHeader, what: string): Generator<Uint8Array> {
    checkResourceBounds(r, part.size, what);
    if (!(r.flags & RESHDR_FLAG_COMPRESSED)) {
      // a read buffer from the spares (an apply reads thousands of blobs: no allocation each), so
      // two of these generators running at once never share one
      const buf = this.spareReadBuffers.pop() ?? new Uint8Array(RAW_BLOCK);
      try {
        for (let p = 0; p < r.originalSize; p += buf.length) {
          const view = buf.subarray(0, Math.min(buf.length, r.originalSize - p));
          readAt(part, view, r.offset + p);
          yield view;
        }
      } finally {
        this.spareReadBuffers.push(buf);
      }
      return;
    }
    const chunkSize = part.header.chunkSize;
    const layout = this.chunkLayout(part, r, what);
    const stored = new Uint8Array(chunkSize);
    for (let i = 0; i < layout.sizes.length; i++) {
      const ssize = layout.sizes[i] ?? 0;
      const usize = Math.min(chunkSize, r.originalSize - i * chunkSize);
      const view = stored.subarray(0, ssize);
      readAt(part, view, r.offset + (layout.offsets[i] ?? 0));
      yield decompressChunk(this.compression, view, usize);
    }
  }
}

function imageInfo(index: number, x: XmlElement): WimImageInfo {
  const num = (n: string): number => {
    const v = Number(childText(x, n) ?? 0);
    return Number.isFinite(v) ? v : 0;
  };
  return {
    index, name: childText(x, 'NAME') ?? '', description: childText(x, 'DESCRIPTION') ?? '',
    dirCount: num('DIRCOUNT'), fileCount: num('FILECOUNT'), totalBytes: num('TOTALBYTES'), hardLinkBytes: num('HARDLINKBYTES'),
    creationTime: readTime(x, 'CREATIONTIME'), lastModificationTime: readTime(x, 'LASTMODIFICATIONTIME'), xml: x,
  };
}

export function openWim(path: string, opts: OpenOptions = {}): Wim {
  return Wim.open(path, opts);
}

/** Finds a path ('/' or '\\' separated) in a tree: exact names first, then case-insensitively. */
export function findPath(root: WimNode, path: string): WimNode | undefined {
  let node: WimNode | undefined = root;
  for (const part of path.split(/[\\/]+/).filter((p) => p !== '')) {
    const kids: WimNode[] | null | undefined = node?.children;
    if (!kids) return undefined;
    node = kids.find((c) => c.name === part) ?? kids.find((c) => compareNamesInsensitive(c.name, part) === 0);
  }
  return node;
}

/** One file's data out of an image, e.g. bootmgr or Windows/Boot/DVD/EFI/BCD from boot.wim. */
export function readFileFromWim(wim: Wim, index: number, path: string, max = MAX_IN_MEMORY): Uint8Array {
  const node = findPath(wim.image(index).root, path);
  if (!node) throw new NotFoundError('path', `${path} is not in image ${index} of ${wim.path}`, { path, index });
  if (node.children) throw new TsmediaError('EWIM_ISDIR', `${path} in image ${index} of ${wim.path} is a directory`, { path });
  return node.dataHash ? wim.readBlob(node.dataHash, max) : new Uint8Array(0);
}
