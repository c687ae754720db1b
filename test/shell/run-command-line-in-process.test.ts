// Test: whole command lines through runCommandLine with test cmdlets: output formats, colour and
// width decisions, -WhatIf, -Verbose, -ErrorAction, error lines and exit codes, help, the clock,
// secrets, progress and cancellation.
import test from 'ava';
import { runCommandLine } from '../../lib/shell/run-command-line.js';
import { fakeStdin, testIO, type TestIO } from './shell-io.js';
import { testCmdlets } from './test-cmdlets.js';

async function run(argv: string[], io: TestIO = testIO()): Promise<{ code: number; out: string; err: string }> {
  const code = await runCommandLine(argv, io, testCmdlets);
  return { code, out: io.stdout.text, err: io.stderr.text };
}

const ESC = '\x1b[';

test('a cmdlet\'s objects print as a table of its default view', async (t) => {
  const r = await run(['Get-TestRow']);
  t.is(r.code, 0);
  t.is(r.err, '');
  t.is(r.out, '\nPackageID Name      Size\n--------- ----      ----\nPS100001  Package 1 1000\nPS100002  Package 2 2000\n\n');
});

test('cmdlet names and aliases in any case', async (t) => {
  t.is((await run(['get-testrow', '1'])).code, 0);
  const r = await run(['NTP', 'Tools', '-of', 'json']);
  t.deepEqual(JSON.parse(r.out), { Name: 'Tools' });
});

test('-OutputFormat Json: an array for an array, an object for an object, every property', async (t) => {
  const many = JSON.parse((await run(['Get-TestRow', '1', '-OutputFormat', 'Json'])).out) as unknown[];
  t.true(Array.isArray(many));
  t.deepEqual(many[0], { PackageID: 'PS100001', Name: 'Package 1', Size: 1000, Version: 1, Created: '2026-01-01T00:00:00.000Z', Tags: ['a', 'b'] });
  const one = JSON.parse((await run(['Get-TestRow', '-One', '-OutputFormat', 'json'])).out) as unknown;
  t.false(Array.isArray(one));
  t.is((one as { PackageID: string }).PackageID, 'PS100001');
});

test('-OutputFormat List and Csv show every property', async (t) => {
  const list = (await run(['Get-TestRow', '1', '-OutputFormat', 'List'])).out;
  t.regex(list, /^Version   : 1$/m);
  t.regex(list, /^Tags      : \{a, b\}$/m);
  const csv = (await run(['Get-TestRow', '1', '-OutputFormat', 'Csv'])).out;
  t.is(csv, 'PackageID,Name,Size,Version,Created,Tags\r\nPS100001,Package 1,1000,1,2026-01-01T00:00:00Z,"[""a"",""b""]"\r\n');
});

test('colour only when stdout is a terminal, and never with NO_COLOR', async (t) => {
  t.false((await run(['Get-TestRow'], testIO({ stdoutTTY: false }))).out.includes(ESC));
  t.true((await run(['Get-TestRow'], testIO({ stdoutTTY: true, columns: 100 }))).out.includes(ESC));
  t.false((await run(['Get-TestRow'], testIO({ stdoutTTY: true, columns: 100, env: { NO_COLOR: '1' } }))).out.includes(ESC));
  t.false((await run(['Get-TestRow'], testIO({ stdoutTTY: true, columns: 100, env: { TERM: 'dumb' } }))).out.includes(ESC));
  t.true((await run(['Get-TestRow'], testIO({ stdoutTTY: false, env: { FORCE_COLOR: '1' } }))).out.includes(ESC));
});

test('tables fit the terminal width, or 120 columns in a pipe', async (t) => {
  const wide = await run(['New-TestPackage', 'x'.repeat(200), '-of', 'table']);
  const lines = wide.out.split('\n');
  t.true(lines.every((l) => l.length <= 119), 'pipe: 119 columns at most');
  t.true(lines.some((l) => l.length > 100), 'pipe: uses the width');
  const narrow = await run(['New-TestPackage', 'x'.repeat(200)], testIO({ stdoutTTY: true, columns: 50, env: { NO_COLOR: '1' } }));
  t.true(narrow.out.split('\n').every((l) => l.length <= 49));
});

test('-WhatIf reports each operation on stdout and changes nothing', async (t) => {
  const r = await run(['Remove-TestThing', 'a,b', '-WhatIf']);
  t.is(r.code, 0);
  t.is(r.out, 'What if: Performing the operation "Remove thing" on target "a".\nWhat if: Performing the operation "Remove thing" on target "b".\n');
  t.is(r.err, '');
});

test('-WhatIf with Json: one document with the reports and the output', async (t) => {
  const r = await run(['Remove-TestThing', 'a,b', '-WhatIf', '-OutputFormat', 'Json']);
  t.deepEqual(JSON.parse(r.out), {
    WhatIf: [{ Operation: 'Remove thing', Target: 'a' }, { Operation: 'Remove thing', Target: 'b' }],
    Output: [],
  });
});

