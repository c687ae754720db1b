// The media cmdlets, with ConfigMgr's names and parameters: New-CMCaptureMedia,
// New-CMBootableMedia, New-CMStandaloneMedia, New-CMPrestageMedia; Get-TSMediaInfo reads a built
// medium, Get-TSMedia lists the media the catalog has recorded.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { readCatalog } from '../catalog/catalog.js';
import { listMedia } from '../catalog/media.js';
import { UsageError } from '../errors.js';
import { checkMediaWindow } from '../media/bootstrap.js';
import { buildMedia } from '../media/build-media.js';
import type { BuildMediaOptions, MediaBuildSession, MediaRequest } from '../media/build-media.js';
import type { MediaKind } from '../media/media-manifest.js';
import { readVariablesFile } from '../media/media-variables.js';
import { readPolicyFile } from '../media/policy.js';
import { readMediaData } from '../media/read-media.js';
import { parseMediaSize } from '../media/rules.js';
import type { CmdletContext, CmdletSpec, ParameterSpec } from '../shell/types.js';
import { certificatePasswordOf, mediaPasswordOf, siteCodeOf } from './common.js';

/** Every media cmdlet's parameters, as bound (ConfigMgr's names). */
export interface MediaParams {
  MediaType?: 'CdDvd' | 'Usb';
  Path: string;
  SiteCode?: string;
  BootImage?: string;
  TaskSequence?: string;
  OperatingSystemImage?: string;
  OperatingSystemImageIndex?: number;
  Package?: string[];
  DriverPackage?: string[];
  Application?: string[];
  IncludeApplicationDependency?: boolean;
  ManagementPoint?: string[];
  DistributionPoint?: string;
  MediaMode?: 'Dynamic' | 'SiteBased';
  AllowUnknownMachine?: boolean;
  AllowUnattended?: boolean;
  AllowUacPrompt?: boolean;
  UserDeviceAffinity?: 'DoNotAllow' | 'AdministratorApproval' | 'AutoApproval';
  Variable?: Record<string, string>;
  PrestartCommand?: string;
  PrestartPackage?: string;
  CertificatePath?: string;
  CertificatePassword?: string;
  CertificatePasswordFile?: string;
  CertificateStartTime?: Date;
  CertificateExpireTime?: Date;
  MediaPassword?: string;
  MediaPasswordFile?: string;
  MediaPasswordPrompt?: boolean;
  MediaStartDate?: Date;
  MediaExpirationDate?: Date;
  MediaSize?: string;
  EncryptContent?: boolean;
  NoAutoRun?: boolean;
  FormatMedia?: boolean;
  MediaLabel?: string;
  Comment?: string;
  CreatedBy?: string;
  Version?: string;
  TemporaryFolder?: string;
  Force?: boolean;
}

