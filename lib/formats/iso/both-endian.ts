// ECMA-119 7.2/7.3 numbers: "both-byte orders" fields store the value little-endian, then
// big-endian. Readers take the little-endian half (as Linux and libisofs do) and ignore the rest.

/** Writes a 16-bit both-endian field (4 bytes). */
export function writeBoth16(buf: Buffer, off: number, value: number): void {
  buf.writeUInt16LE(value, off);
  buf.writeUInt16BE(value, off + 2);
}

/** Writes a 32-bit both-endian field (8 bytes). */
export function writeBoth32(buf: Buffer, off: number, value: number): void {
  buf.writeUInt32LE(value, off);
  buf.writeUInt32BE(value, off + 4);
}

export function readBoth16(buf: Buffer, off: number): number {
  return buf.readUInt16LE(off);
}

export function readBoth32(buf: Buffer, off: number): number {
  return buf.readUInt32LE(off);
}
