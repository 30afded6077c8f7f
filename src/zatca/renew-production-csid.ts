// PATCH /production/csids (docs/zatca-notes.md §A3.4): renew with the current PCSID and a renewal OTP. A 200 is
// a new PCSID; a 428 (`renewal-needs-compliance`) is a renewed CCSID that must redo compliance.
import { encodeCsr } from './compliance-csid.js';
import type { ZatcaOutcome } from './outcome.js';
import { parseCsidResponse } from './parse-bodies.js';
import type { SendOptions, ZatcaTransport } from './transport.js';
import type { AcceptLanguage, CsidCredentials, CsidResponse } from './types.js';

export interface RenewalRequest {
  otp: string;
  csrPem: string;
  language?: AcceptLanguage;
}

export function renewProductionCsid(transport: ZatcaTransport, pcsid: CsidCredentials, request: RenewalRequest): Promise<ZatcaOutcome<CsidResponse>> {
  const send: SendOptions = { credentials: pcsid, otp: request.otp, body: { csr: encodeCsr(request.csrPem) } };
  if (request.language) send.language = request.language;
  return transport.send('renew-production-csid', send, parseCsidResponse);
}
