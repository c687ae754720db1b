// Edge: scans a source folder, plans the image (layout.ts) and streams it to a file or a
// removable block device. Memory stays bounded: one I/O buffer, the FAT made in chunks, file data
// copied through the buffer. Image files are sparse: free space is never written, the file is
// truncated to size. Files are written as `<out>.partial-<pid>` and renamed when whole.
import { openSync, readSync, writeSync, closeSync, ftruncateSync, fsyncSync, fstatSync, readdirSync, statSync, write } from 'node:fs';
import { lstat, stat, readFile, rename, rm, realpath } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { TsmediaError, UsageError } from '../../errors.js';
import { encodeMbr, SECTOR_SIZE, TYPE_FAT32_LBA } from './mbr.js';
import { encodeBootSector } from './fat32-boot-sector.js';
import { encodeFsInfo } from './fsinfo.js';
import { FatGenerator, FAT_ENTRY_SIZE, FIRST_DATA_CLUSTER } from './fat-table.js';
import { encodeFatTimestamp, MAX_FILE_SIZE } from './dir-entry.js';
import { encodeDirectory } from './directory.js';
import { planUsbImage, type SourceNode, type UsbPlan, PARTITION_START_LBA } from './layout.js';
import { MBR_CODE } from './boot/mbr-code.js';
import { VBR_CODE } from './boot/vbr-code.js';

/** I/O buffer: big enough for few syscalls, small enough to keep memory flat. */
const CHUNK = 4 * 1024 * 1024;
/** Yield to the event loop (abort signals, progress) at least this often. */
const YIELD_BYTES = 64 * 1024 * 1024;
const YIELD_FILES = 256;

/** A file part replacing an over-4-GiB .wim: name in the same folder, source path and size. */
export interface SplitPart { name: string; sourcePath: string; size: number }
/**
 * Splits a .wim over 4 GiB into .swm parts (WIM engine's split). Receives the file's path in the
 * tree, its source path and size; returns the parts to put in its place.
 */
export type SplitWimHook = (file: { path: string; sourcePath: string; size: number }) => Promise<SplitPart[]>;

const WIM_EXT = /\.wim$/i;

/**
 * Reads the source folder into a tree (sizes only). Follows symlinks to files; refuses the rest.
 * Synchronous calls inside: tens of thousands of stats cost far less than as many promises.
 */
export async function scanSourceTree(dir: string, splitWim?: SplitWimHook): Promise<SourceNode> {
  const top = await stat(dir).catch(() => undefined);
  if (!top) throw new UsageError('EUSB_SOURCE', `-SourcePath ${dir} does not exist`);
  if (!top.isDirectory()) throw new UsageError('EUSB_SOURCE', `-SourcePath ${dir} is not a folder`);
  const splits: { list: SourceNode[]; path: string; sourcePath: string; size: number }[] = [];
  const walk = (abs: string, rel: string): SourceNode[] => {
    const out: SourceNode[] = [];
    for (const ent of readdirSync(abs, { withFileTypes: true })) {
      const name = ent.name;
      const path = join(abs, name);
      // names that are not UTF-8 decode with U+FFFD: check the raw bytes only then
      if (name.includes('\uFFFD') && !readdirSync(abs, { encoding: 'buffer' }).some((raw) => raw.equals(Buffer.from(name, 'utf8')))) {
        throw new UsageError('EUSB_NAMES', `${path}: the file name is not valid UTF-8, so it has no FAT long name`);
      }
      const relPath = rel ? `${rel}/${name}` : name;
      let isDir = ent.isDirectory();
      let isFile = ent.isFile();
      if (ent.isSymbolicLink()) {
        const st = statSync(path, { throwIfNoEntry: false });
        if (!st) throw new UsageError('EUSB_SOURCE', `${path} is a broken symbolic link`);
        if (st.isDirectory()) throw new UsageError('EUSB_SOURCE', `${path} is a symbolic link to a folder: copy the folder instead`);
        isDir = false;
        isFile = st.isFile();
      }
      if (isDir) {
        out.push({ name, kind: 'dir', size: 0, ref: path, children: walk(path, relPath) });
      } else if (isFile) {
        const size = statSync(path).size;
        if (size > MAX_FILE_SIZE && WIM_EXT.test(name)) {
          if (!splitWim) {
            throw new TsmediaError('EUSB_WIM_TOO_BIG', `${relPath} is ${size} bytes, over FAT32's 4 GiB file limit; it must be split into .swm parts and no WIM splitter was given`, { path: relPath, size });
          }
          splits.push({ list: out, path: relPath, sourcePath: path, size });
        } else {
          out.push({ name, kind: 'file', size, ref: path });
        }
      } else {
        throw new UsageError('EUSB_SOURCE', `${path} is neither a file nor a folder`);
      }
    }
    return out;
  };
  const root: SourceNode = { name: '', kind: 'dir', size: 0, ref: dir, children: walk(dir, '') };
  for (const s of splits) {
    for (const part of await (splitWim as SplitWimHook)({ path: s.path, sourcePath: s.sourcePath, size: s.size })) {
      s.list.push({ name: part.name, kind: 'file', size: part.size, ref: part.sourcePath });
    }
  }
  return root;
}

