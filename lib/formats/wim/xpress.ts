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
// about 2% of size on the benchmark corpus and takes well under half the parse time.
const DEFAULT_SEARCH_DEPTH = 4;
const DEFAULT_NICE_LENGTH = 24;
/** Parse totals beside the symbol frequencies: offset bits, and bytes of long-match lengths. */
const EXTRA_OFFSET_BITS = 0;
const EXTRA_LENGTH_BYTES = 1;
const EXTRA_SLOTS = 2;
/** A 3-byte match farther than this costs about as much as three literals (11+ offset bits). */
const SHORT_MATCH_MAX_OFFSET = 2048;
/**
 * Positions inside a match recorded in the hash tables, at most (zlib's fast levels do the same):
 * the rest of a long match is seldom where a later match starts. On the benchmark corpus, 16
 * parses 14% faster for 0.2% more size than recording all.
 */
const INSERT_MAX = 16;
/** After 2^SKIP_SHIFT positions in a row without a match, the parse steps 2, then 3... (data that does not compress). */
const SKIP_SHIFT = 5;
/** Bits of the 4-byte chain hash (fewer for small chunks, so resetting the heads stays cheap), and of the 3-byte table. */
const HASH4_MAX_BITS = 15;
const HASH4_MIN_BITS = 10;
const HASH3_BITS = 12;
/** Multiplicative hashing constants (32-bit odd numbers with well-mixed bits). */
const HASH4_MULT = 0x1e35a7bd;
const HASH3_MULT = 0x9e3779b1;

/**
 * Match finder state for one chunk (reused): hash chains keyed by the next 4 bytes, searched
 * newest first to a bounded depth, and a one-entry-per-bucket table keyed by 3 bytes for length-3
 * matches, as wimlib's hc_matchfinder does. Positions are chunk indices.
 */
interface MatchState {
  head4: Int32Array;
  head3: Int32Array;
  /** prev[i]: older position with the same 4-byte hash as position i (-1: none). */
  prev: Int32Array;
  /** words[i]: the 4 bytes at position i as one little-endian number (0-padded at the end). */
  words: Int32Array;
  depth: number;
  nice: number;
}

