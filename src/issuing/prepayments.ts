// A final invoice's prepayment deductions (docs/zatca-notes.md §1.4): an advance this taxpayer invoiced through
// Fawtara must be its prepayment invoice (386), under the number given, and not rejected by ZATCA.
import type { Kysely } from 'kysely';
import type { ComputedInvoice } from '../model/index.js';
import { documents, submissions, type Database, type IssuedDocument } from '../store/index.js';
import { IssueError } from './errors.js';

type Known = Pick<IssuedDocument, 'id' | 'uuid' | 'number' | 'document_type'>;

/**
 * Checked inside the issuing transaction; `batch` holds documents written earlier in it. An advance
 * invoiced outside Fawtara (its UUID unknown here) is taken as written. VAT on an advance is declared
 * with the prepayment invoice; deducting one ZATCA rejected would lower the return by VAT never counted.
 */
export async function checkPrepaymentReferences(trx: Kysely<Database>, taxpayerId: string, inv: ComputedInvoice, batch: readonly Known[]): Promise<void> {
  if (inv.prepaymentLines.length === 0) return;
  const stored = await documents.findByUuids(
    trx,
    taxpayerId,
    inv.prepaymentLines.map((p) => p.invoiceUuid),
  );
  for (const [i, p] of inv.prepaymentLines.entries()) {
    const advance: Known | undefined = batch.find((d) => d.uuid === p.invoiceUuid) ?? stored.find((d) => d.uuid === p.invoiceUuid);
    if (!advance) continue;
    const field = `prepaymentAdjustments[${i}]`;
    if (advance.document_type !== 'prepayment' || advance.number !== p.invoiceId) {
      throw new IssueError(
        'REFERENCE_MISMATCH',
        `${field}.invoiceUuid: ${p.invoiceUuid} is document ${advance.number} (${advance.document_type}); an adjustment line deducts a prepayment invoice (386) under its own number`,
        {
          field: `${field}.invoiceUuid`,
          messageAr: `${field}: المعرف ${p.invoiceUuid} يخص المستند ${advance.number}؛ سطر التسوية يخصم فاتورة دفعة مقدمة (386) برقمها`,
          rule: 'BR-KSA-74',
        },
      );
    }
    if ((await submissions.findSubmission(trx, advance.id))?.state === 'rejected') {
      throw new IssueError(
        'REFERENCE_REJECTED',
        `${field}.invoiceUuid: ZATCA rejected the prepayment invoice ${advance.number}, so its VAT was never declared and cannot be deducted; issue the corrected prepayment invoice (a new document) and deduct that one`,
        {
          field: `${field}.invoiceUuid`,
          messageAr: `${field}: رفضت الهيئة فاتورة الدفعة المقدمة ${advance.number} فلم يُصرّح بضريبتها ولا يجوز خصمها؛ أصدر فاتورة الدفعة المقدمة المصححة واخصمها`,
        },
      );
    }
  }
}
