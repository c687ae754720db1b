// What one medium needs, resolved against the catalog: its site, boot image, task sequence and
// content items with each file's place in the content library, after every media rule has
// passed. Nothing is written here except a newly made self-signed certificate key.
import { readCatalog, writeCatalog } from '../catalog/catalog.js';
import { blobLocation, getManifest, resolveContent } from '../catalog/content.js';
import type { ContentItem, ContentType } from '../catalog/content.js';
import type { SqlDatabase } from '../catalog/database.js';
import type { MediaType } from '../catalog/media.js';
import { getSite, listEndpoints, listSites, siteRootCertificate } from '../catalog/sites.js';
import { resolveTaskSequence, taskSequenceReferences } from '../catalog/task-sequences.js';
import type { BlobLocation } from '../content/library.js';
import { NotFoundError, RuleError, UsageError } from '../errors.js';
import { lazy } from '../lazy.js';
import type { MediaCertificate } from './certificate.js';
import type { KdfParams } from './media-key.js';
import type { MediaKind } from './media-manifest.js';
import { planItemFromCatalog } from './media-plan.js';
import type { PlanItem } from './media-plan.js';
import type { MediaOwnSettings } from './media-variables.js';
import type { PolicyReference } from './policy.js';
import { checkCertificateChoice, checkDynamicRootCa, checkHttpsCreatingSite, checkMediaDates, checkPrestart } from './rules.js';
import type { MediaMode, MediaSize } from './rules.js';

/** One medium as a media cmdlet describes it (IDs or names for catalog objects). */
export interface MediaRequest {
  kind: MediaKind;
  mediaType: MediaType;
  path: string;
  siteCode: string;
  bootImage?: string | undefined;
  taskSequence?: string | undefined;
  operatingSystemImage?: string | undefined;
  operatingSystemImageIndex?: number | undefined;
  packages?: readonly string[] | undefined;
  driverPackages?: readonly string[] | undefined;
  applications?: readonly string[] | undefined;
  managementPoints?: readonly string[] | undefined;
  distributionPoint?: string | undefined;
  mediaMode?: MediaMode | undefined;
  allowUnknownMachine?: boolean | undefined;
  allowUnattended?: boolean | undefined;
  userDeviceAffinity?: MediaOwnSettings['userDeviceAffinity'] | undefined;
  variables?: Readonly<Record<string, string>> | undefined;
  prestartCommand?: string | undefined;
  prestartPackage?: string | undefined;
  /** An imported PKI certificate, or the window of a self-signed one. */
  certificate?: { pfx: Uint8Array; password: string } | { start: Date; expire: Date } | undefined;
  /** Null: no media password. */
  password: string | null;
  mediaStartDate?: Date | undefined;
  mediaExpirationDate?: Date | undefined;
  mediaSize?: MediaSize | number | undefined;
  encryptContent?: boolean | undefined;
  noAutoRun?: boolean | undefined;
  formatMedia?: boolean | undefined;
  label?: string | undefined;
  createdBy?: string | undefined;
  version?: string | undefined;
  comment?: string | undefined;
  temporaryFolder?: string | undefined;
  force?: boolean | undefined;
  /** Tests may lower the scrypt cost. */
  kdf?: KdfParams | undefined;
}

/** A content item of the medium with where each of its files lives in the library. */
export interface ResolvedItem {
  item: PlanItem;
  blobs: Map<string, BlobLocation>;
  role: string;
}

export interface ResolvedMedia {
  siteCode: string;
  bootImage: ResolvedItem;
  bootImageIndex: number;
  /** Content under SMS\PKG (sorted by Id). */
  content: ResolvedItem[];
  taskSequence?: { Id: string; Name: string; References: PolicyReference[] };
  operatingSystemImage?: ResolvedItem;
  managementPoints: string[];
  certificate?: { pfx: Buffer; thumbprint: string };
  rootCaCertificates: string[];
}

function resolveItem(db: SqlDatabase, idOrName: string, type: ContentType, role: string): ResolvedItem {
  const c: ContentItem = resolveContent(db, idOrName, type);
  const files = getManifest(db, c.Id, c.SourceVersion);
  const blobs = new Map<string, BlobLocation>();
  const missing: string[] = [];
  for (const f of files) {
    if (blobs.has(f.sha256)) continue;
    try {
      blobs.set(f.sha256, blobLocation(db, f.sha256));
    } catch (e) {
      if (e instanceof NotFoundError) missing.push(f.path); else throw e;
    }
  }
  if (missing.length > 0) {
    throw new RuleError('ECONTENT_INCOMPLETE', `Content ${c.Id} (${c.Name}) version ${c.SourceVersion} has ${missing.length} file(s) missing from the content library (${missing.slice(0, 3).join(', ')}${missing.length > 3 ? ', ...' : ''}). Run Update-CMContent -Id ${c.Id} to store them again.`, { id: c.Id });
  }
  return { item: planItemFromCatalog(c, files), blobs, role };
}

