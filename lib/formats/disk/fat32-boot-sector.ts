// FAT32 boot sector: jump, OEM name, BIOS parameter block (BPB), boot code, 55 AA.
// Microsoft FAT32 File System Specification, "Boot Sector and BPB" (FAT32 layout).
import { FormatError } from '../../errors.js';
import { SECTOR_SIZE, BOOT_SIGNATURE } from './mbr.js';

const OFF_JUMP = 0;                              // EB xx 90  3 bytes
const OFF_OEM = 3;                               // OEM name  8 bytes
const OFF_BYTES_PER_SECTOR = 11;                 // 2 bytes
const OFF_SECTORS_PER_CLUSTER = 13;              // 1 byte
const OFF_RESERVED_SECTORS = 14;                 // 2 bytes
const OFF_NUM_FATS = 16;                         // 1 byte
const OFF_ROOT_ENTRIES = 17;                     // 0 on FAT32  2 bytes
const OFF_TOTAL_SECTORS_16 = 19;                 // 0 on FAT32  2 bytes
const OFF_MEDIA = 21;                            // 1 byte
const OFF_FAT_SIZE_16 = 22;                      // 0 on FAT32  2 bytes
const OFF_SECTORS_PER_TRACK = 24;                // 2 bytes
const OFF_HEADS = 26;                            // 2 bytes
const OFF_HIDDEN_SECTORS = 28;                   // partition start LBA  4 bytes
const OFF_TOTAL_SECTORS_32 = 32;                 // 4 bytes
const OFF_FAT_SIZE_32 = 36;                      // sectors per FAT  4 bytes
const OFF_EXT_FLAGS = 40;                        // 0: FATs mirrored  2 bytes
const OFF_FS_VERSION = 42;                       // 0.0  2 bytes
const OFF_ROOT_CLUSTER = 44;                     // 4 bytes
const OFF_FSINFO_SECTOR = 48;                    // 2 bytes
const OFF_BACKUP_BOOT_SECTOR = 50;               // 2 bytes
const OFF_DRIVE_NUMBER = 64;                     // 1 byte
const OFF_EXT_BOOT_SIG = 66;                     // 0x29  1 byte
const OFF_VOLUME_ID = 67;                        // 4 bytes
const OFF_VOLUME_LABEL = 71;                     // 11 bytes
const OFF_FS_TYPE = 82;                          // "FAT32   "  8 bytes
export const BPB_END = 90;                       // boot code follows, up to offset 510
const OFF_SIGNATURE = 510;                       // 55 AA  2 bytes

const EXT_BOOT_SIG = 0x29;
const FS_TYPE = 'FAT32   ';
export const MEDIA_FIXED = 0xf8;
export const NO_NAME_LABEL = 'NO NAME    ';
const MAX_SECTORS_PER_CLUSTER = 128;
const MAX_NUM_FATS = 4;

export interface Fat32Bpb {
  oemName: string;
  bytesPerSector: number;
  sectorsPerCluster: number;
  reservedSectors: number;
  numFats: number;
  media: number;
  sectorsPerTrack: number;
  heads: number;
  hiddenSectors: number;
  totalSectors: number;
  fatSectors: number;
  rootCluster: number;
  fsInfoSector: number;
  backupBootSector: number;
  driveNumber: number;
  volumeId: number;
  /** 11 characters, space padded. */
  volumeLabel: string;
}

/**
 * A boot sector: `code` is the 512-byte boot program whose jump (bytes 0..2), code (90..509)
 * and signature are kept; the OEM name and BPB (3..89) come from `bpb`.
 */
export function encodeBootSector(bpb: Fat32Bpb, code: Buffer): Buffer {
  if (code.length !== SECTOR_SIZE) throw new RangeError('boot sector code must be one 512-byte sector');
  const out = Buffer.from(code);
  out.fill(0, OFF_OEM, BPB_END);
  out.write(bpb.oemName.padEnd(8, ' ').slice(0, 8), OFF_OEM, 'latin1');
  out.writeUInt16LE(bpb.bytesPerSector, OFF_BYTES_PER_SECTOR);
  out[OFF_SECTORS_PER_CLUSTER] = bpb.sectorsPerCluster;
  out.writeUInt16LE(bpb.reservedSectors, OFF_RESERVED_SECTORS);
  out[OFF_NUM_FATS] = bpb.numFats;
  out.writeUInt16LE(0, OFF_ROOT_ENTRIES);
  out.writeUInt16LE(0, OFF_TOTAL_SECTORS_16);
  out[OFF_MEDIA] = bpb.media;
  out.writeUInt16LE(0, OFF_FAT_SIZE_16);
  out.writeUInt16LE(bpb.sectorsPerTrack, OFF_SECTORS_PER_TRACK);
  out.writeUInt16LE(bpb.heads, OFF_HEADS);
  out.writeUInt32LE(bpb.hiddenSectors, OFF_HIDDEN_SECTORS);
  out.writeUInt32LE(bpb.totalSectors, OFF_TOTAL_SECTORS_32);
  out.writeUInt32LE(bpb.fatSectors, OFF_FAT_SIZE_32);
  out.writeUInt16LE(0, OFF_EXT_FLAGS);
  out.writeUInt16LE(0, OFF_FS_VERSION);
  out.writeUInt32LE(bpb.rootCluster, OFF_ROOT_CLUSTER);
  out.writeUInt16LE(bpb.fsInfoSector, OFF_FSINFO_SECTOR);
  out.writeUInt16LE(bpb.backupBootSector, OFF_BACKUP_BOOT_SECTOR);
  out[OFF_DRIVE_NUMBER] = bpb.driveNumber;
  out[OFF_EXT_BOOT_SIG] = EXT_BOOT_SIG;
  out.writeUInt32LE(bpb.volumeId >>> 0, OFF_VOLUME_ID);
  out.write(bpb.volumeLabel.padEnd(11, ' ').slice(0, 11), OFF_VOLUME_LABEL, 'latin1');
  out.write(FS_TYPE, OFF_FS_TYPE, 'latin1');
  out.writeUInt16LE(BOOT_SIGNATURE, OFF_SIGNATURE);
  return out;
}

