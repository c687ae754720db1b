// PowerShell wildcards (* and ?) as SQL LIKE patterns (case-insensitive for ASCII, as PowerShell).

export function hasWildcard(pattern: string): boolean {
  return /[*?]/.test(pattern);
}

export function wildcardToLike(pattern: string): string {
  let out = '';
  for (const ch of pattern) {
    if (ch === '*') out += '%';
    else if (ch === '?') out += '_';
    else if (ch === '%' || ch === '_' || ch === '\\') out += `\\${ch}`;
    else out += ch;
  }
  return out;
}
