// LZ77 match finding over one window (a WIM chunk) for XPRESS, general enough for LZX: hash
// chains keyed by the next 4 bytes, searched newest first to a bounded depth, plus a
// one-entry-per-bucket table keyed by 3 bytes for length-3 matches (too short for the 4-byte
// chains), as wimlib's hc_matchfinder does. Each window is independent (WIM chunks share
// nothing), so state is reset per window; arrays are reused.

/** Shortest match the finder reports. */
export const MATCH_FINDER_MIN_LEN = 3;
/** Bits of the 4-byte chain hash and of the 3-byte table hash. */
const HASH4_BITS = 15;
const HASH3_BITS = 12;
/** Multiplicative hashing constant (a 32-bit odd number with well-mixed bits). */
const HASH_MULT = 0x1e35a7bd;
/** The 3-byte key is shifted to the top byte lanes first: mixes better for low-entropy bytes. */
const HASH3_MULT = 0x9e3779b1;

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
  /** words[i]: the 4 bytes at window position i as one little-endian number (0-padded at the end). */
  private readonly words: Int32Array;
  private data: Uint8Array = new Uint8Array(0);
  private base = 0;
  private end = 0;

  constructor(params: MatchFinderParams) {
    this.maxWindow = params.maxWindow;
    this.maxSearchDepth = params.maxSearchDepth;
    this.niceLength = params.niceLength;
    this.prev = new Int32Array(params.maxWindow);
    this.words = new Int32Array(params.maxWindow + 4);
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
    // one backward pass: each word is its byte plus the next word shifted up
    const w = this.words;
    const n = end - start;
    w[n] = 0;
    for (let i = n - 1; i >= 0; i--) w[i] = data[start + i]! | (w[i + 1]! << 8);
  }

  /**
   * Longest match for the bytes at `pos` among earlier window positions, at least `minLen` (≥ 3)
   * and at most `maxLen` long (clamped to the window end). Returns its length and sets
   * matchOffset, or returns 0 when none reaches minLen. Records `pos` for later searches.
   * Positions must be visited (find or insert) in increasing order.
   */
  findLongest(pos: number, minLen: number, maxLen: number): number {
    return this.search(pos, minLen, maxLen, null, null);
  }

  /**
   * Every improving match at `pos` (the 3-byte candidate, then longer and longer ones along the
   * chain), for parsers that weigh several lengths. Writes pairs into lengths/offsets (which must
   * hold maxSearchDepth + 1 entries) and returns the count; lengths ascend. Records `pos`.
   */
  findMatches(pos: number, maxLen: number, lengths: Uint32Array, offsets: Uint32Array): number {
    this.search(pos, MATCH_FINDER_MIN_LEN, maxLen, lengths, offsets);
    return this.matchCount;
  }

  /** Matches recorded by the last findMatches. */
  private matchCount = 0;

  private search(pos: number, minLen: number, maxLen: number, lengths: Uint32Array | null, offsets: Uint32Array | null): number {
    const w = this.words;
    const rel = pos - this.base;
    const remaining = this.end - pos;
    if (maxLen > remaining) maxLen = remaining;
    this.matchCount = 0;
    if (maxLen < MATCH_FINDER_MIN_LEN || minLen > maxLen) {
      if (remaining >= 4) this.insert(pos);
      return 0;
    }
    const cur = w[rel]!;
    const low3 = cur & 0xffffff;
    const h3 = Math.imul(low3 << 8, HASH3_MULT) >>> (32 - HASH3_BITS);
    const cand3 = this.head3[h3]!;
    let best = minLen - 1;
    let bestOff = 0;
    let count = 0;
    if (best < 3 && cand3 >= 0 && (w[cand3]! & 0xffffff) === low3) {
      best = 3;
      bestOff = rel - cand3;
      if (lengths) {
        lengths[0] = 3;
        offsets![0] = bestOff;
        count = 1;
      }
    }
    // too close to the end to key the chains (and nothing later can match this position)
    if (remaining >= 4) {
      this.head3[h3] = rel;
      const h4 = Math.imul(cur, HASH_MULT) >>> (32 - HASH4_BITS);
      let cand = this.head4[h4]!;
      this.head4[h4] = rel;
      const prev = this.prev;
      prev[rel] = cand;
      const nice = this.niceLength < maxLen ? this.niceLength : maxLen;
      const d = this.data;
      const base = this.base;
      // a candidate must agree on the 4 bytes ending where the best match so far ends
      let tail = best > 3 ? best - 3 : 0;
      let depth = this.maxSearchDepth;
      while (cand >= 0 && depth-- > 0 && best < maxLen) {
        if (w[cand + tail] === w[rel + tail] && w[cand] === cur) {
          let len = 4;
          while (len + 4 <= maxLen && w[cand + len] === w[rel + len]) len += 4;
          while (len < maxLen && d[base + cand + len] === d[pos + len]) len++;
          if (len > best) {
            best = len;
            bestOff = rel - cand;
            tail = best - 3;
            if (lengths) {
              lengths[count] = len;
              offsets![count] = bestOff;
              count++;
            }
            if (len >= nice) break;
          }
        }
        cand = prev[cand]!;
      }
    }
    this.matchCount = count;
    if (best >= minLen) {
      this.matchOffset = bestOff;
      return best;
    }
    return 0;
  }

  /** Records `pos` without searching (positions covered by a chosen match). */
  insert(pos: number): void {
    if (this.end - pos < 4) return;
    const rel = pos - this.base;
    const cur = this.words[rel]!;
    this.head3[Math.imul(cur << 8, HASH3_MULT) >>> (32 - HASH3_BITS)] = rel;
    const h4 = Math.imul(cur, HASH_MULT) >>> (32 - HASH4_BITS);
    this.prev[rel] = this.head4[h4]!;
    this.head4[h4] = rel;
  }
}
