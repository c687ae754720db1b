// Edge: what a built medium says about itself, read from wherever it is: a folder (a medium
// applied to a disk or copied off a stick), an ISO (volume 1 of a set), a USB image or a
// prestaged WIM. Only SMS\data is read; every reader distrusts its input.
import { open, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { NotFoundError, TsmediaError } from '../errors.js';
import { readUsbImage } from '../formats/disk/usb-reader.js';
import { readIsoImage } from '../formats/iso/iso-reader.js';
import { WIM_MAGIC } from '../formats/wim/header.js';
import { openWim, readFileFromWim } from '../formats/wim/reader.js';
import { parseBootstrap } from './bootstrap.js';
import type { BootstrapSettings } from './bootstrap.js';
import { MAX_MANIFEST_SIZE, parseManifest } from './media-manifest.js';
import type { MediaManifest } from './media-manifest.js';

export type MediaContainer = 'Folder' | 'Iso' | 'Usb' | 'Wim';

export interface MediaDataFiles {
  Container: MediaContainer;
  Manifest: MediaManifest;
  Bootstrap: BootstrapSettings;
  Variables: Buffer;
  Policy: Buffer | null;
  /** Labels, boot entries as the container shows them. */
  VolumeLabel: string | null;
}

const DATA = ['SMS', 'data'] as const;
type DataName = 'MediaManifest.json' | 'TsmBootstrap.ini' | 'Variables.dat' | 'Policy.xml';

async function container(path: string): Promise<MediaContainer> {
  const st = await stat(path).catch(() => undefined);
  if (!st) throw new NotFoundError('medium', `'${path}' does not exist; give a medium's .iso, .img, .wim or folder.`, { path });
  if (st.isDirectory()) return 'Folder';
  const fh = await open(path, 'r');
  try {
    const head = Buffer.alloc(8);
    const iso = Buffer.alloc(5);
    const sector0 = Buffer.alloc(512);
    await fh.read(head, 0, 8, 0);
    await fh.read(iso, 0, 5, 16 * 2048 + 1);
    await fh.read(sector0, 0, 512, 0);
    if (head.equals(WIM_MAGIC)) return 'Wim';
    if (iso.toString('latin1') === 'CD001') return 'Iso';
    if (sector0[510] === 0x55 && sector0[511] === 0xaa) return 'Usb';
  } finally {
    await fh.close();
  }
  throw new TsmediaError('ENOT_MEDIA', `'${path}' is not a medium: neither a folder, an ISO, a USB image nor a WIM.`, { path });
}

/** Reads SMS\data of a medium; a file the medium lacks is null. */
async function dataReader(path: string, kind: MediaContainer): Promise<{ read(name: DataName): Promise<Buffer | null>; label: string | null; close(): Promise<void> }> {
  const rel = (name: DataName): string => [...DATA, name].join('/');
  if (kind === 'Folder') {
    return {
      read: (name) => readFile(join(path, ...DATA, name)).catch((e: NodeJS.ErrnoException) => { if (e.code === 'ENOENT') return null; throw e; }),
      label: null, close: async () => {},
    };
  }
  if (kind === 'Iso') {
    const img = await readIsoImage(path);
    const have = new Map(img.files.map((f) => [f.path.toUpperCase(), f.path]));
    return {
      read: async (name) => { const p = have.get(rel(name).toUpperCase()); return p === undefined ? null : img.readFile(p); },
      label: img.label, close: () => img.close(),
    };
  }
  if (kind === 'Usb') {
    const img = await readUsbImage(path);
    const have = new Map(img.files.map((f) => [f.path.toUpperCase(), f.path]));
    return {
      read: async (name) => { const p = have.get(rel(name).toUpperCase()); return p === undefined ? null : Buffer.from(await img.readFile(p)); },
      label: img.label, close: async () => {},
    };
  }
  const wim = openWim(path);
  return {
    read: async (name) => {
      try {
        return Buffer.from(readFileFromWim(wim, 1, rel(name), MAX_MANIFEST_SIZE));
      } catch (e) {
        if (e instanceof NotFoundError) return null;
        throw e;
      }
    },
    label: null, close: async () => { wim.close(); },
  };
}

export async function readMediaData(path: string): Promise<MediaDataFiles> {
  const kind = await container(path);
  const r = await dataReader(path, kind);
  try {
    const need = async (name: DataName): Promise<Buffer> => {
      const b = await r.read(name);
      if (!b) throw new TsmediaError('ENOT_MEDIA', `'${path}' holds no SMS\\data\\${name}; it is not a tsmedia medium (or volume 1 of a set was not given).`, { path });
      return b;
    };
    return {
      Container: kind,
      Manifest: parseManifest(await need('MediaManifest.json')),
      Bootstrap: parseBootstrap(await need('TsmBootstrap.ini')),
      Variables: await need('Variables.dat'),
      Policy: await r.read('Policy.xml'),
      VolumeLabel: r.label,
    };
  } finally {
    await r.close();
  }
}
