// Task sequences: a boot image plus the content they reference (OS image, driver packages,
// packages, applications). Their references are what media building and cache validation read.
import { NotFoundError, RuleError } from '../errors.js';
import type { SqlDatabase } from './database.js';
import { getContent, withArticle } from './content.js';
import type { ContentType, ContentItem } from './content.js';
import { allocateObjectId } from './sites.js';
import { hasWildcard, wildcardToLike } from './wildcard.js';

export interface TaskSequence {
  Id: string;
  Name: string;
  BootImageId: string;
  ReferenceCount: number;
  Created: string;
}

export interface TaskSequenceReference {
  TaskSequenceId: string;
  Id: string;
  Name: string;
  Type: ContentType;
  Role: string;
  SourceVersion: number;
  FileCount: number;
  SizeBytes: number;
}

export interface NewTaskSequence {
  name: string;
  siteCode: string;
  bootImageId: string;
  operatingSystemImageId?: string;
  driverPackageIds?: readonly string[];
  packageIds?: readonly string[];
  applicationIds?: readonly string[];
}

function checkType(db: SqlDatabase, id: string, type: ContentType, parameter: string): ContentItem {
  const item = db.get<{ type: ContentType }>('SELECT type FROM content WHERE id = ?', [id.toUpperCase()]);
  if (!item) throw new NotFoundError('content', `${parameter}: no content with ID '${id}'.`, { id });
  if (item.type !== type) throw new RuleError('EWRONG_CONTENT_TYPE', `${parameter}: ${id.toUpperCase()} is ${withArticle(item.type)}, not ${withArticle(type)}.`, { id });
  return getContent(db, id);
}

export function createTaskSequence(db: SqlDatabase, input: NewTaskSequence, now: Date): TaskSequence {
  const boot = checkType(db, input.bootImageId, 'BootImage', '-BootImageId');
  const refs: { item: ContentItem; role: string }[] = [];
  if (input.operatingSystemImageId) refs.push({ item: checkType(db, input.operatingSystemImageId, 'OperatingSystemImage', '-OperatingSystemImageId'), role: 'OperatingSystemImage' });
  for (const id of input.driverPackageIds ?? []) refs.push({ item: checkType(db, id, 'DriverPackage', '-DriverPackageId'), role: 'DriverPackage' });
  for (const id of input.packageIds ?? []) refs.push({ item: checkType(db, id, 'Package', '-PackageId'), role: 'Package' });
  for (const id of input.applicationIds ?? []) refs.push({ item: checkType(db, id, 'Application', '-ApplicationId'), role: 'Application' });
  const seen = new Set<string>();
  for (const r of refs) {
    if (seen.has(r.item.Id)) throw new RuleError('EDUPLICATE_REFERENCE', `${r.item.Id} is referenced twice; name each content item once.`);
    seen.add(r.item.Id);
  }
  const id = allocateObjectId(db, input.siteCode);
  db.run('INSERT INTO task_sequences (id, name, boot_image_id, created) VALUES (?,?,?,?)', [id, input.name, boot.Id, now.toISOString()]);
  db.withStatement('INSERT INTO task_sequence_refs (task_sequence_id, content_id, role, position) VALUES (?,?,?,?)', (run) => {
    refs.forEach((r, i) => run([id, r.item.Id, r.role, i]));
  });
  return getTaskSequence(db, id);
}

interface TaskSequenceRow { id: string; name: string; boot_image_id: string; created: string; refs: number }
const SELECT_TS = `SELECT t.id, t.name, t.boot_image_id, t.created,
  (SELECT count(*) FROM task_sequence_refs r WHERE r.task_sequence_id = t.id) + 1 AS refs FROM task_sequences t`;

function toTaskSequence(r: TaskSequenceRow): TaskSequence {
  return { Id: r.id, Name: r.name, BootImageId: r.boot_image_id, ReferenceCount: r.refs, Created: r.created };
}

export function getTaskSequence(db: SqlDatabase, id: string): TaskSequence {
  const row = db.get<TaskSequenceRow>(`${SELECT_TS} WHERE t.id = ?`, [id.toUpperCase()]);
  if (!row) throw new NotFoundError('task sequence', `No task sequence with ID '${id}'. Get-CMTaskSequence lists them.`, { id });
  return toTaskSequence(row);
}

/** Finds one task sequence by ID or by its exact, unique name. */
export function resolveTaskSequence(db: SqlDatabase, idOrName: string): TaskSequence {
  const byId = db.get<TaskSequenceRow>(`${SELECT_TS} WHERE t.id = ?`, [idOrName.toUpperCase()]);
  if (byId) return toTaskSequence(byId);
  const byName = db.all<TaskSequenceRow>(`${SELECT_TS} WHERE t.name = ? COLLATE NOCASE`, [idOrName]);
  if (byName.length === 1) return toTaskSequence(byName[0]!);
  if (byName.length > 1) throw new RuleError('EAMBIGUOUS_NAME', `${byName.length} task sequences are named '${idOrName}'; give the ID.`);
  return getTaskSequence(db, idOrName);
}

export function findTaskSequences(db: SqlDatabase, filter: { id?: string; name?: string }): TaskSequence[] {
  const where: string[] = [];
  const params: string[] = [];
  for (const [column, value] of [['t.id', filter.id], ['t.name', filter.name]] as const) {
    if (value === undefined) continue;
    if (hasWildcard(value)) { where.push(`${column} LIKE ? ESCAPE '\\'`); params.push(wildcardToLike(value)); }
    else { where.push(`${column} = ? COLLATE NOCASE`); params.push(value); }
  }
  return db.all<TaskSequenceRow>(`${SELECT_TS}${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY t.id`, params).map(toTaskSequence);
}

/** Every content item a task sequence needs (its boot image first), with current versions. */
export function taskSequenceReferences(db: SqlDatabase, id: string): TaskSequenceReference[] {
  const ts = getTaskSequence(db, id);
  const rows = db.all<{ id: string; name: string; type: ContentType; role: string; source_version: number; file_count: number; size_bytes: number }>(
    `SELECT c.id, c.name, c.type, x.role, c.source_version, r.file_count, r.size_bytes
     FROM (SELECT ? AS content_id, 'BootImage' AS role, -1 AS position
           UNION ALL SELECT content_id, role, position FROM task_sequence_refs WHERE task_sequence_id = ?) x
     JOIN content c ON c.id = x.content_id
     JOIN revisions r ON r.content_id = c.id AND r.version = c.source_version
     ORDER BY x.position`, [ts.BootImageId, ts.Id]);
  return rows.map((r) => ({ TaskSequenceId: ts.Id, Id: r.id, Name: r.name, Type: r.type, Role: r.role, SourceVersion: r.source_version, FileCount: r.file_count, SizeBytes: r.size_bytes }));
}

export function removeTaskSequence(db: SqlDatabase, id: string): TaskSequence {
  const ts = getTaskSequence(db, id);
  db.run('DELETE FROM task_sequences WHERE id = ?', [ts.Id]);
  return ts;
}
