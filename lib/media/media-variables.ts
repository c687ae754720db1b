// SMS\data\Variables.dat: the media variables (the media's own _SMSTS* settings and the user's
// -Variable entries), as XML sealed in the envelope of sealed-file.ts under the media key.
//
// Plaintext (UTF-8, variables in case-insensitive name order so the bytes are canonical):
//   <?xml version="1.0" encoding="UTF-8"?>
//   <MediaVarList Version="1"><var name="_SMSTSMediaType">BootMedia</var>...</MediaVarList>
//
// Unlike ConfigMgr (AES-128-CBC, zero IV, a CryptDeriveKey key from the password), the key comes
// from scrypt and the cipher is AES-256-GCM with a synthetic nonce. Media without a password are
// sealed under the public default key of media-key.ts: tamper-evident, not secret.
import { FormatError, TsmediaError, UsageError } from '../errors.js';
import type { MediaKey } from './media-key.js';
import { seal, unseal } from './sealed-file.js';
import { escapeXml, onlyChildren, parseXml, requiredAttribute, XML_DECLARATION } from './xml.js';

export const MAX_VARIABLE_NAME = 256;
export const MAX_VARIABLE_VALUE = 4000;
/** ConfigMgr caps the whole task sequence environment at 32 MB. */
export const MAX_ENVIRONMENT_BYTES = 32 * 1024 * 1024;
const FORMAT = 'Variables.dat';

const NAME_CHARS = /^[A-Za-z0-9_-]+$/;
// XML 1.0 cannot carry these even as references
const BAD_VALUE_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;

export type MediaType = 'BootMedia' | 'FullMedia' | 'OEMMedia';
export type LaunchMode = 'CD' | 'DVD' | 'UFD' | 'UFD+FORMAT' | 'HD';

export interface MediaVariable { name: string; value: string }

/** The media's own variables, set by tsmedia rather than the user. */
export interface MediaOwnSettings {
  mediaType: MediaType;
  launchMode: LaunchMode;
  /** The media id of media-manifest.ts, a GUID. */
  mediaGuid: string;
  siteCode: string;
  /** Dynamic media: every MP in priority order (SMSTSLocationMPs); site-based: one (SMSTSMP). */
  managementPoints: readonly string[];
  mediaMode?: 'Dynamic' | 'SiteBased';
  bootImageId: string;
  prestartCommand?: string;
  prestartPackageId?: string;
  /** The media certificate as a PFX (hex in the variable, as ConfigMgr's _SMSTSMediaPFX). */
  mediaPfx?: Uint8Array;
  /** Root CA certificates the client trusts, PEM. */
  rootCaCertificates?: readonly string[];
  allowUnknownMachine?: boolean;
  allowUnattended?: boolean;
  userDeviceAffinity?: 'DoNotAllow' | 'AdministratorApproval' | 'AutoApproval';
  /** The stand-alone window, sealed here so a TsmBootstrap.ini edit cannot widen it. */
  mediaStartDate?: Date;
  mediaExpirationDate?: Date;
}

/** Certificates, not text a user typed: allowed past the 4000-character limit. */
const LONG_OWN_VALUES = new Set(['_SMSTSMediaPFX', '_SMSTSRootCACerts']);

const UDA_MODE = { DoNotAllow: 'Disabled', AdministratorApproval: 'Pending', AutoApproval: 'Auto' } as const;

/**
 * Checks a variable name as ConfigMgr does: letters, digits, '_' and '-', 1..256 characters.
 * User variables must start with a letter; '_' names are read-only task sequence variables.
 */
