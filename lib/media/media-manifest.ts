// SMS\data\MediaManifest.json: on every medium, in the clear. Each content item's ID, type,
// SourceVersion and every file's path, size and SHA-256 (of the plaintext, also when
// -EncryptContent is on): what prestaged cache validation and Get-TSMediaInfo read.
//
// Canonical bytes: UTF-8 JSON, two-space indent, keys in the order below, items by Id, files by
// Path (code-unit order), a final newline. Unknown keys are refused on read.
//   { "Format": "tsmedia-media-manifest", "Version": 1, "MediaKind": ..., "MediaId": <GUID>,
//     "Created": <ISO 8601 UTC>, "TaskSequence": {"Id","Name"} | null, "ContentEncrypted": bool,
//     "Items": [{"Id","Name","Type","SourceVersion","Files":[{"Path","Size","Sha256"}]}],
//     "BootEntries": [{"Platform": "BIOS"|"UEFI", "Path"}] }
//
// The media id is derived from the content, never from a counter: a SHA-256 over the canonical
// JSON of the kind, the task sequence, each item's ID + SourceVersion + manifest digest, and the
// parameters that change the media, shown as an RFC 9562 version-8 GUID.
import { createHash } from 'node:crypto';
import { CONTENT_TYPES } from '../catalog/content.js';
import type { ContentType } from '../catalog/content.js';
import { manifestDigest } from '../content/manifest.js';
import { FormatError, UsageError } from '../errors.js';

export const MEDIA_KINDS = ['Capture', 'Bootable', 'StandAlone', 'Prestaged'] as const;
export type MediaKind = (typeof MEDIA_KINDS)[number];
export const MANIFEST_FORMAT = 'tsmedia-media-manifest';
export const MANIFEST_VERSION = 1;
export const MAX_MANIFEST_SIZE = 64 * 1024 * 1024;
const MAX_FILES = 1_000_000;
const FORMAT = 'MediaManifest.json';
const GUID = /^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/;
const OBJECT_ID = /^[A-Z0-9]{3}[0-9A-F]{5}$/;

export interface MediaFile { Path: string; Size: number; Sha256: string }
export interface MediaItem { Id: string; Name: string; Type: ContentType; SourceVersion: number; Files: MediaFile[] }
export interface BootEntry { Platform: 'BIOS' | 'UEFI'; Path: string }

export interface MediaManifest {
  MediaKind: MediaKind;
  MediaId: string;
  Created: string;
  TaskSequence: { Id: string; Name: string } | null;
  ContentEncrypted: boolean;
  Items: MediaItem[];
  BootEntries: BootEntry[];
}

