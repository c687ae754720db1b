// Synthetic inputs for the XPRESS tests: deterministic, generated at run time (no fixtures).
import { readFileSync } from 'node:fs';

/** xorshift32: reproducible pseudo-random bytes. */
export function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    return x;
  };
}

export function randomBytes(n: number, seed: number): Uint8Array {
  const r = rng(seed);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = r() & 0xff;
  return out;
}

/** Bytes with a skewed (exponential, mean 16) distribution: Huffman-compressible, few repeats. */
export function skewedBytes(n: number, seed: number): Uint8Array {
  const r = rng(seed);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.min(255, Math.floor(-Math.log((r() + 1) / 4294967297) * 16));
  return out;
}

const WORDS = ('the of and to in is that for it as was with be by on not he this are or his from at which but have an had ' +
  'they you were their one all we can her has there been if more when will would who so no compression window chunk ' +
  'offset literal symbol Huffman stream boot image media task sequence package driver').split(' ');

/** Pseudo-English text with punctuation and line breaks. */
export function text(n: number, seed: number): Uint8Array {
  const r = rng(seed);
  let s = '';
  while (s.length < n) {
    s += WORDS[r() % WORDS.length]!;
    const p = r() % 20;
    s += p === 0 ? '.\n' : p === 1 ? ', ' : ' ';
  }
  return new TextEncoder().encode(s.slice(0, n));
}

/** A slice of the running Node binary: real machine code and tables. */
export function binary(n: number, at = 1 << 20): Uint8Array {
  const exe = readFileSync(process.execPath);
  const start = Math.min(at, Math.max(0, exe.length - n));
  return new Uint8Array(exe.subarray(start, start + n));
}

/** Skewed filler whose first `len` bytes repeat at `offset`: one long match of exactly len (overlapping when len > offset). */
export function withMatch(len: number, offset: number, seed: number): Uint8Array {
  const n = offset + len + 300;
  const d = skewedBytes(n, seed);
  for (let i = 0; i < len; i++) d[offset + i] = d[i]!; // forward: len > offset repeats the period
  // make sure the match cannot extend: the byte after the copy differs from the one after the source
  d[offset + len] = d[len]! ^ 0x5a;
  return d;
}

/** Samples that cannot compress (too small or random); every other one must. */
export const INCOMPRESSIBLE = new Set(['empty', '1 byte', '3 bytes', 'random 32 KiB']);

/** The round-trip corpus: name -> bytes. */
export function samples(): Map<string, Uint8Array> {
  const m = new Map<string, Uint8Array>();
  m.set('empty', new Uint8Array(0));
  m.set('1 byte', Uint8Array.of(0x41));
  m.set('3 bytes', Uint8Array.of(1, 2, 3));
  m.set('300 bytes of one value', new Uint8Array(300).fill(7));
  m.set('zeros 32 KiB', new Uint8Array(32768));
  m.set('zeros 64 KiB (longest match)', new Uint8Array(65536));
  m.set('random 32 KiB', randomBytes(32768, 1));
  m.set('text 32 KiB', text(32768, 2));
  m.set('text 64 KiB', text(65536, 3));
  m.set('text odd size', text(12345, 4));
  m.set('binary 32 KiB', binary(32768));
  m.set('binary 64 KiB', binary(65536, 3 << 20));
  const mixed = randomBytes(32768, 5);
  mixed.set(text(16384, 6), 8000);
  m.set('random and text', mixed);
  const ramp = new Uint8Array(40000);
  for (let i = 0; i < ramp.length; i++) ramp[i] = (i * i) >>> 7;
  m.set('ramp', ramp);
  // farthest match the compressor takes in a 64 KiB chunk: the last 4 bytes repeat the first 4
  const far = skewedBytes(65536, 7);
  far.copyWithin(65532, 0, 4);
  m.set('match at offset 65532', far);
  const short = skewedBytes(65536, 8);
  short.copyWithin(65500, 0, 36);
  m.set('match at offset 65500', short);
  for (const len of [3, 4, 17, 18, 19, 269, 270, 271, 272, 273, 274, 1000, 30000]) {
    m.set(`one match of length ${len}`, withMatch(len, 2000, 100 + len));
  }
  return m;
}

/** An XPRESS code-length table from {symbol: length}: byte i = len[2i] | len[2i+1] << 4. */
export function lengthTable(lengths: Record<number, number>): number[] {
  const t = new Array<number>(256).fill(0);
  for (const [sym, len] of Object.entries(lengths)) {
    const s = Number(sym);
    t[s >> 1]! |= s & 1 ? len << 4 : len;
  }
  return t;
}
