// The sample documents a unit submits during compliance checks (docs/zatca-notes.md §A4.2): which steps its title
// requires, and each step's document in our invoice JSON, issued by the unit's own taxpayer/branch.
import { randomUUID } from 'node:crypto';
import { issueDateTime } from '../model/ksa-time.js';
import type { Branch, EgsUnit, Taxpayer } from '../store/index.js';
import { INITIAL_PIH } from '../model/chain.js';

export type ComplianceStep =
  | 'standard-compliant'
  | 'standard-credit-note-compliant'
  | 'standard-debit-note-compliant'
  | 'simplified-compliant'
  | 'simplified-credit-note-compliant'
  | 'simplified-debit-note-compliant';

interface StepDocument {
  step: ComplianceStep;
  kind: 'standard' | 'simplified';
  documentType: 'invoice' | 'creditNote' | 'debitNote';
}

/** In ZATCA's canonical order (the order of its Missing-ComplianceSteps message). */
export const COMPLIANCE_STEPS: readonly StepDocument[] = [
  { step: 'standard-compliant', kind: 'standard', documentType: 'invoice' },
  { step: 'standard-credit-note-compliant', kind: 'standard', documentType: 'creditNote' },
  { step: 'standard-debit-note-compliant', kind: 'standard', documentType: 'debitNote' },
  { step: 'simplified-compliant', kind: 'simplified', documentType: 'invoice' },
  { step: 'simplified-credit-note-compliant', kind: 'simplified', documentType: 'creditNote' },
  { step: 'simplified-debit-note-compliant', kind: 'simplified', documentType: 'debitNote' },
];

/** Steps a title requires: T (1st flag) the three standard ones, S (2nd) the three simplified. */
export function requiredSteps(title: string): StepDocument[] {
  return COMPLIANCE_STEPS.filter((s) => (s.kind === 'standard' ? title[0] === '1' : title[1] === '1'));
}

const SAMPLE_BUYER = {
  name: { ar: 'شركة نماذج فاتورة المحدودة', en: 'Fatoora Samples LTD' },
  address: {
    street: { ar: 'صلاح الدين', en: 'Salah Al-Din' },
    buildingNumber: '1111',
    district: { ar: 'المروج', en: 'Al-Murooj' },
    city: { ar: 'الرياض', en: 'Riyadh' },
    postalCode: '12222',
    country: 'SA',
  },
};

/**
 * The invoice JSON (docs/invoice-json.md) for one compliance step. `sequence` numbers the sample
 * chain of this CCSID (its ICV); `pih` is the previous sample's hash. Date and time are the clock's, in KSA local time as issuing writes them.
 */
export function complianceDocumentJson(
  step: StepDocument,
  ctx: { taxpayer: Taxpayer; branch: Branch; unit: EgsUnit; now: Date; sequence: number; pih?: string },
): Record<string, unknown> {
  const { taxpayer, branch, unit, now } = ctx;
  // KSA local time, as issuing writes it: ZATCA's rules read issue times that way (BR-KSA-04).
  const { issueDate, issueTime } = issueDateTime(now);
  // The buyer must not be the seller (BR-KSA-44); the sample buyer's number is swapped if it is.
  const buyerVat = taxpayer.vat_number === '399999999800003' ? '399999999700003' : '399999999800003';
  const json: Record<string, unknown> = {
    id: `CMP-${unit.name}-${ctx.sequence}`.slice(0, 127),
    uuid: randomUUID(),
    kind: step.kind,
    issueDate,
    issueTime,
    icv: ctx.sequence,
    pih: ctx.pih ?? INITIAL_PIH,
    seller: {
      name: taxpayer.name_en ? { ar: taxpayer.name_ar, en: taxpayer.name_en } : taxpayer.name_ar,
      vatNumber: taxpayer.vat_number,
      identification: { scheme: 'CRN', value: branch.crn },
      address: {
        street: branch.street,
        buildingNumber: branch.building_number,
        district: branch.district,
        city: branch.city,
        postalCode: branch.postal_code,
        country: 'SA',
      },
    },
    delivery: { actualDate: issueDate },
    paymentMeans: [{ code: '10' }],
    lines: [{ name: 'Compliance sample | عينة امتثال', quantity: '2.000000', unitPrice: '10.00' }],
  };
  if (step.kind === 'standard') json.buyer = { ...SAMPLE_BUYER, vatNumber: buyerVat };
  if (step.documentType !== 'invoice') {
    json.documentType = step.documentType;
    json.billingReference = { invoiceId: `CMP-${unit.name}-1`.slice(0, 127) };
    json.reason = step.documentType === 'creditNote' ? 'Goods returned | إرجاع السلع' : 'Price adjustment agreed with the buyer | تعديل السعر المتفق عليه';
  }
  return json;
}