export function checkVariableName(name: string, user: boolean): void {
  if (name.length < 1 || name.length > MAX_VARIABLE_NAME) throw new UsageError('EBAD_VARIABLE', `Variable name '${name.slice(0, 40)}' must be 1 to ${MAX_VARIABLE_NAME} characters long.`);
  if (!NAME_CHARS.test(name)) throw new UsageError('EBAD_VARIABLE', `Variable name '${name}' may hold only letters, digits, '_' and '-' (no spaces).`);
  if (user && name.startsWith('_')) throw new UsageError('EBAD_VARIABLE', `Variable name '${name}' starts with '_': such variables are read-only and set by the task sequence; choose a name that starts with a letter.`);
  if (user && !/^[A-Za-z]/.test(name)) throw new UsageError('EBAD_VARIABLE', `Variable name '${name}' must start with a letter.`);
}

export function checkVariableValue(name: string, value: string): void {
  if (value.length > MAX_VARIABLE_VALUE) throw new UsageError('EBAD_VARIABLE', `The value of ${name} is ${value.length} characters; the limit is ${MAX_VARIABLE_VALUE}.`);
  if (BAD_VALUE_CHARS.test(value)) throw new UsageError('EBAD_VARIABLE', `The value of ${name} holds a control character that cannot be stored.`);
}

