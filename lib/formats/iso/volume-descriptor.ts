// ECMA-119 8: volume descriptors, one per 2048-byte sector from sector 16. The Primary (type 1)
// and the Joliet Supplementary (type 2, escape "%/E" = UCS-2 level 3) share one layout; the El
// Torito Boot Record (type 0) points at the boot catalog; the terminator (255) ends the set.
import { FormatError } from '../../errors.js';
import { readBoth16, readBoth32, writeBoth16, writeBoth32 } from './both-endian.js';
import { SECTOR, writeDirectoryRecord, readDirectoryRecord, FLAG_DIRECTORY, type DirectoryRecord } from './directory-record.js';
import { readVolumeDate, writeVolumeDate } from './iso-date.js';
import { utf16be, fromUtf16be } from './joliet-names.js';

export const VD_FIRST_SECTOR = 16;
export const VD_BOOT = 0;
export const VD_PRIMARY = 1;
export const VD_SUPPLEMENTARY = 2;
export const VD_TERMINATOR = 255;
export const STANDARD_ID = 'CD001';
export const EL_TORITO_ID = 'EL TORITO SPECIFICATION';
export const JOLIET_ESCAPE_L3 = '%/E';

export interface VolumeDescriptorFields {
  joliet: boolean;
  volumeId: string;
  volumeSetId: string;
  publisherId: string;
  preparerId: string;
  applicationId: string;
  totalSectors: number;
  pathTableSize: number;
  lPathTableLba: number;
  mPathTableLba: number;
  root: { lba: number; size: number };
  date: Date;
}

function header(buf: Buffer, type: number): void {
  buf[0] = type;                               // volume descriptor type  1 byte
  buf.write(STANDARD_ID, 1, 'latin1');         // standard identifier     5 bytes
  buf[6] = 1;                                  // version                 1 byte
}

/** Writes a text field: a-/d-characters space padded, or UCS-2BE padded with 00 20 for Joliet. */
function text(buf: Buffer, off: number, len: number, s: string, joliet: boolean): void {
  if (joliet) {
    for (let i = off; i + 1 < off + len; i += 2) { buf[i] = 0; buf[i + 1] = 0x20; }
    if (len % 2) buf[off + len - 1] = 0x20;
    utf16be(s).copy(buf, off, 0, len & ~1);
  } else {
    buf.fill(0x20, off, off + len);
    buf.write(s.slice(0, len), off, 'latin1');
  }
}

/** A Primary or (Joliet) Supplementary Volume Descriptor sector. */
export function encodePrimaryOrJoliet(f: VolumeDescriptorFields): Buffer {
  const buf = Buffer.alloc(SECTOR);
  header(buf, f.joliet ? VD_SUPPLEMENTARY : VD_PRIMARY);
  buf[7] = 0;                                          // volume flags             1 byte
  text(buf, 8, 32, '', f.joliet);                      // system identifier       32 bytes
  text(buf, 40, 32, f.volumeId, f.joliet);             // volume identifier       32 bytes
  writeBoth32(buf, 80, f.totalSectors);                // volume space size        8 bytes
  if (f.joliet) buf.write(JOLIET_ESCAPE_L3, 88, 'latin1'); // escape sequences   32 bytes
  writeBoth16(buf, 120, 1);                            // volume set size          4 bytes
  writeBoth16(buf, 124, 1);                            // volume sequence number   4 bytes
  writeBoth16(buf, 128, SECTOR);                       // logical block size       4 bytes
  writeBoth32(buf, 132, f.pathTableSize);              // path table size          8 bytes
  buf.writeUInt32LE(f.lPathTableLba, 140);             // L path table             4 bytes
  buf.writeUInt32LE(0, 144);                           // optional L path table    4 bytes
  buf.writeUInt32BE(f.mPathTableLba, 148);             // M path table             4 bytes
  buf.writeUInt32BE(0, 152);                           // optional M path table    4 bytes
  writeDirectoryRecord(buf, 156, { lba: f.root.lba, size: f.root.size, flags: FLAG_DIRECTORY, id: Buffer.from([0]) }, f.date); // root record 34 bytes
  text(buf, 190, 128, f.volumeSetId, f.joliet);        // volume set identifier  128 bytes
  text(buf, 318, 128, f.publisherId, f.joliet);        // publisher identifier   128 bytes
  text(buf, 446, 128, f.preparerId, f.joliet);         // data preparer          128 bytes
  text(buf, 574, 128, f.applicationId, f.joliet);      // application identifier 128 bytes
  text(buf, 702, 37, '', f.joliet);                    // copyright file          37 bytes
  text(buf, 739, 37, '', f.joliet);                    // abstract file           37 bytes
  text(buf, 776, 37, '', f.joliet);                    // bibliographic file      37 bytes
  writeVolumeDate(buf, 813, f.date);                   // creation date           17 bytes
  writeVolumeDate(buf, 830, f.date);                   // modification date       17 bytes
  writeVolumeDate(buf, 847, undefined);                // expiration date         17 bytes
  writeVolumeDate(buf, 864, f.date);                   // effective date          17 bytes
  buf[881] = 1;                                        // file structure version   1 byte
  return buf;
}

