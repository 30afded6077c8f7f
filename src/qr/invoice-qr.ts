// What ZATCA's QR carries for one stamped invoice (docs/zatca-notes.md §7): tags 1–5 are the XML texts verbatim,
// 6/7 the base64 texts of hash and signature, 8 the SPKI, 9 the CA's signature (simplified only).
import { decodeTlv, encodeTlv, MAX_QR_BASE64_LENGTH, QR_TAG_NAMES, type QrTags } from './tlv.js';
import { FawtaraError } from '../errors.js';

export interface QrInputs {
  sellerName: string;
  sellerVatNumber: string;
  /** IssueDate + 'T' + IssueTime, as written. */
  timestamp: string;
  /** LegalMonetaryTotal/PayableAmount text. */
  payableAmount: string;
  /** Text of the first TaxTotal's TaxAmount (our writer puts the SAR total without subtotals first). */
  taxTotalSar: string;
  invoiceHash: string;
  signatureValue: string;
  publicKeySpki: Buffer;
  /** Present on simplified documents only. */
  certificateSignature?: Buffer;
}

export function qrTagsFor(inputs: QrInputs): QrTags {
  const tags: QrTags = new Map([
    [1, Buffer.from(inputs.sellerName, 'utf8')],
    [2, Buffer.from(inputs.sellerVatNumber, 'utf8')],
    [3, Buffer.from(inputs.timestamp, 'utf8')],
    [4, Buffer.from(inputs.payableAmount, 'utf8')],
    [5, Buffer.from(inputs.taxTotalSar, 'utf8')],
    [6, Buffer.from(inputs.invoiceHash, 'latin1')],
    [7, Buffer.from(inputs.signatureValue, 'latin1')],
    [8, inputs.publicKeySpki],
  ]);
  if (inputs.certificateSignature) tags.set(9, inputs.certificateSignature);
  return tags;
}

/** The base64 QR text for an invoice; refuses values ZATCA's format cannot hold. */
export function buildQr(inputs: QrInputs): string {
  const qr = encodeTlv(qrTagsFor(inputs)).toString('base64');
  if (qr.length > MAX_QR_BASE64_LENGTH) {
    throw new FawtaraError(
      'QR_INVALID',
      `the QR is ${qr.length} base64 characters; BR-CL-KSA-14 allows at most ${MAX_QR_BASE64_LENGTH} — shorten the seller name`,
      {
        field: 'seller.name',
        rule: 'BR-CL-KSA-14',
        messageAr: `رمز QR أطول من ${MAX_QR_BASE64_LENGTH} حرفاً؛ يرجى تقصير اسم البائع`,
      },
    );
  }
  return qr;
}

export interface QrTagView {
  tag: number;
  name: string;
  /** Text tags as text; binary tags (8, 9) as base64. */
  value: string;
  encoding: 'utf8' | 'base64';
  length: number;
}

/** Human/JSON view of a QR payload. */
export function describeQr(base64: string): QrTagView[] {
  const { tags, order } = decodeTlv(base64);
  return order.map((tag) => {
    const v = tags.get(tag)!;
    const binary = tag === 8 || tag === 9 || tag > 9;
    return {
      tag,
      name: QR_TAG_NAMES[tag] ?? 'unknown',
      value: binary ? v.toString('base64') : v.toString('utf8'),
      encoding: binary ? 'base64' : 'utf8',
      length: v.length,
    };
  });
}
