// The plan of a USB image: MBR partition, FAT32 geometry, and a cluster run for every directory
// and file. Pure: takes a tree of names and sizes, returns plain data; the writer streams it.
// Every directory and file gets one contiguous run (directories first, root at cluster 2, then
// files in tree order), so the FAT is generated from the list of run ends.
import { createHash } from 'node:crypto';
import { UsageError, TsmediaError } from '../../errors.js';
import { SECTOR_SIZE } from './mbr.js';
import { type Fat32Bpb, MEDIA_FIXED } from './fat32-boot-sector.js';
import { FIRST_DATA_CLUSTER, FAT_ENTRY_SIZE, MIN_FAT32_CLUSTERS, MAX_FAT32_CLUSTERS } from './fat-table.js';
import { DIR_ENTRY_SIZE, ATTR_DIRECTORY, ATTR_ARCHIVE, ATTR_VOLUME_ID, MAX_FILE_SIZE, labelBytes } from './dir-entry.js';
import { ShortNameAllocator, exactShortName, longNameProblem, longEntryCount, foldCase } from './long-names.js';
import { VBR_STAGE2_SECTOR, VBR_STAGE2_SECTORS } from './boot/vbr-code.js';

/** The partition starts at 1 MiB, as every partitioning tool now aligns it. */
export const PARTITION_START_LBA = 2048;
const MIB = 1024 * 1024;
const FSINFO_SECTOR = 1;
const BACKUP_BOOT_SECTOR = 6;
const MIN_RESERVED_SECTORS = 32;
const NUM_FATS = 2;
/** Data area alignment (sectors) at least: 4 KiB, the flash page size. */
const MIN_DATA_ALIGN = 8;
/** A directory may hold at most 65536 entries (FAT specification). */
const MAX_DIR_ENTRIES = 65536;
/** Volumes up to 2^32 - 1 sectors of 512 bytes. */
const MAX_DISK_SECTORS = 0xffffffff;
/** Auto-sized volumes get at least this many clusters: a margin over FAT32's minimum. */
const AUTO_MIN_CLUSTERS = 65536;
/** 32 KiB: the largest cluster we make (and the VBR reads in one int 13h call). */
const MAX_SECTORS_PER_CLUSTER = 64;
const HEADS = 255;
const SECTORS_PER_TRACK = 63;
const DRIVE_NUMBER = 0x80;
const OEM_NAME = 'MSWIN4.1';
export const DEFAULT_LABEL = 'TSMEDIA';

/** A source tree: directories with children, files with a size and an opaque reference (a path). */
export interface SourceNode {
  name: string;
  kind: 'file' | 'dir';
  size: number;
  ref: string;
  children?: SourceNode[];
}

export interface DirRecord {
  short: Buffer;
  long?: string;
  attr: number;
  firstCluster: number;
  size: number;
}

export interface PlanDir {
  path: string;
  firstCluster: number;
  clusters: number;
  /** Cluster of the parent, 0 for the root and its children (as '..' wants); undefined for the root. */
  parentCluster?: number;
  records: DirRecord[];
}

export interface PlanFile {
  path: string;
  ref: string;
  size: number;
  firstCluster: number;
  clusters: number;
}

export interface UsbPlan {
  imageBytes: number;
  partition: { startLba: number; sectors: number };
  bpb: Fat32Bpb;
  clusterSize: number;
  clusterCount: number;
  /** Partition-relative sector of cluster 2. */
  dataStartSector: number;
  /** First cluster past the used runs. */
  usedEnd: number;
  /** Last cluster of every run, ascending. */
  runEnds: Uint32Array;
  dirs: PlanDir[];
  files: PlanFile[];
  label: string;
  diskSignature: number;
  date: Date;
  stage2Sector: number;
  stage2Sectors: number;
}

export interface LayoutOptions {
  /** Total image size; the smallest that holds the tree when absent. */
  sizeBytes?: number;
  label?: string;
  date: Date;
}

interface Geometry {
  sectorsPerCluster: number;
  reservedSectors: number;
  fatSectors: number;
  clusterCount: number;
}

