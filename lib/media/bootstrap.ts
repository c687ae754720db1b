// SMS\data\TsmBootstrap.ini: the media's bootstrap settings, in the clear (ConfigMgr's keys
// MediaType, PasswordRequired, Unattended, plus tsmedia's own), read before the password is asked.
//
//   [MediaInfo]
//   MediaType=BootMedia|FullMedia|OEMMedia|CaptureMedia
//   PasswordRequired=true|false
//   Unattended=true|false
//   MediaId=<GUID>                     the media id of media-manifest.ts
//   SiteCode=PS1
//   MediaMode=Dynamic|SiteBased        (bootable and prestaged media)
//   ManagementPoints=<url>*<url>       '*'-separated, priority order
//   CertificateThumbprint=<40 hex>     the media certificate, when there is one
//   MediaStartDate=<ISO 8601 UTC>      stand-alone validity window, when set
//   MediaExpirationDate=<ISO 8601 UTC>
//   Created=<ISO 8601 UTC>             the caller's time (SOURCE_DATE_EPOCH)
//   CreatedBy=<text>                   prestaged metadata (≤ 50), Version (≤ 32), Comment (≤ 127)
//   Version=<text>
//   Comment=<text>
//
// Lines end CRLF (the file is read on Windows); keys are written in this order. The parser accepts
// LF too, ignores blank lines and ';' comments, and refuses unknown keys and repeated keys.
import { FormatError, RuleError, UsageError } from '../errors.js';
import type { MediaVariable } from './media-variables.js';
import { variableValue } from './media-variables.js';

export type BootstrapMediaType = 'BootMedia' | 'FullMedia' | 'OEMMedia' | 'CaptureMedia';

export interface BootstrapSettings {
  MediaType: BootstrapMediaType;
  PasswordRequired: boolean;
  Unattended: boolean;
  MediaId: string;
  SiteCode?: string;
  MediaMode?: 'Dynamic' | 'SiteBased';
  ManagementPoints?: string[];
  CertificateThumbprint?: string;
  MediaStartDate?: Date;
  MediaExpirationDate?: Date;
  Created: Date;
  CreatedBy?: string;
  Version?: string;
  Comment?: string;
}

const FORMAT = 'TsmBootstrap.ini';
export const MAX_BOOTSTRAP_SIZE = 64 * 1024;
const SECTION = 'MediaInfo';
const MEDIA_TYPES: readonly BootstrapMediaType[] = ['BootMedia', 'FullMedia', 'OEMMedia', 'CaptureMedia'];
const TEXT_LIMITS = { CreatedBy: 50, Version: 32, Comment: 127 } as const;
const GUID = /^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/;
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$/;

function checkText(key: keyof typeof TEXT_LIMITS, value: string): void {
  if (value.length > TEXT_LIMITS[key]) throw new UsageError('EBAD_MEDIA_TEXT', `-${key} is ${value.length} characters; the limit is ${TEXT_LIMITS[key]}.`);
  if (/[\r\n\u0000-\u001f]/.test(value)) throw new UsageError('EBAD_MEDIA_TEXT', `-${key} must be one line of text.`);
}

