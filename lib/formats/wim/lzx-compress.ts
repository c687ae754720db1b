// LZX compression of one WIM chunk (research wim-format.md §1.13). The chunk is E8-translated,
// every match is found once (binary-tree match finder), then a near-optimal parse runs a few
// times: a forward minimum-cost pass over all literal / repeat-offset / explicit-offset choices,
// each pass pricing symbols with the Huffman code lengths the previous pass would produce. The
// last parse is written as one verbatim or aligned block, whichever is smaller.
import { UsageError } from '../../errors.js';
import { BitWriter } from './bitstream.js';
import { buildCodeLengths, canonicalCodewords } from './huffman.js';
import {
  LZX_ALIGNED_LEN_BITS, LZX_ALIGNED_OFFSET_BITS, LZX_ALIGNED_SYMBOLS, LZX_BLOCK_ALIGNED, LZX_BLOCK_SIZE_BITS,
  LZX_BLOCK_TYPE_BITS, LZX_BLOCK_VERBATIM, LZX_DEFAULT_BLOCK_SIZE, LZX_LENGTH_SYMBOLS, LZX_MAIN_SYMBOLS,
  LZX_MAX_ALIGNED_LEN, LZX_MAX_MATCH, LZX_MIN_MATCH, LZX_NUM_CHARS, LZX_NUM_LEN_HEADERS, LZX_NUM_PRIMARY_LENS,
  LZX_OFFSET_ADJUSTMENT, LZX_PRE_SAME, LZX_PRE_ZEROS_LONG, LZX_PRE_ZEROS_SHORT, LZX_PRECODE_LEN_BITS,
  LZX_PRECODE_SYMBOLS, LZX_SLOT_BASE, LZX_SLOT_EXTRA_BITS, LZX_WINDOW_SIZE, offsetSlot,
} from './lzx-constants.js';
import { e8Encode } from './lzx-e8.js';
import { LzxMatchFinder } from './lzx-match-finder.js';

/** Code length limits of our encoder (the format allows 16 for main and length, 7 aligned, 15 precode). */
const MAIN_MAX_LEN = 16;
const LENGTH_MAX_LEN = 16;
const PRECODE_MAX_LEN = 15;
/** Delta-coded lengths wrap modulo 17; run forms of the precode (see lzx-decompress.ts). */
const LEN_MODULUS = 17;
const ZEROS_SHORT_MIN = 4;
const ZEROS_SHORT_MAX = 19;
const ZEROS_SHORT_BITS = 4;
const ZEROS_LONG_MIN = 20;
const ZEROS_LONG_MAX = 51;
const ZEROS_LONG_BITS = 5;
const SAME_MIN = 4;
const SAME_MAX = 5;
const SAME_BITS = 1;
/** A repeat-offset match this short costs more than its literals would almost always. */
const MIN_REPEAT_MATCH = LZX_MIN_MATCH;
/** Initial prices (bits) before any statistics: the first pass parses with these. */
const INIT_MATCH_SYM_COST = 9;
const INIT_REPEAT_SYM_COST = 7;
const INIT_LENGTH_SYM_COST = 6;
const INIT_ALIGNED_COST = 3;
/** Price of a symbol the previous pass did not use (it would get a long codeword if it were). */
const UNUSED_MAIN_COST = 14;
const UNUSED_LENGTH_COST = 11;
const INFINITE = 0x3fffffff;
/** Repeat-offset codes 0..2 in the item list; explicit offsets are stored formatted (≥ 3). */
const NUM_REPEATS = 3;
const ITEM_LITERAL = -1;

export interface LzxCompressorOptions {
  /** Parse passes (≥ 1): the first prices symbols by guess, each later one by the previous. */
  passes?: number;
  /** Match finder tree depth per position. */
  maxDepth?: number;
  /** Matches at least this long end the search and are taken whole by the parser. */
  niceLen?: number;
}

const DEFAULTS: Required<LzxCompressorOptions> = { passes: 2, maxDepth: 24, niceLen: 48 };