/** Microsoft's default FAT32 cluster size for a volume size. */
function defaultSectorsPerCluster(volumeBytes: number): number {
  const GB = 1024 * MIB;
  if (volumeBytes < 64 * MIB) return 1;
  if (volumeBytes < 128 * MIB) return 2;
  if (volumeBytes < 256 * MIB) return 4;
  if (volumeBytes < 8 * GB) return 8;
  if (volumeBytes < 16 * GB) return 16;
  if (volumeBytes < 32 * GB) return 32;
  return 64;
}

/** FAT size, reserved sectors (grown to align the data area) and cluster count of a partition. */
function geometry(partSectors: number, spc: number): Geometry {
  const fatSectors = Math.ceil(((Math.floor((partSectors - MIN_RESERVED_SECTORS) / spc) + FIRST_DATA_CLUSTER) * FAT_ENTRY_SIZE) / SECTOR_SIZE);
  const align = Math.max(spc, MIN_DATA_ALIGN);
  let reserved = MIN_RESERVED_SECTORS;
  const misalign = (reserved + NUM_FATS * fatSectors) % align;
  if (misalign) reserved += align - misalign;
  const clusterCount = Math.max(0, Math.floor((partSectors - reserved - NUM_FATS * fatSectors) / spc));
  return { sectorsPerCluster: spc, reservedSectors: reserved, fatSectors, clusterCount };
}

/** Sectors a partition needs to hold `clusters` clusters of `spc` sectors. */
function partitionSectorsFor(clusters: number, spc: number): number {
  const fat = Math.ceil(((clusters + FIRST_DATA_CLUSTER) * FAT_ENTRY_SIZE) / SECTOR_SIZE);
  return MIN_RESERVED_SECTORS + Math.max(spc, MIN_DATA_ALIGN) + NUM_FATS * fat + clusters * spc;
}

