// Test: help is generated from the parameter table: PowerShell syntax lines per parameter set,
// the parameter table, details and examples.
import test from 'ava';
import { helpText, parameterRows, syntaxLines } from '../../lib/shell/help.js';
import { getTestItem, newTestPackage } from './test-cmdlets.js';

test('syntax: positional, mandatory, optional, lists, sets of values, switches', (t) => {
  t.deepEqual(syntaxLines(newTestPackage), [
    'New-TestPackage [-Name] <string> [[-Path] <string>] [-NameFilter <string>] [-Package <string[]>] [-Password <securestring>] [-Index <int>] [-Count <int[]>] [-Since <datetime>] [-MediaSize <size>] [-Variable <hashtable>] [-MediaType {CdDvd | Usb}] [-Force] [-WhatIf] [-Confirm] [<CommonParameters>]',
  ]);
});

test('syntax: one line per parameter set, default first', (t) => {
  t.deepEqual(syntaxLines(getTestItem), [
    'Get-TestItem [-Name] <string> [-Tag <string>] [-Detailed] [-WhatIf] [-Confirm] [<CommonParameters>]',
    'Get-TestItem [-Id] <int> [-Detailed] [-WhatIf] [-Confirm] [<CommonParameters>]',
  ]);
});

test('parameter table: type, required, position, aliases, accepted values', (t) => {
  const rows = parameterRows(newTestPackage);
  t.deepEqual(rows[0], { Name: '-Name', Type: 'string', Required: 'Yes', Position: '0', Aliases: 'n', AcceptedValues: '' });
  t.deepEqual(rows.find((r) => r.Name === '-MediaType'), { Name: '-MediaType', Type: 'string', Required: 'No', Position: 'Named', Aliases: '', AcceptedValues: 'CdDvd, Usb' });
  t.is(parameterRows(getTestItem)[1]?.Required, 'In ById');
});

test('default help: name, synopsis, syntax, description, parameters, remarks; no examples', (t) => {
  const text = helpText(newTestPackage, 'default');
  for (const section of ['NAME', 'SYNOPSIS', 'SYNTAX', 'DESCRIPTION', 'ALIASES', 'PARAMETERS', 'REMARKS']) t.regex(text, new RegExp(`^${section}$`, 'm'));
  t.notRegex(text, /^EXAMPLES$/m);
  t.regex(text, /-MediaType\s+string\s+No\s+Named\s+CdDvd, Usb/);
});

test('full help: each parameter in detail, common parameters, examples', (t) => {
  const text = helpText(newTestPackage, 'full');
  t.regex(text, /-Path <string>\n\s+Where\.\n\n\s+Required\?\s+No\n\s+Position\?\s+1\n\s+Aliases\s+OutputPath/);
  t.regex(text, /<CommonParameters>/);
  t.regex(text, /EXAMPLE 1[\s\S]*New-TestPackage -Name Tools -Path 'C:\\src'[\s\S]*Makes a package\./);
});

test('examples help: examples without syntax', (t) => {
  const text = helpText(newTestPackage, 'examples');
  t.regex(text, /^EXAMPLES$/m);
  t.notRegex(text, /^SYNTAX$/m);
});
