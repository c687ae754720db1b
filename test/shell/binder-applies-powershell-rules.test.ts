// Test: every binding rule, one row each: names and aliases in any case, prefixes, -Name:value,
// switches, lists, positions, each type, validateSet, parameter sets and mandatory parameters,
// and the one-line message of each failure.
import test from 'ava';
import { UsageError } from '../../lib/errors.js';
import { bindParameters } from '../../lib/shell/binder.js';
import { tokenizeLine } from '../../lib/shell/tokenizer.js';
import type { CmdletSpec } from '../../lib/shell/types.js';
import { getTestItem, newTestPackage } from './test-cmdlets.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
const bind = (cmdlet: CmdletSpec<any>, line: string) => bindParameters(cmdlet, tokenizeLine(line));

const ok: [string, string, Record<string, unknown>][] = [
  ['named parameter', '-Name Tools', { Name: 'Tools' }],
  ['parameter names in any case', '-nAmE Tools', { Name: 'Tools' }],
  ['an alias', '-n Tools', { Name: 'Tools' }],
  ['an alias in any case', '-N Tools -outputpath /x', { Name: 'Tools', Path: '/x' }],
  ['an unambiguous prefix', '-Name T -Pat /x', { Name: 'T', Path: '/x' }],
  ['a prefix of an alias', '-Name T -PackageI a', { Name: 'T', Package: ['a'] }],
  ['an exact name wins over longer names it prefixes', '-Name Tools -NameF x*', { Name: 'Tools', NameFilter: 'x*' }],
  ['-Name:value', '-Name:Tools', { Name: 'Tools' }],
  ['a switch alone is true', 'T -Force', { Name: 'T', Force: true }],
  ['-Switch:$false', 'T -Force:$false', { Name: 'T', Force: false }],
  ['-Switch:$true', 'T -Force:$true', { Name: 'T', Force: true }],
  ['-Switch:false (a POSIX shell eats $false)', 'T -Force:false', { Name: 'T', Force: false }],
  ['a switch never takes the next word', 'T -Force /x', { Name: 'T', Force: true, Path: '/x' }],
  ['positional values in position order', 'Tools /src', { Name: 'Tools', Path: '/src' }],
  ['named first, then positions fill the rest', '-Name Tools /src', { Name: 'Tools', Path: '/src' }],
  ['positions skip a named parameter', '/src -Name Tools', { Name: 'Tools', Path: '/src' }],
  ['an array from a,b,c', 'T -Package PS100001,PS100002,PS100003', { Name: 'T', Package: ['PS100001', 'PS100002', 'PS100003'] }],
  ['an array of one', 'T -Package PS100001', { Name: 'T', Package: ['PS100001'] }],
  ["a quoted 'a,b' is one item", "T -Package 'a,b'", { Name: 'T', Package: ['a,b'] }],
  ["a quoted 'a,b' binds to a string", "'a,b'", { Name: 'a,b' }],
  ['int', 'T -Index 3', { Name: 'T', Index: 3 }],
  ['negative int', 'T -Index -3', { Name: 'T', Index: -3 }],
  ['int array', 'T -Count 1,2,3', { Name: 'T', Count: [1, 2, 3] }],
  ['size in MB (binary)', 'T -MediaSize 650MB', { Name: 'T', MediaSize: 650 * 1024 * 1024 }],
  ['size 4.7GB rounds to a byte', 'T -MediaSize 4.7GB', { Name: 'T', MediaSize: Math.round(4.7 * 2 ** 30) }],
  ['size 8gb any case', 'T -MediaSize 8gb', { Name: 'T', MediaSize: 8 * 2 ** 30 }],
  ['size in plain bytes', 'T -MediaSize 1048576', { Name: 'T', MediaSize: 1048576 }],
  ['size 1TB', 'T -MediaSize 1TB', { Name: 'T', MediaSize: 2 ** 40 }],
  ['secure is a string', "T -Password 'p@ss w0rd'", { Name: 'T', Password: 'p@ss w0rd' }],
  ['hashtable', 'T -Variable OSDComputerName=PC01,SMSTSPreferredAdvertID=PS120001', { Name: 'T', Variable: { OSDComputerName: 'PC01', SMSTSPreferredAdvertID: 'PS120001' } }],
  ['hashtable literal', "T -Variable '@{A=1; B=two}'", { Name: 'T', Variable: { A: '1', B: 'two' } }],
  ['hashtable value with = in it', 'T -Variable A=b=c', { Name: 'T', Variable: { A: 'b=c' } }],
  ['validateSet binds the canonical case', 'T -MediaType usb', { Name: 'T', MediaType: 'Usb' }],
  ['validateSet exact', 'T -MediaType CdDvd', { Name: 'T', MediaType: 'CdDvd' }],
  ['$true as a string value', 'T -NameFilter $true', { Name: 'T', NameFilter: 'True' }],
  ['a quoted -x is a value', "'-x'", { Name: '-x' }],
];
for (const [name, line, expected] of ok) {
  test(`binds: ${name}`, (t) => {
    const b = bind(newTestPackage, line);
    t.deepEqual({ ...b.params }, expected);
  });
}

