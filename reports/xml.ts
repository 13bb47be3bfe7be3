// A small XML tree and its serialiser for the junit reporter: escaping lives
// here once, so no reporter assembles markup from strings.

export interface XmlElement {
  name: string;
  /** an undefined value leaves the attribute out */
  attrs?: Record<string, string | number | undefined>;
  /** child elements, or the element's text: JUnit needs no mixed content */
  content?: XmlElement[] | string;
}

/** The document: declaration, then the tree with two-space indentation, text kept inline. */
export function xmlDocument(root: XmlElement): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n${serialize(root, '')}`;
}

function serialize(e: XmlElement, indent: string): string {
  const attrs = Object.entries(e.attrs ?? {})
    .filter((a): a is [string, string | number] => a[1] !== undefined)
    .map(([k, v]) => ` ${k}="${escapeAttribute(String(v))}"`)
    .join('');
  const open = `${indent}<${e.name}${attrs}`;
  const content = e.content;
  if (content === undefined || content.length === 0) return `${open}/>\n`;
  if (typeof content === 'string') return `${open}>${escapeText(content)}</${e.name}>\n`;
  return `${open}>\n${content.map((c) => serialize(c, `${indent}  `)).join('')}${indent}</${e.name}>\n`;
}

/** What XML 1.0 forbids even escaped: controls but tab and line breaks, lone surrogates, U+FFFE/U+FFFF. */
const NOT_XML = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

function escapeText(s: string): string {
  return s.replace(NOT_XML, '').replace(/[&<>]/g, (ch) => ENTITIES[ch]!);
}

/** A parser turns a raw tab or line break in an attribute into a space; a character reference survives. */
const WHITESPACE_REFS: Record<string, string> = { '\t': '&#9;', '\n': '&#10;', '\r': '&#13;' };

function escapeAttribute(s: string): string {
  return s.replace(NOT_XML, '').replace(/[&<>"'\t\n\r]/g, (ch) => ENTITIES[ch] ?? WHITESPACE_REFS[ch]!);
}
