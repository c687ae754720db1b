// The small XML subset the media files use (variables list, task sequence policy): elements,
// double-quoted attributes, text, the five predefined entities and numeric character references.
// No DTD, comments, CDATA or processing instructions other than the leading XML declaration:
// a parser that accepts less has less to get wrong on hostile input.
import { FormatError } from '../errors.js';

export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const MAX_DEPTH = 16;
const MAX_ELEMENTS = 100_000;
const NAME = /[A-Za-z_][A-Za-z0-9_.-]*/y;

export function escapeXml(value: string): string {
  return value.replace(/[&<>"'\r\n\t]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;', '\r': '&#13;', '\n': '&#10;', '\t': '&#9;' })[c]!);
}

export const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>';

/** Writes one element with attributes (in the order given) and either text or child lines. */
export function xmlElement(name: string, attributes: ReadonlyArray<readonly [string, string]>, inner?: string): string {
  const attrs = attributes.map(([k, v]) => ` ${k}="${escapeXml(v)}"`).join('');
  return inner === undefined ? `<${name}${attrs}/>` : `<${name}${attrs}>${inner}</${name}>`;
}

class Parser {
  private pos = 0;
  private count = 0;
  constructor(private readonly src: string, private readonly format: string) {}

  fail(what: string): never {
    throw new FormatError(this.format, `XML ${what} at character ${this.pos}.`);
  }

  skipSpace(): void {
    while (this.pos < this.src.length && ' \t\r\n'.includes(this.src[this.pos]!)) this.pos++;
  }

  name(): string {
    NAME.lastIndex = this.pos;
    const m = NAME.exec(this.src);
    if (!m) this.fail('name expected');
    this.pos += m[0].length;
    return m[0];
  }

  decode(raw: string): string {
    return raw.replace(/&(#x[0-9A-Fa-f]{1,6}|#[0-9]{1,7}|amp|lt|gt|quot|apos);|&/g, (all, ent: string | undefined) => {
      if (ent === undefined) this.fail('bare & in text');
      if (ent.startsWith('#')) {
        const code = ent[1] === 'x' ? parseInt(ent.slice(2), 16) : parseInt(ent.slice(1), 10);
        if (code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff) || code === 0) this.fail(`bad character reference ${all}`);
        return String.fromCodePoint(code);
      }
      return ({ amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" } as Record<string, string>)[ent]!;
    });
  }

  element(depth: number): XmlElement {
    if (depth > MAX_DEPTH) this.fail('nesting too deep');
    if (++this.count > MAX_ELEMENTS) this.fail('has too many elements');
    if (this.src[this.pos] !== '<') this.fail('element expected');
    this.pos++;
    const name = this.name();
    const attributes: Record<string, string> = Object.create(null) as Record<string, string>;
    for (;;) {
      this.skipSpace();
      const c = this.src[this.pos];
      if (c === '/' || c === '>') break;
      if (c === undefined) this.fail('ends inside a tag');
      const attr = this.name();
      if (Object.hasOwn(attributes, attr)) this.fail(`repeats attribute ${attr}`);
      this.skipSpace();
      if (this.src[this.pos] !== '=') this.fail('= expected');
      this.pos++;
      this.skipSpace();
      if (this.src[this.pos] !== '"') this.fail('" expected');
      const end = this.src.indexOf('"', this.pos + 1);
      if (end < 0) this.fail('unterminated attribute');
      const raw = this.src.slice(this.pos + 1, end);
      if (raw.includes('<')) this.fail('< in attribute');
      attributes[attr] = this.decode(raw);
      this.pos = end + 1;
    }
    const el: XmlElement = { name, attributes, children: [], text: '' };
    if (this.src[this.pos] === '/') {
      if (this.src[this.pos + 1] !== '>') this.fail('> expected');
      this.pos += 2;
      return el;
    }
    this.pos++;
    let text = '';
    for (;;) {
      const lt = this.src.indexOf('<', this.pos);
      if (lt < 0) this.fail(`ends inside <${name}>`);
      text += this.src.slice(this.pos, lt);
      this.pos = lt;
      if (this.src.startsWith('</', lt)) {
        this.pos += 2;
        if (this.name() !== name) this.fail(`closing tag does not match <${name}>`);
        this.skipSpace();
        if (this.src[this.pos] !== '>') this.fail('> expected');
        this.pos++;
        break;
      }
      if (this.src.startsWith('<!', lt) || this.src.startsWith('<?', lt)) this.fail('has a comment, DTD or processing instruction (not allowed)');
      el.children.push(this.element(depth + 1));
    }
    el.text = this.decode(text);
    return el;
  }

  document(): XmlElement {
    if (this.src.startsWith('\uFEFF')) this.pos = 1;
    if (this.src.startsWith('<?xml', this.pos)) {
      const end = this.src.indexOf('?>', this.pos);
      if (end < 0) this.fail('unterminated declaration');
      this.pos = end + 2;
    }
    this.skipSpace();
    const root = this.element(0);
    this.skipSpace();
    if (this.pos !== this.src.length) this.fail('has content after the root element');
    return root;
  }
}

/** Parses the subset; anything else is a FormatError naming `format`. */
export function parseXml(src: string, format: string): XmlElement {
  return new Parser(src, format).document();
}

/** Text of an element with no children, whitespace between children ignored elsewhere. */
export function onlyChildren(el: XmlElement, name: string, format: string): XmlElement[] {
  for (const c of el.children) if (c.name !== name) throw new FormatError(format, `<${el.name}> may only hold <${name}>, not <${c.name}>.`);
  if (el.children.length > 0 && el.text.trim() !== '') throw new FormatError(format, `<${el.name}> mixes text and elements.`);
  return el.children;
}

export function requiredAttribute(el: XmlElement, attr: string, format: string): string {
  const v = el.attributes[attr];
  if (v === undefined) throw new FormatError(format, `<${el.name}> lacks its ${attr} attribute.`);
  return v;
}
