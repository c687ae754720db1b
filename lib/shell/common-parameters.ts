// The parameters every cmdlet takes, bound by the shell itself and never passed to run().
import type { ParameterSpec } from './types.js';

export const ERROR_ACTIONS = ['Stop', 'Continue', 'SilentlyContinue', 'Ignore'] as const;
export type ErrorAction = (typeof ERROR_ACTIONS)[number];
export const OUTPUT_FORMATS = ['Table', 'List', 'Json', 'Csv'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export interface CommonParameters {
  whatIf: boolean;
  verbose: boolean;
  debug: boolean;
  errorAction: ErrorAction;
  outputFormat: OutputFormat;
  confirm: boolean;
}

export const DEFAULT_COMMON: CommonParameters = {
  whatIf: false, verbose: false, debug: false, errorAction: 'Stop', outputFormat: 'Table', confirm: false,
};

export const COMMON_PARAMETERS: readonly ParameterSpec[] = [
  { name: 'WhatIf', type: 'switch', aliases: ['wi'], help: 'Shows what the cmdlet would change, and changes nothing.' },
  { name: 'Confirm', type: 'switch', aliases: ['cf'], help: 'Accepted for PowerShell compatibility; tsmedia never prompts.' },
  { name: 'Verbose', type: 'switch', aliases: ['vb'], help: 'Writes VERBOSE: lines to stderr, and the stack of an error.' },
  { name: 'Debug', type: 'switch', aliases: ['db'], help: 'As -Verbose, and prints the stack of every error, expected or not.' },
  {
    name: 'ErrorAction', type: 'string', aliases: ['ea'], validateSet: ERROR_ACTIONS,
    help: 'What a failure does: Stop (default) stops a script; Continue goes on to the next line; SilentlyContinue and Ignore also hide the error line. The exit code is non-zero in every case.',
  },
  {
    name: 'OutputFormat', type: 'string', aliases: ['of'], validateSet: OUTPUT_FORMATS,
    help: 'How objects are written to stdout: Table (default), List, Json (one JSON document) or Csv (RFC 4180).',
  },
];

/** Overlays the common parameters bound on a line over defaults (a script's own -ErrorAction...). */
export function commonFrom(bound: Readonly<Record<string, unknown>>, defaults: CommonParameters): CommonParameters {
  const out = { ...defaults };
  if (typeof bound['WhatIf'] === 'boolean') out.whatIf = bound['WhatIf'];
  if (typeof bound['Confirm'] === 'boolean') out.confirm = bound['Confirm'];
  if (typeof bound['Verbose'] === 'boolean') out.verbose = bound['Verbose'];
  if (typeof bound['Debug'] === 'boolean') out.debug = bound['Debug'];
  if (typeof bound['ErrorAction'] === 'string') out.errorAction = bound['ErrorAction'] as ErrorAction;
  if (typeof bound['OutputFormat'] === 'string') out.outputFormat = bound['OutputFormat'] as OutputFormat;
  return out;
}
