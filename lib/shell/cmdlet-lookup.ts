// Finding a cmdlet by name or alias (case-insensitive), with a "Did you mean" for typos, and
// PowerShell wildcards (* and ?) for Get-Command. Pure.
import { UsageError } from '../errors.js';
import { nearest } from './edit-distance.js';
import { excerpt } from './tokenizer.js';
import type { CmdletSpec } from './types.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyCmdlet = CmdletSpec<any>;

export function findCmdlet(name: string, cmdlets: readonly AnyCmdlet[]): AnyCmdlet | undefined {
  const lower = name.toLowerCase();
  return cmdlets.find((c) => c.name.toLowerCase() === lower || (c.aliases ?? []).some((a) => a.toLowerCase() === lower));
}

/** The nearest cmdlet name to a typo, if any is near. */
export function suggestCmdlet(name: string, cmdlets: readonly AnyCmdlet[]): string | undefined {
  const hit = nearest(name, cmdlets.flatMap((c) => [c.name, ...(c.aliases ?? [])]));
  return hit === undefined ? undefined : (findCmdlet(hit, cmdlets)?.name ?? hit);
}

export function unknownCmdletMessage(name: string, cmdlets: readonly AnyCmdlet[]): string {
  const hint = suggestCmdlet(name, cmdlets);
  return hint
    ? `Unknown cmdlet '${excerpt(name)}'. Did you mean '${hint}'?`
    : `Unknown cmdlet '${excerpt(name)}'. Run 'tsmedia Get-Command' to list the cmdlets.`;
}

export function requireCmdlet(name: string, cmdlets: readonly AnyCmdlet[]): AnyCmdlet {
  const c = findCmdlet(name, cmdlets);
  if (!c) throw new UsageError('EUNKNOWNCMDLET', unknownCmdletMessage(name, cmdlets), { cmdlet: name });
  return c;
}

export function hasWildcard(pattern: string): boolean {
  return /[*?]/.test(pattern);
}

/** A PowerShell -like pattern: * any run, ? one character, case-insensitive, whole string. */
export function wildcardRegExp(pattern: string): RegExp {
  const body = [...pattern].map((ch) => (ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(/[.+^${}()|[\]\\/-]/g, '\\$&'))).join('');
  return new RegExp(`^${body}$`, 'is');
}