test('without -WhatIf the operation runs; -Verbose says so on stderr', async (t) => {
  const quiet = await run(['Remove-TestThing', 'a']);
  t.is(quiet.err, '');
  t.regex(quiet.out, /a\s+True/);
  const loud = await run(['Remove-TestThing', 'a', '-Verbose']);
  t.regex(loud.err, /^VERBOSE: looking at a$/m);
  t.regex(loud.err, /^VERBOSE: Performing the operation "Remove thing" on target "a"\.$/m);
  t.false(loud.out.includes('VERBOSE'));
});

test('a failure: one line "<Cmdlet>: <message>" on stderr, exit 1, warnings kept', async (t) => {
  const r = await run(['Invoke-TestFailure', 'Format']);
  t.is(r.code, 1);
  t.is(r.out, '');
  t.is(r.err, 'WARNING: about to fail\nInvoke-TestFailure: wim: the header is truncated at offset 12.\n');
  const nf = await run(['Invoke-TestFailure', 'NotFound']);
  t.is(nf.code, 1);
  t.regex(nf.err, /^Invoke-TestFailure: No package 'PS100099' in the catalog\.$/m);
});

test('an unexpected error says internal error; -Verbose adds the stack', async (t) => {
  const r = await run(['Invoke-TestFailure', 'Internal']);
  t.is(r.code, 1);
  const lines = r.err.trimEnd().split('\n');
  t.is(lines.length, 2);
  t.regex(lines[1] ?? '', /^Invoke-TestFailure: internal error: Cannot read properties of undefined \(reading 'boom'\)$/);
  const v = await run(['Invoke-TestFailure', 'Internal', '-Verbose']);
  t.regex(v.err, /internal error[^\n]*\nTypeError: [^\n]*\n\s+at /);
});

test('-ErrorAction SilentlyContinue hides the error line but not the exit code', async (t) => {
  const r = await run(['Invoke-TestFailure', 'Format', '-ErrorAction', 'SilentlyContinue']);
  t.is(r.code, 1);
  t.false(r.err.includes('Invoke-TestFailure:'));
});

test('binding errors: exit 2, one line, nothing on stdout', async (t) => {
  const cases: [string[], string][] = [
    [['New-TestPakage'], "tsmedia: Unknown cmdlet 'New-TestPakage'. Did you mean 'New-TestPackage'?"],
    [['Frobnicate-Everything'], "tsmedia: Unknown cmdlet 'Frobnicate-Everything'. Run 'tsmedia Get-Command' to list the cmdlets."],
    [['New-TestPackage', 'T', '-Index', 'abc'], "New-TestPackage: Cannot bind -Index: 'abc' is not an integer."],
    [['New-TestPackage'], 'New-TestPackage: Missing mandatory parameter -Name for New-TestPackage.'],
    [['New-TestPackage', 'T', '-Pa', 'x'], 'New-TestPackage: Parameter -Pa is ambiguous for New-TestPackage: it could be -Path, -Package, -Password.'],
    [['New-TestPackage', 'T', '-MediaType', 'floppy'], "New-TestPackage: Cannot bind -MediaType: 'floppy' is not one of CdDvd, Usb."],
  ];
  for (const [argv, line] of cases) {
    const r = await run(argv);
    t.is(r.code, 2, argv.join(' '));
    t.is(r.out, '');
    t.is(r.err, line + '\n');
  }
});

test('errors on stderr are red only when stderr is a terminal', async (t) => {
  t.true((await run(['Nope-Nope'], testIO({ stderrTTY: true }))).err.startsWith(`${ESC}31;1m`));
  t.false((await run(['Nope-Nope'])).err.includes(ESC));
});

test('no arguments: usage on stdout, exit 0; --version; -?', async (t) => {
  const none = await run([]);
  t.is(none.code, 0);
  t.regex(none.out, /^Usage:$/m);
  t.regex((await run(['--version'])).out, /^tsmedia \d+\.\d+\.\d+\n$/);
  t.regex((await run(['-Version'])).out, /^tsmedia \d+\.\d+\.\d+\n$/);
  t.regex((await run(['-?'])).out, /^Usage:$/m);
});

test('<Cmdlet> -? prints its help', async (t) => {
  const r = await run(['New-TestPackage', '-?']);
  t.is(r.code, 0);
  t.regex(r.out, /^SYNTAX$/m);
  t.regex(r.out, /New-TestPackage \[-Name\] <string>/);
});

