// The few facts the gateway reads from an invoice before and around validation (type, seller VAT,
// ICV, PIH, UUID, embedded certificate), taken from the DOM without judging the document.
import type { Document } from '@xmldom/xmldom';
import { readChainFacts } from '../stamp/read.js';
import { findPath, NS, textOf } from '../xml/parse.js';

export interface SubmittedInvoiceFacts {
  uuid: string | null;
  invoiceTypeCode: string | null;
  /** KSA-2 `@name`, e.g. `0100000`. */
  invoiceTypeName: string | null;
  simplified: boolean;
  standard: boolean;
  sellerVat: string | null;
  icv: number | null;
  pih: string | null;
  /** base64 DER text of `ds:X509Certificate`, if the document is signed. */
  embeddedCertificate: string | null;
  /** The compliance step this document can pass (docs/zatca-notes.md §A4.2), or null. */
  complianceStep: string | null;
}

export const COMPLIANCE_STEPS = [
  'standard-compliant',
  'standard-credit-note-compliant',
  'standard-debit-note-compliant',
  'simplified-compliant',
  'simplified-credit-note-compliant',
  'simplified-debit-note-compliant',
] as const;

/** Steps each CSR `title` requires (docs/zatca-notes.md §A4.2), in ZATCA's canonical order. */
export function requiredStepsFor(title: string): string[] {
  const standard = title[0] === '1';
  const simplified = title[1] === '1';
  return COMPLIANCE_STEPS.filter((s) => (s.startsWith('standard') ? standard : simplified));
}

export function readInvoiceFacts(doc: Document): SubmittedInvoiceFacts {
  const root = doc.documentElement!;
  const typeEl = findPath(root, 'cbc:InvoiceTypeCode');
  const code = textOf(typeEl)?.trim() ?? null;
  const name = typeEl?.getAttribute('name') ?? null;
  const simplified = name?.startsWith('02') ?? false;
  const standard = name?.startsWith('01') ?? false;
  const chain = readChainFacts(doc);
  const certEl = doc.getElementsByTagNameNS(NS.ds, 'X509Certificate')[0];
  const kind = code === '388' ? '' : code === '381' ? '-credit-note' : code === '383' ? '-debit-note' : null;
  const complianceStep = kind === null || (!simplified && !standard) ? null : `${simplified ? 'simplified' : 'standard'}${kind}-compliant`;
  return {
    uuid: chain.uuid,
    invoiceTypeCode: code,
    invoiceTypeName: name,
    simplified,
    standard,
    sellerVat: textOf(findPath(root, 'cac:AccountingSupplierParty/cac:Party/cac:PartyTaxScheme/cbc:CompanyID'))?.trim() ?? null,
    icv: chain.icv,
    pih: chain.pih,
    embeddedCertificate: certEl ? (certEl.textContent ?? '').replace(/\s+/g, '') : null,
    complianceStep,
  };
}
