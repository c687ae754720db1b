// LZX compression of one WIM chunk (research wim-format.md §1.13). The chunk is E8-translated,
// every match is found once (hash-chain all-matches finder), a greedy parse gives first symbol
// statistics, then a near-optimal parse runs (a forward minimum-cost pass over all literal /
// repeat-offset / explicit-offset choices, pricing symbols by the code lengths the previous parse
// would get). The parse is written as verbatim or aligned blocks, whichever is smaller per block.
import { UsageError } from '../../errors.js';
import { BitWriter } from './bitstream.js';
import { buildCodeLengths, canonicalCodewords } from './huffman.js';
import {
  LZX_ALIGNED_LEN_BITS, LZX_ALIGNED_OFFSET_BITS, LZX_ALIGNED_SYMBOLS, LZX_BLOCK_ALIGNED, LZX_BLOCK_SIZE_BITS,
  LZX_BLOCK_TYPE_BITS, LZX_BLOCK_VERBATIM, LZX_DEFAULT_BLOCK_SIZE, LZX_LENGTH_SYMBOLS, LZX_MAIN_SYMBOLS,
  LZX_MAX_ALIGNED_LEN, LZX_MAX_MATCH, LZX_MIN_MATCH, LZX_NUM_CHARS, LZX_NUM_LEN_HEADERS, LZX_NUM_OFFSET_SLOTS, LZX_NUM_PRIMARY_LENS,
  LZX_OFFSET_ADJUSTMENT, LZX_PRE_SAME, LZX_PRE_ZEROS_LONG, LZX_PRE_ZEROS_SHORT, LZX_PRECODE_LEN_BITS,
  LZX_PRECODE_SYMBOLS, LZX_SLOT_BASE, LZX_SLOT_EXTRA_BITS, LZX_WINDOW_SIZE, offsetSlot,
} from './lzx-constants.js';
import { e8Encode } from './lzx-e8.js';
import { LZX_MF_MIN_MATCH, LzxMatchFinder, matchLength } from './lzx-match-finder.js';

/**
 * Code length limits of our encoder: the format allows 16 (main, length), 7 (aligned) and 15
 * (precode); we stay within what wimlib has always written (16/12/7/7), which Windows reads.
 */
const MAIN_MAX_LEN = 16;
const LENGTH_MAX_LEN = 12;
const PRECODE_MAX_LEN = 7;
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
/** Repeat-offset matches may be as short as the format allows: they carry no offset bits. */
const MIN_REPEAT_MATCH = LZX_MIN_MATCH;
/** Price of a symbol the previous pass did not use (it would get a long codeword if it were). */
const UNUSED_MAIN_COST = 10;
const UNUSED_LENGTH_COST = 7;
const INFINITE = 0x3fffffff;
/** Block header of a literal-only block, about: type, size, three delta-coded length tables. */
const LITERAL_ONLY_HEADER_BITS = 400;
/** Repeat-offset codes 0..2 in the item list; explicit offsets are stored formatted (≥ 3). */
const NUM_REPEATS = 3;
const ITEM_LITERAL = -1;
const MATCH_COST_ROW = LZX_MAX_MATCH + 1;
/** Parse-graph items pack the offset code above a 9-bit length (2..257; 1 = literal). */
const ITEM_SHIFT = 9;
const ITEM_LEN_MASK = (1 << ITEM_SHIFT) - 1;

export interface LzxCompressorOptions {
  /** Optimal-parse passes (≥ 1): the first prices symbols by a greedy parse's statistics, each later one by the previous parse's. */
  passes?: number;
  /** Hash-chain candidates the match finder examines per position. */
  maxDepth?: number;
  /** Matches at least this long end the search and are taken whole by the parser. */
  niceLen?: number;
  /** After an explicit match this long, the match finder skips the next length/2 positions. */
  skipLen?: number;
  /** Bytes per block (each block has its own Huffman codes); one block per chunk by default. */
  maxBlockSize?: number;
}

const DEFAULTS: Required<LzxCompressorOptions> = { passes: 1, maxDepth: 8, niceLen: 32, skipLen: 12, maxBlockSize: LZX_WINDOW_SIZE };

