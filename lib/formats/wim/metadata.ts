// The metadata resource of one image: [security data][root dentry][8 zero bytes][child lists...]
// (wimlib src/metadata_resource.c, src/dentry.c). Encodes a tree of WimNode; decodes one while
// treating every offset, length and name as hostile.
import { isZeroHash, need, wimError, ZERO_HASH } from './bytes.js';
import {
  dentryTotalSize, FILE_ATTRIBUTE_DIRECTORY, FILE_ATTRIBUTE_REPARSE_POINT, readDentry, writeDentry,
  type DiskDentry, type DiskStream,
} from './dentry.js';
import { compareNames } from './names.js';
import { decodeSecurity, encodeSecurity } from './security.js';

/** wimlib's recursion limit: deeper trees are taken as corrupt (and catch cycles). */
export const MAX_TREE_DEPTH = 16384;
const END_MARKER_SIZE = 8;

export interface NamedStream { name: string; hash: Uint8Array }

/** One name in the image tree (a dentry), with its streams resolved. */
export interface WimNode {
  name: string;
  shortName: string;
  attributes: number;
  securityId: number;
  creationTime: bigint;
  lastAccessTime: bigint;
  lastWriteTime: bigint;
  /** SHA-1 of the unnamed data stream; null when empty or a directory. */
  dataHash: Uint8Array | null;
  /** With FILE_ATTRIBUTE_REPARSE_POINT: tag, flags, and the reparse data's SHA-1. */
  reparseTag: number;
  rpFlags: number;
  reparseHash: Uint8Array | null;
  /** Nonzero and shared by every name of one inode with several names. */
  hardLinkId: bigint;
  namedStreams: NamedStream[];
  tagged: Uint8Array;
  /** Children of a directory (null for anything else). */
  children: WimNode[] | null;
}

export interface ImageMetadata {
  security: Uint8Array[];
  root: WimNode;
}

export function isDirectory(n: WimNode): boolean {
  return (n.attributes & FILE_ATTRIBUTE_DIRECTORY) !== 0;
}

function hashOrZero(h: Uint8Array | null): Uint8Array { return h ?? ZERO_HASH; }

/** Stream placement rules of wimlib's write_dentry_streams (matching DISM). */
function toDisk(n: WimNode, subdirOffset: number): DiskDentry {
  const unnamed: DiskStream[] = [];
  if (n.attributes & FILE_ATTRIBUTE_REPARSE_POINT) unnamed.push({ name: '', hash: hashOrZero(n.reparseHash) });
  if (!(n.attributes & FILE_ATTRIBUTE_DIRECTORY)) unnamed.push({ name: '', hash: hashOrZero(n.dataHash) });
  let mainHash: Uint8Array = ZERO_HASH;
  let streams: DiskStream[];
  if (unnamed.length === 1 && n.namedStreams.length === 0) {
    mainHash = unnamed[0]?.hash ?? ZERO_HASH;
    streams = [];
  } else if (unnamed.length === 0 && n.namedStreams.length === 0) {
    streams = [];
  } else {
    streams = [...unnamed, ...n.namedStreams.map((s) => ({ name: s.name, hash: s.hash }))];
  }
  return {
    attributes: n.attributes, securityId: n.securityId, subdirOffset,
    creationTime: n.creationTime, lastAccessTime: n.lastAccessTime, lastWriteTime: n.lastWriteTime,
    mainHash, reparseTag: n.reparseTag, rpFlags: n.rpFlags, hardLinkId: n.hardLinkId,
    name: n.name, shortName: n.shortName, tagged: n.tagged, streams,
  };
}

/** Sorts children in WIM collation order, in place, throughout the tree. */
export function sortTree(root: WimNode): void {
  const stack: WimNode[] = [root];
  for (let n = stack.pop(); n; n = stack.pop()) {
    if (!n.children) continue;
    n.children.sort((a, b) => compareNames(a.name, b.name));
    for (const c of n.children) if (c.children) stack.push(c);
  }
}

/**
 * Encodes an image. Children must already be in collation order (sortTree). Child lists are laid
 * out for directories in pre-order, each ending with 8 zero bytes; every directory gets one.
 */
export function encodeMetadata(m: ImageMetadata): Uint8Array {
  const sec = encodeSecurity(m.security);
  // Pass 1: every directory's child list, its offset and its dentries, pre-order, without recursion.
  const rootDisk = toDisk(m.root, 0);
  let pos = sec.length + dentryTotalSize(rootDisk) + END_MARKER_SIZE;
  const listOffset = new Map<WimNode, number>();
  const lists: { dir: WimNode; at: number; disks: DiskDentry[] }[] = [];
  const stack: WimNode[] = [m.root];
  for (let n = stack.pop(); n; n = stack.pop()) {
    if (!n.children) continue;
    listOffset.set(n, pos);
    const disks = n.children.map((c) => toDisk(c, 0));
    lists.push({ dir: n, at: pos, disks });
    for (const d of disks) pos += dentryTotalSize(d);
    pos += END_MARKER_SIZE;
    for (let i = n.children.length - 1; i >= 0; i--) {
      const c = n.children[i];
      if (c?.children) stack.push(c);
    }
  }
  // Pass 2: write, with each directory's child list offset.
  const out = new Uint8Array(pos);
  out.set(sec, 0);
  rootDisk.subdirOffset = listOffset.get(m.root) ?? 0;
  writeDentry(out, sec.length, rootDisk);
  for (const { dir, at: start, disks } of lists) {
    let at = start;
    disks.forEach((d, i) => {
      d.subdirOffset = listOffset.get(dir.children![i]!) ?? 0;
      at = writeDentry(out, at, d);
    });
  }
  return out;
}

