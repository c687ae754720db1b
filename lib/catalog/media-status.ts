// Cache-revision queries over the media on record: which content on a prestaged medium is still
// at its current revision, what each machine will download at first boot, whether to rebuild.
//
// What a machine downloads for a revised item: the files of the current revision whose
// (path, SHA-256) are not in the revision on the medium. The client keeps unchanged files of a
// revised item, so they cost nothing. In content_files terms a current file (removed_in NULL) is
// on the medium when it was added at or before the cached version; one added later is on the
// medium only if the cached revision held the same path with the same bytes (a file changed and
// then changed back, or removed and re-added identical). Only the current row of a path counts,
// however often it changed in between. Triggers keep that cost, and each item's current version,
// on its media_content row (db/migrations/0004), and each medium's totals in media_status (0005),
// so these queries read those alone.
import { formatBytes } from '../shell/progress.js';
import type { ContentType } from './content.js';
import type { SqlDatabase } from './database.js';

export type CacheStatus = 'Valid' | 'Revised' | 'Removed';

/** One content item on one prestaged medium. */
export interface PrestagedItemStatus {
  MediaId: string;
  Path: string;
  Id: string;
  Name: string;
  Type: ContentType;
  CachedVersion: number;
  /** null once the item is removed from the catalog. */
  CurrentVersion: number | null;
  Status: CacheStatus;
  DownloadBytes: number;
  DownloadFiles: number;
}

/** One prestaged medium. */
export interface PrestagedMediaStatus {
  MediaId: string;
  Path: string;
  Created: string;
  TaskSequenceId: string | null;
  Items: number;
  RevisedItems: number;
  RemovedItems: number;
  DownloadBytes: number;
  DownloadFiles: number;
  Rebuild: boolean;
  Reason: string;
}

export interface MediaStatusFilter {
  /** A media id (GUID) or a path, exact; every prestaged medium when absent. */
  mediaId?: string;
}

interface ItemRow {
  media_id: string; path: string; id: string; name: string; type: ContentType; cached: number; current: number | null; files: number; bytes: number;
}

interface MediumRow {
  media_id: string; path: string; created: string; task_sequence_id: string | null; items: number; revised: number; removed: number;
  files: number; bytes: number; removed_ids: string | null; downloading_ids: string | null; free_ids: string | null;
}

interface Where { clause: string; params: string[] }

function mediaWhere(filter: MediaStatusFilter): Where {
  if (filter.mediaId === undefined) return { clause: `m.kind = 'Prestaged'`, params: [] };
  return { clause: `m.kind = 'Prestaged' AND (m.media_id = ? COLLATE NOCASE OR m.path = ?)`, params: [filter.mediaId, filter.mediaId] };
}

function statusOf(cached: number, current: number | null): CacheStatus {
  return current === null ? 'Removed' : current === cached ? 'Valid' : 'Revised';
}

/** One row per item of each chosen prestaged medium (media oldest first, items by Id). */
export function prestagedMediaItems(db: SqlDatabase, filter: MediaStatusFilter = {}): PrestagedItemStatus[] {
  const where = mediaWhere(filter);
  return db.all<ItemRow>(`
    SELECT m.media_id, m.path, mc.content_id AS id, mc.name, mc.type, mc.source_version AS cached, mc.current_version AS current,
           mc.download_files AS files, mc.download_bytes AS bytes
    FROM media m JOIN media_content mc ON mc.seq = m.seq
    WHERE ${where.clause} ORDER BY m.created, m.seq, mc.content_id`, where.params)
    .map((r) => ({
      MediaId: r.media_id, Path: r.path, Id: r.id, Name: r.name, Type: r.type, CachedVersion: r.cached, CurrentVersion: r.current,
      Status: statusOf(r.cached, r.current), DownloadBytes: r.bytes, DownloadFiles: r.files,
    }));
}

/**
 * One row per chosen prestaged medium, oldest first, from the status rows schema 5's triggers
 * keep (db/migrations/0005: a large catalog has tens of thousands of medium-item pairs).
 *
 * The rebuild rule. A medium should be rebuilt when
 *   - any item on it was removed from the catalog (it carries content nothing deploys any more), or
 *   - machines must download files for its revised items, at least `thresholdBytes` in all
 *     (default 0: any download at all).
 * A revised item whose current files are all on the medium already (a change undone, files only
 * removed) costs nothing at first boot and is no reason to rebuild.
 */
