// A small XML writer for the editor formats (FCP7 XML, FCPXML), so the engine needs no XML
// library. The engine never reads XML back; the tests' reader is test/helpers/xml-reader.ts.

/** An element to write: attributes in order, children as elements or text. */
export interface XmlNode {
  /** Element name. */
  name: string;
  /** Attributes in the order written; `undefined` values are left out. */
  attrs?: Record<string, string | number | undefined>;
  /** Child elements and text (escaped when written). */
  children?: Array<XmlNode | string | number>;
}

/** Shorthand for an {@link XmlNode}. */
export function el(name: string, attrs?: XmlNode['attrs'], ...children: Array<XmlNode | string | number>): XmlNode {
  return attrs === undefined ? { name, children } : { name, attrs, children };
}

/** Escapes text for element content and attribute values, and drops characters XML 1.0 forbids. */
export function escapeXml(text: string): string {
  return text
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** Serialises a document: the XML declaration, an optional DOCTYPE line, then `root` indented. */
export function renderXmlDocument(root: XmlNode, doctype?: string): string {
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>'];
  if (doctype !== undefined) lines.push(`<!DOCTYPE ${doctype}>`);
  writeNode(root, 0, lines);
  return `${lines.join('\n')}\n`;
}

function writeNode(node: XmlNode, depth: number, lines: string[]): void {
  const indent = '  '.repeat(depth);
  const attrs = Object.entries(node.attrs ?? {})
    .filter((entry): entry is [string, string | number] => entry[1] !== undefined)
    .map(([key, value]) => ` ${key}="${escapeXml(String(value))}"`)
    .join('');
  const children = node.children ?? [];
  if (children.length === 0) {
    lines.push(`${indent}<${node.name}${attrs}/>`);
  } else if (children.every((child) => typeof child !== 'object')) {
    lines.push(`${indent}<${node.name}${attrs}>${escapeXml(children.join(''))}</${node.name}>`);
  } else {
    lines.push(`${indent}<${node.name}${attrs}>`);
    for (const child of children) {
      if (typeof child === 'object') writeNode(child, depth + 1, lines);
      else lines.push(`${indent}  ${escapeXml(String(child))}`);
    }
    lines.push(`${indent}</${node.name}>`);
  }
}
