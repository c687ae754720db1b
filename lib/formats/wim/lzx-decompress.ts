// LZX decompression of one WIM chunk (research wim-format.md §1.13): blocks (verbatim, aligned,
// uncompressed) until the chunk is full, then the E8 translation is undone. Every stream is
// treated as hostile: bad input gives a FormatError, never a RangeError, a hang or a write out of
// bounds.
import { FormatError, UsageError } from '../../errors.js';
import { BitReader } from './bitstream.js';
import { buildDecodeTable, DECODE_LEN_MASK, DECODE_SUBTABLE_FLAG, type DecodeTable } from './huffman.js';
import {
  LZX_ALIGNED_LEN_BITS, LZX_ALIGNED_OFFSET_BITS, LZX_ALIGNED_SYMBOLS, LZX_BLOCK_ALIGNED, LZX_BLOCK_SIZE_BITS,
  LZX_BLOCK_TYPE_BITS, LZX_BLOCK_UNCOMPRESSED, LZX_BLOCK_VERBATIM, LZX_DEFAULT_BLOCK_SIZE, LZX_LENGTH_SYMBOLS,
  LZX_MAIN_SYMBOLS, LZX_MAX_ALIGNED_LEN, LZX_MAX_LENGTH_LEN, LZX_MAX_MAIN_LEN, LZX_MAX_PRECODE_LEN, LZX_MIN_MATCH,
  LZX_NUM_CHARS, LZX_NUM_LEN_HEADERS, LZX_NUM_PRIMARY_LENS, LZX_NUM_RECENT_OFFSETS, LZX_OFFSET_ADJUSTMENT,
  LZX_PRE_ZEROS_LONG, LZX_PRE_ZEROS_SHORT, LZX_PRECODE_LEN_BITS, LZX_PRECODE_SYMBOLS, LZX_SLOT_BASE,
  LZX_SLOT_EXTRA_BITS, LZX_WINDOW_SIZE,
} from './lzx-constants.js';
import { e8Decode } from './lzx-e8.js';

const FORMAT = 'lzx';
/** First-level decode table sizes (bits); longer codewords go to subtables. */
const MAIN_TABLE_BITS = 11;
const LENGTH_TABLE_BITS = 10;
const ALIGNED_TABLE_BITS = 7;
const PRECODE_TABLE_BITS = 6;
/** Delta-coded lengths wrap modulo 17. */
const LEN_MODULUS = 17;
/** Run symbols' extra bits and minimum runs. */
const ZEROS_SHORT_BITS = 4;
const ZEROS_SHORT_MIN = 4;
const ZEROS_LONG_BITS = 5;
const ZEROS_LONG_MIN = 20;
const SAME_BITS = 1;
const SAME_MIN = 4;
/** The longest run (51 zeros) started at the last length of a part. */
const MAX_RUN_OVERRUN = ZEROS_LONG_MIN + (1 << ZEROS_LONG_BITS) - 2;

/** Module-local copies of the slot tables (imported bindings cost a little on the hot path). */
const SLOT_EXTRA = Uint8Array.from(LZX_SLOT_EXTRA_BITS);
const SLOT_OFFSET = Int32Array.from(LZX_SLOT_BASE, (b) => b - LZX_OFFSET_ADJUSTMENT);
/** Non-overlapping matches longer than this are copied natively (copyWithin), shorter by hand. */
const COPY_NATIVE_MIN = 48;

/** Per-chunk decoder state, reusable between chunks (the tables are large). */
class LzxDecoder {
  // Room past the end for a run that overruns its table (see readLens)
  readonly mainLens = new Uint8Array(LZX_MAIN_SYMBOLS + MAX_RUN_OVERRUN);
  readonly lengthLens = new Uint8Array(LZX_LENGTH_SYMBOLS + MAX_RUN_OVERRUN);
  readonly alignedLens = new Uint8Array(LZX_ALIGNED_SYMBOLS);
  readonly precodeLens = new Uint8Array(LZX_PRECODE_SYMBOLS);
  main: DecodeTable | undefined;
  length: DecodeTable | undefined;
  aligned: DecodeTable | undefined;
  precode: DecodeTable | undefined;

