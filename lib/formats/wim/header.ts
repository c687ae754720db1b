// The 208-byte WIM header at offset 0 (wimlib struct wim_header_disk; MS-WIM "WIM Header").
import { need, putU16, putU32, u16, u32, wimError } from './bytes.js';
import { decodeResourceHeader, EMPTY_RESHDR, encodeResourceHeader, type ResourceHeader } from './resource-header.js';

export const WIM_HEADER_SIZE = 208;
export const WIM_MAGIC = Buffer.from('MSWIM\0\0\0', 'latin1');
const PIPABLE_MAGIC = Buffer.from('WLPWM\0\0\0', 'latin1');
export const WIM_VERSION = 0x00010d00;       // 1.13, non-solid
export const WIM_VERSION_SOLID = 0x00000e00; // solid resources (ESD)
export const WIM_CHUNK_SIZE = 32768;

export const HDR_FLAG_RESERVED = 0x1;
export const HDR_FLAG_COMPRESSION = 0x2;
export const HDR_FLAG_READONLY = 0x4;
export const HDR_FLAG_SPANNED = 0x8;
export const HDR_FLAG_RESOURCE_ONLY = 0x10;
export const HDR_FLAG_METADATA_ONLY = 0x20;
export const HDR_FLAG_WRITE_IN_PROGRESS = 0x40;
export const HDR_FLAG_RP_FIX = 0x80;
export const HDR_FLAG_COMPRESS_XPRESS = 0x20000;
export const HDR_FLAG_COMPRESS_LZX = 0x40000;
export const HDR_FLAG_COMPRESS_LZMS = 0x80000;
export const HDR_FLAG_COMPRESS_XPRESS2 = 0x200000;

export const MAX_IMAGES = 65535;

export type WimCompression = 'none' | 'xpress' | 'lzx';

export interface WimHeader {
  version: number;
  flags: number;
  /** 0 for uncompressed WIMs. */
  chunkSize: number;
  guid: Uint8Array;
  partNumber: number;
  totalParts: number;
  imageCount: number;
  blobTable: ResourceHeader;
  xml: ResourceHeader;
  bootMetadata: ResourceHeader;
  /** 1-based bootable image, 0 = none. */
  bootIndex: number;
  integrity: ResourceHeader;
}

export function compressionFlags(c: WimCompression): number {
  if (c === 'none') return 0;
  return HDR_FLAG_COMPRESSION | (c === 'xpress' ? HDR_FLAG_COMPRESS_XPRESS : HDR_FLAG_COMPRESS_LZX);
}

/** The codec a header names; throws for LZMS and for contradictory flags. */
export function headerCompression(h: Pick<WimHeader, 'flags'>): WimCompression {
  if (!(h.flags & HDR_FLAG_COMPRESSION)) return 'none';
  const kinds = [HDR_FLAG_COMPRESS_XPRESS | HDR_FLAG_COMPRESS_XPRESS2, HDR_FLAG_COMPRESS_LZX, HDR_FLAG_COMPRESS_LZMS]
    .filter((f) => (h.flags & f) !== 0);
  if (kinds.length !== 1) throw wimError(`header flags 0x${h.flags.toString(16)} name no single compression type`);
  if (h.flags & HDR_FLAG_COMPRESS_LZMS) throw wimError('LZMS-compressed WIMs are not supported');
  return h.flags & HDR_FLAG_COMPRESS_LZX ? 'lzx' : 'xpress';
}

