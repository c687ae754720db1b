// LZ77 match finding over one window (a WIM chunk), shared by XPRESS and LZX: hash chains keyed
// by the next 4 bytes, searched newest first to a bounded depth, plus a one-entry-per-bucket
// table keyed by 3 bytes for length-3 matches (too short for the 4-byte chains). Each window is
// independent (WIM chunks share nothing), so state is reset per window; arrays are reused.

/** Shortest match the finder reports. */
export const MATCH_FINDER_MIN_LEN = 3;
/** Bits of the 4-byte chain hash and of the 3-byte table hash. */
const HASH4_BITS = 15;
const HASH3_BITS = 12;
/** Multiplicative hashing constant (a 32-bit odd number with well-mixed bits). */
const HASH_MULT = 0x1e35a7bd;

export interface MatchFinderParams {
  /** Largest window (chunk) the finder will be reset to. */
  maxWindow: number;
  /** Chain nodes visited per search, at most. */
  maxSearchDepth: number;
  /** A match this long ends the search at once. */
  niceLength: number;
}

export class HashChainMatchFinder {
  readonly maxWindow: number;
  maxSearchDepth: number;
  niceLength: number;
  /** Offset of the match the last successful find returned. */
  matchOffset = 0;

  private readonly head4 = new Int32Array(1 << HASH4_BITS);
  private readonly head3 = new Int32Array(1 << HASH3_BITS);
  /** prev[i]: older window position with the same 4-byte hash as position i (-1: none). */
  private readonly prev: Int32Array;
  private data: Uint8Array = new Uint8Array(0);
  private base = 0;
  private end = 0;

  constructor(params: MatchFinderParams) {
    this.maxWindow = params.maxWindow;
    this.maxSearchDepth = params.maxSearchDepth;
    this.niceLength = params.niceLength;
    this.prev = new Int32Array(params.maxWindow);
  }

  /** Starts a new window data[start, end); positions below are absolute indices into data. */
  reset(data: Uint8Array, start = 0, end = data.length): void {
    if (end - start > this.maxWindow || start < 0 || end > data.length || end < start) {
      throw new RangeError(`match finder window [${start}, ${end}) exceeds ${this.maxWindow} bytes or the data`);
    }
    this.data = data;
    this.base = start;
    this.end = end;
    this.head4.fill(-1);
    this.head3.fill(-1);
  }

  /**
   * Longest match for the bytes at `pos` among earlier window positions, at least `minLen` (≥ 3)
   * and at most `maxLen` long (clamped to the window end). Returns its length and sets
   * matchOffset, or returns 0 when none reaches minLen. Records `pos` for later searches.
   * Positions must be visited (find or insert) in increasing order.
   */
  findLongest(pos: number, minLen: number, maxLen: number): number {
    const d = this.data;
    const base = this.base;
    const remaining = this.end - pos;
    if (maxLen > remaining) maxLen = remaining;
    if (maxLen < MATCH_FINDER_MIN_LEN || minLen > maxLen) {
      if (remaining >= 4) this.insert(pos);
      return 0;
    }
    const rel = pos - base;
    const b0 = d[pos]!;
    const b1 = d[pos + 1]!;
    const b2 = d[pos + 2]!;
    const low3 = b0 | (b1 << 8) | (b2 << 16);
    const h3 = Math.imul(low3, HASH_MULT) >>> (32 - HASH3_BITS);
    const cand3 = this.head3[h3]!;
    let best = minLen - 1;
    let bestOff = 0;
    if (best < 3 && cand3 >= 0) {
      const mp = base + cand3;
      if (d[mp] === b0 && d[mp + 1] === b1 && d[mp + 2] === b2) {
        best = 3;
        bestOff = rel - cand3;
      }
    }
    if (remaining < 4) {
      // too close to the end to key the chains; nothing later can match this position either
      if (best >= minLen) {
        this.matchOffset = bestOff;
        return best;
      }
      return 0;
    }
    this.head3[h3] = rel;
    const b3 = d[pos + 3]!;
    const h4 = Math.imul(low3 | (b3 << 24), HASH_MULT) >>> (32 - HASH4_BITS);
    let cand = this.head4[h4]!;
    this.head4[h4] = rel;
    const prev = this.prev;
    prev[rel] = cand;

    if (best < maxLen) {
      const nice = this.niceLength < maxLen ? this.niceLength : maxLen;
      let depth = this.maxSearchDepth;
      while (cand >= 0 && depth-- > 0) {
        const mp = base + cand;
        // cheap rejects first: the byte that would extend the best match, then the first four
        if (d[mp + best] === d[pos + best] && d[mp] === b0 && d[mp + 1] === b1 && d[mp + 2] === b2 && d[mp + 3] === b3) {
          let len = 4;
          while (len < maxLen && d[mp + len] === d[pos + len]) len++;
          if (len > best) {
            best = len;
            bestOff = rel - cand;
            if (len >= nice) break;
          }
        }
        cand = prev[cand]!;
      }
    }
    if (best >= minLen) {
      this.matchOffset = bestOff;
      return best;
    }
    return 0;
  }