const COMMON: ParameterSpec[] = [
  { name: 'Path', type: 'string', mandatory: true, position: 0, help: 'The medium to write: an .iso (CD/DVD sets add -2, -3, ...), a USB .img or /dev/sdX, or a prestaged .wim.' },
  { name: 'SiteCode', type: 'string', help: 'The site that creates the media (default: $TSMEDIA_SITE_CODE, else PS1).' },
  { name: 'DistributionPoint', type: 'string', help: 'A registered distribution point whose content the media hold (content is read from the local content library it serves).' },
  { name: 'TemporaryFolder', type: 'string', help: 'Where the medium is staged before it is written (default: the system temporary folder).' },
  { name: 'Force', type: 'switch', help: 'Replace an existing file at -Path; required to write to a USB drive.' },
  { name: 'MediaPassword', type: 'secure', help: 'Protects the media variables (shows in the process list: prefer -MediaPasswordFile or $TSMEDIA_MEDIA_PASSWORD).' },
  { name: 'MediaPasswordFile', type: 'string', help: 'A file whose text is the media password.' },
  { name: 'MediaPasswordPrompt', type: 'switch', help: 'Ask for the media password on the terminal.' },
  { name: 'EncryptContent', type: 'switch', help: 'Encrypt content files with the media password\'s key (beyond ConfigMgr, which leaves them in the clear).' },
  { name: 'MediaLabel', type: 'string', help: 'The volume label (default "Configuration Manager").' },
  { name: 'Variable', type: 'hashtable', help: 'Task sequence variables on the media: Name=Value,Name=Value.' },
  { name: 'NoAutoRun', type: 'switch', help: 'Write no autorun.inf (a prestaged WIM never has one).' },
  { name: 'AllowUacPrompt', type: 'switch', help: 'Accepted for ConfigMgr scripts: tsmedia media start nothing from autorun.' },
];
const DISC: ParameterSpec[] = [
  { name: 'MediaType', type: 'string', mandatory: true, validateSet: ['CdDvd', 'Usb'], help: 'CdDvd: an ISO image (or a set); Usb: a FAT32 USB image or drive.' },
  { name: 'FormatMedia', type: 'switch', help: 'USB: the drive is formatted (tsmedia always writes a whole new partition and file system).' },
];
const BOOT_IMAGE: ParameterSpec = { name: 'BootImage', type: 'string', mandatory: true, aliases: ['BootImageId'], help: 'The boot image (ID or name).' };
const PRESTART: ParameterSpec[] = [
  { name: 'PrestartCommand', type: 'string', help: 'A command WinPE runs before the task sequence.' },
  { name: 'PrestartPackage', type: 'string', help: 'A package whose files the prestart command uses (ID or name).' },
];
const CLIENT: ParameterSpec[] = [
  { name: 'ManagementPoint', type: 'string', array: true, help: 'Management points (registered URLs or host names); default: the site\'s.' },
  { name: 'MediaMode', type: 'string', validateSet: ['Dynamic', 'SiteBased'], help: 'Dynamic (default): any MP may redirect the client; SiteBased: one site\'s MP.' },
  { name: 'AllowUnknownMachine', type: 'switch', help: 'Unknown computers may run the media.' },
  { name: 'UserDeviceAffinity', type: 'string', validateSet: ['DoNotAllow', 'AdministratorApproval', 'AutoApproval'], help: 'User device affinity.' },
  { name: 'CertificatePath', type: 'string', help: 'A PFX with the media\'s PKI client certificate (HTTPS).' },
  { name: 'CertificatePassword', type: 'secure', help: 'The PFX\'s password.' },
  { name: 'CertificatePasswordFile', type: 'string', help: 'A file whose text is the PFX\'s password.' },
  { name: 'CertificateStartTime', type: 'datetime', help: 'Start of a self-signed media certificate\'s validity.' },
  { name: 'CertificateExpireTime', type: 'datetime', help: 'End of a self-signed media certificate\'s validity.' },
];
const UNATTENDED: ParameterSpec = { name: 'AllowUnattended', type: 'switch', help: 'Run without a prompt when no password is set.' };
const CONTENT: ParameterSpec[] = [
  { name: 'Package', type: 'string', array: true, aliases: ['PackageId'], help: 'Packages (IDs or names).' },
  { name: 'DriverPackage', type: 'string', array: true, aliases: ['DriverPackageId'], help: 'Driver packages.' },
  { name: 'Application', type: 'string', array: true, aliases: ['ApplicationId'], help: 'Applications.' },
  { name: 'IncludeApplicationDependency', type: 'switch', help: 'Accepted for ConfigMgr scripts: the catalog records no application dependencies, so the applications named are all there is.' },
];
const TASK_SEQUENCE: ParameterSpec = { name: 'TaskSequence', type: 'string', mandatory: true, aliases: ['TaskSequenceId'], help: 'The task sequence (ID or name).' };

