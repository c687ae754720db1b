// The blob ("lookup") table: one 50-byte entry per distinct stream, metadata resources first
// (wimlib struct blob_descriptor_disk; MS-WIM "Lookup Table").
import { hashHex, isZeroHash, need, putU16, putU32, SHA1_SIZE, u16, u32, wimError } from './bytes.js';
import { decodeResourceHeader, encodeResourceHeader, RESHDR_FLAG_METADATA, RESHDR_SIZE, type ResourceHeader } from './resource-header.js';

export const BLOB_ENTRY_SIZE = 50;

export interface BlobEntry {
  reshdr: ResourceHeader;
  partNumber: number;
  refCount: number;
  /** SHA-1 of the uncompressed data. */
  hash: Uint8Array;
}

export function encodeBlobTable(entries: readonly BlobEntry[]): Uint8Array {
  const b = new Uint8Array(entries.length * BLOB_ENTRY_SIZE);
  entries.forEach((e, i) => {
    const at = i * BLOB_ENTRY_SIZE;
    encodeResourceHeader(e.reshdr, b, at);        // reshdr      24 bytes
    putU16(b, at + 24, e.partNumber);             // part number  2 bytes
    putU32(b, at + 26, e.refCount);               // refcount     4 bytes
    b.set(e.hash, at + 30);                       // SHA-1       20 bytes
  });
  return b;
}

export interface DecodedBlobTable {
  /** Metadata resources in image order. */
  metadata: BlobEntry[];
  /** File blobs by hex SHA-1. */
  blobs: Map<string, BlobEntry>;
}

/** Decodes a blob table with wimlib's tolerance: entries of other parts, zero hashes, and duplicates are dropped. */
export function decodeBlobTable(buf: Uint8Array, partNumber: number): DecodedBlobTable {
  if (buf.length % BLOB_ENTRY_SIZE !== 0) throw wimError(`blob table size ${buf.length} is not a multiple of ${BLOB_ENTRY_SIZE}`);
  const metadata: BlobEntry[] = [];
  const blobs = new Map<string, BlobEntry>();
  for (let at = 0; at < buf.length; at += BLOB_ENTRY_SIZE) {
    need(buf, at, BLOB_ENTRY_SIZE, 'blob table entry');
    const e: BlobEntry = {
      reshdr: decodeResourceHeader(buf, at, 'blob table entry'),
      partNumber: u16(buf, at + RESHDR_SIZE, 'blob part number'),
      refCount: u32(buf, at + 26, 'blob refcount'),
      hash: buf.slice(at + 30, at + 30 + SHA1_SIZE),
    };
    if (e.partNumber !== partNumber) continue;
    if (e.reshdr.flags & RESHDR_FLAG_METADATA) {
      if (e.refCount === 0) continue;
      if (e.refCount !== 1) throw wimError(`metadata resource has refcount ${e.refCount}, expected 1`);
      metadata.push(e);
      continue;
    }
    if (isZeroHash(e.hash) || e.reshdr.originalSize === 0) continue;
    const key = hashHex(e.hash);
    if (!blobs.has(key)) blobs.set(key, e);
  }
  return { metadata, blobs };
}
