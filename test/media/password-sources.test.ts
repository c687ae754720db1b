import test from 'ava';
import { writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { TsmediaError } from '../../lib/errors.js';
import {
  COMMAND_LINE_PASSWORD_WARNING, PASSWORD_ENV, processPasswordDeps, resolveMediaPassword,
} from '../../lib/media/password-source.js';
import type { PasswordDeps } from '../../lib/media/password-source.js';
import { tempDir } from '../helpers/tmp.js';

function deps(over: Partial<PasswordDeps> & { files?: Record<string, string> } = {}): PasswordDeps & { warnings: string[]; asked: number } {
  const warnings: string[] = [];
  const answers = ['typed-pw', 'typed-pw'];
  const d = {
    env: {},
    async readFile(p: string) {
      const f = over.files?.[p];
      if (f === undefined) throw Object.assign(new Error('no such file'), { code: 'ENOENT' });
      return Buffer.from(f, 'utf8');
    },
    isTerminal: false,
    asked: 0,
    async ask() { d.asked++; return answers.shift() ?? ''; },
    warn: (m: string) => warnings.push(m),
    warnings,
    ...over,
  };
  return d;
}

test('-MediaPassword works but warns that it shows in the process list', async (t) => {
  const d = deps({ env: { [PASSWORD_ENV]: 'env-pw' } });
  t.deepEqual(await resolveMediaPassword({ mediaPassword: 'cli-pw' }, d), { password: 'cli-pw', source: 'Parameter' });
  t.deepEqual(d.warnings, [COMMAND_LINE_PASSWORD_WARNING]);
  t.regex(COMMAND_LINE_PASSWORD_WARNING, /process list/);
});

test('the file comes before the environment and loses exactly one trailing newline', async (t) => {
  const d = deps({ env: { [PASSWORD_ENV]: 'env-pw' }, files: { lf: 'file-pw\n', crlf: 'file-pw\r\n', two: 'file-pw\n\n', none: ' file-pw ' } });
  t.deepEqual(await resolveMediaPassword({ mediaPasswordFile: 'lf' }, d), { password: 'file-pw', source: 'File' });
  t.is((await resolveMediaPassword({ mediaPasswordFile: 'crlf' }, d)).password, 'file-pw');
  t.is((await resolveMediaPassword({ mediaPasswordFile: 'two' }, d)).password, 'file-pw\n');
  t.is((await resolveMediaPassword({ mediaPasswordFile: 'none' }, d)).password, ' file-pw ');
  t.deepEqual(d.warnings, []);
});

test('the environment comes before the prompt; no source means no password', async (t) => {
  const d = deps({ env: { [PASSWORD_ENV]: 'env-pw' }, isTerminal: true });
  t.deepEqual(await resolveMediaPassword({ prompt: true }, d), { password: 'env-pw', source: 'Environment' });
  t.is(d.asked, 0);
  t.deepEqual(await resolveMediaPassword({}, deps()), { password: null, source: 'None' });
});

test('the prompt asks twice on a terminal and is refused without one', async (t) => {
  const d = deps({ isTerminal: true });
  t.deepEqual(await resolveMediaPassword({ prompt: true }, d), { password: 'typed-pw', source: 'Prompt' });
  t.is(d.asked, 2);
  const e = await t.throwsAsync<TsmediaError>(resolveMediaPassword({ prompt: true }, deps({ isTerminal: false })));
  t.is(e?.code, 'EPASSWORD_PROMPT');
  t.regex(e!.message, /-MediaPasswordFile/);
  let n = 0;
  const mismatch = deps({ isTerminal: true, ask: async () => `pw${n++}` });
  t.is((await t.throwsAsync<TsmediaError>(resolveMediaPassword({ prompt: true }, mismatch)))?.code, 'EPASSWORD_MISMATCH');
});

test('conflicting, empty and unreadable sources are usage errors', async (t) => {
  const both = await t.throwsAsync<TsmediaError>(resolveMediaPassword({ mediaPassword: 'a', mediaPasswordFile: 'f' }, deps()));
  t.is(both?.code, 'EPASSWORD_SOURCES');
  t.is(both?.name, 'UsageError');
  t.is((await t.throwsAsync<TsmediaError>(resolveMediaPassword({ mediaPasswordFile: 'missing' }, deps())))?.code, 'EPASSWORD_FILE');
  t.is((await t.throwsAsync<TsmediaError>(resolveMediaPassword({ mediaPasswordFile: 'empty' }, deps({ files: { empty: '\n' } }))))?.code, 'EBAD_PASSWORD');
  t.is((await t.throwsAsync<TsmediaError>(resolveMediaPassword({}, deps({ env: { [PASSWORD_ENV]: '' } }))))?.code, 'EBAD_PASSWORD');
});

test('the real file source reads a file and refuses folders and huge files', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'pw.txt'), 'disk-pw\n');
  await writeFile(join(dir, 'big.txt'), Buffer.alloc(100_000, 0x61));
  await mkdir(join(dir, 'folder'));
  const real = processPasswordDeps(() => {});
  t.is((await resolveMediaPassword({ mediaPasswordFile: join(dir, 'pw.txt') }, real)).password, 'disk-pw');
  t.regex((await t.throwsAsync(resolveMediaPassword({ mediaPasswordFile: join(dir, 'big.txt') }, real)))!.message, /EFBIG/);
  t.regex((await t.throwsAsync(resolveMediaPassword({ mediaPasswordFile: join(dir, 'folder') }, real)))!.message, /ENOTFILE/);
});