  /**
   * Every improving match at `pos` along the chain (the 3-byte candidate, then longer and longer
   * ones), for parsers that weigh several lengths. Writes pairs into lengths/offsets (which must
   * hold maxSearchDepth + 1 entries), returns the count; lengths ascend. Records `pos`.
   */
  findMatches(pos: number, maxLen: number, lengths: Uint32Array, offsets: Uint32Array): number {
    const d = this.data;
    const base = this.base;
    const remaining = this.end - pos;
    if (maxLen > remaining) maxLen = remaining;
    if (maxLen < MATCH_FINDER_MIN_LEN) {
      if (remaining >= 4) this.insert(pos);
      return 0;
    }
    const rel = pos - base;
    const b0 = d[pos]!;
    const b1 = d[pos + 1]!;
    const b2 = d[pos + 2]!;
    const low3 = b0 | (b1 << 8) | (b2 << 16);
    const h3 = Math.imul(low3, HASH_MULT) >>> (32 - HASH3_BITS);
    const cand3 = this.head3[h3]!;
    let n = 0;
    let best = 2;
    if (cand3 >= 0) {
      const mp = base + cand3;
      if (d[mp] === b0 && d[mp + 1] === b1 && d[mp + 2] === b2) {
        best = 3;
        lengths[0] = 3;
        offsets[0] = rel - cand3;
        n = 1;
      }
    }
    if (remaining < 4) return n;
    this.head3[h3] = rel;
    const b3 = d[pos + 3]!;
    const h4 = Math.imul(low3 | (b3 << 24), HASH_MULT) >>> (32 - HASH4_BITS);
    let cand = this.head4[h4]!;
    this.head4[h4] = rel;
    const prev = this.prev;
    prev[rel] = cand;
    if (best >= maxLen) return n;
    const nice = this.niceLength < maxLen ? this.niceLength : maxLen;
    let depth = this.maxSearchDepth;
    while (cand >= 0 && depth-- > 0) {
      const mp = base + cand;
      if (d[mp + best] === d[pos + best] && d[mp] === b0 && d[mp + 1] === b1 && d[mp + 2] === b2 && d[mp + 3] === b3) {
        let len = 4;
        while (len < maxLen && d[mp + len] === d[pos + len]) len++;
        if (len > best) {
          best = len;
          lengths[n] = len;
          offsets[n] = rel - cand;
          n++;
          if (len >= nice) break;
        }
      }
      cand = prev[cand]!;
    }
    return n;
  }

  /** Records `pos` without searching (positions covered by a chosen match). */
  insert(pos: number): void {
    const d = this.data;
    if (this.end - pos < 4) return;
    const rel = pos - this.base;
    const low3 = d[pos]! | (d[pos + 1]! << 8) | (d[pos + 2]! << 16);
    this.head3[Math.imul(low3, HASH_MULT) >>> (32 - HASH3_BITS)] = rel;
    const h4 = Math.imul(low3 | (d[pos + 3]! << 24), HASH_MULT) >>> (32 - HASH4_BITS);
    this.prev[rel] = this.head4[h4]!;
    this.head4[h4] = rel;
  }
}
