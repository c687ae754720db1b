// PowerShell-style tokens from a script line or from process argv. Pure: text in, tokens out.
//
// A token is a parameter (`-Name`, `-Name:value`) or a value. A value is a list of items split on
// unquoted commas (`a,b,c`), so `'a,b'` quoted stays one item and `a,b` is a three-item list.
// `$true`/`$false` (bare, any case) become booleans. `--` ends parameters: later `-x` are values.
import { UsageError } from '../errors.js';

export type Scalar = string | boolean;

export interface ValueToken {
  kind: 'value';
  /** The items between unquoted commas; one item for a plain value. */
  items: Scalar[];
  /** An unquoted comma made this a list (even of one item: `a,`). */
  list: boolean;
  /** Some part of it was quoted: `'-x'` is a value, not a parameter. */
  quoted: boolean;
  /** The source text, for messages. */
  text: string;
}

export interface ParameterToken {
  kind: 'parameter';
  /** Without the leading dash; `?` for `-?`. */
  name: string;
  /** The value after `-Name:`; a bare `-Name:` with nothing after is `colon` with no value. */
  value?: ValueToken;
  colon: boolean;
  text: string;
}

export type Token = ValueToken | ParameterToken;

const BACKTICK = '`';
/** PowerShell's backtick escapes; any other escaped character stands for itself. */
const ESCAPES: Readonly<Record<string, string>> = {
  '0': '\0', a: '\x07', b: '\b', e: '\x1b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v',
};

const isSpace = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\r' || c === '\n';
const isParameterStart = (c: string | undefined): boolean => c !== undefined && (/\p{L}/u.test(c) || c === '?' || c === '_');

/** Longest piece of user text quoted in a message: a message stays one readable line. */
const EXCERPT = 60;

/** `text` cut to EXCERPT characters with an ellipsis, for messages. */
export function excerpt(text: string): string {
  return text.length > EXCERPT ? `${text.slice(0, EXCERPT - 1)}…` : text;
}

/** Thrown for text that cannot be split into tokens. */
function syntaxError(message: string): UsageError {
  return new UsageError('ESYNTAX', message);
}

/** Reads one backtick escape at text[i] (the character after the backtick); returns [char, next]. */
function readEscape(text: string, i: number): [string, number] {
  const c = text[i];
  if (c === undefined) throw syntaxError('A backtick (`) at the end of the line escapes nothing; remove it or double it (``).');
  if (c === 'u' && text[i + 1] === '{') {
    const close = text.indexOf('}', i + 2);
    const hex = close < 0 ? '' : text.slice(i + 2, close);
    const code = /^[0-9a-fA-F]{1,6}$/.test(hex) ? parseInt(hex, 16) : NaN;
    if (!(code <= 0x10ffff)) throw syntaxError(`Bad Unicode escape \`u{${excerpt(hex)}}: write 1 to 6 hex digits up to 10FFFF.`);
    return [String.fromCodePoint(code), close + 1];
  }
  return [ESCAPES[c] ?? c, i + 1];
}

/** A scanner over one script line. */
class Scanner {
  pos = 0;
  constructor(readonly text: string) {}

  peek(offset = 0): string | undefined {
    return this.text[this.pos + offset];
  }

  skipSpaces(): void {
    while (isSpace(this.peek())) this.pos++;
  }

  /** Reads a value at pos: one item, or a list of items joined by unquoted commas. */
  readValue(): ValueToken {
    const start = this.pos;
    const items: Scalar[] = [];
    let list = false;
    let quoted = false;
    for (;;) {
      const item = this.readItem();
      quoted ||= item.quoted;
      items.push(item.value);
      // `a, b` and `a ,b` continue a list across spaces, as in PowerShell
      let look = this.pos;
      while (isSpace(this.text[look])) look++;
      if (this.text[look] !== ',') break;
      list = true;
      this.pos = look + 1;
      this.skipSpaces();
      if (this.peek() === undefined || this.peek() === '#') throw syntaxError(`A list ends with a comma: '${excerpt(this.text.slice(start, this.pos).trim())}'. Give the next item or remove the comma.`);
    }
    return { kind: 'value', items, list, quoted, text: this.text.slice(start, this.pos) };
  }

  /** One list item: bare text, quoted strings and escapes glued together, up to a comma or space. */
  private readItem(): { value: Scalar; quoted: boolean } {
    let out = '';
    let quoted = false;
    const start = this.pos;
    for (;;) {
      const c = this.peek();
      if (c === undefined || isSpace(c) || c === ',') break;
      if (c === "'") {
        quoted = true;
        out += this.readSingleQuoted();
      } else if (c === '"') {
        quoted = true;
        out += this.readDoubleQuoted();
      } else if (c === BACKTICK) {
        const [ch, next] = readEscape(this.text, this.pos + 1);
        out += ch;
        this.pos = next;
        quoted = true; // an escaped character is literal, like a quoted one
      } else {
        out += c;
        this.pos++;
      }
    }
    const raw = this.text.slice(start, this.pos);
    if (!quoted) {
      const lower = raw.toLowerCase();
      if (lower === '$true') return { value: true, quoted };
      if (lower === '$false') return { value: false, quoted };
    }
    return { value: out, quoted };
  }

  private readSingleQuoted(): string {
    let out = '';
    let i = this.pos + 1;
    for (;;) {
      const c = this.text[i];
      if (c === undefined) throw syntaxError(`The string starting at column ${this.pos + 1} is missing its closing '.`);
      if (c === "'") {
        if (this.text[i + 1] === "'") { out += "'"; i += 2; continue; }
        this.pos = i + 1;
        return out;
      }
      out += c;
      i++;
    }
  }