/** A reusable LZX compressor (one per worker thread): all working memory is allocated once. */
export class LzxCompressor {
  private readonly passes: number;
  private readonly niceLen: number;
  private readonly maxBlockSize: number;
  private readonly mf: LzxMatchFinder;
  private readonly data = new Uint8Array(LZX_WINDOW_SIZE);
  // Parse graph: node i = "first i bytes coded"; each node keeps its best cost, the item that
  // reached it and the recent-offset queue after that item.
  private readonly cost = new Int32Array(LZX_WINDOW_SIZE + 1);
  /** The item that reached each node: offset code << ITEM_SHIFT | length (length 1 = literal). */
  private readonly item = new Int32Array(LZX_WINDOW_SIZE + 1);
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
  /** matchCost[slot * MATCH_COST_ROW + len]: main (+ length) symbol price of a match. */
  private readonly matchCost = new Int32Array(LZX_NUM_OFFSET_SLOTS * MATCH_COST_ROW);
  private useAlignedCost = false;
  // Statistics of the chosen parse.
  private readonly mainFreq = new Uint32Array(LZX_MAIN_SYMBOLS);
  private readonly lengthFreq = new Uint32Array(LZX_LENGTH_SYMBOLS);
  private readonly alignedFreq = new Uint32Array(LZX_ALIGNED_SYMBOLS);
  private readonly litHist = new Uint32Array(LZX_NUM_CHARS);
  /** Output scratch: only streams smaller than the chunk are kept. */
  private readonly out = new Uint8Array(LZX_WINDOW_SIZE);

  constructor(options: LzxCompressorOptions = {}) {
    const o = { ...DEFAULTS, ...options };
    if (!Number.isInteger(o.passes) || o.passes < 1 || o.passes > 8) throw new UsageError('ELZX_OPTIONS', `lzx: passes must be 1..8, not ${o.passes}`);
    if (!Number.isInteger(o.maxDepth) || o.maxDepth < 1 || o.maxDepth > 1024) throw new UsageError('ELZX_OPTIONS', `lzx: maxDepth must be 1..1024, not ${o.maxDepth}`);
    if (!Number.isInteger(o.niceLen) || o.niceLen < 3 || o.niceLen > LZX_MAX_MATCH) throw new UsageError('ELZX_OPTIONS', `lzx: niceLen must be 3..${LZX_MAX_MATCH}, not ${o.niceLen}`);
    if (!Number.isInteger(o.skipLen) || o.skipLen < 3) throw new UsageError('ELZX_OPTIONS', `lzx: skipLen must be an integer ≥ 3, not ${o.skipLen}`);
    if (!Number.isInteger(o.maxBlockSize) || o.maxBlockSize < 1 || o.maxBlockSize > LZX_WINDOW_SIZE) throw new UsageError('ELZX_OPTIONS', `lzx: maxBlockSize must be 1..${LZX_WINDOW_SIZE}, not ${o.maxBlockSize}`);
    this.passes = o.passes;
    this.maxBlockSize = o.maxBlockSize;
    this.niceLen = o.niceLen;
    this.mf = new LzxMatchFinder({ maxDepth: o.maxDepth, niceLen: o.niceLen, skipLen: o.skipLen });
  }

  /**
   * Compresses one chunk (≤ 32768 bytes). Returns a new array holding the LZX stream, or null
   * when it would not be smaller than the input (the caller then stores the chunk raw).
   */
  compress(input: Uint8Array): Uint8Array | null {
    const size = this.compressToScratch(input);
    return size > 0 ? this.out.slice(0, size) : null;
  }

  /**
   * Compresses one chunk into the start of `out`; its size, or 0 when the stream would not be
   * smaller than the input (or not fit in `out`): the chunk is then stored raw.
   */
  compressInto(input: Uint8Array, out: Uint8Array): number {
    const size = this.compressToScratch(input);
    if (size === 0 || size > out.length) return 0;
    out.set(this.out.subarray(0, size));
    return size;
  }

  /** The stream's size in this.out, or 0 when it is not smaller than the input. */
  private compressToScratch(input: Uint8Array): number {
    const n = input.length;
    if (n > LZX_WINDOW_SIZE) throw new UsageError('ELZX_CHUNK', `lzx: a chunk holds at most ${LZX_WINDOW_SIZE} bytes, not ${n}`);
    if (n === 0) return 0;
    const data = this.data;
    data.set(input);
    const chunk = data.subarray(0, n);
    e8Encode(chunk);
    this.mf.findAll(chunk, n);
    // Prices for the optimal parse come from a greedy parse's statistics, then from each parse's.
    this.greedyParse(n);
    this.collectStats();
    for (let pass = 0; pass < this.passes; pass++) {
      this.costsFromStats();
      this.parse(chunk, n);
      if (pass + 1 < this.passes) this.collectStats(); // the last parse's go per block
    }
    let size = this.writeBlocks(chunk, n);
    if (this.literalOnlyBytes(chunk) < (size || n)) size = this.tryLiteralsOnly(chunk, n, size);
    return size > 0 && size < n ? size : 0;
  }