export function prestagedMediaStatus(db: SqlDatabase, filter: MediaStatusFilter = {}, thresholdBytes = 0): PrestagedMediaStatus[] {
  const where = mediaWhere(filter);
  const rows = db.all<MediumRow>(`
    SELECT m.media_id, m.path, m.created, m.task_sequence_id, coalesce(s.items, 0) AS items,
           coalesce(s.revised, 0) AS revised, coalesce(s.removed, 0) AS removed,
           coalesce(s.download_files, 0) AS files, coalesce(s.download_bytes, 0) AS bytes,
           s.removed_ids, s.downloading_ids, s.free_ids
    FROM media m LEFT JOIN media_status s ON s.seq = m.seq
    WHERE ${where.clause} ORDER BY m.created, m.seq`, where.params);
  return rows.map((r) => {
    const list = (ids: string | null): string[] => (ids === null ? [] : ids.split(',').sort());
    const removed = list(r.removed_ids);
    const downloading = list(r.downloading_ids);
    const free = list(r.free_ids);
    const overThreshold = r.files > 0 && r.bytes >= thresholdBytes;
    const reasons: string[] = [];
    if (removed.length) reasons.push(`${count(removed.length, 'item')} removed from the catalog (${ids(removed)})`);
    if (r.files > 0) {
      reasons.push(`${count(downloading.length, 'revised item')} (${ids(downloading)}) need ${count(r.files, 'file')}, ${formatBytes(r.bytes)}, per machine`
        + (overThreshold ? '' : `, under the ${formatBytes(thresholdBytes)} threshold`));
    }
    if (free.length) reasons.push(`${count(free.length, 'revised item')} (${ids(free)}) need no download`);
    return {
      MediaId: r.media_id, Path: r.path, Created: r.created, TaskSequenceId: r.task_sequence_id,
      Items: r.items, RevisedItems: r.revised, RemovedItems: r.removed, DownloadBytes: r.bytes, DownloadFiles: r.files,
      Rebuild: removed.length > 0 || overThreshold,
      Reason: reasons.length ? `${reasons.join('; ')}.` : 'Every item is at its current revision.',
    };
  });
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function ids(list: readonly string[]): string {
  const MAX = 5;
  const shown = list.slice(0, MAX).join(', ');
  return list.length > MAX ? `${shown} and ${list.length - MAX} more` : shown;
}

/** The items of one medium as Compare-TSMedia sees them. */
export interface MediaItemVersion { Id: string; Name: string; Type: ContentType; SourceVersion: number }

export type MediaChange = 'Added' | 'Removed' | 'Revised' | 'Equal';

export interface MediaDifference {
  Id: string;
  Name: string;
  Type: ContentType;
  ReferenceVersion: number | null;
  DifferenceVersion: number | null;
  Change: MediaChange;
  /** As Compare-Object: '<=' only in the reference, '=>' only in the difference, '<>' another version, '==' equal. */
  SideIndicator: '<=' | '=>' | '<>' | '==';
}

/** Items that differ between two media (and, with includeEqual, those that do not), by Id. */
export function compareMediaItems(reference: readonly MediaItemVersion[], difference: readonly MediaItemVersion[], includeEqual = false): MediaDifference[] {
  const ref = new Map(reference.map((i) => [i.Id, i]));
  const dif = new Map(difference.map((i) => [i.Id, i]));
  const out: MediaDifference[] = [];
  for (const id of [...new Set([...ref.keys(), ...dif.keys()])].sort()) {
    const a = ref.get(id);
    const b = dif.get(id);
    const about = (b ?? a)!;
    const row = { Id: id, Name: about.Name, Type: about.Type, ReferenceVersion: a?.SourceVersion ?? null, DifferenceVersion: b?.SourceVersion ?? null };
    if (!b) out.push({ ...row, Change: 'Removed', SideIndicator: '<=' });
    else if (!a) out.push({ ...row, Change: 'Added', SideIndicator: '=>' });
    else if (a.SourceVersion !== b.SourceVersion) out.push({ ...row, Change: 'Revised', SideIndicator: '<>' });
    else if (includeEqual) out.push({ ...row, Change: 'Equal', SideIndicator: '==' });
  }
  return out;
}
