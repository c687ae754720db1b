// Content cmdlets: New-, Get-, Remove- for the five content kinds (one factory, since they differ
// only in names and source kind), Update-CMDistributionPoint and Get-CMContentRevision.
import { readCatalog, writeCatalog } from '../catalog/catalog.js';
import { findContent, getContent, isImageType, listRevisionFiles, listRevisions, removeContent, describeType, withArticle } from '../catalog/content.js';
import type { ContentType } from '../catalog/content.js';
import { UsageError } from '../errors.js';
import { lazy } from '../lazy.js';
import type { CmdletSpec, ParameterSpec } from '../shell/types.js';
import { importProgress, siteCodeOf, siteCodeParameter } from './common.js';

interface KindInfo { type: ContentType; noun: string; sourceParameter: string; example: string }

const KINDS: readonly KindInfo[] = [
  { type: 'Package', noun: 'Package', sourceParameter: 'Path', example: '-Name "Office" -Path /srv/src/office' },
  { type: 'DriverPackage', noun: 'DriverPackage', sourceParameter: 'Path', example: '-Name "Dell Latitude 7450" -Path /srv/drivers/lat7450' },
  { type: 'Application', noun: 'Application', sourceParameter: 'ContentLocation', example: '-Name "7-Zip" -ContentLocation /srv/apps/7zip' },
  { type: 'OperatingSystemImage', noun: 'OperatingSystemImage', sourceParameter: 'Path', example: '-Name "Windows 11 23H2" -Path /srv/os/install.wim' },
  { type: 'BootImage', noun: 'BootImage', sourceParameter: 'Path', example: '-Name "WinPE x64" -Path /srv/boot/boot.wim -Index 1' },
];

/** The import pipeline (worker pool, packs) loads only for imports: listings start faster without it. */
const importer = lazy((): Promise<typeof import('../content/content-store.js')> => import('../content/content-store.js'));

const CONTENT_VIEW = ['Id', 'Name', 'Type', 'SourceVersion', 'FileCount', 'SizeBytes', 'SourcePath'];

function newCmdlet(k: KindInfo): CmdletSpec<Record<string, any>> {
  const what = describeType(k.type);
  const image = isImageType(k.type);
  const parameters: ParameterSpec[] = [
    { name: 'Name', type: 'string', mandatory: true, position: 0, help: `The ${what}'s name.` },
    { name: k.sourceParameter, type: 'string', mandatory: true, position: 1, aliases: k.sourceParameter === 'Path' ? ['SourcePath'] : ['Path'],
      help: image ? 'The .wim file.' : 'The source folder; every file under it is imported.' },
    siteCodeParameter,
  ];
  if (k.type === 'BootImage') parameters.push({ name: 'Index', type: 'int', help: 'The image in the WIM that boots (default 1).' });
  return {
    name: `New-CM${k.noun}`,
    synopsis: `Imports ${withArticle(k.type)} into the content library (SourceVersion 1).`,
    description: `Every file is hashed (SHA-256) and stored once in the content library, whatever other content holds it. ${image ? 'The file must be a WIM image.' : 'Symbolic links must stay inside the source folder.'}`,
    parameters,
    defaultView: CONTENT_VIEW,
    examples: [{ code: `tsmedia New-CM${k.noun} ${k.example}`, remarks: `Imports ${withArticle(k.type)}.` }],
    async run(p, ctx) {
      const sourcePath = String(p[k.sourceParameter]);
      const index = k.type === 'BootImage' ? (p['Index'] as number | undefined) ?? 1 : undefined;
      if (!ctx.shouldProcess(`${what} '${p['Name']}' from ${sourcePath}`, `New-CM${k.noun}`)) return undefined;
      const progress = importProgress(ctx, `Importing ${p['Name']}`);
      try {
        return await (await importer()).importNewContent(ctx.home, ctx.now(), {
          type: k.type, name: String(p['Name']), sourcePath, siteCode: siteCodeOf(p, ctx), ...(index !== undefined ? { imageIndex: index } : {}),
        }, progress);
      } finally {
        progress.done();
      }
    },
  };
}

function getCmdlet(k: KindInfo): CmdletSpec<{ Id?: string; Name?: string }> {
  const what = describeType(k.type);
  return {
    name: `Get-CM${k.noun}`,
    synopsis: `Lists ${what}s, by ID or name (wildcards * and ?).`,
    parameters: [
      { name: 'Name', type: 'string', position: 0, parameterSets: ['SearchByName'], help: 'Name or wildcard pattern.' },
      { name: 'Id', type: 'string', aliases: ['PackageId'], parameterSets: ['SearchById'], help: 'ID or wildcard pattern.' },
    ],
    defaultParameterSet: 'SearchByName',
    defaultView: CONTENT_VIEW,
    examples: [{ code: `tsmedia Get-CM${k.noun} -Name "Win*" -OutputFormat Json`, remarks: `${what}s whose names start with Win, as JSON.` }],
    async run(p, ctx) {
      return readCatalog(ctx.home, ctx.now(), (db) => findContent(db, { type: k.type, ...(p.Id ? { id: p.Id } : {}), ...(p.Name ? { name: p.Name } : {}) }));
    },
  };
}

