// The plan of a whole image: every structure's sector, computed from names and sizes alone,
// before any byte is written. The writer then streams regions in LBA order; metadata regions
// render their bytes lazily (in bounded batches), file regions name the source to copy.
//
// Sector map (UDF bridge on; the order genisoimage uses):
//   0-15 system area (zeros) | 16 PVD | 17 El Torito boot record (when booting) | Joliet SVD |
//   terminator | BEA01 NSR02 TEA01 | 32 UDF main VDS | 48 reserve VDS | 64 LVID + terminator |
//   256 AVDP | 257 = UDF partition block 0: FSD + terminator, directories (File Entry + FIDs),
//   file File Entries | ISO L/M path tables | Joliet L/M path tables | ISO directories | Joliet
//   directories | boot catalog | file data (shared by all three trees) | AVDP (last sector).
//
// Files of 4 GiB and more: ISO 9660 level 3 multi-extent records (extents of 4 GiB - 2 KiB, the
// last one shorter) in both ISO and Joliet trees, as xorriso writes them; UDF describes the same
// bytes with 1 GiB short_ads. So every reader (7-Zip, Windows, Linux isofs, libisofs) sees the
// whole file. (oscdimg -u2 hides everything but a README from ISO 9660; genisoimage
// -allow-limited-size writes a wrong size in ISO/Joliet. We do neither.)
// Deep trees: ECMA-119 allows 8 levels; like xorriso we keep deeper directories in the ISO 9660
// tree too (relaxed) rather than drop or relocate them: Joliet and UDF readers see them anyway.
import { TsmediaError, UsageError } from '../../errors.js';
import {
  SECTOR, FLAG_DIRECTORY, FLAG_MULTI_EXTENT, MAX_EXTENT, recordLength, writeDirectoryRecord, writeNamedRecord, recordDateBytes,
} from './directory-record.js';
import { encodePathTable, pathEntryLength, MAX_DIRECTORIES, type PathTableEntry } from './path-table.js';
import { isoNamesForDirectory, isoVolumeId } from './iso-names.js';
import { checkJolietName, compareJoliet, utf16be } from './joliet-names.js';
import {
  VD_FIRST_SECTOR, encodePrimaryOrJoliet, encodeBootRecord, encodeTerminator,
} from './volume-descriptor.js';
import { encodeBootCatalog, PLATFORM_EFI, PLATFORM_X86, DEFAULT_LOAD_SEGMENT, type BootImage } from './el-torito.js';
import { encodeVolumeRecognition } from './udf/volume-recognition.js';
import { encodeAnchor, ANCHOR_SECTOR } from './udf/anchor.js';
import { encodeVolumeDescriptorSequence, VDS_SECTORS } from './udf/volume-descriptors.js';
import { encodeIntegritySequence, INTEGRITY_SECTORS } from './udf/integrity.js';
import { encodeFileSet, FILE_SET_SECTORS } from './udf/file-set.js';
import { encodeFileEntry, MAX_UDF_FILE } from './udf/file-entry.js';
import { fidLength, writeFid, CHAR_DIRECTORY, CHAR_PARENT } from './udf/file-identifier.js';
import { cs0Length } from './udf/primitives.js';

export { SECTOR };
const UDF_MAIN_VDS = 32;
const UDF_RESERVE_VDS = 48;
const UDF_INTEGRITY = 64;
const UDF_PARTITION_START = ANCHOR_SECTOR + 1;
/** UDF unique ids 1-15 are reserved (UDF 2.x 3.2.1.1); the root takes 0. */
const FIRST_UNIQUE_ID = 16;
/** File Entries rendered per batch: bounds the writer's memory to 512 KiB here. */
const FE_BATCH = 256;
export const DEFAULT_BIOS_LOAD_SECTORS = 4;
export const APPLICATION_ID = 'TSMEDIA';

