// The reader never trusts an image: flipped bytes in the MBR, boot sector, FAT and directories,
// truncation, cyclic chains and directory loops give a FormatError or a sane result, never a
// RangeError/TypeError, a hang or an unbounded allocation.
import test from 'ava';
import { join } from 'node:path';
import { open, type FileHandle } from 'node:fs/promises';
import { tempDir } from '../../helpers/tmp.js';
import { writeUsbImage } from '../../../lib/formats/disk/usb-writer.js';
import { readUsbImage } from '../../../lib/formats/disk/usb-reader.js';
import { FormatError } from '../../../lib/errors.js';
import { makeTree, bytes, FIXED_DATE } from './fixtures.js';

const MIB = 1048576;
/** Everything the writer puts in a small image lies in its first 3 MiB (the rest is free space). */
const SAVED = 3 * MIB;

interface Fixture { img: string; saved: Buffer; size: number; fatAt: number; dataAt: number; clusterSize: number }

async function fixture(t: import('ava').ExecutionContext): Promise<Fixture> {
  const dir = await tempDir(t, 'tsm-usbfuzz-');
  const src = join(dir, 'src');
  const tree: Record<string, Buffer | string> = { 'a.bin': bytes(5000, 1), 'sub/b.txt': 'bee', 'sub/deeper/c with a long name.txt': bytes(1500, 2), 'empty/': '' };
  for (let i = 0; i < 20; i++) tree[`sub/file number ${i}.dat`] = bytes(100 + i, i);
  await makeTree(src, tree);
  const img = join(dir, 'u.img');
  const r = await writeUsbImage({ sourcePath: src, outPath: img, date: FIXED_DATE });
  const h = await open(img, 'r');
  const saved = Buffer.alloc(SAVED);
  await h.read(saved, 0, SAVED, 0);
  await h.close();
  const bs = saved.subarray(MIB, MIB + 512);
  const reserved = bs.readUInt16LE(14);
  const fatSectors = bs.readUInt32LE(36);
  return { img, saved, size: r.imageBytes, fatAt: MIB + reserved * 512, dataAt: MIB + (reserved + 2 * fatSectors) * 512, clusterSize: r.clusterSize };
}

async function restore(h: FileHandle, f: Fixture): Promise<void> {
  await h.truncate(f.size);
  await h.write(f.saved, 0, SAVED, 0);
}

/** Reads everything; returns 'ok' or 'format', rethrows anything else. */
async function readAll(img: string): Promise<'ok' | 'format'> {
  try {
    const r = await readUsbImage(img);
    for (const f of r.files) {
      if (!(f.size >= 0 && f.size <= 0xffffffff)) throw new Error(`insane size ${f.size}`);
      const data = await r.readFile(f.path);
      if (data.length !== f.size) throw new Error(`${f.path}: read ${data.length} of ${f.size} bytes`);
    }
    return 'ok';
  } catch (err) {
    if (err instanceof FormatError) return 'format';
    throw err;
  }
}

function withDeadline<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([p, new Promise<T>((_, reject) => { timer = setTimeout(() => reject(new Error(`${what}: no answer in ${ms} ms (a hang)`)), ms); })])
    .finally(() => clearTimeout(timer));
}

test('random byte flips in every metadata area: FormatError or a sane result', async (t) => {
  const f = await fixture(t);
  t.is(await readAll(f.img), 'ok');
  const regions: [number, number][] = [[0, 512], [MIB, MIB + 512], [f.fatAt, f.fatAt + 512], [f.dataAt, f.dataAt + 8 * f.clusterSize]];
  let seed = 12345;
  const rnd = (n: number): number => { seed = (seed * 1103515245 + 12345) >>> 0; return seed % n; };
  const outcomes = { ok: 0, format: 0 };
  const h = await open(f.img, 'r+');
  try {
    for (let i = 0; i < 400; i++) {
      const [lo, hi] = regions[i % regions.length]!;
      const flips = 1 + rnd(6);
      for (let k = 0; k < flips; k++) await h.write(Buffer.from([rnd(256)]), 0, 1, lo + rnd(hi - lo));
      outcomes[await withDeadline(readAll(f.img), 5000, `iteration ${i}`)]++;
      await restore(h, f);
    }
  } finally {
    await h.close();
  }
  t.true(outcomes.format > 20, JSON.stringify(outcomes));
  t.true(outcomes.ok > 20, JSON.stringify(outcomes));
});

test('truncated images', async (t) => {
  const f = await fixture(t);
  const h = await open(f.img, 'r+');
  try {
    for (const len of [0, 100, 511, 512, MIB, MIB + 512, f.fatAt + 100, f.dataAt + 10, f.dataAt + 40 * f.clusterSize]) {
      await h.truncate(len);
      t.is(await withDeadline(readAll(f.img), 5000, `length ${len}`), 'format', `length ${len}`);
      await restore(h, f);
    }
  } finally {
    await h.close();
  }
});

test('cyclic FAT chains, a directory that contains its parent, and huge sizes', async (t) => {
  const f = await fixture(t);
  const h = await open(f.img, 'r+');
  const u32 = Buffer.alloc(4);
  const put = async (at: number, v: number): Promise<void> => { u32.writeUInt32LE(v >>> 0); await h.write(u32, 0, 4, at); };
  try {
    // root directory (cluster 2) chained to itself
    await put(f.fatAt + 2 * 4, 2);
    t.is(await withDeadline(readAll(f.img), 5000, 'root loop'), 'format');
    await restore(h, f);
    // every used cluster points back to cluster 3: a cycle in some file or directory
    for (let c = 4; c < 60; c++) await put(f.fatAt + c * 4, 3);
    t.is(await withDeadline(readAll(f.img), 5000, 'cycle'), 'format');
    await restore(h, f);
    // the first sub-directory's first entry after '.' and '..' points back at the root cluster
    const root = f.saved.subarray(f.dataAt, f.dataAt + f.clusterSize);
    let entry = -1;
    for (let off = 32; off < root.length; off += 32) if ((root[off + 11]! & 0x3f) === 0x10) { entry = off; break; }
    t.true(entry > 0);
    await h.write(Buffer.from([0, 0]), 0, 2, f.dataAt + entry + 20);
    await h.write(Buffer.from([2, 0]), 0, 2, f.dataAt + entry + 26);
    t.is(await withDeadline(readAll(f.img), 5000, 'dir loop'), 'format');
    await restore(h, f);
    // a file claiming 4 GiB - 1 bytes
    for (let off = 0; off < root.length; off += 32) {
      if (root[off] !== 0 && root[off + 11] === 0x20) await put(f.dataAt + off + 28, 0xffffffff);
    }
    t.is(await withDeadline(readAll(f.img), 5000, 'huge size'), 'format');
  } finally {
    await h.close();
  }
});
