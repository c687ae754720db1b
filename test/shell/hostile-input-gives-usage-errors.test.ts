// Test: whatever a line holds, tokenizing and binding either succeed or throw a UsageError: never a
// TypeError or RangeError, never a hang. Lines are generated from a fixed seed, biased towards the
// characters the grammar treats specially.
import test from 'ava';
import { UsageError } from '../../lib/errors.js';
import { bindParameters } from '../../lib/shell/binder.js';
import { tokenizeArgv, tokenizeLine } from '../../lib/shell/tokenizer.js';
import { parseDateTime, parseHashtable, parseSize } from '../../lib/shell/values.js';
import { getTestItem, newTestPackage } from './test-cmdlets.js';

/** xorshift32: the same lines on every run. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; return x / 2 ** 32; };
}

const ALPHABET = [..."-:,'\"`#$ \t=@{};?0123456789.abcNnPpFfIiMmTtSsVv\u263a\ud83d\ude00\u0000\\"];
const WORDS = ['-Name', '-Pa', '-Force:', '$true', '$false', '--', '-?', '-Index', '-MediaSize', '-Since', '-Variable', '-MediaType', '-Count', '-Id', '-Tag', '1GB', '2026-01-01', 'a=1'];

function randomLine(next: () => number): string {
  let s = '';
  const n = Math.floor(next() * 40);
  for (let i = 0; i < n; i++) {
    s += next() < 0.3 ? ` ${WORDS[Math.floor(next() * WORDS.length)] as string} ` : ALPHABET[Math.floor(next() * ALPHABET.length)];
  }
  return s;
}

function onlyUsageErrors(f: () => unknown): string | undefined {
  try { f(); return undefined; } catch (err) { return err instanceof UsageError ? undefined : String((err as Error)?.stack ?? err); }
}

test('5000 random lines: tokenize and bind give a value or a UsageError', (t) => {
  const next = rng(0x7e57);
  const started = Date.now();
  for (let i = 0; i < 5000; i++) {
    const line = randomLine(next);
    const problem = onlyUsageErrors(() => {
      const tokens = tokenizeLine(line);
      bindParameters(next() < 0.5 ? newTestPackage : getTestItem, tokens);
    }) ?? onlyUsageErrors(() => {
      const argv = line.split(' ');
      bindParameters(newTestPackage, tokenizeArgv(argv));
    });
    if (problem) { t.fail(`line ${JSON.stringify(line)}: ${problem}`); return; }
  }
  t.true(Date.now() - started < 20_000);
});

test('long hostile lines stay fast', (t) => {
  const started = Date.now();
  for (const line of ['`'.repeat(100_001), ','.repeat(100_000), ' ,'.repeat(50_000) + 'x', "'".repeat(100_001), '-' + 'a'.repeat(100_000), 'X ' + 'a,'.repeat(50_000) + 'b']) {
    t.is(onlyUsageErrors(() => bindParameters(newTestPackage, tokenizeLine(line).slice(1))), undefined);
  }
  t.true(Date.now() - started < 5000, `${Date.now() - started} ms`);
});

test('value parsers reject junk without throwing', (t) => {
  for (const s of ['', ' ', '1e9', 'NaN', 'Infinity', '-1GB', '1.5.5MB', '99999999999PB', '0x10', '１２']) t.is(parseSize(s), undefined, s);
  for (const s of ['', '2026', '2026-1-1', '2026-00-10', '2026-01-01T', '2026-01-01 25:00', '2026-01-01T10:00+15:00', '+2026-01-01']) t.is(parseDateTime(s), undefined, s);
  t.true('error' in parseHashtable(['@{a=1']));
  t.true('error' in parseHashtable(['=x']));
});

test('messages quote at most 60 characters of what the user typed', (t) => {
  const long = 'x'.repeat(5000);
  for (const line of [`T -${long} v`, `T -Index ${long}`, `T /p /q ${long}`, `T -Path ${long},b`]) {
    const err = t.throws(() => bindParameters(newTestPackage, tokenizeLine(line).slice(1)), { instanceOf: UsageError });
    t.true((err?.message.length ?? 0) < 220, err?.message);
  }
});
