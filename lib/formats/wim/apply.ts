// Apply (edge module): extract an image, or one folder of it, into a directory on Linux, as
// wimlib-imagex apply does there: data, directories, hard links, symlinks (symlink and junction
// reparse points), last write and access times. Named streams, security descriptors, short names
// and other reparse points have no Linux form and are counted, not applied.
// Safety: the target must be new or empty; names were checked when the metadata was decoded
// (no '..', separators or NUL); files are created exclusively; symlinks are made last, so nothing is
// ever written through one; a link whose target leaves the target folder is not created unless
// `unsafeSymlinks` is set.
import { closeSync, futimesSync, linkSync, lutimesSync, mkdirSync, openSync, readdirSync, symlinkSync, utimesSync, writeSync } from 'node:fs';
import { dirname, join, posix, relative } from 'node:path';
import { NotFoundError, TsmediaError } from '../../errors.js';
import { FILE_ATTRIBUTE_REPARSE_POINT } from './dentry.js';
import { HDR_FLAG_RP_FIX } from './header.js';
import { walkTree, type WimNode } from './metadata.js';
import { findPath, type Wim } from './reader.js';
import { decodeLinkReparse, RP_FLAG_NOT_FIXED } from './reparse.js';
import { FILETIME_UNIX_EPOCH } from './scan.js';

const MAX_REPARSE_DATA = 16 * 1024;

export interface ApplyOptions {
  /** Create symlinks whose target lies outside the target folder (default: skip them). */
  unsafeSymlinks?: boolean;
  signal?: AbortSignal;
}

export interface ApplyResult {
  dirs: number;
  files: number;
  hardLinks: number;
  symlinks: number;
  bytes: number;
  /** Named data streams that Linux cannot hold. */
  skippedStreams: number;
  /** Paths of links not created: escaping targets, or reparse points with no Linux form. */
  skippedLinks: string[];
}

function filetimeToSeconds(ft: bigint): number {
  return Number(ft - FILETIME_UNIX_EPOCH) / 1e7;
}

function prepareTarget(dest: string): void {
  mkdirSync(dest, { recursive: true });
  if (readdirSync(dest).length > 0) throw new TsmediaError('EWIM_TARGET', `${dest} is not empty; apply into a new or empty folder`, { path: dest });
}

/** Applies image `index` of `wim` into `dest` (created; must be empty). */
export function applyImage(wim: Wim, index: number, dest: string, opts: ApplyOptions = {}): ApplyResult {
  return applyTree(wim, wim.image(index).root, dest, opts);
}

/** Applies one folder of an image (its contents, not the folder itself) into `dest`. */
export function extractFolderFromWim(wim: Wim, index: number, folder: string, dest: string, opts: ApplyOptions = {}): ApplyResult {
  const node = findPath(wim.image(index).root, folder);
  if (!node) throw new NotFoundError('path', `${folder} is not in image ${index} of ${wim.path}`, { path: folder, index });
  if (!node.children) throw new TsmediaError('EWIM_NOTDIR', `${folder} in image ${index} of ${wim.path} is not a directory`, { path: folder });
  return applyTree(wim, node, dest, opts);
}

/** File system errors become one clear error naming the path; typed errors pass through. */
function applyError(rel: string, e: unknown): TsmediaError {
  if (e instanceof TsmediaError) return e;
  return new TsmediaError('EWIM_APPLY', `cannot apply ${rel}: ${(e as Error).message}`, { path: rel });
}

