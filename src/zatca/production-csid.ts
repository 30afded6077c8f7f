// POST /production/csids (docs/zatca-notes.md §A3.3): promote a compliance CSID whose steps are all done to a
// production CSID; `compliance_request_id` is the CCSID's requestID, sent as a string.
import type { ZatcaOutcome } from './outcome.js';
import { parseCsidResponse } from './parse-bodies.js';
import type { ZatcaTransport } from './transport.js';
import type { CsidCredentials, CsidResponse } from './types.js';

export function requestProductionCsid(
  transport: ZatcaTransport,
  ccsid: CsidCredentials,
  complianceRequestId: number | string,
): Promise<ZatcaOutcome<CsidResponse>> {
  return transport.send('production-csid', { credentials: ccsid, body: { compliance_request_id: String(complianceRequestId) } }, parseCsidResponse);
}
