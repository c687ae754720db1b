// VFAT long names: checksum, unique 8.3 aliases, encoding and decoding, and refused names.
import test from 'ava';
import { lfnChecksum, ShortNameAllocator, exactShortName, encodeLongEntries, LongNameCollector, longNameProblem, longEntryCount } from '../../../lib/formats/disk/long-names.js';
import { DIR_ENTRY_SIZE, decodeShortName, encodeFatTimestamp } from '../../../lib/formats/disk/dir-entry.js';

const s = (b: Buffer): string => b.toString('latin1');

test('checksum matches the specification\'s rotate-and-add over the 11 name bytes', (t) => {
  // computed by hand from the FAT specification's ChkSum() for "FOO     BAR"
  let sum = 0;
  for (const c of Buffer.from('FOO     BAR', 'latin1')) sum = ((sum & 1 ? 0x80 : 0) + (sum >> 1) + c) & 0xff;
  t.is(lfnChecksum(Buffer.from('FOO     BAR', 'latin1')), sum);
  t.not(lfnChecksum(Buffer.from('FOO     BAR', 'latin1')), lfnChecksum(Buffer.from('FOO     BAS', 'latin1')));
});

test('exact upper-case 8.3 names need no long name; others get unique aliases', (t) => {
  t.is(s(exactShortName('README.TXT')!), 'README  TXT');
  t.is(exactShortName('readme.txt'), undefined);
  t.is(exactShortName('A.B.C'), undefined);
  const a = new ShortNameAllocator();
  a.reserve(exactShortName('FOO~1.TXT')!);
  const foo = a.allocate('foo.txt');
  t.deepEqual([s(foo.short), foo.needsLong], ['FOO     TXT', true]);
  const names = ['foo bar.txt', 'foo baz.txt', 'Foo.Txt.Txt', '.profile', 'ünï.txt', 'a+b=c.txt'].map((n) => s(a.allocate(n).short));
  t.deepEqual(names, ['FOOBAR~1TXT', 'FOOBAZ~1TXT', 'FOOTXT~1TXT', 'PROFIL~1   ', '_N_~1   TXT', 'A_B_C~1 TXT'].map((x) => x.slice(0, 11)));
  t.is(new Set(names).size, names.length);
  const many = new ShortNameAllocator();
  const aliases = Array.from({ length: 200 }, (_, i) => s(many.allocate(`Long file name ${i}.log`).short));
  t.is(new Set(aliases).size, 200);
  t.true(aliases.every((x) => x.length === 11 && x.endsWith('LOG')));
  t.is(aliases[150], 'LONG~151LOG');
});

test('long entries encode and decode, checksum-bound to their short entry', (t) => {
  for (const name of ['x', 'exactly-13chr', 'exactly-14chrs', 'emoji 😀 name.txt', 'n'.repeat(255)]) {
    const short = Buffer.from('ALIAS~1 TXT', 'latin1');
    const buf = Buffer.alloc(longEntryCount(name) * DIR_ENTRY_SIZE);
    t.is(encodeLongEntries(name, lfnChecksum(short), buf, 0), buf.length);
    t.is(buf[0]! & 0x40, 0x40, 'the first entry carries the last-entry flag');
    const c = new LongNameCollector();
    for (let off = 0; off < buf.length; off += DIR_ENTRY_SIZE) c.add(buf, off);
    t.is(c.take(short), name);
    for (let off = 0; off < buf.length; off += DIR_ENTRY_SIZE) c.add(buf, off);
    t.is(c.take(Buffer.from('OTHER   TXT', 'latin1')), undefined, 'a checksum mismatch drops the long name');
  }
});

test('names FAT cannot hold are refused with the reason', (t) => {
  t.regex(longNameProblem('a:b')!, /":"/);
  t.regex(longNameProblem('trailing.')!, /ends with/);
  t.regex(longNameProblem('trailing ')!, /ends with/);
  t.regex(longNameProblem('n'.repeat(256))!, /256/);
  t.regex(longNameProblem('bad\uD800')!, /surrogate/);
  t.is(longNameProblem('fine name (1).txt'), undefined);
});

test('short names decode with NT lower-case flags; dates encode from UTC fields', (t) => {
  t.is(decodeShortName(Buffer.from('README  TXT', 'latin1'), 0x08 | 0x10), 'readme.txt');
  t.is(decodeShortName(Buffer.from('\x05BC     TXT', 'latin1'), 0), '\xe5BC.TXT');
  const ts = encodeFatTimestamp(new Date('2026-03-04T05:06:07.890Z'));
  t.is(ts.date, ((2026 - 1980) << 9) | (3 << 5) | 4);
  t.is(ts.time, (5 << 11) | (6 << 5) | 3);
  t.is(ts.centis, 189);
  t.is(encodeFatTimestamp(new Date('1970-01-01T00:00:00Z')).date, (1 << 5) | 1, 'before 1980 clamps to 1980-01-01');
});
