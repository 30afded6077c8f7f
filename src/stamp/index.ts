// Stamping and verification of ZATCA invoices: the public face of hash, XAdES signature and QR.
// Services and the CLI import from here rather than from the individual modules.
export { stampInvoice, stampInvoiceAsync, stampHashed, unsignedInvoiceHash, bindSignerToCertificate, type StampOptions, type StampedInvoice } from './stamp.js';
export { signInvoiceXml, type SignXmlOptions } from './sign-xml.js';
export { verifyInvoice, type Check, type VerifyOptions, type VerifyResult } from './verify.js';
export { invoiceHashOf, invoiceHashOfDocument } from '../crypto/hash.js';
export { apiRequestOf, type InvoiceApiRequest } from './api-request.js';
