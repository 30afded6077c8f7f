// Narrowing of the gateway's JSON into each endpoint's result type, tolerant of the extra and
// null fields real responses carry (docs/zatca-notes.md §A2.5, §A3); shapes that do not fit become null.
import { readValidationResults } from './outcome.js';
import type { ClearanceResponse, ComplianceInvoiceResponse, CsidResponse, ReportingResponse } from './types.js';

function record(json: unknown): Record<string, unknown> | null {
  return json && typeof json === 'object' && !Array.isArray(json) ? (json as Record<string, unknown>) : null;
}

export function parseCsidResponse(json: unknown): CsidResponse | null {
  const b = record(json);
  if (!b || typeof b.binarySecurityToken !== 'string' || typeof b.secret !== 'string') return null;
  const requestID = typeof b.requestID === 'number' ? b.requestID : Number(b.requestID);
  return {
    requestID,
    dispositionMessage: String(b.dispositionMessage ?? ''),
    binarySecurityToken: b.binarySecurityToken,
    secret: b.secret,
    ...(b.tokenType !== undefined && { tokenType: (b.tokenType as string | null) ?? null }),
    ...(b.errors !== undefined && { errors: (b.errors as CsidResponse['errors']) ?? null }),
  };
}

export function parseComplianceInvoiceResponse(json: unknown): ComplianceInvoiceResponse | null {
  const b = record(json);
  const validationResults = readValidationResults(json);
  if (!b || !validationResults) return null;
  return {
    validationResults,
    reportingStatus: (b.reportingStatus as ComplianceInvoiceResponse['reportingStatus']) ?? null,
    clearanceStatus: (b.clearanceStatus as ComplianceInvoiceResponse['clearanceStatus']) ?? null,
    qrSellertStatus: b.qrSellertStatus ?? null,
    qrBuyertStatus: b.qrBuyertStatus ?? null,
  };
}

export function parseReportingResponse(json: unknown): ReportingResponse | null {
  const b = record(json);
  const validationResults = readValidationResults(json);
  if (!b || !validationResults) return null;
  return { validationResults, reportingStatus: String(b.reportingStatus ?? '') };
}

export function parseClearanceResponse(json: unknown): ClearanceResponse | null {
  const b = record(json);
  const validationResults = readValidationResults(json);
  if (!b || !validationResults) return null;
  return {
    validationResults,
    clearanceStatus: String(b.clearanceStatus ?? ''),
    clearedInvoice: typeof b.clearedInvoice === 'string' ? b.clearedInvoice : null,
  };
}
