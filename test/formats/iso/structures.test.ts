// The small structures, field by field: numbers, dates, names, path tables, directory records,
// the boot catalog, UDF tags and CRC, File Entries and FIDs.
import test from 'ava';
import { writeBoth16, writeBoth32, readBoth32 } from '../../../lib/formats/iso/both-endian.js';
import { writeVolumeDate, writeRecordDate, readRecordDate, readVolumeDate } from '../../../lib/formats/iso/iso-date.js';
import { isoNamesForDirectory } from '../../../lib/formats/iso/iso-names.js';
import { checkJolietName, utf16be, fromUtf16be, compareJoliet } from '../../../lib/formats/iso/joliet-names.js';
import { encodePathTable, decodePathTable } from '../../../lib/formats/iso/path-table.js';
import { writeDirectoryRecord, readDirectoryRecord, recordLength } from '../../../lib/formats/iso/directory-record.js';
import { encodeBootCatalog, decodeBootCatalog } from '../../../lib/formats/iso/el-torito.js';
import { patchBootInfoTable } from '../../../lib/formats/iso/boot-info-table.js';
import { crc16, writeTag, readTag } from '../../../lib/formats/iso/udf/tag.js';
import { encodeFileEntry, decodeFileEntry } from '../../../lib/formats/iso/udf/file-entry.js';
import { writeFid, readFid, fidLength } from '../../../lib/formats/iso/udf/file-identifier.js';
import { cs0, fromCs0, writeDstring, readDstring } from '../../../lib/formats/iso/udf/primitives.js';
import { FormatError, TsmediaError } from '../../../lib/errors.js';

const D = new Date('2026-03-04T05:06:07.890Z');

test('both-endian numbers: little-endian then big-endian', (t) => {
  const b = Buffer.alloc(12);
  writeBoth16(b, 0, 0x1234);
  writeBoth32(b, 4, 0x01020304);
  t.is(b.toString('hex'), '34121234' + '0403020101020304');
  t.is(readBoth32(b, 4), 0x01020304);
});

test('dates: 17-byte volume form and 7-byte record form, UTC', (t) => {
  const b = Buffer.alloc(17);
  writeVolumeDate(b, 0, D);
  t.is(b.toString('latin1', 0, 16), '2026030405060789');
  t.is(b[16], 0);
  t.is(readVolumeDate(b, 0)?.toISOString(), '2026-03-04T05:06:07.890Z');
  writeVolumeDate(b, 0, undefined);
  t.is(b.toString('latin1', 0, 16), '0000000000000000');
  const r = Buffer.alloc(7);
  writeRecordDate(r, 0, D);
  t.deepEqual([...r], [126, 3, 4, 5, 6, 7, 0]);
  t.is(readRecordDate(r, 0)?.toISOString(), '2026-03-04T05:06:07.000Z');
});

test('ISO 9660 names: d-characters, 30-character files, unique per directory', (t) => {
  const ids = isoNamesForDirectory([
    { name: 'readme.txt', isDir: false }, { name: 'README.TXT', isDir: false }, { name: 'no-ext', isDir: false },
    { name: 'a.b.c.tar.gz', isDir: false }, { name: 'x'.repeat(40) + '.cab', isDir: false }, { name: 'Dir.With.Dots', isDir: true },
  ]);
  t.deepEqual(ids.slice(0, 4), ['README.TXT', 'README~1.TXT', 'NO_EXT.', 'A_B_C_TAR.GZ']);
  t.is(ids[4], 'X'.repeat(27) + '.CAB'); // name + extension = 30
  t.is(ids[5], 'DIR_WITH_DOTS');
  t.is(new Set(ids).size, ids.length);
});

test('Joliet names: UTF-16BE, forbidden characters and length are errors', (t) => {
  t.is(utf16be('Aé😀').toString('hex'), '004100e9d83dde00');
  t.is(fromUtf16be(utf16be('Aé😀')), 'Aé😀');
  t.notThrows(() => checkJolietName('x'.repeat(103), 'p'));
  for (const bad of ['x'.repeat(104), 'a:b', 'a*b', 'a?b', 'a;b', 'tab\there', '', '..']) {
    const e = t.throws(() => checkJolietName(bad, `dir/${bad}`), { instanceOf: TsmediaError });
    t.is(e!.code, 'EISO_NAME');
  }
  t.true(compareJoliet('B', 'a') < 0);
});

test('path table: L and M forms round-trip, odd identifiers padded', (t) => {
  const entries = [{ id: Buffer.from([0]), lba: 20, parent: 1 }, { id: Buffer.from('ABC'), lba: 21, parent: 1 }, { id: Buffer.from('DE'), lba: 0x01020304, parent: 2 }];
  const l = encodePathTable(entries, false);
  const m = encodePathTable(entries, true);
  t.is(l.length, 10 + 12 + 10);
  t.is(m.readUInt32BE(22 + 2), 0x01020304); // third entry's LBA, big-endian
  t.is(m.readUInt16BE(22 + 6), 2);
  t.deepEqual(decodePathTable(l).map((e) => [e.id.toString('latin1'), e.lba, e.parent]), [['\0', 20, 1], ['ABC', 21, 1], ['DE', 0x01020304, 2]]);
});

