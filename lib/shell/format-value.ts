// How one property value reads in a table cell, a list line or a CSV field. Pure.

/** PowerShell's $FormatEnumerationLimit: a table cell shows this many items of a list, then '…'. */
export const ENUMERATION_LIMIT = 4;

export type Row = Record<string, unknown>;

/** The result of a cmdlet as a list of records (objects) or of bare values (strings, numbers). */
export interface Results {
  /** The cmdlet returned an array (Json writes an array even of one item). */
  many: boolean;
  items: unknown[];
}

export function toResults(value: unknown): Results {
  if (value === undefined || value === null) return { many: false, items: [] };
  if (Array.isArray(value)) return { many: true, items: value.filter((v) => v !== undefined) };
  return { many: false, items: [value] };
}

/** A record is a plain object that is not a Date, array, buffer or other special value. */
export function isRecord(v: unknown): v is Row {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date) && !ArrayBuffer.isView(v) && !(v instanceof Map) && !(v instanceof Set);
}

/** Property names over all records, in first-seen order (PowerShell takes the first object's only). */
export function propertyNames(items: readonly unknown[]): string[] {
  const names = new Set<string>();
  for (const item of items) if (isRecord(item)) for (const k of Object.keys(item)) names.add(k);
  return [...names];
}

/** A date as ISO 8601 in UTC, without milliseconds when there are none. */
export function dateText(d: Date): string {
  if (Number.isNaN(d.getTime())) return '';
  const iso = d.toISOString();
  return iso.endsWith('.000Z') ? iso.slice(0, -5) + 'Z' : iso;
}

/**
 * Text for a scalar or a short summary of a nested value: lists as `{a, b, c}` (PowerShell's form,
 * cut at `limit` items), records as `@{Name=x; Size=3}`.
 */
export function valueText(v: unknown, limit = Infinity, depth = 0): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  if (v instanceof Date) return dateText(v);
  if (ArrayBuffer.isView(v)) return `byte[${v.byteLength}]`;
  if (depth > 1) return '…';
  if (v instanceof Map) return valueText(Object.fromEntries(v), limit, depth);
  if (Array.isArray(v) || v instanceof Set) {
    const all = [...v];
    const shownItems = all.slice(0, limit).map((x) => valueText(x, limit, depth + 1));
    return `{${shownItems.join(', ')}${all.length > limit ? ', …' : ''}}`;
  }
  if (isRecord(v)) return `@{${Object.entries(v).map(([k, x]) => `${k}=${valueText(x, limit, depth + 1)}`).join('; ')}}`;
  return String(v);
}

/** Numbers line up on the right in a table column. */
export function isNumeric(v: unknown): boolean {
  return typeof v === 'number' || typeof v === 'bigint';
}