/** A reusable LZX compressor (one per worker thread): all working memory is allocated once. */
export class LzxCompressor {
  private readonly passes: number;
  private readonly niceLen: number;
  private readonly mf: LzxMatchFinder;
  private readonly data = new Uint8Array(LZX_WINDOW_SIZE);
  // Parse graph: node i = "first i bytes coded"; each node keeps its best cost, the item that
  // reached it and the recent-offset queue after that item.
  private readonly cost = new Int32Array(LZX_WINDOW_SIZE + 1);
  private readonly itemLen = new Uint16Array(LZX_WINDOW_SIZE + 1);
  private readonly itemOff = new Int32Array(LZX_WINDOW_SIZE + 1);
  private readonly q0 = new Int32Array(LZX_WINDOW_SIZE + 1);
  private readonly q1 = new Int32Array(LZX_WINDOW_SIZE + 1);
  private readonly q2 = new Int32Array(LZX_WINDOW_SIZE + 1);
  // The chosen parse, in order.
  private readonly seqLen = new Uint16Array(LZX_WINDOW_SIZE);
  private readonly seqOff = new Int32Array(LZX_WINDOW_SIZE);
  private seqCount = 0;
  // Prices in bits.
  private readonly mainCost = new Int32Array(LZX_MAIN_SYMBOLS);
  private readonly lengthCost = new Int32Array(LZX_LENGTH_SYMBOLS);
  private readonly alignedCost = new Int32Array(LZX_ALIGNED_SYMBOLS);
  private useAlignedCost = false;
  // Statistics of the chosen parse.
  private readonly mainFreq = new Uint32Array(LZX_MAIN_SYMBOLS);
  private readonly lengthFreq = new Uint32Array(LZX_LENGTH_SYMBOLS);
  private readonly alignedFreq = new Uint32Array(LZX_ALIGNED_SYMBOLS);
  /** Output scratch: a chunk's worst-case block still fits (literals ≤ 16 bits, headers small). */
  private readonly out = new Uint8Array(3 * LZX_WINDOW_SIZE);

  constructor(options: LzxCompressorOptions = {}) {
    const o = { ...DEFAULTS, ...options };
    if (!Number.isInteger(o.passes) || o.passes < 1 || o.passes > 8) throw new UsageError('ELZX_OPTIONS', `lzx: passes must be 1..8, not ${o.passes}`);
    if (!Number.isInteger(o.maxDepth) || o.maxDepth < 1 || o.maxDepth > 1024) throw new UsageError('ELZX_OPTIONS', `lzx: maxDepth must be 1..1024, not ${o.maxDepth}`);
    if (!Number.isInteger(o.niceLen) || o.niceLen < 3 || o.niceLen > LZX_MAX_MATCH) throw new UsageError('ELZX_OPTIONS', `lzx: niceLen must be 3..${LZX_MAX_MATCH}, not ${o.niceLen}`);
    this.passes = o.passes;
    this.niceLen = o.niceLen;
    this.mf = new LzxMatchFinder({ maxDepth: o.maxDepth, niceLen: o.niceLen });
  }

  /**
   * Compresses one chunk (≤ 32768 bytes). Returns a new array holding the LZX stream, or null
   * when it would not be smaller than the input (the caller then stores the chunk raw).
   */
  compress(input: Uint8Array): Uint8Array | null {
    const n = input.length;
    if (n > LZX_WINDOW_SIZE) throw new UsageError('ELZX_CHUNK', `lzx: a chunk holds at most ${LZX_WINDOW_SIZE} bytes, not ${n}`);
    if (n === 0) return null;
    const data = this.data;
    data.set(input);
    const chunk = data.subarray(0, n);
    e8Encode(chunk);
    this.mf.findAll(chunk, n);
    this.initCosts(chunk);
    for (let pass = 0; pass < this.passes; pass++) {
      if (pass > 0) this.costsFromStats();
      this.parse(chunk, n);
      this.collectStats();
    }
    const size = this.writeBlock(chunk, n);
    return size > 0 && size < n ? this.out.slice(0, size) : null;
  }