export interface MediaIdInput {
  kind: MediaKind;
  taskSequenceId: string | null;
  items: ReadonlyArray<{ Id: string; SourceVersion: number; Files: ReadonlyArray<MediaFile> }>;
  /** Every parameter that changes the media's bytes (mode, MPs, variables, dates, label...). */
  parameters: Readonly<Record<string, string>>;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The media id: a version-8 GUID from a SHA-256 over everything that defines the media. */
export function deriveMediaId(input: MediaIdInput): string {
  const items = [...input.items].sort((a, b) => cmp(a.Id, b.Id)).map((i) => [
    i.Id, i.SourceVersion, manifestDigest(i.Files.map((f) => ({ path: f.Path, size: f.Size, sha256: f.Sha256 }))),
  ]);
  const params = Object.keys(input.parameters).sort(cmp).map((k) => [k, input.parameters[k]!]);
  const canonical = JSON.stringify(['tsmedia-media-id/v1', input.kind, input.taskSequenceId, items, params]);
  const h = createHash('sha256').update(canonical, 'utf8').digest();
  h[6] = (h[6]! & 0x0f) | 0x80;   // version 8: custom (hash-derived)
  h[8] = (h[8]! & 0x3f) | 0x80;   // RFC 9562 variant
  const x = h.subarray(0, 16).toString('hex').toUpperCase();
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}

/** A relative '/'-separated path with no empty, '.' or '..' segment and nothing Windows refuses. */
export function checkRelativePath(path: string): boolean {
  if (path.length === 0 || path.length > 4096) return false;
  return path.split('/').every((s) => s !== '' && s !== '.' && s !== '..' && !/[\u0000-\u001f<>:"\\|?*]/.test(s));
}

/** Writes the canonical bytes (items and files sorted, keys in order). */
export function writeManifest(m: MediaManifest): Buffer {
  const canonical = {
    Format: MANIFEST_FORMAT,
    Version: MANIFEST_VERSION,
    MediaKind: m.MediaKind,
    MediaId: m.MediaId,
    Created: m.Created,
    TaskSequence: m.TaskSequence === null ? null : { Id: m.TaskSequence.Id, Name: m.TaskSequence.Name },
    ContentEncrypted: m.ContentEncrypted,
    Items: [...m.Items].sort((a, b) => cmp(a.Id, b.Id)).map((i) => ({
      Id: i.Id, Name: i.Name, Type: i.Type, SourceVersion: i.SourceVersion,
      Files: [...i.Files].sort((a, b) => cmp(a.Path, b.Path)).map((f) => ({ Path: f.Path, Size: f.Size, Sha256: f.Sha256 })),
    })),
    BootEntries: m.BootEntries.map((b) => ({ Platform: b.Platform, Path: b.Path })),
  };
  // validate what we write with the same rules the reader applies
  validate(canonical, UsageError.name);
  return Buffer.from(JSON.stringify(canonical, null, 2) + '\n', 'utf8');
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function fail(mode: string, message: string): never {
  if (mode === UsageError.name) throw new UsageError('EBAD_MANIFEST', `Media manifest: ${message}`);
  throw new FormatError(FORMAT, message);
}

function obj(v: unknown, keys: readonly string[], where: string, mode: string): Record<string, Json> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) fail(mode, `${where} is not an object.`);
  const o = v as Record<string, Json>;
  for (const k of Object.keys(o)) if (!keys.includes(k)) fail(mode, `${where} has an unknown key '${k}'.`);
  for (const k of keys) if (!Object.hasOwn(o, k)) fail(mode, `${where} lacks '${k}'.`);
  return o;
}

function str(v: Json | undefined, where: string, mode: string, max = 1024): string {
  if (typeof v !== 'string' || v.length > max) fail(mode, `${where} is not a string of at most ${max} characters.`);
  return v;
}

function arr(v: Json | undefined, where: string, mode: string): Json[] {
  if (!Array.isArray(v)) fail(mode, `${where} is not an array.`);
  return v;
}

function validate(raw: unknown, mode: string): MediaManifest {
  const o = obj(raw, ['Format', 'Version', 'MediaKind', 'MediaId', 'Created', 'TaskSequence', 'ContentEncrypted', 'Items', 'BootEntries'], 'the manifest', mode);
  if (o.Format !== MANIFEST_FORMAT) fail(mode, `Format is not '${MANIFEST_FORMAT}'.`);
  if (o.Version !== MANIFEST_VERSION) fail(mode, `Version ${String(o.Version)} is not supported; this tsmedia reads version ${MANIFEST_VERSION}.`);
  const kind = str(o.MediaKind, 'MediaKind', mode);
  if (!(MEDIA_KINDS as readonly string[]).includes(kind)) fail(mode, `MediaKind '${kind}' is not one of ${MEDIA_KINDS.join(', ')}.`);
  const id = str(o.MediaId, 'MediaId', mode);
  if (!GUID.test(id)) fail(mode, `MediaId '${id}' is not an upper-case GUID.`);
  const created = str(o.Created, 'Created', mode);
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$/.test(created) || Number.isNaN(Date.parse(created))) fail(mode, `Created '${created}' is not an ISO 8601 UTC time.`);
  let ts: MediaManifest['TaskSequence'] = null;
  if (o.TaskSequence !== null) {
    const t = obj(o.TaskSequence, ['Id', 'Name'], 'TaskSequence', mode);
    const tid = str(t.Id, 'TaskSequence.Id', mode);
    if (!OBJECT_ID.test(tid)) fail(mode, `TaskSequence.Id '${tid}' is not an object ID.`);
    ts = { Id: tid, Name: str(t.Name, 'TaskSequence.Name', mode) };
  }
  if (typeof o.ContentEncrypted !== 'boolean') fail(mode, 'ContentEncrypted is not true or false.');
  let files = 0;
  const seenIds = new Set<string>();
  const items = arr(o.Items, 'Items', mode).map((rawItem, n): MediaItem => {
    const i = obj(rawItem, ['Id', 'Name', 'Type', 'SourceVersion', 'Files'], `Items[${n}]`, mode);
    const iid = str(i.Id, `Items[${n}].Id`, mode);
    if (!OBJECT_ID.test(iid)) fail(mode, `Items[${n}].Id '${iid}' is not an object ID.`);
    if (seenIds.has(iid)) fail(mode, `item ${iid} is listed twice.`);
    seenIds.add(iid);
    const type = str(i.Type, `${iid}.Type`, mode);
    if (!(CONTENT_TYPES as readonly string[]).includes(type)) fail(mode, `${iid}.Type '${type}' is unknown.`);
    const sv = i.SourceVersion;
    if (typeof sv !== 'number' || !Number.isSafeInteger(sv) || sv < 1) fail(mode, `${iid}.SourceVersion is not a positive whole number.`);
    const seenPaths = new Set<string>();
    const fileList = arr(i.Files, `${iid}.Files`, mode).map((rawFile, k): MediaFile => {
      if (++files > MAX_FILES) fail(mode, `more than ${MAX_FILES} files.`);
      const f = obj(rawFile, ['Path', 'Size', 'Sha256'], `${iid}.Files[${k}]`, mode);
      const path = str(f.Path, `${iid}.Files[${k}].Path`, mode, 4096);
      if (!checkRelativePath(path)) fail(mode, `${iid}: '${path}' is not a safe relative path.`);
      if (seenPaths.has(path.toUpperCase())) fail(mode, `${iid}: '${path}' is listed twice.`);
      seenPaths.add(path.toUpperCase());
      const size = f.Size;
      if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) fail(mode, `${iid}: the size of '${path}' is not a byte count.`);
      const sha = str(f.Sha256, `${iid}.Files[${k}].Sha256`, mode);
      if (!/^[0-9a-f]{64}$/.test(sha)) fail(mode, `${iid}: the SHA-256 of '${path}' is not 64 lower-case hex digits.`);
      return { Path: path, Size: size, Sha256: sha };
    });
    return { Id: iid, Name: str(i.Name, `${iid}.Name`, mode), Type: type as ContentType, SourceVersion: sv, Files: fileList };
  });
  const boot = arr(o.BootEntries, 'BootEntries', mode).map((rawEntry, n): BootEntry => {
    const b = obj(rawEntry, ['Platform', 'Path'], `BootEntries[${n}]`, mode);
    if (b.Platform !== 'BIOS' && b.Platform !== 'UEFI') fail(mode, `BootEntries[${n}].Platform is not BIOS or UEFI.`);
    return { Platform: b.Platform, Path: str(b.Path, `BootEntries[${n}].Path`, mode) };
  });
  return { MediaKind: kind as MediaKind, MediaId: id, Created: created, TaskSequence: ts, ContentEncrypted: o.ContentEncrypted, Items: items, BootEntries: boot };
}

/** Parses and validates a manifest read from media; any defect is a FormatError. */
export function parseManifest(bytes: Uint8Array): MediaManifest {
  if (bytes.length > MAX_MANIFEST_SIZE) throw new FormatError(FORMAT, `the file is ${bytes.length} bytes; the limit is ${MAX_MANIFEST_SIZE}.`);
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (err) {
    throw new FormatError(FORMAT, `not valid JSON (${(err as Error).message.slice(0, 120)}).`);
  }
  return validate(raw, FormatError.name);
}
