// ECMA-167 3/10 volume descriptor sequence as UDF 1.02 wants it: Primary, Implementation Use
// ("*UDF LV Info"), Partition, Logical Volume, Unallocated Space, Terminating — one sector each.
// Written twice (main at 32, reserve at 48); only the tag locations differ.
import { SECTOR } from '../directory-record.js';
import {
  TAG_PVD, TAG_IUVD, TAG_PD, TAG_LVD, TAG_USD, TAG_TD, writeTag,
} from './tag.js';
import {
  writeCharspec, writeDstring, writeRegid, writeTimestamp, writeExtentAd, writeLongAd, udfSuffix,
  DOMAIN_ID, IMPLEMENTATION_ID, DOMAIN_FLAGS_WRITE_PROTECT,
} from './primitives.js';

export const VDS_SECTORS = 16;
const PVD_SIZE = 512;
const IUVD_SIZE = 512;
const PD_SIZE = 512;
const LVD_FIXED = 440;
const TYPE1_MAP_SIZE = 6;
const USD_SIZE = 24;
const TD_SIZE = 512;

export interface VolumeDescriptorInput {
  volumeId: string;
  volumeSetId: string;
  date: Date;
  partitionStart: number;
  partitionLength: number;
  /** Extent of the integrity sequence (LVID + terminator). */
  integrity: { location: number; length: number };
  /** Partition block of the File Set Descriptor. */
  fileSetBlock: number;
}

/** The six descriptors for a sequence starting at `first`; returns 16 sectors (padded). */
export function encodeVolumeDescriptorSequence(v: VolumeDescriptorInput, first: number): Buffer {
  const out = Buffer.alloc(VDS_SECTORS * SECTOR);
  let n = 0;
  const next = (): Buffer => out.subarray(n * SECTOR, ++n * SECTOR);

  let b = next();                                            // Primary Volume Descriptor
  b.writeUInt32LE(0, 16);                                    // VDS number             4 bytes
  b.writeUInt32LE(0, 20);                                    // PVD number             4 bytes
  writeDstring(b, 24, 32, v.volumeId);                       // volume identifier     32 bytes
  b.writeUInt16LE(1, 56);                                    // volume sequence number 2 bytes
  b.writeUInt16LE(1, 58);                                    // max volume sequence    2 bytes
  b.writeUInt16LE(2, 60);                                    // interchange level      2 bytes
  b.writeUInt16LE(2, 62);                                    // max interchange level  2 bytes
  b.writeUInt32LE(1, 64);                                    // character set list     4 bytes
  b.writeUInt32LE(1, 68);                                    // max character set list 4 bytes
  writeDstring(b, 72, 128, v.volumeSetId);                   // volume set identifier 128 bytes
  writeCharspec(b, 200);                                     // descriptor charset    64 bytes
  writeCharspec(b, 264);                                     // explanatory charset   64 bytes
  writeRegid(b, 344, '');                                    // application id        32 bytes
  writeTimestamp(b, 376, v.date);                            // recording date        12 bytes
  writeRegid(b, 388, IMPLEMENTATION_ID);                     // implementation id     32 bytes
  writeTag(b, 0, TAG_PVD, first, PVD_SIZE);

  b = next();                                                // Implementation Use Volume Descriptor
  b.writeUInt32LE(1, 16);                                    // VDS number             4 bytes
  writeRegid(b, 20, '*UDF LV Info', udfSuffix());            // implementation id     32 bytes
  writeCharspec(b, 52);                                      // LVI charset           64 bytes
  writeDstring(b, 116, 128, v.volumeId);                     // logical volume id    128 bytes
  writeRegid(b, 352, IMPLEMENTATION_ID);                     // implementation id     32 bytes
  writeTag(b, 0, TAG_IUVD, first + 1, IUVD_SIZE);

  b = next();                                                // Partition Descriptor
  b.writeUInt32LE(2, 16);                                    // VDS number             4 bytes
  b.writeUInt16LE(1, 20);                                    // flags: allocated       2 bytes
  b.writeUInt16LE(0, 22);                                    // partition number       2 bytes
  writeRegid(b, 24, '+NSR02');                               // partition contents    32 bytes
  b.writeUInt32LE(1, 184);                                   // access type: read-only 4 bytes
  b.writeUInt32LE(v.partitionStart, 188);                    // starting location      4 bytes
  b.writeUInt32LE(v.partitionLength, 192);                   // length in blocks       4 bytes
  writeRegid(b, 196, IMPLEMENTATION_ID);                     // implementation id     32 bytes
  writeTag(b, 0, TAG_PD, first + 2, PD_SIZE);

  b = next();                                                // Logical Volume Descriptor
  b.writeUInt32LE(3, 16);                                    // VDS number             4 bytes
  writeCharspec(b, 20);                                      // descriptor charset    64 bytes
  writeDstring(b, 84, 128, v.volumeId);                      // logical volume id    128 bytes
  b.writeUInt32LE(SECTOR, 212);                              // logical block size     4 bytes
  writeRegid(b, 216, DOMAIN_ID, udfSuffix(DOMAIN_FLAGS_WRITE_PROTECT)); // domain id 32 bytes
  writeLongAd(b, 248, SECTOR, v.fileSetBlock);               // contents use: FSD     16 bytes
  b.writeUInt32LE(TYPE1_MAP_SIZE, 264);                      // map table length       4 bytes
  b.writeUInt32LE(1, 268);                                   // number of maps         4 bytes
  writeRegid(b, 272, IMPLEMENTATION_ID);                     // implementation id     32 bytes
  writeExtentAd(b, 432, v.integrity.length, v.integrity.location); // integrity seq  8 bytes
  b[440] = 1;                                                // map type 1             1 byte
  b[441] = TYPE1_MAP_SIZE;                                   // map length             1 byte
  b.writeUInt16LE(1, 442);                                   // volume sequence number 2 bytes
  b.writeUInt16LE(0, 444);                                   // partition number       2 bytes
  writeTag(b, 0, TAG_LVD, first + 3, LVD_FIXED + TYPE1_MAP_SIZE);

  b = next();                                                // Unallocated Space Descriptor
  b.writeUInt32LE(4, 16);                                    // VDS number             4 bytes
  b.writeUInt32LE(0, 20);                                    // allocation descriptors 4 bytes
  writeTag(b, 0, TAG_USD, first + 4, USD_SIZE);

  b = next();                                                // Terminating Descriptor
  writeTag(b, 0, TAG_TD, first + 5, TD_SIZE);
  return out;
}