  /**
   * Estimated size of the chunk as literals only. On low-entropy noise (few symbols, no real
   * repetition) matches never pay, yet the greedy statistics lure the parse into them.
   */
  private literalOnlyBytes(chunk: Uint8Array): number {
    const hist = this.litHist;
    hist.fill(0);
    for (let i = 0; i < chunk.length; i++) hist[chunk[i]!]!++;
    const lens = buildCodeLengths(hist, LZX_NUM_CHARS, MAIN_MAX_LEN);
    let bits = LITERAL_ONLY_HEADER_BITS;
    for (let c = 0; c < LZX_NUM_CHARS; c++) bits += hist[c]! * lens[c]!;
    return Math.ceil(bits / 8);
  }

  /** Writes the chunk as literals only; keeps the earlier stream (`size` bytes) if that is smaller. */
  private tryLiteralsOnly(chunk: Uint8Array, n: number, size: number): number {
    const earlier = this.out.slice(0, size);
    this.seqLen.fill(1, 0, n);
    this.seqOff.fill(ITEM_LITERAL, 0, n);
    this.seqCount = n;
    const literal = this.writeBlocks(chunk, n);
    if (literal > 0 && (size === 0 || literal < size)) return literal;
    this.out.set(earlier);
    return size;
  }

  /** Prices for the next parse: the code lengths the current statistics would get. */
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

  /** Price of (slot, length) for every slot and length: main symbol plus length symbol. */
  private buildMatchCosts(): void {
    const { mainCost, lengthCost, matchCost } = this;
    for (let slot = 0; slot < LZX_NUM_OFFSET_SLOTS; slot++) {
      const symBase = LZX_NUM_CHARS + slot * LZX_NUM_LEN_HEADERS;
      const row = slot * MATCH_COST_ROW;
      for (let len = LZX_MIN_MATCH; len <= LZX_MAX_MATCH; len++) {
        const hdr = len - LZX_MIN_MATCH;
        matchCost[row + len] = hdr < LZX_NUM_PRIMARY_LENS
          ? mainCost[symBase + hdr]!
          : mainCost[symBase + LZX_NUM_PRIMARY_LENS]! + lengthCost[hdr - LZX_NUM_PRIMARY_LENS]!;
      }
    }
  }

  /**
   * Cheap first parse for statistics only: at each position the longest of the R0 match and the
   * longest cached match (the repeat when it is nearly as long), else a literal.
   */
  private greedyParse(n: number): void {
    const { start: mStart, len: mLen, off: mOff } = this.mf;
    let r0 = 1;
    let r1 = 1;
    let r2 = 1;
    let count = 0;
    for (let i = 0; i < n; ) {
      const maxLen = Math.min(LZX_MAX_MATCH, n - i);
      const repLen = r0 <= i ? matchLength(this.mf.words, i - r0, i, 0, maxLen) : 0;
      const mEnd = mStart[i + 1]!;
      const exLen = mEnd > mStart[i]! ? mLen[mEnd - 1]! : 0;
      // One step of lazy evaluation: a clearly longer match at i + 1 wins over this one
      const nextEnd = i + 1 < n ? mStart[i + 2]! : 0;
      const nextLen = nextEnd > mEnd ? mLen[nextEnd - 1]! : 0;
      if (repLen >= LZX_MIN_MATCH + 1 && repLen + 1 >= exLen) {
        this.seqLen[count] = repLen;
        this.seqOff[count++] = 0;
        i += repLen;
      } else if (exLen >= LZX_MF_MIN_MATCH && nextLen <= exLen + 1) {
        const off = mOff[mEnd - 1]!;
        this.seqLen[count] = exLen;
        if (off === r1) { this.seqOff[count++] = 1; r1 = r0; r0 = off; }
        else if (off === r2) { this.seqOff[count++] = 2; r2 = r0; r0 = off; }
        else { this.seqOff[count++] = off + LZX_OFFSET_ADJUSTMENT; r2 = r1; r1 = r0; r0 = off; }
        i += exLen;
      } else {
        this.seqLen[count] = 1;
        this.seqOff[count++] = ITEM_LITERAL;
        i++;
      }
    }
    this.seqCount = count;
  }