function removeCmdlet(k: KindInfo): CmdletSpec<{ Id: string; Force?: boolean }> {
  const what = describeType(k.type);
  return {
    name: `Remove-CM${k.noun}`,
    synopsis: `Removes ${withArticle(k.type)} from the catalog (refused while a task sequence uses it, unless -Force).`,
    parameters: [
      { name: 'Id', type: 'string', mandatory: true, position: 0, aliases: ['PackageId'], help: `The ${what}'s ID.` },
      { name: 'Force', type: 'switch', help: k.type === 'BootImage'
        ? 'Also remove it from the task sequences that reference it. A boot image that a task sequence boots from is still refused: every task sequence needs one.'
        : 'Also remove it from the task sequences that reference it.' },
    ],
    defaultView: CONTENT_VIEW,
    async run(p, ctx) {
      if (!ctx.shouldProcess(p.Id, `Remove-CM${k.noun}`)) return undefined;
      const { item, droppedFrom } = await writeCatalog(ctx.home, ctx.now(), (db) => removeContent(db, p.Id, k.type, p.Force === true));
      if (droppedFrom.length) ctx.warn(`${item.Id} was removed from task sequence ${droppedFrom.join(', ')}.`);
      return item;
    },
  };
}

const updateContent: CmdletSpec<{ PackageId: string }> = {
  name: 'Update-CMDistributionPoint',
  aliases: ['Update-CMContent'],
  synopsis: 'Re-reads a content item\'s source; if anything changed, its SourceVersion rises by one.',
  parameters: [{ name: 'PackageId', type: 'string', mandatory: true, position: 0, aliases: ['Id'], help: 'The content item\'s ID.' }],
  defaultView: ['Id', 'Name', 'SourceVersion', 'Changed', 'FileCount', 'SizeBytes'],
  examples: [{ code: 'tsmedia Update-CMContent -Id PS100004', remarks: 'Picks up changes in the source of PS100004.' }],
  async run(p, ctx) {
    const now = ctx.now();
    if (!ctx.shouldProcess(p.PackageId, 'Update-CMDistributionPoint')) return undefined;
    const item = await readCatalog(ctx.home, now, (db) => getContent(db, p.PackageId));
    const progress = importProgress(ctx, `Re-reading ${item.Name}`);
    let result;
    try {
      result = await (await importer()).refreshContent(ctx.home, now, item.Id, progress);
    } finally {
      progress.done();
    }
    if (result.changed) ctx.verbose(`${result.item.Id}: source changed, SourceVersion is now ${result.item.SourceVersion}.`);
    else ctx.warn(`${result.item.Id}: nothing changed in ${result.item.SourcePath}; SourceVersion stays ${result.item.SourceVersion}.`);
    return { ...result.item, Changed: result.changed };
  },
};

const getRevisions: CmdletSpec<{ Id: string; Since?: Date; Version?: number; List?: boolean }> = {
  name: 'Get-CMContentRevision',
  synopsis: 'Lists every revision of a content item with what it added, changed and removed.',
  parameters: [
    { name: 'Id', type: 'string', mandatory: true, position: 0, aliases: ['PackageId'], help: 'The content item\'s ID.' },
    { name: 'Since', type: 'datetime', help: 'Only revisions made after this date.' },
    { name: 'Version', type: 'int', help: 'Only revisions after this SourceVersion.' },
    { name: 'List', type: 'switch', aliases: ['ListFiles'], help: 'One object per file added, changed or removed (SourceVersion, Path, Change, Size, Sha256).' },
  ],
  switchViews: { List: ['SourceVersion', 'Path', 'Change', 'Size'] },
  examples: [
    { code: 'tsmedia Get-CMContentRevision -Id PS100004 -Version 3', remarks: 'What changed in PS100004 since version 3.' },
    { code: 'tsmedia Get-CMContentRevision -Id PS100004 -Since 2026-11-01 -List', remarks: 'Each file changed in PS100004 since 1 November.' },
  ],
  async run(p, ctx) {
    if (p.Since && p.Version !== undefined) throw new UsageError('EPARAMETER_SET', 'Give -Since or -Version, not both.');
    const opts = { ...(p.Since ? { since: p.Since } : {}), ...(p.Version !== undefined ? { sinceVersion: p.Version } : {}) };
    return readCatalog(ctx.home, ctx.now(), (db) => (p.List ? listRevisionFiles(db, p.Id, opts) : listRevisions(db, p.Id, opts)));
  },
};

export const contentCmdlets: CmdletSpec<any>[] = [
  ...KINDS.flatMap((k) => [newCmdlet(k), getCmdlet(k), removeCmdlet(k)]),
  updateContent,
  getRevisions,
];
