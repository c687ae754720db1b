// Edge: inspects an ISO image — label, volume set, El Torito entries, the file tree (Joliet when
// present, else ISO 9660, or UDF on request) — and reads files back. It never trusts the input:
// every extent is checked against the image size, directories are size-capped and visited once,
// entry counts and depth are bounded, and every structural fault is a FormatError.
import { open } from 'node:fs/promises';
import { FormatError, NotFoundError, UsageError } from '../../errors.js';
import { FLAG_DIRECTORY, FLAG_MULTI_EXTENT, SECTOR, readDirectoryRecord } from './directory-record.js';
import { VD_FIRST_SECTOR, VD_BOOT, VD_PRIMARY, VD_SUPPLEMENTARY, VD_TERMINATOR, decodeVolumeDescriptor, type DecodedVolumeDescriptor } from './volume-descriptor.js';
import { decodeBootCatalog, PLATFORM_EFI, PLATFORM_X86 } from './el-torito.js';
import { fromUtf16be } from './joliet-names.js';
import { ANCHOR_SECTOR, decodeAnchor } from './udf/anchor.js';
import { readTag, TAG_PD, TAG_LVD, TAG_TD } from './udf/tag.js';
import { readLongAd, readDstring } from './udf/primitives.js';
import { decodeFileSet } from './udf/file-set.js';
import { decodeFileEntry } from './udf/file-entry.js';
import { readFid, CHAR_DELETED, CHAR_DIRECTORY, CHAR_PARENT } from './udf/file-identifier.js';

/** Random access to image bytes. */
export interface ByteSource {
  size: number;
  read(offset: number, length: number): Promise<Buffer>;
  close?(): Promise<void>;
}

export interface BootEntry {
  platform: 'bios' | 'uefi' | 'other';
  platformId: number;
  kind: 'no-emulation' | 'floppy-1.2' | 'floppy-1.44' | 'floppy-2.88' | 'hard-disk' | 'unknown';
  bootable: boolean;
  loadSegment: number;
  /** 512-byte sectors the firmware loads. */
  loadSize: number;
  lba: number;
}

export interface IsoFileInfo { path: string; size: number }

export interface IsoImage {
  label: string;
  volumeSetInfo: { id: string; size: number; sequence: number };
  /** The tree listed in files: 'joliet', 'iso9660' or 'udf'. */
  fileSystem: 'joliet' | 'iso9660' | 'udf';
  hasJoliet: boolean;
  hasUdf: boolean;
  totalSectors: number;
  bootEntries: BootEntry[];
  files: IsoFileInfo[];
  directories: string[];
  /** A whole file (at most MAX_READ_FILE bytes; use readFileRange for more). */
  readFile(path: string): Promise<Buffer>;
  readFileRange(path: string, offset: number, length: number): Promise<Buffer>;
  close(): Promise<void>;
}

export interface ReadIsoOptions { fileSystem?: 'auto' | 'joliet' | 'iso9660' | 'udf' }

export const MAX_ENTRIES = 1_000_000;
export const MAX_DEPTH = 256;
export const MAX_DIRECTORY_BYTES = 64 * 1024 * 1024;
export const MAX_READ_FILE = 512 * 1024 * 1024;
const MAX_DESCRIPTORS = 64;
const KINDS: BootEntry['kind'][] = ['no-emulation', 'floppy-1.2', 'floppy-1.44', 'floppy-2.88', 'hard-disk'];

interface Entry { size: number; extents: { byte: number; length: number }[] }

/** A ByteSource over a Buffer (tests, fuzzing). */
export function bufferSource(buf: Buffer): ByteSource {
  return { size: buf.length, read: async (off, len) => Buffer.from(buf.subarray(off, off + len)) };
}

async function fileSource(path: string): Promise<ByteSource> {
  const fh = await open(path, 'r').catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') throw new NotFoundError('image', `the image "${path}" does not exist`, { path });
    throw e;
  });
  const { size } = await fh.stat();
  return {
    size,
    async read(off, len) {
      const b = Buffer.alloc(len);
      let done = 0;
      while (done < len) {
        const { bytesRead } = await fh.read(b, done, len - done, off + done);
        if (bytesRead === 0) break;
        done += bytesRead;
      }
      return b.subarray(0, done);
    },
    close: () => fh.close(),
  };
}