  decompress(input: Uint8Array, outSize: number, into?: Uint8Array): Uint8Array {
    if (!Number.isInteger(outSize) || outSize < 0 || outSize > LZX_WINDOW_SIZE) {
      throw new UsageError('ELZX_SIZE', `lzx: a chunk holds 0..${LZX_WINDOW_SIZE} bytes, not ${outSize}`);
    }
    if (into && into.length < outSize) throw new UsageError('ELZX_SIZE', `lzx: output buffer of ${into.length} bytes is smaller than the chunk (${outSize})`);
    const out = into ? into.subarray(0, outSize) : new Uint8Array(outSize);
    const r = new BitReader(input, 0, input.length, FORMAT);
    this.mainLens.fill(0);
    this.lengthLens.fill(0);
    const recent = [1, 1, 1];
    let pos = 0;
    while (pos < outSize) {
      r.ensureBits(LZX_BLOCK_TYPE_BITS + 1);
      const type = r.readBits(LZX_BLOCK_TYPE_BITS);
      const size = r.readBits(1) ? LZX_DEFAULT_BLOCK_SIZE : r.readBits(LZX_BLOCK_SIZE_BITS);
      // Empty blocks are refused, as wimlib refuses them
      if (size === 0 || size > outSize - pos) {
        throw new FormatError(FORMAT, `block of ${size} bytes at ${pos} does not fit the ${outSize}-byte chunk`);
      }
      if (type === LZX_BLOCK_VERBATIM || type === LZX_BLOCK_ALIGNED) {
        if (type === LZX_BLOCK_ALIGNED) {
          for (let i = 0; i < LZX_ALIGNED_SYMBOLS; i++) this.alignedLens[i] = r.readBits(LZX_ALIGNED_LEN_BITS);
          this.aligned = table(this.alignedLens, LZX_ALIGNED_SYMBOLS, ALIGNED_TABLE_BITS, LZX_MAX_ALIGNED_LEN, this.aligned);
        }
        this.readLens(r, this.mainLens, 0, LZX_NUM_CHARS);
        this.readLens(r, this.mainLens, LZX_NUM_CHARS, LZX_MAIN_SYMBOLS);
        this.main = table(this.mainLens, LZX_MAIN_SYMBOLS, MAIN_TABLE_BITS, LZX_MAX_MAIN_LEN, this.main);
        this.readLens(r, this.lengthLens, 0, LZX_LENGTH_SYMBOLS);
        this.length = table(this.lengthLens, LZX_LENGTH_SYMBOLS, LENGTH_TABLE_BITS, LZX_MAX_LENGTH_LEN, this.length);
        pos = this.decodeBlock(r, out, pos, pos + size, type === LZX_BLOCK_ALIGNED, recent);
      } else if (type === LZX_BLOCK_UNCOMPRESSED) {
        // Align to the next unit; an already aligned stream skips a whole unit (the format's quirk)
        r.ensureBits(1);
        r.alignToUnit();
        for (let i = 0; i < LZX_NUM_RECENT_OFFSETS; i++) {
          const off = r.readU32();
          if (off === 0) throw new FormatError(FORMAT, `uncompressed block sets a recent offset of ${off}`);
          recent[i] = off;
        }
        r.readBytes(out, pos, size);
        pos += size;
        // Odd sizes are padded back to a unit boundary; a missing pad at the very end is harmless
        if (size & 1 && r.bytesLeft > 0) r.readByte();
      } else {
        throw new FormatError(FORMAT, `invalid block type ${type} at output position ${pos}`);
      }
    }
    e8Decode(out);
    return out;
  }

