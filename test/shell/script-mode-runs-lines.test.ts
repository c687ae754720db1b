// Test: `-File script.tsm` runs one cmdlet per line in one process: comments and blank lines are
// skipped, each line's output is written as it completes, the first failing line stops the script
// (and is named file:line) unless -ErrorAction Continue, and `-File -` reads stdin.
import test, { type ExecutionContext } from 'ava';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { runCommandLine } from '../../lib/shell/run-command-line.js';
import type { CmdletSpec } from '../../lib/shell/types.js';
import { tempDir } from '../helpers/tmp.js';
import { testIO, type TestIO } from './shell-io.js';
import { testCmdlets } from './test-cmdlets.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
/** Reports how much stdout held when it ran: proves earlier lines were written already. */
function seenCmdlet(io: TestIO): CmdletSpec<any> {
  return { name: 'Get-Seen', synopsis: '', parameters: [], run: () => Promise.resolve({ StdoutLength: io.stdout.text.length }) };
}

async function runScript(t: ExecutionContext, script: string, extra: string[] = [], io: TestIO = testIO()): Promise<{ code: number; out: string; err: string; file: string }> {
  const dir = await tempDir(t, 'tsm-script-');
  const file = join(dir, 'script.tsm');
  await writeFile(file, script);
  const code = await runCommandLine(['-File', file, ...extra], io, [...testCmdlets, seenCmdlet(io)]);
  return { code, out: io.stdout.text, err: io.stderr.text, file };
}

const SCRIPT_OK = [
  '# a package and its removal',
  '',
  "New-TestPackage -Name 'Tools one' -of json   # trailing comment",
  '   ',
  'Remove-TestThing a -WhatIf',
  'Get-Seen -of json',
].join('\n');

test('runs every line, skips comments and blanks, writes each output as it completes', async (t) => {
  const r = await runScript(t, SCRIPT_OK);
  t.is(r.code, 0);
  t.is(r.err, '');
  const lines = r.out.split('\n').filter((l) => l !== '');
  t.deepEqual(JSON.parse(lines[0] ?? ''), { Name: 'Tools one' });
  t.is(lines[1], 'What if: Performing the operation "Remove thing" on target "a".');
  const seen = JSON.parse(lines[2] ?? '') as { StdoutLength: number };
  t.is(seen.StdoutLength, r.out.indexOf(lines[2] ?? ''), 'earlier lines were on stdout when line 6 ran');
});

test('Json in a script: one compact document per line (JSON Lines)', async (t) => {
  const r = await runScript(t, 'Get-TestRow 2\nGet-TestRow -One\n', ['-OutputFormat', 'Json']);
  const docs = r.out.trimEnd().split('\n').map((l) => JSON.parse(l) as unknown);
  t.is(docs.length, 2);
  t.true(Array.isArray(docs[0]));
  t.false(Array.isArray(docs[1]));
});

const FAILING = ['New-TestPackage a -of json', 'Invoke-TestFailure Format', 'New-TestPackage c -of json'].join('\r\n');

test('stops at the first failing line, naming file and line', async (t) => {
  const r = await runScript(t, FAILING);
  t.is(r.code, 1);
  t.is(r.err, `WARNING: about to fail\n${r.file}:2: Invoke-TestFailure: wim: the header is truncated at offset 12.\n`);
  t.true(r.out.includes('"a"'));
  t.false(r.out.includes('"c"'), 'line 3 did not run');
});

test('-ErrorAction Continue for the script runs the rest; the exit code stays non-zero', async (t) => {
  const r = await runScript(t, FAILING, ['-ErrorAction', 'Continue']);
  t.is(r.code, 1);
  t.true(r.out.includes('"c"'));
});

test('-ErrorAction Continue on one line goes on after that line only', async (t) => {
  const r = await runScript(t, [
    'Invoke-TestFailure Format -ea Continue',
    'New-TestPackage b -of json',
    'Invoke-TestFailure NotFound',
    'New-TestPackage d -of json',
  ].join('\n'));
  t.is(r.code, 1);
  t.true(r.out.includes('"b"'));
  t.false(r.out.includes('"d"'));
});

test('binding and syntax errors in a script: exit 2, file:line, tsmedia as the caller', async (t) => {
  const unknown = await runScript(t, 'New-TestPackage a\nNew-TestPakage b\n');
  t.is(unknown.code, 2);
  t.is(unknown.err, `${unknown.file}:2: tsmedia: Unknown cmdlet 'New-TestPakage'. Did you mean 'New-TestPackage'?\n`);
  const syntax = await runScript(t, "New-TestPackage 'unterminated\n");
  t.is(syntax.code, 2);
  t.regex(syntax.err, /script\.tsm:1: tsmedia: The string starting at column 17 is missing its closing '\.\n$/);
  const bind = await runScript(t, '\n\nNew-TestPackage a -Index x\n');
  t.is(bind.err, `${bind.file}:3: New-TestPackage: Cannot bind -Index: 'x' is not an integer.\n`);
});

test('script-wide common parameters are defaults each line may override', async (t) => {
  const r = await runScript(t, 'Remove-TestThing a\nRemove-TestThing b -WhatIf:$false -of csv\n', ['-WhatIf']);
  t.is(r.code, 0);
  t.true(r.out.startsWith('What if: Performing the operation "Remove thing" on target "a".\n'));
  t.true(r.out.includes('Name,Removed\r\nb,True\r\n'));
});

test('-File - reads the script from stdin', async (t) => {
  const stdin = new PassThrough();
  stdin.end('# from a pipe\nNew-TestPackage piped -of json\n');
  const io = testIO({ stdin: stdin as unknown as TestIO['stdin'] });
  const code = await runCommandLine(['-File', '-'], io, testCmdlets);
  t.is(code, 0);
  t.deepEqual(JSON.parse(io.stdout.text), { Name: 'piped' });
});

test('errors from a stdin script are named <stdin>:line', async (t) => {
  const stdin = new PassThrough();
  stdin.end('Invoke-TestFailure NotFound\n');
  const io = testIO({ stdin: stdin as unknown as TestIO['stdin'] });
  t.is(await runCommandLine(['-File', '-'], io, testCmdlets), 1);
  t.regex(io.stderr.text, /^<stdin>:1: Invoke-TestFailure: No package/m);
});

test('a missing script file: one line, exit 1', async (t) => {
  const io = testIO();
  const code = await runCommandLine(['-File', '/nonexistent/x.tsm'], io, testCmdlets);
  t.is(code, 1);
  t.is(io.stderr.text, "tsmedia: Cannot read the script '/nonexistent/x.tsm': no such file.\n");
});

test('-File without a value is a usage error', async (t) => {
  const io = testIO();
  t.is(await runCommandLine(['-File'], io, testCmdlets), 2);
  t.is(io.stderr.text, 'tsmedia: Missing an argument for -File: give a string after it.\n');
});
