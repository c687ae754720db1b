// An image tree from a file list instead of a folder: what media builds capture, where most bytes
// are ranges of content-library packs (checked against their SHA-256 as they are read, keyed for
// the resource cache) and nothing is copied out first. Every file and folder gets one time.
import { UsageError } from '../../errors.js';
import { FILE_ATTRIBUTE_DIRECTORY, FILE_ATTRIBUTE_NORMAL } from './dentry.js';
import { checkName, sortTree, walkTree, type WimNode } from './metadata.js';
import type { FileRef } from './resource-writer.js';
import { dateToFiletime, makeNode, type ScanResult, type ScannedFile } from './scan.js';

export interface ListedFile {
  /** '/'-separated path in the image. */
  path: string;
  size: number;
  source: FileRef;
}

export function treeFromList(files: readonly ListedFile[], time: Date): ScanResult {
  const t = dateToFiletime(time);
  const root = makeNode('', FILE_ATTRIBUTE_DIRECTORY, t);
  const dirs = new Map<string, WimNode>([['', root]]);
  const folder = (path: string): WimNode => {
    let node = dirs.get(path);
    if (node) return node;
    const cut = path.lastIndexOf('/');
    const name = path.slice(cut + 1);
    checkName(name, path);
    node = makeNode(name, FILE_ATTRIBUTE_DIRECTORY, t);
    folder(cut < 0 ? '' : path.slice(0, cut)).children!.push(node);
    dirs.set(path, node);
    return node;
  };
  const byNode = new Map<WimNode, ScannedFile>();
  const seen = new Set<string>();
  for (const f of files) {
    const key = f.path.toUpperCase();
    if (seen.has(key)) throw new UsageError('EWIM_CAPTURE', `${f.path} is listed twice (names in a Windows image are case-insensitive)`, { path: f.path });
    seen.add(key);
    const cut = f.path.lastIndexOf('/');
    const name = f.path.slice(cut + 1);
    checkName(name, f.path);
    const node = makeNode(name, FILE_ATTRIBUTE_NORMAL, t);
    folder(cut < 0 ? '' : f.path.slice(0, cut)).children!.push(node);
    if (f.size > 0) byNode.set(node, { path: f.source.path, size: f.size, nodes: [node], ref: f.source });
  }
  sortTree(root);
  // data in tree order, as a folder capture stores it
  const ordered: ScannedFile[] = [];
  for (const { node } of walkTree(root)) {
    const file = byNode.get(node);
    if (file) ordered.push(file);
  }
  return { root, files: ordered, reparse: [], skipped: [] };
}
