// VFAT long file names (Microsoft FAT specification, "FAT Long Directory Entries"): UTF-16 names in
// 13-character slices stored in entries before their 8.3 entry, tied to it by a checksum of the
// short name, and the unique 8.3 alias ("BASIS~N.EXT") each long name needs.
import { DIR_ENTRY_SIZE, ATTR_LONG_NAME, SHORT_NAME_SIZE } from './dir-entry.js';

const OFF_ORDINAL = 0;                           // sequence number, 0x40 on the last  1 byte
const OFF_CHARS_1 = 1;                           // characters 1-5  10 bytes
const OFF_ATTR = 11;                             // 0x0F  1 byte
const OFF_TYPE = 12;                             // 0  1 byte
const OFF_CHECKSUM = 13;                         // checksum of the short name  1 byte
const OFF_CHARS_2 = 14;                          // characters 6-11  12 bytes
                                                 // 26: first cluster, always 0  2 bytes
const OFF_CHARS_3 = 28;                          // characters 12-13  4 bytes
/** Byte offsets of the 13 UTF-16 units in an entry. */
const CHAR_SLOTS: readonly number[] = [
  ...[0, 1, 2, 3, 4].map((i) => OFF_CHARS_1 + 2 * i),
  ...[0, 1, 2, 3, 4, 5].map((i) => OFF_CHARS_2 + 2 * i),
  ...[0, 1].map((i) => OFF_CHARS_3 + 2 * i),
];
export const LFN_CHARS_PER_ENTRY = 13;
export const LAST_LONG_ENTRY = 0x40;
const ORDINAL_MASK = 0x1f;
export const MAX_LONG_NAME = 255;
const MAX_LFN_ENTRIES = Math.ceil(MAX_LONG_NAME / LFN_CHARS_PER_ENTRY);   // 20
const PAD = 0xffff;

/** The checksum stored in every LFN entry: a rotate-right-and-add over the 11 short-name bytes. */
export function lfnChecksum(shortName: Buffer): number {
  let sum = 0;
  for (let i = 0; i < SHORT_NAME_SIZE; i++) sum = ((((sum & 1) << 7) | (sum >> 1)) + (shortName[i] ?? 0)) & 0xff;
  return sum;
}

const FORBIDDEN = /[\u0000-\u001f"*/:<>?\\|]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why `name` cannot be a FAT long name, or undefined when it can. */
export function longNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'the name is empty';
  if (name.length > MAX_LONG_NAME) return `the name is ${name.length} UTF-16 units long; FAT allows ${MAX_LONG_NAME}`;
  if (name === '.' || name === '..') return 'the name is a dot entry';
  const bad = FORBIDDEN.exec(name);
  if (bad) return `the name holds ${JSON.stringify(bad[0])}, which FAT does not allow`;
  if (/[ .]$/.test(name)) return 'the name ends with a space or a dot, which Windows strips';
  if (LONE_SURROGATE.test(name)) return 'the name holds an unpaired UTF-16 surrogate';
  return undefined;
}

const ASCII = /^[\x00-\x7f]*$/;

/** Upper-cases one UTF-16 unit at a time, as FAT's case-insensitive comparisons do. */
export function foldCase(name: string): string {
  if (ASCII.test(name)) return name.toUpperCase();
  let out = '';
  for (const ch of name.split('')) {
    const up = ch.toUpperCase();
    out += up.length === 1 ? up : ch;
  }
  return out;
}

/** Characters an 8.3 name may hold besides A-Z and 0-9. */
const SHORT_SPECIALS = "$%'-_@~`!(){}^#&";

function isShortChar(c: string): boolean {
  return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || SHORT_SPECIALS.includes(c);
}

/** The 11-character name field (latin1 text) of BASE.EXT. */
function shortField(base: string, ext: string): string {
  return base.padEnd(8, ' ') + ext.padEnd(3, ' ');
}

/** The 8.3 form of `name` when it is already a valid upper-case 8.3 name, else undefined. */
export function exactShortName(name: string): Buffer | undefined {
  const m = /^([^.]{1,8})(?:\.([^.]{1,3}))?$/.exec(name);
  if (!m) return undefined;
  const base = m[1] ?? '';
  const ext = m[2] ?? '';
  for (const c of base + ext) if (!isShortChar(c)) return undefined;
  return Buffer.from(shortField(base, ext), 'latin1');
}

/** Maps upper-cased text to the 8.3 alphabet: dots dropped, other characters become '_'. */
function toShortChars(s: string): { text: string; lossy: boolean } {
  let text = '';
  let lossy = false;
  for (const c of s) {
    if (isShortChar(c)) text += c;
    else { lossy = true; if (c !== '.') text += '_'; }
  }
  return { text, lossy };
}

/**
 * Hands out unique 8.3 names within one directory. Reserve every exact 8.3 name first, so a
 * generated alias never takes a name a real file has; then allocate the rest in order.
 */
export class ShortNameAllocator {
  private readonly taken = new Set<string>();
  private readonly nextTail = new Map<string, number>();

