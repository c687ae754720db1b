// XPRESS (LZ77 + Huffman, MS-XCA §2.1–2.2) as WIM uses it: each chunk (≤ 64 KiB) is one block
// with its own Huffman code. Layout (research wim-format.md §1.12):
//   code lengths   256 bytes  512 lengths, 4 bits each, low nibble = even symbol
//   bitstream      rest       16-bit LE units MSB-first, interleaved with plain bytes
// Symbol < 256: literal. Symbol 256 + (log2(offset) << 4 | min(len - 3, 15)): a match, followed by
// (encoder order) the extra length byte(s) in the byte stream, then log2(offset) low offset bits.
// The last item is followed by symbol 256 as end of data (Windows' decoder wants it).
import { FormatError, TsmediaError, UsageError } from '../../errors.js';
import { InterleavedBitWriter } from './bitstream.js';
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
  /**
   * One chunk as one XPRESS block written at the start of `out`; its size, or 0 when it would not
   * be smaller than the chunk (or not fit in `out`): the chunk is then stored raw.
   */
  compressInto(input: Uint8Array, out: Uint8Array): number;
}

export interface XpressCompressorOptions {
  /** Largest chunk to be compressed (default and maximum 64 KiB). */
  maxChunkSize?: number;
  /** Chain nodes visited per match search (default 4). */
  maxSearchDepth?: number;
  /** Match length that ends a search early (default 24). */
  niceLength?: number;
}

// The parse is greedy with a shallow search: issue 3 asks for wimlib's speed within 1.5× and
// leaves 5% of size to trade. Against the former lazy parse at depth 24 / nice 48, this costs
// about 2% of size on the benchmark corpus and takes well under half the parse time. Matches are
// 4 bytes or longer: looking for 3-byte ones (wimlib's hc_matchfinder keeps a table for them)
// made every position 10% dearer for 0.5% of size.
const DEFAULT_SEARCH_DEPTH = 4;
const DEFAULT_NICE_LENGTH = 24;
/**
 * Positions inside a match recorded in the hash tables, at most (zlib's fast levels do the same):
 * the rest of a long match is seldom where a later match starts. On the benchmark corpus, 16
 * parses 14% faster for 0.2% more size than recording all.
 */
const INSERT_MAX = 16;
/** After 2^SKIP_SHIFT positions in a row without a match, the parse steps 2, then 3... (data that does not compress). */
const SKIP_SHIFT = 5;
/** Bits of the 4-byte chain hash (fewer for small chunks, so resetting the heads stays cheap). */
const HASH4_MAX_BITS = 15;
const HASH4_MIN_BITS = 10;
/** Zero bytes after the chunk's copy: a 4-byte read of the match finder ends at most 1 byte past the chunk. */
const WORD_PADDING = 8;
/** Multiplicative hashing constant (a 32-bit odd number with well-mixed bits). */
const HASH4_MULT = 0x1e35a7bd;

/**
 * Match finder state for one chunk (reused): hash chains keyed by the next 4 bytes, searched
 * newest first to a bounded depth. Positions are chunk indices.
 */
interface MatchState {
  head4: Int32Array;
  /** prev[i]: older position with the same 4-byte hash as position i (-1: none). */
  prev: Int32Array;
  /** The chunk, copied and zero-padded, so 4 bytes at any position read as one number... */
  bytes: Uint8Array;
  /** ...through this view (TurboFan makes getInt32 one unaligned load). */
  words: DataView;
  depth: number;
  nice: number;
}

