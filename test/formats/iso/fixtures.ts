// Small generated trees and a fake cmdlet context for the ISO tests.
import { mkdir, writeFile, readdir, readFile, stat } from 'node:fs/promises';
import { join, dirname, relative } from 'node:path';
import type { CmdletContext } from '../../../lib/shell/types.js';

export const FIXED_DATE = new Date('2026-01-01T00:00:00Z');
export const LONG_NAME = `${'long-name-'.repeat(9)}-long-end.txt`; // 103 characters, the Joliet maximum here

/** Deterministic bytes for a file. */
export function pattern(seed: number, size: number): Buffer {
  const b = Buffer.alloc(size);
  let x = seed * 2654435761 >>> 0;
  for (let i = 0; i < size; i++) { x = (x * 1103515245 + 12345) >>> 0; b[i] = x >>> 24; }
  return b;
}

/** Writes files (path -> bytes) and empty directories under root. */
export async function makeTree(root: string, files: Record<string, Buffer | string>, emptyDirs: string[] = []): Promise<void> {
  for (const [p, data] of Object.entries(files)) {
    await mkdir(dirname(join(root, p)), { recursive: true });
    await writeFile(join(root, p), data);
  }
  for (const d of emptyDirs) await mkdir(join(root, d), { recursive: true });
}

/** A tree with Unicode, long and deep names, an empty file and folder, sizes around sector edges. */
export function richTree(): { files: Record<string, Buffer | string>; emptyDirs: string[] } {
  const deep = Array.from({ length: 12 }, (_, i) => `level${i + 1}`).join('/');
  return {
    files: {
      'README.txt': 'tsmedia test image\n',
      'boot/etfsboot.com': pattern(1, 2048),
      'sources/boot.wim': pattern(2, 300_001),
      'sources/exactly-one-sector.bin': pattern(3, 2048),
      'sources/one-sector-and-a-byte.bin': pattern(4, 2049),
      'empty-file': '',
      'Ünïcödé ñame.txt': 'latin-1 range\n',
      '日本語のファイル名.txt': 'BMP beyond latin-1\n',
      'emoji 😀 file.txt': 'surrogate pair\n',
      [LONG_NAME]: 'a 103-character name\n',
      'SMS/PKG/PS100012/Mixed Case.File.With.Dots.cab': pattern(5, 70_000),
      'SMS/PKG/PS100012/mixed case.file.with.dots.cab': pattern(6, 10),
      [`${deep}/deep.txt`]: 'twelve levels down\n',
    },
    emptyDirs: ['empty-folder', 'SMS/data'],
  };
}

/** Every file under root: relative '/' path -> bytes. */
export async function readTree(root: string): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  const walk = async (d: string): Promise<void> => {
    for (const n of await readdir(d)) {
      const p = join(d, n);
      if ((await stat(p)).isDirectory()) await walk(p);
      else out.set(relative(root, p).split('\\').join('/'), await readFile(p));
    }
  };
  await walk(root);
  return out;
}

export function fakeContext(now: Date = FIXED_DATE): CmdletContext & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    home: '/nonexistent',
    whatIf: false,
    shouldProcess: () => true,
    verbose: (m) => { lines.push(m); },
    warn: (m) => { lines.push(`WARNING: ${m}`); },
    progress: () => ({ tick() {}, update() {}, setTotal() {}, done() {} }),
    signal: new AbortController().signal,
    now: () => now,
    env: {},
    readSecret: async () => undefined,
  };
}
