// ECMA-167 3/10.2 Anchor Volume Descriptor Pointer: at sector 256 and at the last sector.
import { SECTOR } from '../directory-record.js';
import { TAG_AVDP, TAG_SIZE, readTag, writeTag } from './tag.js';
import { writeExtentAd } from './primitives.js';
import { FormatError } from '../../../errors.js';

export const ANCHOR_SECTOR = 256;
const AVDP_SIZE = 512;

export interface Extent { length: number; location: number }

export function encodeAnchor(location: number, main: Extent, reserve: Extent): Buffer {
  const b = Buffer.alloc(SECTOR);
  writeExtentAd(b, 16, main.length, main.location);        // main VDS extent     8 bytes
  writeExtentAd(b, 24, reserve.length, reserve.location);  // reserve VDS extent  8 bytes
  writeTag(b, 0, TAG_AVDP, location, AVDP_SIZE);
  return b;
}

export function decodeAnchor(b: Buffer, location: number): { main: Extent; reserve: Extent } {
  readTag(b, 0, TAG_AVDP, location);
  if (b.length < TAG_SIZE + 16) throw new FormatError('udf', 'anchor is truncated');
  return {
    main: { length: b.readUInt32LE(16), location: b.readUInt32LE(20) },
    reserve: { length: b.readUInt32LE(24), location: b.readUInt32LE(28) },
  };
}
