// Checks a cmdlet table for mistakes the binder would otherwise meet at run time: clashing names
// and aliases (common parameters included), two parameters on one position of a set, arrays or
// validateSet on types that cannot take them, unknown set names. Pure; returns the problems.
import { inSet, parameterSets } from './binder.js';
import type { AnyCmdlet } from './cmdlet-lookup.js';
import { COMMON_PARAMETERS } from './common-parameters.js';

const ARRAY_TYPES = new Set(['string', 'int', 'size', 'secure']);
const SET_TYPES = new Set(['string', 'secure']);

export function checkCmdletSpec(c: AnyCmdlet): string[] {
  const problems: string[] = [];
  const where = (what: string): void => { problems.push(`${c.name}: ${what}`); };
  if (!/^[A-Z][A-Za-z]*-[A-Z][A-Za-z0-9]*$/.test(c.name)) where('the name is not Verb-Noun in PascalCase');
  const owners = new Map<string, string>();
  for (const p of COMMON_PARAMETERS) for (const n of [p.name, ...(p.aliases ?? [])]) owners.set(n.toLowerCase(), `common -${p.name}`);
  for (const p of c.parameters) {
    for (const n of [p.name, ...(p.aliases ?? [])]) {
      const owner = owners.get(n.toLowerCase());
      if (owner) where(`-${p.name}: '${n}' is already taken by ${owner}`);
      owners.set(n.toLowerCase(), `-${p.name}`);
    }
    if (!/^[A-Za-z][A-Za-z0-9]*$/.test(p.name)) where(`-${p.name}: a parameter name is letters and digits`);
    if (p.array && !ARRAY_TYPES.has(p.type)) where(`-${p.name}: a ${p.type} cannot be a list`);
    if (p.validateSet && !SET_TYPES.has(p.type)) where(`-${p.name}: validateSet needs a string type`);
    if (p.validateSet?.length === 0) where(`-${p.name}: validateSet is empty`);
  }
  const sets = parameterSets(c);
  for (const p of c.parameters) {
    const declared = new Set(p.parameterSets ?? sets);
    if (Array.isArray(p.mandatory)) {
      for (const s of p.mandatory as readonly string[]) if (!declared.has(s)) where(`-${p.name}: mandatory in '${s}', a set it is not in`);
    }
  }
  for (const set of sets) {
    const taken = new Map<number, string>();
    for (const p of c.parameters) {
      if (p.position === undefined || !inSet(p, set)) continue;
      const other = taken.get(p.position);
      if (other) where(`-${p.name} and -${other} share position ${p.position}${sets.length > 1 ? ` in set ${set}` : ''}`);
      taken.set(p.position, p.name);
    }
  }
  return problems;
}

/** Every problem of every cmdlet, and cmdlet names or aliases used twice. */
export function checkRegistry(cmdlets: readonly AnyCmdlet[]): string[] {
  const problems = cmdlets.flatMap(checkCmdletSpec);
  const owners = new Map<string, string>();
  for (const c of cmdlets) {
    for (const n of [c.name, ...(c.aliases ?? [])]) {
      const owner = owners.get(n.toLowerCase());
      if (owner) problems.push(`${c.name}: '${n}' is already taken by ${owner}`);
      owners.set(n.toLowerCase(), c.name);
    }
  }
  return problems;
}
