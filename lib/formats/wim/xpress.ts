// XPRESS (LZ77 + Huffman, MS-XCA §2.1–2.2) as WIM uses it: each chunk (≤ 64 KiB) is one block
// with its own Huffman code. Layout (research wim-format.md §1.12):
//   code lengths   256 bytes  512 lengths, 4 bits each, low nibble = even symbol
//   bitstream      rest       16-bit LE units MSB-first, interleaved with plain bytes
// Symbol < 256: literal. Symbol 256 + (log2(offset) << 4 | min(len - 3, 15)): a match, followed by
// (encoder order) the extra length byte(s) in the byte stream, then log2(offset) low offset bits.
// The last item is followed by symbol 256 as end of data (Windows' decoder wants it).
import { FormatError, TsmediaError, UsageError } from '../../errors.js';
import { InterleavedBitWriter } from './bitstream.js';
import { HashChainMatchFinder } from './match-finder.js';
import { buildCodeLengths, buildDecodeTable, canonicalCodewords, DECODE_LEN_MASK, DECODE_SUBTABLE_FLAG, type DecodeTable } from './huffman.js';

export const XPRESS_NUM_SYMBOLS = 512;
export const XPRESS_NUM_LITERALS = 256;
export const XPRESS_MAX_CODEWORD_LEN = 15;
export const XPRESS_MIN_MATCH_LEN = 3;
export const XPRESS_MAX_MATCH_LEN = 65538;
/** Largest chunk one XPRESS block may hold (WIM chunk sizes for XPRESS: 4 KiB..64 KiB). */
export const XPRESS_MAX_CHUNK = 65536;
/** code lengths  256 bytes */
const TABLE_BYTES = XPRESS_NUM_SYMBOLS / 2;
/** End-of-data symbol: a match symbol (offset 1, length 3) that the decoder never reaches. */
const END_OF_DATA_SYMBOL = 256;
/** Length header value that announces an extra length byte (then maybe a u16). */
const LEN_HDR_EXTENDED = 15;
const EXTRA_BYTE_MAX = 255;
/** Smallest stream: the table plus the two reserved bit units. */
const MIN_STREAM_BYTES = TABLE_BYTES + 4;
/** First-level decode table bits: most codewords resolve in one lookup. */
const DECODE_TABLE_BITS = 11;

// ---------------------------------------------------------------------------------------------
// Decompression

/** Decompresses one XPRESS chunk to exactly `outSize` bytes; FormatError on any bad stream. */
export function xpressDecompress(input: Uint8Array, outSize: number): Uint8Array {
  if (!Number.isInteger(outSize) || outSize < 0 || outSize > XPRESS_MAX_CHUNK) {
    throw new FormatError('xpress', `chunk size ${outSize} is not between 0 and ${XPRESS_MAX_CHUNK} bytes`);
  }
  const out = new Uint8Array(outSize);
  xpressDecompressInto(input, out);
  return out;
}

/** Decompresses one XPRESS chunk filling all of `out` (lets a reader reuse its buffer). */
export function xpressDecompressInto(input: Uint8Array, out: Uint8Array, scratch?: { table?: DecodeTable }): void {
  const outSize = out.length;
  if (outSize > XPRESS_MAX_CHUNK) throw new FormatError('xpress', `chunk size ${outSize} exceeds ${XPRESS_MAX_CHUNK} bytes`);
  if (outSize === 0) return;
  if (input.length < TABLE_BYTES) throw new FormatError('xpress', `compressed chunk of ${input.length} bytes is shorter than its ${TABLE_BYTES}-byte code table`);
  const lengths = new Uint8Array(XPRESS_NUM_SYMBOLS);
  for (let i = 0; i < TABLE_BYTES; i++) {
    const b = input[i]!;
    lengths[2 * i] = b & 0xf;
    lengths[2 * i + 1] = b >>> 4;
  }
  const dt = buildDecodeTable(lengths, XPRESS_NUM_SYMBOLS, DECODE_TABLE_BITS, XPRESS_MAX_CODEWORD_LEN, scratch?.table, 'xpress');
  if (scratch) scratch.table = dt;
  if (dt.empty) throw new FormatError('xpress', 'the chunk has an empty Huffman code but data to decode');
  decodeItems(input, out, dt);
}

