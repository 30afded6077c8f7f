// POST /compliance/invoices (docs/zatca-notes.md §A3.2): sample documents signed with the CCSID, each passing
// one compliance step required by the CSR's title.
import type { ZatcaOutcome } from './outcome.js';
import { parseComplianceInvoiceResponse } from './parse-bodies.js';
import type { SendOptions, ZatcaTransport } from './transport.js';
import type { AcceptLanguage, ComplianceInvoiceResponse, CsidCredentials, InvoiceSubmission } from './types.js';

export function submitComplianceInvoice(
  transport: ZatcaTransport,
  ccsid: CsidCredentials,
  submission: InvoiceSubmission,
  options: { language?: AcceptLanguage } = {},
): Promise<ZatcaOutcome<ComplianceInvoiceResponse>> {
  const send: SendOptions = { credentials: ccsid, body: submission };
  if (options.language) send.language = options.language;
  return transport.send('compliance-invoices', send, parseComplianceInvoiceResponse);
}
