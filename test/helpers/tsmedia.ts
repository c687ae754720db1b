// Runs tsmedia command lines in process, with the real cmdlet registry and a given home.
import { cmdlets } from '../../lib/cmdlets/index.js';
import { runCommandLine } from '../../lib/shell/run-command-line.js';
import { testIO } from '../shell/shell-io.js';

export interface TsmediaRun { code: number; stdout: string; stderr: string; json<T = any>(): T }

export async function tsmedia(home: string, argv: readonly string[], env: Record<string, string> = {}): Promise<TsmediaRun> {
  const io = testIO({ env: { TSMEDIA_HOME: home, SOURCE_DATE_EPOCH: '1767225600', ...env } });
  const code = await runCommandLine(argv, io, cmdlets);
  return { code, stdout: io.stdout.text, stderr: io.stderr.text, json: () => JSON.parse(io.stdout.text) };
}
