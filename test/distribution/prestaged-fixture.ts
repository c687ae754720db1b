// A small catalog with a boot image, two packages and a driver package imported through the
// cmdlets, and an applied prestaged cache made from it in the exact layout of
// lib/distribution/prestaged-cache.ts. revise() changes one driver file (Update-CMContent) and
// removes one package file from the cache: the scenario of issue 6's proof.
import type { ExecutionContext } from 'ava';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { readCatalog } from '../../lib/catalog/catalog.js';
import { blobLocation, getContent, getManifest } from '../../lib/catalog/content.js';
import { readBlob } from '../../lib/content/library.js';
import { cachePathOf, MANIFEST_PATH } from '../../lib/distribution/prestaged-cache.js';
import { deriveMediaId, writeManifest } from '../../lib/media/media-manifest.js';
import type { MediaItem } from '../../lib/media/media-manifest.js';
import { fakeWimHeader, pseudoRandomBytes, writeTree } from '../helpers/sample-tree.js';
import { tempDir } from '../helpers/tmp.js';
import { tsmedia } from '../helpers/tsmedia.js';

export const NOW = new Date('2026-01-01T00:00:00Z');

export interface Library {
  home: string;
  boot: string;
  apps: string;
  drivers: string;
  tools: string;
  driverSource: string;
}

async function newContent(t: ExecutionContext, home: string, cmdlet: string, name: string, path: string): Promise<string> {
  const r = await tsmedia(home, [cmdlet, '-Name', name, '-Path', path, '-OutputFormat', 'Json']);
  t.is(r.code, 0, r.stderr);
  return r.json<{ Id: string }>().Id;
}

export async function makeLibrary(t: ExecutionContext): Promise<Library> {
  const home = await tempDir(t, 'tsm-dp-home-');
  const src = await tempDir(t, 'tsm-dp-src-');
  await writeTree(src, {
    'boot.wim': Buffer.concat([fakeWimHeader(1), pseudoRandomBytes(5000, 7)]),
    'apps/setup.exe': pseudoRandomBytes(70_000, 11),
    'apps/config/app.ini': '[app]\nname=demo\n',
    'drivers/net/e1000.inf': '[Version]\nSignature="$Windows NT$"\n',
    'drivers/net/e1000.sys': pseudoRandomBytes(120_000, 13),
    'drivers/video/gfx.sys': pseudoRandomBytes(40_000, 17),
    'tools/tool.exe': pseudoRandomBytes(30_000, 19),
    'tools/readme.txt': 'tools\n',
  });
  return {
    home,
    boot: await newContent(t, home, 'New-CMBootImage', 'WinPE', join(src, 'boot.wim')),
    apps: await newContent(t, home, 'New-CMPackage', 'Apps', join(src, 'apps')),
    drivers: await newContent(t, home, 'New-CMDriverPackage', 'Net drivers', join(src, 'drivers')),
    tools: await newContent(t, home, 'New-CMPackage', 'Tools', join(src, 'tools')),
    driverSource: join(src, 'drivers'),
  };
}

/** Writes an applied prestaged medium holding the current revision of every item. */
export async function makeAppliedCache(t: ExecutionContext, lib: Library): Promise<string> {
  const root = await tempDir(t, 'tsm-dp-applied-');
  const items = await readCatalog(lib.home, NOW, async (db) => {
    const out: MediaItem[] = [];
    for (const id of [lib.boot, lib.apps, lib.drivers, lib.tools]) {
      const item = getContent(db, id);
      const files = getManifest(db, id, item.SourceVersion);
      for (const f of files) {
        const abs = join(root, cachePathOf(item, { Path: f.path }));
        await mkdir(dirname(abs), { recursive: true });
        await writeFile(abs, await readBlob(lib.home, blobLocation(db, f.sha256)));
      }
      out.push({ Id: item.Id, Name: item.Name, Type: item.Type, SourceVersion: item.SourceVersion, Files: files.map((f) => ({ Path: f.path, Size: f.size, Sha256: f.sha256 })) });
    }
    return out;
  });
  const mediaId = deriveMediaId({ kind: 'Prestaged', taskSequenceId: null, items, parameters: {} });
  await mkdir(join(root, 'SMS', 'data'), { recursive: true });
  await writeFile(join(root, MANIFEST_PATH), writeManifest({
    MediaKind: 'Prestaged', MediaId: mediaId, Created: NOW.toISOString(), TaskSequence: null, ContentEncrypted: false, Items: items, BootEntries: [],
  }));
  return root;
}

export const CHANGED_DRIVER = pseudoRandomBytes(125_000, 23);
export const REMOVED_FILE = 'SMS/PKG/{tools}/tool.exe';

/** Revises the driver package (one file changed) and deletes one file of Tools from the cache. */
export async function revise(t: ExecutionContext, lib: Library, root: string): Promise<void> {
  await writeFile(join(lib.driverSource, 'net/e1000.sys'), CHANGED_DRIVER);
  const r = await tsmedia(lib.home, ['Update-CMContent', '-Id', lib.drivers, '-OutputFormat', 'Json']);
  t.is(r.code, 0, r.stderr);
  t.is(r.json<{ SourceVersion: number }>().SourceVersion, 2);
  await rm(join(root, REMOVED_FILE.replace('{tools}', lib.tools)));
}
