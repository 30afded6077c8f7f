// Verification of a stamped invoice the way ZATCA's SDK judges it (docs/zatca-notes.md §5–§7, §9): invoice hash,
// SignedProperties and certificate digests, issuer/serial, ECDSA signature, QR tag by tag, PIH format.
import type { Document } from '@xmldom/xmldom';
import type { SigningCertificate } from '../crypto/certificate.js';
import { invoiceHashOfDocument } from '../crypto/hash.js';
import { INITIAL_PIH } from '../model/chain.js';
import { findPath, parseInvoiceXml, textOf } from '../xml/parse.js';
import { findSignatures, readAttachment, readQrSources } from './read.js';
import { checkSignatureLayer } from './verify-signature.js';
import { checkQr, isStrictBase64 } from './verify-qr.js';

export type CheckLayer = 'SIGNATURE' | 'QR' | 'PIH';
export type CheckStatus = 'pass' | 'fail' | 'warn' | 'skip';

export interface Check {
  layer: CheckLayer;
  /** Stable id of the check, e.g. `invoice-hash`, `qr-tag-4`. */
  id: string;
  status: CheckStatus;
  /** ZATCA's code for the failure where the SDK has one (e.g. `invalid-invoice-hash`, `QRCODE_INVALID`). */
  code?: string;
  message: string;
  messageAr?: string;
  expected?: string;
  actual?: string;
}

export interface VerifyOptions {
  /** Expected PIH (the SDK's pih.txt comparison, KSA-13). */
  pih?: string;
  /** The certificate the invoice must be signed with (the SDK's configured cert.pem). */
  certificate?: string | SigningCertificate;
  source?: string;
}

export interface VerifyResult {
  ok: boolean;
  /** Recomputed invoice hash (base64). */
  invoiceHash: string;
  checks: Check[];
}

export function verifyInvoice(xml: string | Uint8Array | Document, options: VerifyOptions = {}): VerifyResult {
  const doc = typeof xml === 'string' || xml instanceof Uint8Array ? parseInvoiceXml(xml, { source: options.source, readOnly: true }) : xml;
  const checks: Check[] = [];
  const add = (c: Check): void => void checks.push(c);
  const hash = invoiceHashOfDocument(doc);
  const sources = readQrSources(doc);
  const signatures = findSignatures(doc);
  const { certificate, signatureValue } = checkSignatureLayer(signatures, sources.simplified, hash, options.certificate, add);

  // --- QR --------------------------------------------------------------------------------------
  const qr = readAttachment(doc, 'QR');
  if (!qr) {
    add(
      sources.simplified
        ? {
            layer: 'QR',
            id: 'qr-present',
            status: 'fail',
            code: 'QRCODE_INVALID',
            message: 'a simplified invoice must carry the QR (AdditionalDocumentReference QR)',
            messageAr: 'الفاتورة المبسطة يجب أن تحمل رمز QR',
          }
        : { layer: 'QR', id: 'qr-present', status: 'skip', message: 'no QR (ZATCA adds it to standard invoices at clearance)' },
    );
  } else {
    const taxInclusive = textOf(findPath(doc.documentElement!, 'cac:LegalMonetaryTotal/cbc:TaxInclusiveAmount'));
    checkQr(qr.text, { sources, signed: signatures.length > 0, hash: hash.base64, signatureValue, certificate, taxInclusive, add });
  }

  checkPih(readAttachment(doc, 'PIH')?.text.trim(), options.pih, add);
  return { ok: checks.every((c) => c.status !== 'fail'), invoiceHash: hash.base64, checks };
}

/** The PIH layer: present, base64 of a SHA-256 hash (or the initial PIH), and the expected one when given. */
function checkPih(pih: string | undefined, expectedPih: string | undefined, add: (c: Check) => void): void {
  if (!pih) {
    add({
      layer: 'PIH',
      id: 'pih-present',
      status: 'fail',
      code: 'KSA-13',
      message: 'the invoice has no PIH (previous invoice hash) reference',
      messageAr: 'الفاتورة لا تحتوي على تجزئة الفاتورة السابقة',
    });
  } else {
    const raw = isStrictBase64(pih) ? Buffer.from(pih, 'base64') : undefined;
    add(
      pih === INITIAL_PIH || raw?.length === 32
        ? {
            layer: 'PIH',
            id: 'pih-format',
            status: 'pass',
            message: pih === INITIAL_PIH ? 'PIH is the initial value (first document of the unit)' : 'PIH is a base64 SHA-256 hash',
          }
        : raw
          ? {
              layer: 'PIH',
              id: 'pih-format',
              status: 'warn',
              message: `PIH decodes to ${raw.length} bytes; a previous invoice hash is base64 of 32 bytes (only the initial PIH is base64 of a hex string)`,
            }
          : {
              layer: 'PIH',
              id: 'pih-format',
              status: 'fail',
              code: 'KSA-13',
              message: 'PIH is not base64: neither a SHA-256 invoice hash nor the initial PIH',
              messageAr: 'تجزئة الفاتورة السابقة ليست بالصيغة الصحيحة',
            },
    );
    if (expectedPih !== undefined) {
      add(
        expectedPih.trim() === pih
          ? { layer: 'PIH', id: 'pih-expected', status: 'pass', message: 'PIH equals the expected previous invoice hash' }
          : {
              layer: 'PIH',
              id: 'pih-expected',
              status: 'fail',
              code: 'KSA-13',
              message: 'PIH is inValid: it is not the hash of the previous invoice of this unit',
              messageAr: 'تجزئة الفاتورة السابقة غير صحيحة',
              expected: expectedPih.trim(),
              actual: pih,
            },
      );
    }
  }
}
