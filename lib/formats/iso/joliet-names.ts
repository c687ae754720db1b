// Joliet identifiers: UCS-2 big-endian (we store UTF-16, so names beyond U+FFFF survive as
// surrogate pairs, which Windows and 7-Zip read). The Joliet text says 64 characters; like
// `mkisofs -joliet-long` we allow 103, the most a 255-byte directory record can hold with ";1".
// Characters Joliet forbids (* / : ; ? \ and controls) cannot be represented: the caller gets an
// error naming the file rather than a silently changed name.
import { TsmediaError } from '../../errors.js';

export const MAX_JOLIET_CHARS = 103;
const FORBIDDEN = /[\u0000-\u001f*/:;?\\]/;

/** Checks a file or directory name; throws EISO_NAME with the path when it cannot be stored. */
export function checkJolietName(name: string, path: string): void {
  if (name.length === 0 || name === '.' || name === '..') {
    throw new TsmediaError('EISO_NAME', `"${path}": the name "${name}" cannot be stored on an ISO image`, { path });
  }
  const bad = FORBIDDEN.exec(name);
  if (bad) {
    throw new TsmediaError('EISO_NAME', `"${path}": the character U+${bad[0].charCodeAt(0).toString(16).padStart(4, '0').toUpperCase()} cannot be stored in a Joliet name; rename the file`, { path });
  }
  if (name.length > MAX_JOLIET_CHARS) {
    throw new TsmediaError('EISO_NAME', `"${path}": the name is ${name.length} UTF-16 characters long, over the Joliet limit of ${MAX_JOLIET_CHARS}; shorten it`, { path });
  }
  if (/[\ud800-\udfff]/.test(name) && /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(name)) {
    throw new TsmediaError('EISO_NAME', `"${path}": the name holds an unpaired UTF-16 surrogate`, { path });
  }
}

/** UTF-16BE bytes of a string (a byte loop: names are short, and swap16 is slow on them). */
export function utf16be(s: string): Buffer {
  const b = Buffer.allocUnsafe(2 * s.length);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    b[2 * i] = c >> 8;
    b[2 * i + 1] = c & 0xff;
  }
  return b;
}

/** Decodes UTF-16BE bytes (an odd trailing byte is dropped). */
export function fromUtf16be(b: Buffer): string {
  const even = Buffer.from(b.subarray(0, b.length & ~1));
  even.swap16();
  return even.toString('utf16le');
}

/** Joliet order: by UTF-16 code units, i.e. by the big-endian bytes. */
export function compareJoliet(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = a.charCodeAt(i) - b.charCodeAt(i);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}
