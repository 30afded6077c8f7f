// The body ZATCA's reporting, clearance and compliance-invoice APIs take for one invoice:
// `{ invoiceHash, uuid, invoice }` with the invoice as base64 of the exact stored bytes.
import { invoiceHashOfDocument } from '../crypto/hash.js';
import { FawtaraError } from '../errors.js';
import { firstChild, NS, parseInvoiceXml } from '../xml/parse.js';

export interface InvoiceApiRequest {
  invoiceHash: string;
  uuid: string;
  invoice: string;
}

export function apiRequestOf(xml: string | Uint8Array, source?: string): InvoiceApiRequest {
  const bytes = typeof xml === 'string' ? Buffer.from(xml, 'utf8') : Buffer.from(xml);
  const doc = parseInvoiceXml(bytes, { source });
  const uuid = firstChild(doc.documentElement!, NS.cbc, 'UUID')?.textContent?.trim();
  if (!uuid) {
    throw new FawtaraError('INVALID_XML', `${source ? source + ': ' : ''}the invoice has no cbc:UUID; ZATCA's API needs it`, {
      field: 'cbc:UUID',
      rule: 'BR-KSA-03',
      messageAr: 'الفاتورة لا تحتوي على المعرف cbc:UUID',
    });
  }
  return { invoiceHash: invoiceHashOfDocument(doc).base64, uuid, invoice: bytes.toString('base64') };
}
