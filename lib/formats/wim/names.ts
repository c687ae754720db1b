// Name collation for sibling order: case-insensitive by UTF-16 code unit (an upcase table
// approximated with toUpperCase where it maps one unit to one unit, as NTFS's table does),
// then case-sensitive by code unit (wimlib collate_dentry_names).

const upcaseCache = new Map<number, number>();

export function upcaseUnit(u: number): number {
  if (u < 0x61) return u;
  if (u <= 0x7a) return u - 0x20;
  if (u < 0x80) return u;
  let v = upcaseCache.get(u);
  if (v === undefined) {
    const up = String.fromCharCode(u).toUpperCase();
    v = up.length === 1 ? up.charCodeAt(0) : u;
    upcaseCache.set(u, v);
  }
  return v;
}

export function compareNamesInsensitive(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = upcaseUnit(a.charCodeAt(i)) - upcaseUnit(b.charCodeAt(i));
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

export function compareNames(a: string, b: string): number {
  const d = compareNamesInsensitive(a, b);
  if (d !== 0) return d;
  return a < b ? -1 : a > b ? 1 : 0;
}
