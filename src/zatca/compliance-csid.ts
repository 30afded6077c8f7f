// POST /compliance (docs/zatca-notes.md §A3.1): trade a portal OTP and the unit's CSR for a compliance CSID.
// No Basic auth here; the OTP is the only proof of who the taxpayer is.
import type { ZatcaOutcome } from './outcome.js';
import { parseCsidResponse } from './parse-bodies.js';
import type { ZatcaTransport } from './transport.js';
import type { CsidResponse } from './types.js';

export interface ComplianceCsidRequest {
  otp: string;
  /** The CSR as PEM text (with BEGIN/END lines); it is base64-encoded here as ZATCA expects. */
  csrPem: string;
}

/** The CSR body ZATCA wants: base64 of the whole PEM text (docs/zatca-notes.md §A3.1). */
export function encodeCsr(csrPem: string): string {
  return Buffer.from(csrPem, 'utf8').toString('base64');
}

export function requestComplianceCsid(transport: ZatcaTransport, request: ComplianceCsidRequest): Promise<ZatcaOutcome<CsidResponse>> {
  return transport.send('compliance-csid', { otp: request.otp, body: { csr: encodeCsr(request.csrPem) } }, parseCsidResponse);
}
