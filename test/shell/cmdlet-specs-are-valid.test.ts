// Test: the spec checker finds each kind of mistake, and the real registry, the built-ins and the
// test cmdlets have none.
import test from 'ava';
import { cmdlets } from '../../lib/cmdlets/index.js';
import { builtinCmdlets } from '../../lib/shell/builtin-cmdlets.js';
import { checkCmdletSpec, checkRegistry } from '../../lib/shell/spec-check.js';
import type { CmdletSpec } from '../../lib/shell/types.js';
import { testCmdlets } from './test-cmdlets.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
const run = (): Promise<unknown> => Promise.resolve(undefined);

test('the registry, the built-ins and the test cmdlets are valid together', (t) => {
  const all: CmdletSpec<any>[] = [];
  all.push(...builtinCmdlets(() => all, '0.0.0'), ...cmdlets, ...testCmdlets);
  t.deepEqual(checkRegistry(all), []);
});

const bad: [string, CmdletSpec<any>, string][] = [
  ['a name that is not Verb-Noun', { name: 'doit', synopsis: '', parameters: [], run }, 'doit: the name is not Verb-Noun in PascalCase'],
  ['a parameter clashing with a common one', { name: 'Get-A', synopsis: '', parameters: [{ name: 'Verbose', type: 'switch', help: '' }], run }, "Get-A: -Verbose: 'Verbose' is already taken by common -Verbose"],
  ['an alias clashing with a common alias', { name: 'Get-A', synopsis: '', parameters: [{ name: 'Easy', type: 'switch', aliases: ['ea'], help: '' }], run }, "Get-A: -Easy: 'ea' is already taken by common -ErrorAction"],
  ['two parameters with one name in two cases', { name: 'Get-A', synopsis: '', parameters: [{ name: 'Path', type: 'string', help: '' }, { name: 'path', type: 'string', help: '' }], run }, "Get-A: -path: 'path' is already taken by -Path"],
  ['a list of switches', { name: 'Get-A', synopsis: '', parameters: [{ name: 'F', type: 'switch', array: true, help: '' }], run }, 'Get-A: -F: a switch cannot be a list'],
  ['validateSet on an int', { name: 'Get-A', synopsis: '', parameters: [{ name: 'N', type: 'int', validateSet: ['1'], help: '' }], run }, 'Get-A: -N: validateSet needs a string type'],
  ['one position twice', { name: 'Get-A', synopsis: '', parameters: [{ name: 'A', type: 'string', position: 0, help: '' }, { name: 'B', type: 'string', position: 0, help: '' }], run }, 'Get-A: -B and -A share position 0'],
  ['mandatory in a set it is not in', { name: 'Get-A', synopsis: '', parameters: [{ name: 'A', type: 'string', parameterSets: ['X'], mandatory: ['Y'], help: '' }], run }, "Get-A: -A: mandatory in 'Y', a set it is not in"],
];
for (const [name, spec, problem] of bad) {
  test(`finds ${name}`, (t) => {
    t.true(checkCmdletSpec(spec).includes(problem), JSON.stringify(checkCmdletSpec(spec)));
  });
}

test('finds a cmdlet alias used twice', (t) => {
  const a: CmdletSpec<any> = { name: 'Get-A', aliases: ['ga'], synopsis: '', parameters: [], run };
  const b: CmdletSpec<any> = { name: 'Get-B', aliases: ['GA'], synopsis: '', parameters: [], run };
  t.deepEqual(checkRegistry([a, b]), ["Get-B: 'GA' is already taken by Get-A"]);
});
