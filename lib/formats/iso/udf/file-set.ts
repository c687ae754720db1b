// ECMA-167 4/14.1 File Set Descriptor (partition block 0) and its terminating descriptor.
import { FormatError } from '../../../errors.js';
import { SECTOR } from '../directory-record.js';
import { TAG_FSD, TAG_TD, readTag, writeTag } from './tag.js';
import {
  writeCharspec, writeDstring, writeRegid, writeTimestamp, writeLongAd, readLongAd, udfSuffix,
  DOMAIN_ID, DOMAIN_FLAGS_WRITE_PROTECT,
} from './primitives.js';

export const FILE_SET_SECTORS = 2;
const FSD_SIZE = 512;

export function encodeFileSet(volumeId: string, date: Date, rootIcbBlock: number, fsdBlock: number): Buffer {
  const out = Buffer.alloc(FILE_SET_SECTORS * SECTOR);
  const b = out.subarray(0, SECTOR);
  writeTimestamp(b, 16, date);                             // recording date          12 bytes
  b.writeUInt16LE(3, 28);                                  // interchange level        2 bytes
  b.writeUInt16LE(3, 30);                                  // max interchange level    2 bytes
  b.writeUInt32LE(1, 32);                                  // character set list       4 bytes
  b.writeUInt32LE(1, 36);                                  // max character set list   4 bytes
  b.writeUInt32LE(0, 40);                                  // file set number          4 bytes
  b.writeUInt32LE(0, 44);                                  // file set desc number     4 bytes
  writeCharspec(b, 48);                                    // LV id charset           64 bytes
  writeDstring(b, 112, 128, volumeId);                     // logical volume id      128 bytes
  writeCharspec(b, 240);                                   // file set charset        64 bytes
  writeDstring(b, 304, 32, volumeId);                      // file set identifier     32 bytes
  writeLongAd(b, 400, SECTOR, rootIcbBlock);               // root directory ICB      16 bytes
  writeRegid(b, 416, DOMAIN_ID, udfSuffix(DOMAIN_FLAGS_WRITE_PROTECT)); // domain id  32 bytes
  writeTag(b, 0, TAG_FSD, fsdBlock, FSD_SIZE);
  writeTag(out.subarray(SECTOR), 0, TAG_TD, fsdBlock + 1, 512);
  return out;
}

export function decodeFileSet(b: Buffer, block: number): { rootIcbBlock: number; rootPartition: number } {
  readTag(b, 0, TAG_FSD, block);
  if (b.length < 416) throw new FormatError('udf', 'file set descriptor is truncated');
  const root = readLongAd(b, 400);
  return { rootIcbBlock: root.block, rootPartition: root.partition };
}