/** Reads exactly len bytes at off, or throws FormatError when the image is too short. */
async function readExact(src: ByteSource, off: number, len: number, what: string): Promise<Buffer> {
  if (!Number.isSafeInteger(off) || off < 0 || len < 0 || off + len > src.size) throw new FormatError('iso', `${what} lies beyond the end of the image (byte ${off}, ${len} bytes; image ${src.size})`);
  const b = await src.read(off, len);
  if (b.length !== len) throw new FormatError('iso', `${what} is truncated`);
  return b;
}

function checkName(name: string, where: string): string {
  if (name === '' || name === '.' || name === '..' || /[/\0]/.test(name)) throw new FormatError('iso', `a directory in ${where} holds an unsafe name ${JSON.stringify(name)}`);
  return name;
}

class TreeBuilder {
  files = new Map<string, Entry>();
  directories: string[] = [];
  count = 0;
  visited = new Set<number>();
  add(): void { if (++this.count > MAX_ENTRIES) throw new FormatError('iso', `more than ${MAX_ENTRIES} entries: refusing`); }
  enter(key: number, depth: number, path: string): void {
    if (depth > MAX_DEPTH) throw new FormatError('iso', `directories nest deeper than ${MAX_DEPTH} at "${path}"`);
    if (this.visited.has(key)) throw new FormatError('iso', `directory "${path}" loops back to a directory already read`);
    this.visited.add(key);
  }
}

async function readIsoTree(src: ByteSource, vd: DecodedVolumeDescriptor): Promise<TreeBuilder> {
  const t = new TreeBuilder();
  const walk = async (lba: number, size: number, path: string, depth: number): Promise<void> => {
    t.enter(lba, depth, path || '/');
    if (size > MAX_DIRECTORY_BYTES) throw new FormatError('iso', `directory "${path || '/'}" claims ${size} bytes`);
    const data = await readExact(src, lba * SECTOR, Math.ceil(size / SECTOR) * SECTOR, `directory "${path || '/'}"`);
    let pending: { name: string; entry: Entry } | undefined;
    const subdirs: { name: string; lba: number; size: number }[] = [];
    for (let sector = 0; sector < data.length; sector += SECTOR) {
      let off = sector;
      const end = sector + SECTOR;
      while (off < end) {
        const r = readDirectoryRecord(data, off, end);
        if (!r) break;
        off += data[off]!;
        if (r.id.length === 1 && (r.id[0] === 0 || r.id[0] === 1)) continue;
        let name = vd.joliet ? fromUtf16be(r.id) : r.id.toString('latin1');
        name = name.replace(/;\d*$/, '');
        if (!vd.joliet) name = name.replace(/\.$/, '');
        checkName(name, path || '/');
        const full = path ? `${path}/${name}` : name;
        t.add();
        if (r.flags & FLAG_DIRECTORY) { subdirs.push({ name: full, lba: r.lba, size: r.size }); continue; }
        const ext = { byte: r.lba * SECTOR, length: r.size };
        if (pending && pending.name === full) pending.entry.extents.push(ext);
        else pending = { name: full, entry: { size: 0, extents: [ext] } };
        pending.entry.size += r.size;
        if (!(r.flags & FLAG_MULTI_EXTENT)) { t.files.set(pending.name, pending.entry); pending = undefined; }
      }
    }
    if (pending) throw new FormatError('iso', `"${pending.name}" ends with a multi-extent record that has no last part`);
    for (const d of subdirs) {
      t.directories.push(d.name);
      await walk(d.lba, d.size, d.name, depth + 1);
    }
  };
  await walk(vd.root.lba, vd.root.size, '', 0);
  return t;
}

