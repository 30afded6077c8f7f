// The fully computed invoice: every amount final, as the 2-decimal text the XML carries, so the
// writer only concatenates and a reader (printer, report) sees exactly what ZATCA will see.
import type { DocumentType, InvoiceKind, TaxCategoryCode } from './codes.js';
import type { Buyer, InvoiceInput, Seller } from './schema.js';

export interface ComputedCategory {
  code: TaxCategoryCode;
  /** `15.00`, `5.00`, `0.00`. */
  rate: string;
}

export interface ComputedAllowanceCharge {
  chargeIndicator: boolean;
  reasonCode?: string;
  reason?: string;
  /** Percentage (MultiplierFactorNumeric), only when written with its base. */
  percent?: string;
  amount: string;
  baseAmount?: string;
}

export interface ComputedDocumentAllowanceCharge extends ComputedAllowanceCharge {
  category: ComputedCategory;
}

export interface ComputedLine {
  id: string;
  name: string;
  /** As given (up to 6 decimals). */
  quantity: string;
  unitCode: string;
  /** Net price per baseQuantity (BT-146), as written. */
  priceAmount: string;
  baseQuantity?: string;
  /** Price-level discount (BT-147) and gross price (BT-148), only in tax-exclusive mode. */
  priceDiscount?: { amount: string; baseAmount: string };
  allowanceCharges: ComputedAllowanceCharge[];
  /** Line net amount (BT-131). */
  lineExtensionAmount: string;
  /** Line VAT (KSA-11). */
  taxAmount: string;
  /** Line amount with VAT (KSA-12) = net + VAT (BR-KSA-51). */
  roundingAmount: string;
  category: ComputedCategory;
}

export interface ComputedPrepaymentLine {
  id: string;
  name: string;
  unitCode: string;
  invoiceId: string;
  invoiceUuid: string;
  issueDate: string;
  issueTime: string;
  taxableAmount: string;
  taxAmount: string;
  category: ComputedCategory;
  exemptionCode?: string;
  exemptionReason?: string;
}

export interface ComputedSubtotal {
  category: ComputedCategory;
  taxableAmount: string;
  taxAmount: string;
  exemptionCode?: string;
  exemptionReason?: string;
}

export interface ComputedTotals {
  lineExtensionAmount: string;
  allowanceTotalAmount: string;
  chargeTotalAmount: string;
  taxExclusiveAmount: string;
  /** VAT total in the document currency (BT-110) = Σ subtotals. */
  taxAmount: string;
  /** VAT total in SAR (BT-111), the TaxTotal without subtotals (QR tag 5). */
  taxAmountSar: string;
  taxInclusiveAmount: string;
  prepaidAmount: string;
  payableRoundingAmount: string;
  payableAmount: string;
}

export interface ComputedInvoice {
  id: string;
  uuid: string;
  documentType: DocumentType;
  /** BT-3: 388 / 381 / 383 / 386. */
  typeCode: string;
  kind: InvoiceKind;
  /** KSA-2 `InvoiceTypeCode/@name`, e.g. `0100000`. */
  transactionCode: string;
  issueDate: string;
  issueTime: string;
  icv: number;
  pih: string;
  currency: string;
  exchangeRate?: string;
  writeTaxExchangeRate: boolean;
  pricesIncludeVat: boolean;
  notes: Array<{ text: string; language?: string }>;
  orderReference?: string;
  contractReference?: string;
  billingReference?: { invoiceId: string; uuid?: string; issueDate?: string };
  seller: Seller;
  buyer?: Buyer;
  delivery?: { actualDate?: string; latestDate?: string };
  paymentMeans: Array<{ code: string; instructionNote?: string }>;
  allowanceCharges: ComputedDocumentAllowanceCharge[];
  lines: ComputedLine[];
  prepaymentLines: ComputedPrepaymentLine[];
  subtotals: ComputedSubtotal[];
  totals: ComputedTotals;
  /** The parsed input this was computed from. */
  input: InvoiceInput;
}
