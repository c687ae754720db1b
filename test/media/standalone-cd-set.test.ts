// A stand-alone CD/DVD set: content larger than one disc spreads over OUT.iso, OUT-2.iso, ...;
// every content file lands on exactly one volume, volume 1 boots and holds SMS\data, and a file
// larger than one disc is refused before anything is written.
import test from 'ava';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readIsoImage } from '../../lib/formats/iso/iso-reader.js';
import { pseudoRandomBytes, writeTree } from '../helpers/sample-tree.js';
import { sampleSite } from './sample-site.js';

test('content spreads over three volumes, each file on exactly one, volume 1 bootable', async (t) => {
  const site = await sampleSite(t);
  // three packages of ~1.2 MB each on 3 MB discs: no two fit one disc (volume 1 also holds the
  // 1.4 MB efisys.bin and the boot image)
  const extra: string[] = [];
  for (const n of [1, 2, 3]) {
    await writeTree(join(site.sources, `big${n}`), { [`part${n}.bin`]: pseudoRandomBytes(1_250_000, 10 + n), [`small${n}.txt`]: `small ${n}` });
    extra.push((await site.ok(['New-CMPackage', '-Name', `Big ${n}`, '-Path', join(site.sources, `big${n}`)])).Id);
  }
  const iso = join(site.dir, 'set.iso');
  const built = await site.ok(['New-CMStandaloneMedia', '-TaskSequence', 'Deploy', '-MediaType', 'CdDvd', '-Path', iso, '-MediaSize', '3MB', '-Package', extra.join(',')]);
  t.true(built.VolumeCount >= 3, `volumes: ${built.VolumeCount}`);
  t.deepEqual(built.Volumes, [iso, join(site.dir, 'set-2.iso'), join(site.dir, 'set-3.iso'), ...built.Volumes.slice(3)]);
  const seen = new Map<string, number[]>();
  for (const [i, vol] of built.Volumes.entries()) {
    const img = await readIsoImage(vol);
    try {
      t.true(img.totalSectors * 2048 <= 3 * 1024 * 1024, `volume ${i + 1} fits its disc`);
      if (i === 0) {
        t.is(img.bootEntries.length, 2, 'volume 1 boots');
        t.true(img.files.some((f) => f.path.toUpperCase() === 'SMS/DATA/MEDIAMANIFEST.JSON'));
      } else {
        t.is(img.bootEntries.length, 0);
      }
      for (const f of img.files) if (f.path.toUpperCase().startsWith('SMS/PKG/')) seen.set(f.path.toUpperCase(), [...(seen.get(f.path.toUpperCase()) ?? []), i + 1]);
    } finally {
      await img.close();
    }
  }
  const info = await site.ok(['Get-TSMediaInfo', '-Path', iso]);
  const expected = info.Content.filter((c: { Type: string }) => c.Type !== 'BootImage').reduce((s: number, c: { FileCount: number }) => s + c.FileCount, 0);
  t.is(seen.size, expected, 'every content file is on the set');
  for (const [path, vols] of seen) t.is(vols.length, 1, `${path} is on volumes ${vols.join(', ')}`);
  for (const n of [1, 2, 3]) t.is(seen.get(`SMS/PKG/${extra[n - 1]}/PART${n}.BIN`)?.length, 1);
});

test('a file larger than one disc is refused and nothing is written', async (t) => {
  const site = await sampleSite(t);
  await writeTree(join(site.sources, 'huge'), { 'huge.bin': pseudoRandomBytes(3_000_000, 7) });
  const id = (await site.ok(['New-CMPackage', '-Name', 'Huge', '-Path', join(site.sources, 'huge')])).Id;
  const iso = join(site.dir, 'set.iso');
  const r = await site.run(['New-CMStandaloneMedia', '-TaskSequence', 'Deploy', '-MediaType', 'CdDvd', '-Path', iso, '-MediaSize', '2MB', '-Package', id]);
  t.not(r.code, 0);
  t.regex(r.stderr, /larger -MediaSize/);
  t.is(r.stderr.trim().split('\n').length, 1, 'one error line');
  t.false(existsSync(iso));
  t.deepEqual(await site.ok(['Get-TSMedia']), [], 'nothing recorded');
});
