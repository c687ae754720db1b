// Test: the four output formats on the same objects: Table (Format-Table look, alignment, fitting,
// colour only when asked), List, Json (one document, dates, bigints, bytes) and Csv (RFC 4180).
import test from 'ava';
import { formatCsv } from '../../lib/shell/format-csv.js';
import { formatJson } from '../../lib/shell/format-json.js';
import { formatList } from '../../lib/shell/format-list.js';
import { fitWidths, formatTable } from '../../lib/shell/format-table.js';
import { valueText } from '../../lib/shell/format-value.js';

const rows = [
  { PackageID: 'PS100001', Name: 'Tools', Size: 1234567, Created: new Date(Date.UTC(2026, 0, 2, 3, 4, 5)) },
  { PackageID: 'PS100002', Name: 'Office 365', Size: 42, Created: new Date(Date.UTC(2026, 5, 7)) },
];
const ESC = '\x1b[';

test('Table: PowerShell layout, a rule as long as each header, numbers right-aligned', (t) => {
  const out = formatTable(rows, { width: 120, color: false });
  t.is(out, [
    '',
    'PackageID Name          Size Created',
    '--------- ----          ---- -------',
    'PS100001  Tools      1234567 2026-01-02T03:04:05Z',
    'PS100002  Office 365      42 2026-06-07T00:00:00Z',
    '',
    '',
  ].join('\n'));
});

test('Table: the default view picks and orders the columns', (t) => {
  const out = formatTable(rows, { width: 120, color: false, columns: ['Name', 'PackageID'] });
  t.is(out.trim().split('\n')[0], 'Name       PackageID');
  t.false(out.includes('1234567'));
});

test('Table: columns shrink to the width and cut with an ellipsis', (t) => {
  const long = [{ Name: 'x'.repeat(80), Description: 'd'.repeat(80), Size: 1 }];
  const out = formatTable(long, { width: 60, color: false });
  const lines = out.split('\n').filter((l) => l !== '');
  for (const l of lines) t.true(l.length <= 59, `'${l}' fits in 59 columns`);
  t.true(lines[2]?.includes('…'));
  t.true(lines[2]?.endsWith(' 1'), 'the number column keeps its value');
});

test('Table: fitWidths shrinks the widest first and stops at the minimum', (t) => {
  t.deepEqual(fitWidths([10, 4, 30], 30), [10, 4, 14]);
  t.deepEqual(fitWidths([3, 3], 100), [3, 3]);
  t.deepEqual(fitWidths([5, 5, 5], 3), [2, 2, 2]);
});

test('Table: no escape codes without colour; a coloured header with it', (t) => {
  t.false(formatTable(rows, { width: 120, color: false }).includes(ESC));
  const coloured = formatTable(rows, { width: 120, color: true });
  const lines = coloured.split('\n');
  t.true(lines[1]?.includes(`${ESC}32;1mPackageID${ESC}0m`));
  t.false(lines[3]?.includes(ESC), 'data rows are plain');
});

test('Table: nested values are short summaries on one line', (t) => {
  const out = formatTable([{ A: [1, 2, 3, 4, 5, 6], B: { X: 1, Y: 'z' }, C: 'two\nlines', D: null, E: true }], { width: 120, color: false });
  const line = out.split('\n')[3] ?? '';
  t.true(line.includes('{1, 2, 3, 4, …}'));
  t.true(line.includes('@{X=1; Y=z}'));
  t.true(line.includes('two lines'));
  t.true(line.includes('True'));
});

test('Table: wide characters keep columns aligned', (t) => {
  const out = formatTable([{ Name: '日本語', N: 1 }, { Name: 'abc', N: 22 }], { width: 120, color: false });
  const lines = out.split('\n');
  // '日本語' is 6 columns wide, so N starts after 7 columns on every line
  t.is(lines[3], '日本語  1');
  t.is(lines[4], 'abc    22');
});

test('Table: bare values print one per line; nothing prints nothing', (t) => {
  t.is(formatTable(['a', 'b'], { width: 120, color: false }), 'a\nb\n');
  t.is(formatTable(undefined, { width: 120, color: false }), '');
  t.is(formatTable([], { width: 120, color: false }), '');
});