async function readUdfTree(src: ByteSource): Promise<{ tree: TreeBuilder; label: string }> {
  const anchorBuf = await readExact(src, ANCHOR_SECTOR * SECTOR, SECTOR, 'the UDF anchor');
  const { main } = decodeAnchor(anchorBuf, ANCHOR_SECTOR);
  const count = Math.min(Math.floor(main.length / SECTOR), MAX_DESCRIPTORS);
  let partitionStart: number | undefined;
  let partitionLength = 0;
  let fsd: { block: number } | undefined;
  let label = '';
  for (let i = 0; i < count; i++) {
    const at = main.location + i;
    const b = await readExact(src, at * SECTOR, SECTOR, 'a UDF volume descriptor');
    const tag = readTag(b, 0, undefined, at);
    if (tag.id === TAG_TD) break;
    if (tag.id === TAG_PD) { partitionStart = b.readUInt32LE(188); partitionLength = b.readUInt32LE(192); }
    if (tag.id === TAG_LVD) {
      if (b.readUInt32LE(212) !== SECTOR) throw new FormatError('udf', 'logical block size is not 2048');
      fsd = { block: readLongAd(b, 248).block };
      label = readDstring(b, 84, 128);
    }
  }
  if (partitionStart === undefined || !fsd) throw new FormatError('udf', 'no partition or logical volume descriptor in the main sequence');
  const pStart = partitionStart;
  const blockByte = (block: number): number => {
    if (block >= partitionLength) throw new FormatError('udf', `block ${block} lies outside the partition`);
    return (pStart + block) * SECTOR;
  };
  const fs = decodeFileSet(await readExact(src, blockByte(fsd.block), SECTOR, 'the UDF file set'), fsd.block);
  const t = new TreeBuilder();
  const entryData = async (fe: ReturnType<typeof decodeFileEntry>, what: string): Promise<Buffer> => {
    if (fe.embedded) return fe.embedded;
    if (fe.size > MAX_DIRECTORY_BYTES) throw new FormatError('udf', `${what} claims ${fe.size} bytes`);
    const parts: Buffer[] = [];
    let left = fe.size;
    for (const e of fe.extents) {
      if (left <= 0) break;
      const n = Math.min(e.length, left);
      parts.push(await readExact(src, blockByte(e.block), n, what));
      left -= n;
    }
    if (left > 0) throw new FormatError('udf', `${what}: extents shorter than its size`);
    return Buffer.concat(parts);
  };
  const walk = async (feBlock: number, path: string, depth: number): Promise<void> => {
    t.enter(feBlock, depth, path || '/');
    const fe = decodeFileEntry(await readExact(src, blockByte(feBlock), SECTOR, `directory "${path || '/'}"`), feBlock);
    if (!fe.directory) throw new FormatError('udf', `"${path || '/'}" is not a directory`);
    const data = await entryData(fe, `directory "${path || '/'}"`);
    const firstBlock = fe.extents[0]?.block ?? 0;
    const subdirs: { name: string; fe: number }[] = [];
    for (let off = 0; off < data.length;) {
      const fid = readFid(data, off, fe.embedded ? feBlock : firstBlock + Math.floor(off / SECTOR));
      off += fid.length;
      if (fid.characteristics & (CHAR_PARENT | CHAR_DELETED)) continue;
      const name = checkName(fid.name, path || '/');
      const full = path ? `${path}/${name}` : name;
      t.add();
      if (fid.characteristics & CHAR_DIRECTORY) { subdirs.push({ name: full, fe: fid.icbBlock }); continue; }
      const child = decodeFileEntry(await readExact(src, blockByte(fid.icbBlock), SECTOR, `"${full}"`), fid.icbBlock);
      if (child.embedded) throw new FormatError('udf', `"${full}" embeds its data; not supported`);
      const extents = child.extents.map((e) => ({ byte: blockByte(e.block), length: e.length }));
      t.files.set(full, { size: child.size, extents });
    }
    for (const d of subdirs) {
      t.directories.push(d.name);
      await walk(d.fe, d.name, depth + 1);
    }
  };
  await walk(fs.rootIcbBlock, '', 0);
  return { tree: t, label };
}

function platformName(id: number): BootEntry['platform'] {
  return id === PLATFORM_X86 ? 'bios' : id === PLATFORM_EFI ? 'uefi' : 'other';
}