  private readDoubleQuoted(): string {
    let out = '';
    let i = this.pos + 1;
    for (;;) {
      const c = this.text[i];
      if (c === undefined) throw syntaxError(`The string starting at column ${this.pos + 1} is missing its closing ".`);
      if (c === '"') {
        if (this.text[i + 1] === '"') { out += '"'; i += 2; continue; }
        this.pos = i + 1;
        return out;
      }
      if (c === BACKTICK) {
        const [ch, next] = readEscape(this.text, i + 1);
        out += ch;
        i = next;
        continue;
      }
      out += c;
      i++;
    }
  }
}

/** A parameter name runs up to whitespace or the first colon. */
function readParameterName(s: Scanner): string {
  const start = s.pos;
  while (s.peek() !== undefined && !isSpace(s.peek()) && s.peek() !== ':') s.pos++;
  return s.text.slice(start, s.pos);
}

/** Splits a script line (or a whole command line typed as one string) into tokens. */
export function tokenizeLine(line: string): Token[] {
  const s = new Scanner(line);
  const tokens: Token[] = [];
  let parametersEnded = false;
  for (;;) {
    s.skipSpaces();
    const c = s.peek();
    if (c === undefined || c === '#') break; // a comment runs to the end of the line
    if (!parametersEnded && c === '-' && s.peek(1) === '-' && (s.peek(2) === undefined || isSpace(s.peek(2)))) {
      parametersEnded = true;
      s.pos += 2;
      continue;
    }
    if (!parametersEnded && c === '-' && isParameterStart(s.peek(1))) {
      const start = s.pos;
      s.pos++;
      const name = readParameterName(s);
      if (s.peek() !== ':') {
        tokens.push({ kind: 'parameter', name, colon: false, text: line.slice(start, s.pos) });
        continue;
      }
      s.pos++;
      // `-Name: value` with a space is allowed, as in PowerShell
      s.skipSpaces();
      const next = s.peek();
      if (next === undefined || next === '#' || (next === '-' && isParameterStart(s.peek(1)))) {
        tokens.push({ kind: 'parameter', name, colon: true, text: line.slice(start, s.pos).trimEnd() });
        continue;
      }
      const value = s.readValue();
      tokens.push({ kind: 'parameter', name, colon: true, value, text: line.slice(start, s.pos) });
      continue;
    }
    tokens.push(s.readValue());
  }
  return tokens;
}

/** The quote that wraps a whole argv word, if any: `'a,b'` passed through a POSIX shell as "'a,b'". */
function wrappingQuote(word: string): "'" | '"' | undefined {
  const q = word[0];
  if ((q === "'" || q === '"') && word.length >= 2 && word.endsWith(q)) return q;
  return undefined;
}

/** A value from one argv word: literal text, split on commas, unless the word is wrapped in quotes. */
function argvValue(word: string): ValueToken {
  const q = wrappingQuote(word);
  if (q) {
    const inner = word.slice(1, -1).split(q + q).join(q);
    return { kind: 'value', items: [inner], list: false, quoted: true, text: word };
  }
  const parts = word.split(',');
  const items: Scalar[] = parts.map((p) => {
    const lower = p.toLowerCase();
    return lower === '$true' ? true : lower === '$false' ? false : p;
  });
  return { kind: 'value', items, list: parts.length > 1, quoted: false, text: word };
}

/**
 * Tokens from process argv. The OS shell has already split words and removed its quoting, so a
 * word is taken literally (spaces, backslashes, backticks) except: `-Name`/`-Name:value` are
 * parameters, unquoted commas split lists (`a, b` across words too), `$true`/`$false` are
 * booleans, and a word wrapped in quotes (`"'a,b'"` in bash) is one quoted string.
 */
export function tokenizeArgv(argv: readonly string[]): Token[] {
  const tokens: Token[] = [];
  let parametersEnded = false;
  let i = 0;
  // `a, b` arrives as 'a,' 'b'; `a ,b` as 'a' ',b'; `a , b` as 'a' ',' 'b': glue them back
  const joinList = (word: string): ValueToken => {
    let text = word;
    while (!wrappingQuote(text)) {
      const next = argv[i];
      if (!text.endsWith(',') && !(next?.startsWith(',') ?? false)) break;
      if (next === undefined) throw syntaxError(`A list ends with a comma: '${excerpt(text)}'. Give the next item or remove the comma.`);
      text += next;
      i++;
    }
    if (/,,|^,|,$/.test(text) && !wrappingQuote(text)) throw syntaxError(`A list has an empty item: '${excerpt(text)}'.`);
    return argvValue(text);
  };
  while (i < argv.length) {
    const word = argv[i++] as string;
    if (!parametersEnded && word === '--') { parametersEnded = true; continue; }
    if (!parametersEnded && word[0] === '-' && isParameterStart(word[1])) {
      const colon = word.indexOf(':');
      if (colon < 0) { tokens.push({ kind: 'parameter', name: word.slice(1), colon: false, text: word }); continue; }
      const name = word.slice(1, colon);
      const rest = word.slice(colon + 1);
      if (rest === '') {
        // `-Name: value` as two words; bash also turns an unquoted `-Force:$false` into `-Force:`
        const next = argv[i];
        if (next === undefined || (next[0] === '-' && isParameterStart(next[1]))) {
          tokens.push({ kind: 'parameter', name, colon: true, text: word });
          continue;
        }
        i++;
        tokens.push({ kind: 'parameter', name, colon: true, value: joinList(next), text: `${word} ${next}` });
        continue;
      }
      tokens.push({ kind: 'parameter', name, colon: true, value: joinList(rest), text: word });
      continue;
    }
    tokens.push(joinList(word));
  }
  return tokens;
}
