// The media rules: each a function that throws a RuleError whose message says what is wrong and
// how to fix it, named for the parameter to change. Pure: callers pass what the catalog holds.
import type { Site } from '../catalog/sites.js';
import { RuleError } from '../errors.js';
import type { MediaKind } from './media-manifest.js';

export type MediaMode = 'Dynamic' | 'SiteBased';

/** Bootable and prestaged media that use HTTPS MPs/DPs must be made at a primary site. */
export function checkHttpsCreatingSite(kind: MediaKind, creatingSite: Site, https: boolean): void {
  if (!https || (kind !== 'Bootable' && kind !== 'Prestaged')) return;
  if (creatingSite.Type === 'CentralAdministration') {
    throw new RuleError('EHTTPS_AT_CAS', `${kind} media with HTTPS management or distribution points must be created at a primary site, not at the central administration site ${creatingSite.SiteCode}: the CAS lacks the primaries' root CA. Give -SiteCode of a primary site.`, { site: creatingSite.SiteCode });
  }
}

/**
 * Dynamic HTTPS media can be redirected to any primary site, so every primary must trust the root
 * CA of the site that creates them.
 */
export function checkDynamicRootCa(mode: MediaMode | undefined, https: boolean, creatingSite: Site, sites: readonly Site[]): void {
  if (mode !== 'Dynamic' || !https) return;
  const root = creatingSite.RootCertificateThumbprint;
  if (root === null) {
    throw new RuleError('EROOT_CA_MISSING', `Site ${creatingSite.SiteCode} has no root CA certificate recorded, so dynamic HTTPS media cannot be trusted by other sites. Record the site's root CA (-RootCertificatePath when the site is added), or use -MediaMode SiteBased.`, { site: creatingSite.SiteCode });
  }
  const lacking = sites.filter((s) => s.Type === 'Primary' && s.RootCertificateThumbprint !== root).map((s) => s.SiteCode);
  if (lacking.length > 0) {
    throw new RuleError('EROOT_CA_MISMATCH', `Dynamic HTTPS media need every primary site to hold the root CA of ${creatingSite.SiteCode}; ${lacking.join(', ')} ${lacking.length === 1 ? 'does' : 'do'} not. Use -MediaMode SiteBased (one medium per site), or import ${creatingSite.SiteCode}'s root CA at ${lacking.join(', ')}.`, { sites: lacking });
  }
}

export interface CertificateChoice {
  /** An imported PKI certificate (-CertificatePath). */
  imported?: { notBefore: Date; notAfter: Date; thumbprint: string };
  /** A self-signed media certificate's window (-CertificateStartTime/-CertificateExpireTime). */
  selfSigned?: { start: Date; expire: Date };
}

/** HTTPS media need a certificate: an imported PFX, or a self-signed one with a sound window. */
export function checkCertificateChoice(https: boolean, choice: CertificateChoice, now: Date): void {
  if (choice.imported && choice.selfSigned) {
    throw new RuleError('ECERTIFICATE_CHOICE', 'Give either -CertificatePath (import a PKI certificate) or -CertificateStartTime/-CertificateExpireTime (self-signed), not both.');
  }
  if (https && !choice.imported && !choice.selfSigned) {
    throw new RuleError('ECERTIFICATE_REQUIRED', 'Media that talk to HTTPS management points need a client certificate. Give -CertificatePath with -CertificatePasswordFile (a PKI certificate), or -CertificateStartTime and -CertificateExpireTime (a self-signed one).');
  }
  if (choice.selfSigned) {
    const { start, expire } = choice.selfSigned;
    if (expire.getTime() <= start.getTime()) throw new RuleError('ECERTIFICATE_DATES', `-CertificateExpireTime (${expire.toISOString()}) must be later than -CertificateStartTime (${start.toISOString()}).`);
    if (expire.getTime() <= now.getTime()) throw new RuleError('ECERTIFICATE_DATES', `-CertificateExpireTime (${expire.toISOString()}) is already past; give a later time.`);
  }
  if (choice.imported && choice.imported.notAfter.getTime() <= now.getTime()) {
    throw new RuleError('ECERTIFICATE_EXPIRED', `The certificate ${choice.imported.thumbprint} expired on ${choice.imported.notAfter.toISOString()}; import a current one with -CertificatePath.`);
  }
}

/** A stand-alone validity window must end after it starts. */
export function checkMediaDates(start: Date | undefined, expiration: Date | undefined): void {
  if (start !== undefined && expiration !== undefined && expiration.getTime() <= start.getTime()) {
    throw new RuleError('EMEDIA_DATES', `-MediaExpirationDate (${expiration.toISOString()}) must be later than -MediaStartDate (${start.toISOString()}).`);
  }
}

export interface ContentRequirement {
  Id: string;
  /** The revision the task sequence or command recorded. */
  SourceVersion: number;
}

export interface LibraryState {
  SourceVersion: number;
  /** Files of that revision whose bytes are not in the content library. */
  MissingFiles: number;
}

