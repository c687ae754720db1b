// Content items (packages, driver packages, applications, OS and boot images) and their revisions.
import { NotFoundError, RuleError } from '../errors.js';
import type { BlobLocation } from '../content/library.js';
import { diffManifests, manifestBytes, manifestDigest, sortManifest } from '../content/manifest.js';
import type { ManifestFile } from '../content/manifest.js';
import type { SqlDatabase } from './database.js';
import { allocateObjectId } from './sites.js';
import { hasWildcard, wildcardToLike } from './wildcard.js';

export const CONTENT_TYPES = ['Package', 'DriverPackage', 'Application', 'OperatingSystemImage', 'BootImage'] as const;
export type ContentType = (typeof CONTENT_TYPES)[number];

/** Types whose source is one .wim file; the others are folders. */
export function isImageType(type: ContentType): boolean {
  return type === 'OperatingSystemImage' || type === 'BootImage';
}

export interface ContentItem {
  Id: string;
  Name: string;
  Type: ContentType;
  SourceVersion: number;
  FileCount: number;
  SizeBytes: number;
  SourcePath: string;
  ImageIndex?: number;
  Created: string;
  LastRevised: string;
}

interface ContentRow {
  id: string; name: string; type: ContentType; source_path: string; source_version: number;
  image_index: number | null; created: string; file_count: number; size_bytes: number; revised: string;
}

const SELECT_CONTENT = `
  SELECT c.id, c.name, c.type, c.source_path, c.source_version, c.image_index, c.created,
         r.file_count, r.size_bytes, r.created AS revised
  FROM content c JOIN revisions r ON r.content_id = c.id AND r.version = c.source_version`;

function toItem(r: ContentRow): ContentItem {
  const item: ContentItem = {
    Id: r.id, Name: r.name, Type: r.type, SourceVersion: r.source_version, FileCount: r.file_count,
    SizeBytes: r.size_bytes, SourcePath: r.source_path, Created: r.created, LastRevised: r.revised,
  };
  if (r.image_index !== null) item.ImageIndex = r.image_index;
  return item;
}

const PROBE_CHUNK = 500; // under SQLite's bound-parameter limit

/** The SHA-256s among these that the library holds: one query per PROBE_CHUNK, since a query per blob cost ~40 µs each in sql.js. */
export function knownBlobs(db: SqlDatabase, sha256s: readonly string[]): Set<string> {
  const out = new Set<string>();
  for (let i = 0; i < sha256s.length; i += PROBE_CHUNK) {
    const chunk = sha256s.slice(i, i + PROBE_CHUNK);
    const rows = db.all<{ h: string }>(`SELECT lower(hex(sha256)) AS h FROM library_blobs WHERE sha256 IN (${chunk.map(() => '?').join(',')})`,
      chunk.map((h) => Buffer.from(h, 'hex')));
    for (const r of rows) out.add(r.h);
  }
  return out;
}

/** The sizes of the library's blobs larger than `min` bytes (few: one scan serves a whole import). */
export function blobSizesAbove(db: SqlDatabase, min: number): Set<number> {
  return new Set(db.all<{ size: number }>('SELECT DISTINCT size FROM library_blobs WHERE size > ?', [min]).map((r) => r.size));
}

export function blobLocation(db: SqlDatabase, sha256: string): BlobLocation {
  const r = db.get<{ size: number; pack: string; offset: number }>('SELECT size, pack, offset FROM library_blobs WHERE sha256 = ?', [Buffer.from(sha256, 'hex')]);
  if (!r) throw new NotFoundError('blob', `The content library has no blob ${sha256}; re-import the content that needs it.`, { sha256 });
  return { sha256, size: r.size, pack: r.pack, offset: r.offset };
}

