// All-matches finder for one LZX chunk: hash chains over 4-byte prefixes plus a one-entry table
// for 3-byte matches. Walking a chain from the newest position, a candidate is examined only if it
// could beat the best length so far (its byte at that length agrees), and every improvement is
// reported: the near-optimal LZX parser needs each (length, nearest offset) step, not just the
// single best match a lazy parser would take.
import { LZX_MAX_MATCH, LZX_MAX_OFFSET, LZX_WINDOW_SIZE } from './lzx-constants.js';

const HASH4_BITS = 15;
const HASH3_BITS = 12;
const HASH_MUL = 0x9e3779b1;
/** Shortest explicit match worth finding: length-2 matches only pay as repeat offsets. */
export const LZX_MF_MIN_MATCH = 3;
/** Bytes the chain hash covers: chain candidates usually share them. */
const HASH4_LEN = 4;
const NONE = -1;

/**
 * Length of the match between positions a < b, known equal for `from` bytes, up to maxLen
 * (b + maxLen ≤ chunk size): 4 bytes per step, the last step's equal bytes counted from the XOR.
 */
export function matchLength(words: Int32Array, a: number, b: number, from: number, maxLen: number): number {
  let l = from;
  while (l < maxLen) {
    const x = words[a + l]! ^ words[b + l]!;
    if (x !== 0) {
      l += (31 - Math.clz32(x & -x)) >>> 3; // equal low-order bytes = bytes in memory order
      break;
    }
    l += 4;
  }
  return l < maxLen ? l : maxLen;
}

export interface MatchFinderParams {
  /** Chain candidates examined per position at most. */
  maxDepth: number;
  /** A match this long is taken as good enough: the search stops there. */
  niceLen: number;
  /** After a match this long, the next len/2 positions are not searched. */
  skipLen: number;
}

/**
 * Finds, for each position of a chunk, the matches of strictly increasing length (each one at the
 * nearest offset giving that length). Results go to a flat cache: matches of position i are
 * entries start[i] .. start[i+1]-1 of len/off.
 */
export class LzxMatchFinder {
  readonly start = new Int32Array(LZX_WINDOW_SIZE + 1);
  readonly len: Uint16Array;
  readonly off: Uint16Array;
  private readonly head4 = new Int32Array(1 << HASH4_BITS);
  private readonly head3 = new Int32Array(1 << HASH3_BITS);
  private readonly prev = new Int32Array(LZX_WINDOW_SIZE);
  /** words[i] = the 4 bytes at i (LE, zero past the end): compares 4 bytes per step. */
  readonly words = new Int32Array(LZX_WINDOW_SIZE);
  private readonly maxDepth: number;
  private readonly niceLen: number;
  private readonly skipLen: number;

  constructor(params: MatchFinderParams) {
    this.maxDepth = params.maxDepth;
    this.niceLen = params.niceLen;
    this.skipLen = params.skipLen;
    // The 3-byte candidate plus one match per chain step, and at most one per length.
    const perPos = Math.min(params.maxDepth + 1, params.niceLen);
    this.len = new Uint16Array(LZX_WINDOW_SIZE * perPos);
    this.off = new Uint16Array(LZX_WINDOW_SIZE * perPos);
  }

  /** Fills the cache for data[0..n) (n ≤ 32768). */
  findAll(data: Uint8Array, n: number): void {
    const { head4, head3, prev, start, words, len: mLen, off: mOff } = this;
    const maxDepth = this.maxDepth;
    head4.fill(NONE);
    head3.fill(NONE);
    let w = 0;
    for (let i = n - 1; i >= 0; i--) {
      w = (w << 8) | data[i]!;
      words[i] = w;
    }
    let count = 0;
    // Positions inside a match of niceLen or more get no matches: the parser takes such a
    // match whole. They still join the chains (cheaply) so later positions can find them.
    let skipUntil = 0;
    for (let i = 0; i < n; i++) {
      start[i] = count;
      if (i + HASH4_LEN > n) {
        continue;
      }
      const wi = words[i]!;
      const h4 = Math.imul(wi, HASH_MUL) >>> (32 - HASH4_BITS);
      const h3 = Math.imul(wi & 0xffffff, HASH_MUL) >>> (32 - HASH3_BITS);
      let cur = head4[h4]!;
      const cur3 = head3[h3]!;
      head4[h4] = i;
      head3[h3] = i;
      prev[i] = cur;
      if (i < skipUntil) continue;
      const maxLen = Math.min(LZX_MAX_MATCH, n - i);
      const nice = Math.min(this.niceLen, maxLen);
      let best = LZX_MF_MIN_MATCH - 1;
      // The newest position with the same 3-byte hash: short matches at small offsets
      if (cur3 !== NONE && i - cur3 <= LZX_MAX_OFFSET && (words[cur3]! & 0xffffff) === (wi & 0xffffff)) {
        const l = matchLength(words, cur3, i, LZX_MF_MIN_MATCH, maxLen);
        best = l;
        mLen[count] = l;
        mOff[count] = i - cur3;
        count++;
        if (l >= nice) { skipUntil = i + l; continue; }
      }
      for (let depth = maxDepth; depth > 0 && cur !== NONE; depth--, cur = prev[cur]!) {
        if (i - cur > LZX_MAX_OFFSET) break;
        // Only a candidate agreeing at position `best` can be longer
        if (data[cur + best] !== data[i + best] || words[cur] !== wi) continue;
        const l = matchLength(words, cur, i, HASH4_LEN, maxLen);
        if (l > best) {
          best = l;
          mLen[count] = l;
          mOff[count] = i - cur;
          count++;
          if (l >= nice) { skipUntil = i + l; break; }
        }
      }
      // Inside a long (not nice) match, the first half of its positions are not searched either:
      // their matches would mostly be the same match, shifted (at 12: ~0.4% larger, ~10% faster).
      if (best >= this.skipLen && skipUntil < i + (best >> 1)) skipUntil = i + (best >> 1);
    }
    start[n] = count;
  }
}
