import test from 'ava';
import type { TsmediaError } from '../../lib/errors.js';
import { escapeXml, parseXml } from '../../lib/media/xml.js';

test('elements, attributes, entities and character references parse', (t) => {
  const el = parseXml('<?xml version="1.0"?>\n<a x="1 &amp; &#60;2&#x3E;"><b>t&lt;e&gt;xt &#128512;</b><c/></a>', 'test');
  t.is(el.attributes.x, '1 & <2>');
  t.is(el.children[0]!.text, 't<e>xt 😀');
  t.is(el.children[1]!.name, 'c');
  const s = 'a"b\'c<d>e&f\r\n\tg';
  t.is(parseXml(`<v a="${escapeXml(s)}">${escapeXml(s)}</v>`, 'test').attributes.a, s);
});

test('everything outside the subset is a FormatError, never a crash', (t) => {
  const hostile = [
    '<!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><a>&x;</a>',
    '<a><!-- c --></a>',
    '<a><![CDATA[x]]></a>',
    '<a>&x;</a>',
    '<a>a & b</a>',
    '<a>&#0;</a>',
    '<a>&#xD800;</a>',
    '<a>&#x110000;</a>',
    '<a x="1" x="2"/>',
    '<a x=1/>',
    '<a><b></a></b>',
    '<a>',
    '<a/><b/>',
    '<a x="<"/>',
    '',
    '<x>'.repeat(40) + '</x>'.repeat(40),
  ];
  for (const src of hostile) {
    const err = t.throws<TsmediaError>(() => parseXml(src, 'test'), undefined, src.slice(0, 40));
    t.is(err?.name, 'FormatError', src.slice(0, 40));
  }
});
