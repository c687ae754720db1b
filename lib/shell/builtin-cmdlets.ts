// The shell's own cmdlets: Get-Command and Get-Help. Both read the full list (registry + these), so
// they are made by a factory that is handed that list.
import { NotFoundError } from '../errors.js';
import { resolveParameter } from './binder.js';
import { findCmdlet, hasWildcard, unknownCmdletMessage, wildcardRegExp, type AnyCmdlet } from './cmdlet-lookup.js';
import { commonParametersHelp, helpText, parameterDetail, usageText } from './help.js';
import type { CmdletSpec } from './types.js';

export interface CommandInfo {
  Name: string;
  CommandType: 'Cmdlet';
  Synopsis: string;
  Aliases: string[];
}

/** Get-Command and Get-Help over `all()`, which must include them. */
export function builtinCmdlets(all: () => readonly AnyCmdlet[], version: string): AnyCmdlet[] {
  const getCommand: CmdletSpec<{ Name?: string[] }> = {
    name: 'Get-Command',
    aliases: ['gcm'],
    synopsis: 'Lists the cmdlets tsmedia offers.',
    description: 'Lists every cmdlet, or those whose name or alias matches -Name (wildcards * and ? allowed).',
    parameters: [
      { name: 'Name', type: 'string', array: true, position: 0, help: 'Names or patterns such as New-* or *Media*.' },
    ],
    defaultView: ['Name', 'Synopsis'],
    examples: [
      { code: 'Get-Command', remarks: 'Lists every cmdlet.' },
      { code: 'Get-Command -Name New-*Media', remarks: 'Lists the cmdlets that create media.' },
    ],
    run(params) {
      const cmdlets = [...all()].sort((a, b) => a.name.localeCompare(b.name, 'en', { sensitivity: 'base' }));
      let chosen = cmdlets;
      if (params.Name) {
        chosen = [];
        for (const pattern of params.Name) {
          if (hasWildcard(pattern)) {
            const re = wildcardRegExp(pattern);
            chosen.push(...cmdlets.filter((c) => re.test(c.name) || (c.aliases ?? []).some((a) => re.test(a))));
          } else {
            const c = findCmdlet(pattern, cmdlets);
            if (!c) throw new NotFoundError('cmdlet', unknownCmdletMessage(pattern, cmdlets), { name: pattern });
            chosen.push(c);
          }
        }
        chosen = [...new Set(chosen)];
      }
      const rows: CommandInfo[] = chosen.map((c) => ({ Name: c.name, CommandType: 'Cmdlet', Synopsis: c.synopsis, Aliases: [...(c.aliases ?? [])] }));
      return Promise.resolve(rows);
    },
  };

  const getHelp: CmdletSpec<{ Name?: string; Full?: boolean; Examples?: boolean; Parameter?: string }> = {
    name: 'Get-Help',
    aliases: ['help'],
    synopsis: 'Shows help for a cmdlet, generated from its parameter table.',
    description: 'Prints the synopsis, the syntax of each parameter set, the parameters and the examples of a cmdlet. Without a name, prints the usage of tsmedia.',
    parameters: [
      { name: 'Name', type: 'string', position: 0, help: 'The cmdlet (or about_CommonParameters).' },
      { name: 'Full', type: 'switch', parameterSets: ['Full'], help: 'Every parameter in detail, and the examples.' },
      { name: 'Examples', type: 'switch', parameterSets: ['Examples'], help: 'The examples only.' },
      { name: 'Parameter', type: 'string', parameterSets: ['Parameter'], help: 'One parameter in detail (wildcards allowed).' },
    ],
    defaultParameterSet: 'Default',
    examples: [
      { code: 'Get-Help Get-Command -Full', remarks: 'Everything about Get-Command.' },
      { code: 'Get-Help Get-Help -Parameter Name', remarks: 'One parameter of Get-Help.' },
    ],
    run(params) {
      if (!params.Name) return Promise.resolve(usageText(version));
      if (params.Name.toLowerCase() === 'about_commonparameters') return Promise.resolve(commonParametersHelp());
      const cmdlets = all();
      const c = findCmdlet(params.Name, cmdlets);
      if (!c) throw new NotFoundError('cmdlet', unknownCmdletMessage(params.Name, cmdlets), { name: params.Name });
      if (params.Parameter !== undefined) {
        const pattern = params.Parameter.replace(/^-/, '');
        const chosen = hasWildcard(pattern)
          ? c.parameters.filter((p) => wildcardRegExp(pattern).test(p.name))
          : [resolveParameter(c, pattern, c.parameters)];
        if (chosen.length === 0) throw new NotFoundError('parameter', `${c.name} has no parameter matching -${pattern}.`, { name: pattern });
        return Promise.resolve(['', ...chosen.flatMap((p) => parameterDetail(c, p))].join('\n'));
      }
      return Promise.resolve(helpText(c, params.Full ? 'full' : params.Examples ? 'examples' : 'default'));
    },
  };
  return [getCommand, getHelp] as AnyCmdlet[];
}
