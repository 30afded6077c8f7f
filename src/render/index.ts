// Printable invoices from the signed (or cleared) XML alone: facts → layout model → HTML with print
// CSS or PDF/A-3b (A4 or 80 mm receipt) with the exact XML bytes embedded (docs/render.md).
import { FawtaraError } from '../errors.js';
import { type DocumentContent, readDocumentContent } from '../stamp/read.js';
import { NS, parseXml } from '../xml/parse.js';
import type { Digits, Lang } from './format.js';
import { renderHtml } from './html.js';
import type { Bi } from './labels.js';
import { buildLayout, type Format, type InvoiceLayout } from './model.js';
import { planA4 } from './pdf/a4.js';
import { writePdf } from './pdf/document.js';
import { planReceipt } from './pdf/receipt.js';
import { DIGITS, FORMATS, LANGS } from './options.js';
import { problemsOf } from './validity.js';

export type { Digits, Lang } from './format.js';
export type { Format, InvoiceLayout } from './model.js';
export type { Bi } from './labels.js';

export { DIGITS, FORMATS, LANGS } from './options.js';

export interface RenderOptions {
  /** `pdf` (PDF/A-3b, default) or `html` (print CSS). */
  output?: 'pdf' | 'html';
  /** Default: `receipt` for simplified documents, `a4` otherwise. */
  format?: Format;
  /** Default `both`. */
  lang?: Lang;
  /** Default `latin`; identifiers (numbers, VAT numbers, UUID) are printed as written. */
  digits?: Digits;
  /** Name for error messages (a file name). */
  source?: string;
}

export interface RenderedInvoice {
  body: Buffer;
  contentType: 'application/pdf' | 'text/html; charset=utf-8';
  format: Format;
  /** False when the printout carries the "NOT A VALID TAX INVOICE" band. */
  valid: boolean;
  problems: Bi[];
  number: string;
  /** Pages of the PDF (1 for HTML). */
  pages: number;
  /** A file name for the download: `<VAT>_<date>T<time>_<number>.<pdf|html>`. */
  fileName: string;
}

const EMPTY: DocumentContent = {
  notes: [],
  billingReferences: [],
  instructionNotes: [],
  paymentMeans: [],
  seller: { ids: [], address: {} },
  allowanceCharges: [],
  taxTotals: [],
  totals: {},
  lines: [],
};

function check<T extends string>(value: T | undefined, allowed: readonly T[], field: string): void {
  if (value !== undefined && !allowed.includes(value)) {
    throw new FawtaraError('INVALID_INPUT', `${field} must be one of ${allowed.join(', ')} (got "${value}")`, {
      field,
      messageAr: `يجب أن تكون قيمة ${field} إحدى القيم: ${allowed.join('، ')}`,
    });
  }
}

const safe = (s: string): string => s.replace(/[^A-Za-z0-9._-]+/g, '-').slice(0, 120);

/** The document's own issue instant (KSA local time, UTC+3): the PDF's dates, so output is reproducible. */
function issuedAt(c: DocumentContent): Date {
  const d = new Date(`${c.issueDate}T${c.issueTime ?? '00:00:00'}+03:00`);
  return Number.isNaN(d.getTime()) ? new Date(0) : d;
}

function baseName(c: DocumentContent): string {
  const when = `${(c.issueDate ?? '').replace(/-/g, '')}T${(c.issueTime ?? '').replace(/:/g, '').slice(0, 6)}`;
  return c.id ? safe(`${c.seller.vatNumber ?? 'unknown'}_${when}_${c.id}`) : 'document';
}

/**
 * Render a ZATCA document as PDF/A-3b or HTML. Synchronous; throws FawtaraError only for input that
 * is not XML at all or a wrong option — anything else renders, with the band when it is not valid.
 */
export function renderInvoice(xml: string | Uint8Array, options: RenderOptions = {}): RenderedInvoice {
  check(options.output, ['pdf', 'html'], 'output');
  check(options.format, FORMATS, 'format');
  check(options.lang, LANGS, 'lang');
  check(options.digits, DIGITS, 'digits');
  const bytes = typeof xml === 'string' ? Buffer.from(xml, 'utf8') : xml;
  const doc = parseXml(bytes, { readOnly: true, ...(options.source && { source: options.source }) });
  const root = doc.documentElement!;
  const content = root.localName === 'Invoice' && root.namespaceURI === NS.invoice ? readDocumentContent(doc) : undefined;
  const problems = problemsOf(doc, content);
  const c = content ?? EMPTY;
  const format = options.format ?? (c.typeName?.startsWith('02') ? 'receipt' : 'a4');
  const layout = buildLayout(c, problems, { format, lang: options.lang ?? 'both', digits: options.digits ?? 'latin' });
  const name = baseName(c);
  const common = { format, valid: problems.length === 0, problems, number: c.id ?? '' };
  if (options.output === 'html') {
    return { ...common, body: Buffer.from(renderHtml(layout), 'utf8'), contentType: 'text/html; charset=utf-8', pages: 1, fileName: `${name}.html` };
  }
  const plans = format === 'receipt' ? planReceipt(layout) : planA4(layout);
  const body = writePdf(plans, {
    title: `${layout.title.en} ${c.id ?? ''}`.trim(),
    subject: `${layout.title.ar} ${c.id ?? ''}`.trim(),
    ...(c.seller.name && { author: c.seller.name }),
    lang: layout.lang === 'en' ? 'en' : 'ar',
    created: issuedAt(c),
    attachment: { name: `${name}.xml`, bytes, description: descriptionOf(layout) },
  });
  return { ...common, body, contentType: 'application/pdf', pages: plans.length, fileName: `${name}.pdf` };
}

function descriptionOf(layout: InvoiceLayout): string {
  return `${layout.title.en} ${layout.number}: the ZATCA XML this printout was rendered from, byte for byte`;
}
