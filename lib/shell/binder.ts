// Parameter binding, PowerShell's rules: tokens + a cmdlet's parameter table -> typed values, or a
// UsageError of one line. Pure.
//
// Order: named parameters first (exact name or alias, else an unambiguous prefix), then the
// parameter set that fits them (the default set on a tie), then positional values in that set,
// then the set's mandatory parameters.
import { TsmediaError, UsageError } from '../errors.js';
import { COMMON_PARAMETERS } from './common-parameters.js';
import { nearest } from './edit-distance.js';
import { excerpt, type Scalar, type Token, type ValueToken } from './tokenizer.js';
import type { BoundParameters, BoundValue, CmdletSpec, ParameterSpec, ParameterType } from './types.js';
import { parseBoolean, parseDateTime, parseHashtable, parseInt53, parseSize } from './values.js';

/** The parameter set of a cmdlet that declares none. */
export const ALL_PARAMETER_SETS = '__AllParameterSets';

export type BindableCmdlet = Pick<CmdletSpec, 'name' | 'parameters' | 'defaultParameterSet'>;

export interface Binding {
  /** The cmdlet's own parameters, by canonical name. */
  params: BoundParameters;
  /** Common parameters given on the line (WhatIf, ErrorAction, ...), by canonical name. */
  common: BoundParameters;
  /** The parameter set chosen; ALL_PARAMETER_SETS when the cmdlet has none. */
  parameterSet: string;
  /** `-?` was given: show help, bind nothing else. */
  help: boolean;
}

const TYPE_WORDS: Readonly<Record<ParameterType, string>> = {
  string: 'a string', int: 'an integer', switch: '$true or $false', datetime: 'a date',
  size: 'a size', secure: 'a secret', hashtable: 'Name=Value pairs',
};

const TYPE_HINTS: Partial<Readonly<Record<ParameterType, string>>> = {
  datetime: ' (yyyy-MM-dd, yyyy-MM-dd HH:mm[:ss], or ISO 8601 such as 2026-11-25T08:30:00Z)',
  size: ' (bytes, or a number with KB, MB, GB or TB: 650MB, 4.7GB)',
  hashtable: ' (Name=Value,Other=Value)',
};

function bindError(code: string, message: string, data: Record<string, unknown> = {}): UsageError {
  return new UsageError(code, message, data);
}

/** What a value looked like, for a message; secrets never. */
function shown(p: ParameterSpec, text: string): string {
  return p.type === 'secure' ? 'the value given' : `'${excerpt(text)}'`;
}

/** Finds the parameter a name on the command line means. */
export function resolveParameter(cmdlet: BindableCmdlet, name: string, all: readonly ParameterSpec[]): ParameterSpec {
  const lower = name.toLowerCase();
  const exact = all.find((p) => p.name.toLowerCase() === lower || (p.aliases ?? []).some((a) => a.toLowerCase() === lower));
  if (exact) return exact;
  const matches = all.filter((p) => [p.name, ...(p.aliases ?? [])].some((n) => n.toLowerCase().startsWith(lower)));
  if (matches.length === 1 && lower !== '') return matches[0] as ParameterSpec;
  if (matches.length > 1 && lower !== '') {
    const names = matches.map((p) => `-${p.name}`).join(', ');
    throw bindError('EAMBIGUOUSPARAMETER', `Parameter -${excerpt(name)} is ambiguous for ${cmdlet.name}: it could be ${names}.`, { parameter: name, candidates: matches.map((p) => p.name) });
  }
  const hint = nearest(name, all.flatMap((p) => [p.name, ...(p.aliases ?? [])]));
  const suggestion = hint ? ` Did you mean -${all.find((p) => p.name === hint || p.aliases?.includes(hint))?.name ?? hint}?` : ` Run 'tsmedia Get-Help ${cmdlet.name}' to list its parameters.`;
  throw bindError('EUNKNOWNPARAMETER', `${cmdlet.name} has no parameter -${excerpt(name)}.${suggestion}`, { parameter: name });
}

