// Canonical Huffman codes as XPRESS and LZX use them (research wim-format.md §1.11):
// codewords in (length, symbol) order, shorter first; a code is either complete (Kraft sum exactly
// 1) or empty (all lengths zero). Building lengths is length-limited; decoding is table driven.
import { FormatError } from '../../errors.js';

/** Longest codeword any of our codes uses (LZX main and length codes). */
export const HUFFMAN_MAX_LEN_LIMIT = 16;
/** Alphabets stay below this (the scratch arrays' size). */
const MAX_SYMBOLS = 4096;

/**
 * Working arrays for building codes and decode tables, made once per thread and reused: a codec
 * builds codes for every chunk, and allocating these typed arrays took half of a build's time.
 * The functions here never call each other while one holds them.
 */
interface Scratch {
  keys: Int32Array;
  otherKeys: Int32Array;
  radixCount: Int32Array;
  weight: Float64Array;
  parent: Int32Array;
  depth: Int32Array;
  /** Leaves per depth (code building) or codewords per length (decode tables, codewords). */
  count: Int32Array;
  next: Uint32Array;
  offsets: Uint32Array;
  sorted: Uint16Array;
}

let scratch: Scratch | undefined;

function getScratch(): Scratch {
  scratch ??= {
    keys: new Int32Array(MAX_SYMBOLS),
    otherKeys: new Int32Array(MAX_SYMBOLS),
    radixCount: new Int32Array(RADIX),
    weight: new Float64Array(2 * MAX_SYMBOLS),
    parent: new Int32Array(2 * MAX_SYMBOLS),
    depth: new Int32Array(2 * MAX_SYMBOLS),
    count: new Int32Array(MAX_SYMBOLS + 1),
    next: new Uint32Array(HUFFMAN_MAX_LEN_LIMIT + 1),
    offsets: new Uint32Array(HUFFMAN_MAX_LEN_LIMIT + 2),
    sorted: new Uint16Array(MAX_SYMBOLS),
  };
  return scratch;
}

/**
 * Code lengths for `freqs[0..numSymbols)`, none longer than `maxLen`, forming a complete code.
 * Unused symbols get length 0. One used symbol gets length 1 and a dummy partner (symbol 0, or 1
 * when the used one is 0) gets length 1 too, so the code stays complete; no used symbol gives all
 * zeros. `maxLen` must allow the used symbols (2^maxLen >= count). The lengths go into `into`
 * (at least numSymbols long; a hot caller reuses it) or a new array.
 */
export function buildCodeLengths(freqs: Uint32Array, numSymbols: number, maxLen: number, into?: Uint8Array): Uint8Array {
  if (numSymbols > MAX_SYMBOLS || numSymbols > freqs.length) throw new RangeError('buildCodeLengths: numSymbols out of range');
  if (into && into.length < numSymbols) throw new RangeError('buildCodeLengths: output array too short');
  const lengths = into ? into.subarray(0, numSymbols).fill(0) : new Uint8Array(numSymbols);
  const { weight, parent, depth, count } = getScratch();
  const n = usedSymbolsByFrequency(freqs, numSymbols);
  const sorted = getScratch().keys;
  if (n === 0) return lengths;
  if (n === 1) {
    const used = sorted[0]!;
    if (numSymbols < 2) throw new RangeError('buildCodeLengths: a one-symbol code needs two symbols');
    lengths[used] = 1;
    lengths[used === 0 ? 1 : 0] = 1;
    return lengths;
  }
  if (n > 2 ** maxLen) throw new RangeError('buildCodeLengths: maxLen too small for the alphabet');

  // Huffman tree by the two-queue method: leaves 0..n-1 (ascending weight), internal nodes
  // n..2n-2 created in non-decreasing weight order, so each queue stays sorted.
  const total = 2 * n - 1;
  for (let i = 0; i < n; i++) weight[i] = freqs[sorted[i]!]!;
  let leaf = 0;
  let inner = n;
  for (let next = n; next < total; next++) {
    let a: number;
    let b: number;
    if (leaf < n && (inner >= next || weight[leaf]! <= weight[inner]!)) a = leaf++; else a = inner++;
    if (leaf < n && (inner >= next || weight[leaf]! <= weight[inner]!)) b = leaf++; else b = inner++;
    weight[next] = weight[a]! + weight[b]!;
    parent[a] = next;
    parent[b] = next;
  }
  // Depths: parents have larger indices, so one backward pass suffices (root depth 0).
  depth[total - 1] = 0;
  count.fill(0, 0, n + 1); // leaves per depth; a depth never exceeds n-1
  let deepest = 0;
  for (let i = total - 2; i >= 0; i--) {
    const d = depth[parent[i]!]! + 1;
    depth[i] = d;
    if (i < n) {
      count[d]!++;
      if (d > deepest) deepest = d;
    }
  }

  // Length limit (the JPEG Annex K.3 adjustment): take two leaves from the deepest level i > max;
  // their parent becomes a leaf at i-1, and the other one pairs with a leaf moved down from the
  // deepest non-empty level j < i-1. The code stays complete at every step.
  for (let i = deepest; i > maxLen; i--) {
    while (count[i]! > 0) {
      let j = i - 2;
      while (count[j] === 0) j--;
      count[i]! -= 2;
      count[i - 1]!++;
      count[j + 1]! += 2;
      count[j]!--;
    }
  }

  // Most frequent symbols get the shortest codewords.
  let len = 1;
  for (let i = n - 1; i >= 0; i--) {
    while (count[len] === 0) len++;
    count[len]!--;
    lengths[sorted[i]!] = len;
  }
  return lengths;
}

