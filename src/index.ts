// Fawtara's library API: everything a POS, ERP or service needs to build, stamp, verify and
// request-wrap ZATCA invoices, with types. Heavy optional parts (QR images) load on demand.
export { FawtaraError, isFawtaraError, type ErrorCode, type ErrorDetails } from './errors.js';

// Build: JSON → computed invoice → canonical UBL.
export { buildInvoice } from './ubl/writer.js';
export * from './model/index.js';
export { INITIAL_PIH } from './model/chain.js';
export { unsignedXml, XML_DECLARATION, type UnsignedInvoice, type InvoiceFacts } from './ubl/document.js';

// Stamp, hash, verify.
export {
  stampInvoice,
  signInvoiceXml,
  verifyInvoice,
  invoiceHashOf,
  invoiceHashOfDocument,
  apiRequestOf,
  type StampOptions,
  type StampedInvoice,
  type SignXmlOptions,
  type VerifyOptions,
  type VerifyResult,
  type Check,
  type InvoiceApiRequest,
} from './stamp/index.js';

// QR.
export { buildQr, describeQr, qrTagsFor, type QrInputs, type QrTagView } from './qr/invoice-qr.js';
export { encodeTlv, decodeTlv } from './qr/tlv.js';
export async function qrImage(base64Qr: string, format: 'png' | 'svg' = 'png'): Promise<Buffer | string> {
  const { qrPng, qrSvg } = await import('./qr/image.js');
  return format === 'png' ? qrPng(base64Qr) : qrSvg(base64Qr);
}

// Printouts (docs/render.md): PDF/A-3b or print HTML from the signed or cleared XML. pdfkit and the
// fonts load on first use — stamping never needs them; 'fawtara/render' has the synchronous function.
export type { RenderOptions, RenderedInvoice } from './render/index.js';
export async function renderInvoice(
  xml: string | Uint8Array,
  options?: import('./render/index.js').RenderOptions,
): Promise<import('./render/index.js').RenderedInvoice> {
  return (await import('./render/index.js')).renderInvoice(xml, options);
}

// Keys, certificates, signers, CSR.
export { generatePrivateKey, loadPrivateKey, exportPrivateKeyPem, exportPrivateKeyBareBase64, type LoadedPrivateKey } from './crypto/keys.js';
export { loadCertificate, type SigningCertificate } from './crypto/certificate.js';
export { createSigner, createVerifier, availableSignerBackends, type Signer, type SignerBackend } from './crypto/signer.js';
export { createCsr, parseCsr, CERTIFICATE_TEMPLATE_NAMES, type ZatcaEnvironment, type CreatedCsr } from './crypto/csr.js';
export type { ParsedCsr } from './crypto/csr-parsed.js';
export { parseCsrConfigProperties, parseCsrConfigJson, validateCsrConfig, type CsrConfig } from './crypto/csr-config.js';

// XML.
export { parseInvoiceXml, MAX_INVOICE_BYTES } from './xml/parse.js';

// Validation (fatoora -validate parity).
export { validateInvoice, formatReport, toValidationResults, type ValidationReport } from './rules/index.js';
