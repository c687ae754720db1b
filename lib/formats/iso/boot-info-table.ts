// The Boot Info Table mkisofs/xorriso patch into bytes 8-63 of a no-emulation boot image that
// asks for it (isolinux does; etfsboot.com does not). Our writer adds it only on request.
export const BOOT_INFO_OFFSET = 8;
export const BOOT_INFO_END = 64;

/** Returns a copy of the image with the table filled in. */
export function patchBootInfoTable(image: Buffer, pvdLba: number, imageLba: number): Buffer {
  const out = Buffer.from(image);
  if (out.length < BOOT_INFO_END) return out;
  let sum = 0;
  for (let i = BOOT_INFO_END; i + 4 <= out.length; i += 4) sum = (sum + out.readUInt32LE(i)) >>> 0;
  const tail = out.length % 4;
  if (tail) { // a ragged end counts as a word padded with zeros
    const w = Buffer.alloc(4);
    out.copy(w, 0, out.length - tail);
    sum = (sum + w.readUInt32LE(0)) >>> 0;
  }
  out.fill(0, BOOT_INFO_OFFSET, BOOT_INFO_END);
  out.writeUInt32LE(pvdLba, 8);        // LBA of the primary volume descriptor 4 bytes
  out.writeUInt32LE(imageLba, 12);     // LBA of the boot image               4 bytes
  out.writeUInt32LE(out.length, 16);   // boot image length in bytes           4 bytes
  out.writeUInt32LE(sum, 20);          // checksum of bytes 64..end            4 bytes
  return out;
}
