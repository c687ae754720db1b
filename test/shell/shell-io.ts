// A ShellIO for in-process runs: captured stdout and stderr, chosen TTY-ness and width.
import { PassThrough } from 'node:stream';
import type { ShellIO } from '../../lib/shell/run-command-line.js';

export interface CapturedSink {
  text: string;
  isTTY: boolean;
  columns: number | undefined;
  write(s: string): boolean;
}

export function sink(isTTY = false, columns?: number): CapturedSink {
  return { text: '', isTTY, columns, write(s: string) { this.text += s; return true; } };
}

export interface TestIO extends ShellIO {
  stdout: CapturedSink;
  stderr: CapturedSink;
}

/** A fake stdin: a PassThrough that claims to be a terminal (or not) and records raw mode. */
export function fakeStdin(isTTY: boolean): PassThrough & { isTTY: boolean; isRaw: boolean; rawModes: boolean[]; setRawMode(raw: boolean): void } {
  const s = new PassThrough() as PassThrough & { isTTY: boolean; isRaw: boolean; rawModes: boolean[]; setRawMode(raw: boolean): void };
  s.isTTY = isTTY;
  s.isRaw = false;
  s.rawModes = [];
  s.setRawMode = (raw: boolean) => { s.isRaw = raw; s.rawModes.push(raw); };
  return s;
}

export function testIO(opts: { stdoutTTY?: boolean; stderrTTY?: boolean; columns?: number; env?: Record<string, string | undefined>; stdin?: ShellIO['stdin']; signal?: AbortSignal } = {}): TestIO {
  return {
    stdout: sink(opts.stdoutTTY ?? false, opts.columns),
    stderr: sink(opts.stderrTTY ?? false, opts.columns),
    env: { TSMEDIA_HOME: '/tmp/tsmedia-test-home', ...opts.env },
    stdin: opts.stdin,
    signal: opts.signal,
  };
}
