// Credit and debit notes: the original must be an earlier document of the same taxpayer (any of
// its units), of the same kind and currency, not rejected by ZATCA; credit notes return at most it.
import type { Kysely } from 'kysely';
import type { ComputedInvoice } from '../model/index.js';
import { dec } from '../money/decimal.js';
import { documents, submissions, type Database, type IssuedDocument } from '../store/index.js';
import { IssueError } from './errors.js';

export interface NoteReference {
  originalId: string;
  originalNumber: string;
}

type Known = Pick<IssuedDocument, 'id' | 'uuid' | 'number' | 'kind' | 'currency' | 'document_type' | 'tax_exclusive_amount' | 'original_document_id'>;

/**
 * Check a note's reference inside the issuing transaction. `batch` holds documents written earlier
 * in the same transaction (a note may follow its invoice in one group commit). `visible` says which
 * units' documents the caller may see: a document of another unit or branch is, to a cashier, no document.
 */
export async function checkNoteReference(
  trx: Kysely<Database>,
  taxpayerId: string,
  inv: ComputedInvoice,
  batch: readonly (Known & { unit_id: string })[],
  external: boolean,
  visible?: (unitId: string) => boolean,
): Promise<NoteReference | null> {
  if (inv.documentType !== 'creditNote' && inv.documentType !== 'debitNote') return null;
  const ref = inv.billingReference!;
  const found = batch.find((d) => d.number === ref.invoiceId) ?? (await documents.findByNumber(trx, taxpayerId, ref.invoiceId));
  const original = found && (!visible || visible(found.unit_id)) ? found : undefined;
  if (!original) {
    // Scoped callers hear the same whether the number is unknown or another unit's.
    if (visible) {
      throw new IssueError(
        'REFERENCE_NOT_FOUND',
        `billingReference.invoiceId: no document ${ref.invoiceId} among the documents you may see; a note corrects an earlier document of your own unit or branch`,
        {
          field: 'billingReference.invoiceId',
          messageAr: `لا يوجد مستند برقم ${ref.invoiceId} ضمن المستندات المتاحة لك؛ الإشعار يصحح مستنداً سابقاً لوحدتك أو فرعك`,
          rule: 'BR-KSA-56',
        },
      );
    }
    if (external) return null;
    throw new IssueError(
      'REFERENCE_NOT_FOUND',
      `billingReference.invoiceId: no document ${ref.invoiceId} was issued for this taxpayer; a note corrects an earlier document of the same taxpayer (give the original's invoice number)`,
      {
        field: 'billingReference.invoiceId',
        messageAr: `لا يوجد مستند برقم ${ref.invoiceId} لهذا المكلف؛ الإشعار يصحح مستنداً سابقاً للمكلف نفسه`,
        rule: 'BR-KSA-56',
      },
    );
  }
  const mismatch = (field: string, en: string, ar: string) =>
    new IssueError('REFERENCE_MISMATCH', `${field}: ${en}`, { field, messageAr: ar, rule: 'BR-KSA-56' });
  if (original.original_document_id)
    throw mismatch(
      'billingReference.invoiceId',
      `${ref.invoiceId} is itself a note; reference the original invoice`,
      `${ref.invoiceId} إشعار؛ أشر إلى الفاتورة الأصلية`,
    );
  if (ref.uuid !== undefined && ref.uuid !== original.uuid)
    throw mismatch(
      'billingReference.uuid',
      `does not match document ${ref.invoiceId} (its UUID is ${original.uuid})`,
      `المعرف لا يطابق المستند ${ref.invoiceId}`,
    );
  if (original.kind !== inv.kind)
    throw mismatch(
      'kind',
      `a note has the kind of the document it corrects (${original.kind})`,
      `يجب أن يكون الإشعار من نوع المستند الأصلي (${original.kind})`,
    );
  if (original.currency !== inv.currency)
    throw mismatch(
      'currency',
      `a note is in the currency of the document it corrects (${original.currency})`,
      `يجب أن يكون الإشعار بعملة المستند الأصلي (${original.currency})`,
    );
  await refuseRejectedOriginal(trx, original, inv.documentType, ref.invoiceId);
  if (inv.documentType === 'creditNote') await refuseCreditBeyondOriginal(trx, taxpayerId, original, inv, batch);
  return { originalId: original.id, originalNumber: original.number };
}

/**
 * A document ZATCA rejected is not a tax invoice and was never output VAT: it is corrected by a new
 * document, not by a note. ZATCA's answer on its developer community ("Submit Rejected Invoices",
 * zatca1.discourse.group): credit notes are not issued for rejected invoices — fix the error and
 * issue the document again with a new UUID, ICV and PIH. A note against it would subtract (or add)
 * VAT of a sale the return never counted. An original still waiting for ZATCA's answer may be
 * corrected; if it is rejected later, `report reconcile` lists the note (`original-rejected`).
 */
async function refuseRejectedOriginal(trx: Kysely<Database>, original: Known, type: string, number: string): Promise<void> {
  if ((await submissions.findSubmission(trx, original.id))?.state !== 'rejected') return;
  const note = type === 'creditNote' ? 'credit note' : 'debit note';
  throw new IssueError(
    'REFERENCE_REJECTED',
    `billingReference.invoiceId: ZATCA rejected ${number}, so it is not a tax invoice and never counted as output VAT; a ${note} cannot correct it — issue the corrected document as a new invoice (new UUID, next ICV) and reference that one`,
    {
      field: 'billingReference.invoiceId',
      messageAr: `رفضت الهيئة المستند ${number} فلا يُعد فاتورة ضريبية ولم يُحتسب في ضريبة المخرجات؛ لا يصحح بإشعار — أصدر المستند المصحح كفاتورة جديدة وأشر إليها`,
      rule: 'BR-KSA-56',
    },
  );
}

/** A credit note returns at most what remains of its original: its amount plus debits, less earlier credits (before VAT). */
async function refuseCreditBeyondOriginal(
  trx: Kysely<Database>,
  taxpayerId: string,
  original: Known,
  inv: ComputedInvoice,
  batch: readonly Known[],
): Promise<void> {
  const earlier = [...(await documents.notesAgainst(trx, taxpayerId, original.id)), ...batch.filter((d) => d.original_document_id === original.id)];
  const credited = earlier.filter((n) => n.document_type === 'creditNote').reduce((s, n) => s.plus(n.tax_exclusive_amount), dec(0));
  const debited = earlier.filter((n) => n.document_type === 'debitNote').reduce((s, n) => s.plus(n.tax_exclusive_amount), dec(0));
  const bound = dec(original.tax_exclusive_amount).plus(debited);
  const after = credited.plus(inv.totals.taxExclusiveAmount);
  if (after.greaterThan(bound)) {
    const number = inv.billingReference!.invoiceId;
    throw new IssueError(
      'NOTE_EXCEEDS_ORIGINAL',
      `this credit note (${inv.totals.taxExclusiveAmount} ${inv.currency} before VAT) would bring the credited total of ${number} to ${after.toFixed(2)}, more than its ${bound.toFixed(2)}; a credit note returns at most what remains`,
      {
        field: 'lines',
        messageAr: `إشعار الدائن هذا يجعل المبلغ المسترد من ${number} ‏${after.toFixed(2)} وهو أكثر من ${bound.toFixed(2)}`,
      },
    );
  }
}
