// POST /invoices/reporting/single (docs/zatca-notes.md §A3.5): report a signed simplified document (or a standard
// one while clearance is switched off). Clearance-Status 0, as integrators send it.
import type { ZatcaOutcome } from './outcome.js';
import { parseReportingResponse } from './parse-bodies.js';
import type { SendOptions, ZatcaTransport } from './transport.js';
import type { AcceptLanguage, CsidCredentials, InvoiceSubmission, ReportingResponse } from './types.js';

export function reportInvoice(
  transport: ZatcaTransport,
  pcsid: CsidCredentials,
  submission: InvoiceSubmission,
  options: { language?: AcceptLanguage } = {},
): Promise<ZatcaOutcome<ReportingResponse>> {
  const send: SendOptions = { credentials: pcsid, clearanceStatus: '0', body: submission };
  if (options.language) send.language = options.language;
  return transport.send('reporting', send, parseReportingResponse);
}