/** Rules of wimlib's assign_stream_types_unencrypted. */
function fromDisk(d: DiskDentry): WimNode {
  const isReparse = (d.attributes & FILE_ATTRIBUTE_REPARSE_POINT) !== 0;
  let reparseHash: Uint8Array | null = null;
  let dataHash: Uint8Array | null = null;
  let sawUnnamed = false;
  const namedStreams: NamedStream[] = [];
  for (const s of d.streams) {
    if (s.name !== '') {
      if (s.name.includes('\0')) throw wimError(`stream name of "${d.name}" contains NUL`);
      namedStreams.push({ name: s.name, hash: s.hash });
      continue;
    }
    if (isReparse && !sawUnnamed && reparseHash === null) { reparseHash = s.hash; sawUnnamed = true; continue; }
    sawUnnamed = true;
    if (dataHash === null) dataHash = s.hash;
  }
  if (!isZeroHash(d.mainHash) || !sawUnnamed) {
    if (isReparse && reparseHash === null) reparseHash = d.mainHash;
    else if (dataHash === null) dataHash = d.mainHash;
  }
  const nz = (h: Uint8Array | null): Uint8Array | null => (h && !isZeroHash(h) ? h : null);
  const isDir = (d.attributes & FILE_ATTRIBUTE_DIRECTORY) !== 0;
  return {
    name: d.name, shortName: d.shortName, attributes: d.attributes, securityId: d.securityId,
    creationTime: d.creationTime, lastAccessTime: d.lastAccessTime, lastWriteTime: d.lastWriteTime,
    dataHash: isDir ? null : nz(dataHash), reparseTag: d.reparseTag, rpFlags: d.rpFlags, reparseHash: nz(reparseHash),
    hardLinkId: d.hardLinkId, namedStreams,
    tagged: d.tagged, children: isDir && !isReparse ? [] : null,
  };
}

/** A name a file may have: not empty, not . or .., no separator, no NUL. */
export function checkName(name: string, where: string): void {
  if (name === '' || name === '.' || name === '..' || /[/\\\0]/.test(name)) {
    throw wimError(`invalid file name ${JSON.stringify(name)} in ${where}; the image is corrupt or hostile`);
  }
}

/**
 * Decodes an image's metadata. Rejects cycles (a child list read twice), trees deeper than
 * MAX_TREE_DEPTH, names that could escape a folder, and anything outside the buffer.
 */
export function decodeMetadata(buf: Uint8Array): ImageMetadata {
  const sec = decodeSecurity(buf);
  const rootRead = readDentry(buf, sec.totalLength);
  if (!rootRead) throw wimError('image has no root directory');
  const root = fromDisk(rootRead.dentry);
  if (!root.children) throw wimError('the image root is not a directory');
  root.name = '';
  const maxNodes = Math.floor(buf.length / END_MARKER_SIZE);
  let nodes = 1;
  const visited = new Set<number>();
  const stack: { node: WimNode; list: number; depth: number; path: string }[] = [
    { node: root, list: rootRead.dentry.subdirOffset, depth: 0, path: '\\' },
  ];
  for (let it = stack.pop(); it; it = stack.pop()) {
    if (it.list === 0) continue;
    if (visited.has(it.list)) throw wimError(`directory ${it.path} has a child list that is used twice (a cycle)`);
    visited.add(it.list);
    if (it.depth >= MAX_TREE_DEPTH) throw wimError(`directory tree is deeper than ${MAX_TREE_DEPTH} levels (a cycle?)`);
    need(buf, it.list, END_MARKER_SIZE, `child list of ${it.path}`);
    const names = new Set<string>();
    const children = it.node.children ?? [];
    let at = it.list;
    for (;;) {
      const r = readDentry(buf, at);
      if (!r) break;
      at = r.end;
      if (++nodes > maxNodes) throw wimError('metadata holds more entries than its size allows (overlapping lists)');
      const child = fromDisk(r.dentry);
      checkName(child.name, it.path);
      // duplicate names: keep the first, as wimlib does
      if (names.has(child.name)) continue;
      names.add(child.name);
      children.push(child);
      if (child.children && r.dentry.subdirOffset !== 0) {
        stack.push({ node: child, list: r.dentry.subdirOffset, depth: it.depth + 1, path: it.path + child.name + '\\' });
      }
    }
  }
  return { security: sec.descriptors, root };
}

/** Walks the tree depth-first without recursion, yielding each node with its path ('/'-joined). */
export function* walkTree(root: WimNode): Generator<{ path: string; node: WimNode; parent: WimNode | null }> {
  const stack: { path: string; node: WimNode; parent: WimNode | null }[] = [{ path: '', node: root, parent: null }];
  for (let it = stack.pop(); it; it = stack.pop()) {
    yield it;
    const ch = it.node.children;
    if (!ch) continue;
    for (let i = ch.length - 1; i >= 0; i--) {
      const c = ch[i];
      if (c) stack.push({ path: it.path ? `${it.path}/${c.name}` : c.name, node: c, parent: it.node });
    }
  }
}
