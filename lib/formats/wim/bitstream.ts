// Bitstreams of XPRESS and LZX (research wim-format.md §1.11–1.12): bits travel in 16-bit
// little-endian coding units, most significant bit first. XPRESS interleaves plain bytes (long
// match lengths) between the units; LZX reads raw bytes only after aligning (uncompressed blocks).
import { FormatError } from '../../errors.js';
import { DECODE_LEN_MASK, DECODE_SUBTABLE_FLAG, type DecodeTable } from './huffman.js';

/** Bytes per coding unit. */
const UNIT_BYTES = 2;
const UNIT_BITS = 16;

/**
 * Reads bits MSB-first from 16-bit LE units, and bytes from the same position (XPRESS's byte
 * stream, LZX's uncompressed blocks).
 *
 * Truncation: when bits are needed past the end, zero units are supplied (so a lookahead at the
 * very end works, as wimlib's decoder does), but consuming any of those virtual bits throws a
 * FormatError at once; a byte read past the end throws a FormatError too. Nothing ever throws a
 * RangeError. Bit counts per call are at most 16 (readBits splits longer reads).
 */
export class BitReader {
  readonly data: Uint8Array;
  readonly end: number;
  private readonly format: string;
  // The state below is public so a hot decoding loop (LZX's) can keep it in locals and write it
  // back; it must keep these invariants.
  /** Next unread byte: the next unit to load, or the next byte of the byte stream. */
  next: number;
  /** The buffered bits, right-aligned; only the low `bitsLeft` bits are meaningful. */
  buf = 0;
  bitsLeft = 0;
  /** Zero bits supplied past the end of the input and still counted in `bitsLeft`. */
  virtualBits = 0;

  /** `format` names the codec in error messages and codes ("xpress", "lzx"). */
  constructor(data: Uint8Array, start = 0, end = data.length, format = 'bitstream') {
    this.data = data;
    this.next = Math.max(0, Math.min(start, data.length));
    this.end = Math.max(this.next, Math.min(end, data.length));
    this.format = format;
  }

  /** Byte position of the next unit or byte to read. */
  get position(): number {
    return this.next;
  }

  /** Bytes left after the position (units not yet loaded). */
  get bytesLeft(): number {
    return this.end - this.next;
  }

  /** Makes at least `n` (≤ 16) bits available, loading one unit if fewer are buffered. */
  ensureBits(n: number): void {
    if (this.bitsLeft >= n) return;
    const p = this.next;
    if (this.end - p >= UNIT_BYTES) {
      this.buf = (this.buf << UNIT_BITS) | this.data[p]! | (this.data[p + 1]! << 8);
      this.next = p + UNIT_BYTES;
    } else {
      this.buf <<= UNIT_BITS;
      this.virtualBits += UNIT_BITS;
    }
    this.bitsLeft += UNIT_BITS;
  }

  /** The next `n` (≤ 16) bits without consuming them; call ensureBits(n) first. */
  peekBits(n: number): number {
    return (this.buf >>> (this.bitsLeft - n)) & ((1 << n) - 1);
  }

  /** Consumes `n` bits that ensureBits made available. */
  removeBits(n: number): void {
    this.bitsLeft -= n;
    if (this.virtualBits > this.bitsLeft) this.truncated();
  }

  /** Reads `n` bits (0..32) as an unsigned number, MSB-first. */
  readBits(n: number): number {
    if (n > UNIT_BITS) {
      const hi = this.readBits(n - UNIT_BITS);
      return hi * 0x10000 + this.readBits(UNIT_BITS);
    }
    if (n === 0) return 0;
    this.ensureBits(n);
    const v = this.peekBits(n);
    this.removeBits(n);
    return v;
  }

  /** Decodes one Huffman symbol; FormatError for an empty code or missing input. */
  decodeSymbol(dt: DecodeTable): number {
    const maxLen = dt.maxLen;
    this.ensureBits(maxLen);
    const bits = (this.buf >>> (this.bitsLeft - maxLen)) & ((1 << maxLen) - 1);
    const subBits = maxLen - dt.tableBits;
    let e = dt.table[bits >>> subBits]!;
    if (e & DECODE_SUBTABLE_FLAG) e = dt.table[(e >>> 8) + (bits & ((1 << subBits) - 1))]!;
    const len = e & DECODE_LEN_MASK;
    if (len === 0) throw new FormatError(this.format, 'a symbol was coded with an empty Huffman code');
    this.bitsLeft -= len;
    if (this.virtualBits > this.bitsLeft) this.truncated();
    return e >>> 8;
  }

  /** Reads the next byte of the byte stream (bytes interleaved with the units). */
  readByte(): number {
    if (this.next >= this.end) this.truncated();
    return this.data[this.next++]!;
  }

  /** Reads a 16-bit little-endian value from the byte stream. */
  readU16(): number {
    if (this.end - this.next < 2) this.truncated();
    const p = this.next;
    this.next = p + 2;
    return this.data[p]! | (this.data[p + 1]! << 8);
  }

  /** Reads a 32-bit little-endian value from the byte stream. */
  readU32(): number {
    if (this.end - this.next < 4) this.truncated();
    const p = this.next;
    this.next = p + 4;
    return (this.data[p]! | (this.data[p + 1]! << 8) | (this.data[p + 2]! << 16) | (this.data[p + 3]! << 24)) >>> 0;
  }