/** A compressor with reusable scratch state (match finder, item buffer, output buffer). */
export function createXpressCompressor(options: XpressCompressorOptions = {}): XpressCompressor {
  const maxChunk = options.maxChunkSize ?? XPRESS_MAX_CHUNK;
  if (!Number.isInteger(maxChunk) || maxChunk < 1 || maxChunk > XPRESS_MAX_CHUNK) {
    throw new UsageError('EXPRESS_CHUNK', `XPRESS chunk size must be 1..${XPRESS_MAX_CHUNK} bytes, not ${maxChunk}`);
  }
  const bytes = new Uint8Array(maxChunk + WORD_PADDING);
  const ms: MatchState = {
    head4: new Int32Array(1 << HASH4_MAX_BITS),
    prev: new Int32Array(maxChunk),
    bytes,
    words: new DataView(bytes.buffer),
    depth: Math.max(1, options.maxSearchDepth ?? DEFAULT_SEARCH_DEPTH),
    nice: Math.max(XPRESS_MIN_MATCH_LEN, options.niceLength ?? DEFAULT_NICE_LENGTH),
  };
  const parse: Parse = {
    items: new Uint32Array(maxChunk + 1),
    longLengths: new Uint32Array(Math.ceil(maxChunk / (XPRESS_MIN_MATCH_LEN + LEN_HDR_EXTENDED))),
    freqs: new Uint32Array(XPRESS_NUM_SYMBOLS),
    offsetBits: 0,
    lengthBytes: 0,
  };
  const code: BlockCode = { lens: new Uint8Array(XPRESS_NUM_SYMBOLS), codewords: new Uint32Array(XPRESS_NUM_SYMBOLS) };
  const scratch = new Uint8Array(maxChunk);
  const compressInto = (input: Uint8Array, out: Uint8Array): number => {
    const n = input.length;
    if (n > maxChunk) throw new UsageError('EXPRESS_CHUNK', `an XPRESS chunk holds at most ${maxChunk} bytes, not ${n}`);
    if (n <= MIN_STREAM_BYTES) return 0;
    const count = parseGreedy(input, ms, parse);
    return writeBlock(parse, count, code, out, Math.min(n - 1, out.length));
  };
  return {
    compressInto,
    compress(input: Uint8Array): Uint8Array | null {
      const size = compressInto(input, scratch);
      return size === 0 ? null : scratch.slice(0, size);
    },
  };
}

let shared: XpressCompressor | undefined;

/** One chunk (≤ 64 KiB) as one XPRESS block; null when not smaller than the input. */
export function xpressCompress(input: Uint8Array): Uint8Array | null {
  shared ??= createXpressCompressor();
  return shared.compress(input);
}

/** xpressCompress into the start of `out`: the block's size, or 0 to store the chunk raw. */
export function xpressCompressInto(input: Uint8Array, out: Uint8Array): number {
  shared ??= createXpressCompressor();
  return shared.compressInto(input, out);
}

/**
 * A chunk's parse, in the order the block writes it (reused). An item is a symbol in its low 9
 * bits; a match symbol carries its offset's low bits (those under the top bit) above them, and a
 * match whose length needs extra bytes has (length - 3) in longLengths, in order. The last item is
 * the end-of-data symbol. Beside them: symbol frequencies, and the totals of offset bits and extra
 * length bytes, which give the block's exact size before it is written.
 */
interface Parse {
  items: Uint32Array;
  longLengths: Uint32Array;
  freqs: Uint32Array;
  offsetBits: number;
  lengthBytes: number;
}
const ITEM_SYMBOL_BITS = 9;
const ITEM_SYMBOL_MASK = (1 << ITEM_SYMBOL_BITS) - 1;

/** Offset of the match longestMatch last returned (a module variable keeps the hot call allocation-free). */
let foundOffset = 0;

/**
 * Longest match at `rel` (≥ 4 bytes, at most maxLen), recording `rel` in the hash tables; 0 when
 * none, else its length with the offset in foundOffset. Kept small and flat so V8 inlines it.
 */
function longestMatch(w: DataView, d: Uint8Array, ms: MatchState, rel: number, maxLen: number, shift: number): number {
  const { head4, prev } = ms;
  const cur = w.getInt32(rel, true);
  let best = 0;
  let bestOff = 0;
  const h4 = Math.imul(cur, HASH4_MULT) >>> shift;
  let cand = head4[h4]!;
  head4[h4] = rel;
  prev[rel] = cand;
  const nice = ms.nice < maxLen ? ms.nice : maxLen;
  let depth = ms.depth;
  // a candidate must agree on the 4 bytes ending where the best match so far ends
  let tail = 0;
  while (cand >= 0) {
    if (w.getInt32(cand + tail, true) === w.getInt32(rel + tail, true) && w.getInt32(cand, true) === cur) {
      let len = 4;
      for (;;) {
        if (len + 4 > maxLen) {
          while (len < maxLen && d[cand + len] === d[rel + len]) len++;
          break;
        }
        const diff = w.getInt32(cand + len, true) ^ w.getInt32(rel + len, true);
        if (diff !== 0) {
          len += (31 - Math.clz32(diff & -diff)) >> 3; // equal low (earlier) bytes of the word
          break;
        }
        len += 4;
      }
      if (len > best) {
        best = len;
        bestOff = rel - cand;
        tail = best - 3;
        if (len >= nice) break;
      }
    }
    if (--depth === 0) break;
    cand = prev[cand]!;
  }
  foundOffset = bestOff;
  return best;
}

