// Edge: inspects a USB image (MBR + FAT32, or a bare FAT32 volume) and reads files from it.
// Trusts nothing: every offset is checked against the image, every cluster number against the
// volume, chains are cut at the longest length they could have (so a cyclic chain ends in a
// FormatError instead of a loop), and directories, depth and entry counts are bounded.
import { open, type FileHandle } from 'node:fs/promises';
import { FormatError, NotFoundError } from '../../errors.js';
import { parseMbr, hasBootSignature, SECTOR_SIZE, TYPE_FAT32_LBA, TYPE_FAT32_CHS, type MbrPartition } from './mbr.js';
import { parseBootSector, looksLikeFat32BootSector, NO_NAME_LABEL, type Fat32Bpb } from './fat32-boot-sector.js';
import { classifyFatEntry, FAT_ENTRY_SIZE, FIRST_DATA_CLUSTER, FAT_MASK } from './fat-table.js';
import {
  DIR_ENTRY_SIZE, ENTRY_END, ENTRY_DELETED, ATTR_LONG_NAME, ATTR_LONG_NAME_MASK, ATTR_VOLUME_ID, ATTR_DIRECTORY,
  parseShortEntry, decodeShortName, entryAttr,
} from './dir-entry.js';
import { LongNameCollector } from './long-names.js';

/** A directory may hold at most 65536 entries of 32 bytes (FAT specification). */
const MAX_DIR_BYTES = 65536 * DIR_ENTRY_SIZE;
const MAX_DEPTH = 128;
const MAX_ITEMS = 1_000_000;
/** FAT bytes read at a time. */
const FAT_WINDOW = 64 * 1024;

export interface UsbFile { path: string; size: number }

export interface UsbImage {
  partitions: MbrPartition[];
  /** The partition read (1-based slot), or 0 for a volume without an MBR. */
  partition: number;
  label: string;
  volumeId: number;
  clusterSize: number;
  clusterCount: number;
  directories: string[];
  files: UsbFile[];
  /** The bytes of a file, by its path as listed (ASCII case ignored when not found exactly). */
  readFile(path: string): Promise<Buffer>;
}

interface Volume {
  handle: FileHandle;
  fileSize: number;
  base: number;
  bpb: Fat32Bpb;
  clusterSize: number;
  clusterCount: number;
  fatOffset: number;
  dataOffset: number;
  fatCache: { start: number; bytes: Buffer } | undefined;
}

async function readAt(v: { handle: FileHandle; fileSize: number }, offset: number, length: number): Promise<Buffer> {
  if (offset < 0 || offset + length > v.fileSize) throw new FormatError('fat32', `the image is truncated: ${length} bytes at offset ${offset} lie past its end (${v.fileSize} bytes)`);
  const buf = Buffer.alloc(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await v.handle.read(buf, done, length - done, offset + done);
    if (bytesRead === 0) throw new FormatError('fat32', `the image ended while reading offset ${offset + done}`);
    done += bytesRead;
  }
  return buf;
}

async function fatEntry(v: Volume, cluster: number): Promise<number> {
  const at = cluster * FAT_ENTRY_SIZE;
  if (!v.fatCache || at < v.fatCache.start || at + FAT_ENTRY_SIZE > v.fatCache.start + v.fatCache.bytes.length) {
    const start = at - (at % FAT_WINDOW);
    const length = Math.min(FAT_WINDOW, v.bpb.fatSectors * v.bpb.bytesPerSector - start);
    v.fatCache = { start, bytes: await readAt(v, v.fatOffset + start, length) };
  }
  return v.fatCache.bytes.readUInt32LE(at - v.fatCache.start) & FAT_MASK;
}

/**
 * The clusters of a chain, at most `limit` of them: past it, a FormatError (a loop or an overlong
 * chain), or with `stopAtLimit` just the first `limit` (a file needs no more than its size).
 */
async function chain(v: Volume, first: number, limit: number, what: string, stopAtLimit = false): Promise<number[]> {
  const out: number[] = [];
  let c = first;
  for (;;) {
    if (stopAtLimit && out.length === limit) return out;
    if (c < FIRST_DATA_CLUSTER || c >= v.clusterCount + FIRST_DATA_CLUSTER) throw new FormatError('fat32', `${what}: cluster ${c} is outside the volume`);
    if (out.length >= limit) throw new FormatError('fat32', `${what}: the cluster chain is longer than ${limit} clusters (a loop or a wrong size)`);
    out.push(c);
    const next = await fatEntry(v, c);
    const kind = classifyFatEntry(next, v.clusterCount);
    if (kind === 'end') return out;
    if (kind !== 'next') throw new FormatError('fat32', `${what}: cluster ${c} is followed by a ${kind} FAT entry (0x${next.toString(16)})`);
    c = next;
  }
}