function compareNames(a: MediaVariable, b: MediaVariable): number {
  const x = a.name.toUpperCase();
  const y = b.name.toUpperCase();
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Builds the media's own variable list from its settings. */
export function mediaOwnVariables(s: MediaOwnSettings): MediaVariable[] {
  const vars: MediaVariable[] = [
    { name: '_SMSTSMediaType', value: s.mediaType },
    { name: '_SMSTSLaunchMode', value: s.launchMode },
    { name: '_SMSMediaGuid', value: s.mediaGuid },
    { name: '_SMSTSSiteCode', value: s.siteCode },
    { name: '_SMSTSBootImageID', value: s.bootImageId },
    { name: '_SMSTSBootMediaPackageID', value: s.bootImageId },
  ];
  if (s.managementPoints.length > 0) {
    // ConfigMgr: dynamic media list every MP, '*'-separated; site-based media name one
    if (s.mediaMode === 'SiteBased') {
      if (s.managementPoints.length !== 1) throw new UsageError('EBAD_MANAGEMENT_POINT', 'Site-based media use exactly one management point; give one, or use -MediaMode Dynamic.');
      vars.push({ name: 'SMSTSMP', value: s.managementPoints[0]! });
    } else {
      vars.push({ name: 'SMSTSLocationMPs', value: s.managementPoints.join('*') });
    }
  }
  if (s.prestartCommand !== undefined) vars.push({ name: '_SMSTSPreExecCommandLine', value: s.prestartCommand });
  if (s.prestartPackageId !== undefined) vars.push({ name: '_SMSTSPreExecPackageID', value: s.prestartPackageId });
  if (s.mediaPfx !== undefined) vars.push({ name: '_SMSTSMediaPFX', value: Buffer.from(s.mediaPfx).toString('hex').toUpperCase() });
  if (s.rootCaCertificates !== undefined && s.rootCaCertificates.length > 0) {
    vars.push({ name: '_SMSTSRootCACerts', value: s.rootCaCertificates.map((p) => p.replace(/-----[^-]+-----|\s/g, '')).join('*') });
  }
  if (s.allowUnknownMachine !== undefined) vars.push({ name: '_SMSTSAllowUnknownMachine', value: String(s.allowUnknownMachine) });
  if (s.allowUnattended !== undefined) vars.push({ name: '_SMSTSAllowUnattended', value: String(s.allowUnattended) });
  if (s.userDeviceAffinity !== undefined) vars.push({ name: 'SMSTSAssignUsersMode', value: UDA_MODE[s.userDeviceAffinity] });
  if (s.mediaStartDate !== undefined) vars.push({ name: '_TSMediaStartDate', value: s.mediaStartDate.toISOString() });
  if (s.mediaExpirationDate !== undefined) vars.push({ name: '_TSMediaExpirationDate', value: s.mediaExpirationDate.toISOString() });
  return vars;
}

/**
 * Merges the media's own variables with the user's: checks every name and value, refuses a
 * user name that repeats another case-insensitively, and returns the canonical order.
 * _SMSTSRootCACerts and _SMSTSMediaPFX may exceed the 4000-character value limit (they are ours).
 */
export function mergeVariables(own: readonly MediaVariable[], user: Readonly<Record<string, string>> | readonly MediaVariable[]): MediaVariable[] {
  const userList: MediaVariable[] = Array.isArray(user)
    ? [...(user as readonly MediaVariable[])]
    : Object.entries(user as Record<string, string>).map(([name, value]) => ({ name, value }));
  const seen = new Map<string, string>();
  const out: MediaVariable[] = [];
  for (const v of own) {
    checkVariableName(v.name, false);
    if (!LONG_OWN_VALUES.has(v.name)) checkVariableValue(v.name, v.value);
    seen.set(v.name.toUpperCase(), v.name);
    out.push({ ...v });
  }
  for (const v of userList) {
    checkVariableName(v.name, true);
    checkVariableValue(v.name, v.value);
    const prior = seen.get(v.name.toUpperCase());
    if (prior !== undefined) throw new UsageError('EBAD_VARIABLE', `Variable ${v.name} is given twice (as ${prior}); names are not case-sensitive, keep one.`);
    seen.set(v.name.toUpperCase(), v.name);
    out.push({ ...v });
  }
  return out.sort(compareNames);
}

/** The plaintext XML of a variable list (already merged and checked). */
export function variablesXml(vars: readonly MediaVariable[]): Buffer {
  const sorted = [...vars].sort(compareNames);
  const body = sorted.map((v) => `<var name="${escapeXml(v.name)}">${escapeXml(v.value)}</var>`).join('\n');
  const xml = `${XML_DECLARATION}\n<MediaVarList Version="1">\n${body}${body ? '\n' : ''}</MediaVarList>\n`;
  const bytes = Buffer.from(xml, 'utf8');
  if (bytes.length > MAX_ENVIRONMENT_BYTES) throw new TsmediaError('ETOO_LARGE', `The media variables take ${bytes.length} bytes; a task sequence environment holds at most 32 MB.`);
  return bytes;
}

export function parseVariablesXml(bytes: Buffer): MediaVariable[] {
  const text = bytes.toString('utf8');
  if (Buffer.byteLength(text, 'utf8') !== bytes.length) throw new FormatError(FORMAT, 'the variables are not valid UTF-8.');
  const root = parseXml(text, FORMAT);
  if (root.name !== 'MediaVarList') throw new FormatError(FORMAT, `root element is <${root.name}>, not <MediaVarList>.`);
  if (root.attributes.Version !== '1') throw new FormatError(FORMAT, `variables list version ${root.attributes.Version ?? '(none)'} is not supported.`);
  const seen = new Set<string>();
  return onlyChildren(root, 'var', FORMAT).map((el) => {
    const name = requiredAttribute(el, 'name', FORMAT);
    if (el.children.length > 0) throw new FormatError(FORMAT, `<var name="${name}"> holds elements.`);
    try {
      checkVariableName(name, false);
    } catch (err) {
      throw new FormatError(FORMAT, (err as Error).message);
    }
    if (seen.has(name.toUpperCase())) throw new FormatError(FORMAT, `variable ${name} appears twice.`);
    seen.add(name.toUpperCase());
    return { name, value: el.text };
  });
}

/** Seals the variables into Variables.dat bytes. Same key and variables → same bytes. */
export function writeVariablesFile(key: MediaKey, vars: readonly MediaVariable[]): Buffer {
  return seal('variables', key, variablesXml(vars));
}

/** Opens Variables.dat with the media password (null: none) or a derived media key. */
export function readVariablesFile(bytes: Uint8Array, secret: string | null | MediaKey): MediaVariable[] {
  return parseVariablesXml(unseal('variables', bytes, secret));
}

/** A variable's value by case-insensitive name. */
export function variableValue(vars: readonly MediaVariable[], name: string): string | undefined {
  const upper = name.toUpperCase();
  return vars.find((v) => v.name.toUpperCase() === upper)?.value;
}
