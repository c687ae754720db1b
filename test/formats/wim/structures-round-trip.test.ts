import test from 'ava';
import { createHash } from 'node:crypto';
import { FormatError } from '../../../lib/errors.js';
import { decodeBlobTable, encodeBlobTable, BLOB_ENTRY_SIZE } from '../../../lib/formats/wim/blob-table.js';
import { decodeChunkTable, encodeChunkTable, chunkTableSize } from '../../../lib/formats/wim/chunk-table.js';
import { encodeDentry, readDentry, type DiskDentry } from '../../../lib/formats/wim/dentry.js';
import { blankHeader, decodeHeader, encodeHeader, WIM_HEADER_SIZE, HDR_FLAG_RP_FIX } from '../../../lib/formats/wim/header.js';
import { decodeIntegrity, encodeIntegrity } from '../../../lib/formats/wim/integrity.js';
import { decodeMetadata, encodeMetadata, sortTree, walkTree, type WimNode } from '../../../lib/formats/wim/metadata.js';
import { decodeResourceHeader, encodeResourceHeader } from '../../../lib/formats/wim/resource-header.js';
import { decodeSecurity, encodeSecurity } from '../../../lib/formats/wim/security.js';
import { decodeXmlBytes, encodeXmlBytes, imageElement, imagesOf, readTime, wimXml, childText } from '../../../lib/formats/wim/xml.js';

const sha1 = (s: string): Uint8Array => new Uint8Array(createHash('sha1').update(s).digest());

test('header: 208 bytes, golden fields, round trip, rejects bad magic/version/parts', (t) => {
  const h = { ...blankHeader(), flags: HDR_FLAG_RP_FIX, imageCount: 2, bootIndex: 1, guid: new Uint8Array(16).fill(7),
    blobTable: { sizeInWim: 100, flags: 2, offset: 5000, originalSize: 100 } };
  const b = encodeHeader(h);
  t.is(b.length, WIM_HEADER_SIZE);
  t.is(Buffer.from(b.subarray(0, 16)).toString('hex'), '4d5357494d000000d0000000000d0100');
  t.is(b[0x30], 100);
  t.is(b[0x37], 2);
  t.deepEqual(decodeHeader(b), h);
  const bad = Uint8Array.from(b); bad[0] = 0x4e;
  t.throws(() => decodeHeader(bad), { instanceOf: FormatError });
  const v = Uint8Array.from(b); v[0x0d] = 0x0e;
  t.throws(() => decodeHeader(v), { instanceOf: FormatError });
  const p = Uint8Array.from(b); p[0x28] = 3;
  t.throws(() => decodeHeader(p), { instanceOf: FormatError, message: /part number/ });
  t.throws(() => decodeHeader(b.subarray(0, 100)), { instanceOf: FormatError });
});

test('reshdr: 56-bit size and flags byte', (t) => {
  const r = { sizeInWim: 2 ** 40 + 5, flags: 0x06, offset: 2 ** 33, originalSize: 2 ** 41 };
  const b = encodeResourceHeader(r);
  t.is(b[7], 6);
  t.is(b[5], 1);
  t.deepEqual(decodeResourceHeader(b), r);
});

test('blob table: 50-byte entries, metadata split out, other parts and zero hashes dropped', (t) => {
  const e = (flags: number, part: number, h: Uint8Array) => ({ reshdr: { sizeInWim: 10, flags, offset: 208, originalSize: 10 }, partNumber: part, refCount: 1, hash: h });
  const entries = [e(2, 1, sha1('m')), e(0, 1, sha1('a')), e(0, 2, sha1('b')), e(0, 1, new Uint8Array(20)), e(0, 1, sha1('a'))];
  const b = encodeBlobTable(entries);
  t.is(b.length, 5 * BLOB_ENTRY_SIZE);
  const d = decodeBlobTable(b, 1);
  t.is(d.metadata.length, 1);
  t.deepEqual([...d.blobs.keys()], [Buffer.from(sha1('a')).toString('hex')]);
  t.throws(() => decodeBlobTable(b.subarray(1), 1), { instanceOf: FormatError });
});

