// What a simulated environment received (docs/zatca-notes.md §A12.11 history): every processed submission, and
// the 208/409 answers to copies of an accepted document, kept for the control API and tests.
import type { ZatcaEndpoint } from '../zatca/types.js';
import type { SimEnvironment } from './environment.js';
import type { PipelineRun } from './env-shared.js';
import type { CsidRecord, SubmissionRecord } from './state.js';

// --- what the platform received (docs/zatca-notes.md §A12.11 history) ----------------------------------------

export function record(env: SimEnvironment, csid: CsidRecord, endpoint: ZatcaEndpoint, status: number, run: PipelineRun, clearedInvoice?: string): void {
  const f = run.facts;
  const entry: SubmissionRecord = {
    at: env.now().toISOString(),
    endpoint,
    egsId: csid.egsId,
    csidKind: csid.kind,
    httpStatus: status,
    uuid: f?.uuid ?? null,
    invoiceHash: run.computedHash ?? run.bodyHash ?? null,
    icv: f?.icv ?? null,
    pih: f?.pih ?? null,
    invoiceTypeCode: f?.invoiceTypeCode ?? null,
    invoiceTypeName: f?.invoiceTypeName ?? null,
    validationStatus: run.results.status,
    invoice: run.invoiceBase64 ?? null,
    ...(clearedInvoice !== undefined && { clearedInvoice }),
  };
  env.state.submissions.push(entry);
  // The chain (for the optional check) advances with every production document, rejected too.
  const egs = env.state.egs[csid.egsId];
  if (egs && endpoint !== 'compliance-invoices' && f) {
    if (f.icv !== null) egs.lastIcv = f.icv;
    if (run.computedHash) egs.lastInvoiceHash = run.computedHash;
  }
}

export function recordRaw(
  env: SimEnvironment,
  csid: CsidRecord,
  endpoint: ZatcaEndpoint,
  status: number,
  uuid: string | null,
  hash: string,
  invoice: string | null,
): void {
  env.state.submissions.push({
    at: env.now().toISOString(),
    endpoint,
    egsId: csid.egsId,
    csidKind: csid.kind,
    httpStatus: status,
    uuid,
    invoiceHash: hash,
    icv: null,
    pih: null,
    invoiceTypeCode: null,
    invoiceTypeName: null,
    validationStatus: 'ERROR',
    invoice,
  });
}
