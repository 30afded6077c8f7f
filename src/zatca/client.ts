// The ZATCA client a service holds: the six endpoints bound to one transport (one environment,
// one language, one timeout), so callers never assemble URLs or headers themselves.
import { clearInvoice, clearedXmlOf } from './clearance.js';
import { requestComplianceCsid, type ComplianceCsidRequest } from './compliance-csid.js';
import { submitComplianceInvoice } from './compliance-invoices.js';
import { requestProductionCsid } from './production-csid.js';
import { renewProductionCsid, type RenewalRequest } from './renew-production-csid.js';
import { reportInvoice } from './reporting.js';
import { ZatcaTransport, type TransportOptions } from './transport.js';
import type { AcceptLanguage, CsidCredentials, InvoiceSubmission } from './types.js';

export type ZatcaClient = ReturnType<typeof createZatcaClient>;

export function createZatcaClient(options: TransportOptions) {
  const transport = new ZatcaTransport(options);
  return {
    transport,
    baseUrl: transport.baseUrl,
    requestComplianceCsid: (request: ComplianceCsidRequest) => requestComplianceCsid(transport, request),
    submitComplianceInvoice: (ccsid: CsidCredentials, submission: InvoiceSubmission, opts?: { language?: AcceptLanguage }) =>
      submitComplianceInvoice(transport, ccsid, submission, opts),
    requestProductionCsid: (ccsid: CsidCredentials, complianceRequestId: number | string) => requestProductionCsid(transport, ccsid, complianceRequestId),
    renewProductionCsid: (pcsid: CsidCredentials, request: RenewalRequest) => renewProductionCsid(transport, pcsid, request),
    reportInvoice: (pcsid: CsidCredentials, submission: InvoiceSubmission, opts?: { language?: AcceptLanguage }) =>
      reportInvoice(transport, pcsid, submission, opts),
    clearInvoice: (pcsid: CsidCredentials, submission: InvoiceSubmission, opts?: { language?: AcceptLanguage; clearanceStatus?: '0' | '1' }) =>
      clearInvoice(transport, pcsid, submission, opts),
    clearedXmlOf,
  };
}

/** Build the API body for an invoice from its exact bytes (never re-serialised, policy). */
export function invoiceSubmission(xmlBytes: Uint8Array | string, invoiceHash: string, uuid: string): InvoiceSubmission {
  const bytes = typeof xmlBytes === 'string' ? Buffer.from(xmlBytes, 'utf8') : Buffer.from(xmlBytes);
  return { invoiceHash, uuid, invoice: bytes.toString('base64') };
}
