// The shell's entry: argv -> tokens -> cmdlet -> bound parameters -> run -> formatted output, with
// one error line and an exit code. Streams, environment and cancellation come in through ShellIO,
// so tests drive it in-process; bin/tsmedia.ts only wires the process to it.
//
// Exit codes: 0 ok; 2 a command line that cannot be bound (UsageError); 1 any other failure;
// 130 (SIGINT) or 143 (SIGTERM) when cancelled. A PartialFailure's output is printed before its
// error line (a bulk build's rows), and the exit code is the failure's.
import { createReadStream, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { EXIT_FAILURE, EXIT_USAGE, PartialFailure, TsmediaError, UsageError } from '../errors.js';
import { resolveHome } from '../home.js';
import { bindParameters } from './binder.js';
import { builtinCmdlets } from './builtin-cmdlets.js';
import { requireCmdlet, type AnyCmdlet } from './cmdlet-lookup.js';
import { commonFrom, DEFAULT_COMMON, type CommonParameters, type ErrorAction } from './common-parameters.js';
import { createContext, type SecretInput } from './context.js';
import { toJson } from './format-json.js';
import { formatOutput } from './format-output.js';
import { helpText, usageText } from './help.js';
import { TerminalWriter, type TextSink } from './progress.js';
import { excerpt, tokenizeArgv, tokenizeLine, type Token } from './tokenizer.js';
import type { CmdletSpec } from './types.js';

export interface ShellIO {
  stdout: TextSink;
  stderr: TextSink;
  /** stdin: scripts for `-File -`, and secrets when it is a terminal. */
  stdin?: (Readable & SecretInput) | undefined;
  env: Readonly<Record<string, string | undefined>>;
  /** Aborted on SIGINT/SIGTERM; its reason is the signal name. */
  signal?: AbortSignal | undefined;
}

/** Table width when stdout is not a terminal. */
const PIPE_WIDTH = 120;
/** A script line longer than this is refused rather than held in memory. */
const MAX_SCRIPT_LINE = 1 << 20;
const EXIT_BY_SIGNAL: Readonly<Record<string, number>> = { SIGINT: 130, SIGTERM: 143 };
const RED = '\x1b[31;1m';
const RESET = '\x1b[0m';

/** The shell's own parameters, bound like a cmdlet's: `tsmedia -File x -ErrorAction Continue`. */
const SHELL_SPEC: CmdletSpec = {
  name: 'tsmedia',
  synopsis: 'The tsmedia shell.',
  parameters: [
    { name: 'File', type: 'string', help: 'A script: one cmdlet per line; - reads stdin.' },
    { name: 'Version', type: 'switch', help: 'Prints the version.' },
  ],
  run: () => Promise.resolve(undefined),
};

let versionCache: string | undefined;

/** The version in package.json (two folders up from lib/shell, three from dist/lib/shell). */
export function packageVersion(): string {
  if (versionCache) return versionCache;
  for (const rel of ['../../package.json', '../../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as { name?: unknown; version?: unknown };
      if (pkg.name === 'tsmedia' && typeof pkg.version === 'string') return (versionCache = pkg.version);
    } catch {
      // not this folder
    }
  }
  return (versionCache = '0.0.0');
}

/** Colour only on a terminal, never with NO_COLOR or TERM=dumb; FORCE_COLOR forces it. */
/** The table columns: the view of the first switch that is on, else the default view. */
function viewFor(cmdlet: AnyCmdlet, params: Readonly<Record<string, unknown>>): readonly string[] | undefined {
  const on = Object.keys(cmdlet.switchViews ?? {}).find((name) => params[name] === true);
  return on === undefined ? cmdlet.defaultView : cmdlet.switchViews![on];
}

export function useColor(sink: TextSink, env: Readonly<Record<string, string | undefined>>): boolean {
  const force = env['FORCE_COLOR'];
  if (force !== undefined && force !== '') return force !== '0' && force !== 'false';
  if (env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '') return false;
  if (env['TERM'] === 'dumb') return false;
  return sink.isTTY === true;
}

interface LineResult { code: number; errorAction: ErrorAction }

class Shell {
  readonly writer: TerminalWriter;
  readonly cmdlets: AnyCmdlet[];
  readonly signal: AbortSignal;
  readonly version = packageVersion();

  constructor(readonly io: ShellIO, registry: readonly AnyCmdlet[]) {
    this.writer = new TerminalWriter(io.stderr, io.stdout);
    const all: AnyCmdlet[] = [];
    all.push(...builtinCmdlets(() => all, this.version), ...registry);
    this.cmdlets = all;
    this.signal = io.signal ?? new AbortController().signal;
  }

  async main(argv: readonly string[]): Promise<number> {
    if (this.signal.aborted) return this.abortCode(); // Ctrl+C while starting up
    if (argv.length === 0) { this.writer.out(usageText(this.version)); return 0; }
    const first = argv[0] as string;
    if (first === '--version') { this.writer.out(`tsmedia ${this.version}\n`); return 0; }
    if (first === '--help' || first === '-h' || first === '/?') { this.writer.out(usageText(this.version)); return 0; }
    let tokens: Token[];
    try {
      tokens = tokenizeArgv(argv);
    } catch (err) {
      return this.fail(err, 'tsmedia', DEFAULT_COMMON, '').code;
    }
    if (tokens[0]?.kind === 'parameter') return this.shellInvocation(tokens);
    return (await this.runLine(tokens, DEFAULT_COMMON, '', { jsonIndent: 2, stdin: this.io.stdin })).code;
  }

  /** `tsmedia -File ...`, `tsmedia -Version`, `tsmedia -?`: the shell's own parameters. */
  private async shellInvocation(tokens: Token[]): Promise<number> {
    let common: CommonParameters = DEFAULT_COMMON;
    try {
      const b = bindParameters(SHELL_SPEC, tokens);
      if (b.help) { this.writer.out(usageText(this.version)); return 0; }
      common = commonFrom(b.common, DEFAULT_COMMON);
      if (b.params['Version'] === true) { this.writer.out(`tsmedia ${this.version}\n`); return 0; }
      const file = b.params['File'];
      if (typeof file !== 'string') { this.writer.out(usageText(this.version)); return 0; }
      return await this.runScript(file, common);
    } catch (err) {
      return this.fail(err, 'tsmedia', common, '').code;
    }
  }

  /** Runs a script line by line, writing each line's output as it completes. */
  private async runScript(file: string, defaults: CommonParameters): Promise<number> {
    const fromStdin = file === '-';
    const label = fromStdin ? '<stdin>' : file;
    if (fromStdin && !this.io.stdin) throw new UsageError('ENOSTDIN', 'There is no stdin to read a script from.');
    const input: Readable = fromStdin ? (this.io.stdin as Readable) : createReadStream(file);
    const opened = new Promise<void>((resolve, reject) => {
      if (fromStdin) { resolve(); return; }
      input.once('open', () => resolve());
      input.once('error', (e: NodeJS.ErrnoException) => reject(new TsmediaError('ESCRIPT', `Cannot read the script '${file}': ${e.code === 'ENOENT' ? 'no such file' : e.message}.`, { path: file })));
    });
    await opened;
    const lines = createInterface({ input, crlfDelay: Infinity });
    // a script waiting on an open stdin must still stop on Ctrl+C
    const stop = (): void => lines.close();
    this.signal.addEventListener('abort', stop, { once: true });
    let firstFailure = 0;
    let lineNo = 0;
    try {
      for await (const line of lines) {
        lineNo++;
        if (this.signal.aborted) break;
        const where = `${label}:${lineNo}: `;
        let result: LineResult;
        try {
          if (line.length > MAX_SCRIPT_LINE) throw new UsageError('ESYNTAX', `The line is longer than ${MAX_SCRIPT_LINE} characters.`);
          const tokens = tokenizeLine(lineNo === 1 ? line.replace(/^\uFEFF/, '') : line);
          if (tokens.length === 0) continue;
          // a script from stdin leaves no terminal for secrets
          result = await this.runLine(tokens, defaults, where, { jsonIndent: 0, stdin: fromStdin ? undefined : this.io.stdin });
        } catch (err) {
          result = this.fail(err, 'tsmedia', defaults, where);
        }
        if (result.code !== 0) {
          firstFailure ||= result.code;
          if (result.errorAction === 'Stop' || this.signal.aborted) break;
        }
      }
    } finally {
      this.signal.removeEventListener('abort', stop);
      lines.close();
      if (!fromStdin) input.destroy();
    }
    if (this.signal.aborted) return this.abortCode();
    return firstFailure;
  }

  /** One cmdlet invocation: tokens begin with the cmdlet name. */
  private async runLine(tokens: readonly Token[], defaults: CommonParameters, where: string, opts: { jsonIndent: number; stdin: SecretInput | undefined }): Promise<LineResult> {
    const head = tokens[0];
    let cmdlet: AnyCmdlet | undefined;
    let common = defaults;
    try {
      if (!head || head.kind !== 'value' || head.list || typeof head.items[0] !== 'string') {
        throw new UsageError('ESYNTAX', `A line must start with a cmdlet name, not '${excerpt(head?.text ?? '')}'.`);
      }
      const found = requireCmdlet(head.items[0], this.cmdlets);
      cmdlet = found;
      const binding = bindParameters(found, tokens.slice(1));
      if (binding.help) { this.writer.out(helpText(cmdlet, 'default')); return { code: 0, errorAction: common.errorAction }; }
      common = commonFrom(binding.common, defaults);
      const json = common.outputFormat === 'Json';
      const ctx = createContext({
        home: resolveHome(this.io.env), common, writer: this.writer, env: this.io.env, signal: this.signal,
        stdin: opts.stdin, color: useColor(this.io.stderr, this.io.env), collectWhatIf: json,
      });
      ctx.verbose(`${cmdlet.name}: parameter set ${binding.parameterSet}.`);
      const show = (result: unknown): void => {
        const shown = json && common.whatIf ? { WhatIf: ctx.whatIfRecords, Output: result ?? null } : result;
        this.writer.out(json && common.whatIf
          ? toJson(shown, opts.jsonIndent) + '\n'
          : formatOutput(shown, {
            format: common.outputFormat, columns: viewFor(found, binding.params), jsonIndent: opts.jsonIndent,
            width: this.io.stdout.isTTY ? (this.io.stdout.columns || PIPE_WIDTH) : PIPE_WIDTH,
            color: useColor(this.io.stdout, this.io.env),
          }));
      };
      let result: unknown;
      try {
        result = await cmdlet.run(binding.params, ctx);
      } catch (err) {
        // a partial failure's output is shown before its error line
        if (err instanceof PartialFailure) show(err.output);
        throw err;
      }
      if (this.signal.aborted) throw this.signal.reason ?? new Error('aborted');
      show(result);
      return { code: 0, errorAction: common.errorAction };
    } catch (err) {
      return this.fail(err, cmdlet?.name ?? 'tsmedia', common, where);
    }
  }

  private abortCode(): number {
    const reason: unknown = this.signal.reason;
    return (typeof reason === 'string' ? EXIT_BY_SIGNAL[reason] : undefined) ?? EXIT_BY_SIGNAL['SIGINT'] as number;
  }

  /** Writes the one error line (unless -ErrorAction hides it) and gives the exit code. */
  private fail(err: unknown, caller: string, common: CommonParameters, where: string): LineResult {
    let code: number;
    let message: string;
    if (this.signal.aborted) {
      code = this.abortCode();
      message = `Stopped (${typeof this.signal.reason === 'string' ? this.signal.reason : 'cancelled'}).`;
    } else if (err instanceof TsmediaError) {
      err.caller ??= caller;
      code = err instanceof UsageError ? EXIT_USAGE : err.exitCode;
      message = err.message;
    } else {
      code = EXIT_FAILURE;
      message = `internal error: ${err instanceof Error ? err.message : String(err)}`;
    }
    const quiet = common.errorAction === 'SilentlyContinue' || common.errorAction === 'Ignore';
    if (!quiet) {
      const line = `${where}${caller}: ${message.replace(/[\r\n]+/g, ' ')}`;
      this.writer.errLine(useColor(this.io.stderr, this.io.env) ? `${RED}${line}${RESET}` : line);
      const wantStack = common.debug || (common.verbose && !(err instanceof UsageError));
      if (wantStack && err instanceof Error && err.stack) this.writer.errLine(err.stack);
    }
    return { code, errorAction: common.errorAction };
  }
}

/**
 * Runs one command line (`tsmedia` with argv) against the cmdlets of `registry` plus the built-in
 * Get-Command and Get-Help, and returns the exit code. The process edge (bin/tsmedia) closes the
 * worker pool afterwards: the pool belongs to the process, not to one command line.
 */
export async function runCommandLine(argv: readonly string[], io: ShellIO, registry: readonly AnyCmdlet[]): Promise<number> {
  return new Shell(io, registry).main(argv);
}
