// Cache-revision cmdlets: Get-TSPrestagedMediaStatus (what is stale on prestaged media and what
// machines will download) and Compare-TSMedia (content that differs between two media).
import { readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { readCatalog } from '../catalog/catalog.js';
import { getMediaRecord, listMedia } from '../catalog/media.js';
import type { MediaRecord } from '../catalog/media.js';
import { compareMediaItems, prestagedMediaItems, prestagedMediaStatus } from '../catalog/media-status.js';
import type { MediaItemVersion, MediaStatusFilter } from '../catalog/media-status.js';
import type { SqlDatabase } from '../catalog/database.js';
import { NotFoundError, RuleError } from '../errors.js';
import { parseManifest } from '../media/media-manifest.js';
import type { CmdletSpec } from '../shell/types.js';

/** Recorded media named by id or path (a relative path is also tried made absolute), and the name that matched. */
function findRecorded(db: SqlDatabase, idOrPath: string): { key: string; media: MediaRecord[] } {
  const media = listMedia(db, { mediaId: idOrPath });
  const absolute = resolve(idOrPath);
  if (media.length || absolute === idOrPath) return { key: idOrPath, media };
  return { key: absolute, media: listMedia(db, { mediaId: absolute }) };
}

interface StatusParams { MediaId?: string; Detailed?: boolean; RebuildThreshold?: number }

const getPrestagedMediaStatus: CmdletSpec<StatusParams> = {
  name: 'Get-TSPrestagedMediaStatus',
  synopsis: 'For each prestaged medium on record: content revised or removed since it was built, what each machine will download, and whether to rebuild it.',
  description: 'A machine keeps the files of a revised item that are unchanged and downloads the files of the current revision whose path and SHA-256 are not on the medium. '
    + 'Rebuild is true when an item on the medium was removed from the catalog, or when machines must download files for revised items (at least -RebuildThreshold bytes, default any). '
    + 'Reason says why. -Detailed gives one row per medium and item, with its status: Valid, Revised or Removed.',
  parameters: [
    { name: 'MediaId', type: 'string', position: 0, aliases: ['Path'], help: 'One medium, by media ID or path (default: every prestaged medium).' },
    { name: 'Detailed', type: 'switch', aliases: ['ExpandItems'], help: 'One row per medium and content item instead of one per medium.' },
    { name: 'RebuildThreshold', type: 'size', help: 'Recommend a rebuild only when a machine would download at least this much (default 0: any download).' },
  ],
  defaultView: ['MediaId', 'Path', 'Created', 'RevisedItems', 'RemovedItems', 'DownloadBytes', 'DownloadFiles', 'Rebuild'],
  switchViews: { Detailed: ['Path', 'Id', 'Name', 'CachedVersion', 'CurrentVersion', 'Status', 'DownloadBytes', 'DownloadFiles'] },
  examples: [
    { code: 'tsmedia Get-TSPrestagedMediaStatus', remarks: 'Every prestaged medium: what is stale and what it costs.' },
    { code: 'tsmedia Get-TSPrestagedMediaStatus -MediaId /srv/media/oem.wim -Detailed -OutputFormat Csv', remarks: 'Each item of one medium with its cached and current versions, as CSV.' },
    { code: 'tsmedia Get-TSPrestagedMediaStatus -RebuildThreshold 500MB -OutputFormat Json', remarks: 'Recommend rebuilding only media that would make each machine download 500 MB or more.' },
  ],
  async run(p, ctx) {
    return readCatalog(ctx.home, ctx.now(), (db) => {
      let filter: MediaStatusFilter = {};
      if (p.MediaId !== undefined) {
        const { key, media } = findRecorded(db, p.MediaId);
        if (media.length === 0) getMediaRecord(db, p.MediaId); // throws the not-found error
        const other = media.find((m) => m.Kind !== 'Prestaged');
        if (other) throw new RuleError('ENOT_PRESTAGED', `Medium ${other.MediaId} (${other.Path}) is ${other.Kind} media, not prestaged; Compare-TSMedia compares the content of any two media.`);
        filter = { mediaId: key };
      }
      return p.Detailed ? prestagedMediaItems(db, filter) : prestagedMediaStatus(db, filter, p.RebuildThreshold ?? 0);
    });
  },
};

const MANIFEST_IN_MEDIA = join('SMS', 'data', 'MediaManifest.json');

/** A medium's items: from the catalog, else from a folder holding SMS/data/MediaManifest.json (or that file). */
async function mediaItems(db: SqlDatabase, idOrPath: string, parameter: string): Promise<MediaItemVersion[]> {
  const { key, media } = findRecorded(db, idOrPath);
  if (media.length) return getMediaRecord(db, key).Content; // several paths: the error names them
  let file = resolve(idOrPath);
  try {
    if ((await stat(file)).isDirectory()) file = join(file, MANIFEST_IN_MEDIA);
    return parseManifest(await readFile(file)).Items.map(({ Id, Name, Type, SourceVersion }) => ({ Id, Name, Type, SourceVersion }));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ENOTDIR') throw err;
    throw new NotFoundError('medium', `-${parameter} '${idOrPath}' is neither a medium on record (Get-TSMedia lists them) nor a media folder with ${MANIFEST_IN_MEDIA}.`, { id: idOrPath });
  }
}

interface CompareParams { ReferenceMedia: string; DifferenceMedia: string; IncludeEqual?: boolean }

const compareMedia: CmdletSpec<CompareParams> = {
  name: 'Compare-TSMedia',
  synopsis: 'Lists the content items and versions that differ between two media.',
  description: 'Each medium is a media ID or path on record, or a media folder (or its SMS/data/MediaManifest.json). '
    + 'SideIndicator follows Compare-Object: <= only on the reference medium (Change Removed), => only on the difference medium (Added), '
    + '<> on both at other versions (Revised), == the same (with -IncludeEqual).',
  parameters: [
    { name: 'ReferenceMedia', type: 'string', mandatory: true, position: 0, help: 'The medium compared against (media ID or path).' },
    { name: 'DifferenceMedia', type: 'string', mandatory: true, position: 1, help: 'The medium compared with it (media ID or path).' },
    { name: 'IncludeEqual', type: 'switch', help: 'Also list the items both hold at the same version.' },
  ],
  defaultView: ['Id', 'Name', 'Type', 'ReferenceVersion', 'DifferenceVersion', 'Change', 'SideIndicator'],
  examples: [{ code: 'tsmedia Compare-TSMedia -ReferenceMedia /srv/media/oem-jan.wim -DifferenceMedia /srv/media/oem-mar.wim', remarks: 'What the March medium adds, drops or holds at another version.' }],
  async run(p, ctx) {
    return readCatalog(ctx.home, ctx.now(), async (db) => compareMediaItems(
      await mediaItems(db, p.ReferenceMedia, 'ReferenceMedia'), await mediaItems(db, p.DifferenceMedia, 'DifferenceMedia'), p.IncludeEqual === true));
  },
};

export const mediaStatusCmdlets: CmdletSpec<any>[] = [getPrestagedMediaStatus, compareMedia];
