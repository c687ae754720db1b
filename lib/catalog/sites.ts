// Sites, their management points and distribution points, and object IDs.
import { X509Certificate } from 'node:crypto';
import { NotFoundError, RuleError, UsageError } from '../errors.js';
import type { SqlDatabase } from './database.js';

export type SiteType = 'Primary' | 'CentralAdministration';

export interface Site {
  SiteCode: string;
  SiteName: string;
  Type: SiteType;
  ParentSiteCode: string | null;
  Https: boolean;
  RootCertificateThumbprint: string | null;
  Created: string;
}

export interface SiteEndpoint { SiteCode: string; Url: string; Created: string }

interface SiteRow { code: string; name: string; type: SiteType; parent_code: string | null; https: number; root_cert_thumbprint: string | null; created: string }

// ConfigMgr refuses these as site codes (they are reserved device names on Windows).
const RESERVED_SITE_CODES = new Set(['AUX', 'CON', 'NUL', 'PRN', 'SMS']);

export function checkSiteCode(code: string): string {
  const upper = code.toUpperCase();
  if (!/^[A-Z0-9]{3}$/.test(upper)) throw new UsageError('EBAD_SITE_CODE', `Site code '${code}' must be exactly three letters or digits (for example PS1).`);
  if (RESERVED_SITE_CODES.has(upper)) throw new UsageError('EBAD_SITE_CODE', `Site code '${code}' is reserved by Windows and cannot be used.`);
  return upper;
}

function toSite(r: SiteRow): Site {
  return { SiteCode: r.code, SiteName: r.name, Type: r.type, ParentSiteCode: r.parent_code, Https: r.https === 1, RootCertificateThumbprint: r.root_cert_thumbprint, Created: r.created };
}

export function listSites(db: SqlDatabase): Site[] {
  return db.all<SiteRow>('SELECT * FROM sites ORDER BY code').map(toSite);
}

export function getSite(db: SqlDatabase, code: string): Site {
  const row = db.get<SiteRow>('SELECT * FROM sites WHERE code = ?', [code.toUpperCase()]);
  if (!row) throw new NotFoundError('site', `No site with code '${code}'. Get-CMSite lists the sites.`, { code });
  return toSite(row);
}

export function siteRootCertificate(db: SqlDatabase, code: string): string | null {
  return db.get<{ root_cert_pem: string | null }>('SELECT root_cert_pem FROM sites WHERE code = ?', [code.toUpperCase()])?.root_cert_pem ?? null;
}

export interface NewSite { code: string; name: string; type: SiteType; parentCode?: string; https: boolean; rootCertificatePem?: string }

/** Parses a PEM root certificate, refusing anything that is not one. */
export function parseRootCertificate(pem: string, source: string): { pem: string; thumbprint: string } {
  try {
    const cert = new X509Certificate(pem);
    return { pem: cert.toString(), thumbprint: cert.fingerprint.replace(/:/g, '') };
  } catch (err) {
    throw new UsageError('EBAD_CERTIFICATE', `${source} is not a PEM X.509 certificate (${(err as Error).message}).`);
  }
}

export function addSite(db: SqlDatabase, site: NewSite, now: Date): Site {
  const code = checkSiteCode(site.code);
  if (db.get('SELECT 1 FROM sites WHERE code = ?', [code])) throw new RuleError('ESITE_EXISTS', `Site ${code} already exists.`);
  let parent: string | null = null;
  if (site.type === 'CentralAdministration') {
    if (site.parentCode) throw new RuleError('ESITE_PARENT', 'A central administration site has no parent site; leave out -ParentSiteCode.');
  } else if (site.parentCode) {
    const p = getSite(db, site.parentCode);
    if (p.Type !== 'CentralAdministration') throw new RuleError('ESITE_PARENT', `A primary site's parent must be a central administration site; ${p.SiteCode} is a ${p.Type} site.`);
    parent = p.SiteCode;
  }
  const cert = site.rootCertificatePem ? parseRootCertificate(site.rootCertificatePem, 'The root certificate') : undefined;
  db.run('INSERT INTO sites (code, name, type, parent_code, https, root_cert_pem, root_cert_thumbprint, created) VALUES (?,?,?,?,?,?,?,?)',
    [code, site.name, site.type, parent, site.https ? 1 : 0, cert?.pem ?? null, cert?.thumbprint ?? null, now.toISOString()]);
  return getSite(db, code);
}

export type EndpointKind = 'distribution_points' | 'management_points';

function checkUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError('EBAD_URL', `'${url}' is not a URL; give one such as https://dp1.contoso.com/`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new UsageError('EBAD_URL', `'${url}' must be an http:// or https:// URL.`);
  return parsed.href;
}

export function addEndpoint(db: SqlDatabase, kind: EndpointKind, siteCode: string, url: string, now: Date): SiteEndpoint {
  const site = getSite(db, siteCode);
  const href = checkUrl(url);
  if (db.get(`SELECT 1 FROM ${kind} WHERE site_code = ? AND url = ?`, [site.SiteCode, href])) {
    throw new RuleError('EENDPOINT_EXISTS', `${href} is already registered at site ${site.SiteCode}.`);
  }
  db.run(`INSERT INTO ${kind} (site_code, url, created) VALUES (?,?,?)`, [site.SiteCode, href, now.toISOString()]);
  return { SiteCode: site.SiteCode, Url: href, Created: now.toISOString() };
}

export function listEndpoints(db: SqlDatabase, kind: EndpointKind, siteCode?: string): SiteEndpoint[] {
  const rows = siteCode
    ? db.all<{ site_code: string; url: string; created: string }>(`SELECT * FROM ${kind} WHERE site_code = ? ORDER BY url`, [getSite(db, siteCode).SiteCode])
    : db.all<{ site_code: string; url: string; created: string }>(`SELECT * FROM ${kind} ORDER BY site_code, url`);
  return rows.map((r) => ({ SiteCode: r.site_code, Url: r.url, Created: r.created }));
}

/** Allocates the next object ID of a site: the site code and five hex digits (PS100004). */
export function allocateObjectId(db: SqlDatabase, siteCode: string): string {
  const site = getSite(db, siteCode);
  const row = db.get<{ next_object: number }>('SELECT next_object FROM sites WHERE code = ?', [site.SiteCode])!;
  const n = row.next_object;
  if (n > 0xfffff) throw new RuleError('EIDS_EXHAUSTED', `Site ${site.SiteCode} has used all 1,048,575 object IDs.`);
  db.run('UPDATE sites SET next_object = ? WHERE code = ?', [n + 1, site.SiteCode]);
  return site.SiteCode + n.toString(16).toUpperCase().padStart(5, '0');
}
