// The generated files of one medium (SMS\data\*, MediaLabel.txt, autorun.inf) from its
// description: what an ISO, USB or WIM builder calls once, before streaming content.
// Pure and reproducible: the bytes depend only on the input (created time included).
import type { BootstrapMediaType } from './bootstrap.js';
import { writeBootstrap } from './bootstrap.js';
import { deriveMediaKey, mediaSalt } from './media-key.js';
import type { KdfParams, MediaKey } from './media-key.js';
import { deriveMediaId, writeManifest } from './media-manifest.js';
import type { BootEntry, MediaKind } from './media-manifest.js';
import { autorunFile, mediaLabelFile } from './media-plan.js';
import type { GeneratedFile, PlanItem } from './media-plan.js';
import { mediaOwnVariables, mergeVariables, writeVariablesFile } from './media-variables.js';
import type { LaunchMode, MediaOwnSettings } from './media-variables.js';
import { writePolicyFile } from './policy.js';
import type { PolicyReference } from './policy.js';
import { checkMediaDates } from './rules.js';

export interface MediaDataInput {
  kind: MediaKind;
  launchMode: LaunchMode;
  /** Null: no password (the public default key; integrity only). */
  password: string | null;
  /** The caller's time (SOURCE_DATE_EPOCH), never the clock. */
  created: Date;
  siteCode: string;
  bootImage: PlanItem;
  /** Content under SMS\PKG, as in the plan. */
  content: readonly PlanItem[];
  taskSequence?: { Id: string; Name: string; References: PolicyReference[] };
  mediaMode?: 'Dynamic' | 'SiteBased';
  managementPoints?: readonly string[];
  variables?: Readonly<Record<string, string>>;
  prestartCommand?: string;
  prestartPackageId?: string;
  mediaPfx?: Uint8Array;
  certificateThumbprint?: string;
  rootCaCertificates?: readonly string[];
  allowUnattended?: boolean;
  allowUnknownMachine?: boolean;
  userDeviceAffinity?: MediaOwnSettings['userDeviceAffinity'];
  mediaStartDate?: Date;
  mediaExpirationDate?: Date;
  encryptContent?: boolean;
  label?: string;
  noAutoRun?: boolean;
  createdBy?: string;
  version?: string;
  comment?: string;
  bootEntries?: BootEntry[];
  /** Tests may lower the scrypt cost; media use the default. */
  kdf?: KdfParams;
}

export interface MediaData {
  MediaId: string;
  /** The media key, for content encryption (ContentEncryptor) of the same medium. */
  Key: MediaKey;
  Files: Map<GeneratedFile, Buffer>;
}

const MEDIA_TYPE: Record<MediaKind, BootstrapMediaType> = { Capture: 'CaptureMedia', Bootable: 'BootMedia', StandAlone: 'FullMedia', Prestaged: 'OEMMedia' };
export const DEFAULT_MEDIA_LABEL = 'Configuration Manager';

type Defined<T> = { [K in keyof T]?: Exclude<T[K], undefined> };

/** Drops the keys whose value is undefined (optional properties are absent, never undefined). */
export function definedOnly<T extends Record<string, unknown>>(o: T): Defined<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Defined<T>;
}

