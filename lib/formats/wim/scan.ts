// Scans a directory tree into an image tree (edge module), the way wimlib captures on Linux:
// files 0x80, directories 0x10, all three times from the mtime (so a capture does not depend on
// atimes it changes itself), no short names, no security data, hard links as one inode, symlinks as
// symlink reparse points (or refused), FIFOs, sockets and devices skipped and listed.
import { lstatSync, readdirSync, readlinkSync, statSync, type BigIntStats } from 'node:fs';
import { join } from 'node:path';
import { TsmediaError } from '../../errors.js';
import {
  FILE_ATTRIBUTE_DIRECTORY, FILE_ATTRIBUTE_NORMAL, FILE_ATTRIBUTE_REPARSE_POINT, NO_SECURITY_ID,
} from './dentry.js';
import type { WimNode } from './metadata.js';
import { compareNames } from './names.js';
import { encodeSymlinkReparse, IO_REPARSE_TAG_SYMLINK, RP_FLAG_NOT_FIXED } from './reparse.js';
import type { FileRef } from './resource-writer.js';

/** 100 ns intervals between 1601-01-01 and 1970-01-01. */
export const FILETIME_UNIX_EPOCH = 116444736000000000n;

export function unixNsToFiletime(ns: bigint): bigint {
  const ft = ns / 100n + FILETIME_UNIX_EPOCH;
  return ft < 0n ? 0n : ft;
}

export function dateToFiletime(d: Date): bigint {
  return unixNsToFiletime(BigInt(d.getTime()) * 1_000_000n);
}

export type SymlinkPolicy = 'reparse' | 'refuse';

/** An inode with data: read from `ref` when given (a range of another file), else from `path`. */
export interface ScannedFile { path: string; size: number; nodes: WimNode[]; ref?: FileRef }
export interface ScannedReparse { path: string; data: Uint8Array; node: WimNode }

export interface ScanResult {
  root: WimNode;
  /** Inodes with data, in tree order (first name). */
  files: ScannedFile[];
  reparse: ScannedReparse[];
  /** Paths of special files that were not captured. */
  skipped: string[];
}

function newNode(name: string, st: BigIntStats, attributes: number): WimNode {
  return makeNode(name, attributes, unixNsToFiletime(st.mtimeNs));
}

/** A plain file or folder node with all three times `t` (FILETIME). */
export function makeNode(name: string, attributes: number, t: bigint): WimNode {
  return {
    name, shortName: '', attributes, securityId: NO_SECURITY_ID, creationTime: t, lastAccessTime: t, lastWriteTime: t,
    dataHash: null, reparseTag: 0, rpFlags: 0, reparseHash: null, hardLinkId: 0n, namedStreams: [],
    tagged: new Uint8Array(0), children: (attributes & FILE_ATTRIBUTE_DIRECTORY) ? [] : null,
  };
}

function fail(path: string, e: unknown): never {
  throw new TsmediaError('EWIM_CAPTURE', `cannot capture ${path}: ${(e as Error).message}`, { path });
}

/**
 * Scans a tree, yielding each inode with data as soon as its folder is read, in tree order (the
 * collation order the image keeps), so a capture compresses while the scan goes on; returns the
 * whole result when done. The order does not depend on readdir order.
 */