export function applyTree(wim: Wim, root: WimNode, dest: string, opts: ApplyOptions = {}): ApplyResult {
  try {
    prepareTarget(dest);
  } catch (e) {
    throw applyError(dest, e);
  }
  const r: ApplyResult = { dirs: 0, files: 0, hardLinks: 0, symlinks: 0, bytes: 0, skippedStreams: 0, skippedLinks: [] };
  const linked = new Map<bigint, string>();
  const links: { rel: string; node: WimNode }[] = [];
  const dirTimes: { path: string; node: WimNode }[] = [];
  for (const { path: rel, node } of walkTree(root)) {
    if (opts.signal?.aborted) throw new TsmediaError('EABORTED', 'apply was cancelled');
    if (rel === '') continue;
    try {
      applyNode(wim, rel, node, dest, r, linked, links, dirTimes);
    } catch (e) {
      throw applyError(rel, e);
    }
  }
  for (const { rel, node } of links) {
    try {
      const target = linkTarget(wim, rel, node, opts);
      if (target === null) { r.skippedLinks.push(rel); continue; }
      const local = join(dest, ...rel.split('/'));
      symlinkSync(target, local);
      lutimesSync(local, filetimeToSeconds(node.lastAccessTime), filetimeToSeconds(node.lastWriteTime));
      r.symlinks++;
    } catch (e) {
      throw applyError(rel, e);
    }
  }
  // directory times last, after their contents
  for (let i = dirTimes.length - 1; i >= 0; i--) {
    const t = dirTimes[i];
    if (t) utimesSync(t.path, filetimeToSeconds(t.node.lastAccessTime), filetimeToSeconds(t.node.lastWriteTime));
  }
  return r;
}

function applyNode(
  wim: Wim, rel: string, node: WimNode, dest: string, r: ApplyResult, linked: Map<bigint, string>,
  links: { rel: string; node: WimNode }[], dirTimes: { path: string; node: WimNode }[],
): void {
  const local = join(dest, ...rel.split('/'));
  r.skippedStreams += node.namedStreams.length;
  if (node.attributes & FILE_ATTRIBUTE_REPARSE_POINT) { links.push({ rel, node }); return; }
  if (node.children) {
    mkdirSync(local);
    r.dirs++;
    dirTimes.push({ path: local, node });
    return;
  }
  const first = node.hardLinkId !== 0n ? linked.get(node.hardLinkId) : undefined;
  if (first !== undefined) {
    linkSync(first, local);
    r.hardLinks++;
    return;
  }
  const fd = openSync(local, 'wx', 0o644);
  try {
    if (node.dataHash) {
      for (const chunk of wim.blobChunks(node.dataHash)) {
        let off = 0;
        while (off < chunk.length) off += writeSync(fd, chunk, off, chunk.length - off);
        r.bytes += chunk.length;
      }
    }
    // through the descriptor: no second path lookup
    futimesSync(fd, filetimeToSeconds(node.lastAccessTime), filetimeToSeconds(node.lastWriteTime));
  } finally {
    closeSync(fd);
  }
  if (node.hardLinkId !== 0n) linked.set(node.hardLinkId, local);
  r.files++;
}

/** The Linux target of a link, or null when it must not (or cannot) be created. */
function linkTarget(wim: Wim, rel: string, node: WimNode, opts: ApplyOptions): string | null {
  const data = node.reparseHash ? wim.readBlob(node.reparseHash, MAX_REPARSE_DATA) : new Uint8Array(0);
  if (data.length === 0) return null;
  const t = decodeLinkReparse(node.reparseTag, data);
  if (!t || t.target === '' || t.target.includes('\0')) return null;
  const linkDir = posix.dirname(rel);
  let target = t.target;
  if (!t.relative) {
    // an absolute target fixed at capture (RP_FIX) is relative to the image root
    const fixed = (wim.header.flags & HDR_FLAG_RP_FIX) !== 0 && !(node.rpFlags & RP_FLAG_NOT_FIXED);
    if (!fixed) return opts.unsafeSymlinks ? target : null;
    target = relative(dirname(posix.join('/', rel)), target) || '.';
  }
  const resolved = posix.normalize(posix.join(linkDir, target));
  if (!opts.unsafeSymlinks && (resolved === '..' || resolved.startsWith('../') || posix.isAbsolute(resolved))) return null;
  return target;
}
