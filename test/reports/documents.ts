// Invoice JSON for the VAT-return tests: prepayment invoices (386) and final invoices deducting them
// (the structure of ZATCA's "Advance Payment adjustments" samples), and lines in any VAT category.
import { issueDocument, type IssueResult } from '../../src/issuing/index.js';
import { documents, type Branch } from '../../src/store/index.js';
import type { IssuingFleet } from '../issuing/helpers.js';
import { saleJson } from '../issuing/helpers.js';

export type Category = { code: 'S' | 'Z' | 'E' | 'O'; rate?: string; exemptionCode?: string; exemptionReason?: string };

export interface DocOptions {
  number: string;
  kind?: 'simplified' | 'standard';
  branch?: Branch;
  currency?: { code: string; rate: string };
  lines: Array<{ price: string; quantity?: string; category?: Category }>;
  /** Prepayment invoice (386). */
  prepayment?: boolean;
  /** Final invoice: the prepayments it deducts. */
  deducts?: Array<{ advance: IssueResult; taxable: string; vat: string; category?: Category }>;
  note?: { type: 'creditNote' | 'debitNote'; of: string };
}

/** A document's JSON; a deduction reads the prepayment invoice's issue date and time from the store. */
export async function documentJson(f: IssuingFleet, o: DocOptions): Promise<Record<string, unknown>> {
  const json = saleJson(f.taxpayer, o.branch ?? f.branch, {
    number: o.number,
    ...(o.kind && { kind: o.kind }),
    ...(o.currency && { currency: o.currency }),
    ...(o.note && { note: o.note }),
  });
  json.lines = o.lines.map((l, i) => ({
    name: `${o.prepayment ? 'Advance payment | دفعة مقدمة' : `صنف ${i + 1} | Item ${i + 1}`}`,
    quantity: l.quantity ?? '1',
    unitPrice: l.price,
    taxCategory: l.category ?? { code: 'S' },
  }));
  if (o.prepayment) json.documentType = 'prepayment';
  if (o.deducts) {
    json.prepaymentAdjustments = await Promise.all(
      o.deducts.map(async (d) => {
        const adv = (await documents.findById(f.ctx.store.db, d.advance.id))!;
        return {
          name: 'Advance received | دفعة مقدمة مستلمة',
          invoiceId: adv.number,
          invoiceUuid: adv.uuid,
          issueDate: adv.issue_date,
          issueTime: adv.issue_time,
          taxableAmount: d.taxable,
          vatAmount: d.vat,
          taxCategory: d.category ?? { code: 'S' },
        };
      }),
    );
  }
  return json;
}

export async function issue(f: IssuingFleet, unit: string, o: DocOptions): Promise<IssueResult> {
  return issueDocument(f.ctx, f.taxpayer, unit, await documentJson(f, o), { clearance: 'queue' });
}