  /**
   * Reads code lengths [from, to) of `lens`, delta-coded against the previous block's values
   * (which `lens` still holds) through a precode sent first.
   */
  private readLens(r: BitReader, lens: Uint8Array, from: number, to: number): void {
    for (let i = 0; i < LZX_PRECODE_SYMBOLS; i++) this.precodeLens[i] = r.readBits(LZX_PRECODE_LEN_BITS);
    const pre = table(this.precodeLens, LZX_PRECODE_SYMBOLS, PRECODE_TABLE_BITS, LZX_MAX_PRECODE_LEN, this.precode);
    this.precode = pre;
    let i = from;
    while (i < to) {
      const sym = r.decodeSymbol(pre);
      if (sym < LZX_PRE_ZEROS_SHORT) {
        lens[i] = (lens[i]! - sym + LEN_MODULUS) % LEN_MODULUS;
        i++;
        continue;
      }
      let run: number;
      let value: number;
      if (sym === LZX_PRE_ZEROS_SHORT) {
        run = ZEROS_SHORT_MIN + r.readBits(ZEROS_SHORT_BITS);
        value = 0;
      } else if (sym === LZX_PRE_ZEROS_LONG) {
        run = ZEROS_LONG_MIN + r.readBits(ZEROS_LONG_BITS);
        value = 0;
      } else {
        // The last precode symbol (19): the run's value is the delta against the first position's old length
        run = SAME_MIN + r.readBits(SAME_BITS);
        const d = r.decodeSymbol(pre);
        // 17 is accepted as a delta (≡ 0 mod 17), as wimlib does; 18 and 19 are not deltas at all
        if (d > LZX_PRE_ZEROS_SHORT) throw new FormatError(FORMAT, `run of equal code lengths with delta symbol ${d}`);
        value = (lens[i]! - d + LEN_MODULUS) % LEN_MODULUS;
      }
      // A run may overrun its part: wimlib accepts that and so do we, with its effect (the overrun
      // lengths of the literal part are the delta base of the match part that follows)
      lens.fill(value, i, i + run);
      i += run;
    }
  }