export interface PlanFile {
  /** Path inside the image, '/'-separated, no leading slash. */
  path: string;
  size: number;
  /** Where the writer reads the bytes (an absolute file path for the file writer). */
  source: string;
  /** The bytes start here in source, which holds more (a blob in a content-library pack). */
  sourceOffset?: number | undefined;
  /** The bytes' SHA-256 (hex): the writer checks it as it copies them. */
  sha256?: string | undefined;
  /**
   * Files with the same key hold the same bytes and share one extent on the disc (hard links;
   * content-library hashes), as oscdimg -o does. Sizes must match.
   */
  contentKey?: string | undefined;
}

export interface PlanInput {
  files: readonly PlanFile[];
  /** Directories to create even when empty ('/'-separated). */
  directories?: readonly string[];
  label: string;
  /** Every timestamp in the image. */
  date: Date;
  /** El Torito BIOS no-emulation image (e.g. boot/etfsboot.com): a path among files. */
  biosBoot?: { path: string; loadSectors?: number | undefined; bootInfoTable?: boolean } | undefined;
  /** El Torito UEFI (platform 0xEF) FAT image (e.g. efi/microsoft/boot/efisys.bin). */
  uefiBoot?: { path: string } | undefined;
  /** Add the UDF 1.02 bridge (default true). */
  udf?: boolean;
  /** Volume set identifier (ISO d-characters after mapping); defaults to the label. */
  volumeSetId?: string;
}

export interface FileNode {
  name: string;
  path: string;
  size: number;
  source: string;
  sourceOffset: number | undefined;
  sha256: string | undefined;
  contentKey: string | undefined;
  /** True when the bytes are another file's extent (no data region of its own). */
  shared: boolean;
  parent: DirNode;
  /** ISO 9660 identifier (latin-1 string, with ";1"); Joliet and UDF use name. */
  isoId: string;
  lba: number;
  udfFe: number;
  uniqueId: number;
}

export interface DirNode {
  name: string;
  path: string;
  parent: DirNode | undefined;
  dirs: DirNode[];
  files: FileNode[];
  isoId: string;
  /** Children in ISO / Joliet order. */
  isoOrder: (DirNode | FileNode)[];
  jolietOrder: (DirNode | FileNode)[];
  isoLba: number; isoSize: number; isoNumber: number;
  jolLba: number; jolSize: number; jolNumber: number;
  udfFe: number; udfData: number; udfSize: number;
  uniqueId: number;
}

export type Region =
  | { kind: 'meta'; lba: number; sectors: number; name: string; render: () => Iterable<Buffer> }
  | { kind: 'file'; lba: number; sectors: number; file: FileNode };

export interface IsoPlan {
  label: string;
  date: Date;
  totalSectors: number;
  root: DirNode;
  /** Files in data (LBA) order. */
  files: FileNode[];
  directories: number;
  regions: Region[];
  boot: { lba: number; platform: number; sectorCount: number; file: FileNode; bootInfoTable: boolean }[];
  catalogLba: number | undefined;
  udf: boolean;
  pvdLba: number;
}

const isDir = (n: DirNode | FileNode): n is DirNode => 'dirs' in n;
/** Joliet identifier: the name in UTF-16BE, files with ";1". Encoded when rendered, not kept. */
const jolietId = (n: DirNode | FileNode): Buffer => utf16be(isDir(n) ? n.name : `${n.name};1`);
const jolietIdLength = (n: DirNode | FileNode): number => 2 * (n.name.length + (isDir(n) ? 0 : 2));
const sectorsOf = (bytes: number): number => Math.ceil(bytes / SECTOR);

function newDir(name: string, path: string, parent: DirNode | undefined): DirNode {
  return {
    name, path, parent, dirs: [], files: [], isoId: '',
    isoOrder: [], jolietOrder: [], isoLba: 0, isoSize: 0, isoNumber: 0, jolLba: 0, jolSize: 0, jolNumber: 0,
    udfFe: 0, udfData: 0, udfSize: 0, uniqueId: 0,
  };
}

/** Splits and checks an image path; rejects empty, '.', '..' components and backslashes. */
export function splitImagePath(path: string): string[] {
  const parts = path.split('/');
  for (const p of parts) checkJolietName(p, path);
  return parts;
}