/** Converts one item to the parameter's type. */
function convertItem(p: ParameterSpec, item: Scalar): string | number | boolean | Date {
  const text = typeof item === 'boolean' ? (item ? 'True' : 'False') : item;
  const fail = (): UsageError => bindError('EBADVALUE', `Cannot bind -${p.name}: ${shown(p, text)} is not ${TYPE_WORDS[p.type]}${TYPE_HINTS[p.type] ?? ''}.`, { parameter: p.name });
  switch (p.type) {
    case 'string':
    case 'secure':
      return p.validateSet ? matchSet(p, text) : text;
    case 'int': {
      const n = typeof item === 'string' ? parseInt53(item) : undefined;
      if (n === undefined) throw fail();
      return n;
    }
    case 'size': {
      const n = typeof item === 'string' ? parseSize(item) : undefined;
      if (n === undefined) throw fail();
      return n;
    }
    case 'datetime': {
      const d = typeof item === 'string' ? parseDateTime(item) : undefined;
      if (d === undefined) throw fail();
      return d;
    }
    case 'switch': {
      const b = typeof item === 'boolean' ? item : parseBoolean(item);
      if (b === undefined) throw fail();
      return b;
    }
    case 'hashtable':
      throw new TsmediaError('EINTERNAL', `convertItem called for hashtable -${p.name}`);
  }
}

/** validateSet: case-insensitive, bound in the set's own case. */
function matchSet(p: ParameterSpec, text: string): string {
  const set = p.validateSet ?? [];
  const hit = set.find((v) => v.toLowerCase() === text.toLowerCase());
  if (hit !== undefined) return hit;
  throw bindError('ENOTINSET', `Cannot bind -${p.name}: ${shown(p, text)} is not one of ${set.join(', ')}.`, { parameter: p.name, accepted: [...set] });
}

/** Converts a whole value token (one item or a list) for a parameter. */
export function convertValue(p: ParameterSpec, v: ValueToken): BoundValue {
  if (p.type === 'hashtable') {
    const r = parseHashtable(v.items.map((i) => (typeof i === 'boolean' ? (i ? 'True' : 'False') : i)));
    if ('error' in r) throw bindError('EBADVALUE', `Cannot bind -${p.name}: ${r.error}${TYPE_HINTS.hashtable ?? ''}.`, { parameter: p.name });
    return r.value;
  }
  if (p.array) {
    if (p.type === 'datetime' || p.type === 'switch') throw new TsmediaError('EINTERNAL', `-${p.name}: arrays of ${p.type} are not supported`);
    const values = v.items.map((i) => convertItem(p, i));
    return values as string[] | number[];
  }
  if (v.list || v.items.length !== 1) {
    const what = p.type === 'secure' ? 'a list' : `the list '${excerpt(v.text)}'`;
    throw bindError('ENOTALIST', `Cannot bind -${p.name}: it takes one value, not ${what}. Quote the value to pass text with commas.`, { parameter: p.name });
  }
  return convertItem(p, v.items[0] as Scalar);
}

/** Every set a cmdlet declares, in the order they first appear; the default set first. */
export function parameterSets(cmdlet: BindableCmdlet): string[] {
  const sets: string[] = [];
  const add = (s: string): void => { if (!sets.includes(s)) sets.push(s); };
  if (cmdlet.defaultParameterSet) add(cmdlet.defaultParameterSet);
  for (const p of cmdlet.parameters) {
    for (const s of p.parameterSets ?? []) add(s);
    if (Array.isArray(p.mandatory)) for (const s of p.mandatory as readonly string[]) add(s);
  }
  return sets.length > 0 ? sets : [ALL_PARAMETER_SETS];
}

export function inSet(p: ParameterSpec, set: string): boolean {
  return !p.parameterSets || p.parameterSets.length === 0 || set === ALL_PARAMETER_SETS || p.parameterSets.includes(set);
}

export function isMandatoryIn(p: ParameterSpec, set: string): boolean {
  if (!inSet(p, set)) return false;
  if (p.mandatory === true) return true;
  return Array.isArray(p.mandatory) && (p.mandatory as readonly string[]).includes(set);
}

/** Positional parameters of a set, in position order. */
export function positionalIn(cmdlet: BindableCmdlet, set: string): ParameterSpec[] {
  return cmdlet.parameters
    .filter((p) => p.position !== undefined && inSet(p, set))
    .sort((a, b) => (a.position ?? 0) - (b.position ?? 0));
}