/**
 * Refuses a block device unless it is a whole, removable disk (sysfs `block/<name>/removable`
 * is 1), none of it is mounted, and -Force was given. Returns the device size from sysfs.
 */
export async function checkDeviceTarget(devPath: string, opts: { force: boolean; sysRoot?: string; mountsPath?: string }): Promise<{ name: string; sizeBytes: number }> {
  const sysRoot = opts.sysRoot ?? '/sys';
  if (!opts.force) throw new UsageError('EUSB_DEVICE', `${devPath} is a device: writing erases it, so add -Force to confirm`);
  const name = basename(await realpath(devPath).catch(() => devPath));
  const removable = await readFile(join(sysRoot, 'block', name, 'removable'), 'utf8').catch(() => undefined);
  if (removable === undefined) throw new UsageError('EUSB_DEVICE', `${devPath} is not a whole disk (no ${join(sysRoot, 'block', name)}): give the disk, e.g. /dev/sdb, not a partition`);
  if (removable.trim() !== '1') throw new UsageError('EUSB_DEVICE', `${devPath} is not a removable disk: tsmedia writes only to removable USB drives`);
  const mounts = await readFile(opts.mountsPath ?? '/proc/self/mounts', 'utf8').catch(() => '');
  const own = new RegExp(`^/dev/${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(p?\\d+)?$`); // the disk or a partition of it
  const mounted = mounts.split('\n').map((l) => l.split(' ')).filter(([dev]) => dev !== undefined && own.test(dev));
  if (mounted.length) throw new UsageError('EUSB_DEVICE', `${devPath} is mounted (${mounted.map(([dev, at]) => `${dev} on ${at}`).join(', ')}): unmount it first`);
  const sectors = Number((await readFile(join(sysRoot, 'block', name, 'size'), 'utf8').catch(() => '0')).trim());
  const st = await stat(devPath).catch(() => undefined);
  if (!st?.isBlockDevice()) throw new UsageError('EUSB_DEVICE', `${devPath} is not a block device`);
  return { name, sizeBytes: sectors * SECTOR_SIZE };
}

export interface WriteUsbImageOptions {
  sourcePath: string;
  /** An image file, or /dev/<disk> for a removable drive (with force). */
  outPath: string;
  /** Timestamps of every entry (the caller passes SOURCE_DATE_EPOCH or now). */
  date: Date;
  sizeBytes?: number;
  label?: string;
  /** Overwrite an existing file; required for a device. */
  force?: boolean;
  splitWim?: SplitWimHook;
  signal?: AbortSignal;
  /** sysfs root and mount table, for tests. */
  sysRoot?: string;
  mountsPath?: string;
  onProgress?: (doneBytes: number, totalBytes: number) => void;
}

export interface UsbImageResult {
  path: string;
  device: boolean;
  imageBytes: number;
  clusterSize: number;
  files: number;
  /** Folders, the root not counted. */
  directories: number;
  dataBytes: number;
  volumeId: number;
  label: string;
}

/**
 * Whether `path` names a drive rather than an image file: an existing block device, or any name
 * directly in /dev or /dev/disk/* (so a mistyped /dev/sdz is refused, not created as a file),
 * while files under /dev/shm and the like stay files.
 */
export async function isDevicePath(path: string): Promise<boolean> {
  if (dirname(path) === '/dev' || path.startsWith('/dev/disk/')) return true;
  return (await stat(path).catch(() => undefined))?.isBlockDevice() ?? false;
}

