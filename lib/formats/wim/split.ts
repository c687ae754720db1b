// Split: one WIM into parts X.swm, X2.swm, X3.swm... (wimlib src/split.c behaviour). Every part is
// a whole WIM file with the same GUID, its part number, the SPANNED flag, all images' XML and its own
// blob table listing only its blobs. Part 1 carries every metadata resource. Blobs are copied as
// stored (no recompression) in on-disk order; a blob never spans parts, so a part may exceed the
// size asked for when one blob alone does.
import { closeSync, openSync, readSync, renameSync, rmSync } from 'node:fs';
import { TsmediaError, UsageError } from '../../errors.js';
import { encodeBlobTable, type BlobEntry } from './blob-table.js';
import { encodeHeader, HDR_FLAG_SPANNED, HDR_FLAG_WRITE_IN_PROGRESS, WIM_HEADER_SIZE } from './header.js';
import { encodeIntegrity, INTEGRITY_CHUNK_SIZE } from './integrity.js';
import { integrityHashes } from './capture.js';
import { OutFile } from './out-file.js';
import type { Wim } from './reader.js';
import { EMPTY_RESHDR, RESHDR_FLAG_METADATA } from './resource-header.js';
import { encodeXmlBytes, wimXml } from './xml.js';

const COPY_BLOCK = 1 << 20;
const MAX_PARTS = 0xffff;

/** X.swm, X2.swm, X3.swm...: the part number goes before the extension. */
export function partName(first: string, part: number): string {
  if (part === 1) return first;
  const dot = first.lastIndexOf('.');
  const slash = Math.max(first.lastIndexOf('/'), first.lastIndexOf('\\'));
  return dot > slash ? `${first.slice(0, dot)}${part}${first.slice(dot)}` : `${first}${part}`;
}

export interface SplitPlan { parts: { metadata: BlobEntry[]; blobs: BlobEntry[] }[] }

/** Assigns blobs (in offset order) to parts of at most `maxPartSize` bytes where possible. */
export function planSplit(metadata: readonly BlobEntry[], blobs: readonly BlobEntry[], maxPartSize: number): SplitPlan {
  const sorted = [...blobs].sort((a, b) => a.reshdr.offset - b.reshdr.offset);
  const parts: SplitPlan['parts'] = [{ metadata: [...metadata], blobs: [] }];
  let used = WIM_HEADER_SIZE + metadata.reduce((a, m) => a + m.reshdr.sizeInWim, 0);
  for (const b of sorted) {
    const cur = parts[parts.length - 1];
    if (!cur) break;
    const empty = cur.blobs.length === 0 && cur.metadata.length === 0;
    if (!empty && used + b.reshdr.sizeInWim >= maxPartSize) {
      parts.push({ metadata: [], blobs: [b] });
      used = WIM_HEADER_SIZE + b.reshdr.sizeInWim;
    } else {
      cur.blobs.push(b);
      used += b.reshdr.sizeInWim;
    }
  }
  if (parts.length > MAX_PARTS) throw new UsageError('EWIM_SPLIT', `splitting at ${maxPartSize} bytes would make more than ${MAX_PARTS} parts`);
  return { parts };
}

export interface SplitOptions { integrity?: boolean; fsync?: boolean }

/** Splits `wim` into parts named from `firstPart` (e.g. install.swm); returns the part paths. */
export function splitWim(wim: Wim, firstPart: string, maxPartSize: number, opts: SplitOptions = {}): string[] {
  if (!Number.isSafeInteger(maxPartSize) || maxPartSize < 1) throw new UsageError('EWIM_SPLIT', 'the part size must be a positive number of bytes');
  if (wim.header.totalParts > 1) throw new UsageError('EWIM_SPLIT', `${wim.path} is already split`);
  const table = wim.blobTable();
  const plan = planSplit(table.metadata, table.blobs, maxPartSize);
  const total = plan.parts.length;
  const src = openSync(wim.path, 'r');
  const written: string[] = [];
  try {
    plan.parts.forEach((part, i) => {
      const path = partName(firstPart, i + 1);
      const tmp = `${path}.partial-${process.pid}`;
      const out = new OutFile(tmp, 'w', { durable: opts.fsync ?? false });
      try {
        const h = { ...wim.header, partNumber: i + 1, totalParts: total, bootIndex: 0, bootMetadata: EMPTY_RESHDR, integrity: EMPTY_RESHDR };
        h.flags = (h.flags | HDR_FLAG_SPANNED) & ~HDR_FLAG_WRITE_IN_PROGRESS;
        out.write(encodeHeader({ ...h, flags: h.flags | HDR_FLAG_WRITE_IN_PROGRESS }));
        const copy = (e: BlobEntry): BlobEntry => {
          const offset = out.pos;
          const buf = Buffer.allocUnsafe(Math.min(COPY_BLOCK, Math.max(1, e.reshdr.sizeInWim)));
          for (let p = 0; p < e.reshdr.sizeInWim;) {
            const n = readSync(src, buf, 0, Math.min(buf.length, e.reshdr.sizeInWim - p), e.reshdr.offset + p);
            if (n === 0) throw new TsmediaError('EWIM_IO', `${wim.path} ended early`);
            out.write(buf.subarray(0, n));
            p += n;
          }
          return { ...e, partNumber: i + 1, reshdr: { ...e.reshdr, offset } };
        };
        const blobs = part.blobs.map(copy);
        const metadata = part.metadata.map(copy);
        const entries = [...metadata, ...blobs];
        const tab = encodeBlobTable(entries);
        h.blobTable = { sizeInWim: tab.length, flags: RESHDR_FLAG_METADATA, offset: out.pos, originalSize: tab.length };
        out.write(tab);
        const xml = encodeXmlBytes(wimXml(wim.images.map((im) => im.xml), out.pos));
        h.xml = { sizeInWim: xml.length, flags: RESHDR_FLAG_METADATA, offset: out.pos, originalSize: xml.length };
        out.write(xml);
        if (opts.integrity) {
          out.flush();
          const it = encodeIntegrity({ chunkSize: INTEGRITY_CHUNK_SIZE, hashes: integrityHashes(tmp, WIM_HEADER_SIZE, h.blobTable.offset + tab.length) });
          h.integrity = { sizeInWim: it.length, flags: 0, offset: out.pos, originalSize: it.length };
          out.write(it);
        }
        out.patch(0, encodeHeader(h));
        out.finish(opts.fsync ?? false);
        renameSync(tmp, path);
        written.push(path);
      } catch (e) {
        out.close();
        rmSync(tmp, { force: true });
        throw e;
      }
    });
  } catch (e) {
    for (const p of written) rmSync(p, { force: true });
    throw e;
  } finally {
    closeSync(src);
  }
  return written;
}