/** The El Torito Boot Record Volume Descriptor. */
export function encodeBootRecord(catalogLba: number): Buffer {
  const buf = Buffer.alloc(SECTOR);
  header(buf, VD_BOOT);
  buf.write(EL_TORITO_ID, 7, 'latin1');                // boot system identifier  32 bytes
  buf.writeUInt32LE(catalogLba, 71);                   // boot catalog pointer     4 bytes
  return buf;
}

export function encodeTerminator(): Buffer {
  const buf = Buffer.alloc(SECTOR);
  header(buf, VD_TERMINATOR);
  return buf;
}

export interface DecodedVolumeDescriptor {
  type: number;
  joliet: boolean;
  volumeId: string;
  volumeSetId: string;
  totalSectors: number;
  volumeSetSize: number;
  volumeSequence: number;
  blockSize: number;
  root: DirectoryRecord;
  created?: Date | undefined;
  /** Boot record only. */
  bootCatalogLba?: number;
}

/** Decodes one descriptor sector; undefined when it is not a CD001 descriptor. */
export function decodeVolumeDescriptor(buf: Buffer): DecodedVolumeDescriptor | undefined {
  if (buf.length < SECTOR || buf.toString('latin1', 1, 6) !== STANDARD_ID) return undefined;
  const type = buf[0]!;
  const base = { type, joliet: false, volumeId: '', volumeSetId: '', totalSectors: 0, volumeSetSize: 0, volumeSequence: 0, blockSize: SECTOR, root: { lba: 0, size: 0, flags: 0, id: Buffer.alloc(0) } };
  if (type === VD_BOOT) {
    if (buf.toString('latin1', 7, 7 + EL_TORITO_ID.length) !== EL_TORITO_ID) return base;
    return { ...base, bootCatalogLba: buf.readUInt32LE(71) };
  }
  if (type !== VD_PRIMARY && type !== VD_SUPPLEMENTARY) return base;
  const esc = buf.toString('latin1', 88, 91);
  const joliet = type === VD_SUPPLEMENTARY && (esc === '%/@' || esc === '%/C' || esc === '%/E');
  const str = (off: number, len: number): string => (joliet ? fromUtf16be(buf.subarray(off, off + len)) : buf.toString('latin1', off, off + len)).replace(/[\s\0]+$/, '');
  const root = readDirectoryRecord(buf, 156, 190);
  if (!root) throw new FormatError('iso', 'the volume descriptor has no root directory record');
  const blockSize = readBoth16(buf, 128);
  if (blockSize !== SECTOR) throw new FormatError('iso', `logical block size ${blockSize} is not supported (only 2048)`);
  return {
    type, joliet,
    volumeId: str(40, 32),
    volumeSetId: str(190, 128),
    totalSectors: readBoth32(buf, 80),
    volumeSetSize: readBoth16(buf, 120),
    volumeSequence: readBoth16(buf, 124),
    blockSize,
    root,
    created: readVolumeDate(buf, 813),
  };
}