/** Validates and upper-cases a volume label (11 characters of the 8.3 alphabet and spaces). */
export function normalizeLabel(label: string): string {
  const up = label.toUpperCase();
  if (up.length < 1 || up.length > 11 || !/^[A-Z0-9$%'\-_@~`!(){}^#&][A-Z0-9$%'\-_@~`!(){}^#& ]*$/.test(up)) {
    throw new UsageError('EUSB_LABEL', `-VolumeLabel ${JSON.stringify(label)} is not a FAT volume label: use 1 to 11 letters, digits or $%'-_@~\`!(){}^#& (spaces inside)`);
  }
  return up.trimEnd();
}

interface DirWork { path: string; plan: PlanDir; parent?: PlanDir; entries: number }

/** Lays out the tree. UsageError for a tree or size that cannot be made into a FAT32 image. */
export function planUsbImage(root: SourceNode, opts: LayoutOptions): UsbPlan {
  if (Number.isNaN(opts.date.getTime())) throw new UsageError('EUSB_DATE', 'the image date is not a valid date');
  const label = normalizeLabel(opts.label ?? DEFAULT_LABEL);
  const problems: string[] = [];
  const dirs: DirWork[] = [];
  const files: { node: SourceNode; path: string; record: DirRecord }[] = [];

  // 1. names: validate, find case clashes, give every entry its 8.3 alias and records
  const dirLinks: { record: DirRecord; plan: PlanDir }[] = [];
  const visit = (node: SourceNode, path: string, parent: PlanDir | undefined): PlanDir => {
    const isRoot = parent === undefined;
    const children = [...(node.children ?? [])].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const plan: PlanDir = { path, firstCluster: 0, clusters: 0, records: [] };
    const work: DirWork = parent ? { path, plan, parent, entries: 0 } : { path, plan, entries: 0 };
    dirs.push(work);
    const seen = new Map<string, string>();
    const alloc = new ShortNameAllocator();
    for (const c of children) {
      const exact = exactShortName(c.name);
      if (exact) alloc.reserve(exact);
    }
    if (isRoot) plan.records.push({ short: labelBytes(label), attr: ATTR_VOLUME_ID, firstCluster: 0, size: 0 });
    for (const c of children) {
      const childPath = path ? `${path}/${c.name}` : c.name;
      const why = longNameProblem(c.name);
      if (why) { problems.push(`${childPath}: ${why}`); continue; }
      const folded = foldCase(c.name);
      const other = seen.get(folded);
      if (other !== undefined) { problems.push(`${childPath}: same name as ${JSON.stringify(other)} to FAT, which ignores case`); continue; }
      seen.set(folded, c.name);
      if (c.kind === 'file' && c.size > MAX_FILE_SIZE) {
        problems.push(`${childPath}: ${c.size} bytes; FAT32 holds files up to 4 GiB - 1`);
        continue;
      }
      const { short, needsLong } = alloc.allocate(c.name);
      const record: DirRecord = { short, attr: c.kind === 'dir' ? ATTR_DIRECTORY : ATTR_ARCHIVE, firstCluster: 0, size: c.kind === 'dir' ? 0 : c.size };
      if (needsLong) record.long = c.name;
      plan.records.push(record);
      if (c.kind === 'dir') dirLinks.push({ record, plan: visit(c, childPath, plan) });
      else files.push({ node: c, path: childPath, record });
    }
    work.entries = (isRoot ? 0 : 2) + plan.records.reduce((n, r) => n + 1 + (r.long ? longEntryCount(r.long) : 0), 0);
    if (work.entries > MAX_DIR_ENTRIES) problems.push(`${path || '/'}: ${work.entries} directory entries; FAT allows ${MAX_DIR_ENTRIES} per directory (fewer or shorter names)`);
    return plan;
  };
  visit(root, '', undefined);
  if (problems.length) {
    const shown = problems.slice(0, 10).join('; ');
    throw new UsageError('EUSB_NAMES', `${problems.length} item(s) cannot be put on FAT32: ${shown}${problems.length > 10 ? '; ...' : ''}`, { problems });
  }

  const dirBytes = dirs.map((d) => d.entries * DIR_ENTRY_SIZE);
  const clustersNeeded = (spc: number): number => {
    const cs = spc * SECTOR_SIZE;
    let n = 0;
    for (const b of dirBytes) n += Math.max(1, Math.ceil(b / cs));
    for (const f of files) n += Math.ceil(f.node.size / cs);
    return n;
  };

  // 2. geometry: the cluster size for the volume size, small enough for >= 65525 clusters
  let partSectors: number;
  let geo: Geometry;
  if (opts.sizeBytes !== undefined) {
    const diskSectors = Math.floor(opts.sizeBytes / SECTOR_SIZE);
    if (diskSectors > MAX_DISK_SECTORS) throw new UsageError('EUSB_SIZE', `an image of ${Math.floor(opts.sizeBytes / MIB)} MB is over FAT32's 2 TiB limit`);
    partSectors = diskSectors - PARTITION_START_LBA;
    let spc = defaultSectorsPerCluster(partSectors * SECTOR_SIZE);
    geo = geometry(partSectors, spc);
    while (geo.clusterCount < MIN_FAT32_CLUSTERS && spc > 1) { spc /= 2; geo = geometry(partSectors, spc); }
    // (at 2^32 sectors even 64-sector clusters stay far below the maximum count; 64 is also the
    // most the VBR reads in one call, so clusters never grow past it)
    while (geo.clusterCount > MAX_FAT32_CLUSTERS && spc < MAX_SECTORS_PER_CLUSTER) { spc *= 2; geo = geometry(partSectors, spc); }
    if (geo.clusterCount < MIN_FAT32_CLUSTERS) {
      const minMb = Math.ceil((PARTITION_START_LBA + partitionSectorsFor(MIN_FAT32_CLUSTERS, 1)) * SECTOR_SIZE / MIB);
      throw new UsageError('EUSB_SIZE', `-SizeMB ${Math.floor(opts.sizeBytes / MIB)} is too small for FAT32 (it needs ${MIN_FAT32_CLUSTERS} clusters): use at least ${minMb}`);
    }
    const need = clustersNeeded(spc);
    if (need > geo.clusterCount) {
      const needMb = Math.ceil((PARTITION_START_LBA + partitionSectorsFor(need, spc)) * SECTOR_SIZE / MIB);
      throw new UsageError('EUSB_SIZE', `the source needs about ${needMb} MB and -SizeMB is ${Math.floor(opts.sizeBytes / MIB)}: give a larger -SizeMB or leave it out`);
    }
  } else {
    let spc = 1;
    for (;;) {
      const clusters = Math.max(AUTO_MIN_CLUSTERS, clustersNeeded(spc));
      const sectors = PARTITION_START_LBA + partitionSectorsFor(clusters, spc);
      const disk = Math.ceil(sectors * SECTOR_SIZE / MIB) * MIB / SECTOR_SIZE;
      const want = defaultSectorsPerCluster((disk - PARTITION_START_LBA) * SECTOR_SIZE);
      if (want > spc) { spc = want; continue; }
      if (disk > MAX_DISK_SECTORS) throw new UsageError('EUSB_SIZE', 'the source is larger than a FAT32 volume can be (2 TiB)');
      partSectors = disk - PARTITION_START_LBA;
      geo = geometry(partSectors, spc);
      // alignment padding can eat the estimate's slack: grow by a MiB until the clusters fit
      while (geo.clusterCount < clusters) {
        partSectors += MIB / SECTOR_SIZE;
        geo = geometry(partSectors, spc);
      }
      break;
    }
  }
  const spc = geo.sectorsPerCluster;
  const clusterSize = spc * SECTOR_SIZE;
  if (geo.reservedSectors < VBR_STAGE2_SECTOR + VBR_STAGE2_SECTORS + BACKUP_BOOT_SECTOR) {
    throw new TsmediaError('EUSB_LAYOUT', 'reserved area too small for the boot code');
  }

  // 3. clusters: directories first (root = 2), then files
  let next = FIRST_DATA_CLUSTER;
  const runEnds: number[] = [];
  dirs.forEach((d, i) => {
    d.plan.firstCluster = next;
    d.plan.clusters = Math.max(1, Math.ceil((dirBytes[i] ?? 0) / clusterSize));
    next += d.plan.clusters;
    runEnds.push(next - 1);
  });
  for (const link of dirLinks) link.record.firstCluster = link.plan.firstCluster;
  for (const d of dirs) if (d.parent) d.plan.parentCluster = d.parent.path ? d.parent.firstCluster : 0;
  const planFiles: PlanFile[] = files.map((f) => {
    const clusters = Math.ceil(f.node.size / clusterSize);
    const firstCluster = clusters ? next : 0;
    next += clusters;
    if (clusters) runEnds.push(next - 1);
    f.record.firstCluster = firstCluster;
    return { path: f.path, ref: f.node.ref, size: f.node.size, firstCluster, clusters };
  });
  if (next - FIRST_DATA_CLUSTER > geo.clusterCount) throw new TsmediaError('EUSB_LAYOUT', 'internal: the plan overflows the volume');

  // 4. identity from the content: same tree and date, same serial and disk signature
  const h = createHash('sha256');
  h.update(`${label}\0${opts.date.toISOString()}\0${partSectors}\0${spc}\0`);
  for (const f of planFiles) h.update(`${f.path}\0${f.size}\0${f.firstCluster}\0`);
  for (const d of dirs) h.update(`${d.path}/\0${d.plan.firstCluster}\0`);
  const digest = h.digest();
  const volumeId = digest.readUInt32LE(0);
  const diskSignature = digest.readUInt32LE(4);

  const bpb: Fat32Bpb = {
    oemName: OEM_NAME,
    bytesPerSector: SECTOR_SIZE,
    sectorsPerCluster: spc,
    reservedSectors: geo.reservedSectors,
    numFats: NUM_FATS,
    media: MEDIA_FIXED,
    sectorsPerTrack: SECTORS_PER_TRACK,
    heads: HEADS,
    hiddenSectors: PARTITION_START_LBA,
    totalSectors: partSectors,
    fatSectors: geo.fatSectors,
    rootCluster: FIRST_DATA_CLUSTER,
    fsInfoSector: FSINFO_SECTOR,
    backupBootSector: BACKUP_BOOT_SECTOR,
    driveNumber: DRIVE_NUMBER,
    volumeId,
    volumeLabel: label,
  };
  return {
    imageBytes: (PARTITION_START_LBA + partSectors) * SECTOR_SIZE,
    partition: { startLba: PARTITION_START_LBA, sectors: partSectors },
    bpb,
    clusterSize,
    clusterCount: geo.clusterCount,
    dataStartSector: geo.reservedSectors + NUM_FATS * geo.fatSectors,
    usedEnd: next,
    runEnds: Uint32Array.from(runEnds),
    dirs: dirs.map((d) => d.plan),
    files: planFiles,
    label,
    diskSignature,
    date: opts.date,
    stage2Sector: VBR_STAGE2_SECTOR,
    stage2Sectors: VBR_STAGE2_SECTORS,
  };
}
