// What the API shows of an issued document: a summary (lists), the issue answer (with the legal
// XML and QR), and links to the XML, cleared XML and QR image. The stored bytes are never altered.
import { z } from 'zod';
import { FawtaraError } from '../../errors.js';
import type { IssueResult } from '../../issuing/index.js';
import { documents, type EgsUnit, type IssuedDocument, type Store } from '../../store/index.js';
import type { DocumentRow } from './search.js';

export const DocumentLinks = z.object({
  self: z.string(),
  xml: z.string(),
  cleared: z.string().nullable(),
  qrPng: z.string(),
  pdf: z.string().describe('the printed A4 document, PDF/A-3b with the legal XML embedded'),
  html: z.string().describe('the printed document as print HTML'),
  receipt: z.string().nullable().describe('simplified documents: the 80 mm receipt (PDF)'),
});

export const DocumentSummary = z.object({
  id: z.string(),
  uuid: z.string(),
  number: z.string(),
  unit: z.string(),
  unitId: z.string(),
  branchId: z.string(),
  icv: z.number(),
  invoiceHash: z.string(),
  kind: z.string(),
  documentType: z.string(),
  issuedAt: z.string(),
  deadlineAt: z.string(),
  currency: z.string(),
  taxExclusiveAmount: z.string(),
  taxAmount: z.string(),
  payableAmount: z.string(),
  buyerVat: z.string().nullable(),
  buyerName: z.string().nullable(),
  originalNumber: z.string().nullable(),
  state: z.string().describe('submission state: to-submit, held, accepted, accepted-with-warnings, rejected'),
  late: z.boolean(),
  acceptedAt: z.string().nullable(),
  links: DocumentLinks,
});
export type DocumentSummaryT = z.infer<typeof DocumentSummary>;

export function documentLinks(vat: string, unitId: string, docId: string, kind: string): z.infer<typeof DocumentLinks> {
  const self = `/api/v1/taxpayers/${vat}/units/${unitId}/documents/${docId}`;
  const simplified = kind !== 'standard';
  return {
    self,
    xml: `${self}/xml`,
    cleared: simplified ? null : `${self}/cleared`,
    qrPng: `${self}/qr.png`,
    pdf: `${self}/pdf?format=a4`,
    html: `${self}/html?format=${simplified ? 'receipt' : 'a4'}`,
    receipt: simplified ? `${self}/pdf?format=receipt` : null,
  };
}

export function summaryView(vat: string, r: DocumentRow): DocumentSummaryT {
  return {
    id: r.id,
    uuid: r.uuid,
    number: r.number,
    unit: r.unit_name,
    unitId: r.unit_id,
    branchId: r.branch_id,
    icv: Number(r.icv),
    invoiceHash: r.invoice_hash,
    kind: r.kind,
    documentType: r.document_type,
    issuedAt: r.issued_at,
    deadlineAt: r.deadline_at,
    currency: r.currency,
    taxExclusiveAmount: r.tax_exclusive_amount,
    taxAmount: r.tax_amount,
    payableAmount: r.payable_amount,
    buyerVat: r.buyer_vat,
    buyerName: r.buyer_name,
    originalNumber: r.original_number,
    state: r.state,
    late: Number(r.late) === 1,
    acceptedAt: r.accepted_at,
    links: documentLinks(vat, r.unit_id, r.id, r.kind),
  };
}

export const Submission = z.object({
  state: z.string(),
  endpoint: z.string(),
  attempts: z.number(),
  lastOutcome: z.string().nullable(),
  lastMessage: z.string().nullable(),
  late: z.boolean(),
});

/** The answer to an issue call: the stamped document, what the buyer may receive, the submission. */
export const Issued = z.object({
  id: z.string(),
  uuid: z.string(),
  number: z.string(),
  unitId: z.string(),
  icv: z.number(),
  pih: z.string(),
  invoiceHash: z.string(),
  kind: z.string(),
  documentType: z.string(),
  issuedAt: z.string(),
  deadlineAt: z.string(),
  qr: z.string().describe('base64 TLV of the QR code (print it, or fetch links.qrPng)'),
  xml: z.string().describe('the stamped document exactly as stored and submitted'),
  released: z.boolean().describe('may go to the buyer now (simplified: at once; standard: once cleared)'),
  legalXml: z.string().nullable().describe('what the buyer receives: the stamped document (simplified) or ZATCA-cleared one (standard); null until cleared'),
  submission: Submission,
  replayed: z.boolean(),
  links: DocumentLinks,
});

export function issuedView(vat: string, r: IssueResult): z.infer<typeof Issued> {
  return { ...r, links: documentLinks(vat, r.unitId, r.id, r.kind) };
}

/** A document of this unit by id, UUID or number; 404 otherwise (the unit itself is already in scope). */
export async function documentOfUnit(store: Store, unit: EgsUnit, ref: string): Promise<IssuedDocument> {
  const d = await documents.findDocument(store.db, unit.taxpayer_id, ref);
  if (!d || d.unit_id !== unit.id) {
    throw new FawtaraError('NOT_FOUND', `unit ${unit.name} has no document "${ref}" (give its id, UUID or number)`, {
      field: 'document',
      messageAr: `لا يوجد مستند "${ref}" لدى الوحدة ${unit.name}`,
    });
  }
  return d;
}
