// The invoice hash (KSA-13 chain value, DigestValue of #invoiceSignedData, QR tag 6), docs/zatca-notes.md §5:
// SHA-256 over the C14N 1.1 document minus UBLExtensions, cac:Signature and the QR reference.
import type { Document, Element } from '@xmldom/xmldom';
import { canonicalize } from '../xml/c14n.js';
import { NS, parseInvoiceXml, type ParseOptions } from '../xml/parse.js';

export type { InvoiceHash } from './invoice-hash.js';
import { hashCanonicalText, type InvoiceHash } from './invoice-hash.js';

/**
 * The three exclusions of docs/zatca-notes.md §5 / BR-KSA-26, matched as the SDK does: UBLExtensions below the root,
 * the root's cac:Signature, and any cac:AdditionalDocumentReference whose cbc:ID is "QR".
 */
export function isExcludedFromInvoiceHash(el: Element): boolean {
  const parent = el.parentNode as Element | null;
  const atRoot = !!parent && parent.parentNode?.nodeType === 9;
  if (!atRoot) return false;
  if (el.localName === 'UBLExtensions') return true;
  if (el.localName === 'Signature' && el.namespaceURI === NS.cac) return true;
  if (el.localName === 'AdditionalDocumentReference' && el.namespaceURI === NS.cac) {
    for (let n = el.firstChild; n; n = n.nextSibling) {
      if (n.nodeType === 1 && (n as Element).localName === 'ID' && (n as Element).namespaceURI === NS.cbc) {
        return (n.textContent ?? '').trim() === 'QR';
      }
    }
  }
  return false;
}

/** Canonical text of an invoice DOM with the hash exclusions applied (whitespace around them kept). */
export function canonicalInvoiceText(doc: Document): string {
  return canonicalize(doc, { exclude: isExcludedFromInvoiceHash });
}

/** Invoice hash of a parsed document. */
export function invoiceHashOfDocument(doc: Document): InvoiceHash {
  return hashCanonicalText([canonicalInvoiceText(doc)]);
}

/** Invoice hash of XML bytes or text in any formatting (pretty, minified, CRLF, comments, attribute order). */
export function invoiceHashOf(xml: string | Uint8Array, options: ParseOptions = {}): InvoiceHash {
  return invoiceHashOfDocument(parseInvoiceXml(xml, options));
}
