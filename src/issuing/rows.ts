// The stored form of one issued document: its documents row (figures for the VAT report, the stamp)
// and its outbox job. The issuer fills them; the chain append writes them.
import { randomUUID } from 'node:crypto';
import type { ComputedInvoice } from '../model/index.js';
import type { DocumentsTable, IssuedDocument, SubmissionsTable } from '../store/index.js';
import type { StampResult } from './stamper.js';
import { documentTotals } from './totals.js';

export interface RowFacts {
  taxpayerId: string;
  unitId: string;
  csidId: string;
  inv: ComputedInvoice;
  invoiceHash: string;
  issuedAt: string;
  deadlineAt: string;
  reference?: { originalId: string | null; originalNumber: string | null };
}

/** The document row; `stamp` absent: filled in when the signature comes back from a worker thread. */
export function documentRow(f: RowFacts, stamp?: StampResult): IssuedDocument {
  const { inv } = f;
  const totals = documentTotals(inv);
  return {
    id: randomUUID(),
    taxpayer_id: f.taxpayerId,
    unit_id: f.unitId,
    icv: inv.icv,
    pih: inv.pih,
    invoice_hash: f.invoiceHash,
    uuid: inv.uuid,
    number: inv.id,
    document_type: inv.documentType,
    type_code: inv.typeCode,
    transaction_code: inv.transactionCode,
    kind: inv.kind,
    issue_date: inv.issueDate,
    issue_time: inv.issueTime,
    issued_at: f.issuedAt,
    deadline_at: f.deadlineAt,
    signing_time: stamp?.signingTime ?? '',
    csid_id: f.csidId,
    currency: totals.currency,
    exchange_rate: totals.exchangeRate,
    buyer_vat: inv.buyer?.vatNumber ?? null,
    buyer_name:
      inv.buyer?.name === undefined
        ? null
        : typeof inv.buyer.name === 'string'
          ? inv.buyer.name
          : [inv.buyer.name.ar, inv.buyer.name.en].filter(Boolean).join(' | '),
    original_document_id: f.reference?.originalId ?? null,
    original_number: f.reference?.originalNumber ?? inv.billingReference?.invoiceId ?? null,
    tax_exclusive_amount: totals.taxExclusive,
    tax_amount: totals.tax,
    tax_amount_sar: totals.taxSar,
    tax_inclusive_amount: totals.taxInclusive,
    payable_amount: totals.payable,
    taxable_amount_sar: totals.taxableSar,
    vat_breakdown: JSON.stringify(totals.breakdown),
    prepaid_breakdown: JSON.stringify(totals.prepaid),
    qr: stamp?.qr ?? '',
    xml: stamp?.xml ?? '',
  } satisfies IssuedDocument;
}

/** The outbox job of a new document: clearance for standard documents, reporting for simplified. */
export function submissionJob(row: DocumentsTable): SubmissionsTable {
  return {
    document_id: row.id,
    taxpayer_id: row.taxpayer_id,
    unit_id: row.unit_id,
    icv: row.icv,
    kind: row.kind,
    endpoint: row.kind === 'standard' ? 'clearance' : 'reporting',
    state: 'to-submit',
    attempts: 0,
    next_attempt_at: row.issued_at,
    lease_owner: null,
    lease_until: null,
    issued_at: row.issued_at,
    deadline_at: row.deadline_at,
    late: 0,
    duplicate: 0,
    last_http_status: null,
    last_outcome: null,
    last_message: null,
    accepted_at: null,
    updated_at: row.issued_at,
  };
}
