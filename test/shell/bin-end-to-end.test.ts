// Test: the compiled bin (node dist/bin/tsmedia.js) as a user runs it: stdout, stderr and exit
// code of Get-Command, Get-Help, an unknown cmdlet, Json, --version, a script on stdin, Ctrl+C;
// colour decided with CI unset, since CI hides cli-table3's habit of colouring pipes. Also: once
// the worker pool is closed (bin does it), the shell leaves nothing that keeps a process alive.
import test from 'ava';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run } from '../helpers/run.js';
import { tempDir } from '../helpers/tmp.js';

const BIN = fileURLToPath(new URL('../../bin/tsmedia.js', import.meta.url));
const DIST = fileURLToPath(new URL('../../', import.meta.url));
const VERSION = (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** The user's environment: no CI, no colour overrides. */
function userEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const k of ['CI', 'NO_COLOR', 'FORCE_COLOR', 'SOURCE_DATE_EPOCH']) delete env[k];
  return env;
}

const tsmedia = (args: string[], input?: string) => run(process.execPath, [BIN, ...args], { env: userEnv(), timeoutMs: 30_000, ...(input !== undefined ? { input } : {}) });

test('Get-Command: a plain table of the built-ins on a pipe, exit 0', async (t) => {
  const r = await tsmedia(['Get-Command']);
  t.is(r.code, 0);
  t.is(r.stderr, '');
  t.regex(r.stdout, /^Name\s+Synopsis\n----\s+--------\n/m);
  t.regex(r.stdout, /^Get-Help\s+Shows help/m);
  t.false(r.stdout.includes('\x1b'), 'no colour in a pipe even with CI unset');
});

test('Get-Help: syntax generated from the spec', async (t) => {
  const r = await tsmedia(['Get-Help', 'Get-Command']);
  t.is(r.code, 0);
  t.regex(r.stdout, /^SYNTAX\n\s+Get-Command \[\[-Name\] <string\[\]>\] \[-WhatIf\] \[-Confirm\] \[<CommonParameters>\]$/m);
});

test('an unknown cmdlet: exit 2, one line on stderr with a suggestion, nothing on stdout', async (t) => {
  const r = await tsmedia(['Get-Comand']);
  t.is(r.code, 2);
  t.is(r.stdout, '');
  t.is(r.stderr, "tsmedia: Unknown cmdlet 'Get-Comand'. Did you mean 'Get-Command'?\n");
});

test('Json output parses with JSON.parse', async (t) => {
  const r = await tsmedia(['Get-Command', '-OutputFormat', 'Json']);
  t.is(r.code, 0);
  const doc = JSON.parse(r.stdout) as { Name: string }[];
  const names = doc.map((c) => c.Name);
  t.true(names.includes('Get-Command') && names.includes('Get-Help'));
});

test('--version and no arguments', async (t) => {
  t.is((await tsmedia(['--version'])).stdout, `tsmedia ${VERSION}\n`);
  const none = await tsmedia([]);
  t.is(none.code, 0);
  t.regex(none.stdout, /^Usage:$/m);
});

test('npx tsmedia runs the package bin, as the README says', async (t) => {
  const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';
  const r = await run(npx, ['--no-install', 'tsmedia', '--version'], { env: userEnv(), cwd: fileURLToPath(new URL('../../../', import.meta.url)), timeoutMs: 60_000 });
  t.is(r.code, 0, r.stderr);
  t.is(r.stdout, `tsmedia ${VERSION}\n`);
});

test('a script on stdin: -File -', async (t) => {
  const r = await tsmedia(['-File', '-', '-of', 'json'], '# list\nGet-Command Get-Help\nGet-Nothing\nGet-Command gcm\n');
  t.is(r.code, 2);
  t.deepEqual((JSON.parse(r.stdout.split('\n')[0] ?? '') as { Name: string }[]).map((c) => c.Name), ['Get-Help']);
  t.is(r.stderr, "<stdin>:3: tsmedia: Unknown cmdlet 'Get-Nothing'. Run 'tsmedia Get-Command' to list the cmdlets.\n");
  t.is(r.stdout.trimEnd().split('\n').length, 1, 'line 4 did not run');
});

test('Ctrl+C stops a script waiting on stdin with exit 130', async (t) => {
  const child = spawn(process.execPath, [BIN, '-File', '-'], { env: userEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (b: Buffer) => { stderr += b.toString(); });
  const closed = new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
  // the first line's result shows the shell is up and reading the next line: then Ctrl+C
  // (a fixed delay could signal a process still starting under load, before it handles SIGINT)
  child.stdin.write('Get-Command Get-Help -OutputFormat Json\n');
  await new Promise((resolve) => child.stdout.once('data', resolve));
  const signalled = Date.now();
  child.kill('SIGINT');
  t.is(await closed, 130);
  t.is(stderr, '');
  t.true(Date.now() - signalled < 10_000);
});

test('with the pool closed as bin closes it, nothing of the shell keeps the process alive', async (t) => {
  const dir = await tempDir(t, 'tsm-e2e-');
  const data = Buffer.alloc(300_000, 7);
  await writeFile(join(dir, 'data.bin'), data);
  const main = join(dir, 'main.mjs');
  await writeFile(main, [
    `import { runCommandLine } from ${JSON.stringify(join(DIST, 'lib/shell/run-command-line.js'))};`,
    `import { closePool } from ${JSON.stringify(join(DIST, 'lib/pool/pool.js'))};`,
    `import { testCmdlets } from ${JSON.stringify(join(DIST, 'test/shell/test-cmdlets.js'))};`,
    `const io = { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env, signal: new AbortController().signal };`,
    `process.exitCode = await runCommandLine(['Get-TestHash', ${JSON.stringify(join(dir, 'data.bin'))}, '-of', 'json'], io, testCmdlets).finally(closePool);`,
    '// no process.exit: a pool left open (idle timeout 10 s) or a listener would keep the process alive',
  ].join('\n'));
  const started = Date.now();
  const r = await run(process.execPath, [main], { env: userEnv(), timeoutMs: 30_000 });
  const elapsed = Date.now() - started;
  t.is(r.code, 0, r.stderr);
  t.deepEqual(JSON.parse(r.stdout), { Size: data.length, Sha256: createHash('sha256').update(data).digest('hex') });
  t.true(elapsed < 6000, `exited after ${elapsed} ms`);
});
