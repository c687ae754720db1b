// The match finder XPRESS (and LZX) build on, checked against brute force.
import test from 'ava';
import { HashChainMatchFinder } from '../../../lib/formats/wim/match-finder.js';
import { rng, text } from './xpress-samples.js';

/** Longest earlier match in data[start, end) for position pos, at most maxLen. */
function bruteLongest(d: Uint8Array, start: number, end: number, pos: number, maxLen: number): number {
  const limit = Math.min(maxLen, end - pos);
  let best = 0;
  for (let c = start; c < pos; c++) {
    let l = 0;
    while (l < limit && d[c + l] === d[pos + l]) l++;
    if (l > best) best = l;
  }
  return best;
}

function isMatch(d: Uint8Array, pos: number, offset: number, len: number): boolean {
  for (let i = 0; i < len; i++) if (d[pos + i] !== d[pos - offset + i]) return false;
  return true;
}

function smallAlphabet(n: number, seed: number): Uint8Array {
  const r = rng(seed);
  const d = new Uint8Array(n);
  for (let i = 0; i < n; i++) d[i] = 97 + (r() % 4);
  return d;
}

// Length-3 matches come from a one-entry-per-bucket table (as in wimlib), so a hash collision may
// hide one; matches of 4 or more are found exactly.
test('with unbounded search the longest match equals brute force, inside the window only', (t) => {
  for (const [data, start, end] of [[smallAlphabet(4000, 1), 0, 4000], [text(6000, 2), 1000, 5000]] as const) {
    const mf = new HashChainMatchFinder({ maxWindow: 8192, maxSearchDepth: 1 << 20, niceLength: 1 << 20 });
    mf.reset(data, start, end);
    let bad = 0;
    let threes = 0;
    let missedThrees = 0;
    for (let pos = start; pos < end; pos++) {
      const brute = bruteLongest(data, start, end, pos, 300);
      const len = mf.findLongest(pos, 3, 300);
      if (brute === 3) {
        threes++;
        if (len === 0) missedThrees++;
        else if (len !== 3) bad++;
      } else if (len !== (brute > 3 ? brute : 0)) {
        bad++;
      }
      if (len > 0 && (mf.matchOffset > pos - start || !isMatch(data, pos, mf.matchOffset, len))) bad++;
    }
    t.is(bad, 0);
    t.true(missedThrees <= threes / 10, `${missedThrees} of ${threes} length-3 matches missed`);
  }
});

test('a bounded search returns valid matches; findMatches lists ascending valid lengths ending at the longest', (t) => {
  const data = text(20000, 3);
  const a = new HashChainMatchFinder({ maxWindow: 32768, maxSearchDepth: 8, niceLength: 32 });
  const b = new HashChainMatchFinder({ maxWindow: 32768, maxSearchDepth: 8, niceLength: 32 });
  a.reset(data);
  b.reset(data);
  const lens = new Uint32Array(9);
  const offs = new Uint32Array(9);
  let found = 0;
  let bad = 0;
  for (let pos = 0; pos < data.length; pos++) {
    const len = a.findLongest(pos, 3, 1000);
    const n = b.findMatches(pos, 1000, lens, offs);
    if (len) {
      found++;
      if (!isMatch(data, pos, a.matchOffset, len)) bad++;
    }
    if ((n === 0 ? 0 : lens[n - 1]) !== len) bad++;
    for (let i = 0; i < n; i++) {
      if (!isMatch(data, pos, offs[i]!, lens[i]!) || (i > 0 && lens[i]! <= lens[i - 1]!)) bad++;
    }
  }
  t.is(bad, 0);
  t.true(found > data.length / 4);
});

test('minLen filters, maxLen caps, a new window forgets the old one', (t) => {
  const data = new Uint8Array(1000).fill(5);
  const mf = new HashChainMatchFinder({ maxWindow: 1000, maxSearchDepth: 16, niceLength: 64 });
  mf.reset(data, 0, 500);
  t.is(mf.findLongest(0, 3, 100), 0);
  t.is(mf.findLongest(1, 3, 100), 100);
  t.is(mf.matchOffset, 1);
  t.is(mf.findLongest(2, 200, 150), 0); // minLen above maxLen: no match
  t.is(mf.findLongest(3, 3, 1 << 20), 497); // capped at the window end
  mf.reset(data, 500, 1000);
  t.is(mf.findLongest(500, 3, 100), 0); // positions of the previous window are gone
  t.is(mf.findLongest(501, 3, 100), 100);
  t.throws(() => mf.reset(new Uint8Array(2000)), { instanceOf: RangeError });
});
