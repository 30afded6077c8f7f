// Safe XML parsing for documents we did not write: size limit, no DTD (so no entity expansion and
// no external entity is ever fetched), well-formedness errors as FawtaraError with a line number.
import { createRequire } from 'node:module';
import type { Document, DOMParser as DOMParserType, Element, Node } from '@xmldom/xmldom';
import { FawtaraError } from '../errors.js';
import { parseFast } from './fast-parse.js';
import { checkDeclaredEncoding, checkXmlLimits, decodeXmlBytes, XML_LIMITS } from './limits.js';

// The parser loads on first use: stamping our own invoices never needs it, and a CLI run that
// signs one document should not pay for it at start-up.
let DOMParserClass: typeof DOMParserType | undefined;
function domParser(): typeof DOMParserType {
  DOMParserClass ??= (createRequire(import.meta.url)('@xmldom/xmldom') as { DOMParser: typeof DOMParserType }).DOMParser;
  return DOMParserClass;
}

/** ZATCA's API refuses invoices over 10 MB (docs/zatca-notes.md §A7, 413); all limits live in ./limits.ts. */
export const MAX_INVOICE_BYTES = XML_LIMITS.maxBytes;

export { NS } from './namespaces.js';
import { NS } from './namespaces.js';
export { decodeXmlBytes } from './limits.js';

export interface ParseOptions {
  /** Name used in error messages (a file name). */
  source?: string;
  /** Maximum size in bytes; default ZATCA's 10 MB. */
  maxBytes?: number;
  /**
   * The caller only reads the DOM (validation, verification): plain documents then go through the
   * fast reader of ./fast-parse.ts (about 10× faster than xmldom), anything else through xmldom.
   */
  readOnly?: boolean;
}

/**
 * Parse XML text into a DOM. Throws FawtaraError('INVALID_XML') for anything that is not a
 * well-formed UTF-8 document without a DTD, and FawtaraError('TOO_LARGE') beyond the limits of
 * ./limits.ts. Line endings are normalized as XML 1.0 §2.11 requires.
 */
export function parseXml(input: Uint8Array | string, options: ParseOptions = {}): Document {
  const text = decodeXmlBytes(input, options);
  const where = options.source ? `${options.source}: ` : '';
  if (text.includes('\u0000')) {
    throw new FawtaraError('INVALID_XML', `${where}this is not an XML document (it contains binary data)`, {
      field: options.source,
      messageAr: `${where}هذا ليس مستند XML (يحتوي على بيانات ثنائية)`,
    });
  }
  if (text.includes('<!') && (/<!DOCTYPE/i.test(text) || /<!ENTITY/i.test(text))) {
    throw new FawtaraError('INVALID_XML', `${where}a DOCTYPE or ENTITY declaration is not allowed in an invoice; remove it`, {
      field: options.source,
      messageAr: `${where}لا يُسمح بتعريف DOCTYPE أو ENTITY في الفاتورة؛ احذفه`,
    });
  }
  checkDeclaredEncoding(text, options.source);
  checkXmlLimits(text, options.source);
  if (options.readOnly) {
    const fast = parseFast(text);
    if (fast) return fast;
  }
  let problem: { message: string; line?: number } | undefined;
  const parser = new (domParser())({
    onError: (level, message, context) => {
      if (level === 'warning') return;
      problem ??= { message, line: (context as { locator?: { lineNumber?: number } } | undefined)?.locator?.lineNumber };
      throw new Error(message);
    },
  });
  let doc: Document;
  try {
    doc = parser.parseFromString(text, 'text/xml');
  } catch (error) {
    const { en, ar } = describeParseProblem(text, problem ?? { message: (error as Error).message });
    throw new FawtaraError('INVALID_XML', `${where}not well-formed XML: ${en}`, {
      field: options.source,
      messageAr: `${where}مستند XML غير سليم البنية: ${ar}`,
      cause: error,
    });
  }
  if (!doc.documentElement) {
    throw new FawtaraError('INVALID_XML', `${where}the document has no root element`, {
      field: options.source,
      messageAr: `${where}المستند لا يحتوي على عنصر جذر`,
    });
  }
  return doc;
}

/**
 * xmldom's message in words a user can act on, in English and Arabic, with the line: an undefined
 * prefix is named ("prefix xades is not declared, line 40"), never "NamespaceError: prefix is
 * non-null and namespace is null".
 */
