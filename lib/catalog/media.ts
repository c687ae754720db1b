// Media built: one row per medium written (volume 1's path for a CD/DVD set), with the exact
// revision of every content item it holds. Written only once a medium is whole.
import { NotFoundError, RuleError } from '../errors.js';
import type { MediaKind } from '../media/media-manifest.js';
import type { ContentType } from './content.js';
import type { SqlDatabase } from './database.js';

export type MediaType = 'CdDvd' | 'Usb' | 'Wim';

export interface MediaContentRecord {
  Id: string;
  Name: string;
  Type: ContentType;
  SourceVersion: number;
  FileCount: number;
  SizeBytes: number;
}

export interface MediaRecord {
  MediaId: string;
  Kind: MediaKind;
  MediaType: MediaType;
  Path: string;
  VolumeCount: number;
  SizeBytes: number;
  SiteCode: string;
  TaskSequenceId: string | null;
  BootImageId: string;
  ContentEncrypted: boolean;
  Created: string;
  /** Every content item on the medium (the boot image included), by Id. */
  Content: MediaContentRecord[];
}

interface MediaRow {
  seq: number; media_id: string; kind: MediaKind; media_type: MediaType; path: string; volume_count: number;
  size_bytes: number; site_code: string; task_sequence_id: string | null; boot_image_id: string;
  content_encrypted: number; created: string;
}

interface MediaContentRow { seq: number; content_id: string; name: string; type: ContentType; source_version: number; file_count: number; size_bytes: number }

/**
 * Records a finished medium. A path holds one medium at a time: building to the same path again
 * (the same medium, or another one over it with -Force or a -Resume rebuild) replaces its row.
 */
export function recordMedia(db: SqlDatabase, m: MediaRecord): void {
  db.run('DELETE FROM media WHERE path = ?', [m.Path]);
  db.run(`INSERT INTO media (media_id, kind, media_type, path, volume_count, size_bytes, site_code, task_sequence_id, boot_image_id, content_encrypted, created)
          VALUES (?,?,?,?,?,?,?,?,?,?,?)`,
  [m.MediaId, m.Kind, m.MediaType, m.Path, m.VolumeCount, m.SizeBytes, m.SiteCode, m.TaskSequenceId, m.BootImageId, m.ContentEncrypted ? 1 : 0, m.Created]);
  const seq = db.get<{ seq: number }>('SELECT last_insert_rowid() AS seq')!.seq;
  db.insertMany('INSERT', 'media_content', ['seq', 'content_id', 'name', 'type', 'source_version', 'file_count', 'size_bytes'],
    m.Content.map((c) => [seq, c.Id, c.Name, c.Type, c.SourceVersion, c.FileCount, c.SizeBytes]));
}

export interface MediaFilter {
  /** A media id (GUID) or a path, exact. */
  mediaId?: string;
  kind?: MediaKind;
}

/** Media on record, oldest first, each with its content. */
export function listMedia(db: SqlDatabase, filter: MediaFilter = {}): MediaRecord[] {
  const where: string[] = [];
  const params: (string | number)[] = [];
  if (filter.mediaId !== undefined) { where.push('(media_id = ? COLLATE NOCASE OR path = ?)'); params.push(filter.mediaId, filter.mediaId); }
  if (filter.kind !== undefined) { where.push('kind = ?'); params.push(filter.kind); }
  const clause = where.length ? ` WHERE ${where.join(' AND ')}` : '';
  const rows = db.all<MediaRow>(`SELECT * FROM media${clause} ORDER BY created, seq`, params);
  if (rows.length === 0) return [];
  const content = new Map<number, MediaContentRecord[]>();
  const contentRows = db.all<MediaContentRow>(`SELECT * FROM media_content WHERE seq IN (SELECT seq FROM media${clause}) ORDER BY seq, content_id`, params);
  for (const c of contentRows) {
    let list = content.get(c.seq);
    if (!list) content.set(c.seq, (list = []));
    list.push({ Id: c.content_id, Name: c.name, Type: c.type, SourceVersion: c.source_version, FileCount: c.file_count, SizeBytes: c.size_bytes });
  }
  return rows.map((r) => ({
    MediaId: r.media_id, Kind: r.kind, MediaType: r.media_type, Path: r.path, VolumeCount: r.volume_count, SizeBytes: r.size_bytes,
    SiteCode: r.site_code, TaskSequenceId: r.task_sequence_id, BootImageId: r.boot_image_id, ContentEncrypted: r.content_encrypted !== 0,
    Created: r.created, Content: content.get(r.seq) ?? [],
  }));
}

/** One medium by media id or path; a media id built to several paths must be named by path. */
export function getMediaRecord(db: SqlDatabase, idOrPath: string): MediaRecord {
  const found = listMedia(db, { mediaId: idOrPath });
  if (found.length === 0) throw new NotFoundError('medium', `No medium with ID or path '${idOrPath}' is on record. Get-TSMedia lists them.`, { id: idOrPath });
  if (found.length > 1) throw new RuleError('EAMBIGUOUS_MEDIA', `Medium ${idOrPath} was written to ${found.length} paths (${found.map((m) => m.Path).join(', ')}); give the path.`);
  return found[0]!;
}