/**
 * The decode loop. It keeps BitReader's state in locals (this loop is the hot path of reading
 * XPRESS WIMs) with the same rules: a unit is loaded when fewer bits are buffered than needed
 * (15 for a symbol, 16 before a match's extra bytes, which is what places the bytes where the
 * encoder put them); zero units stand in past the end, and consuming one is a FormatError.
 */
function decodeItems(input: Uint8Array, out: Uint8Array, dt: DecodeTable): void {
  const outSize = out.length;
  const table = dt.table;
  const subBits = XPRESS_MAX_CODEWORD_LEN - dt.tableBits;
  const subMask = (1 << subBits) - 1;
  const end = input.length;
  let next = TABLE_BYTES;
  let buf = 0;
  let bitsLeft = 0;
  let virtualBits = 0;
  let op = 0;
  while (op < outSize) {
    if (bitsLeft < XPRESS_MAX_CODEWORD_LEN) {
      if (end - next >= 2) buf = (buf << 16) | input[next++]! | (input[next++]! << 8);
      else { buf <<= 16; virtualBits += 16; }
      bitsLeft += 16;
    }
    const bits = (buf >>> (bitsLeft - XPRESS_MAX_CODEWORD_LEN)) & 0x7fff;
    let e = table[bits >>> subBits]!;
    if (e & DECODE_SUBTABLE_FLAG) e = table[(e >>> 8) + (bits & subMask)]!;
    bitsLeft -= e & DECODE_LEN_MASK;
    if (virtualBits > bitsLeft) throw truncated();
    const sym = e >>> 8;
    if (sym < XPRESS_NUM_LITERALS) {
      out[op++] = sym;
      continue;
    }
    let len = sym & 0xf;
    const log2 = (sym >>> 4) & 0xf;
    if (bitsLeft < 16) {
      if (end - next >= 2) buf = (buf << 16) | input[next++]! | (input[next++]! << 8);
      else { buf <<= 16; virtualBits += 16; }
      bitsLeft += 16;
    }
    bitsLeft -= log2;
    if (virtualBits > bitsLeft) throw truncated();
    const offset = (1 << log2) | ((buf >>> bitsLeft) & ((1 << log2) - 1));
    if (len === LEN_HDR_EXTENDED) {
      if (next >= end) throw truncated();
      len += input[next++]!;
      if (len === LEN_HDR_EXTENDED + EXTRA_BYTE_MAX) {
        if (end - next < 2) throw truncated();
        len = input[next]! | (input[next + 1]! << 8);
        next += 2;
      }
    }
    len += XPRESS_MIN_MATCH_LEN;
    if (offset > op) throw new FormatError('xpress', `match at output byte ${op} refers ${offset} bytes back, before the chunk start`);
    if (len > outSize - op) throw new FormatError('xpress', `match of ${len} bytes at output byte ${op} overruns the ${outSize}-byte chunk`);
    copyMatch(out, op, offset, len);
    op += len;
  }
}

function truncated(): FormatError {
  return new FormatError('xpress', 'compressed data ends early (truncated or corrupt stream)');
}

/** Matches at least this long are copied with copyWithin/fill. */
const NATIVE_COPY_MIN = 32;

/** LZ77 copy; overlapping copies (offset < len) repeat the pattern byte by byte. */
function copyMatch(out: Uint8Array, op: number, offset: number, len: number): void {
  const src = op - offset;
  if (len < NATIVE_COPY_MIN) {
    // short copies (most matches) are faster in a loop than through a native call
    for (let i = 0; i < len; i++) out[op + i] = out[src + i]!;
  } else if (offset >= len) {
    out.copyWithin(op, src, src + len);
  } else if (offset === 1) {
    out.fill(out[src]!, op, op + len);
  } else {
    for (let i = 0; i < len; i++) out[op + i] = out[src + i]!;
  }
}

