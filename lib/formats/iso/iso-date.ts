// ECMA-119 dates. Always written in UTC (offset 0) so images depend only on the caller's date.

export const RECORD_DATE_SIZE = 7;

const pad = (n: number, w: number): string => String(n).padStart(w, '0');

/** 8.4.26.1: "YYYYMMDDHHMMSScc" in ASCII digits + GMT offset byte. Undefined gives "unspecified". */
export function writeVolumeDate(buf: Buffer, off: number, date: Date | undefined): void {
  if (!date) {
    buf.write('0'.repeat(16), off, 'latin1');
    buf[off + 16] = 0;
    return;
  }
  const s = pad(date.getUTCFullYear(), 4) + pad(date.getUTCMonth() + 1, 2) + pad(date.getUTCDate(), 2)
    + pad(date.getUTCHours(), 2) + pad(date.getUTCMinutes(), 2) + pad(date.getUTCSeconds(), 2)
    + pad(Math.floor(date.getUTCMilliseconds() / 10), 2);
  buf.write(s, off, 'latin1');
  buf[off + 16] = 0; // GMT offset  1 byte (15-minute units)
}

/** 9.1.5: years since 1900, month, day, hour, minute, second, GMT offset. */
export function writeRecordDate(buf: Buffer, off: number, date: Date): void {
  buf[off] = Math.min(255, Math.max(0, date.getUTCFullYear() - 1900));
  buf[off + 1] = date.getUTCMonth() + 1;
  buf[off + 2] = date.getUTCDate();
  buf[off + 3] = date.getUTCHours();
  buf[off + 4] = date.getUTCMinutes();
  buf[off + 5] = date.getUTCSeconds();
  buf[off + 6] = 0;
}

/** Reads a 7-byte record date; undefined when the fields are out of range. */
export function readRecordDate(buf: Buffer, off: number): Date | undefined {
  const [y, mo, d, h, mi, s] = [buf[off]!, buf[off + 1]!, buf[off + 2]!, buf[off + 3]!, buf[off + 4]!, buf[off + 5]!];
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return undefined;
  const offsetMin = (buf.readInt8(off + 6)) * 15;
  return new Date(Date.UTC(1900 + y, mo - 1, d, h, mi, s) - offsetMin * 60_000);
}

/** Reads a 17-byte volume date; undefined when unspecified or malformed. */
export function readVolumeDate(buf: Buffer, off: number): Date | undefined {
  const s = buf.toString('latin1', off, off + 16);
  if (!/^\d{16}$/.test(s) || s === '0'.repeat(16)) return undefined;
  const n = (a: number, b: number): number => Number(s.slice(a, b));
  const t = Date.UTC(n(0, 4), n(4, 6) - 1, n(6, 8), n(8, 10), n(10, 12), n(12, 14), n(14, 16) * 10);
  if (Number.isNaN(t)) return undefined;
  return new Date(t - buf.readInt8(off + 16) * 15 * 60_000);
}