/** Content must be in the library, whole, and at the revision recorded for it. */
export function checkContentAvailable(required: readonly ContentRequirement[], lookup: (id: string) => LibraryState | undefined): void {
  const missing: string[] = [];
  const incomplete: string[] = [];
  const changed: string[] = [];
  for (const r of required) {
    const s = lookup(r.Id);
    if (!s) missing.push(r.Id);
    else if (s.SourceVersion !== r.SourceVersion) changed.push(`${r.Id} (recorded version ${r.SourceVersion}, library has ${s.SourceVersion})`);
    else if (s.MissingFiles > 0) incomplete.push(`${r.Id} (${s.MissingFiles} file(s))`);
  }
  if (missing.length > 0) throw new RuleError('ECONTENT_MISSING', `Content missing from the library: ${missing.join(', ')}. Import it with the New-CM* cmdlet of its type (New-CMPackage, ...), or remove the reference.`, { ids: missing });
  if (incomplete.length > 0) throw new RuleError('ECONTENT_INCOMPLETE', `Content whose files are missing from the library: ${incomplete.join(', ')}. Run Update-CMContent -Id <ID> to store its files again.`, { items: incomplete });
  if (changed.length > 0) throw new RuleError('ECONTENT_CHANGED', `Content changed since the task sequence recorded it: ${changed.join('; ')}. Update the task sequence's references to the current revision, or restore that revision.`, { items: changed });
}

export const MEDIA_SIZES = ['None', 'Size650MB', 'Size4GB', 'Size8GB', 'SizeUnlimited'] as const;
export type MediaSize = (typeof MEDIA_SIZES)[number];

/** Bytes a medium of each size holds: CD 650 MiB, single-layer DVD 4.7 GB, dual-layer 8.5 GB. */
export const MEDIA_SIZE_BYTES: Record<MediaSize, number> = {
  None: Number.POSITIVE_INFINITY,
  Size650MB: 650 * 1024 * 1024,
  Size4GB: 4_700_372_992,
  Size8GB: 8_543_666_176,
  SizeUnlimited: Number.POSITIVE_INFINITY,
};

/** Content chosen for the media must fit the chosen media size (tsmedia does not span discs). */
export function checkMediaSize(totalBytes: number, size: MediaSize | number, what = 'the media'): void {
  const limit = typeof size === 'number' ? size : MEDIA_SIZE_BYTES[size];
  if (totalBytes > limit) {
    throw new RuleError('EMEDIA_TOO_SMALL', `${what[0]!.toUpperCase()}${what.slice(1)} must hold ${totalBytes} bytes but -MediaSize ${size} holds ${limit}. Choose a larger -MediaSize (or SizeUnlimited), or take content off the media.`, { totalBytes, limit });
  }
}

/**
 * -MediaSize: ConfigMgr's names (Size650MB, Size4GB, Size8GB, SizeUnlimited) or a size such as
 * 700MB or 2GB (binary units) or bytes, for discs of other capacities.
 */
export function parseMediaSize(text: string): MediaSize | number {
  const named = MEDIA_SIZES.find((s) => s.toLowerCase() === text.trim().toLowerCase());
  if (named) return named;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(B|KB|MB|GB|TB)?\s*$/i.exec(text);
  if (!m) throw new RuleError('EBAD_MEDIA_SIZE', `-MediaSize '${text}' is not a size: use Size650MB, Size4GB, Size8GB, SizeUnlimited, or a size such as 700MB.`);
  const mult = { B: 1, KB: 2 ** 10, MB: 2 ** 20, GB: 2 ** 30, TB: 2 ** 40 }[(m[2] ?? 'B').toUpperCase() as 'B'];
  const bytes = Math.floor(Number(m[1]) * mult);
  if (bytes < 1024 * 1024) throw new RuleError('EBAD_MEDIA_SIZE', `-MediaSize ${text} is smaller than 1 MB; no medium is that small.`);
  return bytes;
}

/** Bytes of one medium of the size, or undefined for no limit. */
export function mediaSizeBytes(size: MediaSize | number | undefined): number | undefined {
  if (size === undefined) return undefined;
  const b = typeof size === 'number' ? size : MEDIA_SIZE_BYTES[size];
  return Number.isFinite(b) ? b : undefined;
}

/** FAT32 holds no file of 4 GiB or more. */
export const FAT32_MAX_FILE = 0xffffffff;

export function checkFat32FileSizes(files: ReadonlyArray<{ MediaPath: string; Size: number }>): void {
  const big = files.filter((f) => f.Size > FAT32_MAX_FILE);
  if (big.length > 0) {
    throw new RuleError('EFILE_TOO_LARGE_FOR_FAT32', `USB media are FAT32, which holds no file over 4 GiB: ${big.map((f) => `${f.MediaPath} (${f.Size} bytes)`).join(', ')}. Use -MediaType CdDvd, or split the image (large OS images are split into .swm parts).`);
  }
}

/** The OS image index must exist in the image. */
export function checkImageIndex(index: number, imageCount: number, imageId: string): void {
  if (!Number.isInteger(index) || index < 1 || index > imageCount) {
    throw new RuleError('EBAD_IMAGE_INDEX', `-OperatingSystemImageIndex ${index} does not exist: ${imageId} holds ${imageCount} image(s) (1 to ${imageCount}).`, { index, imageCount });
  }
}

/** A prestart package carries files for a command; without -PrestartCommand nothing runs them. */
export function checkPrestart(packageId: string | undefined, command: string | undefined): void {
  if (packageId !== undefined && (command === undefined || command.trim() === '')) {
    throw new RuleError('EPRESTART_COMMAND', `-PrestartPackage ${packageId} is given without -PrestartCommand; give the command line that uses its files (for example 'cmd /c setup.cmd').`);
  }
  if (command !== undefined && command.trim() === '') throw new RuleError('EPRESTART_COMMAND', '-PrestartCommand is empty; give a command line or leave it out.');
}
