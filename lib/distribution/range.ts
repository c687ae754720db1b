// HTTP Range and conditional headers for file responses (RFC 9110 §13-14), pure.
// Only single byte ranges are served; a multi-range request gets the whole file (a server may
// ignore Range), which every client handles and resuming never needs.

export type RangeDecision =
  | { kind: 'whole' }
  | { kind: 'partial'; start: number; end: number } // end inclusive
  | { kind: 'unsatisfiable' };

/** Decides from the Range header how much of a `size`-byte representation to send. */
export function decideRange(header: string | undefined, size: number): RangeDecision {
  if (header === undefined) return { kind: 'whole' };
  const m = /^\s*bytes\s*=\s*(.*)$/i.exec(header);
  if (!m) return { kind: 'whole' };              // another unit: ignore the header
  const specs = m[1]!.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (specs.length !== 1) return { kind: 'whole' };
  const spec = /^(\d*)-(\d*)$/.exec(specs[0]!);
  if (!spec || (spec[1] === '' && spec[2] === '')) return { kind: 'whole' }; // malformed: ignore
  if (spec[1] === '') {
    // suffix range: the last N bytes
    const n = Number(spec[2]);
    if (n === 0 || size === 0) return { kind: 'unsatisfiable' };
    return { kind: 'partial', start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(spec[1]);
  const last = spec[2] === '' ? size - 1 : Number(spec[2]);
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(last)) return { kind: 'unsatisfiable' };
  if (spec[2] !== '' && last < start) return { kind: 'whole' }; // invalid: ignore
  if (start >= size) return { kind: 'unsatisfiable' };
  return { kind: 'partial', start, end: Math.min(last, size - 1) };
}

/** Does an If-None-Match list (or *) name this ETag? Weak comparison, as the RFC asks for it. */
export function noneMatch(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  if (header.trim() === '*') return true;
  const bare = etag.replace(/^W\//, '');
  return header.split(',').some((t) => t.trim().replace(/^W\//, '') === bare);
}

/** If-Range holds: absent, or exactly our strong ETag (a date or a weak tag never matches ours). */
export function ifRangeHolds(header: string | undefined, etag: string): boolean {
  return header === undefined || header.trim() === etag;
}