  reserve(short: Buffer): void {
    this.taken.add(short.toString('latin1'));
  }

  /**
   * The 8.3 name for `name`: the name itself when it is an exact upper-case 8.3 name (then no
   * long name is needed), else its upper-cased form when that is lossless and free, else BASIS~N.
   */
  allocate(name: string): { short: Buffer; needsLong: boolean } {
    const exact = exactShortName(name);
    if (exact) return { short: exact, needsLong: false };
    const upper = foldCase(name);
    const stripped = upper.replace(/ /g, '').replace(/^\.+/, '');
    const dot = stripped.lastIndexOf('.');
    const base = toShortChars(dot >= 0 ? stripped.slice(0, dot) : stripped);
    const ext = toShortChars(dot >= 0 ? stripped.slice(dot + 1) : '');
    const lossy = stripped !== upper || base.lossy || ext.lossy;
    if (!lossy && base.text.length >= 1 && base.text.length <= 8 && ext.text.length <= 3) {
      const plain = shortField(base.text, ext.text);
      if (!this.taken.has(plain)) return this.take(plain);
    }
    const basis = (base.text || '_').slice(0, 8);
    const ext3 = ext.text.slice(0, 3);
    const key = `${basis}.${ext3}`;
    for (let n = this.nextTail.get(key) ?? 1; ; n++) {
      const tail = `~${n}`;
      const candidate = shortField(basis.slice(0, 8 - tail.length) + tail, ext3);
      if (!this.taken.has(candidate)) {
        this.nextTail.set(key, n + 1);
        return this.take(candidate);
      }
    }
  }

  private take(field: string): { short: Buffer; needsLong: boolean } {
    this.taken.add(field);
    return { short: Buffer.from(field, 'latin1'), needsLong: true };
  }
}

/** How many LFN entries `name` needs. */
export function longEntryCount(name: string): number {
  return Math.ceil(name.length / LFN_CHARS_PER_ENTRY);
}

/** Writes the LFN entries of `name` (last slice first) at `offset`; returns the bytes written. */
export function encodeLongEntries(name: string, checksum: number, out: Buffer, offset: number): number {
  const count = longEntryCount(name);
  const units = new Uint16Array(count * LFN_CHARS_PER_ENTRY).fill(PAD);
  for (let i = 0; i < name.length; i++) units[i] = name.charCodeAt(i);
  if (name.length < units.length) units[name.length] = 0;
  for (let k = 0; k < count; k++) {
    const ordinal = count - k;
    const e = offset + k * DIR_ENTRY_SIZE;
    out.fill(0, e, e + DIR_ENTRY_SIZE);
    out[e + OFF_ORDINAL] = ordinal | (k === 0 ? LAST_LONG_ENTRY : 0);
    out[e + OFF_ATTR] = ATTR_LONG_NAME;
    out[e + OFF_TYPE] = 0;
    out[e + OFF_CHECKSUM] = checksum;
    CHAR_SLOTS.forEach((slot, j) => out.writeUInt16LE(units[(ordinal - 1) * LFN_CHARS_PER_ENTRY + j] ?? PAD, e + slot));
  }
  return count * DIR_ENTRY_SIZE;
}

/**
 * Gathers LFN entries while a directory is read; `take()` returns the long name for the 8.3
 * entry that follows when the run was whole and its checksum matches, else undefined (the
 * short name then stands, as on Windows).
 */
export class LongNameCollector {
  private units: number[] = [];
  private expected = 0;
  private checksum = -1;
  private valid = false;

  add(buf: Buffer, offset: number): void {
    const ord = buf[offset + OFF_ORDINAL] ?? 0;
    const sum = buf[offset + OFF_CHECKSUM] ?? 0;
    const seq = ord & ORDINAL_MASK;
    if (ord & LAST_LONG_ENTRY) {
      this.valid = seq >= 1 && seq <= MAX_LFN_ENTRIES && (buf[offset + OFF_TYPE] ?? 0) === 0;
      this.units = new Array<number>(seq * LFN_CHARS_PER_ENTRY).fill(PAD);
      this.checksum = sum;
      this.expected = seq;
    } else if (!this.valid || seq !== this.expected || sum !== this.checksum) {
      this.valid = false;
      return;
    }
    if (!this.valid) return;
    CHAR_SLOTS.forEach((slot, j) => { this.units[(seq - 1) * LFN_CHARS_PER_ENTRY + j] = buf.readUInt16LE(offset + slot); });
    this.expected = seq - 1;
  }

  take(shortName: Buffer): string | undefined {
    const ok = this.valid && this.expected === 0 && lfnChecksum(shortName) === this.checksum;
    const units = this.units;
    this.reset();
    if (!ok) return undefined;
    const end = units.indexOf(0);
    const used = end >= 0 ? units.slice(0, end) : units.filter((u) => u !== PAD);
    if (used.length === 0) return undefined;
    return String.fromCharCode(...used);
  }

  reset(): void {
    this.units = [];
    this.valid = false;
    this.expected = 0;
    this.checksum = -1;
  }
}
