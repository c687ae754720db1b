// The distribution point's URL layout and its manifest documents (pure: no I/O). The same layout is
// served by Start-TSDistributionPoint and written as static files by Publish-TSContentLibrary, so
// any web server can be a distribution point:
//   content/<ID>/<SourceVersion>.json   one revision's manifest
//   content/<ID>/current.json           the current revision's manifest
//   files/<sha256>                      a file's bytes, by the lower-case hex SHA-256 of its content
// Manifest bytes are canonical (keys in the order below, files by Path, two-space indent, final
// newline), so a revision's document is the same whoever writes it.
import { createHash } from 'node:crypto';
import { CONTENT_TYPES } from '../catalog/content.js';
import type { ContentType } from '../catalog/content.js';
import type { ManifestFile } from '../content/manifest.js';
import { FormatError } from '../errors.js';
import { checkRelativePath } from '../media/media-manifest.js';

export const OBJECT_ID = /^[A-Z0-9]{3}[0-9A-F]{5}$/;
export const SHA256_HEX = /^[0-9a-f]{64}$/;
const VERSION = /^[1-9][0-9]{0,8}$/;
/** A manifest document larger than this is refused (a hostile server could send anything). */
export const MAX_MANIFEST_DOCUMENT = 64 * 1024 * 1024;
const FORMAT = 'distribution point manifest';

export interface DpFile { Path: string; Size: number; Sha256: string }
export interface DpManifest { Id: string; Name: string; Type: ContentType; SourceVersion: number; Files: DpFile[] }

export type Revision = number | 'current';

export function manifestUrlPath(id: string, version: Revision): string {
  return `content/${id}/${version}.json`;
}

export function fileUrlPath(sha256: string): string {
  return `files/${sha256}`;
}

export type Route =
  | { kind: 'manifest'; id: string; version: Revision }
  | { kind: 'file'; sha256: string }
  | { kind: 'bad'; reason: string }
  | { kind: 'none' };

/**
 * Maps a request path to what it names. Only the exact forms above are accepted: no
 * percent-escapes, dot segments or doubled slashes, so no path can reach outside the layout.
 */
export function routeOf(pathname: string): Route {
  if (!pathname.startsWith('/') || pathname.includes('%') || pathname.includes('//') || /\/\.\.?(\/|$)/.test(pathname)) {
    return { kind: 'bad', reason: 'The path is not in the distribution point layout.' };
  }
  const parts = pathname.slice(1).split('/');
  if (parts[0] === 'files' && parts.length === 2) {
    const sha = parts[1]!;
    return SHA256_HEX.test(sha) ? { kind: 'file', sha256: sha } : { kind: 'bad', reason: 'A file is named by its SHA-256: 64 lower-case hex digits.' };
  }
  if (parts[0] === 'content' && parts.length === 3) {
    const id = parts[1]!;
    const m = /^(.*)\.json$/.exec(parts[2]!);
    if (!OBJECT_ID.test(id)) return { kind: 'bad', reason: `'${id.slice(0, 40)}' is not a content ID such as PS100004.` };
    if (!m || (m[1] !== 'current' && !VERSION.test(m[1]!))) return { kind: 'bad', reason: 'A manifest is <SourceVersion>.json or current.json.' };
    return { kind: 'manifest', id, version: m[1] === 'current' ? 'current' : Number(m[1]) };
  }
  return { kind: 'none' };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The canonical document for one revision. */
export function manifestDocument(item: { Id: string; Name: string; Type: ContentType }, version: number, files: readonly ManifestFile[]): Buffer {
  const doc = {
    Id: item.Id, Name: item.Name, Type: item.Type, SourceVersion: version,
    Files: [...files].sort((a, b) => cmp(a.path, b.path)).map((f) => ({ Path: f.path, Size: f.size, Sha256: f.sha256 })),
  };
  return Buffer.from(JSON.stringify(doc, null, 2) + '\n', 'utf8');
}

/** A strong ETag for bytes the server makes itself (manifests): their SHA-256, quoted. */
export function etagOf(bytes: Uint8Array): string {
  return `"${createHash('sha256').update(bytes).digest('hex')}"`;
}

function fail(message: string): never {
  throw new FormatError(FORMAT, message);
}

/**
 * Parses a manifest a distribution point sent, trusting nothing: it must be the item and revision
 * asked for, with safe relative paths, byte counts and SHA-256 values.
 */
export function parseManifestDocument(bytes: Uint8Array, id: string, version: Revision): DpManifest {
  if (bytes.length > MAX_MANIFEST_DOCUMENT) fail(`${id}: the document is larger than ${MAX_MANIFEST_DOCUMENT} bytes.`);
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    fail(`${id}: not valid JSON.`);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) fail(`${id}: not a JSON object.`);
  const o = raw as Record<string, unknown>;
  if (o.Id !== id) fail(`asked for ${id}, got '${String(o.Id).slice(0, 40)}'.`);
  if (typeof o.Name !== 'string' || o.Name.length > 1024) fail(`${id}: Name is not a string.`);
  if (typeof o.Type !== 'string' || !(CONTENT_TYPES as readonly string[]).includes(o.Type)) fail(`${id}: Type is unknown.`);
  const sv = o.SourceVersion;
  if (typeof sv !== 'number' || !Number.isSafeInteger(sv) || sv < 1) fail(`${id}: SourceVersion is not a positive whole number.`);
  if (version !== 'current' && sv !== version) fail(`asked for ${id} version ${version}, got version ${sv}.`);
  if (!Array.isArray(o.Files)) fail(`${id}: Files is not an array.`);
  const seen = new Set<string>();
  const files = o.Files.map((f: unknown, n: number): DpFile => {
    if (f === null || typeof f !== 'object') fail(`${id}: Files[${n}] is not an object.`);
    const { Path, Size, Sha256 } = f as Record<string, unknown>;
    if (typeof Path !== 'string' || !checkRelativePath(Path)) fail(`${id}: Files[${n}] has no safe relative Path.`);
    if (seen.has(Path.toUpperCase())) fail(`${id}: '${Path}' is listed twice.`);
    seen.add(Path.toUpperCase());
    if (typeof Size !== 'number' || !Number.isSafeInteger(Size) || Size < 0) fail(`${id}: the size of '${Path}' is not a byte count.`);
    if (typeof Sha256 !== 'string' || !SHA256_HEX.test(Sha256)) fail(`${id}: the SHA-256 of '${Path}' is not 64 lower-case hex digits.`);
    return { Path, Size, Sha256 };
  });
  return { Id: id, Name: o.Name, Type: o.Type as ContentType, SourceVersion: sv, Files: files };
}
