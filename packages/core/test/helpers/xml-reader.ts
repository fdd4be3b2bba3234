// A strict XML well-formedness reader (elements, attributes, text, CDATA, comments, entities),
// enough for the known layouts of FCP7 XML and FCPXML: the tests read the engine's cut lists back
// with it (cut-list-readers.ts). The engine itself only writes XML (src/ops/clip-cut/exports/xml.ts).
import { FramewrightError } from '../../src/protocol/index.js';

/** A parsed element. `text` joins the element's own text and CDATA, entities decoded. */
export interface XmlElement {
  /** Element name. */
  name: string;
  /** Attributes, entities decoded. */
  attrs: Record<string, string>;
  /** Child elements in document order. */
  children: XmlElement[];
  /** The element's own text and CDATA, entities decoded. */
  text: string;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const NAME = /[A-Za-z_:][-A-Za-z0-9_:.]*/y;

/**
 * Parses a whole XML document and returns its root element.
 * @param what - the format's name, for error messages
 * @throws FramewrightError `INVALID_PARAMS` naming the line when the text is not well-formed
 */
export function parseXml(text: string, what: string): XmlElement {
  let pos = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  const fail = (message: string): never => {
    const line = text.slice(0, pos).split('\n').length;
    throw new FramewrightError('INVALID_PARAMS', `${what}: not well-formed XML at line ${line}: ${message}`);
  };
  const skipPast = (terminator: string, construct: string): string => {
    const end = text.indexOf(terminator, pos);
    if (end < 0) fail(`unterminated ${construct}`);
    const body = text.slice(pos, end);
    pos = end + terminator.length;
    return body;
  };
  const readName = (): string => {
    NAME.lastIndex = pos;
    const match = NAME.exec(text);
    if (!match) fail('expected a name');
    pos = NAME.lastIndex;
    return (match as RegExpExecArray)[0];
  };
  const skipSpace = (): void => {
    while (pos < text.length && /\s/.test(text[pos] as string)) pos++;
  };
  const decode = (raw: string): string =>
    raw.replace(/&([^;&\s]*);|&/g, (whole, entity: string | undefined) => {
      if (entity === undefined) return fail('bare & (escape it as &amp;)');
      const named = ENTITIES[entity];
      if (named !== undefined) return named;
      const code = /^#x([0-9A-Fa-f]+)$/.exec(entity)?.[1] ?? /^#([0-9]+)$/.exec(entity)?.[1];
      if (code === undefined) return fail(`unknown entity ${whole}`);
      const point = entity.startsWith('#x') ? parseInt(code, 16) : parseInt(code, 10);
      if (point > 0x10ffff) return fail(`character reference out of range ${whole}`);
      return String.fromCodePoint(point);
    });

  while (pos < text.length) {
    const open = text.indexOf('<', pos);
    const rawText = text.slice(pos, open < 0 ? text.length : open);
    const current = stack[stack.length - 1];
    if (current) current.text += decode(rawText);
    else if (rawText.trim() !== '') fail('text outside the root element');
    if (open < 0) break;
    pos = open;
    if (text.startsWith('<?', pos)) {
      pos += 2;
      skipPast('?>', 'processing instruction');
    } else if (text.startsWith('<!--', pos)) {
      pos += 4;
      skipPast('-->', 'comment');
    } else if (text.startsWith('<![CDATA[', pos)) {
      pos += 9;
      const data = skipPast(']]>', 'CDATA section');
      if (!current) fail('CDATA outside the root element');
      (current as XmlElement).text += data;
    } else if (text.startsWith('<!DOCTYPE', pos)) {
      if (root || current) fail('DOCTYPE after the root element started');
      const subset = text.indexOf('[', pos);
      const close = text.indexOf('>', pos);
      if (subset >= 0 && subset < close) {
        pos = subset;
        skipPast(']', 'DOCTYPE internal subset');
      }
      skipPast('>', 'DOCTYPE');
    } else if (text.startsWith('</', pos)) {
      pos += 2;
      const name = readName();
      skipSpace();
      if (text[pos] !== '>') fail(`expected > after </${name}`);
      pos++;
      const element = stack.pop();
      if (!element || element.name !== name) fail(`</${name}> does not close ${element ? `<${element.name}>` : 'any element'}`);
    } else {
      pos++;
      const element: XmlElement = { name: readName(), attrs: {}, children: [], text: '' };
      for (;;) {
        const before = pos;
        skipSpace();
        if (text.startsWith('/>', pos) || text[pos] === '>') break;
        if (pos === before) fail(`expected whitespace between attributes of <${element.name}>`);
        const key = readName();
        skipSpace();
        if (text[pos] !== '=') fail(`attribute ${key} of <${element.name}> has no value`);
        pos++;
        skipSpace();
        const quote = text[pos];
        if (quote !== '"' && quote !== "'") fail(`attribute ${key} of <${element.name}> is not quoted`);
        pos++;
        const value = skipPast(quote as string, `attribute ${key}`);
        if (value.includes('<')) fail(`< inside attribute ${key}`);
        if (key in element.attrs) fail(`duplicate attribute ${key} on <${element.name}>`);
        element.attrs[key] = decode(value);
      }
      if (root && stack.length === 0) fail(`second root element <${element.name}>`);
      if (current) current.children.push(element);
      else root = element;
      if (text.startsWith('/>', pos)) pos += 2;
      else {
        pos++;
        stack.push(element);
      }
    }
  }
  if (stack.length > 0) fail(`<${stack[stack.length - 1]?.name}> is never closed`);
  if (!root) return fail('no root element');
  return root;
}

/** The first child element called `name`, if any. */
export function childElement(parent: XmlElement, name: string): XmlElement | undefined {
  return parent.children.find((child) => child.name === name);
}

/** Every child element called `name`. */
export function childElements(parent: XmlElement, name: string): XmlElement[] {
  return parent.children.filter((child) => child.name === name);
}

/** The first element called `name` at any depth below `parent` (document order). */
export function findElement(parent: XmlElement, name: string): XmlElement | undefined {
  for (const child of parent.children) {
    if (child.name === name) return child;
    const found = findElement(child, name);
    if (found) return found;
  }
  return undefined;
}