test('chunk table: no entry for chunk 0, offsets relative to table end, 8-byte entries above 4 GiB', (t) => {
  const sizes = [100, 32768, 7];
  const orig = 32768 * 2 + 10;
  const tab = encodeChunkTable(sizes, orig);
  t.is(tab.length, 8);
  t.is(chunkTableSize(orig, 32768), 8);
  const l = decodeChunkTable(tab, orig, 8 + 100 + 32768 + 7, 32768);
  t.deepEqual([...l.offsets], [8, 108, 108 + 32768]);
  t.deepEqual([...l.sizes], [100, 32768, 7]);
  t.is(encodeChunkTable([1, 2], 2 ** 32 + 1).length, 8);
  // a chunk larger than its uncompressed size is corrupt
  t.throws(() => decodeChunkTable(tab, orig, 8 + 100 + 32768 + 40, 32768), { instanceOf: FormatError });
});

test('security data: Linux capture form and descriptors round trip; overflow rejected', (t) => {
  t.is(Buffer.from(encodeSecurity([])).toString('hex'), '0800000000000000');
  const sd = [new Uint8Array([1, 2, 3]), new Uint8Array(20).fill(9)];
  const b = encodeSecurity(sd);
  t.is(b.length % 8, 0);
  t.deepEqual(decodeSecurity(b).descriptors, sd);
  const bad = Uint8Array.from(b); bad[4] = 200;
  t.throws(() => decodeSecurity(bad), { instanceOf: FormatError });
});

function dd(p: Partial<DiskDentry>): DiskDentry {
  return { attributes: 0x80, securityId: -1, subdirOffset: 0, creationTime: 1n, lastAccessTime: 2n, lastWriteTime: 3n,
    mainHash: new Uint8Array(20), reparseTag: 0, rpFlags: 0, hardLinkId: 0n, name: 'x', shortName: '', tagged: new Uint8Array(0), streams: [], ...p };
}

test('dentry: 102 fixed bytes, names with NUL, Align8, stream entries after the length', (t) => {
  const d = dd({ name: 'doc', mainHash: sha1('x') });
  const b = encodeDentry(d);
  t.is(b.length, 112); // Align8(102 + 6 + 2), the length wimlib writes for "doc"
  const r = readDentry(b, 0);
  t.deepEqual(r?.dentry, d);
  const s = dd({ name: 'f', shortName: 'F~1', streams: [{ name: '', hash: sha1('u') }, { name: 'ads', hash: sha1('a') }] });
  const sb = encodeDentry(s);
  t.is(Number(Buffer.from(sb).readBigUInt64LE(0)), 120); // Align8(102 + 2+2 + 6+2)
  t.is(sb.length, 120 + 40 + 48);
  t.deepEqual(readDentry(sb, 0)?.dentry, s);
  const bad = Uint8Array.from(sb); bad[0x64] = 200;
  t.throws(() => readDentry(bad, 0), { instanceOf: FormatError });
});

function node(name: string, p: Partial<WimNode> = {}): WimNode {
  return { name, shortName: '', attributes: 0x80, securityId: -1, creationTime: 5n, lastAccessTime: 6n, lastWriteTime: 7n,
    dataHash: null, reparseTag: 0, rpFlags: 0, reparseHash: null, hardLinkId: 0n, namedStreams: [], tagged: new Uint8Array(0), children: null, ...p };
}
const dir = (name: string, children: WimNode[]): WimNode => node(name, { attributes: 0x10, children });

test('metadata: tree round trip with streams, reparse points, hard links; collation order', (t) => {
  const root = dir('', [
    node('b', { dataHash: sha1('b'), hardLinkId: 1n }),
    dir('A', [dir('empty', []), node('ä', { dataHash: sha1('u'), namedStreams: [{ name: 's', hash: sha1('s') }] })]),
    node('a', { dataHash: sha1('b'), hardLinkId: 1n }),
    node('link', { attributes: 0x400, reparseTag: 0xa000000c, rpFlags: 0, reparseHash: sha1('r') }),
  ]);
  sortTree(root);
  t.deepEqual(root.children?.map((c) => c.name), ['A', 'a', 'b', 'link']);
  const b = encodeMetadata({ security: [], root });
  // root at 8, length 104, subdir offset 120 (8 + 104 + 8), as wimlib writes it
  t.is(Number(Buffer.from(b).readBigUInt64LE(8)), 104);
  t.is(Number(Buffer.from(b).readBigUInt64LE(8 + 16)), 120);
  const back = decodeMetadata(b);
  t.deepEqual(back.root, root);
  t.deepEqual([...walkTree(back.root)].map((x) => x.path), ['', 'A', 'A/empty', 'A/ä', 'a', 'b', 'link']);
});