function describeParseProblem(text: string, problem: { message: string; line?: number }): { en: string; ar: string } {
  const detail = problem.message
    .replace(/^Error constructing the DOM: /, '')
    .replace(/\s+/g, ' ')
    .trim();
  const line = problem.line && problem.line > 0 ? problem.line : undefined;
  const at = line ? `, line ${line}` : '';
  const atAr = line ? `، السطر ${line}` : '';
  if (/NamespaceError|prefix is non-null and namespace is null/.test(detail)) {
    const prefix = undeclaredPrefix(text, line);
    return prefix
      ? {
          en: `prefix ${prefix} is not declared${at}: add xmlns:${prefix}="…" to an enclosing element`,
          ar: `البادئة ${prefix} غير معرّفة${atAr}: أضف xmlns:${prefix} إلى عنصر أعلى`,
        }
      : { en: `a namespace prefix is not declared${at}`, ar: `بادئة نطاق أسماء غير معرّفة${atAr}` };
  }
  const mismatch = /tag mismatch: "([^"]*)" != "([^"]*)"/.exec(detail);
  if (mismatch)
    return { en: `end tag </${mismatch[2]}> does not close <${mismatch[1]}>${at}`, ar: `وسم الإغلاق </${mismatch[2]}> لا يغلق <${mismatch[1]}>${atAr}` };
  const entity = /entity not found:\s*(&[^;\s]*;?)/.exec(detail);
  if (entity) return { en: `unknown entity ${entity[1]}${at}: write &amp; for a literal &`, ar: `كيان غير معروف ${entity[1]}${atAr}: اكتب &amp; بدلاً من &` };
  const redefined = /Attribute (\S+) redefined/.exec(detail);
  if (redefined) return { en: `attribute ${redefined[1]} appears twice on one element${at}`, ar: `السمة ${redefined[1]} مكررة في العنصر نفسه${atAr}` };
  return { en: `${detail}${at}`, ar: `${detail}${atAr}` };
}

/** The first prefix used on `line` (or anywhere, without a line) that no xmlns: declaration names. */
function undeclaredPrefix(text: string, line: number | undefined): string | undefined {
  const lines = line ? [text.split('\n', line)[line - 1] ?? ''] : [text];
  for (const l of lines) {
    for (const m of l.matchAll(/(?:<\/?|\s)([A-Za-z_][\w.-]*):[A-Za-z_][\w.-]*/g)) {
      const p = m[1]!;
      if (p === 'xml' || p === 'xmlns') continue;
      if (!text.includes(`xmlns:${p}=`)) return p;
    }
  }
  return line ? undeclaredPrefix(text, undefined) : undefined;
}

/** Parse and require a UBL `Invoice` root (credit and debit notes use it too in ZATCA). */
export function parseInvoiceXml(input: Uint8Array | string, options: ParseOptions = {}): Document {
  const doc = parseXml(input, options);
  const root = doc.documentElement!;
  if (root.localName !== 'Invoice' || root.namespaceURI !== NS.invoice) {
    const where = options.source ? `${options.source}: ` : '';
    throw new FawtaraError(
      'INVALID_XML',
      `${where}the root element is <${root.nodeName}>; a ZATCA document must be a UBL 2.1 <Invoice> in namespace ${NS.invoice}`,
      { field: options.source, messageAr: `${where}العنصر الجذر <${root.nodeName}>؛ يجب أن يكون المستند <Invoice> وفق UBL 2.1` },
    );
  }
  return doc;
}

// --- small DOM helpers shared by readers of invoices ------------------------------------------

export const ELEMENT_NODE = 1;
export const TEXT_NODE = 3;

/** Element children of `parent`, optionally filtered by namespace and local name. */
export function childElements(parent: Node, ns?: string, localName?: string): Element[] {
  const out: Element[] = [];
  for (let n = parent.firstChild; n; n = n.nextSibling) {
    if (n.nodeType !== ELEMENT_NODE) continue;
    const el = n as Element;
    if (ns !== undefined && el.namespaceURI !== ns) continue;
    if (localName !== undefined && el.localName !== localName) continue;
    out.push(el);
  }
  return out;
}

export function firstChild(parent: Node, ns: string, localName: string): Element | undefined {
  for (let n = parent.firstChild; n; n = n.nextSibling) {
    if (n.nodeType === ELEMENT_NODE && (n as Element).namespaceURI === ns && (n as Element).localName === localName) {
      return n as Element;
    }
  }
  return undefined;
}

/**
 * Follow a path of `prefix:local` steps (prefixes from NS) from `start`, taking the first match at
 * each step. `path('cac:AccountingSupplierParty/cac:Party/cbc:ID')`.
 */
export function findPath(start: Node, path: string): Element | undefined {
  let cur: Node | undefined = start;
  for (const step of path.split('/')) {
    if (!cur) return undefined;
    const [prefix, local] = step.split(':') as [keyof typeof NS, string];
    cur = firstChild(cur, NS[prefix], local);
  }
  return cur as Element | undefined;
}

export function textOf(el: Node | undefined | null): string | undefined {
  return el ? (el.textContent ?? '') : undefined;
}