// ---------------------------------------------------------------------------------------------
// Compression

export interface XpressCompressor {
  /** One chunk as one XPRESS block, or null when that would not be smaller than the chunk. */
  compress(input: Uint8Array): Uint8Array | null;
}

export interface XpressCompressorOptions {
  /** Largest chunk to be compressed (default and maximum 64 KiB). */
  maxChunkSize?: number;
  /** Chain nodes visited per match search (default 24). */
  maxSearchDepth?: number;
  /** Match length that ends a search early (default 48). */
  niceLength?: number;
}

const DEFAULT_SEARCH_DEPTH = 24;
/** Parse totals beside the symbol frequencies: offset bits, and bytes of long-match lengths. */
const EXTRA_OFFSET_BITS = 0;
const EXTRA_LENGTH_BYTES = 1;
const EXTRA_SLOTS = 2;
const DEFAULT_NICE_LENGTH = 48;
/** A 3-byte match farther than this costs about as much as three literals (11+ offset bits). */
const SHORT_MATCH_MAX_OFFSET = 2048;

/** A compressor with reusable scratch state (match finder, item buffer, output buffer). */
export function createXpressCompressor(options: XpressCompressorOptions = {}): XpressCompressor {
  const maxChunk = options.maxChunkSize ?? XPRESS_MAX_CHUNK;
  if (!Number.isInteger(maxChunk) || maxChunk < 1 || maxChunk > XPRESS_MAX_CHUNK) {
    throw new UsageError('EXPRESS_CHUNK', `XPRESS chunk size must be 1..${XPRESS_MAX_CHUNK} bytes, not ${maxChunk}`);
  }
  const mf = new HashChainMatchFinder({
    maxWindow: maxChunk,
    maxSearchDepth: options.maxSearchDepth ?? DEFAULT_SEARCH_DEPTH,
    niceLength: options.niceLength ?? DEFAULT_NICE_LENGTH,
  });
  // item = literal byte, or offset << 16 | (length - 3) for a match (offset ≥ 1 marks matches)
  const items = new Uint32Array(maxChunk + 1);
  const freqs = new Uint32Array(XPRESS_NUM_SYMBOLS);
  const extras = new Float64Array(EXTRA_SLOTS);
  const out = new Uint8Array(maxChunk);
  return {
    compress(input: Uint8Array): Uint8Array | null {
      const n = input.length;
      if (n > maxChunk) throw new UsageError('EXPRESS_CHUNK', `an XPRESS chunk holds at most ${maxChunk} bytes, not ${n}`);
      if (n <= MIN_STREAM_BYTES) return null;
      freqs.fill(0);
      extras.fill(0);
      const count = parseLazy(input, mf, items, freqs, extras);
      freqs[END_OF_DATA_SYMBOL]!++;
      const size = writeBlock(items, count, freqs, extras, out, n - 1);
      return size === 0 ? null : out.slice(0, size);
    },
  };
}

let shared: XpressCompressor | undefined;

/** One chunk (≤ 64 KiB) as one XPRESS block; null when not smaller than the input. */
export function xpressCompress(input: Uint8Array): Uint8Array | null {
  shared ??= createXpressCompressor();
  return shared.compress(input);
}

/** floor(log2(v)) for v ≥ 1. */
function log2floor(v: number): number {
  return 31 - Math.clz32(v);
}

/** Match symbol (minus 256) for a match. */
function matchSymbol(len: number, offset: number): number {
  const hdr = len - XPRESS_MIN_MATCH_LEN;
  return XPRESS_NUM_LITERALS + ((log2floor(offset) << 4) | (hdr < LEN_HDR_EXTENDED ? hdr : LEN_HDR_EXTENDED));
}

