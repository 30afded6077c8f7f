// Corrections that lean on a document ZATCA rejected: a note whose original was rejected after the
// note was issued, a final invoice deducting a rejected prepayment invoice — found for reconciliation.
import type { Kysely } from 'kysely';
import type { PrepaidLine } from '../issuing/index.js';
import type { Database } from '../store/index.js';
import { rejectedDocuments, type PeriodDocument } from './queries.js';

export interface RejectedReference {
  reason: 'original-rejected' | 'prepayment-rejected';
  message: string;
  messageAr: string;
}

/**
 * Per document of the period (by id): why it corrects or deducts something ZATCA rejected. A rejected
 * document never counted as output VAT, so a note against it (or a deduction of it) changes the
 * return by VAT that was never declared. Issuing refuses both once the rejection is known; these
 * are the ones issued while the referenced document was still waiting for ZATCA's answer.
 */
export async function rejectedReferences(db: Kysely<Database>, taxpayerId: string, docs: readonly PeriodDocument[]): Promise<Map<string, RejectedReference>> {
  const out = new Map<string, RejectedReference>();
  const live = docs.filter((d) => d.state !== 'rejected');
  const notes = live.filter((d) => d.original_document_id !== null);
  const originals = new Map(
    (
      await rejectedDocuments(
        db,
        taxpayerId,
        'id',
        notes.map((d) => d.original_document_id!),
      )
    ).map((r) => [r.id, r]),
  );
  for (const d of notes) {
    const o = originals.get(d.original_document_id!);
    if (!o) continue;
    const note = d.document_type === 'creditNote' ? 'credit note' : 'debit note';
    out.set(d.id, {
      reason: 'original-rejected',
      message: `${d.number} is a ${note} against ${o.number}, which ZATCA rejected: the original never counted as output VAT, so this note changes the return by VAT never declared; issue the corrected document as a new invoice, and settle this note against it with your auditor`,
      messageAr: `${d.number} إشعار على المستند ${o.number} الذي رفضته الهيئة: لم يُحتسب الأصل في ضريبة المخرجات فيغيّر هذا الإشعار الإقرار بضريبة لم يُصرّح بها؛ أصدر المستند المصحح كفاتورة جديدة وسوِّ هذا الإشعار مقابلها`,
    });
  }
  const deducting = live.map((d) => ({ d, prepaid: JSON.parse(d.prepaid_breakdown) as PrepaidLine[] })).filter((x) => x.prepaid.length > 0);
  const advances = new Map(
    (
      await rejectedDocuments(
        db,
        taxpayerId,
        'uuid',
        deducting.flatMap((x) => x.prepaid.map((p) => p.invoiceUuid)),
      )
    ).map((r) => [r.uuid, r]),
  );
  for (const { d, prepaid } of deducting) {
    const rejected = prepaid.map((p) => advances.get(p.invoiceUuid)).find((r) => r !== undefined);
    if (!rejected || out.has(d.id)) continue;
    out.set(d.id, {
      reason: 'prepayment-rejected',
      message: `${d.number} deducts the prepayment invoice ${rejected.number}, which ZATCA rejected: its VAT was never declared, so the deduction lowers the return by VAT never counted; issue the corrected prepayment invoice, or settle the difference with your auditor`,
      messageAr: `${d.number} يخصم فاتورة الدفعة المقدمة ${rejected.number} التي رفضتها الهيئة: لم يُصرّح بضريبتها فيُنقص الخصم الإقرار بضريبة لم تُحتسب؛ أصدر فاتورة الدفعة المقدمة المصححة أو سوِّ الفرق مع مراجعك`,
    });
  }
  return out;
}
