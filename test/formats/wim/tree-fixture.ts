// Test fixtures for the WIM tests: a small tree with every feature a Linux capture meets, and a
// listing of a tree (type, size, SHA-1, link target, mtime, hard link groups) to compare trees.
import { createHash } from 'node:crypto';
import { linkSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ExecutionContext } from 'ava';
import { run } from '../../helpers/run.js';

/** Deterministic pseudo-random bytes (xorshift32). */
export function prng(seed: number, n: number): Buffer {
  const b = Buffer.alloc(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    b[i] = x & 0xff;
  }
  return b;
}

/** Text-like data that compresses. */
export function textish(seed: number, n: number): Buffer {
  const words = ['alpha', 'beta', 'gamma', 'delta', 'boot', 'wim', 'sources', 'Windows', '\r\n', ' '];
  const r = prng(seed, n);
  let s = '';
  for (let i = 0; s.length < n; i++) s += words[(r[i % n] ?? 0) % words.length] + ' ';
  return Buffer.from(s.slice(0, n));
}

export function makeTree(root: string, variant = 0): void {
  mkdirSync(root, { recursive: true });
  const w = (p: string, d: Buffer | string): void => { mkdirSync(join(root, p, '..'), { recursive: true }); writeFileSync(join(root, p), d); };
  w('hello.txt', `hello ${variant}\n`);
  w('empty-file', '');
  w('dir/dup-of-hello.txt', `hello ${variant}\n`);
  w('dir/random.bin', prng(7 + variant, 100_000));
  w('dir/text-200k.txt', textish(3, 200_000));
  w('dir/text-copy.txt', textish(3, 200_000));
  w('Ünïcødé ✓ 日本語/файл.txt', 'unicode\n');
  w('Ünïcødé ✓ 日本語/😀 ẞß ǅ.txt', 'astral\n');
  w('Case/a', 'lower');
  w('Case/A', 'upper');
  w('boot/BCD', prng(11, 4096));
  w('boot/bootmgr', prng(12, 40_000));
  mkdirSync(join(root, 'empty-dir'));
  let deep = 'deep';
  for (let i = 0; i < 40; i++) deep = join(deep, `level${i}`);
  w(join(deep, 'leaf.txt'), 'deep leaf');
  for (let i = 0; i < 50; i++) w(`many/f${String(i).padStart(3, '0')}.dat`, prng(100 + i, i * 37));
  linkSync(join(root, 'hello.txt'), join(root, 'dir', 'hardlink-to-hello'));
  linkSync(join(root, 'dir/random.bin'), join(root, 'random-link.bin'));
  symlinkSync('hello.txt', join(root, 'link-to-file'));
  symlinkSync('dir', join(root, 'link-to-dir'));
  symlinkSync('../boot/BCD', join(root, 'dir', 'link-up'));
  // fixed times so two captures of two copies agree
  const t = new Date('2025-06-01T12:34:56.789Z');
  utimesSync(join(root, 'hello.txt'), t, t);
}

export interface Entry { type: string; size: number; sha1: string; target: string; mtimeNs: bigint; group: string }

/** Path -> entry; hard links get a group label (the first path of the inode). */
export function listTree(root: string): Map<string, Entry> {
  const out = new Map<string, Entry>();
  const inodes = new Map<string, string>();
  const walk = (rel: string): void => {
    for (const name of readdirSync(join(root, rel)).sort()) {
      const p = rel ? `${rel}/${name}` : name;
      const full = join(root, p);
      const st = lstatSync(full, { bigint: true });
      const e: Entry = { type: '?', size: 0, sha1: '', target: '', mtimeNs: st.mtimeNs, group: '' };
      if (st.isDirectory()) { e.type = 'dir'; e.mtimeNs = 0n; walk(p); }
      else if (st.isSymbolicLink()) { e.type = 'link'; e.target = readlinkSync(full); }
      else {
        e.type = 'file';
        e.size = Number(st.size);
        e.sha1 = createHash('sha1').update(readFileSync(full)).digest('hex');
        if (st.nlink > 1n) {
          const k = `${st.dev}:${st.ino}`;
          e.group = inodes.get(k) ?? p;
          inodes.set(k, e.group);
        }
      }
      out.set(p, e);
    }
  };
  walk('');
  return out;
}

/** Differences between two listings; mtimes may differ by the 100 ns (or float) rounding. */
export function diffTrees(a: Map<string, Entry>, b: Map<string, Entry>, times = true): string[] {
  const d: string[] = [];
  for (const [p, e] of a) {
    const f = b.get(p);
    if (!f) { d.push(`missing ${p}`); continue; }
    for (const k of ['type', 'size', 'sha1', 'target'] as const) if (e[k] !== f[k]) d.push(`${p}: ${k} ${String(e[k])} != ${String(f[k])}`);
    if ((e.group === '') !== (f.group === '')) d.push(`${p}: hard link ${e.group} vs ${f.group}`);
    const dt = e.mtimeNs - f.mtimeNs;
    if (times && e.type === 'file' && (dt > 2000n || dt < -2000n)) d.push(`${p}: mtime ${e.mtimeNs} != ${f.mtimeNs}`);
  }
  for (const p of b.keys()) if (!a.has(p)) d.push(`extra ${p}`);
  return d;
}

/** Runs wimlib-imagex, failing the test on a non-zero exit; returns stdout. */
export async function wimlib(t: ExecutionContext, ...args: string[]): Promise<string> {
  const r = await run('wimlib-imagex', args, { timeoutMs: 60_000 });
  t.is(r.code, 0, `wimlib-imagex ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}