/** Binds a media cmdlet's parameters into a build request (passwords and certificates read). */
export async function mediaRequestFrom(kind: MediaKind, prm: MediaParams, ctx: CmdletContext): Promise<MediaRequest> {
  const password = await mediaPasswordOf(prm, ctx);
  if (prm.EncryptContent && password === null) ctx.warn('-EncryptContent without a media password uses the public default key: the content is scrambled, not secret. Give -MediaPasswordFile.');
  let certificate: MediaRequest['certificate'];
  if (prm.CertificatePath !== undefined) {
    if (prm.CertificateStartTime || prm.CertificateExpireTime) throw new UsageError('ECERTIFICATE_CHOICE', 'Give either -CertificatePath (import a PKI certificate) or -CertificateStartTime/-CertificateExpireTime (self-signed), not both.');
    let pfx: Buffer;
    try { pfx = await readFile(prm.CertificatePath); } catch { throw new UsageError('EBAD_CERTIFICATE', `Cannot read the certificate file '${prm.CertificatePath}'.`); }
    certificate = { pfx, password: await certificatePasswordOf(prm, ctx) };
  } else if (prm.CertificateStartTime || prm.CertificateExpireTime) {
    if (!prm.CertificateStartTime || !prm.CertificateExpireTime) throw new UsageError('ECERTIFICATE_DATES', 'A self-signed media certificate needs both -CertificateStartTime and -CertificateExpireTime.');
    certificate = { start: prm.CertificateStartTime, expire: prm.CertificateExpireTime };
  }
  const mediaType = kind === 'Prestaged' ? 'Wim' : prm.MediaType!;
  return {
    kind, mediaType, path: resolve(prm.Path), siteCode: siteCodeOf(prm, ctx), password, certificate,
    bootImage: prm.BootImage, taskSequence: prm.TaskSequence, operatingSystemImage: prm.OperatingSystemImage,
    operatingSystemImageIndex: prm.OperatingSystemImageIndex, packages: prm.Package, driverPackages: prm.DriverPackage,
    applications: prm.Application, managementPoints: prm.ManagementPoint, distributionPoint: prm.DistributionPoint,
    mediaMode: prm.MediaMode, allowUnknownMachine: prm.AllowUnknownMachine, allowUnattended: prm.AllowUnattended,
    userDeviceAffinity: prm.UserDeviceAffinity, variables: prm.Variable, prestartCommand: prm.PrestartCommand,
    prestartPackage: prm.PrestartPackage, mediaStartDate: prm.MediaStartDate, mediaExpirationDate: prm.MediaExpirationDate,
    mediaSize: prm.MediaSize === undefined ? undefined : parseMediaSize(prm.MediaSize), encryptContent: prm.EncryptContent,
    noAutoRun: prm.NoAutoRun, formatMedia: prm.FormatMedia, label: prm.MediaLabel, createdBy: prm.CreatedBy, version: prm.Version,
    comment: prm.Comment, temporaryFolder: prm.TemporaryFolder === undefined ? undefined : resolve(prm.TemporaryFolder), force: prm.Force,
  };
}

/** Runs a build with progress bars; `session` shares staged content between the media of one run. */
export async function runMediaBuild(req: MediaRequest, ctx: CmdletContext, session?: MediaBuildSession): Promise<Record<string, unknown>> {
  const bars = new Map<string, ReturnType<CmdletContext['progress']>>();
  const opts: BuildMediaOptions = {
    now: ctx.now(), signal: ctx.signal, session,
    onProgress(phase, done, total) {
      let bar = bars.get(phase);
      if (!bar) bars.set(phase, (bar = ctx.progress(phase === 'Staging' ? 'Staging content' : `Writing ${req.path}`, total, 'bytes')));
      bar.update(done);
    },
  };
  try {
    const built = await buildMedia(ctx.home, req, opts);
    ctx.verbose(`built ${built.Kind} media ${built.MediaId}: ${built.Volumes.join(', ')}`);
    const { Content, ...rest } = built;
    return { ...rest, Content: Content.map((c) => `${c.Id} v${c.SourceVersion}`) };
  } finally {
    for (const bar of bars.values()) bar.done();
  }
}

const VIEW = ['Kind', 'Path', 'VolumeCount', 'SizeBytes', 'ContentItems', 'MediaId'];

function mediaCmdlet(name: string, kind: MediaKind, synopsis: string, parameters: ParameterSpec[], example: string): CmdletSpec<MediaParams> {
  return {
    name, synopsis, parameters: [...parameters, ...COMMON], defaultView: VIEW,
    description: 'Every rule is checked before anything is written; the medium is staged in -TemporaryFolder, written under a temporary name and renamed when whole, then recorded in the catalog. With SOURCE_DATE_EPOCH the same content revisions and parameters give byte-identical media.',
    examples: [{ code: example, remarks: synopsis }],
    async run(prm, ctx) {
      const req = await mediaRequestFrom(kind, prm, ctx);
      if (!ctx.shouldProcess(req.path, name)) return undefined;
      return runMediaBuild(req, ctx);
    },
  };
}