test('metadata: decoding rejects cycles, dot-dot, slash, NUL, and absurd offsets', (t) => {
  const good = encodeMetadata({ security: [], root: dir('', [dir('d', [node('f')])]) });
  const buf = Buffer.from(good);
  // The root's child list begins at 120; dentry "d" there; point d's subdir at the root list -> cycle.
  const dOff = 120;
  const cyc = Buffer.from(buf); cyc.writeBigUInt64LE(120n, dOff + 16);
  t.throws(() => decodeMetadata(cyc), { instanceOf: FormatError, message: /cycle/ });
  for (const bad of ['..', 'a/b', 'a\0', '.']) {
    const m = encodeMetadata({ security: [], root: dir('', [node(bad.padEnd(2, '_').slice(0, bad.length))]) });
    const mb = Buffer.from(m);
    mb.write(bad, 120 + 102, 'utf16le');
    // name length field must match
    mb.writeUInt16LE(bad.length * 2, 120 + 0x64);
    t.throws(() => decodeMetadata(mb), { instanceOf: FormatError });
  }
  const far = Buffer.from(buf); far.writeBigUInt64LE(2n ** 40n, dOff + 16);
  t.throws(() => decodeMetadata(far), { instanceOf: FormatError });
  t.throws(() => decodeMetadata(buf.subarray(0, 130)), { instanceOf: FormatError });
});

test('xml: UTF-16LE with BOM, wimlib element order, escapes, tolerant reader keeps unknown elements', (t) => {
  const img = imageElement(1, { name: 'a&<b>', dirCount: 3, fileCount: 4, totalBytes: 5, hardLinkBytes: 0, creationTime: 0x01dd7c33ee6862een, lastModificationTime: 1n });
  const bytes = encodeXmlBytes(wimXml([img], 1234));
  t.deepEqual([...bytes.subarray(0, 2)], [0xff, 0xfe]);
  const text = Buffer.from(bytes.subarray(2)).toString('utf16le');
  t.is(text, '<WIM><IMAGE INDEX="1"><NAME>a&amp;&lt;b&gt;</NAME><DIRCOUNT>3</DIRCOUNT><FILECOUNT>4</FILECOUNT><TOTALBYTES>5</TOTALBYTES><HARDLINKBYTES>0</HARDLINKBYTES><CREATIONTIME><HIGHPART>0x01DD7C33</HIGHPART><LOWPART>0xEE6862EE</LOWPART></CREATIONTIME><LASTMODIFICATIONTIME><HIGHPART>0x00000000</HIGHPART><LOWPART>0x00000001</LOWPART></LASTMODIFICATIONTIME></IMAGE><TOTALBYTES>1234</TOTALBYTES></WIM>');
  const root = decodeXmlBytes(bytes);
  const [i1] = imagesOf(root, 1);
  t.is(i1 && childText(i1, 'NAME'), 'a&<b>');
  t.is(i1 && readTime(i1, 'CREATIONTIME'), 0x01dd7c33ee6862een);
  const dism = '\ufeff<?xml version="1.0"?>\n<WIM>\n <TOTALBYTES>9</TOTALBYTES>\n <IMAGE INDEX="2"><WINDOWS><EDITIONID>Pro</EDITIONID></WINDOWS></IMAGE><IMAGE INDEX=\'1\'/><!-- c --></WIM>';
  const r2 = decodeXmlBytes(Buffer.from(dism, 'utf16le'));
  const imgs = imagesOf(r2, 2);
  t.is(Buffer.from(encodeXmlBytes(imgs[1] ?? r2)).toString('utf16le').slice(1), '<IMAGE INDEX="2"><WINDOWS><EDITIONID>Pro</EDITIONID></WINDOWS></IMAGE>');
  t.throws(() => imagesOf(r2, 3), { instanceOf: FormatError });
  t.throws(() => decodeXmlBytes(Buffer.from('<WIM><A></B></WIM>', 'utf16le')), { instanceOf: FormatError });
  t.throws(() => imagesOf(decodeXmlBytes(Buffer.from('<WIM><IMAGE INDEX="1"/><IMAGE INDEX="1"/></WIM>', 'utf16le')), 2), { instanceOf: FormatError });
});

test('integrity: size, count and chunk size checked', (t) => {
  const tab = { chunkSize: 10, hashes: [sha1('1'), sha1('2'), sha1('3')] };
  const b = encodeIntegrity(tab);
  t.is(b.length, 12 + 60);
  t.deepEqual(decodeIntegrity(b, 25), tab);
  t.throws(() => decodeIntegrity(b, 35), { instanceOf: FormatError });
  t.throws(() => decodeIntegrity(b.subarray(0, 50), 25), { instanceOf: FormatError });
});
