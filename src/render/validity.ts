// Whether a document may be printed as a tax invoice: a ZATCA e-invoice (UBL Invoice, reporting:1.0,
// a KSA-2 type), signed, and passing verification (hash, signature, certificate digests, QR, PIH).
import type { Document } from '@xmldom/xmldom';
import { isFawtaraError } from '../errors.js';
import type { DocumentContent } from '../stamp/read.js';
import { findSignatures } from '../stamp/read.js';
import { verifyInvoice } from '../stamp/verify.js';
import { type Bi, PROBLEMS } from './labels.js';

const TYPE_CODES = new Set(['388', '381', '383', '386']);

/** The shape every ZATCA document has (BR-KSA-07 type name, profile `reporting:1.0`, KSA-1 UUID). */
export function isZatcaInvoice(c: DocumentContent): boolean {
  return c.profileId === 'reporting:1.0' && TYPE_CODES.has(c.typeCode ?? '') && /^0[12][01]{5}$/.test(c.typeName ?? '') && !!c.uuid;
}

/** Reasons the band names; empty for a signed ZATCA invoice that verifies. */
export function problemsOf(doc: Document, content: DocumentContent | undefined): Bi[] {
  if (!content || !isZatcaInvoice(content)) return [PROBLEMS.notInvoice];
  const problems: Bi[] = [];
  if (findSignatures(doc).length === 0) problems.push(PROBLEMS.unsigned);
  try {
    const failed = verifyInvoice(doc).checks.filter((c) => c.status === 'fail' && c.id !== 'signature-present');
    if (failed.length) problems.push(PROBLEMS.verification(failed.map((c) => c.code ?? c.id).join(', ')));
  } catch (error) {
    problems.push(PROBLEMS.verification(isFawtaraError(error) ? error.message : 'the document could not be verified'));
  }
  return problems;
}