function clusterOffset(v: Volume, c: number): number {
  return v.dataOffset + (c - FIRST_DATA_CLUSTER) * v.clusterSize;
}

/** Reads the listed clusters, merging consecutive ones into one read. */
async function readClusters(v: Volume, clusters: readonly number[], length: number): Promise<Buffer> {
  const out = Buffer.alloc(length);
  let at = 0;
  for (let i = 0; i < clusters.length && at < length;) {
    let j = i + 1;
    while (j < clusters.length && clusters[j] === (clusters[j - 1] ?? 0) + 1) j++;
    const n = Math.min((j - i) * v.clusterSize, length - at);
    (await readAt(v, clusterOffset(v, clusters[i] ?? 0), n)).copy(out, at);
    at += n;
    i = j;
  }
  return out;
}

async function openVolume(handle: FileHandle): Promise<{ v: Volume; partitions: MbrPartition[]; partition: number }> {
  const fileSize = (await handle.stat()).size;
  const io = { handle, fileSize };
  if (fileSize < SECTOR_SIZE) throw new FormatError('fat32', `the image is ${fileSize} bytes, smaller than one sector`);
  const s0 = await readAt(io, 0, SECTOR_SIZE);
  let partitions: MbrPartition[] = [];
  let partition = 0;
  let base = 0;
  if (!hasBootSignature(s0)) throw new FormatError('mbr', 'sector 0 has no 55 AA signature: not a disk image or FAT volume');
  if (!looksLikeFat32BootSector(s0)) {
    partitions = parseMbr(s0).partitions;
    const fat = partitions.find((p) => p.type === TYPE_FAT32_LBA || p.type === TYPE_FAT32_CHS);
    if (!fat) throw new FormatError('mbr', `no FAT32 partition (type 0x0C or 0x0B) in the partition table`);
    partition = fat.index;
    base = fat.startLba * SECTOR_SIZE;
    if (base + SECTOR_SIZE > fileSize) throw new FormatError('mbr', `partition ${fat.index} starts past the end of the image`);
  }
  const bpb = parseBootSector(await readAt(io, base, SECTOR_SIZE));
  const bps = bpb.bytesPerSector;
  const dataSector = bpb.reservedSectors + bpb.numFats * bpb.fatSectors;
  const clusterCount = Math.floor((bpb.totalSectors - dataSector) / bpb.sectorsPerCluster);
  if (clusterCount < 1) throw new FormatError('fat32', 'the volume has no data clusters');
  if ((clusterCount + FIRST_DATA_CLUSTER) * FAT_ENTRY_SIZE > bpb.fatSectors * bps) throw new FormatError('fat32', `the FAT (${bpb.fatSectors} sectors) is too small for ${clusterCount} clusters`);
  if (bpb.rootCluster >= clusterCount + FIRST_DATA_CLUSTER) throw new FormatError('fat32', `root cluster ${bpb.rootCluster} is outside the volume`);
  const v: Volume = {
    handle, fileSize, base, bpb,
    clusterSize: bpb.sectorsPerCluster * bps,
    clusterCount,
    fatOffset: base + bpb.reservedSectors * bps,
    dataOffset: base + dataSector * bps,
    fatCache: undefined,
  };
  return { v, partitions, partition };
}

interface Listed { files: Map<string, { size: number; first: number }>; dirs: string[]; label?: string }

