// Spreads content over several discs. Pure: input paths and sizes (and which must be on the
// first, bootable volume); output which volume holds each file. No file is split: a file that
// cannot fit one volume on its own is refused. Files go in path order, each to the first volume
// with room (first fit), so folders stay mostly together and the result is deterministic.
// The cost of a file is an upper bound of what the layout spends on it (data sectors, its UDF
// File Entry, its records in the ISO, Joliet and UDF directories); the writer re-checks the real
// size against the capacity.
import { RuleError, UsageError } from '../../errors.js';
import { SECTOR } from './directory-record.js';

/** Named disc capacities in 2048-byte sectors (recordable media; the smaller of +R / -R). */
export const MEDIA_SECTORS: Readonly<Record<string, number>> = {
  '650MB': 333_000,     // CD-R 74 min
  '700MB': 360_000,     // CD-R 80 min
  '4.7GB': 2_295_104,   // DVD+R single layer
  '8.5GB': 4_173_824,   // DVD+R dual layer
};
/** Sectors every image spends whatever it holds: system area, descriptors, UDF, catalog, anchors. */
export const FIXED_OVERHEAD_SECTORS = 300;
/** Per file: one UDF File Entry sector + directory records (ISO <= 70, Joliet <= 243, FID <= 296 bytes). */
const PER_FILE_BYTES = SECTOR + 640;
/** Per directory: UDF FE + FIDs, ISO and Joliet directory sectors, four path table entries. */
const PER_DIR_SECTORS = 6;

export interface VolumeItem { path: string; size: number; firstVolume?: boolean }
export interface VolumeAssignment { volume: number; paths: string[]; bytes: number; estimatedSectors: number }

/** Parses -MaxVolumeSize: a media name (650MB, 700MB, 4.7GB, 8.5GB) or bytes (suffixes KB/MB/GB/TB are binary). */
export function parseVolumeSize(text: string | number): number {
  if (typeof text === 'number') return text;
  const named = Object.keys(MEDIA_SECTORS).find((k) => k.toLowerCase() === text.trim().toLowerCase());
  if (named) return MEDIA_SECTORS[named]! * SECTOR;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(B|KB|MB|GB|TB)?\s*$/i.exec(text);
  if (!m) throw new UsageError('EISO_SIZE', `"${text}" is not a volume size: use 650MB, 700MB, 4.7GB, 8.5GB or a byte count`);
  const mult = { B: 1, KB: 2 ** 10, MB: 2 ** 20, GB: 2 ** 30, TB: 2 ** 40 }[(m[2] ?? 'B').toUpperCase() as 'B'];
  return Math.floor(Number(m[1]) * mult);
}

function fileCost(size: number): number {
  return Math.ceil(size / SECTOR) * SECTOR + PER_FILE_BYTES + Math.floor(size / 0xffff_f800) * 320; // + ISO and Joliet records per extra extent
}

function parents(path: string): string[] {
  const parts = path.split('/');
  const out: string[] = [];
  for (let i = 1; i < parts.length; i++) out.push(parts.slice(0, i).join('/'));
  return out;
}

/**
 * Assigns items to volumes of capacityBytes each. Volume 1 takes the firstVolume items first.
 * Throws RuleError when one file (or the first-volume set) cannot fit a volume.
 */
export function planVolumes(items: readonly VolumeItem[], capacityBytes: number): VolumeAssignment[] {
  const capacity = Math.floor(capacityBytes / SECTOR) * SECTOR - FIXED_OVERHEAD_SECTORS * SECTOR;
  if (!(capacity > 0)) throw new UsageError('EISO_SIZE', `a volume of ${capacityBytes} bytes is too small for an ISO image`);
  type Vol = { paths: string[]; used: number; bytes: number; dirs: Set<string> };
  const vols: Vol[] = [];
  const costIn = (v: Vol, it: VolumeItem): number => fileCost(it.size) + parents(it.path).filter((d) => !v.dirs.has(d)).length * PER_DIR_SECTORS * SECTOR;
  const put = (v: Vol, it: VolumeItem, cost: number): void => {
    v.paths.push(it.path);
    v.used += cost;
    v.bytes += it.size;
    for (const d of parents(it.path)) v.dirs.add(d);
  };
  const ordered = [...items].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const first: Vol = { paths: [], used: 0, bytes: 0, dirs: new Set() };
  vols.push(first);
  for (const it of ordered.filter((i) => i.firstVolume)) {
    const cost = costIn(first, it);
    if (first.used + cost > capacity) throw new RuleError('EISO_VOLUME_FULL', `the files that must be on volume 1 (boot files) need more than one volume of ${capacityBytes} bytes`, { path: it.path });
    put(first, it, cost);
  }
  for (const it of ordered.filter((i) => !i.firstVolume)) {
    const alone = fileCost(it.size) + parents(it.path).length * PER_DIR_SECTORS * SECTOR;
    if (alone > capacity) throw new RuleError('EISO_FILE_TOO_BIG', `"${it.path}" (${it.size} bytes) does not fit one volume of ${capacityBytes} bytes; files are never split across volumes: choose a larger -MaxVolumeSize`, { path: it.path, size: it.size });
    let v = vols.find((x) => x.used + costIn(x, it) <= capacity);
    if (!v) { v = { paths: [], used: 0, bytes: 0, dirs: new Set() }; vols.push(v); }
    put(v, it, costIn(v, it));
  }
  return vols.map((v, i) => ({
    volume: i + 1,
    paths: v.paths,
    bytes: v.bytes,
    estimatedSectors: FIXED_OVERHEAD_SECTORS + Math.ceil(v.used / SECTOR),
  }));
}