/**
 * Greedy parse: the longest match found at each position, else a literal; long runs of literals
 * step over positions (see SKIP_SHIFT). Fills items, symbol frequencies and extras; returns the
 * item count. Deterministic: it depends on the chunk only.
 */
function parseGreedy(input: Uint8Array, ms: MatchState, parse: Parse): number {
  const { items, longLengths, freqs } = parse;
  freqs.fill(0);
  const n = input.length;
  const { head4, prev, words: w } = ms;
  const d = ms.bytes;
  d.set(input);
  d.fill(0, n, n + WORD_PADDING);
  const bits = Math.max(HASH4_MIN_BITS, Math.min(HASH4_MAX_BITS, 32 - Math.clz32(n - 1)));
  const shift = 32 - bits;
  head4.fill(-1, 0, 1 << bits);
  const last = n - 4; // the last position with 4 bytes to key the chains
  let count = 0;
  let longCount = 0;
  let offBits = 0;
  let lenBytes = 0;
  let misses = 0;
  let pos = 0;
  while (pos <= last) {
    const maxLen = n - pos < XPRESS_MAX_MATCH_LEN ? n - pos : XPRESS_MAX_MATCH_LEN;
    const len = longestMatch(w, d, ms, pos, maxLen, shift);
    if (len === 0) {
      let step = 1 + (misses++ >> SKIP_SHIFT);
      if (pos + step > last) step = 1;
      for (let k = 0; k < step; k++) {
        const lit = d[pos++]!;
        items[count++] = lit;
        freqs[lit]!++;
      }
      continue;
    }
    misses = 0;
    const offset = foundOffset;
    const adj = len - XPRESS_MIN_MATCH_LEN;
    const log2 = 31 - Math.clz32(offset);
    let sym = XPRESS_NUM_LITERALS + (log2 << 4);
    if (adj < LEN_HDR_EXTENDED) {
      sym += adj;
    } else {
      sym += LEN_HDR_EXTENDED;
      longLengths[longCount++] = adj;
      lenBytes += adj - LEN_HDR_EXTENDED < EXTRA_BYTE_MAX ? 1 : 3;
    }
    items[count++] = sym | ((offset ^ (1 << log2)) << ITEM_SYMBOL_BITS);
    freqs[sym]!++;
    offBits += log2;
    // record the positions the match covers, for later searches: the first INSERT_MAX of them
    let p = pos + 1;
    pos += len;
    const end = pos <= last ? pos : last + 1;
    const stop = end - p > INSERT_MAX ? p + INSERT_MAX : end;
    for (; p < stop; p++) {
      const cur = w.getInt32(p, true);
      const h4 = Math.imul(cur, HASH4_MULT) >>> shift;
      prev[p] = head4[h4]!;
      head4[h4] = p;
    }
  }
  while (pos < n) {
    const lit = d[pos++]!;
    items[count++] = lit;
    freqs[lit]!++;
  }
  items[count++] = END_OF_DATA_SYMBOL; // a match symbol whose offset has no low bits
  freqs[END_OF_DATA_SYMBOL]!++;
  parse.offsetBits = offBits;
  parse.lengthBytes = lenBytes;
  return count;
}

/** A block's Huffman code: reused arrays, filled for each chunk. */
interface BlockCode { lens: Uint8Array; codewords: Uint32Array }

/**
 * Exact block size from the code and the parse, without writing it: the writer flushes a unit
 * each time more than 16 bits are pending, reserving 2 more bytes, on top of the 4 reserved first.
 */
