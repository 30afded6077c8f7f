// Stamping invoice XML we did not write (the `sign` command, fatoora -sign): canonicalize it, drop
// any earlier stamp, set ICV/PIH if asked, and hand it to the one stamping function.
import type { Document, Element, Node } from '@xmldom/xmldom';
import { isExcludedFromInvoiceHash } from '../crypto/hash.js';
import { FawtaraError } from '../errors.js';
import type { InvoiceFacts, UnsignedInvoice } from '../ubl/document.js';
import { canonicalize } from '../xml/c14n.js';
import { childElements, firstChild, NS, parseInvoiceXml, TEXT_NODE } from '../xml/parse.js';
import { documentReference, readAttachment, readIcv, readQrSources } from './read.js';
import { stampInvoice, type StampedInvoice, type StampOptions } from './stamp.js';

export interface SignXmlOptions extends StampOptions {
  /** Replace (or add) the ICV reference. */
  icv?: number;
  /** Replace (or add) the PIH reference. */
  pih?: string;
  /** File name for messages. */
  source?: string;
}

/** Sign an invoice given as XML text or bytes; returns the stamped document. */
export function signInvoiceXml(xml: string | Uint8Array, options: SignXmlOptions): StampedInvoice {
  const doc = parseInvoiceXml(xml, { source: options.source });
  return stampInvoice(unsignedFromDocument(doc, options), options);
}

/** Turn a parsed invoice into the writer's contract: canonical text split where the stamp goes. */
export function unsignedFromDocument(doc: Document, options: { icv?: number; pih?: string; source?: string } = {}): UnsignedInvoice {
  const root = doc.documentElement!;
  // Drop an earlier stamp but keep the text around it: the invoice hash (docs/zatca-notes.md §5) keeps that text,
  // so re-signing a signed invoice leaves its hash unchanged.
  for (const el of childElements(root)) if (isExcludedFromInvoiceHash(el)) root.removeChild(el);
  declareStampNamespaces(root, options.source);
  const indent = detectIndent(root);
  if (options.icv !== undefined) setReference(doc, 'ICV', String(options.icv), indent);
  if (options.pih !== undefined) setReference(doc, 'PIH', options.pih, indent);

  const supplier = firstChild(root, NS.cac, 'AccountingSupplierParty');
  if (!supplier) {
    throw new FawtaraError(
      'INVALID_XML',
      `${options.source ? options.source + ': ' : ''}the invoice has no cac:AccountingSupplierParty; the stamp is placed before it`,
      {
        field: 'cac:AccountingSupplierParty',
        messageAr: 'الفاتورة لا تحتوي على بيانات البائع cac:AccountingSupplierParty',
      },
    );
  }
  // Markers split the canonical text: after the root start tag, and where QR + cac:Signature go.
  const token = `fawtara-${Math.random().toString(36).slice(2)}`;
  const start = doc.createProcessingInstruction(`${token}-a`, '');
  const split = doc.createProcessingInstruction(`${token}-b`, '');
  root.insertBefore(start, root.firstChild);
  // QR and cac:Signature go right after the last reference before the supplier (their XSD place).
  let at: Node = supplier;
  while (at.previousSibling && at.previousSibling.nodeType !== 1) at = at.previousSibling;
  root.insertBefore(split, at);
  const text = canonicalize(doc);
  start.parentNode!.removeChild(start);
  split.parentNode!.removeChild(split);
  const [rootStart, rest] = text.split(`<?${token}-a?>`) as [string, string];
  const [head, tail] = rest.split(`<?${token}-b?>`) as [string, string];

  const q = readQrSources(doc);
  const need = (value: string | undefined, field: string): string => {
    if (value === undefined) {
      throw new FawtaraError('INVALID_XML', `${options.source ? options.source + ': ' : ''}${field} is missing; the QR cannot be built without it`, {
        field,
        rule: 'KSA-14',
        messageAr: `الحقل ${field} مفقود؛ لا يمكن إنشاء رمز QR بدونه`,
      });
    }
    return value;
  };
  const icvText = readIcv(doc);
  const facts: InvoiceFacts = {
    id: q.id ?? '',
    uuid: q.uuid ?? '',
    simplified: q.simplified,
    issueDate: need(q.issueDate, 'cbc:IssueDate'),
    issueTime: need(q.issueTime, 'cbc:IssueTime'),
    sellerName: need(q.sellerName, 'seller cbc:RegistrationName'),
    sellerVatNumber: need(q.sellerVatNumber, 'seller cbc:CompanyID'),
    payableAmount: need(q.payableAmount, 'cbc:PayableAmount'),
    // Tag 5 as the SDK writes and checks it: the first TaxTotal's text (see readQrSources).
    taxTotalSar: need(q.firstTaxTotal, 'cac:TaxTotal/cbc:TaxAmount'),
    icv: icvText && /^\d+$/.test(icvText.trim()) ? Number(icvText.trim()) : 0,
    pih: readAttachment(doc, 'PIH')?.text.trim() ?? '',
  };
  return { rootStart, head, tail, indent, facts };
}

