// Deterministic sample chunks for the LZX tests: each kind stresses a different part of the codec.
import { readFileSync } from 'node:fs';

/** A small LCG: the same bytes on every run and platform. */
export function prng(seed: number): () => number {
  let x = seed >>> 0;
  return () => (x = (Math.imul(x, 1103515245) + 12345) >>> 0) >>> 8;
}

export function randomBytes(n: number, seed: number): Uint8Array {
  const next = prng(seed);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = next() & 0xff;
  return out;
}

const WORDS = ('the of and to in is that for it as with was on be by at this from which or an are ' +
  'window image boot media sequence task package driver volume partition chunk offset header').split(' ');

/** Word salad: a skewed literal alphabet and many short, far matches. */
export function text(n: number, seed: number): Uint8Array {
  const next = prng(seed);
  const out = new Uint8Array(n);
  let i = 0;
  while (i < n) {
    const w = WORDS[next() % WORDS.length]!;
    const s = (next() % 17 === 0 ? '.\n' : ' ') + w;
    for (let k = 0; k < s.length && i < n; k++) out[i++] = s.charCodeAt(k);
  }
  return out;
}

/** x86-like code: filler instructions and CALL rel32 (E8) to a few functions, as compilers emit. */
export function x86(n: number, seed: number): Uint8Array {
  const next = prng(seed);
  const out = new Uint8Array(n);
  const targets = Array.from({ length: 24 }, () => next() % (n * 2) - n / 2);
  const filler = [[0x55], [0x48, 0x89, 0xe5], [0x48, 0x83, 0xec, 0x20], [0x31, 0xc0], [0xc3], [0x90], [0x5d]];
  let i = 0;
  while (i < n) {
    if (next() % 3 === 0 && i + 5 <= n) {
      const rel = targets[next() % targets.length]! - (i + 5);
      out[i] = 0xe8;
      new DataView(out.buffer).setInt32(i + 1, rel, true);
      i += 5;
    } else {
      for (const b of filler[next() % filler.length]!) if (i < n) out[i++] = b;
    }
  }
  return out;
}

/** Fixed-size records with a few varying fields: matches at the last few offsets (R0, R1, R2). */
export function records(n: number, seed: number): Uint8Array {
  const next = prng(seed);
  const out = new Uint8Array(n);
  const templates = [randomBytes(24, seed + 1), randomBytes(40, seed + 2), randomBytes(56, seed + 3)];
  let i = 0;
  while (i < n) {
    const t = templates[next() % 3]!;
    for (let k = 0; k < t.length && i < n; k++) out[i++] = k % 8 === 3 ? next() & 0xff : t[k]!;
  }
  return out;
}

/** Real machine code: chunks of the running Node binary. */
export function nodeBinaryChunks(count: number, size: number): Uint8Array[] {
  const bin = readFileSync(process.execPath);
  const chunks: Uint8Array[] = [];
  for (let k = 0; k < count; k++) {
    const at = Math.floor(((k + 1) * bin.length) / (count + 2));
    chunks.push(new Uint8Array(bin.subarray(at, at + size)));
  }
  return chunks;
}