  /** First-pass prices: literals by their frequency in the chunk, match symbols by guess. */
  private initCosts(chunk: Uint8Array): void {
    const hist = new Uint32Array(LZX_NUM_CHARS);
    for (let i = 0; i < chunk.length; i++) hist[chunk[i]!]!++;
    for (let c = 0; c < LZX_NUM_CHARS; c++) {
      const f = hist[c]!;
      this.mainCost[c] = f === 0 ? UNUSED_MAIN_COST : Math.min(UNUSED_MAIN_COST, Math.max(1, Math.round(Math.log2(chunk.length / f))));
    }
    for (let s = LZX_NUM_CHARS; s < LZX_MAIN_SYMBOLS; s++) {
      const slot = ((s - LZX_NUM_CHARS) / LZX_NUM_LEN_HEADERS) | 0;
      this.mainCost[s] = slot < NUM_REPEATS ? INIT_REPEAT_SYM_COST : INIT_MATCH_SYM_COST;
    }
    this.lengthCost.fill(INIT_LENGTH_SYM_COST);
    this.alignedCost.fill(INIT_ALIGNED_COST);
    this.useAlignedCost = false;
  }

  /** Later-pass prices: the code lengths the previous parse's statistics give. */
  private costsFromStats(): void {
    const main = buildCodeLengths(this.mainFreq, LZX_MAIN_SYMBOLS, MAIN_MAX_LEN);
    for (let s = 0; s < LZX_MAIN_SYMBOLS; s++) this.mainCost[s] = main[s] || UNUSED_MAIN_COST;
    const len = buildCodeLengths(this.lengthFreq, LZX_LENGTH_SYMBOLS, LENGTH_MAX_LEN);
    for (let s = 0; s < LZX_LENGTH_SYMBOLS; s++) this.lengthCost[s] = len[s] || UNUSED_LENGTH_COST;
    const al = buildCodeLengths(this.alignedFreq, LZX_ALIGNED_SYMBOLS, LZX_MAX_ALIGNED_LEN);
    let alignedBits = 0;
    let verbatimBits = 0;
    for (let s = 0; s < LZX_ALIGNED_SYMBOLS; s++) {
      this.alignedCost[s] = al[s] || LZX_MAX_ALIGNED_LEN;
      alignedBits += this.alignedFreq[s]! * al[s]!;
      verbatimBits += this.alignedFreq[s]! * LZX_ALIGNED_OFFSET_BITS;
    }
    this.useAlignedCost = alignedBits + LZX_ALIGNED_SYMBOLS * LZX_ALIGNED_LEN_BITS < verbatimBits;
  }

