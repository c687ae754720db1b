// Help text generated from a cmdlet's parameter table, laid out like PowerShell's Get-Help. Pure.
import { ALL_PARAMETER_SETS, inSet, isMandatoryIn, parameterSets } from './binder.js';
import { COMMON_PARAMETERS } from './common-parameters.js';
import { formatTable } from './format-table.js';
import type { CmdletSpec, ParameterSpec } from './types.js';

export type HelpView = 'default' | 'full' | 'examples';

const INDENT = '    ';
const TYPE_NAMES: Readonly<Record<ParameterSpec['type'], string>> = {
  string: 'string', int: 'int', switch: 'switch', datetime: 'datetime', size: 'size',
  secure: 'securestring', hashtable: 'hashtable',
};

/** `<string>`, `<int[]>`, or the accepted values `{A | B}`; nothing for a switch. */
export function typeLabel(p: ParameterSpec): string {
  if (p.type === 'switch') return '';
  if (p.validateSet) return `{${p.validateSet.join(' | ')}}${p.array ? '[]' : ''}`;
  return `<${TYPE_NAMES[p.type]}${p.array ? '[]' : ''}>`;
}

/** One parameter in a syntax line: `-Path <string>`, `[-Force]`, `[[-Name] <string>]`. */
function syntaxItem(p: ParameterSpec, set: string): string {
  const type = typeLabel(p);
  const name = p.position !== undefined ? `[-${p.name}]` : `-${p.name}`;
  const core = type ? `${name} ${type}` : name;
  return isMandatoryIn(p, set) ? core : `[${core}]`;
}

/** One syntax line per parameter set, as PowerShell writes them. */
export function syntaxLines(cmdlet: CmdletSpec): string[] {
  return parameterSets(cmdlet).map((set) => {
    const params = cmdlet.parameters.filter((p) => inSet(p, set));
    const positional = params.filter((p) => p.position !== undefined).sort((a, b) => (a.position ?? 0) - (b.position ?? 0));
    const named = params.filter((p) => p.position === undefined);
    const items = [...positional, ...named].map((p) => syntaxItem(p, set));
    return [cmdlet.name, ...items, '[-WhatIf]', '[-Confirm]', '[<CommonParameters>]'].join(' ');
  });
}

function required(cmdlet: CmdletSpec, p: ParameterSpec): string {
  if (p.mandatory === true) return 'Yes';
  if (Array.isArray(p.mandatory) && p.mandatory.length > 0) {
    return parameterSets(cmdlet).length > 1 ? `In ${(p.mandatory as readonly string[]).join(', ')}` : 'Yes';
  }
  return 'No';
}

/** The parameter table: name, type, required, position, aliases, accepted values. */
export function parameterRows(cmdlet: CmdletSpec): Record<string, string>[] {
  return cmdlet.parameters.map((p) => ({
    Name: `-${p.name}`,
    Type: TYPE_NAMES[p.type] + (p.array ? '[]' : ''),
    Required: required(cmdlet, p),
    Position: p.position !== undefined ? String(p.position) : 'Named',
    Aliases: (p.aliases ?? []).join(', '),
    AcceptedValues: (p.validateSet ?? []).join(', '),
  }));
}

/** The detailed block for one parameter (Get-Help -Full, -Parameter). */
export function parameterDetail(cmdlet: CmdletSpec, p: ParameterSpec): string[] {
  const sets = parameterSets(cmdlet);
  const lines = [`${INDENT}-${p.name} ${typeLabel(p)}`.trimEnd(), `${INDENT}${INDENT}${p.help}`, ''];
  const row = (label: string, value: string): void => { lines.push(`${INDENT}${INDENT}${label.padEnd(22)}${value}`); };
  row('Required?', required(cmdlet, p));
  row('Position?', p.position !== undefined ? String(p.position) : 'Named');
  if (p.aliases?.length) row('Aliases', p.aliases.join(', '));
  if (p.validateSet) row('Accepted values', p.validateSet.join(', '));
  if (p.array) row('Accepts a list?', 'Yes (a,b,c)');
  if (sets.length > 1 || sets[0] !== ALL_PARAMETER_SETS) row('Parameter sets', p.parameterSets?.length ? p.parameterSets.join(', ') : '(All)');
  lines.push('');
  return lines;
}