/**
 * Lazy parse: take the longest match at each position unless the next position has a clearly
 * better one (longer, by more than its offset costs). Fills items and symbol frequencies;
 * returns the item count.
 */
function parseLazy(input: Uint8Array, mf: HashChainMatchFinder, items: Uint32Array, freqs: Uint32Array, extras: Float64Array): number {
  const n = input.length;
  mf.reset(input, 0, n);
  const nice = mf.niceLength;
  let count = 0;
  let pos = 0;
  while (pos < n) {
    let len = mf.findLongest(pos, XPRESS_MIN_MATCH_LEN, XPRESS_MAX_MATCH_LEN);
    if (len === XPRESS_MIN_MATCH_LEN && mf.matchOffset > SHORT_MATCH_MAX_OFFSET) len = 0;
    if (len === 0) {
      const lit = input[pos++]!;
      items[count++] = lit;
      freqs[lit]!++;
      continue;
    }
    let offset = mf.matchOffset;
    // look one position ahead while the current match is short of "nice"
    while (len < nice && pos + 1 < n) {
      const nextLen = mf.findLongest(pos + 1, len + 1, XPRESS_MAX_MATCH_LEN);
      if (nextLen === 0) break;
      const nextOffset = mf.matchOffset;
      if (4 * (nextLen - len) + log2floor(offset) - log2floor(nextOffset) <= 2) {
        // not worth a literal; pos + 1 is already recorded, so skip it below
        emitMatch(items, count++, freqs, extras, len, offset);
        for (let p = pos + 2; p < pos + len; p++) mf.insert(p);
        pos += len;
        len = 0;
        break;
      }
      const lit = input[pos++]!;
      items[count++] = lit;
      freqs[lit]!++;
      len = nextLen;
      offset = nextOffset;
    }
    if (len === 0) continue;
    // here the lookahead at pos + 1 (if any) found nothing better, or len is nice already
    emitMatch(items, count++, freqs, extras, len, offset);
    const lookedAhead = len < nice && pos + 1 < n;
    for (let p = pos + (lookedAhead ? 2 : 1); p < pos + len; p++) mf.insert(p);
    pos += len;
  }
  return count;
}

function emitMatch(items: Uint32Array, at: number, freqs: Uint32Array, extras: Float64Array, len: number, offset: number): void {
  const adjLen = len - XPRESS_MIN_MATCH_LEN;
  items[at] = ((offset << 16) | adjLen) >>> 0;
  freqs[matchSymbol(len, offset)]!++;
  extras[EXTRA_OFFSET_BITS]! += log2floor(offset);
  if (adjLen >= LEN_HDR_EXTENDED) extras[EXTRA_LENGTH_BYTES]! += adjLen - LEN_HDR_EXTENDED < EXTRA_BYTE_MAX ? 1 : 3;
}

/**
 * Exact block size from the code and the parse, without writing it: the writer flushes a unit
 * each time more than 16 bits are pending, reserving 2 more bytes, on top of the 4 reserved first.
 */
function blockSize(freqs: Uint32Array, lens: Uint8Array, extras: Float64Array): number {
  let bits = extras[EXTRA_OFFSET_BITS]!;
  for (let s = 0; s < XPRESS_NUM_SYMBOLS; s++) bits += freqs[s]! * lens[s]!;
  const flushedUnits = Math.max(0, Math.ceil(bits / 16) - 1);
  return TABLE_BYTES + 4 + 2 * flushedUnits + extras[EXTRA_LENGTH_BYTES]!;
}

/**
 * Writes the code table and the items into out[0, limit); returns the size, or 0 when the
 * block does not fit below `limit` + 1 bytes (the caller stores the chunk raw).
 */