function blockSize(parse: Parse, lens: Uint8Array): number {
  const freqs = parse.freqs;
  let bits = parse.offsetBits;
  for (let s = 0; s < XPRESS_NUM_SYMBOLS; s++) bits += freqs[s]! * lens[s]!;
  const flushedUnits = Math.max(0, Math.ceil(bits / 16) - 1);
  return TABLE_BYTES + 4 + 2 * flushedUnits + parse.lengthBytes;
}

/**
 * Writes the code table and the items into out[0, limit); returns the size, or 0 when the
 * block does not fit below `limit` + 1 bytes (the caller stores the chunk raw).
 */
function writeBlock(parse: Parse, count: number, code: BlockCode, out: Uint8Array, limit: number): number {
  const lens = buildCodeLengths(parse.freqs, XPRESS_NUM_SYMBOLS, XPRESS_MAX_CODEWORD_LEN, code.lens);
  const predicted = blockSize(parse, lens);
  if (predicted > limit) return 0; // incompressible: skip the writing
  // codeword << 4 | length in one entry: one load per symbol
  const codes = canonicalCodewords(lens, XPRESS_NUM_SYMBOLS, code.codewords);
  for (let s = 0; s < XPRESS_NUM_SYMBOLS; s++) codes[s] = (codes[s]! << 4) | lens[s]!;
  for (let i = 0; i < TABLE_BYTES; i++) out[i] = lens[2 * i]! | (lens[2 * i + 1]! << 4);
  const { items, longLengths } = parse;
  // InterleavedBitWriter's discipline inlined (this loop is hot), without its bounds checks: the
  // predicted size fits below limit, so nothing can overflow. bitbuf keeps at most 16 + 16
  // pending bits; only the low 32 matter. The unit flush is written out twice, after a symbol and
  // after offset bits, as the extra length bytes must land between the two.
  let slot = TABLE_BYTES;
  let slot2 = TABLE_BYTES + 2;
  let byte = TABLE_BYTES + 4;
  let bitbuf = 0;
  let bitcount = 0;
  let longAt = 0;
  for (let k = 0; k < count; k++) {
    const item = items[k]!;
    const sym = item & ITEM_SYMBOL_MASK;
    const c = codes[sym]!;
    const bits = c & 0xf;
    bitbuf = (bitbuf << bits) | (c >>> 4);
    bitcount += bits;
    if (bitcount > 16) {
      bitcount -= 16;
      const v = bitbuf >>> bitcount;
      out[slot] = v;
      out[slot + 1] = v >>> 8;
      slot = slot2;
      slot2 = byte;
      byte += 2;
    }
    if (sym < XPRESS_NUM_LITERALS) continue;
    // a match: the extra length bytes go between its symbol and its offset bits
    if ((sym & 0xf) === LEN_HDR_EXTENDED) {
      const adjLen = longLengths[longAt++]!;
      const extra = adjLen - LEN_HDR_EXTENDED;
      if (extra < EXTRA_BYTE_MAX) {
        out[byte++] = extra;
      } else {
        out[byte] = EXTRA_BYTE_MAX;
        out[byte + 1] = adjLen;
        out[byte + 2] = adjLen >>> 8;
        byte += 3;
      }
    }
    const log2 = (sym >>> 4) & 0xf;
    bitbuf = (bitbuf << log2) | (item >>> ITEM_SYMBOL_BITS);
    bitcount += log2;
    if (bitcount > 16) {
      bitcount -= 16;
      const v = bitbuf >>> bitcount;
      out[slot] = v;
      out[slot + 1] = v >>> 8;
      slot = slot2;
      slot2 = byte;
      byte += 2;
    }
  }
  const v = bitbuf << (16 - bitcount);
  out[slot] = v;
  out[slot + 1] = v >>> 8;
  out[slot2] = 0;
  out[slot2 + 1] = 0;
  if (byte !== predicted) {
    throw new TsmediaError('EXPRESS_INTERNAL', `XPRESS block size ${byte} differs from the predicted ${predicted} (a bug)`);
  }
  return byte;
}
