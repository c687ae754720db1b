// The XML data resource: UTF-16LE with a BOM, root <WIM>, <TOTALBYTES> and one <IMAGE INDEX="n">
// per image (wimlib src/xml.c). A small reader for this simple XML (elements, attributes, text,
// entities; comments and declarations skipped) and a deterministic writer. Elements are kept as a
// generic tree, so unknown ones (WINDOWS/EDITIONID...) pass through export and append unchanged.
import { wimError } from './bytes.js';

export interface XmlElement {
  name: string;
  attrs: [string, string][];
  children: (XmlElement | string)[];
}

const MAX_XML_DEPTH = 256;

export function el(name: string, children: (XmlElement | string)[] = [], attrs: [string, string][] = []): XmlElement {
  return { name, attrs, children };
}

function escapeXml(s: string): string {
  return s.replace(/[&<>"]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&quot;'));
}

export function serializeXml(e: XmlElement): string {
  let out = '';
  const write = (x: XmlElement | string): void => {
    if (typeof x === 'string') { out += escapeXml(x); return; }
    out += `<${x.name}`;
    for (const [k, v] of x.attrs) out += ` ${k}="${escapeXml(v)}"`;
    out += '>';
    for (const c of x.children) write(c);
    out += `</${x.name}>`;
  };
  write(e);
  return out;
}

function decodeEntities(s: string, where: number): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|amp|lt|gt|quot|apos);/g, (_m, g: string) => {
    if (g === 'amp') return '&';
    if (g === 'lt') return '<';
    if (g === 'gt') return '>';
    if (g === 'quot') return '"';
    if (g === 'apos') return "'";
    const cp = g.startsWith('#x') ? parseInt(g.slice(2), 16) : parseInt(g.slice(1), 10);
    if (!(cp >= 0 && cp <= 0x10ffff)) throw wimError(`XML has an invalid character reference near offset ${where}`);
    return String.fromCodePoint(cp);
  });
}

const NAME_RE = /[A-Za-z_:][-A-Za-z0-9_:.]*/y;
const ATTR_RE = /\s*([A-Za-z_:][-A-Za-z0-9_:.]*)\s*=\s*("([^"]*)"|'([^']*)')/y;

/** Parses one XML document into its root element. Whitespace-only text is dropped. */
export function parseXml(text: string): XmlElement {
  let i = 0;
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  const fail = (msg: string): never => { throw wimError(`XML data is malformed: ${msg} at offset ${i}`); };
  while (i < text.length) {
    const lt = text.indexOf('<', i);
    const chunk = text.slice(i, lt < 0 ? text.length : lt);
    if (chunk.trim() !== '') {
      const top = stack[stack.length - 1];
      if (!top) fail('text outside the root element');
      else top.children.push(decodeEntities(chunk, i));
    }
    if (lt < 0) break;
    i = lt;
    if (text.startsWith('<?', i)) { const e = text.indexOf('?>', i); if (e < 0) fail('unterminated declaration'); i = e + 2; continue; }
    if (text.startsWith('<!--', i)) { const e = text.indexOf('-->', i); if (e < 0) fail('unterminated comment'); i = e + 3; continue; }
    if (text.startsWith('<![CDATA[', i)) {
      const e = text.indexOf(']]>', i);
      const top = stack[stack.length - 1];
      if (e < 0 || !top) fail('bad CDATA');
      else { top.children.push(text.slice(i + 9, e)); i = e + 3; }
      continue;
    }
    if (text.startsWith('<!', i)) { const e = text.indexOf('>', i); if (e < 0) fail('unterminated declaration'); i = e + 1; continue; }
    if (text.startsWith('</', i)) {
      NAME_RE.lastIndex = i + 2;
      const m = NAME_RE.exec(text);
      const top = stack.pop();
      if (!m || !top || m[0] !== top.name) fail('mismatched end tag');
      const gt = text.indexOf('>', NAME_RE.lastIndex);
      if (gt < 0 || text.slice(NAME_RE.lastIndex, gt).trim() !== '') fail('bad end tag');
      i = gt + 1;
      continue;
    }
    NAME_RE.lastIndex = i + 1;
    const m = NAME_RE.exec(text);
    if (!m) fail('bad tag');
    const node = el(m?.[0] ?? '');
    i = NAME_RE.lastIndex;
    for (;;) {
      ATTR_RE.lastIndex = i;
      const a = ATTR_RE.exec(text);
      if (!a) break;
      node.attrs.push([a[1] ?? '', decodeEntities(a[3] ?? a[4] ?? '', i)]);
      i = ATTR_RE.lastIndex;
    }
    while (i < text.length && /\s/.test(text[i] ?? '')) i++;
    const selfClose = text.startsWith('/>', i);
    if (!selfClose && text[i] !== '>') fail('bad tag');
    i += selfClose ? 2 : 1;
    const parent = stack[stack.length - 1];
    if (parent) parent.children.push(node);
    else if (root) fail('second root element');
    else root = node;
    if (!selfClose) {
      stack.push(node);
      if (stack.length > MAX_XML_DEPTH) fail('elements nested too deeply');
    }
  }
  if (stack.length) fail('unclosed element');
  if (!root) return fail('no root element');
  return root;
}

