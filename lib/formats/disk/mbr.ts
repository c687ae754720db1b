// Master boot record: 440 bytes of boot code, the disk signature and four partition entries.
// Layout: libisofs doc/boot_sectors.txt "Master Boot Record"; CHS values use the LBA-assist
// geometry (255 heads, 63 sectors per track) that firmware ignores for LBA partitions.
import { FormatError } from '../../errors.js';

export const SECTOR_SIZE = 512;
export const MBR_CODE_SIZE = 440;                // boot code  440 bytes
const OFF_DISK_SIGNATURE = 440;                  // disk signature  4 bytes
const OFF_PARTITIONS = 446;                      // partition entries  4 × 16 bytes
const PARTITION_ENTRY_SIZE = 16;
const PARTITION_COUNT = 4;
const OFF_SIGNATURE = 510;                       // 55 AA  2 bytes
export const BOOT_SIGNATURE = 0xaa55;

// partition entry fields
const PE_STATUS = 0;                             // 0x80 active  1 byte
const PE_CHS_FIRST = 1;                          // CHS of the first sector  3 bytes
const PE_TYPE = 4;                               // partition type  1 byte
const PE_CHS_LAST = 5;                           // CHS of the last sector  3 bytes
const PE_START_LBA = 8;                          // first sector  4 bytes
const PE_SECTORS = 12;                           // sector count  4 bytes

export const STATUS_ACTIVE = 0x80;
export const TYPE_FAT32_LBA = 0x0c;
export const TYPE_FAT32_CHS = 0x0b;
const CHS_HEADS = 255;
const CHS_SECTORS = 63;
const CHS_MAX_CYLINDER = 1023;

export interface MbrPartition {
  /** 1-based slot in the table. */
  index: number;
  bootable: boolean;
  type: number;
  startLba: number;
  sectors: number;
}

export interface Mbr {
  diskSignature: number;
  partitions: MbrPartition[];
}

export interface MbrInput {
  bootCode: Buffer;
  diskSignature: number;
  partitions: readonly Omit<MbrPartition, 'index'>[];
}

/** The three CHS bytes (head, sector | cylinder high bits, cylinder low) of an LBA. */
function chs(lba: number): [number, number, number] {
  const cylinder = Math.floor(lba / (CHS_HEADS * CHS_SECTORS));
  if (cylinder > CHS_MAX_CYLINDER) return [0xfe, 0xff, 0xff];
  const head = Math.floor(lba / CHS_SECTORS) % CHS_HEADS;
  const sector = (lba % CHS_SECTORS) + 1;
  return [head, sector | ((cylinder >> 2) & 0xc0), cylinder & 0xff];
}

export function encodeMbr(input: MbrInput): Buffer {
  if (input.bootCode.length > MBR_CODE_SIZE) throw new RangeError(`MBR boot code is ${input.bootCode.length} bytes, at most ${MBR_CODE_SIZE}`);
  if (input.partitions.length > PARTITION_COUNT) throw new RangeError('an MBR holds four partitions');
  const out = Buffer.alloc(SECTOR_SIZE);
  input.bootCode.copy(out, 0);
  out.writeUInt32LE(input.diskSignature >>> 0, OFF_DISK_SIGNATURE);
  input.partitions.forEach((p, i) => {
    const e = OFF_PARTITIONS + i * PARTITION_ENTRY_SIZE;
    out[e + PE_STATUS] = p.bootable ? STATUS_ACTIVE : 0;
    Buffer.from(chs(p.startLba)).copy(out, e + PE_CHS_FIRST);
    out[e + PE_TYPE] = p.type;
    Buffer.from(chs(p.startLba + p.sectors - 1)).copy(out, e + PE_CHS_LAST);
    out.writeUInt32LE(p.startLba, e + PE_START_LBA);
    out.writeUInt32LE(p.sectors, e + PE_SECTORS);
  });
  out.writeUInt16LE(BOOT_SIGNATURE, OFF_SIGNATURE);
  return out;
}

export function hasBootSignature(sector: Buffer): boolean {
  return sector.length >= SECTOR_SIZE && sector.readUInt16LE(OFF_SIGNATURE) === BOOT_SIGNATURE;
}

/** Parses sector 0; empty slots are left out. Throws FormatError without the 55 AA signature. */
export function parseMbr(sector: Buffer): Mbr {
  if (!hasBootSignature(sector)) throw new FormatError('mbr', 'no 55 AA boot signature in sector 0: not a partitioned disk image');
  const partitions: MbrPartition[] = [];
  for (let i = 0; i < PARTITION_COUNT; i++) {
    const e = OFF_PARTITIONS + i * PARTITION_ENTRY_SIZE;
    const type = sector[e + PE_TYPE] ?? 0;
    const sectors = sector.readUInt32LE(e + PE_SECTORS);
    if (type === 0 || sectors === 0) continue;
    const status = sector[e + PE_STATUS] ?? 0;
    if (status !== 0 && status !== STATUS_ACTIVE) throw new FormatError('mbr', `partition ${i + 1} has an invalid status byte 0x${status.toString(16)}`);
    partitions.push({ index: i + 1, bootable: status === STATUS_ACTIVE, type, startLba: sector.readUInt32LE(e + PE_START_LBA), sectors });
  }
  return { diskSignature: sector.readUInt32LE(OFF_DISK_SIGNATURE), partitions };
}