/** A compressor with reusable scratch state (match finder, item buffer, output buffer). */
export function createXpressCompressor(options: XpressCompressorOptions = {}): XpressCompressor {
  const maxChunk = options.maxChunkSize ?? XPRESS_MAX_CHUNK;
  if (!Number.isInteger(maxChunk) || maxChunk < 1 || maxChunk > XPRESS_MAX_CHUNK) {
    throw new UsageError('EXPRESS_CHUNK', `XPRESS chunk size must be 1..${XPRESS_MAX_CHUNK} bytes, not ${maxChunk}`);
  }
  const ms: MatchState = {
    head4: new Int32Array(1 << HASH4_MAX_BITS),
    head3: new Int32Array(1 << HASH3_BITS),
    prev: new Int32Array(maxChunk),
    words: new Int32Array(maxChunk + 4),
    depth: Math.max(1, options.maxSearchDepth ?? DEFAULT_SEARCH_DEPTH),
    nice: Math.max(XPRESS_MIN_MATCH_LEN, options.niceLength ?? DEFAULT_NICE_LENGTH),
  };
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
      const count = parseGreedy(input, ms, items, freqs, extras);
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

/** Offset of the match longestMatch last returned (a module variable keeps the hot call allocation-free). */
let foundOffset = 0;

/**
 * Longest match at `rel` (≥ 3 bytes, at most maxLen), recording `rel` in the hash tables; 0 when
 * none, else its length with the offset in foundOffset. Kept small and flat so V8 inlines it.
 */
function longestMatch(w: Int32Array, d: Uint8Array, ms: MatchState, rel: number, maxLen: number, shift: number): number {
  const { head4, head3, prev } = ms;
  const cur = w[rel]!;
  let best = 0;
  let bestOff = 0;
  const h3 = Math.imul(cur << 8, HASH3_MULT) >>> (32 - HASH3_BITS);
  const c3 = head3[h3]!;
  head3[h3] = rel;
  if (c3 >= 0 && rel - c3 <= SHORT_MATCH_MAX_OFFSET && ((w[c3]! ^ cur) & 0xffffff) === 0) {
    best = 3;
    bestOff = rel - c3;
  }
  const h4 = Math.imul(cur, HASH4_MULT) >>> shift;
  let cand = head4[h4]!;
  head4[h4] = rel;
  prev[rel] = cand;
  const nice = ms.nice < maxLen ? ms.nice : maxLen;
  let depth = ms.depth;
  // a candidate must agree on the 4 bytes ending where the best match so far ends
  let tail = best > 3 ? best - 3 : 0;
  while (cand >= 0) {
    if (w[cand + tail] === w[rel + tail] && w[cand] === cur) {
      let len = 4;
      while (len + 4 <= maxLen && w[cand + len] === w[rel + len]) len += 4;
      while (len < maxLen && d[cand + len] === d[rel + len]) len++;
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
function parseGreedy(d: Uint8Array, ms: MatchState, items: Uint32Array, freqs: Uint32Array, extras: Float64Array): number {
  const n = d.length;
  const { head4, head3, prev, words: w } = ms;
  const bits = Math.max(HASH4_MIN_BITS, Math.min(HASH4_MAX_BITS, 32 - Math.clz32(n - 1)));
  const shift = 32 - bits;
  head4.fill(-1, 0, 1 << bits);
  head3.fill(-1);
  // one backward pass: each word is its byte plus the next word shifted up
  w[n] = 0;
  for (let i = n - 1; i >= 0; i--) w[i] = d[i]! | (w[i + 1]! << 8);
  const last = n - 4; // the last position with 4 bytes to key the chains
  let count = 0;
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
    items[count++] = ((offset << 16) | adj) >>> 0;
    freqs[XPRESS_NUM_LITERALS + ((log2 << 4) | (adj < LEN_HDR_EXTENDED ? adj : LEN_HDR_EXTENDED))]!++;
    offBits += log2;
    if (adj >= LEN_HDR_EXTENDED) lenBytes += adj - LEN_HDR_EXTENDED < EXTRA_BYTE_MAX ? 1 : 3;
    // record the positions the match covers, for later searches: the first INSERT_MAX of them
    let p = pos + 1;
    pos += len;
    const end = pos <= last ? pos : last + 1;
    const stop = end - p > INSERT_MAX ? p + INSERT_MAX : end;
    for (; p < stop; p++) {
      const cur = w[p]!;
      head3[Math.imul(cur << 8, HASH3_MULT) >>> (32 - HASH3_BITS)] = p;
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
  extras[EXTRA_OFFSET_BITS] = offBits;
  extras[EXTRA_LENGTH_BYTES] = lenBytes;
  return count;
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
  // InterleavedBitWriter's discipline inlined (this loop is hot), without its bounds checks: the
  // predicted size fits below limit, so nothing can overflow.
  let slot = TABLE_BYTES;
  let slot2 = TABLE_BYTES + 2;
  let byte = TABLE_BYTES + 4;
  let bitbuf = 0;
  let bitcount = 0;
  for (let k = 0; k <= count; k++) {
    let item: number;
    let offset: number;
    if (k < count) {
      item = items[k]!;
      offset = item >>> 16;
    } else {
      item = END_OF_DATA_SYMBOL;
      offset = 0;
    }
    let sym = item;
    let adjLen = 0;
    let log2 = 0;
    if (offset !== 0) {
      adjLen = item & 0xffff;
      log2 = 31 - Math.clz32(offset);
      sym = XPRESS_NUM_LITERALS + ((log2 << 4) | (adjLen < LEN_HDR_EXTENDED ? adjLen : LEN_HDR_EXTENDED));
    }
    // two bit fields per match: its symbol, then (after the extra length bytes) the offset bits
    let value = codewords[sym]!;
    let bits = lens[sym]!;
    for (let field = offset === 0 ? 1 : 2; field > 0; field--) {
      // bitbuf keeps at most 16 + 16 pending bits; only the low 32 matter
      bitbuf = (bitbuf << bits) | value;
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
      if (field === 1) break;
      if (adjLen >= LEN_HDR_EXTENDED) {
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
      value = offset & ((1 << log2) - 1);
      bits = log2;
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