function buildTree(input: PlanInput): { root: DirNode; byPath: Map<string, FileNode> } {
  const root = newDir('', '', undefined);
  const dirs = new Map<string, DirNode>([['', root]]);
  const byPath = new Map<string, FileNode>();
  const dirFor = (parts: readonly string[]): DirNode => {
    let cur = root;
    let path = '';
    for (const p of parts) {
      path = path ? `${path}/${p}` : p;
      let d = dirs.get(path);
      if (!d) {
        if (byPath.has(path)) throw new UsageError('EISO_TREE', `"${path}" is both a file and a directory`);
        d = newDir(p, path, cur);
        dirs.set(path, d);
        cur.dirs.push(d);
      }
      cur = d;
    }
    return cur;
  };
  for (const d of input.directories ?? []) if (d !== '') dirFor(splitImagePath(d));
  let lastDir = '';
  let lastParent = root;
  for (const f of input.files) {
    if (!Number.isSafeInteger(f.size) || f.size < 0) throw new UsageError('EISO_TREE', `"${f.path}" has an invalid size ${f.size}`);
    if (f.size > MAX_UDF_FILE) throw new TsmediaError('EISO_FILE_TOO_BIG', `"${f.path}" is ${f.size} bytes; one UDF File Entry describes at most ${MAX_UDF_FILE}`, { path: f.path });
    const slash = f.path.lastIndexOf('/');
    const dirPath = slash < 0 ? '' : f.path.slice(0, slash);
    const name = f.path.slice(slash + 1);
    checkJolietName(name, f.path);
    // files arrive grouped by folder: look the folder up once per run of siblings
    const parent = dirPath === lastDir ? lastParent : dirPath === '' ? root : dirFor(splitImagePath(dirPath));
    lastDir = dirPath;
    lastParent = parent;
    if (byPath.has(f.path) || dirs.has(f.path)) throw new UsageError('EISO_TREE', `"${f.path}" appears twice in the tree`);
    const node: FileNode = { name, path: f.path, size: f.size, source: f.source, sourceOffset: f.sourceOffset, sha256: f.sha256, contentKey: f.contentKey, shared: false, parent, isoId: '', lba: 0, udfFe: 0, uniqueId: 0 };
    parent.files.push(node);
    byPath.set(f.path, node);
  }
  return { root, byPath };
}

/** Names and orders: ISO ids unique per directory, Joliet/UDF names as given. */
function nameTree(d: DirNode): void {
  const kids: (DirNode | FileNode)[] = [...d.dirs, ...d.files].sort((a, b) => compareJoliet(a.name, b.name));
  const iso = isoNamesForDirectory(kids.map((k) => ({ name: k.name, isDir: isDir(k) })));
  kids.forEach((k, i) => {
    k.isoId = isDir(k) ? iso[i]! : `${iso[i]!};1`;
  });
  d.jolietOrder = kids;
  d.isoOrder = [...kids].sort((a, b) => (a.isoId < b.isoId ? -1 : a.isoId > b.isoId ? 1 : 0)); // latin-1: code units = bytes
  d.dirs.sort((a, b) => compareJoliet(a.name, b.name));
  d.files.sort((a, b) => compareJoliet(a.name, b.name));
  for (const c of d.dirs) nameTree(c);
}

/** Breadth-first directory list in path table order (level, parent number, identifier). */
function bfs(root: DirNode, order: 'iso' | 'joliet'): DirNode[] {
  const out = [root];
  for (let i = 0; i < out.length; i++) {
    const d = out[i]!;
    for (const k of order === 'iso' ? d.isoOrder : d.jolietOrder) if (isDir(k)) out.push(k);
  }
  return out;
}

function extentCount(size: number): number {
  return Math.max(1, Math.ceil(size / MAX_EXTENT));
}