  /** Forward minimum-cost parse over the cached matches; leaves the item list in seq*. */
  private parse(chunk: Uint8Array, n: number): void {
    const { cost, itemLen, itemOff, q0, q1, q2, mainCost, lengthCost, alignedCost } = this;
    const { start: mStart, len: mLen, off: mOff } = this.mf;
    const useAligned = this.useAlignedCost;
    const nice = this.niceLen;
    cost.fill(INFINITE, 1, n + 1);
    cost[0] = 0;
    q0[0] = 1;
    q1[0] = 1;
    q2[0] = 1;
    for (let i = 0; i < n; i++) {
      const base = cost[i]!;
      const r0 = q0[i]!;
      const r1 = q1[i]!;
      const r2 = q2[i]!;
      // Literal
      let c = base + mainCost[chunk[i]!]!;
      if (c < cost[i + 1]!) {
        cost[i + 1] = c;
        itemLen[i + 1] = 1;
        itemOff[i + 1] = ITEM_LITERAL;
        q0[i + 1] = r0;
        q1[i + 1] = r1;
        q2[i + 1] = r2;
      }
      const maxLen = Math.min(LZX_MAX_MATCH, n - i);
      if (maxLen < LZX_MIN_MATCH) continue;
      // Repeat offsets: every length up to the longest (cheap symbols, no extra bits)
      let longestRepeat = 0;
      for (let k = 0; k < NUM_REPEATS; k++) {
        const off = k === 0 ? r0 : k === 1 ? r1 : r2;
        if (off > i) continue;
        if (k > 0 && (off === r0 || (k === 2 && off === r1))) continue;
        let l = 0;
        const src = i - off;
        while (l < maxLen && chunk[src + l] === chunk[i + l]) l++;
        if (l < MIN_REPEAT_MATCH) continue;
        if (l > longestRepeat) longestRepeat = l;
        const symBase = LZX_NUM_CHARS + k * LZX_NUM_LEN_HEADERS;
        // Long repeat matches: only the full length is worth trying
        for (let len = l >= nice ? l : MIN_REPEAT_MATCH; len <= l; len++) {
          const hdr = len - LZX_MIN_MATCH;
          c = hdr < LZX_NUM_PRIMARY_LENS
            ? base + mainCost[symBase + hdr]!
            : base + mainCost[symBase + LZX_NUM_PRIMARY_LENS]! + lengthCost[hdr - LZX_NUM_PRIMARY_LENS]!;
          const j = i + len;
          if (c < cost[j]!) {
            cost[j] = c;
            itemLen[j] = len;
            itemOff[j] = k;
            if (k === 0) { q0[j] = r0; q1[j] = r1; q2[j] = r2; }
            else if (k === 1) { q0[j] = r1; q1[j] = r0; q2[j] = r2; }
            else { q0[j] = r2; q1[j] = r1; q2[j] = r0; }
          }
        }
      }
      // Explicit offsets from the match finder, shortest first; a long repeat makes them moot
      if (longestRepeat >= nice) continue;
      let prevLen = LZX_MIN_MATCH;
      for (let m = mStart[i]!, mEnd = mStart[i + 1]!; m < mEnd; m++) {
        const mlen = mLen[m]!;
        const off = mOff[m]!;
        if (off === r0 || off === r1 || off === r2) { prevLen = mlen; continue; }
        const f = off + LZX_OFFSET_ADJUSTMENT;
        const slot = offsetSlot(f);
        const extra = LZX_SLOT_EXTRA_BITS[slot]!;
        const offCost = base + (useAligned && extra >= LZX_ALIGNED_OFFSET_BITS
          ? extra - LZX_ALIGNED_OFFSET_BITS + alignedCost[f & 7]!
          : extra);
        const symBase = LZX_NUM_CHARS + slot * LZX_NUM_LEN_HEADERS;
        for (let len = mlen >= nice ? mlen : prevLen + 1; len <= mlen; len++) {
          const hdr = len - LZX_MIN_MATCH;
          c = hdr < LZX_NUM_PRIMARY_LENS
            ? offCost + mainCost[symBase + hdr]!
            : offCost + mainCost[symBase + LZX_NUM_PRIMARY_LENS]! + lengthCost[hdr - LZX_NUM_PRIMARY_LENS]!;
          const j = i + len;
          if (c < cost[j]!) {
            cost[j] = c;
            itemLen[j] = len;
            itemOff[j] = f;
            q0[j] = off;
            q1[j] = r0;
            q2[j] = r1;
          }
        }
        prevLen = mlen;
      }
    }
    // Walk back from the end, then store the items in order.
    let count = 0;
    for (let j = n; j > 0; j -= itemLen[j]!) count++;
    this.seqCount = count;
    for (let j = n, k = count - 1; j > 0; j -= itemLen[j]!, k--) {
      this.seqLen[k] = itemLen[j]!;
      this.seqOff[k] = itemOff[j]!;
    }
  }

  /** Symbol frequencies of the chosen parse. */
  private collectStats(): void {
    const { mainFreq, lengthFreq, alignedFreq, seqLen, seqOff } = this;
    mainFreq.fill(0);
    lengthFreq.fill(0);
    alignedFreq.fill(0);
    const chunk = this.data;
    let pos = 0;
    for (let k = 0; k < this.seqCount; k++) {
      const len = seqLen[k]!;
      const off = seqOff[k]!;
      if (off === ITEM_LITERAL) {
        mainFreq[chunk[pos]!]!++;
      } else {
        const slot = off < NUM_REPEATS ? off : offsetSlot(off);
        const hdr = len - LZX_MIN_MATCH;
        if (hdr < LZX_NUM_PRIMARY_LENS) {
          mainFreq[LZX_NUM_CHARS + slot * LZX_NUM_LEN_HEADERS + hdr]!++;
        } else {
          mainFreq[LZX_NUM_CHARS + slot * LZX_NUM_LEN_HEADERS + LZX_NUM_PRIMARY_LENS]!++;
          lengthFreq[hdr - LZX_NUM_PRIMARY_LENS]!++;
        }
        if (off >= NUM_REPEATS && LZX_SLOT_EXTRA_BITS[slot]! >= LZX_ALIGNED_OFFSET_BITS) alignedFreq[off & 7]!++;
      }
      pos += len;
    }
  }