test('valueText: PowerShell forms for lists, records, booleans, dates, bytes', (t) => {
  t.is(valueText(['a', 'b']), '{a, b}');
  t.is(valueText({ A: 1 }), '@{A=1}');
  t.is(valueText(false), 'False');
  t.is(valueText(new Date(Date.UTC(2026, 0, 1, 0, 0, 0, 5))), '2026-01-01T00:00:00.005Z');
  t.is(valueText(Buffer.alloc(3)), 'byte[3]');
  t.is(valueText(12n), '12');
});

test('List: one aligned Name : value line per property, a blank line around each object', (t) => {
  t.is(formatList(rows), [
    '',
    'PackageID : PS100001',
    'Name      : Tools',
    'Size      : 1234567',
    'Created   : 2026-01-02T03:04:05Z',
    '',
    'PackageID : PS100002',
    'Name      : Office 365',
    'Size      : 42',
    'Created   : 2026-06-07T00:00:00Z',
    '',
    '',
  ].join('\n'));
});

test('List: a multi-line value continues under its first line', (t) => {
  t.is(formatList({ Ab: 'one\ntwo' }), '\nAb : one\n     two\n\n');
});

test('Json: an array stays an array, even of one', (t) => {
  const doc = JSON.parse(formatJson([rows[0]])) as unknown;
  t.true(Array.isArray(doc));
  t.is((doc as unknown[]).length, 1);
});

test('Json: one object stays an object; nothing is null', (t) => {
  t.deepEqual(JSON.parse(formatJson({ A: 1 })), { A: 1 });
  t.is(formatJson(undefined), 'null\n');
});

test('Json: dates as ISO strings, bigints safely, bytes as base64', (t) => {
  const doc = JSON.parse(formatJson({ D: rows[0]?.Created, Small: 5n, Huge: 2n ** 64n, Buf: Buffer.from('hi'), U8: new Uint8Array([1, 2]), M: new Map([['k', 'v']]), S: new Set([1]) })) as Record<string, unknown>;
  t.is(doc['D'], '2026-01-02T03:04:05.000Z');
  t.is(doc['Small'], 5);
  t.is(doc['Huge'], '18446744073709551616');
  t.is(doc['Buf'], 'aGk=');
  t.is(doc['U8'], 'AQI=');
  t.deepEqual(doc['M'], { k: 'v' });
  t.deepEqual(doc['S'], [1]);
});

/** A small RFC 4180 reader written for this test, to read our CSV back independently of the writer. */
function readCsv(text: string): string[][] {
  const records: string[][] = [];
  let row: string[] = [];
  let field = '';
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const c = text[i] as string;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i += 2; continue; }
      if (c === '"') { quoted = false; i++; continue; }
      field += c; i++; continue;
    }
    if (c === '"') { quoted = true; i++; continue; }
    if (c === ',') { row.push(field); field = ''; i++; continue; }
    if (c === '\r' && text[i + 1] === '\n') { row.push(field); records.push(row); row = []; field = ''; i += 2; continue; }
    if (c === '\n') throw new Error('bare LF outside quotes');
    field += c; i++;
  }
  if (field !== '' || row.length > 0) throw new Error('last record not ended by CRLF');
  return records;
}

test('Csv: a header row, CRLF line ends, quoting only where RFC 4180 needs it', (t) => {
  const out = formatCsv([{ A: 'plain', B: 'with,comma', C: 'say "hi"', D: 'two\nlines' }, { A: 1, B: true, C: null, D: ['x', 'y'] }]);
  t.is(out, 'A,B,C,D\r\nplain,"with,comma","say ""hi""","two\nlines"\r\n1,True,,"[""x"",""y""]"\r\n');
  t.deepEqual(readCsv(out), [['A', 'B', 'C', 'D'], ['plain', 'with,comma', 'say "hi"', 'two\nlines'], ['1', 'True', '', '["x","y"]']]);
});

test('Csv: all properties over all objects; bare values under a Value column', (t) => {
  t.deepEqual(readCsv(formatCsv([{ A: 1 }, { B: 2 }])), [['A', 'B'], ['1', ''], ['', '2']]);
  t.deepEqual(readCsv(formatCsv(['x', 'y'])), [['Value'], ['x'], ['y']]);
  t.is(formatCsv([]), '');
});
