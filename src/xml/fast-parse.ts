// A fast reader for the invoices the validator judges: a strict single-pass parser into a small
// read-only DOM, answering `undefined` for anything unusual so that xmldom (the reference) decides.
//
// Why: xmldom spends ~1.5 ms on a 20 KB signed invoice (regex checks per name, DOM mutation
// bookkeeping), more than every validation layer together. This parser accepts only plain
// documents — an XML declaration, elements, attributes, namespaces, comments, text with the
// predefined entities and character references — and builds the same tree xmldom builds for them (same
// nodes, names, namespaces, attribute order and values, line-ending and attribute-value
// normalization). CDATA, PIs, DTDs, non-ASCII names, undeclared prefixes, unknown
// entities or any error make it give up; the caller then parses with xmldom, so verdicts and error
// messages on unusual or broken input are xmldom's. test/xml/fast-parse.test.ts compares both trees.
import type { Document } from '@xmldom/xmldom';

const XMLNS_NS = 'http://www.w3.org/2000/xmlns/';
const XML_NS = 'http://www.w3.org/XML/1998/namespace';

import { LightAttr, LightComment, LightDocument, LightElement, type LightParent, LightProcessingInstruction, LightText, NO_ATTRIBUTES } from './light-dom.js';

// --- parser ------------------------------------------------------------------------------------

/** xmldom's line-ending normalization (XML 1.1 §2.11, which it applies to XML 1.0 too). */
function normalizeLineEndings(input: string): string {
  return input.replace(/\r[\n\u0085]/g, '\n').replace(/[\r\u0085\u2028\u2029]/g, '\n');
}

const LINE_ENDS = /[\r\u0085\u2028\u2029]/;
const XML_DECL =
  /^<\?xml[ \t\n]+version[ \t\n]*=[ \t\n]*(["'])1\.[0-9]+\1([ \t\n]+encoding[ \t\n]*=[ \t\n]*(["'])[A-Za-z][A-Za-z0-9._-]*\3)?([ \t\n]+standalone[ \t\n]*=[ \t\n]*(["'])(yes|no)\5)?[ \t\n]*\?>/;

/** Give up: the caller parses with xmldom. */
class Unsupported {}
const UNSUPPORTED = new Unsupported();

// Character classes of the ASCII names this parser accepts.
const NAME_START = new Uint8Array(128);
const NAME_CHAR = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  if (/[A-Za-z_]/.test(ch)) NAME_START[c] = 1;
  if (/[A-Za-z0-9_.-]/.test(ch)) NAME_CHAR[c] = 1;
}

const isSpace = (c: number): boolean => c === 0x20 || c === 0x09 || c === 0x0a;

