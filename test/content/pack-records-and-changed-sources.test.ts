import test from 'ava';
import { createHash } from 'node:crypto';
import { closeSync, openSync, writeSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { importFiles } from '../../lib/content/import.js';
import { PACK_MAGIC, PackWriter, packsDir, RECORD_HEADER_BYTES, recordHeader } from '../../lib/content/library.js';
import { scanSourceFolder } from '../../lib/content/source-tree.js';
import type { SourceFile } from '../../lib/content/source-tree.js';
import { TsmediaError } from '../../lib/errors.js';
import { closePool } from '../../lib/pool/pool.js';
import { tempDir } from '../helpers/tmp.js';
import { pseudoRandomBytes, writeTree } from '../helpers/sample-tree.js';

test.after.always(closePool);
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const none = { known: () => new Set<string>() }; // an empty library
/** An empty library that says so for sizes too: large files are copied while they are hashed. */
const noneBySize = { ...none, mayHoldSize: () => false };
const modes = [['hashed before they are copied', none], ['copied as they are hashed', noneBySize]] as const;

/** Walks a pack by its record headers: the blobs it holds, in order. */
function walkPack(pack: Buffer): { sha256: string; data: Buffer }[] {
  const out = [];
  let at = PACK_MAGIC.length;
  while (at < pack.length) {
    if (pack.toString('latin1', at, at + 4) !== 'TSMB') throw new Error(`no record header at ${at}`);
    const size = Number(pack.readBigUInt64LE(at + 4));
    const sha256 = pack.toString('hex', at + 12, at + 44);
    out.push({ sha256, data: pack.subarray(at + 44, at + 44 + size) });
    at += 44 + size;
  }
  return out;
}

for (const [mode, opts] of modes) test(`the pack holds each distinct file once, every record headed by its size and SHA-256 (large files ${mode})`, async (t) => {
  const home = await tempDir(t);
  const src = await tempDir(t);
  // small files around and above one pack write (256 KiB), a duplicate, an empty file, large ones:
  // a copy of one, and one of the same size with other bytes
  const tree: Record<string, Buffer> = {
    'a.bin': pseudoRandomBytes(300_000, 1),
    'b.bin': pseudoRandomBytes(1_500_000, 2),
    'c/dup-of-a.bin': pseudoRandomBytes(300_000, 1),
    'd.txt': Buffer.from('tiny'),
    'e.txt': Buffer.alloc(0),
    'large.bin': pseudoRandomBytes(5 * 1024 * 1024 + 11, 3),
    'large-copy.bin': pseudoRandomBytes(5 * 1024 * 1024 + 11, 3),
    'large-same-size.bin': pseudoRandomBytes(5 * 1024 * 1024 + 11, 5),
  };
  for (let i = 0; i < 600; i++) tree[`many/f${i}.txt`] = Buffer.from(`file ${i % 500}`); // more than one batch, with repeats
  await writeTree(src, tree);
  const { files } = await scanSourceFolder(src);
  const outcome = await importFiles(home, files, opts);

  t.is(outcome.manifest.length, Object.keys(tree).length);
  for (const f of outcome.manifest) t.is(f.sha256, sha(tree[f.path]!), f.path);
  const distinct = new Set(Object.values(tree).map(sha));
  const [name, ...others] = await readdir(packsDir(home));
  t.deepEqual(others, []);
  const pack = await readFile(join(packsDir(home), name!));
  t.true(pack.subarray(0, PACK_MAGIC.length).equals(PACK_MAGIC));
  const records = walkPack(pack);
  t.is(records.length, distinct.size, 'each distinct content once');
  t.deepEqual(records.map((r) => r.sha256).sort(), [...distinct].sort());
  for (const r of records) t.is(sha(r.data), r.sha256);
  // the locations recorded for the catalog are the records' data
  for (const b of outcome.newBlobs) t.is(sha(pack.subarray(b.offset, b.offset + b.size)), b.sha256);
});

for (const [kind, size, delta, opts] of [['small', 1000, -1, none], ['small', 1000, 1, none], ['large', 5 * 1024 * 1024, -1, none], ['large', 5 * 1024 * 1024, 1, none], ['large (copied as hashed)', 5 * 1024 * 1024, -1, noneBySize], ['large (copied as hashed)', 5 * 1024 * 1024, 1, noneBySize]] as const) {
  test(`a ${kind} file that ${delta < 0 ? 'grew' : 'shrank'} after it was listed is refused and no pack is left`, async (t) => {
    const home = await tempDir(t);
    const src = await tempDir(t);
    await writeTree(src, { 'before.txt': 'x', 'changing.bin': pseudoRandomBytes(size, 4), 'after.txt': 'y' });
    const { files } = await scanSourceFolder(src);
    // as if the file had changed size between the listing and the read
    const listed: SourceFile[] = files.map((f) => (f.path === 'changing.bin' ? { ...f, size: f.size + delta } : f));
    const err = await t.throwsAsync(importFiles(home, listed, opts));
    t.true(err instanceof TsmediaError);
    t.is((err as TsmediaError).code, 'ESOURCE_CHANGED');
    t.regex(err!.message, /changing\.bin/);
    t.deepEqual(await readdir(packsDir(home)), []);
  });
}

test('a pack flushed in the background while it is written finishes whole; one aborted during a flush is removed', async (t) => {
  const home = await tempDir(t);
  const blobs = Array.from({ length: 20 }, (_, i) => pseudoRandomBytes(3000 + i, 100 + i));
  const writeAll = async (w: PackWriter, list: Buffer[]): Promise<void> => {
    const fd = openSync(w.path, 'r+');
    try {
      for (const data of list) {
        const digest = createHash('sha256').update(data).digest();
        const loc = w.reserve(digest.toString('hex'), data.length);
        writeSync(fd, Buffer.concat([recordHeader(digest, data.length), data]), 0, RECORD_HEADER_BYTES + data.length, loc.offset - RECORD_HEADER_BYTES);
        w.wrote(RECORD_HEADER_BYTES + data.length); // past 4 KiB: a flush starts while the next records are written
        await new Promise((resolve) => setImmediate(resolve));
      }
    } finally {
      closeSync(fd);
    }
  };
  const whole = await PackWriter.create(home, { syncEvery: 4096 });
  await writeAll(whole, blobs);
  t.true(await whole.finish());
  t.deepEqual(walkPack(await readFile(whole.path)).map((r) => r.data), blobs);

  const aborted = await PackWriter.create(home, { syncEvery: 1 });
  await writeAll(aborted, blobs.slice(0, 1));
  await aborted.abort();
  t.deepEqual(await readdir(packsDir(home)), [whole.name]);
});