  /**
   * Decodes items of a verbatim or aligned block into out[pos..end); returns end. The hot loop:
   * the bit reader's state lives in locals (written back at the end) and each Huffman symbol is
   * one or two table lookups. The bit rules are BitReader's: past the input, zero units are
   * supplied, and consuming any of those bits throws at once. The refill and the symbol lookup
   * are repeated inline for each code on purpose: a helper cannot update the locals.
   */
  private decodeBlock(r: BitReader, out: Uint8Array, pos: number, end: number, aligned: boolean, recent: number[]): number {
    const main = this.main!;
    const length = this.length!;
    const alignedDt = aligned ? this.aligned! : main;
    const mainTable = main.table;
    const mainMax = main.maxLen;
    const mainSub = mainMax - main.tableBits;
    const mainMask = (1 << mainMax) - 1;
    const mainSubMask = (1 << mainSub) - 1;
    const lenTable = length.table;
    const lenMax = length.maxLen;
    const lenSub = lenMax - length.tableBits;
    const lenMask = (1 << lenMax) - 1;
    const lenSubMask = (1 << lenSub) - 1;
    const alTable = alignedDt.table;
    const alMax = alignedDt.maxLen;
    const alSub = alMax - alignedDt.tableBits;
    const alMask = (1 << alMax) - 1;
    const alSubMask = (1 << alSub) - 1;
    const data = r.data;
    const dataEnd = r.end;
    let next = r.next;
    let buf = r.buf;
    let bitsLeft = r.bitsLeft;
    let virtualBits = r.virtualBits;
    let r0 = recent[0]!;
    let r1 = recent[1]!;
    let r2 = recent[2]!;
    if (main.empty && pos < end) emptyCode();
    let n: number;
    while (pos < end) {
      // Main symbol (≤ 16 bits): top up to at least 16 buffered bits
      if (bitsLeft < 16) {
        if (dataEnd - next >= 2) { buf = (buf << 16) | data[next]! | (data[next + 1]! << 8); next += 2; } else { buf <<= 16; virtualBits += 16; }
        bitsLeft += 16;
      }
      let bits = (buf >>> (bitsLeft - mainMax)) & mainMask;
      let e = mainTable[bits >>> mainSub]!;
      if (e & DECODE_SUBTABLE_FLAG) e = mainTable[(e >>> 8) + (bits & mainSubMask)]!;
      // a complete code fills every entry (len ≥ 1); the empty one was refused before the loop
      bitsLeft -= e & DECODE_LEN_MASK;
      if (virtualBits > bitsLeft) r.truncated();
      const sym = e >>> 8;
      if (sym < LZX_NUM_CHARS) {
        out[pos++] = sym;
        continue;
      }
      const m = sym - LZX_NUM_CHARS;
      const slot = m >>> 3; // LZX_NUM_LEN_HEADERS = 8
      let len = m & 7;
      if (len === LZX_NUM_PRIMARY_LENS) {
        if (bitsLeft < 16) {
          if (dataEnd - next >= 2) { buf = (buf << 16) | data[next]! | (data[next + 1]! << 8); next += 2; } else { buf <<= 16; virtualBits += 16; }
          bitsLeft += 16;
        }
        bits = (buf >>> (bitsLeft - lenMax)) & lenMask;
        e = lenTable[bits >>> lenSub]!;
        if (e & DECODE_SUBTABLE_FLAG) e = lenTable[(e >>> 8) + (bits & lenSubMask)]!;
        n = e & DECODE_LEN_MASK;
        if (n === 0) emptyCode();
        bitsLeft -= n;
        if (virtualBits > bitsLeft) r.truncated();
        len += e >>> 8;
      }
      len += LZX_MIN_MATCH;
      let off: number;
      if (slot === 0) {
        off = r0;
      } else if (slot === 1) {
        off = r1;
        r1 = r0;
        r0 = off;
      } else if (slot === 2) {
        off = r2;
        r2 = r0;
        r0 = off;
      } else {
        let extra = SLOT_EXTRA[slot]!;
        off = SLOT_OFFSET[slot]!;
        const useAligned = aligned && extra >= LZX_ALIGNED_OFFSET_BITS;
        if (useAligned) extra -= LZX_ALIGNED_OFFSET_BITS;
        if (extra > 0) {
          // ≤ 13 extra bits in a 32 KiB window
          if (bitsLeft < extra) {
            if (dataEnd - next >= 2) { buf = (buf << 16) | data[next]! | (data[next + 1]! << 8); next += 2; } else { buf <<= 16; virtualBits += 16; }
            bitsLeft += 16;
          }
          bitsLeft -= extra;
          if (virtualBits > bitsLeft) r.truncated();
          off += ((buf >>> bitsLeft) & ((1 << extra) - 1)) << (useAligned ? LZX_ALIGNED_OFFSET_BITS : 0);
        }
        if (useAligned) {
          if (bitsLeft < 16) {
            if (dataEnd - next >= 2) { buf = (buf << 16) | data[next]! | (data[next + 1]! << 8); next += 2; } else { buf <<= 16; virtualBits += 16; }
            bitsLeft += 16;
          }
          bits = (buf >>> (bitsLeft - alMax)) & alMask;
          e = alTable[bits >>> alSub]!;
          if (e & DECODE_SUBTABLE_FLAG) e = alTable[(e >>> 8) + (bits & alSubMask)]!;
          n = e & DECODE_LEN_MASK;
          if (n === 0) emptyCode();
          bitsLeft -= n;
          if (virtualBits > bitsLeft) r.truncated();
          off += e >>> 8;
        }
        r2 = r1;
        r1 = r0;
        r0 = off;
      }
      if (len > end - pos) throw new FormatError(FORMAT, `match of ${len} bytes at ${pos} overruns its block`);
      if (off > pos) throw new FormatError(FORMAT, `match offset ${off} at ${pos} reaches before the chunk`);
      const stop = pos + len;
      if (off >= len && len > COPY_NATIVE_MIN) {
        // No overlap: one native copy
        out.copyWithin(pos, pos - off, stop - off);
        pos = stop;
      } else {
        // Byte by byte: overlapping copies (off < len) repeat the pattern, as LZ77 means them to
        for (let src = pos - off; pos < stop; ) out[pos++] = out[src++]!;
      }
    }
    r.next = next;
    r.buf = buf;
    r.bitsLeft = bitsLeft;
    r.virtualBits = virtualBits;
    recent[0] = r0;
    recent[1] = r1;
    recent[2] = r2;
    return pos;
  }
}

function emptyCode(): never {
  throw new FormatError(FORMAT, 'a symbol was coded with an empty Huffman code');
}

/** Builds a decode table, reporting a bad code as an LZX format error. */
function table(lens: Uint8Array, n: number, bits: number, maxLen: number, reuse: DecodeTable | undefined): DecodeTable {
  try {
    return buildDecodeTable(lens, n, bits, maxLen, reuse);
  } catch (err) {
    if (err instanceof FormatError) throw new FormatError(FORMAT, `bad Huffman code in block header (${err.message})`);
    throw err;
  }
}

let shared: LzxDecoder | undefined;

/**
 * Decompresses one LZX-compressed WIM chunk to exactly `outSize` bytes (≤ 32768), into a new
 * array or into `into` (reused on hot paths; the result is its first outSize bytes). Throws
 * FormatError when the stream is corrupt, truncated, or does not produce exactly that size.
 */
export function lzxDecompress(input: Uint8Array, outSize: number, into?: Uint8Array): Uint8Array {
  shared ??= new LzxDecoder();
  return shared.decompress(input, outSize, into);
}
