// The contract between the shell and the cmdlets: a cmdlet declares its parameters (names, types,
// sets, positions) as data, so binding, validation, Get-Help and docs all come from one table.

/** The value kinds a parameter binds to. */
export type ParameterType =
  | 'string'     // any text
  | 'int'        // a whole number (64-bit safe up to 2^53)
  | 'switch'     // present or not; -Name:$false to turn off
  | 'datetime'   // ISO 8601 or "yyyy-MM-dd HH:mm"
  | 'size'       // bytes, or with a suffix KB/MB/GB/TB (binary multiples, as PowerShell's 1GB)
  | 'secure'     // a secret such as a password: never echoed, never in -Verbose
  | 'hashtable'; // Name=Value pairs, "a=1,b=2"

export interface ParameterSpec {
  name: string;
  type: ParameterType;
  /** Takes a comma-separated list. */
  array?: boolean;
  /** Mandatory in every set (true) or in the named sets only. */
  mandatory?: boolean | readonly string[];
  /** Zero-based position for positional binding. */
  position?: number;
  aliases?: readonly string[];
  /** Allowed values, matched case-insensitively and bound in this canonical case. */
  validateSet?: readonly string[];
  /** Parameter sets this parameter belongs to; none means all sets. */
  parameterSets?: readonly string[];
  help: string;
}

export interface CmdletExample {
  code: string;
  remarks: string;
}

/** A bound parameter value: string, number, boolean, Date, string[], number[], Record<string,string>. */
export type BoundValue = string | number | boolean | Date | string[] | number[] | Record<string, string>;
export type BoundParameters = Record<string, BoundValue>;

export interface ProgressHandle {
  /** Adds done units (bytes, files) and optionally a status text. */
  tick(done: number, status?: string): void;
  /** Sets an absolute position. */
  update(done: number, status?: string): void;
  /** Sets the total once it is known (work that starts while it is still being listed). */
  setTotal(total: number): void;
  done(): void;
}

export interface CmdletContext {
  /** The tsmedia home: catalog, content library, locks. */
  home: string;
  /** -WhatIf: say what would change and change nothing. */
  whatIf: boolean;
  /**
   * Guards a change, as PowerShell's ShouldProcess: under -WhatIf it reports
   * `What if: Performing the operation "<action>" on target "<target>".` and returns false.
   */
  shouldProcess(target: string, action: string): boolean;
  /** -Verbose text, to stderr. */
  verbose(message: string): void;
  /** A warning, to stderr; never fatal. */
  warn(message: string): void;
  /** A progress display on stderr when it is a terminal; silent otherwise. */
  progress(activity: string, total?: number, unit?: 'bytes' | 'items'): ProgressHandle;
  /** Aborted on SIGINT/SIGTERM. */
  signal: AbortSignal;
  /** The clock: SOURCE_DATE_EPOCH when set, so builds are reproducible. */
  now(): Date;
  env: Readonly<Record<string, string | undefined>>;
  /** Reads a secret from the terminal, or undefined when there is no terminal. */
  readSecret(prompt: string): Promise<string | undefined>;
}

export interface CmdletSpec<P extends object = BoundParameters> {
  /** Verb-Noun, in its canonical case. */
  name: string;
  aliases?: readonly string[];
  synopsis: string;
  description?: string;
  parameters: readonly ParameterSpec[];
  /** The set used when the bound parameters fit several. */
  defaultParameterSet?: string;
  examples?: readonly CmdletExample[];
  /** Columns of the default table view; all properties otherwise. */
  defaultView?: readonly string[];
  /** Table columns when a switch is on (e.g. { Detailed: [...] }), for switches that change the objects returned. */
  switchViews?: Readonly<Record<string, readonly string[]>>;
  /** Returns objects for the formatter: one object, an array of them, or nothing. */
  run(params: P, ctx: CmdletContext): Promise<unknown>;
}
