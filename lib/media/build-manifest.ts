// A bulk build manifest (Invoke-TSMediaBuild -Manifest): JSON or CSV text -> one entry per medium,
// each a media cmdlet (or a short Kind) and its parameters as shell tokens, so the cmdlet layer
// binds them with the real binder exactly as on a command line. Pure: text in, entries out.
//
// JSON: an array of objects (or {"Builds": [...]}), each Name -> value: a string is one value
// (commas included), an array a list, true/false a switch, a number its digits, an object a
// hashtable (-Variable), null leaves the parameter out.
// CSV (RFC 4180): a header row of names, one row per medium; a cell is read as a command-line word
// (an unquoted `a,b` is a list, `'a,b'` one string), and an empty cell leaves the parameter out.
// Both: `Cmdlet` (New-CMStandaloneMedia, ...) or `Kind` (StandAlone, ...) names the build, and an
// optional `Entry` names the entry in reports.
import { UsageError } from '../errors.js';
import { excerpt, tokenizeArgv } from '../shell/tokenizer.js';
import type { Token, ValueToken } from '../shell/tokenizer.js';

export interface ManifestEntry {
  /** 1-based position in the manifest. */
  index: number;
  /** The Entry column, or the index. */
  label: string;
  /** What the entry names: a cmdlet name or a kind, as written. */
  cmdlet?: string;
  kind?: string;
  /** The parameters, as the binder takes them after the cmdlet name. */
  tokens: Token[];
}

const META = new Set(['entry', 'cmdlet', 'kind']);
const NAME = /^[\p{L}_][\p{L}\p{N}_-]*$/u;

/** "entry 3 (branch-07)": how messages name an entry. */
export function entryName(e: Pick<ManifestEntry, 'index' | 'label'>): string {
  return e.label === String(e.index) ? `entry ${e.index}` : `entry ${e.index} (${e.label})`;
}

function manifestError(source: string, where: string, message: string, data: Record<string, unknown> = {}): UsageError {
  return new UsageError('EMANIFEST', `${source} ${where}: ${message}`, data);
}

function checkName(source: string, where: string, name: string): void {
  if (!NAME.test(name)) throw manifestError(source, where, `'${excerpt(name)}' is not a parameter name (write it as on the command line, without the dash).`, { parameter: name });
}

function textValue(text: string): ValueToken {
  return { kind: 'value', items: [text], list: false, quoted: true, text };
}

/** One JSON value as a token value: arrays are lists, objects hashtables. */
function jsonValue(source: string, where: string, name: string, v: unknown): ValueToken | undefined {
  const scalar = (x: unknown): string | undefined => (typeof x === 'string' ? x : typeof x === 'number' && Number.isFinite(x) ? String(x) : undefined);
  if (v === null) return undefined;
  if (typeof v === 'boolean') return { kind: 'value', items: [v], list: false, quoted: false, text: String(v) };
  const one = scalar(v);
  if (one !== undefined) return textValue(one);
  if (Array.isArray(v)) {
    const items = v.map(scalar);
    if (items.some((i) => i === undefined)) throw manifestError(source, where, `-${name}: a list holds strings or numbers only.`, { parameter: name });
    return { kind: 'value', items: items as string[], list: true, quoted: true, text: (items as string[]).join(',') };
  }
  if (typeof v === 'object') {
    const pairs = Object.entries(v as Record<string, unknown>).map(([k, x]) => {
      const s = scalar(x);
      if (s === undefined) throw manifestError(source, where, `-${name}: the value of '${excerpt(k)}' must be a string or a number.`, { parameter: name });
      return `${k}=${s}`;
    });
    return { kind: 'value', items: pairs, list: pairs.length > 1, quoted: true, text: pairs.join(',') };
  }
  throw manifestError(source, where, `-${name}: a value must be a string, number, true/false, list or object.`, { parameter: name });
}

function metaText(source: string, where: string, key: string, v: unknown): string {
  if (typeof v !== 'string' || v.trim() === '') throw manifestError(source, where, `${key} must be a non-empty string.`);
  return v.trim();
}