/** Decode the five predefined entities and character references; anything else gives up. */
function decodeEntities(s: string): string {
  let out = '';
  let last = 0;
  let amp = s.indexOf('&');
  while (amp !== -1) {
    const semi = s.indexOf(';', amp + 1);
    if (semi === -1 || semi - amp > 12) throw UNSUPPORTED;
    const name = s.slice(amp + 1, semi);
    let rep: string;
    switch (name) {
      case 'lt':
        rep = '<';
        break;
      case 'gt':
        rep = '>';
        break;
      case 'amp':
        rep = '&';
        break;
      case 'quot':
        rep = '"';
        break;
      case 'apos':
        rep = "'";
        break;
      default: {
        let code: number;
        if (/^#[0-9]{1,7}$/.test(name)) code = parseInt(name.slice(1), 10);
        else if (/^#x[0-9a-fA-F]{1,6}$/.test(name)) code = parseInt(name.slice(2), 16);
        else throw UNSUPPORTED;
        // Only characters XML allows; xmldom decides about the others.
        const ok =
          code === 0x9 ||
          code === 0xa ||
          code === 0xd ||
          (code >= 0x20 && code <= 0xd7ff) ||
          (code >= 0xe000 && code <= 0xfffd) ||
          (code >= 0x10000 && code <= 0x10ffff);
        if (!ok) throw UNSUPPORTED;
        rep = String.fromCodePoint(code);
      }
    }
    out += s.slice(last, amp) + rep;
    last = semi + 1;
    amp = s.indexOf('&', last);
  }
  return last === 0 ? s : out + s.slice(last);
}

/**
 * Parse a plain XML document (checks of parse.ts — size, NUL, DTD — already done) into a read-only
 * DOM typed as xmldom's; undefined when the document uses anything this parser leaves to xmldom.
 */
export function parseFast(input: string): Document | undefined {
  try {
    return parse(LINE_ENDS.test(input) ? normalizeLineEndings(input) : input) as unknown as Document;
  } catch (error) {
    if (error === UNSUPPORTED) return undefined;
    throw error;
  }
}

function parse(src: string): LightDocument {
  const n = src.length;
  const doc = new LightDocument();
  let i = readDeclaration(src, doc);
  let parent: LightParent = doc;
  let depth = 0;
  let scope = new Map<string, string>();
  const scopes: Array<Map<string, string>> = [];
  const rawAttrs: string[] = [];

  while (i < n) {
    const lt = src.indexOf('<', i);
    const textEnd = lt === -1 ? n : lt;
    if (textEnd > i) appendText(src, i, textEnd, depth === 0 ? doc : parent, doc);
    if (lt === -1) break;
    const c1 = src.charCodeAt(lt + 1);
    if (c1 === 0x2f) {
      if (depth === 0) throw UNSUPPORTED;
      i = endTagEnd(src, lt, parent as LightElement);
      parent = parent.parentNode!;
      depth--;
      scope = scopes.pop()!;
      continue;
    }
    if (c1 === 0x21 && src.startsWith('<!--', lt)) {
      i = appendComment(src, lt, parent, depth === 0 && doc.documentElement !== null);
      continue;
    }
    if (c1 === 0x21 || c1 === 0x3f) throw UNSUPPORTED; // CDATA, DOCTYPE, PI
    if (depth === 0 && doc.documentElement) throw UNSUPPORTED; // a second root
    // start tag
    const nameStart = lt + 1;
    const nameEnd = readName(src, nameStart);
    const tagName = src.slice(nameStart, nameEnd);
    i = readAttributes(src, nameEnd, rawAttrs);
    // A start tag ends in '/>' exactly when it is empty: '/' is read nowhere else in a tag.
    const selfClosing = src.charCodeAt(i - 2) === 0x2f;
    const elScope = elementScope(rawAttrs, scope);
    const el = createElement(tagName, rawAttrs, elScope);
    parent.appendChild(el);
    if (depth === 0) doc.documentElement = el;
    if (!selfClosing) {
      scopes.push(scope);
      scope = elScope;
      parent = el;
      depth++;
    }
  }
  if (depth !== 0 || !doc.documentElement) throw UNSUPPORTED;
  return doc;
}

/** The XML declaration, kept as xmldom keeps it (a processing instruction); where the content starts. */
function readDeclaration(src: string, doc: LightDocument): number {
  if (!src.startsWith('<?xml', 0)) return 0;
  const m = XML_DECL.exec(src);
  if (!m) throw UNSUPPORTED;
  const end = m[0].length;
  let d = 5;
  while (isSpace(src.charCodeAt(d))) d++;
  doc.appendChild(new LightProcessingInstruction('xml', src.slice(d, end - 2)));
  return end;
}

/** Text between `start` and `end`, appended to `parent` (the document itself outside the root). */
function appendText(src: string, start: number, end: number, parent: LightParent, doc: LightDocument): void {
  const raw = indentation(src, start, end) ?? src.slice(start, end);
  if (parent === doc) {
    // Outside the root only whitespace; xmldom keeps it as text nodes of the document
    // before the root and drops it after.
    for (let k = 0; k < raw.length; k++) if (!isSpace(raw.charCodeAt(k))) throw UNSUPPORTED;
    if (!doc.documentElement) doc.appendChild(new LightText(raw));
  } else {
    if (raw.includes(']]>')) throw UNSUPPORTED;
    parent.appendChild(new LightText(raw.includes('&') ? decodeEntities(raw) : raw));
  }
}

/** The end tag at `lt`, which must close `el`; where the content after it starts. */
function endTagEnd(src: string, lt: number, el: LightElement): number {
  const nameEnd = lt + 2 + el.tagName.length;
  if (src.slice(lt + 2, nameEnd) !== el.tagName) throw UNSUPPORTED;
  let k = nameEnd;
  while (isSpace(src.charCodeAt(k))) k++;
  if (src.charCodeAt(k) !== 0x3e) throw UNSUPPORTED;
  return k + 1;
}

/** Comments are kept as nodes (they split text as in xmldom); '--' inside is not XML. */
function appendComment(src: string, lt: number, parent: LightParent, afterRoot: boolean): number {
  const end = src.indexOf('-->', lt + 4);
  if (end === -1) throw UNSUPPORTED;
  const data = src.slice(lt + 4, end);
  if (data.includes('--') || data.endsWith('-') || afterRoot) throw UNSUPPORTED;
  parent.appendChild(new LightComment(data));
  return end + 3;
}

/** A start tag's attributes from `k` into `rawAttrs` (name, value, …); the index after its '>'. */
function readAttributes(src: string, k: number, rawAttrs: string[]): number {
  rawAttrs.length = 0;
  for (;;) {
    const before = k;
    while (isSpace(src.charCodeAt(k))) k++;
    const c = src.charCodeAt(k);
    if (c === 0x3e) return k + 1;
    if (c === 0x2f) {
      if (src.charCodeAt(k + 1) !== 0x3e) throw UNSUPPORTED;
      return k + 2;
    }
    if (k === before) throw UNSUPPORTED; // attributes must be separated by whitespace
    const an = k;
    k = readName(src, k);
    const attrName = src.slice(an, k);
    while (isSpace(src.charCodeAt(k))) k++;
    if (src.charCodeAt(k) !== 0x3d) throw UNSUPPORTED;
    k++;
    while (isSpace(src.charCodeAt(k))) k++;
    const q = src.charCodeAt(k);
    if (q !== 0x22 && q !== 0x27) throw UNSUPPORTED;
    const close = src.indexOf(q === 0x22 ? '"' : "'", k + 1);
    if (close === -1) throw UNSUPPORTED;
    let value = src.slice(k + 1, close);
    if (value.includes('<')) throw UNSUPPORTED;
    // xmldom: whitespace characters become spaces first, then references are decoded
    if (/[\t\n]/.test(value)) value = value.replace(/[\t\n\r]/g, ' ');
    if (value.includes('&')) value = decodeEntities(value);
    rawAttrs.push(attrName, value);
    k = close + 1;
  }
}

/** The namespace scope of an element: its parent's, plus its own declarations (copied only then). */
function elementScope(rawAttrs: readonly string[], scope: Map<string, string>): Map<string, string> {
  let elScope = scope;
  for (let a = 0; a < rawAttrs.length; a += 2) {
    const name = rawAttrs[a]!;
    if (name === 'xmlns' || name.startsWith('xmlns:')) {
      const prefix = name === 'xmlns' ? '' : name.slice(6);
      const uri = rawAttrs[a + 1]!;
      if (uri === '' || prefix === 'xml' || prefix === 'xmlns' || uri === XML_NS || uri === XMLNS_NS) throw UNSUPPORTED;
      if (elScope === scope) elScope = new Map(scope);
      elScope.set(prefix, uri);
    }
  }
  return elScope;
}

/** The element of a start tag, its name and attributes resolved in `elScope`. */
function createElement(tagName: string, rawAttrs: readonly string[], elScope: ReadonlyMap<string, string>): LightElement {
  const colon = tagName.indexOf(':');
  let ns: string | null;
  let prefix: string | null;
  let localName: string;
  if (colon === -1) {
    prefix = null;
    localName = tagName;
    ns = elScope.get('') ?? null;
  } else {
    prefix = tagName.slice(0, colon);
    localName = tagName.slice(colon + 1);
    const uri = elScope.get(prefix);
    if (uri === undefined) throw UNSUPPORTED;
    ns = uri;
  }
  const attrs = rawAttrs.length ? resolveAttributes(rawAttrs, elScope) : NO_ATTRIBUTES;
  const el = new LightElement(tagName, ns, prefix, localName, attrs);
  for (const a of attrs) a.ownerElement = el;
  return el;
}

/** Attribute nodes with their namespaces; a repeated name (or expanded name) gives up. */
function resolveAttributes(rawAttrs: readonly string[], elScope: ReadonlyMap<string, string>): LightAttr[] {
  const attrs = new Array<LightAttr>(rawAttrs.length >> 1);
  for (let a = 0; a < rawAttrs.length; a += 2) {
    const name = rawAttrs[a]!;
    const value = rawAttrs[a + 1]!;
    const ac = name.indexOf(':');
    let attr: LightAttr;
    if (name === 'xmlns') attr = new LightAttr(name, value, XMLNS_NS, null, 'xmlns');
    else if (ac === -1) attr = new LightAttr(name, value, null, null, name);
    else {
      const p = name.slice(0, ac);
      const uri = p === 'xmlns' ? XMLNS_NS : elScope.get(p);
      if (uri === undefined) throw UNSUPPORTED;
      attr = new LightAttr(name, value, uri, p, name.slice(ac + 1));
    }
    for (let b = 0; b < a >> 1; b++) {
      const o = attrs[b]!;
      if (o.name === name || (attr.prefix !== null && o.namespaceURI === attr.namespaceURI && o.localName === attr.localName)) throw UNSUPPORTED;
    }
    attrs[a >> 1] = attr;
  }
  return attrs;
}

/** `\n` + spaces of each length up to 64: the indentation between elements, shared instead of sliced. */
const INDENTS: readonly string[] = Array.from({ length: 65 }, (_, k) => (k ? `\n${' '.repeat(k - 1)}` : ''));

function indentation(src: string, start: number, end: number): string | undefined {
  if (end - start > 64 || src.charCodeAt(start) !== 0x0a) return undefined;
  for (let k = start + 1; k < end; k++) if (src.charCodeAt(k) !== 0x20) return undefined;
  return INDENTS[end - start];
}

/** End of an ASCII QName starting at `k` (`NCName` or `NCName:NCName`); anything else gives up. */
function readName(src: string, k: number): number {
  let c = src.charCodeAt(k);
  if (!(c < 128 && NAME_START[c])) throw UNSUPPORTED;
  k++;
  let colons = 0;
  for (;;) {
    c = src.charCodeAt(k);
    if (c < 128 && NAME_CHAR[c]) {
      k++;
      continue;
    }
    if (c === 0x3a && colons === 0) {
      const next = src.charCodeAt(k + 1);
      if (!(next < 128 && NAME_START[next])) throw UNSUPPORTED;
      colons++;
      k += 2;
      continue;
    }
    break;
  }
  // the name must end at whitespace, '=', '/', '>'
  if (!(isSpace(c) || c === 0x3d || c === 0x2f || c === 0x3e)) throw UNSUPPORTED;
  return k;
}