/** A FAT32 boot sector at the start of an image means a volume without a partition table. */
export function looksLikeFat32BootSector(sector: Buffer): boolean {
  const jump = sector[OFF_JUMP];
  return sector.length >= SECTOR_SIZE && (jump === 0xeb || jump === 0xe9) && sector.toString('latin1', OFF_FS_TYPE, OFF_FS_TYPE + 8) === FS_TYPE;
}

function isPowerOfTwo(n: number): boolean {
  return n > 0 && (n & (n - 1)) === 0;
}

/** Parses and sanity-checks a FAT32 boot sector; FormatError on anything a FAT32 volume cannot have. */
export function parseBootSector(sector: Buffer): Fat32Bpb {
  const bad = (why: string): never => { throw new FormatError('fat32', `boot sector: ${why}`); };
  if (sector.length < SECTOR_SIZE) bad('shorter than 512 bytes');
  if (sector.readUInt16LE(OFF_SIGNATURE) !== BOOT_SIGNATURE) bad('no 55 AA signature');
  const bpb: Fat32Bpb = {
    oemName: sector.toString('latin1', OFF_OEM, OFF_OEM + 8),
    bytesPerSector: sector.readUInt16LE(OFF_BYTES_PER_SECTOR),
    sectorsPerCluster: sector[OFF_SECTORS_PER_CLUSTER] ?? 0,
    reservedSectors: sector.readUInt16LE(OFF_RESERVED_SECTORS),
    numFats: sector[OFF_NUM_FATS] ?? 0,
    media: sector[OFF_MEDIA] ?? 0,
    sectorsPerTrack: sector.readUInt16LE(OFF_SECTORS_PER_TRACK),
    heads: sector.readUInt16LE(OFF_HEADS),
    hiddenSectors: sector.readUInt32LE(OFF_HIDDEN_SECTORS),
    totalSectors: sector.readUInt32LE(OFF_TOTAL_SECTORS_32),
    fatSectors: sector.readUInt32LE(OFF_FAT_SIZE_32),
    rootCluster: sector.readUInt32LE(OFF_ROOT_CLUSTER),
    fsInfoSector: sector.readUInt16LE(OFF_FSINFO_SECTOR),
    backupBootSector: sector.readUInt16LE(OFF_BACKUP_BOOT_SECTOR),
    driveNumber: sector[OFF_DRIVE_NUMBER] ?? 0,
    volumeId: sector[OFF_EXT_BOOT_SIG] === EXT_BOOT_SIG ? sector.readUInt32LE(OFF_VOLUME_ID) : 0,
    volumeLabel: sector[OFF_EXT_BOOT_SIG] === EXT_BOOT_SIG ? sector.toString('latin1', OFF_VOLUME_LABEL, OFF_VOLUME_LABEL + 11) : NO_NAME_LABEL,
  };
  if (!isPowerOfTwo(bpb.bytesPerSector) || bpb.bytesPerSector < 512 || bpb.bytesPerSector > 4096) bad(`bytes per sector ${bpb.bytesPerSector}`);
  if (!isPowerOfTwo(bpb.sectorsPerCluster) || bpb.sectorsPerCluster > MAX_SECTORS_PER_CLUSTER) bad(`sectors per cluster ${bpb.sectorsPerCluster}`);
  if (bpb.reservedSectors < 1) bad('no reserved sectors');
  if (bpb.numFats < 1 || bpb.numFats > MAX_NUM_FATS) bad(`${bpb.numFats} FATs`);
  if (sector.readUInt16LE(OFF_ROOT_ENTRIES) !== 0 || sector.readUInt16LE(OFF_FAT_SIZE_16) !== 0) bad('FAT12/16 fields set: not a FAT32 volume');
  if (bpb.fatSectors === 0) bad('FAT size 0');
  if (bpb.totalSectors <= bpb.reservedSectors + bpb.numFats * bpb.fatSectors) bad('FATs fill the whole volume');
  if (bpb.rootCluster < 2) bad(`root cluster ${bpb.rootCluster}`);
  return bpb;
}
