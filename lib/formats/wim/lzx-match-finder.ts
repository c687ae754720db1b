// All-matches finder for one LZX chunk: binary trees keyed by a 3-byte hash (the classic LZ77
// "bt" structure). Each position becomes the root of its bucket's tree; walking down visits older
// positions in sorted order, so every step either lengthens the best match or narrows the search.
// Unlike a single-best-match finder (XPRESS's lazy parser), it reports every length improvement,
// which the near-optimal LZX parser needs.
import { LZX_MAX_MATCH, LZX_MAX_OFFSET, LZX_WINDOW_SIZE } from './lzx-constants.js';

const HASH_BITS = 15;
const HASH_SIZE = 1 << HASH_BITS;
const HASH_MUL = 0x9e3779b1;
/** Shortest explicit match worth finding: length-2 matches only pay as repeat offsets. */
export const LZX_MF_MIN_MATCH = 3;
const NONE = -1;

export interface MatchFinderParams {
  /** Tree nodes visited per position at most. */
  maxDepth: number;
  /** A match this long is taken as good enough: the search stops there. */
  niceLen: number;
}

/**
 * Finds, for each position of a chunk, the matches of strictly increasing length (each one at the
 * nearest offset giving that length). Results go to a flat cache: matches of position i are
 * entries start[i] .. start[i+1]-1 of len/off.
 */
export class LzxMatchFinder {
  readonly start = new Int32Array(LZX_WINDOW_SIZE + 1);
  len: Uint16Array;
  off: Uint16Array;
  private readonly head = new Int32Array(HASH_SIZE);
  private readonly child = new Int32Array(2 * LZX_WINDOW_SIZE);

  constructor(private readonly params: MatchFinderParams) {
    // Each recorded match costs one tree step, so depth bounds the matches per position.
    const cap = LZX_WINDOW_SIZE * Math.min(params.maxDepth, params.niceLen);
    this.len = new Uint16Array(cap);
    this.off = new Uint16Array(cap);
  }

  /** Fills the cache for data[0..n) (n ≤ 32768). */
  findAll(data: Uint8Array, n: number): void {
    const { head, child, start, len: mLen, off: mOff } = this;
    head.fill(NONE);
    const maxDepth = this.params.maxDepth;
    let count = 0;
    for (let i = 0; i < n; i++) {
      start[i] = count;
      if (i + LZX_MF_MIN_MATCH > n) continue;
      const h = (Math.imul(data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16), HASH_MUL) >>> (32 - HASH_BITS));
      let cur = head[h]!;
      head[h] = i;
      const maxLen = Math.min(LZX_MAX_MATCH, n - i);
      const nice = Math.min(this.params.niceLen, maxLen);
      let ptrLt = 2 * i;
      let ptrGt = 2 * i + 1;
      let lenLt = 0;
      let lenGt = 0;
      let best = LZX_MF_MIN_MATCH - 1;
      let depth = maxDepth;
      for (;;) {
        if (cur === NONE || i - cur > LZX_MAX_OFFSET || depth-- === 0) {
          child[ptrLt] = NONE;
          child[ptrGt] = NONE;
          break;
        }
        let l = lenLt < lenGt ? lenLt : lenGt;
        while (l < maxLen && data[cur + l] === data[i + l]) l++;
        if (l > best) {
          best = l;
          mLen[count] = l;
          mOff[count] = i - cur;
          count++;
          if (l >= nice) {
            // cur's subtrees take the place of i's: i is equal to cur for as far as we look
            child[ptrLt] = child[2 * cur]!;
            child[ptrGt] = child[2 * cur + 1]!;
            break;
          }
        }
        if (l < maxLen && data[cur + l]! < data[i + l]!) {
          child[ptrLt] = cur;
          ptrLt = 2 * cur + 1;
          cur = child[ptrLt]!;
          lenLt = l;
        } else {
          child[ptrGt] = cur;
          ptrGt = 2 * cur;
          cur = child[ptrGt]!;
          lenGt = l;
        }
      }
    }
    start[n] = count;
  }
}
