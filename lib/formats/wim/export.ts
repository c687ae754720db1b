// Export: copy one image of a WIM into a new WIM or into an existing one (edge module), as
// wimlib-imagex export / Export-WindowsImage. Streams already in the destination are shared;
// others are copied as stored when codec and chunk size allow, else decompressed (SHA-1 checked)
// and recompressed. The IMAGE XML element is carried through (unknown elements included).
import { existsSync, renameSync, rmSync } from 'node:fs';
import { UsageError } from '../../errors.js';
import { hashHex } from './bytes.js';
import { reopenForAppend } from './append.js';
import { checkCaptureOptions, countReferences, deriveGuid, finishWim } from './capture.js';
import { blankHeader, compressionFlags, encodeHeader, HDR_FLAG_WRITE_IN_PROGRESS, WIM_CHUNK_SIZE, type WimCompression } from './header.js';
import { encodeMetadata, sortTree, walkTree, type WimNode } from './metadata.js';
import { OutFile } from './out-file.js';
import { openWim, type Wim } from './reader.js';
import { isEmptyResource, RESHDR_FLAG_COMPRESSED, RESHDR_FLAG_METADATA, type ResourceHeader } from './resource-header.js';
import { iteratorSource, ResourceWriter, type ChunkCompressor } from './resource-writer.js';
import { setChild, type XmlElement } from './xml.js';

export interface ExportOptions {
  /** For a new destination; default the source's. An existing destination keeps its own. */
  compression?: WimCompression;
  /** New name / description for the exported image. */
  name?: string;
  description?: string;
  now: Date;
  integrity?: boolean;
  /** Mark the exported image bootable in the destination. */
  bootable?: boolean;
  fsync?: boolean;
  compressor?: ChunkCompressor;
  signal?: AbortSignal;
}

export interface ExportResult { path: string; index: number; size: number }

function cloneXml(e: XmlElement): XmlElement {
  return { name: e.name, attrs: e.attrs.map(([k, v]) => [k, v]), children: e.children.map((c) => (typeof c === 'string' ? c : cloneXml(c))) };
}

/** Copies image `index` of `src` into `destPath` (created, or appended to). */
export async function exportImage(src: Wim, index: number, destPath: string, opts: ExportOptions): Promise<ExportResult> {
  const info = src.images[index - 1];
  if (!info) throw new UsageError('EWIM_INDEX', `${src.path} has no image ${index}`);
  const appendTo = existsSync(destPath) ? openWim(destPath) : undefined;
  const tmpPath = `${destPath}.partial-${process.pid}`;
  let out: OutFile | undefined;
  try {
    const compression = appendTo?.compression ?? opts.compression ?? src.compression;
    const newIndex = (appendTo?.images.length ?? 0) + 1;
    checkCaptureOptions({ compression, now: opts.now }, newIndex);
    const name = opts.name ?? info.name;
    if (appendTo?.images.some((i) => i.name === name)) throw new UsageError('EWIM_NAME', `${destPath} already has an image named "${name}"`);
    out = new OutFile(tmpPath, 'w', { durable: opts.fsync ?? false });
    let writer: ResourceWriter;
    let header;
    let oldMeta: { reshdr: ResourceHeader; hash: Uint8Array }[] = [];
    if (appendTo) {
      const r = reopenForAppend(appendTo, out, opts.compressor);
      writer = r.writer;
      header = r.header;
      oldMeta = r.metadata;
    } else {
      header = blankHeader();
      header.flags = compressionFlags(compression) | HDR_FLAG_WRITE_IN_PROGRESS;
      header.chunkSize = compression === 'none' ? 0 : WIM_CHUNK_SIZE;
      out.write(encodeHeader(header));
      writer = new ResourceWriter(out, compression, opts.compressor);
    }
    const meta = src.image(index);
    const destChunk = writer.chunkSize;
    const copyStream = async (h: Uint8Array): Promise<void> => {
      if (writer.blobs.has(hashHex(h))) return;
      const st = src.stored(h);
      const asStored = !(st.reshdr.flags & RESHDR_FLAG_COMPRESSED) || (src.compression === compression && st.chunkSize === destChunk);
      if (asStored) await writer.addStored(h, st.reshdr, st.open);
      else await writer.addStream(st.reshdr.originalSize, () => iteratorSource(src.blobChunks(h)));
    };
    for (const { node } of walkTree(meta.root)) {
      if (opts.signal?.aborted) throw new UsageError('EABORTED', 'export was cancelled');
      for (const h of [node.dataHash, node.reparseHash, ...node.namedStreams.map((s) => s.hash)]) if (h) await copyStream(h);
    }
    await writer.drain();
    countReferences(meta.root, writer.blobs);
    const root: WimNode = meta.root;
    sortTree(root);
    const m = await writer.addBuffer(encodeMetadata({ security: meta.security, root }), RESHDR_FLAG_METADATA, false);
    await writer.drain();
    const xml = cloneXml(info.xml);
    xml.attrs = xml.attrs.filter(([k]) => k.toUpperCase() !== 'INDEX');
    xml.attrs.unshift(['INDEX', String(newIndex)]);
    if (opts.name !== undefined) setChild(xml, 'NAME', [opts.name]);
    if (opts.description !== undefined) setChild(xml, 'DESCRIPTION', [opts.description]);
    if (opts.bootable) header.bootIndex = newIndex;
    if (!appendTo) header.guid = deriveGuid(opts.now, [m.hash]);
    const metadata = [...oldMeta, { reshdr: m.reshdr as ResourceHeader, hash: m.hash }];
    const size = finishWim({
      out, tmpPath, writer, header,
      images: [...(appendTo?.images.map((i) => i.xml) ?? []), xml],
      metadata,
      integrity: opts.integrity ?? (appendTo ? !isEmptyResource(appendTo.header.integrity) : false),
      fsync: opts.fsync ?? false,
    });
    appendTo?.close();
    renameSync(tmpPath, destPath);
    return { path: destPath, index: newIndex, size };
  } catch (e) {
    appendTo?.close();
    out?.close();
    rmSync(tmpPath, { force: true });
    throw e;
  }
}

