// POST /invoices/clearance/single (docs/zatca-notes.md §A3.6): clear a standard document; on success ZATCA returns
// the legal, stamped XML as `clearedInvoice`, which is what the buyer receives.
import { parseInvoiceXml } from '../xml/parse.js';
import { personMessage, type ZatcaOutcome } from './outcome.js';
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
  return transport.send('clearance', send, parseClearanceResponse).then(requireClearedDocument);
}

/**
 * On clearance "accepted" means ZATCA handed back the cleared XML — what the buyer may receive. A 200,
 * 202, 208 or 409 without a readable one (409 NOT_CLEARED with `clearedInvoice: null`, a 208 whose
 * copy is missing or not an invoice) becomes `cleared-document-missing`: not ok, not retryable.
 */
function requireClearedDocument(outcome: ZatcaOutcome<ClearanceResponse>): ZatcaOutcome<ClearanceResponse> {
  if (!outcome.ok || clearedXmlOf(outcome)) return outcome;
  const message = personMessage('cleared-document-missing', outcome.httpStatus, outcome.errors[0] ?? outcome.warnings[0]);
  return { ...outcome, kind: 'cleared-document-missing', ok: false, retryable: false, message };
}

/** The cleared XML bytes of a successful (200/202/208) clearance, or null when absent or not an invoice. */
export function clearedXmlOf(outcome: ZatcaOutcome<ClearanceResponse>): Buffer | null {
  const b64 = outcome.ok ? outcome.body?.clearedInvoice : null;
  if (!b64 || !/^[A-Za-z0-9+/\r\n]+={0,2}\s*$/.test(b64)) return null;
  const bytes = Buffer.from(b64, 'base64');
  // A readable cleared document is a well-formed UBL Invoice; anything else is no cleared copy.
  try {
    parseInvoiceXml(bytes);
    return bytes;
  } catch {
    return null;
  }
}