/** Builds the image: scan, plan, stream. Leaves no output behind on failure. */
export async function writeUsbImage(opts: WriteUsbImageOptions): Promise<UsbImageResult> {
  const device = await isDevicePath(opts.outPath);
  let sizeBytes = opts.sizeBytes;
  if (device) {
    const dev = await checkDeviceTarget(opts.outPath, { force: opts.force ?? false, ...(opts.sysRoot ? { sysRoot: opts.sysRoot } : {}), ...(opts.mountsPath ? { mountsPath: opts.mountsPath } : {}) });
    if (sizeBytes === undefined) sizeBytes = dev.sizeBytes;
    if (sizeBytes > dev.sizeBytes) throw new UsageError('EUSB_SIZE', `${opts.outPath} holds ${Math.floor(dev.sizeBytes / 1048576)} MB, less than the ${Math.floor(sizeBytes / 1048576)} MB asked for`);
  } else if (!opts.force && await lstat(opts.outPath).then(() => true, () => false)) {
    throw new UsageError('EUSB_EXISTS', `${opts.outPath} exists: add -Force to replace it`);
  }
  const tree = await scanSourceTree(opts.sourcePath, opts.splitWim);
  const plan = planUsbImage(tree, { date: opts.date, ...(sizeBytes !== undefined ? { sizeBytes } : {}), ...(opts.label !== undefined ? { label: opts.label } : {}) });
  const target = device ? opts.outPath : `${opts.outPath}.partial-${process.pid}`;
  const fd = openSync(target, device ? 'r+' : 'w');
  let closed = false;
  try {
    await streamPlan(plan, fd, { sparse: !device, ...(opts.signal ? { signal: opts.signal } : {}), ...(opts.onProgress ? { onProgress: opts.onProgress } : {}) });
    if (device) fsyncSync(fd);
    closeSync(fd);
    closed = true;
    if (!device) await rename(target, opts.outPath);
  } catch (err) {
    if (!closed) closeSync(fd);
    if (!device) await rm(target, { force: true });
    throw err;
  }
  return {
    path: opts.outPath,
    device,
    imageBytes: plan.imageBytes,
    clusterSize: plan.clusterSize,
    files: plan.files.length,
    directories: plan.dirs.length - 1,
    dataBytes: plan.files.reduce((n, f) => n + f.size, 0),
    volumeId: plan.bpb.volumeId,
    label: plan.label,
  };
}

/** Writes all of `buf` at `position` in the thread pool. */
function writeAsync(fd: number, buf: Buffer, position: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const step = (done: number): void => {
      if (done === buf.length) { resolve(); return; }
      write(fd, buf, done, buf.length - done, position + done, (err, n) => (err ? reject(err) : step(done + n)));
    };
    step(0);
  });
}

function writeAll(fd: number, buf: Buffer, position: number): void {
  let done = 0;
  while (done < buf.length) done += writeSync(fd, buf, done, buf.length - done, position + done);
}

