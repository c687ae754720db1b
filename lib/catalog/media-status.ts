// Cache-revision queries over the media on record: which content on a prestaged medium is still
// at its current revision, what each machine will download at first boot, whether to rebuild.
//
// What a machine downloads for a revised item: the files of the current revision whose
// (path, SHA-256) are not in the revision on the medium. The client keeps unchanged files of a
// revised item, so they cost nothing. In content_files terms a current file (removed_in NULL) is
// on the medium when it was added at or before the cached version; one added later is on the
// medium only if the cached revision held the same path with the same bytes (a file changed and
// then changed back, or removed and re-added identical). Only the current row of a path counts,
// however often it changed in between.
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

interface MediumRow { seq: number; media_id: string; path: string; created: string; task_sequence_id: string | null }
interface ItemRow { seq: number; id: string; name: string; type: ContentType; cached: number; current: number | null }
interface DownloadRow { id: string; cached: number; files: number; bytes: number }

function mediaWhere(filter: MediaStatusFilter): { clause: string; params: string[] } {
  if (filter.mediaId === undefined) return { clause: `m.kind = 'Prestaged'`, params: [] };
  return { clause: `m.kind = 'Prestaged' AND (m.media_id = ? COLLATE NOCASE OR m.path = ?)`, params: [filter.mediaId, filter.mediaId] };
}

/**
 * Download cost of every distinct (item, cached version) on the chosen media whose version is not
 * the current one: three set-based queries in all, whatever the number of media. A cached version
 * above the current one (a catalog restored from an older backup) has no manifest to compare
 * with, so base 0 counts every current file.
 */
function downloadCosts(db: SqlDatabase, where: { clause: string; params: string[] }): Map<string, DownloadRow> {
  const rows = db.all<DownloadRow>(`
    WITH pairs AS (
      SELECT DISTINCT mc.content_id AS id, mc.source_version AS cached,
             CASE WHEN mc.source_version > c.source_version THEN 0 ELSE mc.source_version END AS base
      FROM media m JOIN media_content mc ON mc.seq = m.seq JOIN content c ON c.id = mc.content_id
      WHERE ${where.clause} AND mc.source_version <> c.source_version)
    SELECT p.id, p.cached, count(*) AS files, sum(f.size) AS bytes
    FROM pairs p JOIN content_files f ON f.content_id = p.id AND f.removed_in IS NULL AND f.added_in > p.base
    WHERE NOT EXISTS (
      SELECT 1 FROM content_files o
      WHERE o.content_id = f.content_id AND o.path = f.path AND o.added_in <= p.base AND o.removed_in > p.base AND o.sha256 = f.sha256)
    GROUP BY p.id, p.cached`, where.params);
  return new Map(rows.map((r) => [`${r.id}\0${r.cached}`, r]));
}

export interface PrestagedMediaReport {
  medium: Omit<PrestagedMediaStatus, 'Items' | 'RevisedItems' | 'RemovedItems' | 'DownloadBytes' | 'DownloadFiles' | 'Rebuild' | 'Reason'>;
  items: PrestagedItemStatus[];
}

/** Every chosen prestaged medium (oldest first) with the status of each item it holds (by Id). */
export function prestagedMediaReport(db: SqlDatabase, filter: MediaStatusFilter = {}): PrestagedMediaReport[] {
  const where = mediaWhere(filter);
  const media = db.all<MediumRow>(`SELECT m.seq, m.media_id, m.path, m.created, m.task_sequence_id FROM media m WHERE ${where.clause} ORDER BY m.created, m.seq`, where.params);
  if (media.length === 0) return [];
  const costs = downloadCosts(db, where);
  const items = db.all<ItemRow>(`
    SELECT m.seq, mc.content_id AS id, mc.name, mc.type, mc.source_version AS cached, c.source_version AS current
    FROM media m JOIN media_content mc ON mc.seq = m.seq LEFT JOIN content c ON c.id = mc.content_id
    WHERE ${where.clause} ORDER BY m.seq, mc.content_id`, where.params);
  const bySeq = new Map<number, PrestagedMediaReport>();
  const reports = media.map((m) => {
    const r: PrestagedMediaReport = { medium: { MediaId: m.media_id, Path: m.path, Created: m.created, TaskSequenceId: m.task_sequence_id }, items: [] };
    bySeq.set(m.seq, r);
    return r;
  });
  for (const i of items) {
    const report = bySeq.get(i.seq)!;
    const status: CacheStatus = i.current === null ? 'Removed' : i.current === i.cached ? 'Valid' : 'Revised';
    const cost = status === 'Revised' ? costs.get(`${i.id}\0${i.cached}`) : undefined;
    report.items.push({
      MediaId: report.medium.MediaId, Path: report.medium.Path, Id: i.id, Name: i.name, Type: i.type,
      CachedVersion: i.cached, CurrentVersion: i.current, Status: status, DownloadBytes: cost?.bytes ?? 0, DownloadFiles: cost?.files ?? 0,
    });
  }
  return reports;
}

/**
 * The rebuild rule. A medium should be rebuilt when
 *   - any item on it was removed from the catalog (it carries content nothing deploys any more), or
 *   - machines must download something for its revised items, at least `thresholdBytes` in all
 *     (default 0: any download at all).
 * A revised item whose current files are all on the medium already (a change undone, files only
 * removed) costs nothing at first boot and is no reason to rebuild.
 */
export function summarizeMedium(report: PrestagedMediaReport, thresholdBytes = 0): PrestagedMediaStatus {
  const revised = report.items.filter((i) => i.Status === 'Revised');
  const removed = report.items.filter((i) => i.Status === 'Removed');
  const downloading = revised.filter((i) => i.DownloadFiles > 0);
  let bytes = 0;
  let files = 0;
  for (const i of revised) { bytes += i.DownloadBytes; files += i.DownloadFiles; }
  const reasons: string[] = [];
  const overThreshold = files > 0 && bytes >= thresholdBytes;
  if (removed.length) reasons.push(`${count(removed.length, 'item')} removed from the catalog (${ids(removed)})`);
  if (files > 0) {
    reasons.push(`${count(downloading.length, 'revised item')} (${ids(downloading)}) need ${count(files, 'file')}, ${formatBytes(bytes)}, per machine`
      + (overThreshold ? '' : `, under the ${formatBytes(thresholdBytes)} threshold`));
  }
  const free = revised.length - downloading.length;
  if (free > 0) reasons.push(`${count(free, 'revised item')} (${ids(revised.filter((i) => i.DownloadFiles === 0))}) need no download`);
  return {
    ...report.medium,
    Items: report.items.length,
    RevisedItems: revised.length,
    RemovedItems: removed.length,
    DownloadBytes: bytes,
    DownloadFiles: files,
    Rebuild: removed.length > 0 || overThreshold,
    Reason: reasons.length ? `${reasons.join('; ')}.` : 'Every item is at its current revision.',
  };
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function ids(items: readonly PrestagedItemStatus[]): string {
  const MAX = 5;
  const shown = items.slice(0, MAX).map((i) => i.Id).join(', ');
  return items.length > MAX ? `${shown} and ${items.length - MAX} more` : shown;
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