/** Entries of a JSON manifest. */
export function parseJsonManifest(text: string, source: string): ManifestEntry[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    throw new UsageError('EMANIFEST', `${source} is not valid JSON: ${(e as Error).message}.`);
  }
  if (doc && typeof doc === 'object' && !Array.isArray(doc)) {
    const builds = Object.entries(doc).find(([k]) => k.toLowerCase() === 'builds')?.[1];
    if (builds !== undefined) doc = builds;
  }
  if (!Array.isArray(doc)) throw new UsageError('EMANIFEST', `${source} must hold an array of builds (or {"Builds": [...]}), one object per medium.`);
  return doc.map((raw, k): ManifestEntry => {
    const index = k + 1;
    let where = `entry ${index}`;
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw manifestError(source, where, 'an entry must be an object of parameter names and values.');
    const fields = Object.entries(raw as Record<string, unknown>);
    const meta = (key: string): unknown => fields.find(([n]) => n.toLowerCase() === key)?.[1];
    const label = meta('entry') === undefined ? String(index) : metaText(source, where, 'Entry', String(meta('entry')));
    where = entryName({ index, label });
    const entry: ManifestEntry = { index, label, tokens: [] };
    if (meta('cmdlet') !== undefined) entry.cmdlet = metaText(source, where, 'Cmdlet', meta('cmdlet'));
    if (meta('kind') !== undefined) entry.kind = metaText(source, where, 'Kind', meta('kind'));
    for (const [name, v] of fields) {
      if (META.has(name.toLowerCase())) continue;
      checkName(source, where, name);
      const value = jsonValue(source, where, name, v);
      if (value) entry.tokens.push({ kind: 'parameter', name, colon: true, value, text: `-${name}:${value.text}` });
    }
    return entry;
  });
}

/** RFC 4180 records: quoted fields may hold commas, quotes ("") and line breaks. */
export function parseCsvRecords(text: string, source: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  const endField = (): void => { row.push(field); field = ''; };
  const endRow = (): void => { endField(); if (!(row.length === 1 && row[0] === '')) rows.push(row); row = []; };
  for (; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; } else if (c === '"') quoted = false; else { if (c === '\n') line++; field += c; }
    } else if (c === '"' && field === '') quoted = true;
    else if (c === ',') endField();
    else if (c === '\n' || c === '\r') { if (c === '\r' && text[i + 1] === '\n') i++; endRow(); line++; }
    else field += c;
  }
  if (quoted) throw new UsageError('EMANIFEST', `${source} line ${line}: a quoted field is not closed.`);
  if (field !== '' || row.length > 0) endRow();
  return rows;
}

/** Entries of a CSV manifest: a header row, then one row per medium. */
export function parseCsvManifest(text: string, source: string): ManifestEntry[] {
  const [header, ...rows] = parseCsvRecords(text, source);
  if (!header) throw new UsageError('EMANIFEST', `${source} is empty: give a header row of parameter names and one row per medium.`);
  const names = header.map((h) => h.trim());
  names.forEach((n, k) => { if (!META.has(n.toLowerCase())) checkName(source, `column ${k + 1}`, n); });
  return rows.map((cells, k): ManifestEntry => {
    const index = k + 1;
    if (cells.length > names.length) throw manifestError(source, `entry ${index}`, `the row has ${cells.length} fields but the header names ${names.length}; quote values that hold commas.`);
    const cell = (key: string): string | undefined => {
      const c = names.findIndex((n) => n.toLowerCase() === key);
      const v = c < 0 ? undefined : cells[c]?.trim();
      return v === '' ? undefined : v;
    };
    const label = cell('entry') ?? String(index);
    const where = entryName({ index, label });
    const entry: ManifestEntry = { index, label, tokens: [] };
    const cmdlet = cell('cmdlet');
    const kind = cell('kind');
    if (cmdlet !== undefined) entry.cmdlet = cmdlet;
    if (kind !== undefined) entry.kind = kind;
    names.forEach((name, c) => {
      const v = cells[c];
      if (META.has(name.toLowerCase()) || v === undefined || v.trim() === '') return;
      // the cell is one command-line word: commas make lists, a wrapping quote keeps one string
      try {
        entry.tokens.push(...tokenizeArgv([`-${name}:${v.trim()}`]));
      } catch (e) {
        throw manifestError(source, where, `-${name}: ${(e as Error).message}`, { parameter: name });
      }
    });
    return entry;
  });
}

/** Entries of a manifest, by its extension (.json or .csv). */
export function parseManifest(text: string, source: string): ManifestEntry[] {
  const ext = /\.(json|csv)$/i.exec(source)?.[1]?.toLowerCase();
  if (ext === undefined) throw new UsageError('EMANIFEST', `${source}: a manifest is a .json or a .csv file.`);
  const entries = ext === 'json' ? parseJsonManifest(text, source) : parseCsvManifest(text, source);
  if (entries.length === 0) throw new UsageError('EMANIFEST', `${source} lists no builds.`);
  return entries;
}