function isHttps(url: string): boolean {
  return /^https:/i.test(url);
}

/** Management points named on the command line must be registered; none named: the site's. */
function chooseManagementPoints(db: SqlDatabase, req: MediaRequest): string[] {
  const registered = listEndpoints(db, 'management_points');
  if (!req.managementPoints || req.managementPoints.length === 0) {
    const own = registered.filter((m) => m.SiteCode === req.siteCode).map((m) => m.Url);
    if (own.length === 0) throw new UsageError('EMANAGEMENT_POINT_REQUIRED', `${req.kind} media need a management point, and site ${req.siteCode} has none registered. Give -ManagementPoint, or register one with Add-CMManagementPoint -SiteCode ${req.siteCode} -Url ...`);
    return own;
  }
  const norm = (u: string): string => u.replace(/\/+$/, '').toLowerCase();
  return req.managementPoints.map((mp) => {
    const found = registered.find((m) => norm(m.Url) === norm(mp) || norm(new URL(m.Url).hostname) === norm(mp));
    if (!found) throw new NotFoundError('management point', `'${mp}' is not a registered management point. Get-CMManagementPoint lists them; Add-CMManagementPoint registers one.`, { mp });
    return found.Url;
  });
}

function checkDistributionPoint(db: SqlDatabase, dp: string | undefined): void {
  if (dp === undefined) return;
  const norm = (u: string): string => u.replace(/\/+$/, '').toLowerCase();
  const found = listEndpoints(db, 'distribution_points').some((d) => norm(d.Url) === norm(dp) || norm(new URL(d.Url).hostname) === norm(dp));
  if (!found) throw new NotFoundError('distribution point', `'${dp}' is not a registered distribution point. Get-CMDistributionPoint lists them; Add-CMDistributionPoint registers one.`, { dp });
}

type CertificateModule = typeof import('./certificate.js');
// node-forge is loaded only for media with a certificate: it costs every other command start-up time
const certificateModule = lazy((): Promise<CertificateModule> => import('./certificate.js'));

/** The media certificate: an imported PFX, or the site's self-signed one for the window. */
function mediaCertificate({ importPfx, checkCertificateUsable, createSelfSignedCertificate }: CertificateModule, req: MediaRequest, keyPem: string | undefined, now: Date): MediaCertificate | undefined {
  const c = req.certificate;
  if (!c) return undefined;
  if ('pfx' in c) {
    const cert = importPfx(c.pfx, c.password);
    checkCertificateUsable(cert, now);
    return cert;
  }
  return createSelfSignedCertificate({ privateKeyPem: keyPem!, siteCode: req.siteCode, notBefore: c.start, notAfter: c.expire });
}

