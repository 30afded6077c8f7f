// The contract between the UBL writer and the stamper: an invoice written in canonical form and
// split where the stamp goes, so the bytes hashed are exactly the bytes stored (docs/zatca-notes.md §5, §6.4).

/**
 * An invoice as the writer emits it, before the stamp. Every piece is already in C14N form
 * (attributes in canonical order, no self-closing tags, C14N escaping, LF line ends), so hashing
 * the concatenated text equals hashing the canonicalized document.
 *
 * The stamped document is assembled as:
 *
 *   XML_DECLARATION + rootStart
 *   + <ext:UBLExtensions>…</ext:UBLExtensions>                  (excluded from the hash)
 *   + head                                                      (ProfileID … PIH reference)
 *   + <cac:AdditionalDocumentReference> QR                       (excluded from the hash)
 *   + <cac:Signature>…</cac:Signature>                           (excluded from the hash)
 *   + tail                                                      (AccountingSupplierParty … </Invoice>)
 *
 * and the unsigned document (what `build` writes) is XML_DECLARATION + rootStart + head + tail.
 * The stamp elements bring no whitespace of their own, so both hash alike (docs/zatca-notes.md §5: the text
 * around removed elements stays in the hashed document).
 */
export interface UnsignedInvoice {
  /** `<Invoice xmlns="…" xmlns:cac="…" xmlns:cbc="…" xmlns:ext="…">` */
  rootStart: string;
  /** `cbc:ProfileID` through the PIH `cac:AdditionalDocumentReference`, with the whitespace before it. */
  head: string;
  /** The whitespace before `cac:AccountingSupplierParty`, through `</Invoice>`. */
  tail: string;
  /** One level of indentation (four spaces in our writer, as in the SDK samples). */
  indent: string;
  /** Texts exactly as written in the XML, for the QR (docs/zatca-notes.md §7) and the API request. */
  facts: InvoiceFacts;
}

export interface InvoiceFacts {
  /** cbc:ID (BT-1). */
  id: string;
  /** cbc:UUID (KSA-1). */
  uuid: string;
  /** true for `02…` (simplified, reported) documents: QR tag 9 and a mandatory stamp. */
  simplified: boolean;
  /** cbc:IssueDate text. */
  issueDate: string;
  /** cbc:IssueTime text. */
  issueTime: string;
  /** Seller RegistrationName text (QR tag 1). */
  sellerName: string;
  /** Seller VAT number text (QR tag 2). */
  sellerVatNumber: string;
  /** LegalMonetaryTotal/PayableAmount text (QR tag 4). */
  payableAmount: string;
  /** Text of the TaxTotal without subtotals, in SAR (QR tag 5). */
  taxTotalSar: string;
  /** ICV written in the document. */
  icv: number;
  /** PIH written in the document. */
  pih: string;
}

export const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';

/** The unsigned document text (what `fawtara build` writes). */
export function unsignedXml(doc: UnsignedInvoice): string {
  return XML_DECLARATION + doc.rootStart + doc.head + doc.tail;
}