const newCaptureMedia = mediaCmdlet('New-CMCaptureMedia', 'Capture', 'Creates capture media: a boot image that captures a reference computer.',
  [BOOT_IMAGE, ...DISC], 'tsmedia New-CMCaptureMedia -BootImage PS100001 -MediaType CdDvd -Path capture.iso');
const newBootableMedia = mediaCmdlet('New-CMBootableMedia', 'Bootable', 'Creates bootable media: WinPE that fetches its task sequence from a management point.',
  [BOOT_IMAGE, ...DISC, ...CLIENT, UNATTENDED, ...PRESTART], 'tsmedia New-CMBootableMedia -BootImage PS100001 -MediaType Usb -Path boot.img -ManagementPoint mp1.contoso.com -MediaPasswordFile pw.txt');
const newStandaloneMedia = mediaCmdlet('New-CMStandaloneMedia', 'StandAlone', 'Creates stand-alone media: the task sequence and all its content, on a CD/DVD set or a USB drive.',
  [TASK_SEQUENCE, ...DISC, ...CONTENT, UNATTENDED, ...PRESTART, ...CLIENT.filter((x) => x.name.startsWith('Certificate')),
    { name: 'MediaSize', type: 'string', help: 'Size650MB, Size4GB, Size8GB, SizeUnlimited (ConfigMgr\'s), or a size such as 700MB: a CD/DVD set spreads over discs of this size.' },
    { name: 'MediaStartDate', type: 'datetime', help: 'The media refuse to run before this time.' },
    { name: 'MediaExpirationDate', type: 'datetime', help: 'The media refuse to run after this time.' }],
  'tsmedia New-CMStandaloneMedia -TaskSequence "Deploy Win11" -MediaType CdDvd -MediaSize Size4GB -Path set.iso');
const newPrestageMedia = mediaCmdlet('New-CMPrestageMedia', 'Prestaged', 'Creates prestaged media: one WIM to apply to new disks, with the content the task sequence needs.',
  [TASK_SEQUENCE, BOOT_IMAGE,
    { name: 'OperatingSystemImage', type: 'string', mandatory: true, aliases: ['OperatingSystemImageId'], help: 'The OS image (ID or name).' },
    { name: 'OperatingSystemImageIndex', type: 'int', help: 'The image in the OS image WIM to apply.' },
    ...CONTENT, ...CLIENT, ...PRESTART,
    { name: 'Comment', type: 'string', help: 'A comment (up to 127 characters).' },
    { name: 'CreatedBy', type: 'string', help: 'Who made the media (up to 50 characters).' },
    { name: 'Version', type: 'string', help: 'A version text (up to 32 characters).' }],
  'tsmedia New-CMPrestageMedia -TaskSequence "Deploy Win11" -BootImage PS100001 -OperatingSystemImage PS100002 -ManagementPoint mp1.contoso.com -Path oem.wim');

interface InfoParams { Path: string; MediaPassword?: string; MediaPasswordFile?: string; MediaPasswordPrompt?: boolean }

function windowStatus(start: Date | undefined, end: Date | undefined, now: Date): string {
  if (!start && !end) return 'None';
  try {
    checkMediaWindow({ ...(start ? { MediaStartDate: start } : {}), ...(end ? { MediaExpirationDate: end } : {}) }, now);
    return 'Valid';
  } catch (e) {
    return (e as { code?: string }).code === 'EMEDIA_EXPIRED' ? 'Expired' : 'NotYetValid';
  }
}