export function writeBootstrap(s: BootstrapSettings): Buffer {
  const lines: string[] = [`[${SECTION}]`, `MediaType=${s.MediaType}`, `PasswordRequired=${s.PasswordRequired}`, `Unattended=${s.Unattended}`, `MediaId=${s.MediaId}`];
  if (!GUID.test(s.MediaId)) throw new UsageError('EBAD_MEDIA_ID', `Media id ${s.MediaId} is not an upper-case GUID.`);
  if (s.SiteCode !== undefined) lines.push(`SiteCode=${s.SiteCode}`);
  if (s.MediaMode !== undefined) lines.push(`MediaMode=${s.MediaMode}`);
  if (s.ManagementPoints !== undefined && s.ManagementPoints.length > 0) {
    for (const mp of s.ManagementPoints) if (/[*\r\n]/.test(mp)) throw new UsageError('EBAD_URL', `Management point '${mp}' holds '*' or a line break.`);
    lines.push(`ManagementPoints=${s.ManagementPoints.join('*')}`);
  }
  if (s.CertificateThumbprint !== undefined) lines.push(`CertificateThumbprint=${s.CertificateThumbprint}`);
  if (s.MediaStartDate !== undefined) lines.push(`MediaStartDate=${s.MediaStartDate.toISOString()}`);
  if (s.MediaExpirationDate !== undefined) lines.push(`MediaExpirationDate=${s.MediaExpirationDate.toISOString()}`);
  lines.push(`Created=${s.Created.toISOString()}`);
  for (const key of ['CreatedBy', 'Version', 'Comment'] as const) {
    const v = s[key];
    if (v !== undefined) { checkText(key, v); lines.push(`${key}=${v}`); }
  }
  return Buffer.from(lines.join('\r\n') + '\r\n', 'utf8');
}

function parseBool(key: string, v: string): boolean {
  const l = v.toLowerCase();
  if (l === 'true') return true;
  if (l === 'false') return false;
  throw new FormatError(FORMAT, `${key}=${v} is not true or false.`);
}

function parseDate(key: string, v: string): Date {
  const d = new Date(v);
  if (!ISO_UTC.test(v) || Number.isNaN(d.getTime())) throw new FormatError(FORMAT, `${key}=${v} is not an ISO 8601 UTC time.`);
  return d;
}

/** Parses the INI; never trusts it (size, keys, values are all checked). */
export function parseBootstrap(bytes: Uint8Array): BootstrapSettings {
  if (bytes.length > MAX_BOOTSTRAP_SIZE) throw new FormatError(FORMAT, `the file is ${bytes.length} bytes; bootstrap settings are under ${MAX_BOOTSTRAP_SIZE}.`);
  const text = Buffer.from(bytes).toString('utf8').replace(/^\uFEFF/, '');
  const values = new Map<string, string>();
  let section: string | undefined;
  for (const [i, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith(';')) continue;
    const sec = /^\[([^\]]+)\]$/.exec(line);
    if (sec) { section = sec[1]; continue; }
    const eq = line.indexOf('=');
    if (eq <= 0) throw new FormatError(FORMAT, `line ${i + 1} is not key=value.`);
    if (section !== SECTION) continue;  // other sections belong to other tools
    const key = line.slice(0, eq).trim();
    if (values.has(key)) throw new FormatError(FORMAT, `${key} is set twice.`);
    values.set(key, line.slice(eq + 1).trim());
  }
  const need = (k: string): string => {
    const v = values.get(k);
    if (v === undefined) throw new FormatError(FORMAT, `[${SECTION}] lacks ${k}.`);
    return v;
  };
  const mediaType = need('MediaType');
  if (!MEDIA_TYPES.includes(mediaType as BootstrapMediaType)) throw new FormatError(FORMAT, `MediaType=${mediaType} is not one of ${MEDIA_TYPES.join(', ')}.`);
  const mediaId = need('MediaId');
  if (!GUID.test(mediaId)) throw new FormatError(FORMAT, `MediaId=${mediaId} is not a GUID.`);
  const s: BootstrapSettings = {
    MediaType: mediaType as BootstrapMediaType,
    PasswordRequired: parseBool('PasswordRequired', need('PasswordRequired')),
    Unattended: parseBool('Unattended', need('Unattended')),
    MediaId: mediaId,
    Created: parseDate('Created', need('Created')),
  };
  const known = new Set(['MediaType', 'PasswordRequired', 'Unattended', 'MediaId', 'Created', 'SiteCode', 'MediaMode', 'ManagementPoints', 'CertificateThumbprint', 'MediaStartDate', 'MediaExpirationDate', 'CreatedBy', 'Version', 'Comment']);
  for (const k of values.keys()) if (!known.has(k)) throw new FormatError(FORMAT, `unknown key ${k}.`);
  const v = (k: string): string | undefined => values.get(k);
  const site = v('SiteCode');
  if (site !== undefined) {
    if (!/^[A-Z0-9]{3}$/.test(site)) throw new FormatError(FORMAT, `SiteCode=${site} is not a site code.`);
    s.SiteCode = site;
  }
  const mode = v('MediaMode');
  if (mode !== undefined) {
    if (mode !== 'Dynamic' && mode !== 'SiteBased') throw new FormatError(FORMAT, `MediaMode=${mode} is not Dynamic or SiteBased.`);
    s.MediaMode = mode;
  }
  const mps = v('ManagementPoints');
  if (mps !== undefined) s.ManagementPoints = mps.split('*');
  const thumb = v('CertificateThumbprint');
  if (thumb !== undefined) {
    if (!/^[0-9A-F]{40}$/.test(thumb)) throw new FormatError(FORMAT, `CertificateThumbprint=${thumb} is not 40 hex digits.`);
    s.CertificateThumbprint = thumb;
  }
  const start = v('MediaStartDate');
  if (start !== undefined) s.MediaStartDate = parseDate('MediaStartDate', start);
  const end = v('MediaExpirationDate');
  if (end !== undefined) s.MediaExpirationDate = parseDate('MediaExpirationDate', end);
  for (const key of ['CreatedBy', 'Version', 'Comment'] as const) {
    const t = v(key);
    if (t === undefined) continue;
    if (t.length > TEXT_LIMITS[key]) throw new FormatError(FORMAT, `${key} is longer than ${TEXT_LIMITS[key]} characters.`);
    s[key] = t;
  }
  return s;
}

