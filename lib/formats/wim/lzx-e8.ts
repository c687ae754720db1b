// LZX's x86 CALL translation as WIM applies it to every chunk: a relative CALL target (E8 rel32)
// becomes an absolute one before compression, so repeated calls to one function look alike.
// Positions are relative to the chunk; the pretend file size is 12,000,000.
import { LZX_E8_FILE_SIZE } from './lzx-constants.js';

/** No translation starts in the last 10 bytes (the format's rule). */
const E8_TAIL = 10;
const E8_OPCODE = 0xe8;
/** The opcode and its 4-byte operand. */
const E8_SPAN = 5;

function readS32(d: Uint8Array, i: number): number {
  return (d[i]! | (d[i + 1]! << 8) | (d[i + 2]! << 16) | (d[i + 3]! << 24));
}

function writeS32(d: Uint8Array, i: number, v: number): void {
  d[i] = v & 0xff;
  d[i + 1] = (v >>> 8) & 0xff;
  d[i + 2] = (v >>> 16) & 0xff;
  d[i + 3] = (v >>> 24) & 0xff;
}

/** Encoder side, in place: relative targets → absolute. */
export function e8Encode(data: Uint8Array): void {
  const end = data.length - E8_TAIL;
  for (let i = 0; i < end; ) {
    if (data[i] !== E8_OPCODE) { i++; continue; }
    const rel = readS32(data, i + 1);
    if (rel >= -i && rel < LZX_E8_FILE_SIZE) {
      writeS32(data, i + 1, rel < LZX_E8_FILE_SIZE - i ? rel + i : rel - LZX_E8_FILE_SIZE);
    }
    i += E8_SPAN;
  }
}

/** Decoder side, in place: absolute targets → relative. The exact inverse of e8Encode. */
export function e8Decode(data: Uint8Array): void {
  const end = data.length - E8_TAIL;
  // indexOf finds the (usually sparse) opcodes natively, far faster than a byte loop in JS
  for (let i = end > 0 ? data.indexOf(E8_OPCODE) : -1; i >= 0 && i < end; i = data.indexOf(E8_OPCODE, i)) {
    const abs = readS32(data, i + 1);
    if (abs >= 0) {
      if (abs < LZX_E8_FILE_SIZE) writeS32(data, i + 1, abs - i);
    } else if (abs >= -i) {
      writeS32(data, i + 1, abs + LZX_E8_FILE_SIZE);
    }
    i += E8_SPAN;
  }
}