/** Bits of the frequency sorted per radix pass. */
const RADIX_BITS = 8;
const RADIX = 1 << RADIX_BITS;

/**
 * Puts the used symbols, sorted by (frequency, symbol), in the scratch `keys`; returns how many.
 * A least-significant-digit radix sort on the frequency, a byte a pass (one or two for a chunk's
 * counts): stable, so equal frequencies keep symbol order. It is 3-4× faster than sorting packed
 * keys with TypedArray.prototype.sort.
 */
function usedSymbolsByFrequency(freqs: Uint32Array, numSymbols: number): number {
  const { keys, otherKeys, radixCount } = getScratch();
  let maxF = 0;
  let n = 0;
  for (let s = 0; s < numSymbols; s++) {
    const f = freqs[s]!;
    if (f !== 0) {
      keys[n++] = s;
      if (f > maxF) maxF = f;
    }
  }
  let from = keys;
  let to = otherKeys;
  for (let shift = 0; shift < 32 && maxF >>> shift !== 0; shift += RADIX_BITS) {
    radixCount.fill(0);
    for (let i = 0; i < n; i++) radixCount[(freqs[from[i]!]! >>> shift) & (RADIX - 1)]!++;
    let sum = 0;
    for (let b = 0; b < RADIX; b++) {
      const c = radixCount[b]!;
      radixCount[b] = sum;
      sum += c;
    }
    for (let i = 0; i < n; i++) {
      const sym = from[i]!;
      to[radixCount[(freqs[sym]! >>> shift) & (RADIX - 1)]!++] = sym;
    }
    const t = from;
    from = to;
    to = t;
  }
  if (from !== keys) keys.set(from.subarray(0, n));
  return n;
}

/**
 * Canonical codewords for `lengths` (bit values, MSB-first, `lengths[s]` bits wide; 0 if unused),
 * into `into` (at least numSymbols long; a hot caller reuses it) or a new array.
 */
export function canonicalCodewords(lengths: Uint8Array, numSymbols: number, into?: Uint32Array): Uint32Array {
  if (into && into.length < numSymbols) throw new RangeError('canonicalCodewords: output array too short');
  const count = countLengths(lengths, numSymbols, HUFFMAN_MAX_LEN_LIMIT, null);
  const next = firstCodewords(count, HUFFMAN_MAX_LEN_LIMIT);
  const codewords = into ? into.subarray(0, numSymbols).fill(0) : new Uint32Array(numSymbols);
  for (let s = 0; s < numSymbols; s++) {
    const len = lengths[s]!;
    if (len !== 0) codewords[s] = next[len]!++;
  }
  return codewords;
}

/**
 * Codewords per length 0..maxLen, in the scratch `count`. A longer length is a RangeError, or a
 * FormatError naming `format` when the lengths came from input.
 */
function countLengths(lengths: Uint8Array, numSymbols: number, maxLen: number, format: string | null): Int32Array {
  const count = getScratch().count;
  count.fill(0, 0, maxLen + 1);
  for (let s = 0; s < numSymbols; s++) {
    const len = lengths[s]!;
    if (len > maxLen) {
      if (format === null) throw new RangeError('canonicalCodewords: length out of range');
      throw new FormatError(format, `codeword length ${len} of symbol ${s} exceeds ${maxLen}`);
    }
    count[len]!++;
  }
  return count;
}

/**
 * Two-level decode table. The first 2^tableBits entries are indexed by the next tableBits bits.
 * Entry layout: leaf = symbol << 8 | codeword length (1..16); subtable pointer = start << 8 |
 * SUBTABLE_FLAG (subtables are indexed by the next maxLen - tableBits bits after the first
 * tableBits). Entry 0 (length 0) means "no codeword": only an empty code has those.
 */
