// Stamping: invoice hash, ECDSA signature, XAdES block, QR and final assembly of one invoice
// (docs/zatca-notes.md §5–§7, order of §6.4). The bytes hashed are the bytes returned; nothing is rebuilt after.
import type { SigningCertificate } from '../crypto/certificate.js';
import { hashCanonicalText, type InvoiceHash } from '../crypto/invoice-hash.js';
import { createVerifier, type Signer } from '../crypto/signer.js';
import { cacSignatureXml, formatSigningTime, qrReferenceXml, signedPropertiesHash, ublExtensionsXml } from '../crypto/xades.js';
import { FawtaraError } from '../errors.js';
import { buildQr } from '../qr/invoice-qr.js';
import { XML_DECLARATION, type InvoiceFacts, type UnsignedInvoice } from '../ubl/document.js';

export interface StampOptions {
  certificate: SigningCertificate;
  signer: Signer;
  /** Defaults to now; written in UTC (`YYYY-MM-DDTHH:MM:SS`). */
  signingTime?: Date;
  /**
   * After signing, re-hash the final text (cutting the excluded elements out of it afresh) and verify
   * the signature with the certificate's key before returning. On by default; turn off only where a
   * caller verifies the stored bytes itself.
   */
  selfCheck?: boolean;
  /**
   * The certificate is the developer-portal sandbox's canned one, which certifies another key
   * (docs/keys.md "Sandbox onboarding"): the key-match check is skipped and the self-check verifies
   * the signature with the signer's own key. Every other step is unchanged. Sandbox only.
   */
  sandboxCertificate?: boolean;
}

export interface StampedInvoice {
  /** The final document text: exactly what is stored and submitted. */
  xml: string;
  /** base64 SHA-256 invoice hash: the next document's PIH. */
  invoiceHash: string;
  signatureValue: string;
  /** base64 TLV QR text. */
  qr: string;
  signingTime: string;
  facts: InvoiceFacts;
}

export function bindSignerToCertificate(signer: Signer, certificate: SigningCertificate): void {
  if (!signer.publicKeySpki.equals(certificate.publicKeySpki)) {
    throw new FawtaraError('KEY_CERT_MISMATCH', 'the private key does not belong to the certificate: use the key the CSR of this certificate was made with', {
      field: 'key',
      messageAr: 'المفتاح الخاص لا يطابق الشهادة: استخدم المفتاح الذي أُنشئ به طلب توقيع هذه الشهادة',
    });
  }
}

/** Per certificate (or, for the sandbox's canned certificate, per signer): keys never change. */
const verifierCache = new WeakMap<{ publicKeySpki: Buffer }, ReturnType<typeof createVerifier>>();

export function stampInvoice(doc: UnsignedInvoice, options: StampOptions): StampedInvoice {
  const hash = hashOf(doc, options);
  return assemble(doc, options, hash, options.signer.sign(hash.bytes).toString('base64'));
}

/**
 * `stampInvoice` for a signer that signs off the event loop (a PKCS#11 token): the same hash, the
 * same signature input and the same assembly; the signature is awaited. Other signers stamp as above.
 */
export async function stampInvoiceAsync(doc: UnsignedInvoice, options: StampOptions): Promise<StampedInvoice> {
  if (!options.signer.signAsync) return stampInvoice(doc, options);
  const hash = hashOf(doc, options);
  return assemble(doc, options, hash, (await options.signer.signAsync(hash.bytes)).toString('base64'));
}

/**
 * The invoice hash alone, before any signature: it does not depend on the stamp (see hashOf), so a
 * unit's chain can be hashed in ICV order while the signatures are made elsewhere (a worker thread).
 */
export function unsignedInvoiceHash(doc: UnsignedInvoice): InvoiceHash {
  return hashCanonicalText([doc.rootStart, doc.head, doc.tail]);
}

/** `stampInvoice` with the hash made already (by `unsignedInvoiceHash`): sign, assemble, self-check. */
export function stampHashed(doc: UnsignedInvoice, options: StampOptions, hash: InvoiceHash): StampedInvoice {
  if (!options.sandboxCertificate) bindSignerToCertificate(options.signer, options.certificate);
  return assemble(doc, options, hash, options.signer.sign(hash.bytes).toString('base64'));
}