function recordBlobs(db: SqlDatabase, blobs: readonly BlobLocation[]): void {
  db.insertMany('INSERT OR IGNORE', 'library_blobs', ['sha256', 'size', 'pack', 'offset'],
    blobs.map((b) => [Buffer.from(b.sha256, 'hex'), b.size, b.pack, b.offset]));
}

function insertFiles(db: SqlDatabase, id: string, version: number, files: readonly ManifestFile[]): void {
  db.insertMany('INSERT', 'content_files', ['content_id', 'path', 'added_in', 'size', 'sha256'],
    files.map((f) => [id, f.path, version, f.size, Buffer.from(f.sha256, 'hex')]));
}

function insertRevision(db: SqlDatabase, id: string, version: number, files: readonly ManifestFile[], now: Date): void {
  db.run('INSERT INTO revisions (content_id, version, created, file_count, size_bytes, manifest_sha256) VALUES (?,?,?,?,?,?)',
    [id, version, now.toISOString(), files.length, manifestBytes(files), manifestDigest(files)]);
}

export interface NewContent { type: ContentType; name: string; sourcePath: string; siteCode: string; imageIndex?: number }

export function createContent(db: SqlDatabase, input: NewContent, manifest: ManifestFile[], blobs: readonly BlobLocation[], now: Date): ContentItem {
  const files = sortManifest(manifest);
  recordBlobs(db, blobs);
  const id = allocateObjectId(db, input.siteCode);
  db.run('INSERT INTO content (id, type, name, source_path, source_version, image_index, created) VALUES (?,?,?,?,1,?,?)',
    [id, input.type, input.name, input.sourcePath, input.imageIndex ?? null, now.toISOString()]);
  insertRevision(db, id, 1, files, now);
  insertFiles(db, id, 1, files);
  return getContent(db, id);
}

/** Records a new revision when the manifest differs from the current one. */
export function reviseContent(db: SqlDatabase, id: string, manifest: ManifestFile[], blobs: readonly BlobLocation[], now: Date): { changed: boolean; item: ContentItem } {
  const item = getContent(db, id);
  const files = sortManifest(manifest);
  const current = getManifest(db, id, item.SourceVersion);
  if (manifestDigest(files) === manifestDigest(current)) return { changed: false, item };
  recordBlobs(db, blobs);
  const version = item.SourceVersion + 1;
  const diff = diffManifests(current, files);
  db.withStatement('UPDATE content_files SET removed_in = ? WHERE content_id = ? AND path = ? AND removed_in IS NULL', (run) => {
    for (const f of [...diff.changed, ...diff.removed]) run([version, id, f.path]);
  });
  insertFiles(db, id, version, [...diff.added, ...diff.changed]);
  insertRevision(db, id, version, files, now);
  db.run('UPDATE content SET source_version = ? WHERE id = ?', [version, id]);
  return { changed: true, item: getContent(db, id) };
}

export function getContent(db: SqlDatabase, id: string, type?: ContentType): ContentItem {
  const row = db.get<ContentRow>(`${SELECT_CONTENT} WHERE c.id = ?`, [id.toUpperCase()]);
  if (!row || (type && row.type !== type)) {
    throw new NotFoundError('content', `No ${type ? describeType(type) : 'content'} with ID '${id}'. ${type ? `Get-CM${type}` : 'Get-CMPackage'} lists them.`, { id });
  }
  return toItem(row);
}

/** The type's name with its article: 'a package', 'an application'. */
export function withArticle(type: ContentType): string {
  const what = describeType(type);
  return `${/^[aeiou]/.test(what) ? 'an' : 'a'} ${what}`;
}

export function describeType(type: ContentType): string {
  switch (type) {
    case 'Package': return 'package';
    case 'DriverPackage': return 'driver package';
    case 'Application': return 'application';
    case 'OperatingSystemImage': return 'operating system image';
    case 'BootImage': return 'boot image';
  }
}

export interface ContentFilter { type?: ContentType; id?: string; name?: string }

