// Same tree and date, same bytes; the serial and disk signature follow the content, not a clock.
import test from 'ava';
import { join } from 'node:path';
import { readFile, utimes } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { tempDir } from '../../helpers/tmp.js';
import { writeUsbImage } from '../../../lib/formats/disk/usb-writer.js';
import { readUsbImage } from '../../../lib/formats/disk/usb-reader.js';
import { makeTree, sampleTree, FIXED_DATE } from './fixtures.js';

const sha = async (p: string): Promise<string> => createHash('sha256').update(await readFile(p)).digest('hex');

test('two builds of one tree are byte-identical; a change of content or date changes them', async (t) => {
  const dir = await tempDir(t, 'tsm-usbdet-');
  const a = join(dir, 'a');
  const b = join(dir, 'b');
  await makeTree(a, sampleTree());
  await makeTree(b, sampleTree());
  await utimes(join(b, 'big.dat'), new Date('2001-01-01'), new Date('2001-01-01')); // file times do not matter
  const build = async (src: string, name: string, date = FIXED_DATE): Promise<string> => {
    const out = join(dir, name);
    await writeUsbImage({ sourcePath: src, outPath: out, date });
    return out;
  };
  const one = await build(a, 'one.img');
  const two = await build(b, 'two.img');
  t.is(await sha(one), await sha(two));
  const later = await build(a, 'later.img', new Date('2027-06-01T00:00:00Z'));
  t.not(await sha(later), await sha(one));
  await makeTree(b, { 'extra.txt': 'more' });
  const three = await build(b, 'three.img');
  const [r1, r3] = [await readUsbImage(one), await readUsbImage(three)];
  t.not(r1.volumeId, r3.volumeId, 'the serial follows the content');
  t.not((await readFile(one)).readUInt32LE(440), (await readFile(three)).readUInt32LE(440), 'so does the disk signature');
});
