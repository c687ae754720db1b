// The reader never trusts an image: flipped and truncated copies of a small bootable image give
// a FormatError or a sane result through every tree (Joliet, ISO 9660, UDF), never another error
// and never a hang. Seeded, so a failure replays.
import test from 'ava';
import { join } from 'node:path';
import { readFile } from 'node:fs/promises';
import { tempDir } from '../../helpers/tmp.js';
import { buildIsoImages } from '../../../lib/formats/iso/build-image.js';
import { bufferSource, readIsoFromSource, type ReadIsoOptions } from '../../../lib/formats/iso/iso-reader.js';
import { FormatError } from '../../../lib/errors.js';
import { makeTree, pattern, FIXED_DATE } from './fixtures.js';

function rng(seed: number): () => number {
  let x = seed >>> 0;
  return () => { x = (x * 1664525 + 1013904223) >>> 0; return x / 2 ** 32; };
}

async function image(t: Parameters<typeof tempDir>[0]): Promise<Buffer> {
  const dir = await tempDir(t, 'tsm-isofuzz-');
  await makeTree(join(dir, 'src'), { 'boot/etfsboot.com': pattern(1, 2048), 'a/b/c/d.txt': 'deep', 'Ünï.txt': pattern(2, 5000), 'efi.img': pattern(3, 9000) }, ['empty']);
  await buildIsoImages({ sourcePath: join(dir, 'src'), path: join(dir, 'f.iso'), label: 'FUZZ', date: FIXED_DATE, biosBootFile: 'boot/etfsboot.com', uefiBootFile: 'efi.img' });
  return readFile(join(dir, 'f.iso'));
}

/** Opens and reads everything; returns 'ok' or 'format', rethrows anything else. */
async function exercise(buf: Buffer, opts: ReadIsoOptions): Promise<'ok' | 'format'> {
  try {
    const img = await readIsoFromSource(bufferSource(buf), opts);
    for (const f of img.files) {
      if (!(f.path.length > 0 && f.size >= 0 && Number.isSafeInteger(f.size))) throw new Error(`insane entry ${JSON.stringify(f)}`);
      if (f.size <= 1 << 20) {
        const data = await img.readFile(f.path);
        if (data.length !== f.size) throw new Error(`read ${data.length} of ${f.size}`);
      }
    }
    return 'ok';
  } catch (e) {
    if (e instanceof FormatError) return 'format';
    throw e;
  }
}

const within = <T>(p: Promise<T>, ms: number): Promise<T> => Promise.race([p, new Promise<T>((_, rej) => setTimeout(() => rej(new Error(`hang: no answer in ${ms} ms`)), ms).unref())]);

test('flipped bytes: FormatError or a sane result, never a crash or hang', async (t) => {
  const base = await image(t);
  t.is(await exercise(base, {}), 'ok');
  const rand = rng(1234);
  const metaEnd = 300 * 2048; // descriptors, UDF structures, path tables and directories live here
  const counts = { ok: 0, format: 0 };
  for (let i = 0; i < 1500; i++) {
    const b = Buffer.from(base);
    const flips = 1 + Math.floor(rand() * 8);
    for (let k = 0; k < flips; k++) {
      const at = 16 * 2048 + Math.floor(rand() * (metaEnd - 16 * 2048));
      b[at] = rand() < 0.5 ? b[at]! ^ (1 << Math.floor(rand() * 8)) : Math.floor(rand() * 256);
    }
    for (const fs of ['auto', 'iso9660', 'udf'] as const) counts[await within(exercise(b, { fileSystem: fs }), 5000)]++;
  }
  t.true(counts.format > 0 && counts.ok > 0, JSON.stringify(counts));
});

test('truncated images: FormatError or a sane result', async (t) => {
  const base = await image(t);
  const rand = rng(99);
  for (let i = 0; i < 150; i++) {
    const cut = Math.floor(rand() * base.length);
    for (const fs of ['auto', 'iso9660', 'udf'] as const) await within(exercise(base.subarray(0, cut), { fileSystem: fs }), 5000);
  }
  t.is(await exercise(base.subarray(0, 10), {}), 'format');
  t.pass();
});

test('hostile structures: a directory that points at itself, a name with a slash', async (t) => {
  const base = await image(t);
  const img = await readIsoFromSource(bufferSource(base), { fileSystem: 'iso9660' });
  t.true(img.directories.includes('A'));
  // find the record of directory A in the root and point it at the root's own extent
  const pvdRoot = base.readUInt32LE(16 * 2048 + 156 + 2);
  const root = base.subarray(pvdRoot * 2048, pvdRoot * 2048 + 2048);
  const loop = Buffer.from(base);
  let off = 0;
  while (root[off]) {
    const len = root[off]!;
    if (root[off + 32] === 1 && root[off + 33] === 0x41) loop.writeUInt32LE(pvdRoot, pvdRoot * 2048 + off + 2);
    off += len;
  }
  await t.throwsAsync(readIsoFromSource(bufferSource(loop), { fileSystem: 'iso9660' }), { instanceOf: FormatError, message: /loops/ });
  const slash = Buffer.from(base);
  off = 0;
  while (root[off]) {
    const len = root[off]!;
    if (root[off + 32] === 1 && root[off + 33] === 0x41) slash[pvdRoot * 2048 + off + 33] = 0x2f;
    off += len;
  }
  await t.throwsAsync(readIsoFromSource(bufferSource(slash), { fileSystem: 'iso9660' }), { instanceOf: FormatError, message: /unsafe name/ });
});
