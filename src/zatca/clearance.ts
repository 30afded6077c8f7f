// POST /invoices/clearance/single (spec §3.6): clear a standard document; on success ZATCA returns
// the legal, stamped XML as `clearedInvoice`, which is what the buyer receives.
import type { ZatcaOutcome } from './outcome.js';
import { parseClearanceResponse } from './parse-bodies.js';
import type { SendOptions, ZatcaTransport } from './transport.js';
import type { AcceptLanguage, ClearanceResponse, CsidCredentials, InvoiceSubmission } from './types.js';

export function clearInvoice(
  transport: ZatcaTransport,
  pcsid: CsidCredentials,
  submission: InvoiceSubmission,
  options: { language?: AcceptLanguage; clearanceStatus?: '0' | '1' } = {},
): Promise<ZatcaOutcome<ClearanceResponse>> {
  const send: SendOptions = { credentials: pcsid, clearanceStatus: options.clearanceStatus ?? '1', body: submission };
  if (options.language) send.language = options.language;
  return transport.send('clearance', send, parseClearanceResponse);
}

/** The cleared XML bytes of a successful (200/202/208) clearance, or null. */
export function clearedXmlOf(outcome: ZatcaOutcome<ClearanceResponse>): Buffer | null {
  const b64 = outcome.ok ? outcome.body?.clearedInvoice : null;
  return b64 ? Buffer.from(b64, 'base64') : null;
}