/** Every parameter that changes the media's bytes, as text, for the media id. */
function identityParameters(i: MediaDataInput): Record<string, string> {
  const p: Record<string, string> = {
    LaunchMode: i.launchMode, SiteCode: i.siteCode, BootImage: `${i.bootImage.Id}.${i.bootImage.SourceVersion}`,
    PasswordProtected: String(i.password !== null), EncryptContent: String(i.encryptContent === true),
    Label: i.label ?? DEFAULT_MEDIA_LABEL, AutoRun: String(i.noAutoRun !== true),
  };
  const opt: Record<string, string | undefined> = {
    MediaMode: i.mediaMode, ManagementPoints: i.managementPoints?.join('*'), PrestartCommand: i.prestartCommand,
    PrestartPackage: i.prestartPackageId, Certificate: i.certificateThumbprint, Unattended: i.allowUnattended?.toString(),
    UnknownMachine: i.allowUnknownMachine?.toString(), Uda: i.userDeviceAffinity, Start: i.mediaStartDate?.toISOString(),
    Expiration: i.mediaExpirationDate?.toISOString(), CreatedBy: i.createdBy, Version: i.version, Comment: i.comment,
    Created: i.created.toISOString(),
    Variables: i.variables ? JSON.stringify(Object.entries(i.variables).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : undefined,
  };
  return { ...p, ...definedOnly(opt) } as Record<string, string>;
}

/**
 * The media id alone: content revisions and every byte-changing parameter, with no key derivation
 * (a bulk build's -Resume compares it with the catalog's record without building).
 */
export function mediaIdOf(i: MediaDataInput): string {
  return deriveMediaId({ kind: i.kind, taskSequenceId: i.taskSequence?.Id ?? null, items: [i.bootImage, ...i.content], parameters: identityParameters(i) });
}

export function buildMediaData(i: MediaDataInput): MediaData {
  checkMediaDates(i.mediaStartDate, i.mediaExpirationDate);
  const mediaId = mediaIdOf(i);
  const key = deriveMediaKey(i.password, mediaSalt(mediaId), i.kdf);
  const own: MediaOwnSettings = {
    // capture media run no deployment; to the task sequence engine they are boot media
    mediaType: i.kind === 'StandAlone' ? 'FullMedia' : i.kind === 'Prestaged' ? 'OEMMedia' : 'BootMedia',
    launchMode: i.launchMode, mediaGuid: mediaId, siteCode: i.siteCode, managementPoints: i.managementPoints ?? [],
    bootImageId: i.bootImage.Id,
    ...definedOnly({
      mediaMode: i.mediaMode, prestartCommand: i.prestartCommand, prestartPackageId: i.prestartPackageId, mediaPfx: i.mediaPfx,
      rootCaCertificates: i.rootCaCertificates, allowUnattended: i.allowUnattended, allowUnknownMachine: i.allowUnknownMachine,
      userDeviceAffinity: i.userDeviceAffinity, mediaStartDate: i.mediaStartDate, mediaExpirationDate: i.mediaExpirationDate,
    }),
  };
  const files = new Map<GeneratedFile, Buffer>();
  files.set('Variables', writeVariablesFile(key, mergeVariables(mediaOwnVariables(own), i.variables ?? {})));
  const boot: Parameters<typeof writeBootstrap>[0] = {
    MediaType: MEDIA_TYPE[i.kind], PasswordRequired: i.password !== null, Unattended: i.allowUnattended === true,
    MediaId: mediaId, SiteCode: i.siteCode.toUpperCase(), Created: i.created,
    ...definedOnly({
      MediaMode: i.mediaMode, ManagementPoints: i.managementPoints?.length ? [...i.managementPoints] : undefined,
      CertificateThumbprint: i.certificateThumbprint, MediaStartDate: i.mediaStartDate, MediaExpirationDate: i.mediaExpirationDate,
      CreatedBy: i.createdBy, Version: i.version, Comment: i.comment,
    }),
  };
  files.set('Bootstrap', writeBootstrap(boot));
  if (i.kind === 'StandAlone' && i.taskSequence) {
    files.set('Policy', writePolicyFile(key, {
      TaskSequenceId: i.taskSequence.Id, TaskSequenceName: i.taskSequence.Name, BootImageId: i.bootImage.Id, References: i.taskSequence.References,
    }));
  }
  files.set('Manifest', writeManifest({
    MediaKind: i.kind, MediaId: mediaId, Created: i.created.toISOString(),
    TaskSequence: i.taskSequence ? { Id: i.taskSequence.Id, Name: i.taskSequence.Name } : null,
    ContentEncrypted: i.encryptContent === true,
    Items: [i.bootImage, ...i.content].map((c) => ({ Id: c.Id, Name: c.Name, Type: c.Type, SourceVersion: c.SourceVersion, Files: c.Files.map((f) => ({ ...f })) })),
    BootEntries: i.bootEntries ?? [],
  }));
  if (i.kind !== 'Prestaged') {
    const label = i.label ?? DEFAULT_MEDIA_LABEL;
    files.set('MediaLabel', mediaLabelFile(label));
    if (i.noAutoRun !== true) files.set('Autorun', autorunFile(label));
  }
  return { MediaId: mediaId, Key: key, Files: files };
}