function writeBlock(items: Uint32Array, count: number, freqs: Uint32Array, extras: Float64Array, out: Uint8Array, limit: number): number {
  const lens = buildCodeLengths(freqs, XPRESS_NUM_SYMBOLS, XPRESS_MAX_CODEWORD_LEN);
  const predicted = blockSize(freqs, lens, extras);
  if (predicted > limit) return 0; // incompressible: skip the writing
  const codewords = canonicalCodewords(lens, XPRESS_NUM_SYMBOLS);
  for (let i = 0; i < TABLE_BYTES; i++) out[i] = lens[2 * i]! | (lens[2 * i + 1]! << 4);
  const w = new InterleavedBitWriter(out, TABLE_BYTES, limit);
  for (let k = 0; k < count; k++) {
    const item = items[k]!;
    const offset = item >>> 16;
    if (offset === 0) {
      w.writeBits(codewords[item]!, lens[item]!);
      continue;
    }
    const adjLen = item & 0xffff;
    const log2 = log2floor(offset);
    const sym = XPRESS_NUM_LITERALS + ((log2 << 4) | (adjLen < LEN_HDR_EXTENDED ? adjLen : LEN_HDR_EXTENDED));
    w.writeBits(codewords[sym]!, lens[sym]!);
    if (adjLen >= LEN_HDR_EXTENDED) {
      const extra = adjLen - LEN_HDR_EXTENDED;
      if (extra < EXTRA_BYTE_MAX) {
        w.writeByte(extra);
      } else {
        w.writeByte(EXTRA_BYTE_MAX);
        w.writeU16(adjLen);
      }
    }
    w.writeBits(offset & ((1 << log2) - 1), log2);
    if (w.overflowed) return 0;
  }
  w.writeBits(codewords[END_OF_DATA_SYMBOL]!, lens[END_OF_DATA_SYMBOL]!);
  const size = w.finish();
  if (size === 0) return 0;
  if (TABLE_BYTES + size !== predicted) {
    throw new TsmediaError('EXPRESS_INTERNAL', `XPRESS block size ${TABLE_BYTES + size} differs from the predicted ${predicted} (a bug)`);
  }
  return TABLE_BYTES + size;
}

/** WIM's usual XPRESS chunk size. */
export const XPRESS_DEFAULT_CHUNK = 32768;

export interface XpressCompressChunksTask {
  /** Chunks back to back, each `chunkSize` bytes except possibly the last. */
  data: Uint8Array;
  /** 1..65536 (default 32768). */
  chunkSize?: number;
}

export interface XpressCompressChunksResult {
  /** The stored chunks back to back: XPRESS blocks, or raw copies where XPRESS would not be smaller. */
  stored: Uint8Array;
  /** Stored size of each chunk; equal to its uncompressed size exactly when it is stored raw (research §1.4). */
  sizes: Uint32Array;
}

/**
 * A run of WIM chunks as a WIM resource stores them, before its chunk table (the pool task: one
 * call per batch of chunks, with the thread's shared compressor). Each chunk is independent.
 */
export function xpressCompressChunks(task: XpressCompressChunksTask): XpressCompressChunksResult {
  const { data } = task;
  const chunkSize = task.chunkSize ?? XPRESS_DEFAULT_CHUNK;
  if (!Number.isInteger(chunkSize) || chunkSize < 1 || chunkSize > XPRESS_MAX_CHUNK) {
    throw new UsageError('EXPRESS_CHUNK', `XPRESS chunk size must be 1..${XPRESS_MAX_CHUNK} bytes, not ${chunkSize}`);
  }
  shared ??= createXpressCompressor();
  const count = Math.ceil(data.length / chunkSize);
  const sizes = new Uint32Array(count);
  const stored = new Uint8Array(data.length); // raw copies are the worst case
  let at = 0;
  for (let k = 0; k < count; k++) {
    const chunk = data.subarray(k * chunkSize, Math.min((k + 1) * chunkSize, data.length));
    const part = shared.compress(chunk) ?? chunk;
    stored.set(part, at);
    sizes[k] = part.length;
    at += part.length;
  }
  return { stored: stored.slice(0, at), sizes };
}