  /** Copies `n` bytes of the byte stream into `dest` at `destOffset`. */
  readBytes(dest: Uint8Array, destOffset: number, n: number): void {
    if (n < 0 || this.end - this.next < n || destOffset < 0 || dest.length - destOffset < n) this.truncated();
    dest.set(this.data.subarray(this.next, this.next + n), destOffset);
    this.next += n;
  }

  /**
   * Drops the buffered bits so the byte stream continues at the next unit (LZX uncompressed
   * blocks: call ensureBits(1) first, so an already aligned stream skips one whole unit).
   */
  alignToUnit(): void {
    this.buf = 0;
    this.bitsLeft = 0;
    this.virtualBits = 0;
  }

  truncated(): never {
    throw new FormatError(this.format, 'compressed data ends early (truncated or corrupt stream)');
  }
}

/**
 * Writes bits MSB-first into consecutive 16-bit LE units (LZX). Values must fit their count
 * (value < 2^count). Output that would not fit in [start, end) is dropped and `overflowed` is set;
 * finish() then returns 0, which compressors take as "store this chunk raw".
 */
export class BitWriter {
  private pos: number;
  private bitbuf = 0;
  private bitcount = 0;
  overflowed = false;

  constructor(private readonly out: Uint8Array, private readonly start = 0, private readonly end = out.length) {
    this.pos = start;
  }

  /** Appends `count` (0..32) bits of `value`. */
  writeBits(value: number, count: number): void {
    if (count > UNIT_BITS) {
      this.writeBits(Math.floor(value / 0x10000), count - UNIT_BITS);
      this.writeBits(value & 0xffff, UNIT_BITS);
      return;
    }
    this.bitbuf = (this.bitbuf << count) | value;
    this.bitcount += count;
    if (this.bitcount >= UNIT_BITS) {
      this.bitcount -= UNIT_BITS;
      this.putUnit(this.bitbuf >>> this.bitcount);
    }
  }

  /** Pads the last partial unit with zero bits; returns the output size, 0 if it did not fit. */
  finish(): number {
    if (this.bitcount > 0) {
      this.putUnit(this.bitbuf << (UNIT_BITS - this.bitcount));
      this.bitcount = 0;
    }
    return this.overflowed ? 0 : this.pos - this.start;
  }

  private putUnit(v: number): void {
    const p = this.pos;
    if (this.end - p < UNIT_BYTES) {
      this.overflowed = true;
      return;
    }
    this.out[p] = v;
    this.out[p + 1] = v >>> 8;
    this.pos = p + UNIT_BYTES;
  }
}

/**
 * XPRESS's writer: bits and bytes share one output. Two unit slots are reserved ahead; when more
 * than 16 bits are pending, the oldest 16 fill the older slot and a new slot is reserved at the
 * byte position. finish() writes the pending bits left-aligned into the older slot and 0 into the
 * other. This is exactly wimlib's discipline, which the decoders (wimlib's and Windows') rely on
 * (research §1.12). Overflow handling as BitWriter.
 */
export class InterleavedBitWriter {
  /** The older and the newer reserved unit slot, and the next byte-stream position. */
  private nextBits: number;
  private nextBits2: number;
  private nextByte: number;
  private bitbuf = 0;
  private bitcount = 0;
  overflowed = false;

  constructor(private readonly out: Uint8Array, private readonly start = 0, private readonly end = out.length) {
    this.nextBits = start;
    this.nextBits2 = start + UNIT_BYTES;
    this.nextByte = start + 2 * UNIT_BYTES;
    if (end - start < 2 * UNIT_BYTES) this.overflowed = true;
  }

  /** Appends `count` (0..16) bits of `value` (value < 2^count). */
  writeBits(value: number, count: number): void {
    this.bitbuf = (this.bitbuf << count) | value;
    this.bitcount += count;
    if (this.bitcount > UNIT_BITS) {
      this.bitcount -= UNIT_BITS;
      const b = this.nextByte;
      if (this.end - b >= UNIT_BYTES) {
        const v = this.bitbuf >>> this.bitcount;
        const p = this.nextBits;
        this.out[p] = v;
        this.out[p + 1] = v >>> 8;
        this.nextBits = this.nextBits2;
        this.nextBits2 = b;
        this.nextByte = b + UNIT_BYTES;
      } else {
        this.overflowed = true;
      }
    }
  }

  /** Appends one byte to the byte stream. */
  writeByte(v: number): void {
    if (this.nextByte < this.end) this.out[this.nextByte++] = v;
    else this.overflowed = true;
  }

  /** Appends a 16-bit LE value to the byte stream. */
  writeU16(v: number): void {
    const b = this.nextByte;
    if (this.end - b >= 2) {
      this.out[b] = v;
      this.out[b + 1] = v >>> 8;
      this.nextByte = b + 2;
    } else {
      this.overflowed = true;
    }
  }

  /** Flushes; returns the output size from `start`, 0 if it did not fit. */
  finish(): number {
    if (this.overflowed || this.end - this.nextByte < 0) return 0;
    const v = this.bitbuf << (UNIT_BITS - this.bitcount);
    this.out[this.nextBits] = v;
    this.out[this.nextBits + 1] = v >>> 8;
    this.out[this.nextBits2] = 0;
    this.out[this.nextBits2 + 1] = 0;
    return this.nextByte - this.start;
  }
}
