// DISM-style WIM cmdlets: New-WindowsImage (capture), Add-WindowsImage (append), Get-WindowsImage
// (list / details), Expand-WindowsImage (apply), Split-, Export-, Test-WindowsImage and
// Get-WindowsImageContent. Thin: bind, call lib/formats/wim, return objects.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { NotFoundError, UsageError } from '../errors.js';
import { appendImage } from '../formats/wim/append.js';
import { applyImage } from '../formats/wim/apply.js';
import { captureWim, type CaptureResult } from '../formats/wim/capture.js';
import { exportImage } from '../formats/wim/export.js';
import { walkTree } from '../formats/wim/metadata.js';
import { partName, splitWim } from '../formats/wim/split.js';
import { throwIfFaulty, verifyWim } from '../formats/wim/verify.js';
import type { WimCompression } from '../formats/wim/header.js';
import { openWim, type Wim, type WimImageInfo } from '../formats/wim/reader.js';
import { FILETIME_UNIX_EPOCH } from '../formats/wim/scan.js';
import { child, childText } from '../formats/wim/xml.js';
import type { BoundParameters, CmdletContext, CmdletSpec } from '../shell/types.js';

/** DISM's names (None, Fast, Max) and the codec names. */
const COMPRESSION: Record<string, WimCompression> = { none: 'none', fast: 'xpress', max: 'lzx', xpress: 'xpress', lzx: 'lzx' };

function compressionOf(p: BoundParameters): WimCompression {
  const v = String(p['CompressionType'] ?? 'Fast').toLowerCase();
  const c = COMPRESSION[v];
  if (!c) throw new UsageError('EWIM_COMPRESSION', `-CompressionType ${v} is not None, Fast, Max, XPRESS or LZX`);
  return c;
}

function str(p: BoundParameters, name: string): string | undefined {
  const v = p[name];
  return v === undefined ? undefined : String(v);
}

function filetimeDate(ft: bigint | undefined): Date | undefined {
  return ft === undefined ? undefined : new Date(Number((ft - FILETIME_UNIX_EPOCH) / 10_000n));
}