export function findContent(db: SqlDatabase, filter: ContentFilter): ContentItem[] {
  const where: string[] = [];
  const params: string[] = [];
  if (filter.type) { where.push('c.type = ?'); params.push(filter.type); }
  for (const [column, value] of [['c.id', filter.id], ['c.name', filter.name]] as const) {
    if (value === undefined) continue;
    if (hasWildcard(value)) { where.push(`${column} LIKE ? ESCAPE '\\'`); params.push(wildcardToLike(value)); }
    else { where.push(`${column} = ? COLLATE NOCASE`); params.push(value); }
  }
  const sql = `${SELECT_CONTENT}${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY c.id`;
  return db.all<ContentRow>(sql, params).map(toItem);
}

/** Finds one item by ID or by exact name (names may repeat: then the ID is needed). */
export function resolveContent(db: SqlDatabase, idOrName: string, type: ContentType): ContentItem {
  const byId = db.get<{ id: string }>('SELECT id FROM content WHERE id = ? AND type = ?', [idOrName.toUpperCase(), type]);
  if (byId) return getContent(db, byId.id);
  const byName = findContent(db, { type, name: idOrName });
  if (byName.length === 1) return byName[0]!;
  if (byName.length > 1) throw new RuleError('EAMBIGUOUS_NAME', `${byName.length} ${describeType(type)}s are named '${idOrName}' (${byName.map((c) => c.Id).join(', ')}); give the ID.`);
  return getContent(db, idOrName, type);
}

export function getManifest(db: SqlDatabase, id: string, version: number): ManifestFile[] {
  return db.all<{ path: string; size: number; sha: string }>(
    `SELECT path, size, lower(hex(sha256)) AS sha FROM content_files
     WHERE content_id = ? AND added_in <= ? AND (removed_in IS NULL OR removed_in > ?) ORDER BY path`,
    [id, version, version],
  ).map((r) => ({ path: r.path, size: r.size, sha256: r.sha }));
}

export interface RevisionInfo {
  Id: string;
  SourceVersion: number;
  Created: string;
  FileCount: number;
  SizeBytes: number;
  FilesAdded: number;
  FilesChanged: number;
  FilesRemoved: number;
}

/** Every revision with what it added, changed and removed against the one before. */
export function listRevisions(db: SqlDatabase, id: string, opts: { sinceVersion?: number; since?: Date } = {}): RevisionInfo[] {
  const item = getContent(db, id);
  const revs = db.all<{ version: number; created: string; file_count: number; size_bytes: number }>(
    'SELECT version, created, file_count, size_bytes FROM revisions WHERE content_id = ? ORDER BY version', [item.Id]);
  // A path both added and removed in version v was changed in v.
  const added = db.all<{ v: number; path: string }>('SELECT added_in AS v, path FROM content_files WHERE content_id = ? AND added_in > 1', [item.Id]);
  const removed = db.all<{ v: number; path: string }>('SELECT removed_in AS v, path FROM content_files WHERE content_id = ? AND removed_in IS NOT NULL', [item.Id]);
  const removedKeys = new Set(removed.map((r) => `${r.v}\0${r.path}`));
  const addedKeys = new Set(added.map((r) => `${r.v}\0${r.path}`));
  const counts = new Map<number, { a: number; c: number; r: number }>();
  const bump = (v: number, k: 'a' | 'c' | 'r'): void => {
    const e = counts.get(v) ?? { a: 0, c: 0, r: 0 };
    e[k]++;
    counts.set(v, e);
  };
  for (const r of added) bump(r.v, removedKeys.has(`${r.v}\0${r.path}`) ? 'c' : 'a');
  for (const r of removed) if (!addedKeys.has(`${r.v}\0${r.path}`)) bump(r.v, 'r');
  return revs
    .filter((r) => (opts.sinceVersion === undefined || r.version > opts.sinceVersion) && (!opts.since || new Date(r.created) > opts.since))
    .map((r) => {
      const c = r.version === 1 ? { a: r.file_count, c: 0, r: 0 } : counts.get(r.version) ?? { a: 0, c: 0, r: 0 };
      return { Id: item.Id, SourceVersion: r.version, Created: r.created, FileCount: r.file_count, SizeBytes: r.size_bytes, FilesAdded: c.a, FilesChanged: c.c, FilesRemoved: c.r };
    });
}