  /** Writes the parse as one block; returns the stream size (0 if it overflowed the scratch). */
  private writeBlock(chunk: Uint8Array, n: number): number {
    const mainLens = buildCodeLengths(this.mainFreq, LZX_MAIN_SYMBOLS, MAIN_MAX_LEN);
    const lengthLens = buildCodeLengths(this.lengthFreq, LZX_LENGTH_SYMBOLS, LENGTH_MAX_LEN);
    const alignedLens = buildCodeLengths(this.alignedFreq, LZX_ALIGNED_SYMBOLS, LZX_MAX_ALIGNED_LEN);
    // Aligned pays off when its code (header included) beats 3 verbatim bits per aligned offset
    let alignedBits = LZX_ALIGNED_SYMBOLS * LZX_ALIGNED_LEN_BITS;
    let verbatimBits = 0;
    for (let s = 0; s < LZX_ALIGNED_SYMBOLS; s++) {
      alignedBits += this.alignedFreq[s]! * alignedLens[s]!;
      verbatimBits += this.alignedFreq[s]! * LZX_ALIGNED_OFFSET_BITS;
    }
    const aligned = verbatimBits > 0 && alignedBits < verbatimBits;

    const w = new BitWriter(this.out);
    w.writeBits(aligned ? LZX_BLOCK_ALIGNED : LZX_BLOCK_VERBATIM, LZX_BLOCK_TYPE_BITS);
    if (n === LZX_DEFAULT_BLOCK_SIZE) {
      w.writeBits(1, 1);
    } else {
      w.writeBits(0, 1);
      w.writeBits(n, LZX_BLOCK_SIZE_BITS);
    }
    if (aligned) for (let s = 0; s < LZX_ALIGNED_SYMBOLS; s++) w.writeBits(alignedLens[s]!, LZX_ALIGNED_LEN_BITS);
    // One block per chunk: the "previous" lengths are the all-zero start state.
    const zeros = new Uint8Array(LZX_MAIN_SYMBOLS);
    writeLens(w, mainLens, zeros, 0, LZX_NUM_CHARS);
    writeLens(w, mainLens, zeros, LZX_NUM_CHARS, LZX_MAIN_SYMBOLS);
    writeLens(w, lengthLens, zeros, 0, LZX_LENGTH_SYMBOLS);

    const mainCw = canonicalCodewords(mainLens, LZX_MAIN_SYMBOLS);
    const lengthCw = canonicalCodewords(lengthLens, LZX_LENGTH_SYMBOLS);
    const alignedCw = canonicalCodewords(alignedLens, LZX_ALIGNED_SYMBOLS);
    const { seqLen, seqOff } = this;
    let pos = 0;
    for (let k = 0; k < this.seqCount; k++) {
      const len = seqLen[k]!;
      const off = seqOff[k]!;
      if (off === ITEM_LITERAL) {
        const c = chunk[pos]!;
        w.writeBits(mainCw[c]!, mainLens[c]!);
        pos++;
        continue;
      }
      pos += len;
      const slot = off < NUM_REPEATS ? off : offsetSlot(off);
      const hdr = len - LZX_MIN_MATCH;
      const sym = LZX_NUM_CHARS + slot * LZX_NUM_LEN_HEADERS + Math.min(hdr, LZX_NUM_PRIMARY_LENS);
      w.writeBits(mainCw[sym]!, mainLens[sym]!);
      if (hdr >= LZX_NUM_PRIMARY_LENS) {
        const ls = hdr - LZX_NUM_PRIMARY_LENS;
        w.writeBits(lengthCw[ls]!, lengthLens[ls]!);
      }
      if (off < NUM_REPEATS) continue;
      const extra = LZX_SLOT_EXTRA_BITS[slot]!;
      const v = off - LZX_SLOT_BASE[slot]!;
      if (aligned && extra >= LZX_ALIGNED_OFFSET_BITS) {
        w.writeBits(v >>> LZX_ALIGNED_OFFSET_BITS, extra - LZX_ALIGNED_OFFSET_BITS);
        const a = v & 7;
        w.writeBits(alignedCw[a]!, alignedLens[a]!);
      } else {
        w.writeBits(v, extra);
      }
    }
    return w.finish();
  }
}