/** Binds the tokens after the cmdlet name. Throws UsageError with one line on any failure. */
export function bindParameters(cmdlet: BindableCmdlet, tokens: readonly Token[]): Binding {
  const all = [...cmdlet.parameters, ...COMMON_PARAMETERS.filter((c) => !cmdlet.parameters.some((p) => p.name.toLowerCase() === c.name.toLowerCase()))];
  if (tokens.some((t) => t.kind === 'parameter' && t.name === '?')) {
    return { params: {}, common: {}, parameterSet: parameterSets(cmdlet)[0] ?? ALL_PARAMETER_SETS, help: true };
  }
  const named = new Map<ParameterSpec, BoundValue>();
  const positional: ValueToken[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] as Token;
    if (t.kind === 'value') { positional.push(t); continue; }
    const p = resolveParameter(cmdlet, t.name, all);
    if (named.has(p)) throw bindError('EDUPLICATEPARAMETER', `Cannot bind -${p.name}: it is given more than once.`, { parameter: p.name });
    if (p.type === 'switch') {
      if (!t.colon) { named.set(p, true); continue; }
      if (!t.value) throw bindError('EMISSINGVALUE', `Missing a value after -${p.name}: write -${p.name}:$true or -${p.name}:$false (in a POSIX shell quote '$false' or write -${p.name}:false).`, { parameter: p.name });
      named.set(p, convertValue(p, t.value));
      continue;
    }
    let value = t.value;
    if (!t.colon) {
      const next = tokens[i + 1];
      if (next?.kind === 'value') { value = next; i++; }
    }
    if (!value) throw bindError('EMISSINGVALUE', `Missing an argument for -${p.name}: give ${TYPE_WORDS[p.type]}${p.array ? ' or a list' : ''} after it.`, { parameter: p.name });
    named.set(p, convertValue(p, value));
  }

  const own = [...named.keys()].filter((p) => cmdlet.parameters.includes(p));
  const sets = parameterSets(cmdlet);
  const candidates = sets.filter((s) => own.every((p) => inSet(p, s)));
  if (candidates.length === 0) throw incompatible(cmdlet, own);

  let firstError: UsageError | undefined;
  for (const set of candidates) {
    try {
      const params = bindInSet(cmdlet, set, named, positional, own, sets.length > 1);
      const common: BoundParameters = {};
      for (const [p, v] of named) if (!cmdlet.parameters.includes(p)) common[p.name] = v;
      return { params, common, parameterSet: set, help: false };
    } catch (err) {
      if (!(err instanceof UsageError)) throw err;
      firstError ??= err;
    }
  }
  throw firstError as UsageError;
}

/** Positional binding and the mandatory check within one set. */
function bindInSet(cmdlet: BindableCmdlet, set: string, named: Map<ParameterSpec, BoundValue>, positional: readonly ValueToken[], own: readonly ParameterSpec[], manySets: boolean): BoundParameters {
  const params: BoundParameters = {};
  for (const p of own) params[p.name] = named.get(p) as BoundValue;
  const open = positionalIn(cmdlet, set).filter((p) => !own.includes(p));
  positional.forEach((v, k) => {
    const p = open[k];
    if (!p) {
      const label = open.length === 0 && own.length === 0 && positionalIn(cmdlet, set).length === 0 ? 'takes no positional values' : 'takes no more positional values';
      throw bindError('EEXTRAARGUMENT', `Unexpected argument '${excerpt(v.text)}': ${cmdlet.name} ${label}; name the parameter it is for.`, { argument: v.text });
    }
    params[p.name] = convertValue(p, v);
  });
  const missing = cmdlet.parameters.filter((p) => isMandatoryIn(p, set) && !(p.name in params));
  if (missing.length > 0) {
    const names = missing.map((p) => `-${p.name}`).join(', ');
    const where = manySets ? ` (parameter set ${set})` : '';
    throw bindError('EMISSINGMANDATORY', `Missing mandatory parameter${missing.length > 1 ? 's' : ''} ${names} for ${cmdlet.name}${where}.`, { parameters: missing.map((p) => p.name), parameterSet: set });
  }
  return params;
}

/** Names the parameters that cannot go together. */
function incompatible(cmdlet: BindableCmdlet, own: readonly ParameterSpec[]): UsageError {
  const sets = parameterSets(cmdlet);
  for (let i = 0; i < own.length; i++) {
    for (let j = 0; j < i; j++) {
      const a = own[j] as ParameterSpec;
      const b = own[i] as ParameterSpec;
      if (!sets.some((s) => inSet(a, s) && inSet(b, s))) {
        return bindError('EPARAMETERSET', `-${a.name} and -${b.name} cannot be used together: they belong to different parameter sets of ${cmdlet.name}.`, { parameters: [a.name, b.name] });
      }
    }
  }
  const names = own.map((p) => `-${p.name}`).join(', ');
  return bindError('EPARAMETERSET', `${names} cannot be used together: no parameter set of ${cmdlet.name} has them all.`, { parameters: own.map((p) => p.name) });
}