test('directory record: padded length, fields, and refusal of a bad length', (t) => {
  t.is(recordLength(1), 34);
  t.is(recordLength(6), 40);
  const b = Buffer.alloc(2048);
  const n = writeDirectoryRecord(b, 0, { lba: 300, size: 5000, flags: 0, id: Buffer.from('A.TXT;1') }, D);
  t.is(n, 40);
  const r = readDirectoryRecord(b, 0, 2048)!;
  t.is(r.lba, 300);
  t.is(r.size, 5000);
  t.is(r.id.toString(), 'A.TXT;1');
  t.is(b.readUInt32BE(6), 300);
  b[0] = 20;
  t.throws(() => readDirectoryRecord(b, 0, 2048), { instanceOf: FormatError });
  t.is(readDirectoryRecord(Buffer.alloc(64), 0, 64), undefined);
});

test('boot catalog: checksum sums to zero, BIOS default entry + final UEFI section', (t) => {
  const c = encodeBootCatalog([{ platform: 0, lba: 0x2f2, sectorCount: 4, loadSegment: 0x7c0 }, { platform: 0xef, lba: 0x22, sectorCount: 2880, loadSegment: 0 }]);
  let sum = 0;
  for (let i = 0; i < 32; i += 2) sum = (sum + c.readUInt16LE(i)) & 0xffff;
  t.is(sum, 0);
  t.is(c.subarray(0x20, 0x2c).toString('hex'), '8800c00700000400f2020000');
  t.is(c.subarray(0x40, 0x44).toString('hex'), '91ef0100');
  t.is(c.subarray(0x60, 0x6c).toString('hex'), '880000000000400b22000000');
  t.deepEqual(decodeBootCatalog(c).map((e) => [e.platform, e.lba, e.sectorCount]), [[0, 0x2f2, 4], [0xef, 0x22, 2880]]);
  c[28] = c[28]! ^ 1;
  t.throws(() => decodeBootCatalog(c), { instanceOf: FormatError });
});

test('boot info table: PVD, image LBA, length and the checksum of bytes 64..end', (t) => {
  const img = Buffer.alloc(2048);
  for (let i = 64; i < 2048; i += 4) img.writeUInt32LE(i, i);
  const p = patchBootInfoTable(img, 16, 1000);
  let sum = 0;
  for (let i = 64; i < 2048; i += 4) sum = (sum + i) >>> 0;
  t.deepEqual([p.readUInt32LE(8), p.readUInt32LE(12), p.readUInt32LE(16), p.readUInt32LE(20)], [16, 1000, 2048, sum]);
});

test('UDF CRC is CRC-16/XMODEM; tags carry checksum, CRC and location', (t) => {
  t.is(crc16(Buffer.from('123456789'), 0, 9), 0x31c3);
  const b = Buffer.alloc(512);
  b.write('body', 16);
  writeTag(b, 0, 8, 77, 512);
  t.deepEqual(readTag(b, 0, 8, 77), { id: 8, version: 2, crcLength: 496, location: 77 });
  t.throws(() => readTag(b, 0, 8, 78), { instanceOf: FormatError });
  b[100] = b[100]! ^ 1;
  t.throws(() => readTag(b, 0, 8, 77), { instanceOf: FormatError, message: /CRC/ });
  b[100] = b[100]! ^ 1;
  b[1] = b[1]! ^ 1;
  t.throws(() => readTag(b, 0), { instanceOf: FormatError, message: /checksum/ });
});

test('UDF File Entry: 64-bit size over 1 GiB short_ads; FID names in CS0', (t) => {
  const b = Buffer.alloc(2048);
  const size = 4.5 * 2 ** 30 + 1;
  encodeFileEntry(b, { block: 9, directory: false, size, dataBlock: 100, links: 1, uniqueId: 16, date: D });
  const fe = decodeFileEntry(b, 9);
  t.is(fe.size, size);
  t.is(fe.extents.length, 5);
  t.deepEqual(fe.extents[1], { block: 100 + 0x3fff_f800 / 2048, length: 0x3fff_f800 });
  t.is(fe.extents.reduce((s, e) => s + e.length, 0), size);
  t.deepEqual([...cs0('abc')], [8, 0x61, 0x62, 0x63]);
  t.deepEqual([...cs0('日')], [16, 0x65, 0xe5]);
  t.is(fromCs0(cs0('日本 é')), '日本 é');
  const f = Buffer.alloc(128);
  const n = writeFid(f, 0, 5, 2, 'Dir é', 42);
  t.is(n, fidLength(6));
  t.is(n % 4, 0);
  t.deepEqual(readFid(f, 0, 5), { characteristics: 2, name: 'Dir é', icbBlock: 42, length: n });
  const d = Buffer.alloc(32);
  writeDstring(d, 0, 32, 'Ω'.repeat(40));
  t.is(readDstring(d, 0, 32), 'Ω'.repeat(15));
});
