// Converting argument text to the typed values cmdlets receive. Pure; each parser returns the value
// or undefined, and the binder words the error (so a secret never appears in a message).

/** PowerShell's numeric multipliers: binary, 1KB = 1024. */
const SIZE_UNITS: Readonly<Record<string, number>> = {
  '': 1, b: 1, kb: 2 ** 10, mb: 2 ** 20, gb: 2 ** 30, tb: 2 ** 40, pb: 2 ** 50,
};

/** A whole number within ±2^53, written in decimal (an optional sign, no fraction). */
export function parseInt53(text: string): number | undefined {
  const t = text.trim();
  if (!/^[+-]?\d+$/.test(t)) return undefined;
  const n = Number(t);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** Bytes: `650MB`, `4.7GB`, `8 GB`, `1048576`. Rounded to a whole byte; at most 2^53-1. */
export function parseSize(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*([kmgtp]?b)?\s*$/i.exec(text);
  if (!m) return undefined;
  const unit = SIZE_UNITS[(m[2] ?? '').toLowerCase()];
  if (unit === undefined) return undefined;
  if (unit === 1 && !/^\d+$/.test(m[1] ?? '')) return undefined; // a fraction of a byte
  const n = Math.round(Number(m[1]) * unit);
  return Number.isSafeInteger(n) ? n : undefined;
}

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * A date and time: ISO 8601 (`2026-11-25T08:30:00Z`, `...+02:00`), `yyyy-MM-dd`, or
 * `yyyy-MM-dd HH:mm[:ss]`. Without an offset it is UTC, so builds don't depend on the machine's zone.
 */
export function parseDateTime(text: string): Date | undefined {
  const m = /^\s*(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?\s*$/i.exec(text);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6]].map((v) => Number(v ?? 0)) as [number, number, number, number, number, number];
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const maxDay = month === 2 && !leap ? 28 : DAYS_IN_MONTH[month - 1];
  if (maxDay === undefined || day < 1 || day > maxDay || hour > 23 || minute > 59 || second > 59) return undefined;
  if (m[8] && !m[4]) return undefined; // an offset needs a time
  const ms = m[7] ? Number(m[7].slice(0, 3).padEnd(3, '0')) : 0;
  let offsetMinutes = 0;
  const zone = m[8];
  if (zone && zone.toUpperCase() !== 'Z') {
    const z = /^([+-])(\d{2}):?(\d{2})$/.exec(zone);
    if (!z) return undefined;
    const h = Number(z[2]);
    const mins = Number(z[3]);
    if (h > 14 || mins > 59) return undefined;
    offsetMinutes = (z[1] === '-' ? -1 : 1) * (h * 60 + mins);
  }
  // setUTCFullYear, unlike Date.UTC, does not map years 0..99 to 1900..1999
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, ms);
  return new Date(date.getTime() - offsetMinutes * 60_000);
}

/** `true`/`false`/`1`/`0` for `-Switch:value` (a POSIX shell eats an unquoted `$false`). */
export function parseBoolean(text: string): boolean | undefined {
  const t = text.trim().toLowerCase();
  if (t === 'true' || t === '1' || t === '$true') return true;
  if (t === 'false' || t === '0' || t === '$false') return false;
  return undefined;
}

/**
 * `Name=Value` items (already split on commas), or one PowerShell literal `@{a=1; b=2}`.
 * Keys are unique case-insensitively, as in a PowerShell hashtable; returns the key at fault.
 */
export function parseHashtable(items: readonly string[]): { value: Record<string, string> } | { error: string } {
  let pairs: string[] = [...items];
  const only = items.length === 1 ? items[0]?.trim() : undefined;
  if (only?.startsWith('@{')) {
    if (!only.endsWith('}')) return { error: "a hashtable literal must end with '}'" };
    pairs = only.slice(2, -1).split(/[;\n]/).filter((p) => p.trim() !== '');
  }
  const value: Record<string, string> = Object.create(null) as Record<string, string>;
  const seen = new Set<string>();
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    const key = eq < 0 ? '' : pair.slice(0, eq).trim();
    if (key === '') return { error: `'${pair.length > 60 ? pair.slice(0, 59) + '…' : pair}' is not Name=Value` };
    const lower = key.toLowerCase();
    if (seen.has(lower)) return { error: `the key '${key}' is given twice` };
    seen.add(lower);
    value[key] = unquote(pair.slice(eq + 1).trim());
  }
  return { value };
}

/** Values inside a `@{...}` literal may be quoted. */
function unquote(v: string): string {
  const q = v[0];
  if ((q === "'" || q === '"') && v.length >= 2 && v.endsWith(q)) return v.slice(1, -1).split(q + q).join(q);
  return v;
}
