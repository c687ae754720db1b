// The CmdletContext a cmdlet runs with: -WhatIf, verbose and warning lines, progress, the clock,
// cancellation and secret prompts, all wired to the shell's streams.
import { TsmediaError, UsageError } from '../errors.js';
import type { CommonParameters } from './common-parameters.js';
import { Progress, type ProgressUnit, type TerminalWriter } from './progress.js';
import type { CmdletContext, ProgressHandle } from './types.js';

/** One -WhatIf report, as the Json output lists it. */
export interface WhatIfRecord {
  Operation: string;
  Target: string;
}

/** A terminal stdin, for secrets (process.stdin fits). */
export interface SecretInput {
  isTTY?: boolean | undefined;
  isRaw?: boolean | undefined;
  setRawMode?(raw: boolean): unknown;
  on(event: 'data', listener: (chunk: Buffer | string) => void): unknown;
  removeListener(event: 'data', listener: (chunk: Buffer | string) => void): unknown;
  resume(): unknown;
  pause(): unknown;
}

export interface ContextOptions {
  home: string;
  common: CommonParameters;
  writer: TerminalWriter;
  env: Readonly<Record<string, string | undefined>>;
  signal: AbortSignal;
  /** The terminal for readSecret; undefined when there is none (or stdin carries a script). */
  stdin?: SecretInput | undefined;
  /** Colour VERBOSE:/WARNING: lines (stderr is a terminal). */
  color: boolean;
  /** Json output collects -WhatIf reports instead of printing them. */
  collectWhatIf: boolean;
}

const YELLOW = '\x1b[33;1m';
const RESET = '\x1b[0m';

/** SOURCE_DATE_EPOCH (whole seconds since 1970) when set, else the real clock. */
export function clockFromEnv(env: Readonly<Record<string, string | undefined>>): () => Date {
  const epoch = env['SOURCE_DATE_EPOCH'];
  if (epoch === undefined || epoch === '') return () => new Date();
  return () => {
    const seconds = /^\d{1,12}$/.test(epoch.trim()) ? Number(epoch.trim()) : NaN;
    if (!Number.isSafeInteger(seconds)) throw new UsageError('EENV', `SOURCE_DATE_EPOCH must be whole seconds since 1970-01-01 UTC, not '${epoch}'.`);
    return new Date(seconds * 1000);
  };
}

export interface ShellContext extends CmdletContext {
  /** Everything -WhatIf reported, in order. */
  readonly whatIfRecords: WhatIfRecord[];
  progress(activity: string, total?: number, unit?: ProgressUnit): ProgressHandle;
}

export function createContext(o: ContextOptions): ShellContext {
  const paint = (s: string): string => (o.color ? `${YELLOW}${s}${RESET}` : s);
  const verboseOn = o.common.verbose || o.common.debug;
  const verbose = (message: string): void => { if (verboseOn) o.writer.errLine(paint(`VERBOSE: ${message}`)); };
  const whatIfRecords: WhatIfRecord[] = [];
  return {
    home: o.home,
    whatIf: o.common.whatIf,
    whatIfRecords,
    shouldProcess(target: string, action: string): boolean {
      if (!o.common.whatIf) {
        verbose(`Performing the operation "${action}" on target "${target}".`);
        return true;
      }
      whatIfRecords.push({ Operation: action, Target: target });
      if (!o.collectWhatIf) o.writer.out(`What if: Performing the operation "${action}" on target "${target}".\n`);
      return false;
    },
    verbose,
    warn(message: string): void { o.writer.errLine(paint(`WARNING: ${message}`)); },
    progress(activity: string, total?: number, unit?: ProgressUnit): ProgressHandle {
      return new Progress(o.writer, activity, total, unit);
    },
    signal: o.signal,
    now: clockFromEnv(o.env),
    env: o.env,
    readSecret(prompt: string): Promise<string | undefined> {
      const stdin = o.stdin;
      if (!stdin?.isTTY || !stdin.setRawMode) return Promise.resolve(undefined);
      return readSecretFrom(stdin, o.writer, prompt, o.signal);
    },
  };
}

/** Reads a line with echo off (raw mode): Enter ends it, Backspace edits, Ctrl+C cancels. */
export function readSecretFrom(stdin: SecretInput, writer: TerminalWriter, prompt: string, signal: AbortSignal): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    let secret = '';
    const wasRaw = stdin.isRaw === true;
    const finish = (): void => {
      stdin.removeListener('data', onData);
      signal.removeEventListener('abort', onAbort);
      stdin.setRawMode?.(wasRaw);
      stdin.pause();
      writer.errLine(''); // ends the prompt's line
    };
    const cancel = (): void => { finish(); reject(new TsmediaError('ECANCELLED', 'Cancelled at the prompt.')); };
    const onAbort = (): void => cancel();
    const onData = (chunk: Buffer | string): void => {
      for (const ch of String(chunk)) {
        if (ch === '\r' || ch === '\n') { finish(); resolve(secret); return; }
        if (ch === '\u0003') { cancel(); return; } // Ctrl+C: raw mode delivers it instead of SIGINT
        if (ch === '\u0004') { finish(); resolve(secret === '' ? undefined : secret); return; } // Ctrl+D
        if (ch === '\u007f' || ch === '\b') secret = [...secret].slice(0, -1).join('');
        else if (ch >= ' ') secret += ch;
      }
    };
    writer.errText(prompt);
    signal.addEventListener('abort', onAbort, { once: true });
    stdin.setRawMode?.(true);
    stdin.on('data', onData);
    stdin.resume();
  });
}