export function* scanTreeFiles(source: string, opts: { symlinks?: SymlinkPolicy; signal?: AbortSignal } = {}): Generator<ScannedFile, ScanResult> {
  const policy = opts.symlinks ?? 'reparse';
  let rootStat: BigIntStats;
  try { rootStat = statSync(source, { bigint: true }); } catch (e) { fail(source, e); }
  if (!rootStat.isDirectory()) throw new TsmediaError('EWIM_CAPTURE', `${source} is not a directory`, { path: source });
  const root = newNode('', rootStat, FILE_ATTRIBUTE_DIRECTORY);
  const inodes = new Map<string, ScannedFile>();
  const byNode = new Map<WimNode, ScannedFile>();
  const reparseByNode = new Map<WimNode, ScannedReparse>();
  const skipped: string[] = [];

  /** Reads a folder's entries into `node.children`, sorted: the frame that visits them. */
  const readFolder = (path: string, node: WimNode): { path: string; children: WimNode[]; next: number } => {
    if (opts.signal?.aborted) throw new TsmediaError('EABORTED', 'capture was cancelled');
    let names: string[];
    try { names = readdirSync(path); } catch (e) { fail(path, e); }
    const children = node.children ?? [];
    for (const name of names) {
      const child = scanEntry(join(path, name), name);
      if (child) children.push(child);
    }
    children.sort((a, b) => compareNames(a.name, b.name));
    return { path, children, next: 0 };
  };

  /** One entry's node (null for a special file, which is listed in `skipped`). */
  const scanEntry = (path: string, name: string): WimNode | null => {
    if (name.includes('\\')) throw new TsmediaError('EWIM_CAPTURE', `cannot capture ${path}: a backslash is not allowed in a Windows file name`, { path });
    let st: BigIntStats;
    try { st = lstatSync(path, { bigint: true }); } catch (e) { fail(path, e); }
    if (st.isDirectory()) return newNode(name, st, FILE_ATTRIBUTE_DIRECTORY);
    if (st.isFile()) {
      const node = newNode(name, st, FILE_ATTRIBUTE_NORMAL);
      // hard links share one inode, empty ones too
      if (st.size > 0n || st.nlink > 1n) {
        const key = `${st.dev}:${st.ino}`;
        let f = st.nlink > 1n ? inodes.get(key) : undefined;
        if (!f) {
          f = { path, size: Number(st.size), nodes: [] };
          if (st.nlink > 1n) inodes.set(key, f);
        }
        f.nodes.push(node);
        byNode.set(node, f);
      }
      return node;
    }
    if (st.isSymbolicLink()) {
      if (policy === 'refuse') {
        throw new TsmediaError('EWIM_SYMLINK', `${path} is a symbolic link; remove it or capture with symlinks stored as reparse points`, { path });
      }
      let target: string;
      try { target = readlinkSync(path); } catch (e) { fail(path, e); }
      let isDir = false;
      try { isDir = statSync(path).isDirectory(); } catch { /* dangling link: a file link */ }
      const node = newNode(name, st, FILE_ATTRIBUTE_REPARSE_POINT | (isDir ? FILE_ATTRIBUTE_DIRECTORY : 0));
      node.children = null; // a reparse point has no child list, even as a directory link
      node.reparseTag = IO_REPARSE_TAG_SYMLINK;
      node.rpFlags = target.startsWith('/') ? RP_FLAG_NOT_FIXED : 0;
      reparseByNode.set(node, { path, data: encodeSymlinkReparse(target), node });
      return node;
    }
    skipped.push(path);
    return null;
  };

  // Depth first in collation order (walkTree's order): data order and hard link ids follow the
  // tree, so the output does not depend on readdir order.
  const files: ScannedFile[] = [];
  const reparse: ScannedReparse[] = [];
  const seen = new Set<ScannedFile>();
  const stack = [readFolder(source, root)];
  while (stack.length > 0) {
    const frame = stack[stack.length - 1]!;
    const node = frame.children[frame.next++];
    if (!node) { stack.pop(); continue; }
    if (node.children) { stack.push(readFolder(join(frame.path, node.name), node)); continue; }
    const r = reparseByNode.get(node);
    if (r) { reparse.push(r); continue; }
    const f = byNode.get(node);
    if (!f || seen.has(f)) continue;
    seen.add(f);
    if (f.size > 0) {
      files.push(f);
      yield f;
    }
  }
  let nextLinkId = 1n;
  for (const f of seen) {
    if (f.nodes.length < 2) continue;
    const id = nextLinkId++;
    for (const n of f.nodes) n.hardLinkId = id;
  }
  return { root, files, reparse, skipped };
}
