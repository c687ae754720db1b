// Interop with independent XPRESS implementations: we decode every chunk wimlib writes, and
// wimlib (verify + apply) and 7-Zip read WIMs whose file resources we recompressed.
import test from 'ava';
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createXpressCompressor, xpressDecompress } from '../../../lib/formats/wim/xpress.js';
import { run } from '../../helpers/run.js';
import { tempDir } from '../../helpers/tmp.js';
import { binary, randomBytes, text } from './xpress-samples.js';

// Just enough WIM to find resources (research wim-format.md §1.2–1.5).
const HEADER_CHUNK_SIZE = 0x14; // chunk size  4 bytes
const HEADER_BLOB_TABLE = 0x30; // reshdr  24 bytes
const BLOB_ENTRY_SIZE = 50;
const RESHDR_COMPRESSED = 0x04;
const RESHDR_METADATA = 0x02;

interface Reshdr { sizeInWim: number; flags: number; offset: number; originalSize: number }

function readReshdr(b: Buffer, at: number): Reshdr {
  return {
    sizeInWim: b.readUIntLE(at, 6) + b[at + 6]! * 2 ** 48,
    flags: b[at + 7]!,
    offset: Number(b.readBigUInt64LE(at + 8)),
    originalSize: Number(b.readBigUInt64LE(at + 16)),
  };
}

function writeReshdr(b: Buffer, at: number, r: Reshdr): void {
  b.writeUIntLE(r.sizeInWim, at, 6);
  b[at + 6] = 0;
  b[at + 7] = r.flags;
  b.writeBigUInt64LE(BigInt(r.offset), at + 8);
  b.writeBigUInt64LE(BigInt(r.originalSize), at + 16);
}

/** Chunks of a compressed resource (4-byte chunk table: our resources stay below 4 GiB). */
function chunksOf(wim: Buffer, r: Reshdr, chunkSize: number): { stored: Buffer; usize: number }[] {
  const n = Math.ceil(r.originalSize / chunkSize);
  const tableSize = (n - 1) * 4;
  const dataStart = r.offset + tableSize;
  const starts = [0];
  for (let i = 0; i < n - 1; i++) starts.push(wim.readUInt32LE(r.offset + 4 * i));
  starts.push(r.sizeInWim - tableSize);
  return starts.slice(0, n).map((s, i) => ({
    stored: wim.subarray(dataStart + s, dataStart + starts[i + 1]!),
    usize: Math.min(chunkSize, r.originalSize - i * chunkSize),
  }));
}

async function makeTree(dir: string): Promise<Map<string, Uint8Array>> {
  const files = new Map<string, Uint8Array>([
    ['text.txt', text(200_000, 1)],
    ['node-slice.bin', binary(300_000)],
    ['zeros.bin', new Uint8Array(100_000)],
    ['random.bin', randomBytes(40_000, 2)],
    ['small.txt', text(5_000, 3)],
    ['one.txt', Uint8Array.of(0x21)],
  ]);
  await mkdir(dir);
  for (const [name, data] of files) await writeFile(join(dir, name), data);
  return files;
}

for (const chunkSize of [32768, 65536]) {
  test(`wimlib XPRESS WIM (${chunkSize / 1024} KiB chunks): we decode every chunk, wimlib and 7-Zip read our recompressed chunks`, async (t) => {
    const dir = await tempDir(t, 'tsm-xpress-');
    const src = join(dir, 'src');
    const files = await makeTree(src);
    const wimPath = join(dir, 'x.wim');
    const cap = await run('wimlib-imagex', ['capture', src, wimPath, '--compress=XPRESS', `--chunk-size=${chunkSize}`]);
    t.is(cap.code, 0, cap.stderr);
    const wim = await readFile(wimPath);
    t.is(wim.readUInt32LE(HEADER_CHUNK_SIZE), chunkSize);
    const bt = readReshdr(wim, HEADER_BLOB_TABLE);

    // 1. our decoder on wimlib's encoder
    let decoded = 0;
    const compressor = createXpressCompressor({ maxChunkSize: chunkSize });
    const patches: { entryAt: number; hdr: Reshdr; bytes: Buffer }[] = [];
    for (let e = bt.offset; e + BLOB_ENTRY_SIZE <= bt.offset + bt.originalSize; e += BLOB_ENTRY_SIZE) {
      const r = readReshdr(wim, e);
      const sha1 = wim.subarray(e + 30, e + 50).toString('hex');
      if (!(r.flags & RESHDR_COMPRESSED)) continue;
      const parts: Uint8Array[] = [];
      for (const { stored, usize } of chunksOf(wim, r, chunkSize)) {
        if (stored.length === usize) parts.push(stored);
        else { parts.push(xpressDecompress(stored, usize)); decoded++; }
      }
      const data = Buffer.concat(parts);
      t.is(createHash('sha1').update(data).digest('hex'), sha1, `blob at ${r.offset}`);
      if (r.flags & RESHDR_METADATA) continue;

      // 2. the same blob recompressed by us, to be appended to the file
      const table: Buffer[] = [];
      const body: Buffer[] = [];
      let pos = 0;
      for (let o = 0; o < data.length; o += chunkSize) {
        if (o > 0) { const b = Buffer.alloc(4); b.writeUInt32LE(pos); table.push(b); }
        const chunk = data.subarray(o, o + chunkSize);
        const c = compressor.compress(chunk);
        body.push(c ? Buffer.from(c) : chunk);
        pos += (c ?? chunk).length;
      }
      const bytes = Buffer.concat([...table, ...body]);
      if (bytes.length >= data.length) continue; // wimlib would store it raw; keep its copy
      patches.push({ entryAt: e, hdr: { ...r, sizeInWim: bytes.length }, bytes });
    }
    t.true(decoded >= 10, `${decoded} compressed chunks decoded`);
    t.true(patches.length >= 3, `${patches.length} blobs recompressed`);

    // 3. point the blob table at our resources, appended after everything else
    const patched = Buffer.from(wim);
    const tail: Buffer[] = [];
    let end = patched.length;
    for (const p of patches) {
      writeReshdr(patched, p.entryAt, { ...p.hdr, offset: end });
      tail.push(p.bytes);
      end += p.bytes.length;
    }
    const ours = join(dir, 'ours.wim');
    await writeFile(ours, Buffer.concat([patched, ...tail]));
    const verify = await run('wimlib-imagex', ['verify', ours]);
    t.is(verify.code, 0, verify.stdout + verify.stderr);
    const applied = join(dir, 'applied');
    const apply = await run('wimlib-imagex', ['apply', ours, '1', applied]);
    t.is(apply.code, 0, apply.stderr);
    const sevenDir = join(dir, 'seven');
    const seven = await run('7z', ['x', '-y', `-o${sevenDir}`, ours]);
    t.is(seven.code, 0, seven.stdout + seven.stderr);
    for (const [name, data] of files) {
      t.deepEqual(new Uint8Array(await readFile(join(applied, name))), data, `wimlib: ${name}`);
      t.deepEqual(new Uint8Array(await readFile(join(sevenDir, name))), data, `7-Zip: ${name}`);
    }
  });
}
