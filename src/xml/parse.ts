// Safe XML parsing for documents we did not write: size limit, no DTD (so no entity expansion and
// no external entity is ever fetched), well-formedness errors as FawtaraError with a line number.
import { createRequire } from 'node:module';
import type { Document, DOMParser as DOMParserType, Element, Node } from '@xmldom/xmldom';
import { FawtaraError } from '../errors.js';
import { parseFast } from './fast-parse.js';

/** ZATCA's API refuses invoices over 10 MB (fatoora-api.md, 413). */
// The parser loads on first use: stamping our own invoices never needs it, and a CLI run that
// signs one document should not pay for it at start-up.
let DOMParserClass: typeof DOMParserType | undefined;
function domParser(): typeof DOMParserType {
  DOMParserClass ??= (createRequire(import.meta.url)('@xmldom/xmldom') as { DOMParser: typeof DOMParserType }).DOMParser;
  return DOMParserClass;
}

export const MAX_INVOICE_BYTES = 10 * 1024 * 1024;

export { NS } from './namespaces.js';
import { NS } from './namespaces.js';

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

/** Decode bytes as UTF-8 (dropping a BOM) after checking the size. */
export function decodeXmlBytes(input: Uint8Array | string, options: ParseOptions = {}): string {
  const max = options.maxBytes ?? MAX_INVOICE_BYTES;
  // A UTF-16 unit is at most 3 UTF-8 bytes: text that short cannot exceed the limit, so its byte
  // count (a full scan) is only taken for long text, where the message needs it.
  const size = typeof input === 'string' ? (input.length * 3 <= max ? input.length : Buffer.byteLength(input, 'utf8')) : input.byteLength;
  const where = options.source ? `${options.source}: ` : '';
  if (size > max) {
    throw new FawtaraError('TOO_LARGE', `${where}the document is ${size} bytes; ZATCA accepts at most ${max} bytes`, {
      field: options.source,
      messageAr: `${where}حجم المستند ${size} بايت؛ الحد الأقصى المقبول ${max} بايت`,
    });
  }
  let text = typeof input === 'string' ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength).toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return text;
}

/**
 * Parse XML text into a DOM. Throws FawtaraError('INVALID_XML') for anything that is not a
 * well-formed document without a DTD. Line endings are normalized as XML 1.0 §2.11 requires.
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
  if (options.readOnly) {
    const fast = parseFast(text);
    if (fast) return fast;
  }
  let firstProblem: string | undefined;
  const parser = new (domParser())({
    onError: (level, message) => {
      if (level === 'warning') return;
      firstProblem ??= message;
      throw new Error(message);
    },
  });
  let doc: Document;
  try {
    doc = parser.parseFromString(text, 'text/xml');
  } catch (error) {
    const detail = (firstProblem ?? (error as Error).message).replace(/\s+/g, ' ').trim();
    throw new FawtaraError('INVALID_XML', `${where}not well-formed XML: ${detail}`, {
      field: options.source,
      messageAr: `${where}مستند XML غير سليم البنية: ${detail}`,
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