/**
 * Stand-alone media refuse to run outside their window: before MediaStartDate or after
 * MediaExpirationDate (both inclusive bounds). Throws RuleError naming the window.
 */
export function checkMediaWindow(s: Pick<BootstrapSettings, 'MediaStartDate' | 'MediaExpirationDate'>, now: Date): void {
  if (s.MediaStartDate !== undefined && now.getTime() < s.MediaStartDate.getTime()) {
    throw new RuleError('EMEDIA_NOT_YET_VALID', `These media are valid from ${s.MediaStartDate.toISOString()}; the clock says ${now.toISOString()}. Check the computer's clock, or rebuild the media with an earlier -MediaStartDate.`);
  }
  if (s.MediaExpirationDate !== undefined && now.getTime() > s.MediaExpirationDate.getTime()) {
    throw new RuleError('EMEDIA_EXPIRED', `These media expired on ${s.MediaExpirationDate.toISOString()}; the clock says ${now.toISOString()}. Rebuild the media with a later -MediaExpirationDate.`);
  }
}

/**
 * The INI is in the clear; the sealed variables are not. Once the variables are open, the INI
 * must agree with them (media id, site, window), or someone edited it: refuse.
 */
export function checkBootstrapMatchesVariables(s: BootstrapSettings, vars: readonly MediaVariable[]): void {
  const pairs: Array<[string, string | undefined, string | undefined]> = [
    ['MediaId', s.MediaId, variableValue(vars, '_SMSMediaGuid')],
    ['SiteCode', s.SiteCode, variableValue(vars, '_SMSTSSiteCode')],
    ['MediaStartDate', s.MediaStartDate?.toISOString(), variableValue(vars, '_TSMediaStartDate')],
    ['MediaExpirationDate', s.MediaExpirationDate?.toISOString(), variableValue(vars, '_TSMediaExpirationDate')],
  ];
  for (const [key, ini, sealed] of pairs) {
    if (ini !== sealed) throw new FormatError(FORMAT, `${key} (${ini ?? 'absent'}) differs from the sealed media variables (${sealed ?? 'absent'}): the file was edited. Rebuild the media.`);
  }
}