export interface RevisionFileChange {
  Id: string;
  SourceVersion: number;
  Path: string;
  Change: 'Added' | 'Changed' | 'Removed';
  /** The new size and SHA-256; for a removed file, the last ones it had. */
  Size: number;
  Sha256: string;
}

/** Every file each revision added, changed or removed (version 1 adds all), by version and path. */
export function listRevisionFiles(db: SqlDatabase, id: string, opts: { sinceVersion?: number; since?: Date } = {}): RevisionFileChange[] {
  const versions = new Set(listRevisions(db, id, opts).map((r) => r.SourceVersion));
  const item = getContent(db, id);
  const rows = db.all<{ v: number; path: string; size: number; sha: string; kind: 'a' | 'r' }>(
    `SELECT added_in AS v, path, size, lower(hex(sha256)) AS sha, 'a' AS kind FROM content_files WHERE content_id = ?
     UNION ALL SELECT removed_in, path, size, lower(hex(sha256)), 'r' FROM content_files WHERE content_id = ? AND removed_in IS NOT NULL
     ORDER BY 1, 2, 5`, [item.Id, item.Id]);
  const out: RevisionFileChange[] = [];
  for (let k = 0; k < rows.length; k++) {
    const r = rows[k]!;
    if (!versions.has(r.v)) continue;
    // rows of one (version, path) come added first: an added row and a removed row mean a change
    const next = rows[k + 1];
    if (r.kind === 'a' && next && next.v === r.v && next.path === r.path) {
      out.push({ Id: item.Id, SourceVersion: r.v, Path: r.path, Change: 'Changed', Size: r.size, Sha256: r.sha });
      k++;
    } else {
      out.push({ Id: item.Id, SourceVersion: r.v, Path: r.path, Change: r.kind === 'a' ? 'Added' : 'Removed', Size: r.size, Sha256: r.sha });
    }
  }
  return out;
}

/** Task sequences that refer to an item. */
export function referencingTaskSequences(db: SqlDatabase, id: string): string[] {
  return db.all<{ id: string }>(`SELECT DISTINCT task_sequence_id AS id FROM task_sequence_refs WHERE content_id = ?
    UNION SELECT id FROM task_sequences WHERE boot_image_id = ? ORDER BY id`, [id, id]).map((r) => r.id);
}

/** Removes an item; refused while a task sequence refers to it unless force (then the references go too). */
export function removeContent(db: SqlDatabase, id: string, type: ContentType, force: boolean): { item: ContentItem; droppedFrom: string[] } {
  const item = getContent(db, id, type);
  const refs = referencingTaskSequences(db, item.Id);
  if (refs.length && !force) {
    throw new RuleError('ECONTENT_IN_USE', `${item.Id} (${item.Name}) is used by task sequence ${refs.join(', ')}; remove it from them first, or use -Force.`, { taskSequences: refs });
  }
  const bootOf = db.all<{ id: string }>('SELECT id FROM task_sequences WHERE boot_image_id = ?', [item.Id]);
  if (bootOf.length) {
    throw new RuleError('ECONTENT_IN_USE', `${item.Id} is the boot image of task sequence ${bootOf.map((r) => r.id).join(', ')}; give those task sequences another boot image or remove them first.`);
  }
  db.run('DELETE FROM task_sequence_refs WHERE content_id = ?', [item.Id]);
  db.run('DELETE FROM content WHERE id = ?', [item.Id]);
  return { item, droppedFrom: refs };
}