/** Decodes the XML resource bytes (UTF-16LE, BOM optional, trailing NULs tolerated). */
export function decodeXmlBytes(bytes: Uint8Array): XmlElement {
  if (bytes.length % 2 !== 0) throw wimError('XML data has an odd length; it must be UTF-16LE');
  let text = new TextDecoder('utf-16le').decode(bytes);
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  text = text.replace(/\0+$/, '');
  return parseXml(text);
}

export function encodeXmlBytes(root: XmlElement): Uint8Array {
  return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(serializeXml(root), 'utf16le')]);
}

export function child(e: XmlElement, name: string): XmlElement | undefined {
  for (const c of e.children) if (typeof c !== 'string' && c.name.toUpperCase() === name) return c;
  return undefined;
}

export function childText(e: XmlElement, name: string): string | undefined {
  const c = child(e, name);
  return c ? c.children.filter((x): x is string => typeof x === 'string').join('') : undefined;
}

/** Replaces (or appends) a child element holding just text or elements. */
export function setChild(e: XmlElement, name: string, content: (XmlElement | string)[]): void {
  const i = e.children.findIndex((c) => typeof c !== 'string' && c.name.toUpperCase() === name);
  const n = el(name, content);
  if (i >= 0) e.children[i] = n;
  else e.children.push(n);
}

export function attr(e: XmlElement, name: string): string | undefined {
  return e.attrs.find(([k]) => k.toUpperCase() === name)?.[1];
}

/** FILETIME as wimlib writes it: HIGHPART and LOWPART in 0x%08X. */
export function timeElement(name: string, filetime: bigint): XmlElement {
  const hex = (v: bigint): string => '0x' + v.toString(16).toUpperCase().padStart(8, '0');
  return el(name, [el('HIGHPART', [hex(filetime >> 32n)]), el('LOWPART', [hex(filetime & 0xffffffffn)])]);
}

export function readTime(e: XmlElement, name: string): bigint | undefined {
  const t = child(e, name);
  if (!t) return undefined;
  const parse = (s: string | undefined): bigint | undefined => {
    if (s === undefined) return undefined;
    const v = s.trim();
    return /^(0x[0-9a-fA-F]{1,8}|[0-9]{1,10})$/.test(v) ? BigInt(v) : undefined;
  };
  const hi = parse(childText(t, 'HIGHPART'));
  const lo = parse(childText(t, 'LOWPART'));
  return hi === undefined || lo === undefined ? undefined : (hi << 32n) | lo;
}

export interface ImageStats {
  dirCount: number;
  fileCount: number;
  totalBytes: number;
  hardLinkBytes: number;
}

export interface ImageInfoInput extends ImageStats {
  name?: string;
  description?: string;
  creationTime: bigint;
  lastModificationTime: bigint;
}

/** An <IMAGE> element in wimlib's element order. */
export function imageElement(index: number, info: ImageInfoInput): XmlElement {
  const kids: XmlElement[] = [];
  if (info.name) kids.push(el('NAME', [info.name]));
  if (info.description) kids.push(el('DESCRIPTION', [info.description]));
  kids.push(
    el('DIRCOUNT', [String(info.dirCount)]),
    el('FILECOUNT', [String(info.fileCount)]),
    el('TOTALBYTES', [String(info.totalBytes)]),
    el('HARDLINKBYTES', [String(info.hardLinkBytes)]),
    timeElement('CREATIONTIME', info.creationTime),
    timeElement('LASTMODIFICATIONTIME', info.lastModificationTime),
  );
  return el('IMAGE', kids, [['INDEX', String(index)]]);
}

/** The <WIM> document: images in order, then TOTALBYTES (the XML's own offset). */
export function wimXml(images: readonly XmlElement[], totalBytes: number): XmlElement {
  return el('WIM', [...images, el('TOTALBYTES', [String(totalBytes)])]);
}

/** Checks the document as wimlib does and returns the IMAGE elements in index order. */
export function imagesOf(root: XmlElement, imageCount: number): XmlElement[] {
  if (root.name.toUpperCase() !== 'WIM') throw wimError(`XML root element is <${root.name}>, expected <WIM>`);
  if (child(root, 'ESD') && child(child(root, 'ESD') as XmlElement, 'ENCRYPTED')) throw wimError('the WIM is encrypted (ESD), which is not supported');
  const images = root.children.filter((c): c is XmlElement => typeof c !== 'string' && c.name.toUpperCase() === 'IMAGE');
  if (images.length !== imageCount) throw wimError(`header says ${imageCount} images but the XML describes ${images.length}; the header is inconsistent with its XML data`);
  const byIndex: XmlElement[] = new Array<XmlElement>(imageCount);
  for (const img of images) {
    const idx = Number(attr(img, 'INDEX'));
    if (!Number.isInteger(idx) || idx < 1 || idx > imageCount || byIndex[idx - 1]) {
      throw wimError(`XML image INDEX ${JSON.stringify(attr(img, 'INDEX'))} is missing, out of range or repeated`);
    }
    byIndex[idx - 1] = img;
  }
  return byIndex;
}
