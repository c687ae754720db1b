// ECMA-167 3/10.10 Logical Volume Integrity Descriptor (closed) + a terminating descriptor:
// UDF 1.02 2.2.6 puts the file/directory counts and revisions in its implementation use.
import { SECTOR } from '../directory-record.js';
import { TAG_LVID, TAG_TD, writeTag } from './tag.js';
import { writeRegid, writeTimestamp, IMPLEMENTATION_ID, UDF_REVISION } from './primitives.js';

export const INTEGRITY_SECTORS = 2;
const INTEGRITY_CLOSE = 1;
const LVID_FIXED = 80;
const IMPL_USE_SIZE = 46;

export interface IntegrityInput {
  date: Date;
  nextUniqueId: number;
  partitionLength: number;
  files: number;
  directories: number;
}

export function encodeIntegritySequence(v: IntegrityInput, location: number): Buffer {
  const out = Buffer.alloc(INTEGRITY_SECTORS * SECTOR);
  const b = out.subarray(0, SECTOR);
  writeTimestamp(b, 16, v.date);                           // recording date         12 bytes
  b.writeUInt32LE(INTEGRITY_CLOSE, 28);                    // integrity type          4 bytes
  //                                                          next integrity extent   8 bytes (0)
  b.writeBigUInt64LE(BigInt(v.nextUniqueId), 40);          // LV header: unique id    8 bytes (+24 reserved)
  b.writeUInt32LE(1, 72);                                  // number of partitions    4 bytes
  b.writeUInt32LE(IMPL_USE_SIZE, 76);                      // implementation use len  4 bytes
  b.writeUInt32LE(0, 80);                                  // free space table        4 bytes
  b.writeUInt32LE(v.partitionLength, 84);                  // size table              4 bytes
  const iu = 88;
  writeRegid(b, iu, IMPLEMENTATION_ID);                    // implementation id      32 bytes
  b.writeUInt32LE(v.files, iu + 32);                       // number of files         4 bytes
  b.writeUInt32LE(v.directories, iu + 36);                 // number of directories   4 bytes
  b.writeUInt16LE(UDF_REVISION, iu + 40);                  // minimum UDF read rev    2 bytes
  b.writeUInt16LE(UDF_REVISION, iu + 42);                  // minimum UDF write rev   2 bytes
  b.writeUInt16LE(UDF_REVISION, iu + 44);                  // maximum UDF write rev   2 bytes
  writeTag(b, 0, TAG_LVID, location, LVID_FIXED + 8 + IMPL_USE_SIZE);
  writeTag(out.subarray(SECTOR), 0, TAG_TD, location + 1, 512);
  return out;
}