function hashOf(doc: UnsignedInvoice, options: StampOptions): InvoiceHash {
  if (!options.sandboxCertificate) bindSignerToCertificate(options.signer, options.certificate);
  // docs/zatca-notes.md §5: the hashed text is the final document minus the three stamp elements. They are inserted
  // with no whitespace of their own, so stamping never changes the invoice hash: the unsigned
  // document, the signed one and ZATCA's cleared one all hash alike.
  return unsignedInvoiceHash(doc);
}

function assemble(doc: UnsignedInvoice, options: StampOptions, hash: InvoiceHash, signatureValue: string): StampedInvoice {
  const { certificate } = options;
  const signingTime = formatSigningTime(options.signingTime ?? new Date());
  const sp = {
    signingTime,
    certDigest: certificate.certDigest,
    issuerName: certificate.issuerName,
    serialNumber: certificate.serialNumber,
  };
  const values = {
    ...sp,
    invoiceHash: hash.base64,
    signedPropertiesHash: signedPropertiesHash(sp, doc.indent, 1),
    signatureValue,
    certificateBase64: certificate.base64,
  };
  const f = doc.facts;
  const qr = buildQr({
    sellerName: f.sellerName,
    sellerVatNumber: f.sellerVatNumber,
    timestamp: `${f.issueDate}T${f.issueTime}`,
    payableAmount: f.payableAmount,
    taxTotalSar: f.taxTotalSar,
    invoiceHash: hash.base64,
    signatureValue,
    publicKeySpki: certificate.publicKeySpki,
    ...(f.simplified && { certificateSignature: certificate.signatureValue }),
  });
  const xml =
    XML_DECLARATION +
    doc.rootStart +
    ublExtensionsXml(values, doc.indent, 1) +
    doc.head +
    qrReferenceXml(qr, doc.indent, 1) +
    cacSignatureXml(doc.indent, 1) +
    doc.tail;

  const verifyingKey = options.sandboxCertificate ? options.signer : certificate;
  if (options.selfCheck !== false) selfCheck(xml, hash.base64, hash.bytes, signatureValue, verifyingKey);
  return { xml, invoiceHash: hash.base64, signatureValue, qr, signingTime, facts: f };
}

/** Cut the excluded elements out of the final text by searching it, re-hash, and verify the signature. */
function selfCheck(xml: string, expectedHash: string, hashBytes: Buffer, signatureValue: string, key: { publicKeySpki: Buffer }): void {
  const cut = (text: string, open: string, close: string, from = 0): string => {
    const a = text.indexOf(open, from);
    const b = a < 0 ? -1 : text.indexOf(close, a);
    if (a < 0 || b < 0) throw stampBroken(`${open} not found in the stamped document`);
    return text.slice(0, a) + text.slice(b + close.length);
  };
  let body = xml.slice(xml.indexOf('<Invoice'));
  body = cut(body, '<ext:UBLExtensions>', '</ext:UBLExtensions>');
  const qrId = body.indexOf('<cbc:ID>QR</cbc:ID>');
  body = cut(body, '<cac:AdditionalDocumentReference>', '</cac:AdditionalDocumentReference>', body.lastIndexOf('<cac:AdditionalDocumentReference>', qrId));
  body = cut(body, '<cac:Signature>', '</cac:Signature>');
  if (hashCanonicalText([body]).base64 !== expectedHash) throw stampBroken('the stamped document does not hash to the signed invoice hash');
  let verifier = verifierCache.get(key);
  if (!verifier) verifierCache.set(key, (verifier = createVerifier(key.publicKeySpki)));
  if (!verifier.verify(hashBytes, Buffer.from(signatureValue, 'base64'))) throw stampBroken('the signature does not verify with the certificate');
}

function stampBroken(why: string): FawtaraError {
  return new FawtaraError('SIGNATURE_INVALID', `stamping self-check failed: ${why}; the document was not issued`, {
    messageAr: 'فشل التحقق الذاتي بعد التوقيع؛ لم يتم إصدار المستند',
  });
}