  /** Forward minimum-cost parse over the cached matches; leaves the item list in seq*. */
  private parse(chunk: Uint8Array, n: number): void {
    const { cost, item, q0, q1, q2, mainCost, alignedCost, matchCost } = this;
    const { start: mStart, len: mLen, off: mOff, words } = this.mf;
    const useAligned = this.useAlignedCost;
    const nice = this.niceLen;
    this.buildMatchCosts();
    cost.fill(INFINITE, 1, n + 1);
    cost[0] = 0;
    q0[0] = 1;
    q1[0] = 1;
    q2[0] = 1;
    for (let i = 0; i < n; i++) {
      const base = cost[i]!;
      // This node's recent offsets follow from its predecessor's and the item that reached it
      // (computed once here rather than stored at every relaxation)
      let r0 = 1;
      let r1 = 1;
      let r2 = 1;
      if (i > 0) {
        const it = item[i]!;
        const len = it & ITEM_LEN_MASK;
        const code = it >>> ITEM_SHIFT;
        const p = i - len;
        r0 = q0[p]!;
        r1 = q1[p]!;
        r2 = q2[p]!;
        if (len > 1) {
          if (code === 1) { const t = r0; r0 = r1; r1 = t; }
          else if (code === 2) { const t = r0; r0 = r2; r2 = t; }
          else if (code >= NUM_REPEATS) { r2 = r1; r1 = r0; r0 = code - LZX_OFFSET_ADJUSTMENT; }
        }
      }
      q0[i] = r0;
      q1[i] = r1;
      q2[i] = r2;
      // Literal
      let c = base + mainCost[chunk[i]!]!;
      if (c < cost[i + 1]!) {
        cost[i + 1] = c;
        item[i + 1] = 1;
      }
      const maxLen = Math.min(LZX_MAX_MATCH, n - i);
      if (maxLen < LZX_MIN_MATCH) continue;
      // Repeat offsets: every length up to the longest (cheap symbols, no extra bits)
      let longestRepeat = 0;
      let longestRepeatK = 0;
      for (let k = 0; k < NUM_REPEATS; k++) {
        const off = k === 0 ? r0 : k === 1 ? r1 : r2;
        if (off > i) continue;
        if (k > 0 && (off === r0 || (k === 2 && off === r1))) continue;
        const src = i - off;
        if (((words[src]! ^ words[i]!) & 0xffff) !== 0) continue; // first 2 bytes differ
        const l = matchLength(words, src, i, LZX_MIN_MATCH, maxLen);
        if (l > longestRepeat) { longestRepeat = l; longestRepeatK = k; }
        if (l >= nice) continue; // taken whole below
        const row = k * MATCH_COST_ROW;
        const code = k << ITEM_SHIFT;
        for (let len = MIN_REPEAT_MATCH; len <= l; len++) {
          c = base + matchCost[row + len]!;
          const j = i + len;
          if (c < cost[j]!) {
            cost[j] = c;
            item[j] = code | len;
          }
        }
      }
      const mFirst = mStart[i]!;
      const mEnd = mStart[i + 1]!;
      const longestExplicit = mEnd > mFirst ? mLen[mEnd - 1]! : 0;
      // A long match is taken whole and the positions it covers are not expanded (a repeat
      // when it is about as long: it costs no offset bits)
      if (longestRepeat >= nice && longestRepeat + 1 >= longestExplicit) {
        const j = i + longestRepeat;
        c = base + matchCost[longestRepeatK * MATCH_COST_ROW + longestRepeat]!;
        if (c < cost[j]!) {
          cost[j] = c;
          item[j] = (longestRepeatK << ITEM_SHIFT) | longestRepeat;
        }
        i = j - 1;
        continue;
      }
      // Explicit offsets from the match finder, shortest first
      let prevLen = LZX_MIN_MATCH;
      for (let m = mFirst; m < mEnd; m++) {
        const mlen = mLen[m]!;
        const off = mOff[m]!;
        if (off === r0 || off === r1 || off === r2) { prevLen = mlen; continue; }
        const f = off + LZX_OFFSET_ADJUSTMENT;
        const slot = offsetSlot(f);
        const extra = LZX_SLOT_EXTRA_BITS[slot]!;
        const offCost = base + (useAligned && extra >= LZX_ALIGNED_OFFSET_BITS
          ? extra - LZX_ALIGNED_OFFSET_BITS + alignedCost[f & 7]!
          : extra);
        const row = slot * MATCH_COST_ROW;
        const code = f << ITEM_SHIFT;
        for (let len = mlen >= nice ? mlen : prevLen + 1; len <= mlen; len++) {
          c = offCost + matchCost[row + len]!;
          const j = i + len;
          if (c < cost[j]!) {
            cost[j] = c;
            item[j] = code | len;
          }
        }
        prevLen = mlen;
      }
      if (longestExplicit >= nice) i += longestExplicit - 1;
    }
    // Walk back from the end, then store the items in order.
    let count = 0;
    for (let j = n; j > 0; j -= item[j]! & ITEM_LEN_MASK) count++;
    this.seqCount = count;
    for (let j = n, k = count - 1; j > 0; k--) {
      const len = item[j]! & ITEM_LEN_MASK;
      this.seqLen[k] = len;
      this.seqOff[k] = len === 1 ? ITEM_LITERAL : item[j]! >>> ITEM_SHIFT;
      j -= len;
    }
  }