const getMediaInfo: CmdletSpec<InfoParams> = {
  name: 'Get-TSMediaInfo',
  synopsis: 'Shows what a built medium holds: kind, when and where it was built, the task sequence, every content item with its SourceVersion, boot entries; with the password, the media variables.',
  parameters: [
    { name: 'Path', type: 'string', mandatory: true, position: 0, help: 'The medium: .iso (volume 1), USB .img, prestaged .wim, or a folder.' },
    { name: 'MediaPassword', type: 'secure', help: 'The media password, to show the variables and the policy.' },
    { name: 'MediaPasswordFile', type: 'string', help: 'A file whose text is the media password.' },
    { name: 'MediaPasswordPrompt', type: 'switch', help: 'Ask for the media password on the terminal.' },
  ],
  defaultView: ['Kind', 'MediaId', 'Created', 'TaskSequenceId', 'ContentItems', 'WindowStatus'],
  examples: [{ code: 'tsmedia Get-TSMediaInfo set.iso -MediaPasswordFile pw.txt -OutputFormat Json', remarks: 'Everything, variables included.' }],
  async run(prm, ctx) {
    const m = await readMediaData(resolve(prm.Path));
    const b = m.Bootstrap;
    const out: Record<string, unknown> = {
      Path: resolve(prm.Path), Container: m.Container, Kind: m.Manifest.MediaKind, MediaId: m.Manifest.MediaId, Created: m.Manifest.Created,
      SiteCode: b.SiteCode ?? null, MediaMode: b.MediaMode ?? null, ManagementPoints: b.ManagementPoints ?? [],
      TaskSequenceId: m.Manifest.TaskSequence?.Id ?? null, TaskSequenceName: m.Manifest.TaskSequence?.Name ?? null,
      PasswordRequired: b.PasswordRequired, ContentEncrypted: m.Manifest.ContentEncrypted, CertificateThumbprint: b.CertificateThumbprint ?? null,
      MediaStartDate: b.MediaStartDate ?? null, MediaExpirationDate: b.MediaExpirationDate ?? null,
      WindowStatus: windowStatus(b.MediaStartDate, b.MediaExpirationDate, ctx.now()),
      CreatedBy: b.CreatedBy ?? null, Version: b.Version ?? null, Comment: b.Comment ?? null,
      BootEntries: m.Manifest.BootEntries.map((e) => `${e.Platform} ${e.Path}`),
      ContentItems: m.Manifest.Items.length,
      Content: m.Manifest.Items.map((i) => ({ Id: i.Id, Name: i.Name, Type: i.Type, SourceVersion: i.SourceVersion, FileCount: i.Files.length, SizeBytes: i.Files.reduce((s, f) => s + f.Size, 0) })),
    };
    const given = prm.MediaPassword !== undefined || prm.MediaPasswordFile !== undefined || prm.MediaPasswordPrompt === true;
    if (given || !b.PasswordRequired) {
      const secret = b.PasswordRequired ? await mediaPasswordOf(prm, ctx, given) : null;
      const vars = readVariablesFile(m.Variables, secret);
      out['Variables'] = Object.fromEntries(vars.map((v) => [v.name, v.value]));
      if (m.Policy) out['Policy'] = readPolicyFile(m.Policy, secret);
    }
    return out;
  },
};

const getMedia: CmdletSpec<{ MediaId?: string; Kind?: MediaKind }> = {
  name: 'Get-TSMedia',
  synopsis: 'Lists every medium the catalog has recorded: kind, path, size, task sequence, content revisions, created.',
  parameters: [
    { name: 'MediaId', type: 'string', position: 0, aliases: ['Path'], help: 'Only this medium (media id or path).' },
    { name: 'Kind', type: 'string', validateSet: ['Capture', 'Bootable', 'StandAlone', 'Prestaged'], help: 'Only media of this kind.' },
  ],
  defaultView: ['Kind', 'Path', 'SizeBytes', 'TaskSequenceId', 'ContentItems', 'Created'],
  async run(prm, ctx) {
    const media = await readCatalog(ctx.home, ctx.now(), (db) => listMedia(db, { ...(prm.MediaId ? { mediaId: prm.MediaId } : {}), ...(prm.Kind ? { kind: prm.Kind } : {}) }));
    return media.map((m) => ({ ...m, ContentItems: m.Content.length, Content: m.Content.map((c) => `${c.Id} v${c.SourceVersion}`), ContentDetail: m.Content }));
  },
};

/** The cmdlets that build a medium, with the kind each builds (Invoke-TSMediaBuild binds manifest entries to them). */
export const mediaBuilders: readonly { spec: CmdletSpec<MediaParams>; kind: MediaKind }[] = [
  { spec: newCaptureMedia, kind: 'Capture' }, { spec: newBootableMedia, kind: 'Bootable' },
  { spec: newStandaloneMedia, kind: 'StandAlone' }, { spec: newPrestageMedia, kind: 'Prestaged' },
];

export const mediaCmdlets = [newCaptureMedia, newBootableMedia, newStandaloneMedia, newPrestageMedia, getMediaInfo, getMedia];