/** The parts of a split set: -SplitImageFilePattern, else X2.swm, X3.swm... beside part 1 X.swm. */
function refsOf(p: BoundParameters, path: string): string[] {
  const pattern = str(p, 'SplitImageFilePattern');
  if (!pattern) return partsBeside(path);
  // "install*.swm": every file in the folder matching the glob (only * and ?), part 1 excluded later
  const dir = resolve(pattern, '..');
  const base = pattern.slice(pattern.replace(/\\/g, '/').lastIndexOf('/') + 1);
  const re = new RegExp('^' + base.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.') + '$', 'i');
  return readdirSync(dir).filter((n) => re.test(n)).sort().map((n) => resolve(dir, n));
}

/** X2.swm, X3.swm... while they exist, when `path` names part 1 of a split set (X.swm). */
function partsBeside(path: string): string[] {
  if (!/\.swm$/i.test(path)) return [];
  const parts: string[] = [];
  for (let k = 2; existsSync(partName(path, k)); k++) parts.push(partName(path, k));
  return parts;
}

function withWim<T>(path: string, refs: string[], f: (w: Wim) => T): T {
  const w = openWim(path, { refs: refs.filter((r) => r !== resolve(path)) });
  try { return f(w); } finally { w.close(); }
}

function pickImage(w: Wim, p: BoundParameters): WimImageInfo {
  const index = p['Index'];
  const name = str(p, 'Name');
  const img = index !== undefined ? w.images[Number(index) - 1] : w.images.find((i) => i.name === name);
  if (!img) {
    throw new NotFoundError('image', index !== undefined
      ? `${w.path} has no image ${String(index)} (it has ${w.images.length}); list them with Get-WindowsImage -ImagePath ${w.path}`
      : `${w.path} has no image named "${name ?? ''}"`, { index, name });
  }
  return img;
}

function imageObject(w: Wim, img: WimImageInfo, detailed: boolean): Record<string, unknown> {
  const base = { ImagePath: w.path, ImageIndex: img.index, ImageName: img.name, ImageDescription: img.description, ImageSize: img.totalBytes };
  if (!detailed) return base;
  const win = child(img.xml, 'WINDOWS');
  return {
    ...base,
    DirectoryCount: img.dirCount, FileCount: img.fileCount, HardLinkBytes: img.hardLinkBytes,
    CreatedTime: filetimeDate(img.creationTime), ModifiedTime: filetimeDate(img.lastModificationTime),
    Compression: w.compression, Bootable: w.header.bootIndex === img.index,
    EditionId: win ? childText(win, 'EDITIONID') ?? '' : '', Architecture: win ? childText(win, 'ARCH') ?? '' : '',
  };
}

const imagePathParam = { name: 'ImagePath', type: 'string', mandatory: true, position: 0, help: 'The WIM file.' } as const;
const compressionParam = {
  name: 'CompressionType', type: 'string', validateSet: ['None', 'Fast', 'Max', 'XPRESS', 'LZX'],
  help: 'None; Fast (XPRESS, the default); Max (LZX, smaller and slower).',
} as const;

/** -CapturePath, -Name, -Description: shared by New- and Add-WindowsImage. */
const captureParams = [
  { name: 'CapturePath', type: 'string', mandatory: true, position: 1, help: 'The folder to capture.' },
  { name: 'Name', type: 'string', mandatory: true, help: 'The image name (unique in the WIM).' },
  { name: 'Description', type: 'string', help: 'The image description.' },
  { name: 'CheckIntegrity', type: 'switch', help: 'Write an integrity table.' },
] as const;

function captureSpec(p: BoundParameters): { source: string; name: string; description?: string } {
  return { source: resolve(String(p['CapturePath'])), name: String(p['Name']), ...(str(p, 'Description') ? { description: String(p['Description']) } : {}) };
}

function capturedObject(path: string, r: CaptureResult): Record<string, unknown> {
  const img = r.images[0];
  return { ImagePath: path, ImageIndex: img?.index, ImageName: img?.name, DirectoryCount: img?.dirCount, FileCount: img?.fileCount, ImageSize: img?.totalBytes, Size: r.size };
}

export const newWindowsImage: CmdletSpec = {
  name: 'New-WindowsImage',
  synopsis: 'Captures a folder as a new WIM file.',
  description: 'Captures the folder as image 1 of a new WIM (file data single-instanced by SHA-1). Times come from the files and the clock (SOURCE_DATE_EPOCH), so the same input gives the same file.',
  parameters: [
    imagePathParam,
    ...captureParams,
    compressionParam,
    { name: 'Setbootable', type: 'switch', help: 'Mark the image bootable (WinPE boot.wim).' },
    { name: 'Force', type: 'switch', help: 'Overwrite an existing file.' },
  ],
  examples: [{ code: "New-WindowsImage -ImagePath C:\\out\\boot.wim -CapturePath C:\\winpe\\mount -Name 'WinPE' -CompressionType Max -Setbootable", remarks: 'Captures a WinPE tree as a bootable LZX boot.wim.' }],
  async run(p, ctx: CmdletContext) {
    const out = resolve(String(p['ImagePath']));
    if (existsSync(out) && !p['Force']) throw new UsageError('EWIM_EXISTS', `${out} exists; use Add-WindowsImage to append, or -Force to replace it`);
    if (!ctx.shouldProcess(out, 'Capture image')) return undefined;
    const r = await captureWim(out, [captureSpec(p)], {
      compression: compressionOf(p), now: ctx.now(), integrity: Boolean(p['CheckIntegrity']), bootIndex: p['Setbootable'] ? 1 : 0, signal: ctx.signal, fsync: true,
    });
    for (const s of r.images[0]?.skipped ?? []) ctx.warn(`skipped ${s}: not a file, directory or symbolic link`);
    return capturedObject(out, r);
  },
};

export const addWindowsImage: CmdletSpec = {
  name: 'Add-WindowsImage',
  synopsis: 'Captures a folder as a new image appended to an existing WIM.',
  parameters: [
    imagePathParam,
    ...captureParams,
  ],
  async run(p, ctx) {
    const path = resolve(String(p['ImagePath']));
    if (!ctx.shouldProcess(path, 'Append image')) return undefined;
    const r = await appendImage(path, captureSpec(p), {
      now: ctx.now(), signal: ctx.signal, fsync: true, ...(p['CheckIntegrity'] ? { integrity: true } : {}),
    });
    for (const s of r.images[0]?.skipped ?? []) ctx.warn(`skipped ${s}: not a file, directory or symbolic link`);
    return capturedObject(path, r);
  },
};

export const getWindowsImage: CmdletSpec = {
  name: 'Get-WindowsImage',
  synopsis: 'Lists the images in a WIM, or details of one.',
  defaultParameterSet: 'List',
  defaultView: ['ImageIndex', 'ImageName', 'ImageSize'],
  parameters: [
    imagePathParam,
    { name: 'Index', type: 'int', parameterSets: ['ByIndex'], mandatory: ['ByIndex'], help: 'Details of this image.' },
    { name: 'Name', type: 'string', parameterSets: ['ByName'], mandatory: ['ByName'], help: 'Details of the image with this name.' },
    { name: 'CheckIntegrity', type: 'switch', help: 'Verify the integrity table first.' },
  ],
  // async so that errors reach the caller as a rejected promise
  async run(p) {
    await Promise.resolve();
    return withWim(resolve(String(p['ImagePath'])), [], (w) => {
      if (p['CheckIntegrity']) w.verifyIntegrity();
      if (p['Index'] === undefined && p['Name'] === undefined) return w.images.map((i) => imageObject(w, i, false));
      return imageObject(w, pickImage(w, p), true);
    });
  },
};

export const expandWindowsImage: CmdletSpec = {
  name: 'Expand-WindowsImage',
  synopsis: 'Applies an image of a WIM to a folder.',
  description: 'Extracts data, folders, hard links, symbolic links and times into a new or empty folder. Links that would point outside it are not created. Named streams and security descriptors have no Linux form.',
  parameters: [
    imagePathParam,
    { name: 'ApplyPath', type: 'string', mandatory: true, position: 1, help: 'The folder to apply to (new or empty).' },
    { name: 'Index', type: 'int', parameterSets: ['ByIndex'], mandatory: ['ByIndex'], help: 'The image index.' },
    { name: 'Name', type: 'string', parameterSets: ['ByName'], mandatory: ['ByName'], help: 'The image name.' },
    { name: 'SplitImageFilePattern', type: 'string', help: 'The parts of a split WIM, e.g. install*.swm (default: X2.swm, X3.swm... beside X.swm).' },
    { name: 'CheckIntegrity', type: 'switch', help: 'Verify the integrity table first.' },
  ],
  defaultParameterSet: 'ByIndex',
  async run(p, ctx) {
    const path = resolve(String(p['ImagePath']));
    const dest = resolve(String(p['ApplyPath']));
    const w = openWim(path, { refs: refsOf(p, path).filter((r) => r !== path) });
    try {
      if (p['CheckIntegrity']) w.verifyIntegrity();
      const img = pickImage(w, p);
      if (!ctx.shouldProcess(dest, `Apply image ${img.index}`)) return undefined;
      const r = await applyImage(w, img.index, dest, { signal: ctx.signal });
      for (const l of r.skippedLinks) ctx.warn(`link not created (its target leaves ${dest} or has no Linux form): ${l}`);
      if (r.skippedStreams) ctx.warn(`${r.skippedStreams} named data streams were not applied (Linux has none)`);
      return { ImagePath: path, ImageIndex: img.index, ApplyPath: dest, Directories: r.dirs, Files: r.files, HardLinks: r.hardLinks, SymbolicLinks: r.symlinks, Bytes: r.bytes };
    } finally {
      w.close();
    }
  },
};

export const splitWindowsImage: CmdletSpec = {
  name: 'Split-WindowsImage',
  synopsis: 'Splits a WIM into .swm parts of at most a given size.',
  description: 'Parts are named X.swm, X2.swm, X3.swm... Streams are copied as stored and never span parts, so a part holding one large stream can be bigger than asked.',
  parameters: [
    imagePathParam,
    { name: 'SplitImagePath', type: 'string', mandatory: true, position: 1, help: 'The first part, e.g. install.swm.' },
    { name: 'FileSize', type: 'size', mandatory: true, help: 'Largest part size (bytes, or with MB/GB). DISM takes megabytes: 4000MB.' },
    { name: 'CheckIntegrity', type: 'switch', help: 'Write an integrity table in every part.' },
  ],
  async run(p, ctx) {
    await Promise.resolve();
    const path = resolve(String(p['ImagePath']));
    const first = resolve(String(p['SplitImagePath']));
    if (!ctx.shouldProcess(first, 'Split image')) return undefined;
    const parts = withWim(path, [], (w) => splitWim(w, first, Number(p['FileSize']), { integrity: Boolean(p['CheckIntegrity']), fsync: true }));
    return parts.map((part, i) => ({ Part: i + 1, Path: part, Size: statSync(part).size }));
  },
};

export const exportWindowsImage: CmdletSpec = {
  name: 'Export-WindowsImage',
  synopsis: 'Copies an image of a WIM into a new or an existing WIM.',
  defaultParameterSet: 'ByIndex',
  parameters: [
    { name: 'SourceImagePath', type: 'string', mandatory: true, position: 0, help: 'The WIM to copy from.' },
    { name: 'SourceIndex', type: 'int', parameterSets: ['ByIndex'], mandatory: ['ByIndex'], help: 'The image index.' },
    { name: 'SourceName', type: 'string', parameterSets: ['ByName'], mandatory: ['ByName'], help: 'The image name.' },
    { name: 'DestinationImagePath', type: 'string', mandatory: true, position: 1, help: 'The WIM to copy into (created if missing).' },
    { name: 'DestinationName', type: 'string', help: 'A new name for the image.' },
    compressionParam,
    { name: 'SplitImageFilePattern', type: 'string', help: 'The parts of a split source WIM, e.g. install*.swm.' },
    { name: 'CheckIntegrity', type: 'switch', help: 'Write an integrity table.' },
    { name: 'Setbootable', type: 'switch', help: 'Mark the exported image bootable.' },
  ],
  async run(p, ctx) {
    const srcPath = resolve(String(p['SourceImagePath']));
    const dest = resolve(String(p['DestinationImagePath']));
    const w = openWim(srcPath, { refs: refsOf(p, srcPath).filter((r) => r !== srcPath) });
    try {
      const img = pickImage(w, { Index: p['SourceIndex'] as number, Name: p['SourceName'] as string } as BoundParameters);
      if (!ctx.shouldProcess(dest, `Export image ${img.index}`)) return undefined;
      const r = await exportImage(w, img.index, dest, {
        now: ctx.now(), signal: ctx.signal, fsync: true, bootable: Boolean(p['Setbootable']),
        ...(p['CompressionType'] !== undefined ? { compression: compressionOf(p) } : {}),
        ...(p['DestinationName'] !== undefined ? { name: String(p['DestinationName']) } : {}),
        ...(p['CheckIntegrity'] ? { integrity: true } : {}),
      });
      return { ImagePath: dest, ImageIndex: r.index, ImageName: str(p, 'DestinationName') ?? img.name, Size: r.size };
    } finally {
      w.close();
    }
  },
};

export const testWindowsImage: CmdletSpec = {
  name: 'Test-WindowsImage',
  synopsis: 'Verifies a WIM: integrity table, every image, every stream by SHA-1.',
  parameters: [
    imagePathParam,
    { name: 'SplitImageFilePattern', type: 'string', help: 'The parts of a split WIM, e.g. install*.swm (default: X2.swm, X3.swm... beside X.swm).' },
  ],
  async run(p, ctx) {
    await Promise.resolve();
    const path = resolve(String(p['ImagePath']));
    return withWim(path, refsOf(p, path), (w) => {
      const r = verifyWim(w, { signal: ctx.signal });
      for (const f of r.faults) ctx.warn(f);
      throwIfFaulty(path, r);
      return { ImagePath: path, Valid: true, IntegrityChecked: r.integrityChecked, Images: r.images, Streams: r.streams, Bytes: r.bytes };
    });
  },
};

export const getWindowsImageContent: CmdletSpec = {
  name: 'Get-WindowsImageContent',
  synopsis: 'Lists the paths in an image of a WIM.',
  defaultParameterSet: 'ByIndex',
  parameters: [
    imagePathParam,
    { name: 'Index', type: 'int', parameterSets: ['ByIndex'], mandatory: ['ByIndex'], help: 'The image index.' },
    { name: 'Name', type: 'string', parameterSets: ['ByName'], mandatory: ['ByName'], help: 'The image name.' },
  ],
  async run(p) {
    await Promise.resolve();
    return withWim(resolve(String(p['ImagePath'])), [], (w) => {
      const img = pickImage(w, p);
      const lines: string[] = [];
      for (const { path, node } of walkTree(w.image(img.index).root)) {
        if (path === '') continue;
        lines.push(path.replace(/\//g, '\\') + (node.children ? '\\' : ''));
      }
      return lines;
    });
  },
};

export const windowsImageCmdlets: CmdletSpec[] = [
  newWindowsImage, addWindowsImage, getWindowsImage, expandWindowsImage,
  splitWindowsImage, exportWindowsImage, testWindowsImage, getWindowsImageContent,
];
