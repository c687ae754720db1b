// Small generated source trees for the USB image tests (empty folders included), and tree comparison.
import { mkdir, writeFile, readdir, readFile, stat } from 'node:fs/promises';
import { join, dirname } from 'node:path';
import { createHash } from 'node:crypto';
import type { ExecutionContext } from 'ava';
import { tempDir } from '../../helpers/tmp.js';
import { writeUsbImage, type UsbImageResult } from '../../../lib/formats/disk/usb-writer.js';
import { pseudoRandomBytes as bytes } from '../../helpers/sample-tree.js';

export { bytes };

/** Writes `files` (relative path -> content) under `root`; a path ending in '/' is an empty folder. */
export async function makeTree(root: string, files: Record<string, Buffer | string>): Promise<void> {
  for (const [rel, content] of Object.entries(files)) {
    const abs = join(root, rel);
    if (rel.endsWith('/')) { await mkdir(abs, { recursive: true }); continue; }
    await mkdir(dirname(abs), { recursive: true });
    await writeFile(abs, content);
  }
}

/** A tree with long, Unicode, 8.3, empty and multi-cluster files and a root directory over one cluster. */
export function sampleTree(): Record<string, Buffer | string> {
  const t: Record<string, Buffer | string> = {
    'README.TXT': 'plain 8.3 name\n',
    'readme~1.txt': 'a name that looks like an alias\n',
    'Mixed Case Name.Text': 'long name\n',
    'empty.bin': Buffer.alloc(0),
    'big.dat': bytes(300_000, 1),
    'sources/boot.wim': bytes(70_000, 2),
    'Deep Folder/ünïcödé dir/日本語/ファイル.txt': 'unicode path\n',
    'Deep Folder/ünïcödé dir/Ωμέγα and Ünïcödé.txt': 'greek\n',
    'Deep Folder/.hidden start': 'leading dot\n',
    'Deep Folder/a.b.c.d': 'many dots\n',
    'Deep Folder/Empty Folder/': '',
    'EFI/BOOT/placeholder.txt': 'x',
    'exactly-13chr': 'one LFN entry, no terminator\n',
  };
  for (let i = 0; i < 40; i++) t[`Long file name number ${i}.log`] = bytes(i * 37, 10 + i);
  return t;
}

/** Relative path -> sha256 of every file under root (folders as path/ -> ''). */
export async function treeDigest(root: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const walk = async (abs: string, rel: string): Promise<void> => {
    for (const name of (await readdir(abs)).sort()) {
      const a = join(abs, name);
      const r = rel ? `${rel}/${name}` : name;
      if ((await stat(a)).isDirectory()) { out.set(`${r}/`, ''); await walk(a, r); } else out.set(r, createHash('sha256').update(await readFile(a)).digest('hex'));
    }
  };
  await walk(root, '');
  return out;
}

export const FIXED_DATE = new Date('2026-01-01T12:34:56Z');

/** Writes `files` to a fresh folder and makes an image of it (dated FIXED_DATE); returns its path. */
export async function imageOf(t: ExecutionContext, files: Record<string, Buffer | string>, sizeBytes?: number): Promise<{ img: string; result: UsbImageResult }> {
  const dir = await tempDir(t, 'tsm-usbimg-');
  await makeTree(join(dir, 'src'), files);
  const img = join(dir, 'usb.img');
  const result = await writeUsbImage({ sourcePath: join(dir, 'src'), outPath: img, date: FIXED_DATE, ...(sizeBytes ? { sizeBytes } : {}) });
  return { img, result };
}