const dates: [string, string][] = [
  ['2026-11-25', '2026-11-25T00:00:00.000Z'],
  ['2026-11-25 08:30', '2026-11-25T08:30:00.000Z'],
  ['2026-11-25 08:30:15', '2026-11-25T08:30:15.000Z'],
  ['2026-11-25T08:30:15Z', '2026-11-25T08:30:15.000Z'],
  ['2026-11-25T08:30:15.250Z', '2026-11-25T08:30:15.250Z'],
  ['2026-11-25T08:30:15+02:00', '2026-11-25T06:30:15.000Z'],
  ['2026-11-25T08:30-0130', '2026-11-25T10:00:00.000Z'],
  ['2024-02-29', '2024-02-29T00:00:00.000Z'],
];
for (const [text, iso] of dates) {
  test(`binds datetime '${text}' as UTC unless an offset is given`, (t) => {
    const b = bindParameters(newTestPackage, [...tokenizeLine('T -Since'), { kind: 'value', items: [text], list: false, quoted: true, text }]);
    t.true(b.params['Since'] instanceof Date);
    t.is((b.params['Since'] as Date).toISOString(), iso);
  });
}

const failures: [string, string, string | RegExp][] = [
  ['unknown parameter suggests the nearest', 'T -Nmae x', 'New-TestPackage has no parameter -Nmae. Did you mean -Name?'],
  ['unknown parameter far from any', 'T -Zzzzzz x', /has no parameter -Zzzzzz\. Run 'tsmedia Get-Help New-TestPackage'/],
  ['ambiguous prefix lists the candidates', 'T -Pa x', 'Parameter -Pa is ambiguous for New-TestPackage: it could be -Path, -Package, -Password.'],
  ['missing value at the end', 'T -Path', 'Missing an argument for -Path: give a string after it.'],
  ['missing value before a parameter', 'T -Path -Force', 'Missing an argument for -Path: give a string after it.'],
  ['missing value for -Switch:', 'T -Force:', /^Missing a value after -Force: write -Force:\$true or -Force:\$false/],
  ['a switch with a non-boolean', 'T -Force:maybe', "Cannot bind -Force: 'maybe' is not $true or $false."],
  ['missing mandatory', '-Path /x', 'Missing mandatory parameter -Name for New-TestPackage.'],
  ['wrong type: not an integer', 'T -Index abc', "Cannot bind -Index: 'abc' is not an integer."],
  ['wrong type: 1.5 is not an integer', 'T -Index 1.5', "Cannot bind -Index: '1.5' is not an integer."],
  ['wrong type: integer overflow', 'T -Index 99999999999999999999', /is not an integer/],
  ['wrong type: bad size', 'T -MediaSize 12XB', /^Cannot bind -MediaSize: '12XB' is not a size \(bytes, or a number with KB, MB, GB or TB/],
  ['wrong type: fractional plain bytes', 'T -MediaSize 1.5', /is not a size/],
  ['wrong type: bad date', 'T -Since 2026-13-01', /^Cannot bind -Since: '2026-13-01' is not a date/],
  ['wrong type: 30 February', 'T -Since 2026-02-30', /is not a date/],
  ['wrong type: 29 February in a common year', 'T -Since 2025-02-29', /is not a date/],
  ['wrong type: 24:00', "T -Since '2026-01-01 24:00'", /is not a date/],
  ['wrong type: hashtable without =', 'T -Variable abc', /^Cannot bind -Variable: 'abc' is not Name=Value/],
  ['hashtable with a key twice', 'T -Variable a=1,A=2', /the key 'A' is given twice/],
  ['value not in the set lists the set', 'T -MediaType Floppy', "Cannot bind -MediaType: 'Floppy' is not one of CdDvd, Usb."],
  ['a list for a single value', 'T -Path a,b', "Cannot bind -Path: it takes one value, not the list 'a,b'. Quote the value to pass text with commas."],
  ['a parameter given twice', 'T -Path a -Path b', 'Cannot bind -Path: it is given more than once.'],
  ['an alias and its parameter given together', 'T -Path a -OutputPath b', 'Cannot bind -Path: it is given more than once.'],
  ['too many positional values', 'T /x extra', "Unexpected argument 'extra': New-TestPackage takes no more positional values; name the parameter it is for."],
];
for (const [name, line, message] of failures) {
  test(`fails: ${name}`, (t) => {
    const err = t.throws(() => bind(newTestPackage, line), { instanceOf: UsageError });
    if (typeof message === 'string') t.is(err?.message, message);
    else t.regex(err?.message ?? '', message);
    t.false((err?.message ?? '').includes('\n'), 'one line');
  });
}

test('a secret never appears in an error message', (t) => {
  const err = t.throws(() => bind(newTestPackage, 'T -Password hunter2,hunter3'), { instanceOf: UsageError });
  t.false(err?.message.includes('hunter2'));
  t.regex(err?.message ?? '', /-Password: it takes one value, not a list/);
});

test('common parameters bind beside the cmdlet\'s own, with aliases and prefixes', (t) => {
  const b = bind(newTestPackage, 'T -WhatIf -vb -ea silentlycontinue -OutputF json -Confirm:$false -Debug');
  t.deepEqual({ ...b.params }, { Name: 'T' });
  t.deepEqual({ ...b.common }, { WhatIf: true, Verbose: true, ErrorAction: 'SilentlyContinue', OutputFormat: 'Json', Confirm: false, Debug: true });
});

test('common parameter values are checked against their set', (t) => {
  t.throws(() => bind(newTestPackage, 'T -ErrorAction Sometimes'), { instanceOf: UsageError, message: "Cannot bind -ErrorAction: 'Sometimes' is not one of Stop, Continue, SilentlyContinue, Ignore." });
  t.throws(() => bind(newTestPackage, 'T -OutputFormat Yaml'), { instanceOf: UsageError, message: /not one of Table, List, Json, Csv/ });
});

test('-? asks for help and binds nothing else, even with errors around it', (t) => {
  const b = bind(newTestPackage, '-Bogus -?');
  t.true(b.help);
});

// Parameter sets
const setCases: [string, string, string, Record<string, unknown>][] = [
  ['the default set on a tie', 'Tools', 'ByName', { Name: 'Tools' }],
  ['a set-only parameter picks its set', '-Id 5', 'ById', { Id: 5 }],
  ['a parameter of all sets keeps the choice open', '-Id 5 -Detailed', 'ById', { Id: 5, Detailed: true }],
  ['a named set parameter with a positional', 'Tools -Tag x', 'ByName', { Name: 'Tools', Tag: 'x' }],
];
for (const [name, line, set, params] of setCases) {
  test(`parameter sets: ${name}`, (t) => {
    const b = bind(getTestItem, line);
    t.is(b.parameterSet, set);
    t.deepEqual({ ...b.params }, params);
  });
}

test('parameter sets: a value that only fits the other set goes there', (t) => {
  // position 0 is -Name (string) in ByName and -Id (int) in ById: "7" fits the default first
  t.is(bind(getTestItem, '7').parameterSet, 'ByName');
});

test('parameter sets: parameters of two sets cannot be combined', (t) => {
  const err = t.throws(() => bind(getTestItem, '-Name a -Id 5'), { instanceOf: UsageError });
  t.is(err?.message, '-Name and -Id cannot be used together: they belong to different parameter sets of Get-TestItem.');
});

test('parameter sets: the mandatory check names the chosen set', (t) => {
  const err = t.throws(() => bind(getTestItem, '-Detailed'), { instanceOf: UsageError });
  t.is(err?.message, 'Missing mandatory parameter -Name for Get-TestItem (parameter set ByName).');
  const err2 = t.throws(() => bind(getTestItem, '-Tag x'), { instanceOf: UsageError });
  t.is(err2?.message, 'Missing mandatory parameter -Name for Get-TestItem (parameter set ByName).');
});

test('a set whose mandatory parameters are all bound wins over the default', (t) => {
  const spec: CmdletSpec<any> = {
    name: 'Get-X', synopsis: '', defaultParameterSet: 'A', run: () => Promise.resolve(undefined),
    parameters: [
      { name: 'Alpha', type: 'string', mandatory: ['A'], parameterSets: ['A'], help: '' },
      { name: 'Shared', type: 'string', parameterSets: ['A', 'B'], mandatory: ['B'], help: '' },
    ],
  };
  t.is(bind(spec, '-Shared x').parameterSet, 'B');
});

test('a cmdlet with no parameters rejects positional values', (t) => {
  const spec: CmdletSpec<any> = { name: 'Get-Y', synopsis: '', parameters: [], run: () => Promise.resolve(undefined) };
  t.throws(() => bind(spec, 'extra'), { instanceOf: UsageError, message: "Unexpected argument 'extra': Get-Y takes no positional values; name the parameter it is for." });
});