async function listTree(v: Volume): Promise<Listed> {
  const listed: Listed = { files: new Map(), dirs: [] };
  const seenDirs = new Set<number>();
  let items = 0;
  const walk = async (first: number, path: string, depth: number): Promise<void> => {
    if (depth > MAX_DEPTH) throw new FormatError('fat32', `${path}: directories nest deeper than ${MAX_DEPTH} levels`);
    if (seenDirs.has(first)) throw new FormatError('fat32', `${path}: directory cluster ${first} is used twice (a directory loop)`);
    seenDirs.add(first);
    const clusters = await chain(v, first, Math.ceil(MAX_DIR_BYTES / v.clusterSize), path || '/');
    const bytes = await readClusters(v, clusters, clusters.length * v.clusterSize);
    const lfn = new LongNameCollector();
    const subdirs: { first: number; path: string }[] = [];
    for (let off = 0; off + DIR_ENTRY_SIZE <= bytes.length; off += DIR_ENTRY_SIZE) {
      const b0 = bytes[off] ?? 0;
      if (b0 === ENTRY_END) break;
      if (b0 === ENTRY_DELETED) { lfn.reset(); continue; }
      const attr = entryAttr(bytes, off);
      if ((attr & ATTR_LONG_NAME_MASK) === ATTR_LONG_NAME) { lfn.add(bytes, off); continue; }
      const e = parseShortEntry(bytes, off);
      const long = lfn.take(e.name);
      if (attr & ATTR_VOLUME_ID) {
        if (!path && listed.label === undefined) listed.label = e.name.toString('latin1').trimEnd();
        continue;
      }
      const shortName = decodeShortName(e.name, e.caseFlags);
      if (shortName === '.' || shortName === '..') continue;
      const name = long ?? shortName;
      if (name === '' || name === '.' || name === '..' || /[\u0000/]/.test(name)) {
        throw new FormatError('fat32', `${path || '/'}: an entry has the invalid name ${JSON.stringify(name)}`);
      }
      if (++items > MAX_ITEMS) throw new FormatError('fat32', `more than ${MAX_ITEMS} files and folders`);
      const full = path ? `${path}/${name}` : name;
      if (attr & ATTR_DIRECTORY) {
        listed.dirs.push(full);
        subdirs.push({ first: e.firstCluster, path: full });
      } else {
        listed.files.set(full, { size: e.size, first: e.firstCluster });
      }
    }
    for (const d of subdirs) await walk(d.first, d.path, depth + 1);
  };
  await walk(v.bpb.rootCluster, '', 0);
  return listed;
}

async function readListedFile(v: Volume, path: string, f: { size: number; first: number }): Promise<Buffer> {
  if (f.size === 0) return Buffer.alloc(0);
  const need = Math.ceil(f.size / v.clusterSize);
  if (need > v.clusterCount) throw new FormatError('fat32', `${path}: ${f.size} bytes cannot fit on the volume`);
  const clusters = await chain(v, f.first, need, path, true);
  if (clusters.length < need) throw new FormatError('fat32', `${path}: ${f.size} bytes but a chain of only ${clusters.length} clusters`);
  // every byte must be in the image before a buffer of the file's size is allocated
  clusters.forEach((c, i) => {
    const end = clusterOffset(v, c) + Math.min(v.clusterSize, f.size - i * v.clusterSize);
    if (end > v.fileSize) throw new FormatError('fat32', `${path}: its data lies past the end of the image (truncated?)`);
  });
  return readClusters(v, clusters, f.size);
}

/** Lists a USB image (files, folders, label); readFile() reopens it for each read. */
export async function readUsbImage(imagePath: string): Promise<UsbImage> {
  const handle = await open(imagePath, 'r');
  let opened: Awaited<ReturnType<typeof openVolume>>;
  let listed: Listed;
  try {
    opened = await openVolume(handle);
    listed = await listTree(opened.v);
  } finally {
    await handle.close();
  }
  const { v } = opened;
  const bpbLabel = v.bpb.volumeLabel === NO_NAME_LABEL ? '' : v.bpb.volumeLabel.trimEnd();
  return {
    partitions: opened.partitions,
    partition: opened.partition,
    label: listed.label ?? bpbLabel,
    volumeId: v.bpb.volumeId,
    clusterSize: v.clusterSize,
    clusterCount: v.clusterCount,
    directories: listed.dirs,
    files: [...listed.files].map(([path, f]) => ({ path, size: f.size })),
    async readFile(path: string): Promise<Buffer> {
      let f = listed.files.get(path);
      if (!f) {
        const lower = path.toLowerCase();
        f = [...listed.files].find(([p]) => p.toLowerCase() === lower)?.[1];
      }
      if (!f) throw new NotFoundError('file', `${path} is not a file in ${imagePath}`);
      const h = await open(imagePath, 'r');
      try {
        return await readListedFile({ ...v, handle: h, fatCache: undefined }, path, f);
      } finally {
        await h.close();
      }
    },
  };
}