/** Opens an image from any ByteSource. */
export async function readIsoFromSource(src: ByteSource, opts: ReadIsoOptions = {}): Promise<IsoImage> {
  let pvd: DecodedVolumeDescriptor | undefined;
  let joliet: DecodedVolumeDescriptor | undefined;
  let catalogLba: number | undefined;
  for (let i = 0; i < MAX_DESCRIPTORS; i++) {
    const at = (VD_FIRST_SECTOR + i) * SECTOR;
    if (at + SECTOR > src.size) break;
    const vd = decodeVolumeDescriptor(await readExact(src, at, SECTOR, 'a volume descriptor'));
    if (!vd || vd.type === VD_TERMINATOR) break;
    if (vd.type === VD_PRIMARY && !pvd) pvd = vd;
    else if (vd.type === VD_SUPPLEMENTARY && vd.joliet && !joliet) joliet = vd;
    else if (vd.type === VD_BOOT && vd.bootCatalogLba !== undefined) catalogLba = vd.bootCatalogLba;
  }
  if (!pvd) throw new FormatError('iso', 'no ISO 9660 primary volume descriptor at sector 16: not an ISO image');
  const want = opts.fileSystem ?? 'auto';
  const anchor = src.size > (ANCHOR_SECTOR + 1) * SECTOR ? await src.read(ANCHOR_SECTOR * SECTOR, 2) : Buffer.alloc(0);
  const hasUdf = anchor.length === 2 && anchor.readUInt16LE(0) === 2;
  let fileSystem: IsoImage['fileSystem'];
  let tree: TreeBuilder;
  let udfLabel = '';
  if (want === 'udf') {
    if (!hasUdf) throw new FormatError('udf', 'the image has no UDF file system (no anchor at sector 256)');
    ({ tree, label: udfLabel } = await readUdfTree(src));
    fileSystem = 'udf';
  } else if (want === 'iso9660' || !joliet) {
    if (want === 'joliet') throw new FormatError('iso', 'the image has no Joliet tree');
    tree = await readIsoTree(src, pvd);
    fileSystem = 'iso9660';
  } else {
    tree = await readIsoTree(src, joliet);
    fileSystem = 'joliet';
  }
  const bootEntries: BootEntry[] = [];
  if (catalogLba !== undefined) {
    for (const e of decodeBootCatalog(await readExact(src, catalogLba * SECTOR, SECTOR, 'the boot catalog'))) {
      bootEntries.push({ platform: platformName(e.platform), platformId: e.platform, kind: KINDS[e.media] ?? 'unknown', bootable: e.bootable, loadSegment: e.loadSegment, loadSize: e.sectorCount, lba: e.lba });
    }
  }
  const entryOf = (path: string): Entry => {
    const e = tree.files.get(path.replace(/\\/g, '/').replace(/^\/+/, ''));
    if (!e) throw new NotFoundError('file', `"${path}" is not a file in the image`, { path });
    let sum = 0;
    for (const x of e.extents) {
      if (x.byte + x.length > src.size) throw new FormatError('iso', `"${path}" has data beyond the end of the image (byte ${x.byte + x.length}, image ${src.size})`);
      sum += x.length;
    }
    if (sum < e.size) throw new FormatError('iso', `"${path}": its extents hold ${sum} bytes, not ${e.size}`);
    return e;
  };
  const readRange = async (path: string, offset: number, length: number): Promise<Buffer> => {
    const e = entryOf(path);
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0) throw new UsageError('EISO_RANGE', 'offset and length must be whole numbers >= 0');
    const end = Math.min(e.size, offset + length);
    const parts: Buffer[] = [];
    let pos = 0;
    for (const x of e.extents) {
      const a = Math.max(offset, pos);
      const b = Math.min(end, pos + x.length);
      if (a < b) parts.push(await readExact(src, x.byte + (a - pos), b - a, `data of "${path}"`));
      pos += x.length;
      if (pos >= end) break;
    }
    return Buffer.concat(parts);
  };
  return {
    label: fileSystem === 'udf' ? udfLabel : fileSystem === 'joliet' ? joliet!.volumeId : pvd.volumeId,
    volumeSetInfo: { id: pvd.volumeSetId, size: pvd.volumeSetSize, sequence: pvd.volumeSequence },
    fileSystem, hasJoliet: Boolean(joliet), hasUdf,
    totalSectors: pvd.totalSectors,
    bootEntries,
    files: [...tree.files].map(([path, e]) => ({ path, size: e.size })).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)),
    directories: [...tree.directories].sort(),
    async readFile(path) {
      const e = entryOf(path);
      if (e.size > MAX_READ_FILE) throw new UsageError('EISO_RANGE', `"${path}" is ${e.size} bytes; read it in ranges (readFileRange)`);
      return readRange(path, 0, e.size);
    },
    readFileRange: readRange,
    close: async () => { await src.close?.(); },
  };
}

/** Opens an image file. Call close() when done. */
export async function readIsoImage(path: string, opts: ReadIsoOptions = {}): Promise<IsoImage> {
  const src = await fileSource(path);
  try {
    return await readIsoFromSource(src, opts);
  } catch (e) {
    await src.close?.();
    throw e;
  }
}
