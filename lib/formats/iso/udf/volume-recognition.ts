// ECMA-167 2/9 volume recognition sequence: BEA01, NSR02 (UDF 1.02), TEA01, one sector each,
// right after the ISO 9660 descriptor set terminator.
import { SECTOR } from '../directory-record.js';

export const VRS_IDS = ['BEA01', 'NSR02', 'TEA01'] as const;

export function encodeVolumeRecognition(): Buffer[] {
  return VRS_IDS.map((id) => {
    const b = Buffer.alloc(SECTOR);
    b[0] = 0;                       // structure type     1 byte
    b.write(id, 1, 'latin1');       // standard id        5 bytes
    b[6] = 1;                       // structure version  1 byte
    return b;
  });
}