/** Bytes of a directory's records, no record crossing a sector boundary. */
function dirBytes(d: DirNode, joliet: boolean): number {
  let off = 68; // "." and ".." (34 bytes each)
  for (const k of joliet ? d.jolietOrder : d.isoOrder) {
    const len = recordLength(joliet ? jolietIdLength(k) : k.isoId.length);
    const n = isDir(k) ? 1 : extentCount(k.size);
    for (let i = 0; i < n; i++) {
      if ((off % SECTOR) + len > SECTOR) off += SECTOR - (off % SECTOR);
      off += len;
    }
  }
  return sectorsOf(off) * SECTOR;
}

function udfDirBytes(d: DirNode): number {
  let n = fidLength(0);
  for (const k of d.jolietOrder) n += fidLength(cs0Length(k.name));
  return n;
}

/**
 * A reusable zeroed work buffer: each yielded chunk is copied by the writer before the generator
 * resumes, so one buffer per region serves every chunk (no garbage per directory or batch).
 */
function scratch(zeroed = true): (size: number) => Buffer {
  let buf = Buffer.alloc(0);
  return (size) => {
    if (buf.length < size) buf = Buffer.alloc(Math.max(size, 64 * 1024));
    const b = buf.subarray(0, size);
    if (zeroed) b.fill(0);
    return b;
  };
}

function renderDirectory(d: DirNode, joliet: boolean, date: Buffer, alloc: (size: number) => Buffer): Buffer {
  const size = joliet ? d.jolSize : d.isoSize;
  const buf = alloc(size);
  const self = joliet ? { lba: d.jolLba, size: d.jolSize } : { lba: d.isoLba, size: d.isoSize };
  const p = d.parent ?? d;
  const parent = joliet ? { lba: p.jolLba, size: p.jolSize } : { lba: p.isoLba, size: p.isoSize };
  let off = writeDirectoryRecord(buf, 0, { ...self, flags: FLAG_DIRECTORY, id: Buffer.from([0]) }, date);
  off += writeDirectoryRecord(buf, off, { ...parent, flags: FLAG_DIRECTORY, id: Buffer.from([1]) }, date);
  for (const k of joliet ? d.jolietOrder : d.isoOrder) {
    const id = joliet ? (isDir(k) ? k.name : `${k.name};1`) : k.isoId;
    const len = recordLength(joliet ? 2 * id.length : id.length);
    const n = isDir(k) ? 1 : extentCount(k.size);
    for (let i = 0; i < n; i++) {
      let lba: number; let sz: number; let flags: number;
      if (isDir(k)) {
        lba = joliet ? k.jolLba : k.isoLba; sz = joliet ? k.jolSize : k.isoSize; flags = FLAG_DIRECTORY;
      } else {
        const last = i === n - 1;
        lba = k.size === 0 ? 0 : k.lba + i * (MAX_EXTENT / SECTOR);
        sz = last ? k.size - i * MAX_EXTENT : MAX_EXTENT;
        flags = last ? 0 : FLAG_MULTI_EXTENT;
      }
      if ((off % SECTOR) + len > SECTOR) off += SECTOR - (off % SECTOR); // records never cross sectors
      off += writeNamedRecord(buf, off, lba, sz, flags, id, joliet, date);
    }
  }
  return buf;
}

function pathTable(dirs: readonly DirNode[], joliet: boolean): PathTableEntry[] {
  return dirs.map((d) => ({
    id: d.parent ? (joliet ? jolietId(d) : Buffer.from(d.isoId, 'latin1')) : Buffer.from([0]),
    lba: joliet ? d.jolLba : d.isoLba,
    parent: d.parent ? (joliet ? d.parent.jolNumber : d.parent.isoNumber) : 1,
  }));
}

function padSectors(b: Buffer): Buffer {
  const n = sectorsOf(b.length) * SECTOR;
  return b.length === n ? b : Buffer.concat([b, Buffer.alloc(n - b.length)]);
}