/** Streams `plan` into the open file or device `fd`. */
export async function streamPlan(plan: UsbPlan, fd: number, opts: { sparse: boolean; signal?: AbortSignal; onProgress?: (done: number, total: number) => void }): Promise<void> {
  const partBase = plan.partition.startLba * SECTOR_SIZE;
  const clusterOffset = (c: number): number => partBase + (plan.dataStartSector + (c - FIRST_DATA_CLUSTER) * plan.bpb.sectorsPerCluster) * SECTOR_SIZE;
  const checkAbort = (): void => {
    if (opts.signal?.aborted) throw new TsmediaError('EABORTED', 'USB image writing was interrupted');
  };
  checkAbort();

  // MBR, and on a device zeros up to the partition (stale GPT headers would confuse firmware)
  const mbr = encodeMbr({
    bootCode: MBR_CODE,
    diskSignature: plan.diskSignature,
    partitions: [{ bootable: true, type: TYPE_FAT32_LBA, startLba: plan.partition.startLba, sectors: plan.partition.sectors }],
  });
  writeAll(fd, opts.sparse ? mbr : Buffer.concat([mbr, Buffer.alloc((PARTITION_START_LBA - 1) * SECTOR_SIZE)]), 0);

  // reserved area: boot sector, FSInfo, second stage, and their backups from sector 6
  const reserved = Buffer.alloc(plan.bpb.reservedSectors * SECTOR_SIZE);
  const boot = encodeBootSector(plan.bpb, VBR_CODE.subarray(0, SECTOR_SIZE));
  const stage2 = VBR_CODE.subarray(SECTOR_SIZE);
  const fsinfo = encodeFsInfo({ freeClusters: plan.clusterCount - (plan.usedEnd - FIRST_DATA_CLUSTER), nextFree: plan.usedEnd });
  for (const base of [0, plan.bpb.backupBootSector]) {
    boot.copy(reserved, base * SECTOR_SIZE);
    fsinfo.copy(reserved, (base + plan.bpb.fsInfoSector) * SECTOR_SIZE);
    stage2.copy(reserved, (base + plan.stage2Sector) * SECTOR_SIZE);
  }
  writeAll(fd, reserved, partBase);

  // FATs: the used part (all of it on a device, where old bytes must not remain)
  const buf = Buffer.allocUnsafe(CHUNK);
  const fatBytes = plan.bpb.fatSectors * SECTOR_SIZE;
  const fatWrite = opts.sparse ? Math.min(fatBytes, Math.ceil(plan.usedEnd * FAT_ENTRY_SIZE / SECTOR_SIZE) * SECTOR_SIZE) : fatBytes;
  const gen = new FatGenerator(plan.runEnds, plan.usedEnd, plan.bpb.media);
  for (let off = 0; off < fatWrite; off += CHUNK) {
    const chunk = buf.subarray(0, Math.min(CHUNK, fatWrite - off));
    gen.fill(chunk, off / FAT_ENTRY_SIZE);
    for (let f = 0; f < plan.bpb.numFats; f++) writeAll(fd, chunk, partBase + (plan.bpb.reservedSectors + f * plan.bpb.fatSectors) * SECTOR_SIZE + off);
  }

  // directories
  const stamp = encodeFatTimestamp(plan.date);
  for (const d of plan.dirs) {
    const bytes = d.clusters * plan.clusterSize;
    const out = bytes <= CHUNK ? buf.subarray(0, bytes) : Buffer.alloc(bytes);
    encodeDirectory(d, stamp, out);
    writeAll(fd, out, clusterOffset(d.firstCluster));
  }

  // file data: runs are consecutive, so data is gathered in a buffer and written in big pieces;
  // two buffers, so one is written (in the thread pool) while the next is filled
  const bufs = [buf, Buffer.allocUnsafe(CHUNK)];
  const pending: (Promise<void> | undefined)[] = [undefined, undefined];
  let cur = 0;
  let fill = bufs[0] as Buffer;
  const total = plan.files.reduce((n, f) => n + f.clusters * plan.clusterSize, 0);
  let bufStart = 0;
  let bufLen = 0;
  let done = 0;
  let sinceYield = 0;
  let filesSinceYield = 0;
  const flush = async (): Promise<void> => {
    if (bufLen) {
      pending[cur] = writeAsync(fd, fill.subarray(0, bufLen), bufStart);
      cur ^= 1;
      await pending[cur];
      pending[cur] = undefined;
      fill = bufs[cur] as Buffer;
    }
    bufStart += bufLen;
    done += bufLen;
    sinceYield += bufLen;
    bufLen = 0;
  };
  try {
    for (const f of plan.files) {
      if (!f.clusters) continue;
      const at = clusterOffset(f.firstCluster);
      if (at !== bufStart + bufLen) { await flush(); bufStart = at; }
      const src = openSync(f.ref, 'r');
      try {
        if (fstatSync(src).size !== f.size) throw new TsmediaError('EUSB_SOURCE_CHANGED', `${f.ref} changed size while the image was written (planned ${f.size} bytes): build again`);
        let left = f.size;
        while (left > 0) {
          if (bufLen === CHUNK) await flush();
          const n = readSync(src, fill, bufLen, Math.min(CHUNK - bufLen, left), null);
          if (n === 0) throw new TsmediaError('EUSB_SOURCE_CHANGED', `${f.ref} shrank while the image was written (planned ${f.size} bytes)`);
          bufLen += n;
          left -= n;
        }
      } finally {
        closeSync(src);
      }
      let slack = f.clusters * plan.clusterSize - f.size;
      while (slack > 0) {
        if (bufLen === CHUNK) await flush();
        const n = Math.min(slack, CHUNK - bufLen);
        fill.fill(0, bufLen, bufLen + n);
        bufLen += n;
        slack -= n;
      }
      if (sinceYield >= YIELD_BYTES || ++filesSinceYield >= YIELD_FILES) {
        sinceYield = 0;
        filesSinceYield = 0;
        opts.onProgress?.(done + bufLen, total);
        await new Promise((r) => setImmediate(r));
        checkAbort();
      }
    }
    await flush();
    await Promise.all(pending);
  } finally {
    await Promise.allSettled(pending); // on failure, no write may still be running when fd closes
  }
  opts.onProgress?.(done, total);
  if (opts.sparse) ftruncateSync(fd, plan.imageBytes);
}