test('Get-Command lists the registry and the built-ins; -Name takes wildcards', async (t) => {
  const all = JSON.parse((await run(['Get-Command', '-of', 'json'])).out) as { Name: string }[];
  const names = all.map((c) => c.Name);
  for (const n of ['Get-Command', 'Get-Help', 'New-TestPackage', 'Get-TestItem']) t.true(names.includes(n), n);
  t.deepEqual(names, [...names].sort((a, b) => a.localeCompare(b, 'en', { sensitivity: 'base' })));
  const some = JSON.parse((await run(['Get-Command', '*-TestP*', '-of', 'json'])).out) as { Name: string }[];
  t.deepEqual(some.map((c) => c.Name), ['New-TestPackage']);
  const table = (await run(['Get-Command'])).out;
  t.regex(table, /^Name\s+Synopsis$/m);
  const missing = await run(['Get-Command', 'New-TestPakage']);
  t.is(missing.code, 1);
  t.regex(missing.err, /Did you mean 'New-TestPackage'\?/);
});

test('Get-Help: default, -Full, -Examples, -Parameter', async (t) => {
  t.regex((await run(['Get-Help', 'New-TestPackage'])).out, /^PARAMETERS$/m);
  t.regex((await run(['Get-Help', 'ntp', '-Full'])).out, /Required\?\s+Yes/);
  const ex = (await run(['help', 'New-TestPackage', '-Examples'])).out;
  t.regex(ex, /EXAMPLE 1/);
  t.notRegex(ex, /^SYNTAX$/m);
  const p = (await run(['Get-Help', 'New-TestPackage', '-Parameter', 'MediaT'])).out;
  t.regex(p, /-MediaType \{CdDvd \| Usb\}/);
  t.notRegex(p, /-Path/);
  t.regex((await run(['Get-Help', 'about_CommonParameters'])).out, /-ErrorAction/);
  const both = await run(['Get-Help', 'ntp', '-Full', '-Examples']);
  t.is(both.code, 2);
  t.regex(both.err, /-Full and -Examples cannot be used together/);
});

test('the clock is SOURCE_DATE_EPOCH when set; home is TSMEDIA_HOME', async (t) => {
  const r = await run(['Get-TestContext', '-of', 'json'], testIO({ env: { SOURCE_DATE_EPOCH: '1700000000', TSMEDIA_HOME: '/srv/tsm' } }));
  const doc = JSON.parse(r.out) as { Now: string; Home: string; WhatIf: boolean };
  t.is(doc.Now, '2023-11-14T22:13:20.000Z');
  t.is(doc.Home, '/srv/tsm');
  t.false(doc.WhatIf);
  const bad = await run(['Get-TestContext'], testIO({ env: { SOURCE_DATE_EPOCH: 'yesterday' } }));
  t.is(bad.code, 2);
  t.is(bad.err, "Get-TestContext: SOURCE_DATE_EPOCH must be whole seconds since 1970-01-01 UTC, not 'yesterday'.\n");
});

test('readSecret: undefined without a terminal', async (t) => {
  const r = await run(['Get-TestContext', '-Secret', '-of', 'json'], testIO({ stdin: fakeStdin(false) }));
  t.is((JSON.parse(r.out) as { Secret: unknown }).Secret, null);
});

test('readSecret: raw mode, no echo, backspace edits, Enter ends', async (t) => {
  const stdin = fakeStdin(true);
  const io = testIO({ stdin });
  const pending = run(['Get-TestContext', '-Secret', '-of', 'json'], io);
  await new Promise((r) => setTimeout(r, 50));
  stdin.write('hunter2\x7f3\r');
  const r = await pending;
  t.is((JSON.parse(r.out) as { Secret: unknown }).Secret, 'hunter3');
  t.is(r.err, 'Password: \n');
  t.deepEqual(stdin.rawModes, [true, false]);
});

test('progress draws on a terminal stderr and steps aside for verbose lines', async (t) => {
  const tty = await run(['Get-TestContext', '-Progress', '3', '-Verbose'], testIO({ stderrTTY: true, env: { NO_COLOR: '1' } }));
  t.regex(tty.err, /Copying \[/);
  t.regex(tty.err, /\r\x1b\[KVERBOSE: first tick\n/);
  const pipe = await run(['Get-TestContext', '-Progress', '3'], testIO({ stderrTTY: false }));
  t.is(pipe.err, '');
});

test('cancellation: an abort (SIGINT) stops the cmdlet with exit 130', async (t) => {
  const ac = new AbortController();
  const pending = run(['Wait-TestSignal'], testIO({ signal: ac.signal }));
  setTimeout(() => ac.abort('SIGINT'), 30);
  const r = await pending;
  t.is(r.code, 130);
  t.is(r.err, 'Wait-TestSignal: Stopped (SIGINT).\n');
  const ac2 = new AbortController();
  const p2 = run(['Wait-TestSignal'], testIO({ signal: ac2.signal }));
  setTimeout(() => ac2.abort('SIGTERM'), 30);
  t.is((await p2).code, 143);
});