/** Resolves every catalog object the medium needs and checks every media rule. */
export async function resolveMediaRequest(home: string, req: MediaRequest, now: Date): Promise<ResolvedMedia> {
  checkMediaDates(req.mediaStartDate, req.mediaExpirationDate);
  checkPrestart(req.prestartPackage, req.prestartCommand);
  const needsMp = req.kind === 'Bootable' || req.kind === 'Prestaged';
  const certs: CertificateModule | undefined = req.certificate ? await certificateModule() : undefined;
  // a self-signed certificate's key is made once per site and window, and kept
  let keyPem: string | undefined;
  if (req.certificate && 'start' in req.certificate) {
    checkCertificateChoice(true, { selfSigned: req.certificate }, now);
    const cacheKey = certs!.mediaCertificateCacheKey(req.siteCode, req.certificate.start, req.certificate.expire);
    keyPem = await readCatalog(home, now, (db) => db.get<{ private_key_pem: string }>('SELECT private_key_pem FROM media_certificate_keys WHERE cache_key = ?', [cacheKey])?.private_key_pem);
    if (keyPem === undefined) {
      const fresh = certs!.generateMediaKeyPair();
      keyPem = await writeCatalog(home, now, (db) => {
        const kept = db.get<{ private_key_pem: string }>('SELECT private_key_pem FROM media_certificate_keys WHERE cache_key = ?', [cacheKey]);
        if (kept) return kept.private_key_pem;
        db.run('INSERT INTO media_certificate_keys (cache_key, private_key_pem) VALUES (?, ?)', [cacheKey, fresh]);
        return fresh;
      });
    }
  }
  const cert = certs ? mediaCertificate(certs, req, keyPem, now) : undefined;
  return readCatalog(home, now, (db) => {
    const site = getSite(db, req.siteCode);
    checkDistributionPoint(db, req.distributionPoint);
    const managementPoints = needsMp ? chooseManagementPoints(db, req) : [];
    const https = needsMp && (site.Https || managementPoints.some(isHttps) || (req.distributionPoint !== undefined && isHttps(req.distributionPoint)));
    if (needsMp) {
      checkHttpsCreatingSite(req.kind, site, https);
      checkDynamicRootCa(req.mediaMode ?? 'Dynamic', https, site, listSites(db));
      checkCertificateChoice(https, cert ? { imported: { notBefore: cert.notBefore, notAfter: cert.notAfter, thumbprint: cert.thumbprint } } : {}, now);
    }
    const ts = req.taskSequence !== undefined ? resolveTaskSequence(db, req.taskSequence) : undefined;
    const refs = ts ? taskSequenceReferences(db, ts.Id) : [];
    const bootId = req.bootImage ?? ts?.BootImageId;
    if (bootId === undefined) throw new UsageError('EBOOT_IMAGE_REQUIRED', `${req.kind} media need a boot image: give -BootImage.`);
    const bootImage = resolveItem(db, bootId, 'BootImage', 'BootImage');
    const bootRow = resolveContent(db, bootId, 'BootImage');
    const chosen = new Map<string, ResolvedItem>();
    const add = (idOrName: string, type: ContentType, role: string): ResolvedItem => {
      const r = resolveItem(db, idOrName, type, role);
      if (r.item.Id !== bootImage.item.Id && !chosen.has(r.item.Id)) chosen.set(r.item.Id, r);
      return chosen.get(r.item.Id) ?? r;
    };
    const extra = (ids: readonly string[] | undefined, type: ContentType): void => { for (const id of ids ?? []) add(id, type, type); };
    let operatingSystemImage: ResolvedItem | undefined;
    if (req.kind === 'StandAlone' || req.kind === 'Prestaged') {
      if (!ts) throw new UsageError('ETASK_SEQUENCE_REQUIRED', `${req.kind} media need -TaskSequence.`);
      if (req.kind === 'Prestaged') {
        if (req.operatingSystemImage === undefined) throw new UsageError('EOS_IMAGE_REQUIRED', 'Prestaged media need -OperatingSystemImage.');
        operatingSystemImage = add(req.operatingSystemImage, 'OperatingSystemImage', 'OperatingSystemImage');
      }
      // prestaged media hold what the admin chose, else everything the sequence references
      const narrowed = req.kind === 'Prestaged' && [req.packages, req.driverPackages, req.applications].some((l) => l !== undefined && l.length > 0);
      if (!narrowed) for (const r of refs) if (r.Id !== bootImage.item.Id) add(r.Id, r.Type, r.Role);
      extra(req.packages, 'Package');
      extra(req.driverPackages, 'DriverPackage');
      extra(req.applications, 'Application');
    } else if (req.packages?.length || req.driverPackages?.length || req.applications?.length || req.operatingSystemImage !== undefined) {
      throw new UsageError('EBAD_CONTENT', `${req.kind} media carry no content but the prestart package; leave out -Package, -DriverPackage, -Application and -OperatingSystemImage.`);
    }
    if (req.kind === 'Capture' && req.prestartPackage !== undefined) throw new UsageError('EBAD_CONTENT', 'Capture media carry no prestart package.');
    if (req.prestartPackage !== undefined) add(req.prestartPackage, 'Package', 'PrestartPackage');
    const references: PolicyReference[] = [bootImage, ...chosen.values()].map((r) => ({ Id: r.item.Id, Name: r.item.Name, Type: r.item.Type, Role: r.role, SourceVersion: r.item.SourceVersion }));
    const rootPem = https ? siteRootCertificate(db, site.SiteCode) : null;
    const resolved: ResolvedMedia = {
      siteCode: site.SiteCode, bootImage, bootImageIndex: bootRow.ImageIndex ?? 1,
      content: [...chosen.values()].sort((a, b) => (a.item.Id < b.item.Id ? -1 : 1)),
      managementPoints, rootCaCertificates: rootPem ? [rootPem] : [],
    };
    if (ts) resolved.taskSequence = { Id: ts.Id, Name: ts.Name, References: references };
    if (operatingSystemImage) resolved.operatingSystemImage = operatingSystemImage;
    if (cert) resolved.certificate = { pfx: certs!.exportPfx(cert, req.password ?? ''), thumbprint: cert.thumbprint };
    return resolved;
  });
}
