// Small generated source trees for content tests.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** Writes files given as { 'rel/path': content } under root. */
export async function writeTree(root: string, files: Record<string, string | Buffer>): Promise<void> {
  for (const [rel, data] of Object.entries(files)) {
    const abs = join(root, rel);
    await mkdir(dirname(abs), { recursive: true });
    await writeFile(abs, data);
  }
}

/** Deterministic pseudo-random bytes (xorshift), so fixtures are the same on every run. */
export function pseudoRandomBytes(size: number, seed = 1): Buffer {
  const out = Buffer.allocUnsafe(size);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

/** A minimal file with a WIM header magic and an image count (enough for import checks). */
export function fakeWimHeader(images = 1): Buffer {
  const b = Buffer.alloc(208 + 64);
  b.write('MSWIM\0\0\0', 0, 'latin1');
  b.writeUInt32LE(208, 8);
  b.writeUInt32LE(images, 44);
  return b;
}