export interface DecodeTable {
  table: Uint32Array;
  tableBits: number;
  maxLen: number;
  /** True when every length was zero: no symbol can be decoded. */
  empty: boolean;
}

export const DECODE_SUBTABLE_FLAG = 0x80;
export const DECODE_LEN_MASK = 0x7f;

/**
 * Builds the decode table for `lengths[0..numSymbols)`. Throws FormatError when a length exceeds
 * maxLen or the code is over-subscribed or incomplete (an all-zero code is allowed and gives an
 * empty table). `reuse` lends a previous table's storage to avoid reallocating on hot paths;
 * `format` names the codec in error messages ("xpress", "lzx").
 */
export function buildDecodeTable(lengths: Uint8Array, numSymbols: number, tableBits: number, maxLen: number, reuse?: DecodeTable, format = 'huffman'): DecodeTable {
  if (maxLen < 1 || maxLen > HUFFMAN_MAX_LEN_LIMIT) throw new RangeError('buildDecodeTable: maxLen out of range');
  if (tableBits > maxLen) tableBits = maxLen;
  const count = countLengths(lengths, numSymbols, maxLen, format);
  const subBits = maxLen - tableBits;
  const mainSize = 1 << tableBits;
  // Kraft sum in units of 2^-maxLen; also count how many subtables the long codes need.
  let kraft = 0;
  for (let len = 1; len <= maxLen; len++) kraft += count[len]! << (maxLen - len);
  const longCount = numSymbols - count[0]! - countUpTo(count, tableBits);
  const size = mainSize + (longCount << subBits); // at most one subtable per long codeword
  const table = reuse && reuse.table.length >= size ? reuse.table : new Uint32Array(size);
  if (kraft === 0) {
    table.fill(0, 0, mainSize);
    return { table, tableBits, maxLen, empty: true };
  }
  if (kraft !== 1 << maxLen) {
    throw new FormatError(format, kraft > 1 << maxLen ? 'over-subscribed Huffman code' : 'incomplete Huffman code');
  }

  // First canonical codeword of each length.
  const next = firstCodewords(count, maxLen);
  // Symbols in (length, symbol) order by a counting sort (one pass, not one pass per length).
  const used = sortByLength(lengths, numSymbols, count, maxLen);
  const sorted = getScratch().sorted;
  // Short codes fill main-table ranges; long codes share a subtable per tableBits-bit prefix
  // (canonical order keeps each prefix's codes contiguous).
  let subNext = mainSize;
  let lastPrefix = -1;
  let subStart = 0;
  for (let k = 0; k < used; k++) {
    const s = sorted[k]!;
    const len = lengths[s]!;
    const cw = next[len]!++;
    const leafEntry = (s << 8) | len;
    if (len <= tableBits) {
      const shift = tableBits - len;
      const start = cw << shift;
      const stop = start + (1 << shift);
      // short ranges by hand: a fill() call costs more than a few stores
      if (shift < 4) for (let i = start; i < stop; i++) table[i] = leafEntry;
      else table.fill(leafEntry, start, stop);
    } else {
      const prefix = cw >>> (len - tableBits);
      if (prefix !== lastPrefix) {
        lastPrefix = prefix;
        subStart = subNext;
        subNext += 1 << subBits;
        table[prefix] = (subStart << 8) | DECODE_SUBTABLE_FLAG;
      }
      const low = cw & ((1 << (len - tableBits)) - 1);
      const shift = maxLen - len;
      const start = subStart + (low << shift);
      table.fill(leafEntry, start, start + (1 << shift));
    }
  }
  return { table, tableBits, maxLen, empty: false };
}

/** Puts the used symbols, sorted by (length, symbol), in the scratch `sorted`; returns how many. */
function sortByLength(lengths: Uint8Array, numSymbols: number, count: Int32Array, maxLen: number): number {
  const { offsets, sorted } = getScratch();
  offsets[0] = 0;
  offsets[1] = 0;
  for (let len = 1; len <= maxLen; len++) offsets[len + 1] = offsets[len]! + count[len]!;
  const used = offsets[maxLen + 1]!;
  for (let s = 0; s < numSymbols; s++) {
    const len = lengths[s]!;
    if (len !== 0) sorted[offsets[len]!++] = s;
  }
  return used;
}

function countUpTo(count: Int32Array, maxIncl: number): number {
  let c = 0;
  for (let len = 1; len <= maxIncl; len++) c += count[len]!;
  return c;
}

/** First canonical codeword of each length 1..maxLen (in the scratch `next`), given codeword counts per length. */
function firstCodewords(count: Int32Array, maxLen: number): Uint32Array {
  const next = getScratch().next;
  let code = 0;
  for (let len = 1; len <= maxLen; len++) {
    next[len] = code;
    code = (code + count[len]!) << 1;
  }
  return next;
}