/** Plans an image. Throws UsageError/TsmediaError for trees the formats cannot hold. */
export function planIso(input: PlanInput): IsoPlan {
  const udf = input.udf ?? true;
  const date = input.date;
  const { root, byPath } = buildTree(input);
  nameTree(root);
  const isoDirs = bfs(root, 'iso');
  const jolDirs = bfs(root, 'joliet');
  if (isoDirs.length > MAX_DIRECTORIES) throw new TsmediaError('EISO_TOO_MANY_DIRS', `the tree has ${isoDirs.length} directories; an ISO 9660 path table holds at most ${MAX_DIRECTORIES}`);
  isoDirs.forEach((d, i) => { d.isoNumber = i + 1; });
  jolDirs.forEach((d, i) => { d.jolNumber = i + 1; });
  const files: FileNode[] = [];
  for (const d of jolDirs) files.push(...d.files);

  const bootFile = (path: string, what: string): FileNode => {
    const f = byPath.get(path.replace(/\\/g, '/').replace(/^\/+/, ''));
    if (!f) throw new UsageError('EISO_BOOT_FILE', `the ${what} boot file "${path}" is not a file in the source tree`);
    if (f.size === 0) throw new UsageError('EISO_BOOT_FILE', `the ${what} boot file "${path}" is empty`);
    return f;
  };
  const bios = input.biosBoot ? bootFile(input.biosBoot.path, 'BIOS') : undefined;
  const uefi = input.uefiBoot ? bootFile(input.uefiBoot.path, 'UEFI') : undefined;
  const booting = Boolean(bios || uefi);
  const biosLoad = input.biosBoot?.loadSectors ?? DEFAULT_BIOS_LOAD_SECTORS;
  if (!Number.isInteger(biosLoad) || biosLoad < 1 || biosLoad > 0xffff) throw new UsageError('EISO_BOOT_FILE', `BIOS load size ${biosLoad} is not 1..65535 sectors`);

  // Volume descriptors from 16
  const pvdLba = VD_FIRST_SECTOR;
  let lba = VD_FIRST_SECTOR + 1;
  if (booting) lba++;                  // El Torito boot record
  lba++;                               // Joliet supplementary descriptor
  const termLba = lba++;
  let next = lba;
  let udfBlocks = 0;
  if (udf) {
    next = termLba + 4; // after the VRS (3 sectors)
    // UDF partition: FSD + TD, then directories, then file entries
    let block = FILE_SET_SECTORS;
    root.uniqueId = 0;
    let uid = FIRST_UNIQUE_ID;
    for (const d of jolDirs) {
      d.udfFe = block++;
      d.udfSize = udfDirBytes(d);
      d.udfData = block;
      block += sectorsOf(d.udfSize);
      if (d !== root) d.uniqueId = uid++;
    }
    for (const f of files) { f.udfFe = block++; f.uniqueId = uid++; }
    udfBlocks = block;
    next = UDF_PARTITION_START + udfBlocks;
  }
  let isoPtSize = 0;
  let jolPtSize = 0;
  for (const d of isoDirs) isoPtSize += pathEntryLength(d.parent ? d.isoId.length : 1);
  for (const d of jolDirs) jolPtSize += pathEntryLength(d.parent ? jolietIdLength(d) : 1);
  const isoL = next; next += sectorsOf(isoPtSize);
  const isoM = next; next += sectorsOf(isoPtSize);
  const jolL = next; next += sectorsOf(jolPtSize);
  const jolM = next; next += sectorsOf(jolPtSize);
  for (const d of isoDirs) { d.isoSize = dirBytes(d, false); d.isoLba = next; next += d.isoSize / SECTOR; }
  for (const d of jolDirs) { d.jolSize = dirBytes(d, true); d.jolLba = next; next += d.jolSize / SECTOR; }
  const catalogLba = booting ? next++ : undefined;
  const extents = new Map<string, FileNode>();
  for (const f of files) {
    if (f.size === 0) continue;
    const same = f.contentKey !== undefined && f !== bios ? extents.get(f.contentKey) : undefined;
    if (same) {
      if (same.size !== f.size) throw new UsageError('EISO_TREE', `"${f.path}" and "${same.path}" share a content key but differ in size`);
      f.lba = same.lba;
      f.shared = true;
      continue;
    }
    f.lba = next;
    next += sectorsOf(f.size);
    // a BIOS image may get a boot info table patched in: it never lends its extent
    if (f.contentKey !== undefined && f !== bios) extents.set(f.contentKey, f);
  }
  const lastAnchor = udf ? next++ : 0;
  const totalSectors = next;
  if (totalSectors > 0xffff_ffff) throw new TsmediaError('EISO_TOO_BIG', 'the image would exceed 2^32 sectors (8 TiB)');
  const partitionLength = udf ? lastAnchor - UDF_PARTITION_START : 0;

  const boot: IsoPlan['boot'] = [];
  if (bios) boot.push({ lba: bios.lba, platform: PLATFORM_X86, sectorCount: biosLoad, file: bios, bootInfoTable: input.biosBoot?.bootInfoTable ?? false });
  if (uefi) {
    const virt = Math.ceil(uefi.size / 512);
    // A UEFI image over 32 MiB cannot be described in 16 bits: 0 lets firmware read to its end
    // (libisofs does the same for platform 0xEF).
    boot.push({ lba: uefi.lba, platform: PLATFORM_EFI, sectorCount: virt > 0xffff ? 0 : virt, file: uefi, bootInfoTable: false });
  }

  const label = input.label;
  const vd = (joliet: boolean): Buffer => encodePrimaryOrJoliet({
    joliet,
    volumeId: joliet ? label.slice(0, 16) : isoVolumeId(label),
    volumeSetId: joliet ? (input.volumeSetId ?? label).slice(0, 64) : isoVolumeId(input.volumeSetId ?? label, 128),
    publisherId: '', preparerId: '', applicationId: APPLICATION_ID,
    totalSectors,
    pathTableSize: joliet ? jolPtSize : isoPtSize,
    lPathTableLba: joliet ? jolL : isoL,
    mPathTableLba: joliet ? jolM : isoM,
    root: joliet ? { lba: root.jolLba, size: root.jolSize } : { lba: root.isoLba, size: root.isoSize },
    date,
  });

  const regions: Region[] = [];
  const meta = (name: string, at: number, sectors: number, render: () => Iterable<Buffer>): void => {
    regions.push({ kind: 'meta', lba: at, sectors, name, render });
  };
  meta('volume descriptors', pvdLba, termLba + 1 - pvdLba, () => [
    vd(false), ...(booting ? [encodeBootRecord(catalogLba!)] : []), vd(true), encodeTerminator(),
  ]);
  if (udf) {
    const udfVolumeSetId = `${date.getTime().toString(16).toUpperCase().padStart(16, '0')}${label}`;
    const vds = { volumeId: label, volumeSetId: udfVolumeSetId, date, partitionStart: UDF_PARTITION_START, partitionLength, integrity: { location: UDF_INTEGRITY, length: INTEGRITY_SECTORS * SECTOR }, fileSetBlock: 0 };
    const anchor = (at: number): Buffer => encodeAnchor(at, { location: UDF_MAIN_VDS, length: VDS_SECTORS * SECTOR }, { location: UDF_RESERVE_VDS, length: VDS_SECTORS * SECTOR });
    meta('UDF recognition', termLba + 1, 3, () => encodeVolumeRecognition());
    meta('UDF main VDS', UDF_MAIN_VDS, VDS_SECTORS, () => [encodeVolumeDescriptorSequence(vds, UDF_MAIN_VDS)]);
    meta('UDF reserve VDS', UDF_RESERVE_VDS, VDS_SECTORS, () => [encodeVolumeDescriptorSequence(vds, UDF_RESERVE_VDS)]);
    const nextUniqueId = FIRST_UNIQUE_ID + jolDirs.length - 1 + files.length;
    meta('UDF integrity', UDF_INTEGRITY, INTEGRITY_SECTORS, () => [encodeIntegritySequence({ date, nextUniqueId, partitionLength, files: files.length, directories: jolDirs.length }, UDF_INTEGRITY)]);
    meta('UDF anchor', ANCHOR_SECTOR, 1, () => [anchor(ANCHOR_SECTOR)]);
    meta('UDF file set', UDF_PARTITION_START, FILE_SET_SECTORS, () => [encodeFileSet(label, date, root.udfFe, 0)]);
    const firstDir = jolDirs[0]!;
    meta('UDF directories', UDF_PARTITION_START + firstDir.udfFe, (files[0]?.udfFe ?? udfBlocks) - firstDir.udfFe, function* () {
      const alloc = scratch();
      for (const d of jolDirs) {
        const buf = alloc(SECTOR + sectorsOf(d.udfSize) * SECTOR);
        const subdirs = d.dirs.length;
        encodeFileEntry(buf, { block: d.udfFe, directory: true, size: d.udfSize, dataBlock: d.udfData, links: 1 + subdirs, uniqueId: d.uniqueId, date });
        let off = SECTOR;
        const at = (): number => d.udfData + Math.floor((off - SECTOR) / SECTOR);
        off += writeFid(buf, off, at(), CHAR_DIRECTORY | CHAR_PARENT, '', (d.parent ?? d).udfFe);
        for (const k of d.jolietOrder) off += writeFid(buf, off, at(), isDir(k) ? CHAR_DIRECTORY : 0, k.name, k.udfFe);
        yield buf;
      }
    });
    if (files.length > 0) {
      meta('UDF file entries', UDF_PARTITION_START + files[0]!.udfFe, files.length, function* () {
        const alloc = scratch(false); // encodeFileEntry writes every byte of its block
        for (let i = 0; i < files.length; i += FE_BATCH) {
          const batch = files.slice(i, i + FE_BATCH);
          const buf = alloc(batch.length * SECTOR);
          batch.forEach((f, j) => encodeFileEntry(buf.subarray(j * SECTOR, (j + 1) * SECTOR), {
            block: f.udfFe, directory: false, size: f.size, dataBlock: f.size === 0 ? 0 : f.lba - UDF_PARTITION_START, links: 1, uniqueId: f.uniqueId, date,
          }));
          yield buf;
        }
      });
    }
  }
  meta('ISO path tables', isoL, jolL - isoL, () => [padSectors(encodePathTable(pathTable(isoDirs, false), false)), padSectors(encodePathTable(pathTable(isoDirs, false), true))]);
  meta('Joliet path tables', jolL, isoDirs[0]!.isoLba - jolL, () => [padSectors(encodePathTable(pathTable(jolDirs, true), false)), padSectors(encodePathTable(pathTable(jolDirs, true), true))]);
  meta('ISO directories', root.isoLba, jolDirs[0]!.jolLba - root.isoLba, function* () { const alloc = scratch(); const rd = recordDateBytes(date); for (const d of isoDirs) yield renderDirectory(d, false, rd, alloc); });
  const jolEnd = catalogLba ?? (files.find((f) => f.size > 0 && !f.shared)?.lba ?? (udf ? lastAnchor : totalSectors));
  meta('Joliet directories', root.jolLba, jolEnd - root.jolLba, function* () { const alloc = scratch(); const rd = recordDateBytes(date); for (const d of jolDirs) yield renderDirectory(d, true, rd, alloc); });
  if (catalogLba !== undefined) {
    meta('boot catalog', catalogLba, 1, () => [encodeBootCatalog(boot.map((b): BootImage => ({ platform: b.platform, lba: b.lba, sectorCount: b.sectorCount, loadSegment: b.platform === PLATFORM_X86 ? DEFAULT_LOAD_SEGMENT : 0 })))]);
  }
  for (const f of files) if (f.size > 0 && !f.shared) regions.push({ kind: 'file', lba: f.lba, sectors: sectorsOf(f.size), file: f });
  if (udf) {
    meta('UDF anchor (last sector)', lastAnchor, 1, () => [encodeAnchor(lastAnchor, { location: UDF_MAIN_VDS, length: VDS_SECTORS * SECTOR }, { location: UDF_RESERVE_VDS, length: VDS_SECTORS * SECTOR })]);
  }
  return { label, date, totalSectors, root, files, directories: jolDirs.length, regions, boot, catalogLba, udf, pvdLba };
}
