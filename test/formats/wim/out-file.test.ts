import test from 'ava';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OutFile } from '../../../lib/formats/wim/out-file.js';

test('a durable out file is written, cut, synced and closed once: a later close cannot hit a reused descriptor', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tsm-outfile-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const out = new OutFile(join(dir, 'a.wim'), 'wx', { durable: true });
  const block = new Uint8Array(1 << 20).fill(7);
  for (let i = 0; i < 70; i++) out.write(block); // past one background flush (64 MiB)
  out.rewind(out.pos - 5);
  out.patch(0, new Uint8Array([1, 2, 3]));
  out.finish(true);
  await new Promise((done) => setTimeout(done, 50)); // the deferred close has run
  // the descriptor number is free again; a second close of the out file must leave this one alone
  const other = openSync(join(dir, 'b'), 'w');
  out.close();
  t.notThrows(() => writeSync(other, 'still open'));
  closeSync(other);
  t.is(readFileSync(join(dir, 'b'), 'utf8'), 'still open');
  const data = readFileSync(join(dir, 'a.wim'));
  t.is(data.length, 70 * (1 << 20) - 5);
  t.deepEqual([...data.subarray(0, 4)], [1, 2, 3, 7]);
});
