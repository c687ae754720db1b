// Test: the tokenizer's rules, one row each: quotes, escapes, lists, $true/$false, comments, `--`,
// and argv words that a POSIX shell has already split.
import test from 'ava';
import { UsageError } from '../../lib/errors.js';
import { tokenizeArgv, tokenizeLine, type Token } from '../../lib/shell/tokenizer.js';

/** A compact view of tokens: parameters as '-Name' or '-Name:<items>', values as their items. */
function view(tokens: Token[]): unknown[] {
  return tokens.map((t) => {
    if (t.kind === 'parameter') return t.colon ? { [`-${t.name}:`]: t.value ? t.value.items : null } : `-${t.name}`;
    return t.list ? { list: t.items } : t.items[0];
  });
}

const lineCases: [string, string, unknown[]][] = [
  ['words split on spaces and tabs', 'New-X  -Name\tabc', ['New-X', '-Name', 'abc']],
  ['single quotes keep spaces', "New-X -Path 'C:\\My Files\\a b'", ['New-X', '-Path', 'C:\\My Files\\a b']],
  ['double quotes keep spaces', 'New-X -Path "a b c"', ['New-X', '-Path', 'a b c']],
  ['doubled single quote is one quote', "X 'it''s'", ['X', "it's"]],
  ['doubled double quote is one quote', 'X "say ""hi"""', ['X', 'say "hi"']],
  ['backtick escapes a double quote inside double quotes', 'X "a`"b"', ['X', 'a"b']],
  ['backtick n and t are newline and tab', 'X "a`nb`tc"', ['X', 'a\nb\tc']],
  ['backtick escapes a space in a bare word', 'X a` b', ['X', 'a b']],
  ['backtick u{} is a code point', 'X "`u{263A}"', ['X', '\u263a']],
  ['backslash is literal', 'X C:\\temp\\new', ['X', 'C:\\temp\\new']],
  ['single quotes take backticks literally', "X 'a`nb'", ['X', 'a`nb']],
  ['adjacent quoted and bare parts glue', `X ab'c d'"e"`, ['X', 'abc de']],
  ['unquoted commas make a list', 'X -P a,b,c', ['X', '-P', { list: ['a', 'b', 'c'] }]],
  ['spaces around commas still make one list', 'X -P a , b, c', ['X', '-P', { list: ['a', 'b', 'c'] }]],
  ['a quoted comma stays in one string', "X -P 'a,b'", ['X', '-P', 'a,b']],
  ['a list can mix quoted items', "X -P 'a,b',c", ['X', '-P', { list: ['a,b', 'c'] }]],
  ['$true and $false are booleans, any case', 'X -A $true -B $FALSE', ['X', '-A', true, '-B', false]],
  ['quoted $true stays text', "X '$true'", ['X', '$true']],
  ['-Name:value binds in one token', 'X -Force:$false -N:abc', ['X', { '-Force:': [false] }, { '-N:': ['abc'] }]],
  ['-Name: value with a space', 'X -Name: abc', ['X', { '-Name:': ['abc'] }]],
  ['-Name: at the end has no value', 'X -Force:', ['X', { '-Force:': null }]],
  ['-Name:value may be a list', 'X -P:a,b', ['X', { '-P:': ['a', 'b'] }]],
  ['# starts a comment at the start of a token', 'X -P a # the rest', ['X', '-P', 'a']],
  ['# inside a word is text', 'X a#b', ['X', 'a#b']],
  ['a whole-line comment gives no tokens', '   # just a comment', []],
  ['a blank line gives no tokens', '   ', []],
  ['-5 is a value, not a parameter', 'X -Offset -5', ['X', '-Offset', '-5']],
  ['a lone dash is a value', 'X -File -', ['X', '-File', '-']],
  ['-? asks for help', 'X -?', ['X', '-?']],
  ['a quoted -x is a value', "X '-Name'", ['X', '-Name']],
  ['-- ends parameters', 'X -- -Name', ['X', '-Name']],
  ['empty quotes are an empty string', "X ''", ['X', '']],
];

for (const [name, line, expected] of lineCases) {
  test(`line: ${name}`, (t) => {
    t.deepEqual(view(tokenizeLine(line)), expected);
  });
}

test('line: a quoted -x is marked quoted so the binder keeps it a value', (t) => {
  const [, v] = tokenizeLine("X '-Name'");
  t.true(v?.kind === 'value' && v.quoted);
});

const lineErrors: [string, string, RegExp][] = [
  ['unterminated single quote', "X 'abc", /missing its closing '/],
  ['unterminated double quote', 'X "abc', /missing its closing "/],
  ['trailing backtick', 'X abc`', /backtick/],
  ['list ending in a comma', 'X -P a,', /ends with a comma/],
  ['bad unicode escape', 'X "`u{zz}"', /Unicode escape/],
];
for (const [name, line, message] of lineErrors) {
  test(`line error: ${name}`, (t) => {
    const err = t.throws(() => tokenizeLine(line), { instanceOf: UsageError });
    t.regex(err?.message ?? '', message);
  });
}

const argvCases: [string, string[], unknown[]][] = [
  ['each word is literal, spaces included', ['New-X', '-Path', 'C:\\My Files'], ['New-X', '-Path', 'C:\\My Files']],
  ['commas split a word into a list', ['X', '-P', 'a,b'], ['X', '-P', { list: ['a', 'b'] }]],
  ['a word wrapped in quotes is one string', ['X', '-P', "'a,b'"], ['X', '-P', 'a,b']],
  ["`a, b` arrives as 'a,' 'b'", ['X', '-P', 'a,', 'b'], ['X', '-P', { list: ['a', 'b'] }]],
  ["`a ,b` arrives as 'a' ',b'", ['X', '-P', 'a', ',b'], ['X', '-P', { list: ['a', 'b'] }]],
  ["`a , b` arrives as 'a' ',' 'b'", ['X', '-P', 'a', ',', 'b'], ['X', '-P', { list: ['a', 'b'] }]],
  ['quotes inside a word are literal', ['X', "it's"], ['X', "it's"]],
  ['backticks are literal', ['X', 'a`b'], ['X', 'a`b']],
  ['$false (quoted for bash) is a boolean', ['X', '-Force:$false'], ['X', { '-Force:': [false] }]],
  ['-Force: (bash ate $false) takes the next word', ['X', '-Force:', 'false'], ['X', { '-Force:': ['false'] }]],
  ['-Force: before another parameter has no value', ['X', '-Force:', '-Name', 'a'], ['X', { '-Force:': null }, '-Name', 'a']],
  ['-- ends parameters', ['X', '--', '-Name'], ['X', '-Name']],
  ['-? asks for help', ['X', '-?'], ['X', '-?']],
];
for (const [name, argv, expected] of argvCases) {
  test(`argv: ${name}`, (t) => {
    t.deepEqual(view(tokenizeArgv(argv)), expected);
  });
}

test('argv: a list with an empty item is an error', (t) => {
  t.throws(() => tokenizeArgv(['X', '-P', 'a,,b']), { instanceOf: UsageError, message: /empty item/ });
  t.throws(() => tokenizeArgv(['X', '-P', 'a,']), { instanceOf: UsageError, message: /ends with a comma/ });
});