const XMLNS = 'http://www.w3.org/2000/xmlns/';

/**
 * The stamp writes `ext:`, `cac:` and `cbc:` elements as children of the root, so the root must bind
 * those prefixes to ZATCA's namespaces; missing declarations are added before hashing (the hash
 * covers them, as ZATCA's SDK hashes the final document). `sig`, `sac`, `sbc`, `ds` and `xades`
 * are declared on the stamp elements themselves (crypto/xades.ts), whatever the root says.
 * A prefix the root binds to another namespace cannot be fixed without rewriting the document.
 */
function declareStampNamespaces(root: Element, source?: string): void {
  for (const prefix of ['ext', 'cac', 'cbc'] as const) {
    const bound = root.getAttributeNS(XMLNS, prefix);
    if (bound === NS[prefix]) continue;
    if (bound) {
      const at = source ? `${source}: ` : '';
      throw new FawtaraError(
        'INVALID_XML',
        `${at}the root binds prefix ${prefix} to ${bound}; the stamp writes ${prefix}: elements in ${NS[prefix]} — use ZATCA's prefixes (xmlns:${prefix}="${NS[prefix]}")`,
        {
          field: `xmlns:${prefix}`,
          messageAr: `${at}العنصر الجذر يربط البادئة ${prefix} بنطاق آخر (${bound})؛ استخدم بادئات الهيئة (xmlns:${prefix}="${NS[prefix]}")`,
        },
      );
    }
    root.setAttributeNS(XMLNS, `xmlns:${prefix}`, NS[prefix]);
  }
}

function removeWithLeadingSpace(el: Element): void {
  const prev = el.previousSibling;
  if (prev && prev.nodeType === TEXT_NODE && /^\s*$/.test(prev.nodeValue ?? '')) prev.parentNode!.removeChild(prev);
  el.parentNode!.removeChild(el);
}

/** One level of indentation as the document uses it (four spaces when it is minified). */
function detectIndent(root: Element): string {
  for (let n = root.firstChild; n; n = n.nextSibling) {
    if (n.nodeType === TEXT_NODE) {
      const m = /\n([ \t]+)$/.exec(n.nodeValue ?? '');
      if (m) return m[1]!;
    } else if (n.nodeType === 1) break;
  }
  return '    ';
}

function setReference(doc: Document, id: 'ICV' | 'PIH', value: string, indent: string): void {
  const existing = documentReference(doc, id);
  if (existing) {
    const target = id === 'ICV' ? firstChild(existing, NS.cbc, 'UUID') : readAttachment(doc, id)?.element;
    if (target) {
      while (target.firstChild) target.removeChild(target.firstChild);
      target.appendChild(doc.createTextNode(value));
      return;
    }
    removeWithLeadingSpace(existing);
  }
  const root = doc.documentElement!;
  const el = (ns: string, qname: string, ...children: Node[]): Element => {
    const e = doc.createElementNS(ns, qname);
    for (const c of children) e.appendChild(c);
    return e;
  };
  const t = (s: string): Node => doc.createTextNode(s);
  const nl = (depth: number): Node => t('\n' + indent.repeat(depth));
  const ref =
    id === 'ICV'
      ? el(NS.cac, 'cac:AdditionalDocumentReference', nl(2), el(NS.cbc, 'cbc:ID', t('ICV')), nl(2), el(NS.cbc, 'cbc:UUID', t(value)), nl(1))
      : el(
          NS.cac,
          'cac:AdditionalDocumentReference',
          nl(2),
          el(NS.cbc, 'cbc:ID', t('PIH')),
          nl(2),
          el(
            NS.cac,
            'cac:Attachment',
            nl(3),
            (() => {
              const b = el(NS.cbc, 'cbc:EmbeddedDocumentBinaryObject', t(value));
              b.setAttribute('mimeCode', 'text/plain');
              return b;
            })(),
            nl(2),
          ),
          nl(1),
        );
  // XSD order: ICV and PIH references follow any other AdditionalDocumentReference and precede
  // cac:Signature / AccountingSupplierParty; the PIH goes after the ICV.
  const refs = childElements(root, NS.cac, 'AdditionalDocumentReference');
  const icv = documentReference(doc, 'ICV');
  const after = id === 'PIH' && icv ? icv : refs[refs.length - 1];
  const before = after ? after.nextSibling : (firstChild(root, NS.cac, 'AccountingSupplierParty') ?? null);
  root.insertBefore(nl(1), before);
  root.insertBefore(ref, before);
}
