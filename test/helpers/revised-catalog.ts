// A small catalog for the cache-revision tests: content imported and revised through the CLI over
// three days, and media recorded between the revisions the way the media builder records them.
//
// Day 1  PS100001 WinPE (boot image), PS100002 Office {a.txt 4, b.txt 6, c/d.bin 10},
//        PS100003 Drivers {x.inf 4 'x-v1', y.sys 8}, PS100004 Legacy {old.txt 3}, PS100005 7-Zip {7z.exe 4}
//        media: M1 prestaged (all five), M5 prestaged (WinPE, Drivers), M4 stand-alone (WinPE, Office, 7-Zip)
// Day 2  Office v2: b.txt -> 8 bytes, new.txt 5 bytes added
//        Drivers v2: x.inf -> 12 bytes, y.sys removed
//        media: M2 prestaged (WinPE, Office v2, Drivers v2, 7-Zip)
// Day 3  Office v3: b.txt -> 16 bytes (its second change), a.txt -> 12 bytes
//        Drivers v3: x.inf back to 'x-v1', y.sys back, identical
//        Legacy removed from the catalog
//        media: M3 prestaged (everything current)
import type { ExecutionContext } from 'ava';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeCatalog } from '../../lib/catalog/catalog.js';
import { getContent } from '../../lib/catalog/content.js';
import { recordMedia } from '../../lib/catalog/media.js';
import type { MediaRecord } from '../../lib/catalog/media.js';
import type { MediaKind } from '../../lib/media/media-manifest.js';
import { fakeWimHeader, writeTree } from './sample-tree.js';
import { tempDir } from './tmp.js';
import { tsmedia } from './tsmedia.js';

export const DAY1 = new Date('2026-01-01T00:00:00Z');
export const DAY2 = new Date('2026-01-02T00:00:00Z');
export const DAY3 = new Date('2026-01-03T00:00:00Z');

export const BOOT = 'PS100001';
export const OFFICE = 'PS100002';
export const DRIVERS = 'PS100003';
export const LEGACY = 'PS100004';
export const ZIP = 'PS100005';

export const M1 = '11111111-1111-8111-8111-111111111111';
export const M2 = '22222222-2222-8222-8222-222222222222';
export const M3 = '33333333-3333-8333-8333-333333333333';
export const M4 = '44444444-4444-8444-8444-444444444444';
export const M5 = '55555555-5555-8555-8555-555555555555';

export interface RevisedCatalog { home: string; src: string; run(argv: readonly string[], when?: Date): ReturnType<typeof tsmedia> }

/** Records a medium holding the current revision of each item (as the builder does when it finishes). */
export async function recordMedium(home: string, when: Date, m: { id: string; path: string; kind: MediaKind; content: readonly string[] }): Promise<void> {
  await writeCatalog(home, when, (db) => {
    const content = m.content.map((id) => {
      const c = getContent(db, id);
      return { Id: c.Id, Name: c.Name, Type: c.Type, SourceVersion: c.SourceVersion, FileCount: c.FileCount, SizeBytes: c.SizeBytes };
    });
    const record: MediaRecord = {
      MediaId: m.id, Kind: m.kind, MediaType: m.kind === 'Prestaged' ? 'Wim' : 'Usb', Path: m.path, VolumeCount: 1,
      SizeBytes: content.reduce((s, c) => s + c.SizeBytes, 0), SiteCode: 'PS1', TaskSequenceId: null, BootImageId: BOOT,
      ContentEncrypted: false, Created: when.toISOString(), Content: content,
    };
    recordMedia(db, record);
  });
}

export async function revisedCatalog(t: ExecutionContext): Promise<RevisedCatalog> {
  const home = await tempDir(t);
  const src = await tempDir(t);
  const run = async (argv: readonly string[], when = DAY1): ReturnType<typeof tsmedia> => {
    const r = await tsmedia(home, argv, { SOURCE_DATE_EPOCH: String(when.getTime() / 1000) });
    if (r.code !== 0) throw new Error(`${argv.join(' ')} failed: ${r.stderr}`);
    return r;
  };
  await writeTree(src, {
    'boot.wim': fakeWimHeader(1),
    'office/a.txt': 'aaaa', 'office/b.txt': 'bbbbbb', 'office/c/d.bin': '0123456789',
    'drivers/x.inf': 'x-v1', 'drivers/y.sys': 'yyyyyyyy',
    'legacy/old.txt': 'old',
    '7zip/7z.exe': '7zip',
  });
  await run(['New-CMBootImage', '-Name', 'WinPE', '-Path', join(src, 'boot.wim')]);
  await run(['New-CMPackage', '-Name', 'Office', '-Path', join(src, 'office')]);
  await run(['New-CMDriverPackage', '-Name', 'Drivers', '-Path', join(src, 'drivers')]);
  await run(['New-CMPackage', '-Name', 'Legacy', '-Path', join(src, 'legacy')]);
  await run(['New-CMApplication', '-Name', '7-Zip', '-ContentLocation', join(src, '7zip')]);
  await recordMedium(home, DAY1, { id: M1, path: '/media/m1.wim', kind: 'Prestaged', content: [BOOT, OFFICE, DRIVERS, LEGACY, ZIP] });
  await recordMedium(home, DAY1, { id: M5, path: '/media/m5.wim', kind: 'Prestaged', content: [BOOT, DRIVERS] });
  await recordMedium(home, DAY1, { id: M4, path: '/media/m4.img', kind: 'StandAlone', content: [BOOT, OFFICE, ZIP] });

  await writeTree(src, { 'office/b.txt': 'BBBBBBBB', 'office/new.txt': 'new!!', 'drivers/x.inf': 'x-v2-changed' });
  await rm(join(src, 'drivers/y.sys'));
  await run(['Update-CMContent', '-Id', OFFICE], DAY2);
  await run(['Update-CMContent', '-Id', DRIVERS], DAY2);
  await recordMedium(home, DAY2, { id: M2, path: '/media/m2.wim', kind: 'Prestaged', content: [BOOT, OFFICE, DRIVERS, ZIP] });

  await writeTree(src, { 'office/b.txt': 'bbbbbbbbbbbbbbbb', 'office/a.txt': 'AAAAAAAAAAAA', 'drivers/x.inf': 'x-v1', 'drivers/y.sys': 'yyyyyyyy' });
  await run(['Update-CMContent', '-Id', OFFICE], DAY3);
  await run(['Update-CMContent', '-Id', DRIVERS], DAY3);
  await run(['Remove-CMPackage', '-Id', LEGACY], DAY3);
  await recordMedium(home, DAY3, { id: M3, path: '/media/m3.wim', kind: 'Prestaged', content: [BOOT, OFFICE, DRIVERS, ZIP] });
  return { home, src, run };
}