/**
 * Writes code lengths [from, to) of `lens` delta-coded against `prev` through a precode: the 20
 * precode lengths first (4 bits each), then the precode items with their extra bits.
 */
function writeLens(w: BitWriter, lens: Uint8Array, prev: Uint8Array, from: number, to: number): void {
  // Items: precode symbol, extra value, extra bit count, and for "same" runs the delta symbol.
  const count = to - from;
  const sym = new Uint8Array(count);
  const extra = new Uint8Array(count);
  const delta = new Uint8Array(count);
  let items = 0;
  const freq = new Uint32Array(LZX_PRECODE_SYMBOLS);
  const deltaOf = (i: number): number => (prev[i]! - lens[i]! + LEN_MODULUS) % LEN_MODULUS;
  let i = from;
  while (i < to) {
    const v = lens[i]!;
    let run = 1;
    while (i + run < to && lens[i + run] === v) run++;
    if (v === 0 && run >= ZEROS_SHORT_MIN) {
      while (run >= ZEROS_SHORT_MIN) {
        const r = run >= ZEROS_LONG_MIN ? Math.min(run, ZEROS_LONG_MAX) : Math.min(run, ZEROS_SHORT_MAX);
        sym[items] = r >= ZEROS_LONG_MIN ? LZX_PRE_ZEROS_LONG : LZX_PRE_ZEROS_SHORT;
        extra[items] = r - (r >= ZEROS_LONG_MIN ? ZEROS_LONG_MIN : ZEROS_SHORT_MIN);
        freq[sym[items]!]!++;
        items++;
        i += r;
        run -= r;
      }
    } else if (v !== 0 && run >= SAME_MIN) {
      // Decoders differ on whether a run's delta applies to its first old length or each one's,
      // so runs are used only where the old lengths agree too.
      while (run >= SAME_MIN) {
        const r = Math.min(run, SAME_MAX);
        let uniform = true;
        for (let k = 1; k < r; k++) if (prev[i + k] !== prev[i]) uniform = false;
        if (!uniform) break;
        sym[items] = LZX_PRE_SAME;
        extra[items] = r - SAME_MIN;
        delta[items] = deltaOf(i);
        freq[LZX_PRE_SAME]!++;
        freq[delta[items]!]!++;
        items++;
        i += r;
        run -= r;
      }
    }
    for (; run > 0; run--, i++) {
      sym[items] = deltaOf(i);
      freq[sym[items]!]!++;
      items++;
    }
  }
  const preLens = buildCodeLengths(freq, LZX_PRECODE_SYMBOLS, PRECODE_MAX_LEN);
  const preCw = canonicalCodewords(preLens, LZX_PRECODE_SYMBOLS);
  for (let s = 0; s < LZX_PRECODE_SYMBOLS; s++) w.writeBits(preLens[s]!, LZX_PRECODE_LEN_BITS);
  for (let k = 0; k < items; k++) {
    const s = sym[k]!;
    w.writeBits(preCw[s]!, preLens[s]!);
    if (s === LZX_PRE_ZEROS_SHORT) w.writeBits(extra[k]!, ZEROS_SHORT_BITS);
    else if (s === LZX_PRE_ZEROS_LONG) w.writeBits(extra[k]!, ZEROS_LONG_BITS);
    else if (s === LZX_PRE_SAME) {
      w.writeBits(extra[k]!, SAME_BITS);
      const d = delta[k]!;
      w.writeBits(preCw[d]!, preLens[d]!);
    }
  }
}

/** A compressor for a worker thread to keep (its buffers are reused chunk after chunk). */
export function createLzxCompressor(options?: LzxCompressorOptions): LzxCompressor {
  return new LzxCompressor(options);
}

let shared: LzxCompressor | undefined;

/**
 * Compresses one WIM chunk (≤ 32768 bytes) with LZX; null when the result would not be smaller
 * than the input, so the caller stores the chunk raw.
 */
export function lzxCompress(input: Uint8Array): Uint8Array | null {
  shared ??= new LzxCompressor();
  return shared.compress(input);
}
