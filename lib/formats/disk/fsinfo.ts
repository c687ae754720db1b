// FAT32 FSInfo sector (reserved sector 1, copy at 7): free-cluster count and next-free hint.
// Microsoft FAT32 File System Specification, "FAT32 FSInfo Sector Structure".
import { FormatError } from '../../errors.js';
import { SECTOR_SIZE } from './mbr.js';

const OFF_LEAD_SIG = 0;                          // 0x41615252 "RRaA"  4 bytes
const OFF_STRUC_SIG = 484;                       // 0x61417272 "rrAa"  4 bytes
const OFF_FREE_COUNT = 488;                      // free clusters, 0xFFFFFFFF unknown  4 bytes
const OFF_NEXT_FREE = 492;                       // hint: first cluster to search  4 bytes
const OFF_TRAIL_SIG = 508;                       // 0xAA550000  4 bytes
const LEAD_SIG = 0x41615252;
const STRUC_SIG = 0x61417272;
const TRAIL_SIG = 0xaa550000;
export const FSINFO_UNKNOWN = 0xffffffff;

export interface FsInfo { freeClusters: number; nextFree: number }

export function encodeFsInfo(info: FsInfo): Buffer {
  const out = Buffer.alloc(SECTOR_SIZE);
  out.writeUInt32LE(LEAD_SIG, OFF_LEAD_SIG);
  out.writeUInt32LE(STRUC_SIG, OFF_STRUC_SIG);
  out.writeUInt32LE(info.freeClusters >>> 0, OFF_FREE_COUNT);
  out.writeUInt32LE(info.nextFree >>> 0, OFF_NEXT_FREE);
  out.writeUInt32LE(TRAIL_SIG, OFF_TRAIL_SIG);
  return out;
}

export function parseFsInfo(sector: Buffer): FsInfo {
  if (sector.length < SECTOR_SIZE || sector.readUInt32LE(OFF_LEAD_SIG) !== LEAD_SIG || sector.readUInt32LE(OFF_STRUC_SIG) !== STRUC_SIG) {
    throw new FormatError('fat32', 'FSInfo sector has no valid signatures');
  }
  return { freeClusters: sector.readUInt32LE(OFF_FREE_COUNT), nextFree: sector.readUInt32LE(OFF_NEXT_FREE) };
}
