// Where the media password comes from, in this order:
//   1. -MediaPassword <text>      (works, but the text shows in the process list: warned)
//   2. -MediaPasswordFile <path>  (the file's text, one trailing newline removed)
//   3. TSMEDIA_MEDIA_PASSWORD     (environment)
//   4. a prompt, when -MediaPasswordPrompt is given and stdin is a terminal
// -MediaPassword and -MediaPasswordFile together are refused (which one was meant?). No source:
// the media have no password. This is the one media module that touches files and the terminal.
import { readFile, stat } from 'node:fs/promises';
import { UsageError } from '../errors.js';

export const PASSWORD_ENV = 'TSMEDIA_MEDIA_PASSWORD';
export const MAX_PASSWORD_FILE = 64 * 1024;

export const COMMAND_LINE_PASSWORD_WARNING =
  '-MediaPassword puts the password on the command line, where other users can read it in the process list and it may be kept in shell history. Use -MediaPasswordFile, the TSMEDIA_MEDIA_PASSWORD environment variable or -MediaPasswordPrompt instead.';

export type PasswordSource = 'Parameter' | 'File' | 'Environment' | 'Prompt' | 'None';

export interface PasswordOptions {
  mediaPassword?: string;
  mediaPasswordFile?: string;
  /** Ask on the terminal when no other source gives a password. */
  prompt?: boolean;
}

export interface PasswordDeps {
  env: Readonly<Record<string, string | undefined>>;
  readFile(path: string): Promise<Buffer>;
  isTerminal: boolean;
  /** Reads a line without echo. */
  ask(question: string): Promise<string>;
  warn(message: string): void;
}

export interface ResolvedPassword { password: string | null; source: PasswordSource }

function nonEmpty(password: string, where: string): string {
  if (password.length === 0) throw new UsageError('EBAD_PASSWORD', `The media password from ${where} is empty; give a password, or no password source at all.`);
  return password;
}

/** Strips exactly one trailing newline (LF or CRLF), as echo and editors leave one. */
export function stripOneNewline(text: string): string {
  if (text.endsWith('\r\n')) return text.slice(0, -2);
  if (text.endsWith('\n')) return text.slice(0, -1);
  return text;
}

export async function resolveMediaPassword(opts: PasswordOptions, deps: PasswordDeps): Promise<ResolvedPassword> {
  if (opts.mediaPassword !== undefined && opts.mediaPasswordFile !== undefined) {
    throw new UsageError('EPASSWORD_SOURCES', 'Give -MediaPassword or -MediaPasswordFile, not both.');
  }
  if (opts.mediaPassword !== undefined) {
    deps.warn(COMMAND_LINE_PASSWORD_WARNING);
    return { password: nonEmpty(opts.mediaPassword, '-MediaPassword'), source: 'Parameter' };
  }
  if (opts.mediaPasswordFile !== undefined) {
    let bytes: Buffer;
    try {
      bytes = await deps.readFile(opts.mediaPasswordFile);
    } catch (err) {
      throw new UsageError('EPASSWORD_FILE', `Cannot read the password file ${opts.mediaPasswordFile} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}).`);
    }
    if (bytes.length > MAX_PASSWORD_FILE) throw new UsageError('EPASSWORD_FILE', `${opts.mediaPasswordFile} is ${bytes.length} bytes; a password file holds only the password.`);
    const text = bytes.toString('utf8');
    if (text.includes('\uFFFD')) throw new UsageError('EPASSWORD_FILE', `${opts.mediaPasswordFile} is not UTF-8 text.`);
    return { password: nonEmpty(stripOneNewline(text.replace(/^\uFEFF/, '')), opts.mediaPasswordFile), source: 'File' };
  }
  const fromEnv = deps.env[PASSWORD_ENV];
  if (fromEnv !== undefined) return { password: nonEmpty(fromEnv, PASSWORD_ENV), source: 'Environment' };
  if (opts.prompt) {
    if (!deps.isTerminal) throw new UsageError('EPASSWORD_PROMPT', `-MediaPasswordPrompt needs a terminal; without one give -MediaPasswordFile or set ${PASSWORD_ENV}.`);
    const first = await deps.ask('Media password: ');
    const second = await deps.ask('Confirm media password: ');
    if (first !== second) throw new UsageError('EPASSWORD_MISMATCH', 'The two passwords typed differ; run the command again.');
    return { password: nonEmpty(first, 'the prompt'), source: 'Prompt' };
  }
  return { password: null, source: 'None' };
}

/** Reads a line from the terminal with echo off (raw mode), for PasswordDeps.ask. */
export function askHidden(question: string, input: NodeJS.ReadStream = process.stdin, output: NodeJS.WriteStream = process.stderr): Promise<string> {
  return new Promise((resolve, reject) => {
    output.write(question);
    const chars: string[] = [];
    const wasRaw = input.isRaw;
    input.setRawMode(true);
    input.resume();
    input.setEncoding('utf8');
    const done = (err: Error | null): void => {
      input.off('data', onData);
      input.setRawMode(wasRaw);
      input.pause();
      output.write('\n');
      if (err) reject(err); else resolve(chars.join(''));
    };
    const onData = (s: string): void => {
      for (const c of s) {
        if (c === '\r' || c === '\n') return done(null);
        if (c === '\u0003') return done(new UsageError('EPASSWORD_PROMPT', 'Cancelled at the password prompt.'));
        if (c === '\u007f' || c === '\b') chars.pop(); else chars.push(c);
      }
    };
    input.on('data', onData);
  });
}

/** The real sources: process environment, the file system, the terminal, stderr warnings. */
export function processPasswordDeps(warn: (message: string) => void): PasswordDeps {
  return {
    env: process.env,
    async readFile(path: string) {
      // refuse anything but a small regular file before reading it
      const s = await stat(path);
      if (!s.isFile()) throw Object.assign(new Error('not a regular file'), { code: 'ENOTFILE' });
      if (s.size > MAX_PASSWORD_FILE) throw Object.assign(new Error('too large for a password file'), { code: 'EFBIG' });
      return readFile(path);
    },
    isTerminal: process.stdin.isTTY === true,
    ask: (q) => askHidden(q),
    warn,
  };
}