function exampleLines(cmdlet: CmdletSpec): string[] {
  const examples = cmdlet.examples ?? [];
  if (examples.length === 0) return [`${INDENT}(none)`, ''];
  return examples.flatMap((ex, i) => [
    `${INDENT}-------------------------- EXAMPLE ${i + 1} --------------------------`,
    '',
    `${INDENT}${ex.code}`,
    '',
    `${INDENT}${ex.remarks}`,
    '',
  ]);
}

const COMMON_BLURB = `${INDENT}<CommonParameters>\n${INDENT}${INDENT}Every cmdlet also takes ${COMMON_PARAMETERS.map((p) => `-${p.name}`).join(', ')}.\n${INDENT}${INDENT}See 'tsmedia Get-Help about_CommonParameters' or docs/shell.md.\n`;

/** Get-Help text for a cmdlet. */
export function helpText(cmdlet: CmdletSpec, view: HelpView): string {
  const out: string[] = ['', 'NAME', `${INDENT}${cmdlet.name}`, '', 'SYNOPSIS', `${INDENT}${cmdlet.synopsis}`, ''];
  if (view !== 'examples') {
    out.push('SYNTAX', ...syntaxLines(cmdlet).flatMap((l) => [`${INDENT}${l}`, '']));
    if (cmdlet.description) out.push('DESCRIPTION', `${INDENT}${cmdlet.description}`, '');
    if (cmdlet.aliases?.length) out.push('ALIASES', `${INDENT}${cmdlet.aliases.join(', ')}`, '');
  }
  if (view === 'default') {
    if (cmdlet.parameters.length > 0) {
      const table = formatTable(parameterRows(cmdlet), { width: 120, color: false });
      out.push('PARAMETERS', ...table.trim().split('\n').map((l) => `${INDENT}${l}`.trimEnd()), '');
    }
    out.push('REMARKS', `${INDENT}For details and examples: tsmedia Get-Help ${cmdlet.name} -Full`, '');
  }
  if (view === 'full') {
    out.push('PARAMETERS', ...cmdlet.parameters.flatMap((p) => parameterDetail(cmdlet, p)), COMMON_BLURB);
  }
  if (view !== 'default') out.push('EXAMPLES', ...exampleLines(cmdlet));
  return out.join('\n').replace(/\n+$/, '') + '\n';
}

/** Common parameters, for `Get-Help about_CommonParameters`. */
export function commonParametersHelp(): string {
  const lines = ['', 'ABOUT_COMMONPARAMETERS', `${INDENT}Every tsmedia cmdlet takes these parameters.`, ''];
  for (const p of COMMON_PARAMETERS) {
    lines.push(`${INDENT}-${p.name} ${typeLabel(p)}`.trimEnd(), `${INDENT}${INDENT}${p.help}`);
    if (p.aliases?.length) lines.push(`${INDENT}${INDENT}Alias: ${p.aliases.map((a) => `-${a}`).join(', ')}`);
    lines.push('');
  }
  return lines.join('\n');
}

/** The short usage `tsmedia` prints with no arguments. */
export function usageText(version: string): string {
  return [
    `tsmedia ${version}: builds task sequence media with PowerShell-style cmdlets.`,
    '',
    'Usage:',
    '  tsmedia <Cmdlet> [-Parameter value ...] [-OutputFormat Table|List|Json|Csv]',
    '  tsmedia -File <script.tsm> [-ErrorAction Continue]   one cmdlet per line; - reads stdin',
    '  tsmedia Get-Command [-Name <pattern>]                 the cmdlets',
    '  tsmedia Get-Help <Cmdlet> [-Full|-Examples]           help on one (or: tsmedia <Cmdlet> -?)',
    '  tsmedia --version',
    '',
  ].join('\n');
}
