// A sparse 4.5 GiB file with marks at a few offsets (around the 4 GiB - 2 KiB ISO extent edge
// and the 1 GiB UDF extent edges) comes back whole: 7-Zip streams it out of the UDF tree
// (compared with the sparse source by cmp, the cheapest full check), isoinfo shows the ISO 9660
// multi-extent records, udfinfo accepts the volume, and our reader reads the marks through
// UDF and through the multi-extent Joliet records.
import test from 'ava';
import { join } from 'node:path';
import { open, stat } from 'node:fs/promises';
import { run } from '../../helpers/run.js';
import { tempDir } from '../../helpers/tmp.js';
import { buildIsoImages } from '../../../lib/formats/iso/build-image.js';
import { readIsoImage } from '../../../lib/formats/iso/iso-reader.js';
import { makeTree, FIXED_DATE } from './fixtures.js';

const SIZE = 4.5 * 2 ** 30 + 1234;
const MARKS = [0, 2 ** 30 - 3, 0xffff_f800 - 5, 2 ** 32 + 17, SIZE - 16];
const mark = (i: number): Buffer => Buffer.from(`<mark ${i} @${MARKS[i]}>`.padEnd(16, '.').slice(0, 16));

async function bigIso(t: Parameters<typeof tempDir>[0]) {
  const dir = await tempDir(t, 'tsm-isobig-');
  const src = join(dir, 'src');
  await makeTree(src, { 'small.txt': 'before\n', 'zz-after.txt': 'after\n' });
  const fh = await open(join(src, 'install.wim'), 'w');
  await fh.truncate(SIZE);
  for (const [i, off] of MARKS.entries()) await fh.write(mark(i), 0, 16, off);
  await fh.close();
  const iso = join(dir, 'big.iso');
  await buildIsoImages({ sourcePath: src, path: iso, label: 'BIG', date: FIXED_DATE });
  return { dir, iso, source: join(src, 'install.wim') };
}

test('a 4.5 GiB file is stored whole: 7z, isoinfo, udfinfo and our reader agree', async (t) => {
  t.timeout(110_000);

  const { iso, source } = await bigIso(t);
  const s = await stat(iso);
  t.true(s.size > SIZE);
  t.true(s.blocks * 512 < 64 * 2 ** 20, 'zero runs are left as holes: the image is sparse');

  const info = await run('udfinfo', [iso]);
  t.is(info.code, 0, info.stderr);
  t.regex(info.stdout, /numfiles=3\b/);

  const l = await run('isoinfo', ['-l', '-i', iso]);
  t.is(l.code, 0, l.stderr);
  const records = l.stdout.split('\n').filter((x) => x.includes('INSTALL.WIM;1'));
  t.is(records.length, 2, l.stdout);
  t.regex(records[0]!, /\b4294965248\b/);
  t.regex(records[1]!, new RegExp(`\\b${SIZE - 4294965248}\\b`));

  // 7z streams the file out of the UDF tree; cmp compares it with the source byte for byte
  const cmp = await run('bash', ['-c', 'set -o pipefail; 7z e -so "$1" install.wim | cmp - "$2"', 'cmp', iso, source], { timeoutMs: 90_000 });
  t.is(cmp.code, 0, cmp.stdout + cmp.stderr);

  for (const fs of ['udf', 'joliet'] as const) {
    const img = await readIsoImage(iso, { fileSystem: fs });
    t.is(img.files.find((f) => f.path === 'install.wim')?.size, SIZE);
    for (const [i, off] of MARKS.entries()) t.true((await img.readFileRange('install.wim', off, 16)).equals(mark(i)), `${fs}: mark ${i}`);
    t.is((await img.readFile('zz-after.txt')).toString(), 'after\n');
    await img.close();
  }
});