export function encodeHeader(h: WimHeader): Uint8Array {
  const b = new Uint8Array(WIM_HEADER_SIZE);
  if (h.guid.length !== 16) throw new RangeError('WIM GUID must be 16 bytes');
  b.set(WIM_MAGIC, 0);                               // magic          8 bytes
  putU32(b, 0x08, WIM_HEADER_SIZE);                  // header size    4 bytes
  putU32(b, 0x0c, h.version);                        // version        4 bytes
  putU32(b, 0x10, h.flags);                          // flags          4 bytes
  putU32(b, 0x14, h.chunkSize);                      // chunk size     4 bytes
  b.set(h.guid, 0x18);                               // GUID          16 bytes
  putU16(b, 0x28, h.partNumber);                     // part number    2 bytes
  putU16(b, 0x2a, h.totalParts);                     // total parts    2 bytes
  putU32(b, 0x2c, h.imageCount);                     // image count    4 bytes
  encodeResourceHeader(h.blobTable, b, 0x30);        // blob table    24 bytes
  encodeResourceHeader(h.xml, b, 0x48);              // XML           24 bytes
  encodeResourceHeader(h.bootMetadata, b, 0x60);     // boot metadata 24 bytes
  putU32(b, 0x78, h.bootIndex);                      // boot index     4 bytes
  encodeResourceHeader(h.integrity, b, 0x7c);        // integrity     24 bytes
  return b;                                          // unused        60 bytes (zero)
}

/** Decodes and validates a header as wimlib does on open. */
export function decodeHeader(buf: Uint8Array): WimHeader {
  need(buf, 0, WIM_HEADER_SIZE, 'WIM header');
  const magic = Buffer.from(buf.subarray(0, 8));
  if (magic.equals(PIPABLE_MAGIC)) throw wimError('this is a pipable WIM (wimlib-only format), which is not supported; convert it with wimlib-imagex optimize');
  if (!magic.equals(WIM_MAGIC)) throw wimError('not a WIM file (bad magic)');
  const size = u32(buf, 0x08, 'header size');
  if (size !== WIM_HEADER_SIZE) throw wimError(`header size is ${size}, expected ${WIM_HEADER_SIZE}`);
  const h: WimHeader = {
    version: u32(buf, 0x0c, 'version'),
    flags: u32(buf, 0x10, 'flags'),
    chunkSize: u32(buf, 0x14, 'chunk size'),
    guid: buf.slice(0x18, 0x28),
    partNumber: u16(buf, 0x28, 'part number'),
    totalParts: u16(buf, 0x2a, 'total parts'),
    imageCount: u32(buf, 0x2c, 'image count'),
    blobTable: decodeResourceHeader(buf, 0x30, 'blob table header'),
    xml: decodeResourceHeader(buf, 0x48, 'XML header'),
    bootMetadata: decodeResourceHeader(buf, 0x60, 'boot metadata header'),
    bootIndex: u32(buf, 0x78, 'boot index'),
    integrity: decodeResourceHeader(buf, 0x7c, 'integrity table header'),
  };
  if (h.version === WIM_VERSION_SOLID) throw wimError('solid WIMs (version 0xE00, ESD) are not supported');
  if (h.version !== WIM_VERSION) throw wimError(`unknown WIM version 0x${h.version.toString(16)}`);
  if (h.partNumber === 0 || h.totalParts === 0 || h.partNumber > h.totalParts) {
    throw wimError(`invalid part number ${h.partNumber} of ${h.totalParts}`);
  }
  if (h.imageCount > MAX_IMAGES) throw wimError(`image count ${h.imageCount} exceeds ${MAX_IMAGES}`);
  if (h.bootIndex > h.imageCount) throw wimError(`boot index ${h.bootIndex} exceeds the image count ${h.imageCount}`);
  const c = headerCompression(h);
  if (c === 'none') {
    if (h.chunkSize !== 0 && h.chunkSize !== WIM_CHUNK_SIZE) throw wimError(`uncompressed WIM has chunk size ${h.chunkSize}`);
  } else {
    const [lo, hi] = c === 'xpress' ? [4096, 65536] : [32768, 2 * 1024 * 1024];
    if (h.chunkSize < lo || h.chunkSize > hi || (h.chunkSize & (h.chunkSize - 1)) !== 0) {
      throw wimError(`invalid chunk size ${h.chunkSize} for ${c.toUpperCase()}`);
    }
  }
  return h;
}

export function blankHeader(): WimHeader {
  return {
    version: WIM_VERSION, flags: 0, chunkSize: 0, guid: new Uint8Array(16), partNumber: 1, totalParts: 1,
    imageCount: 0, blobTable: EMPTY_RESHDR, xml: EMPTY_RESHDR, bootMetadata: EMPTY_RESHDR, bootIndex: 0,
    integrity: EMPTY_RESHDR,
  };
}
