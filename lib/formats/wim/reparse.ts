// Symbolic link and junction reparse data as stored in a WIM's reparse stream: the reparse buffer
// without its 8-byte header (tag, length and reserved live in the dentry)
// (MS-FSCC 2.1.2.4 SYMBOLIC_LINK_REPARSE_DATA_BUFFER, 2.1.2.5 MOUNT_POINT; wimlib src/reparse.c).
import { need, putU16, putU32, u16, u32, utf16, wimError } from './bytes.js';

export const IO_REPARSE_TAG_MOUNT_POINT = 0xa0000003;
export const IO_REPARSE_TAG_SYMLINK = 0xa000000c;
export const SYMLINK_FLAG_RELATIVE = 0x1;
/** Dentry rp flags: the target was not rewritten relative to the capture root. */
export const RP_FLAG_NOT_FIXED = 0x1;

const SYMLINK_FIXED = 12;    // subst off 2, subst len 2, print off 2, print len 2, flags 4
const JUNCTION_FIXED = 8;    // subst off 2, subst len 2, print off 2, print len 2
const NT_PREFIX = '\\??\\';

/** Reparse data for a Linux symlink target, as wimlib stores it. */
export function encodeSymlinkReparse(target: string): Uint8Array {
  const win = target.replace(/\//g, '\\');
  const relative = !target.startsWith('/');
  const subst = relative ? win : `${NT_PREFIX}C:${win}`;
  const print = relative ? win : `C:${win}`;
  const sb = subst.length * 2;
  const pb = print.length * 2;
  const b = new Uint8Array(SYMLINK_FIXED + sb + 2 + pb + 2);
  putU16(b, 0, 0);                            // substitute name offset  2 bytes
  putU16(b, 2, sb);                           // substitute name length  2 bytes
  putU16(b, 4, sb + 2);                       // print name offset       2 bytes
  putU16(b, 6, pb);                           // print name length       2 bytes
  putU32(b, 8, relative ? SYMLINK_FLAG_RELATIVE : 0); // flags          4 bytes
  const buf = Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  buf.write(subst, SYMLINK_FIXED, 'utf16le');
  buf.write(print, SYMLINK_FIXED + sb + 2, 'utf16le');
  return b;
}

export interface LinkTarget {
  /** Target with '/' separators: relative, or absolute from the root of the volume. */
  target: string;
  relative: boolean;
}

/** Decodes a symlink or junction reparse buffer into a target path; null for other tags. */
export function decodeLinkReparse(tag: number, data: Uint8Array): LinkTarget | null {
  if (tag !== IO_REPARSE_TAG_SYMLINK && tag !== IO_REPARSE_TAG_MOUNT_POINT) return null;
  const fixed = tag === IO_REPARSE_TAG_SYMLINK ? SYMLINK_FIXED : JUNCTION_FIXED;
  need(data, 0, fixed, 'reparse data');
  const so = u16(data, 0, 'substitute name offset');
  const sl = u16(data, 2, 'substitute name length');
  const flags = tag === IO_REPARSE_TAG_SYMLINK ? u32(data, 8, 'symlink flags') : 0;
  let name = utf16(data, fixed + so, sl, 'substitute name');
  if (name.includes('\0')) throw wimError('link target contains NUL');
  const relative = (flags & SYMLINK_FLAG_RELATIVE) !== 0;
  if (!relative) {
    if (name.startsWith(NT_PREFIX)) name = name.slice(NT_PREFIX.length);
    name = name.replace(/^[A-Za-z]:/, '');
    if (!name.startsWith('\\')) name = '\\' + name;
  }
  return { target: name.replace(/\\/g, '/'), relative };
}