  /** Symbol frequencies of items [from, to) of the chosen parse, which start at byte `pos`. */
  private collectStats(from = 0, to = this.seqCount, pos = 0): void {
    const { mainFreq, lengthFreq, alignedFreq, seqLen, seqOff } = this;
    mainFreq.fill(0);
    lengthFreq.fill(0);
    alignedFreq.fill(0);
    const chunk = this.data;
    for (let k = from; k < to; k++) {
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

  /**
   * Writes the parse as blocks of about maxBlockSize bytes (split at item boundaries), each with
   * its own codes, its lengths delta-coded against the previous block's. Returns the stream size
   * (0 if it overflowed the scratch).
   */
  private writeBlocks(chunk: Uint8Array, n: number): number {
    // Output reaching the input size is useless (the chunk is stored raw): the writer stops there
    const w = new BitWriter(this.out, 0, n);
    const prevMain = new Uint8Array(LZX_MAIN_SYMBOLS);
    const prevLength = new Uint8Array(LZX_LENGTH_SYMBOLS);
    let k = 0;
    let pos = 0;
    while (pos < n) {
      const first = k;
      const blockStart = pos;
      while (k < this.seqCount && (k === first || pos - blockStart + this.seqLen[k]! <= this.maxBlockSize)) pos += this.seqLen[k++]!;
      this.collectStats(first, k, blockStart);
      this.writeBlock(w, chunk, first, k, blockStart, pos - blockStart, prevMain, prevLength);
    }
    return w.finish();
  }

  /** One verbatim or aligned block: items [first, end) covering `size` bytes from `pos`. */
  private writeBlock(w: BitWriter, chunk: Uint8Array, first: number, end: number, pos: number, size: number,
    prevMain: Uint8Array, prevLength: Uint8Array): void {
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

    w.writeBits(aligned ? LZX_BLOCK_ALIGNED : LZX_BLOCK_VERBATIM, LZX_BLOCK_TYPE_BITS);
    if (size === LZX_DEFAULT_BLOCK_SIZE) {
      w.writeBits(1, 1);
    } else {
      w.writeBits(0, 1);
      w.writeBits(size, LZX_BLOCK_SIZE_BITS);
    }
    if (aligned) for (let s = 0; s < LZX_ALIGNED_SYMBOLS; s++) w.writeBits(alignedLens[s]!, LZX_ALIGNED_LEN_BITS);
    writeLens(w, mainLens, prevMain, 0, LZX_NUM_CHARS);
    writeLens(w, mainLens, prevMain, LZX_NUM_CHARS, LZX_MAIN_SYMBOLS);
    writeLens(w, lengthLens, prevLength, 0, LZX_LENGTH_SYMBOLS);
    prevMain.set(mainLens);
    prevLength.set(lengthLens);

    const mainCw = canonicalCodewords(mainLens, LZX_MAIN_SYMBOLS);
    const lengthCw = canonicalCodewords(lengthLens, LZX_LENGTH_SYMBOLS);
    const alignedCw = canonicalCodewords(alignedLens, LZX_ALIGNED_SYMBOLS);
    const { seqLen, seqOff } = this;
    for (let k = first; k < end; k++) {
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

/** lzxCompress into the start of `out`: the stream's size, or 0 to store the chunk raw. */
export function lzxCompressInto(input: Uint8Array, out: Uint8Array): number {
  shared ??= new LzxCompressor();
  return shared.compressInto(input, out);
}
