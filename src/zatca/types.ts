// The JSON shapes FATOORA's gateway sends and accepts (docs/zatca-notes.md §A2.4–§A2.6, §A11.1), shared by the
// client, its outcome classifier and the simulator so both sides speak exactly one dialect.

export type MessageType = 'INFO' | 'WARNING' | 'ERROR';
export type MessageStatus = 'PASS' | 'WARNING' | 'ERROR';

/** One entry of `infoMessages` / `warningMessages` / `errorMessages` (docs/zatca-notes.md §A2.5). */
export interface ValidationMessage {
  type: MessageType;
  /** e.g. `BR-KSA-37`, `invalid-invoice-hash`; null on the documented 409 example. */
  code: string | null;
  /** e.g. `KSA`, `EN_16931`, `XSD validation`, `QRCODE_VALIDATION`. */
  category: string | null;
  message: string;
  status: MessageStatus;
}

export interface ValidationResults {
  infoMessages: ValidationMessage[];
  warningMessages: ValidationMessage[];
  errorMessages: ValidationMessage[];
  status: MessageStatus;
}

/** Family A error entry (CSID endpoints), also the variant `errorCode/errorCategory/errorMessage`. */
export interface CsidError {
  code: string;
  message: string;
  category?: string;
}

export interface CsidResponse {
  /** Kept as a number: below 2^53 in every sample (docs/zatca-notes.md §A11.1). */
  requestID: number;
  dispositionMessage: 'ISSUED' | 'NOT_COMPLIANT' | string;
  /** base64 of the base64-DER certificate text (docs/zatca-notes.md §A2.3). */
  binarySecurityToken: string;
  secret: string;
  tokenType?: string | null;
  errors?: CsidError[] | null;
}

/** Body of the three invoice endpoints (docs/zatca-notes.md §A2.6). */
export interface InvoiceSubmission {
  /** base64 SHA-256 of the canonical invoice (44 characters). */
  invoiceHash: string;
  /** cbc:UUID of the invoice. */
  uuid: string;
  /** base64 of the UTF-8 XML bytes. */
  invoice: string;
}

export interface ComplianceInvoiceResponse {
  validationResults: ValidationResults;
  reportingStatus: 'REPORTED' | 'NOT_REPORTED' | null;
  clearanceStatus: 'CLEARED' | 'NOT_CLEARED' | null;
  /** Misspelt by ZATCA; always null so far. */
  qrSellertStatus: unknown;
  qrBuyertStatus: unknown;
}

export interface ReportingResponse {
  validationResults: ValidationResults;
  reportingStatus: 'REPORTED' | 'NOT_REPORTED' | string;
}

export interface ClearanceResponse {
  validationResults: ValidationResults;
  clearanceStatus: 'CLEARED' | 'NOT_CLEARED' | string;
  /** base64 of the cleared (ZATCA-stamped) XML, or null when not cleared. */
  clearedInvoice: string | null;
}

/** The credential pair ZATCA returns for a CSID; Basic auth is built from it (docs/zatca-notes.md §A2.3). */
export interface CsidCredentials {
  binarySecurityToken: string;
  secret: string;
}

export type AcceptLanguage = 'en' | 'ar';

/** ZATCA's six endpoints, named as the outcome table and the simulator refer to them. */
export type ZatcaEndpoint = 'compliance-csid' | 'compliance-invoices' | 'production-csid' | 'renew-production-csid' | 'reporting' | 'clearance';

/** Method and path of each endpoint, relative to an environment's base URL (docs/zatca-notes.md §A3). */
export const ENDPOINT_ROUTES: Record<ZatcaEndpoint, { method: 'POST' | 'PATCH'; path: string }> = {
  'compliance-csid': { method: 'POST', path: '/compliance' },
  'compliance-invoices': { method: 'POST', path: '/compliance/invoices' },
  'production-csid': { method: 'POST', path: '/production/csids' },
  'renew-production-csid': { method: 'PATCH', path: '/production/csids' },
  reporting: { method: 'POST', path: '/invoices/reporting/single' },
  clearance: { method: 'POST', path: '/invoices/clearance/single' },
};

export const TOKEN_TYPE_X509 = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3';

/**
 * Header the simulator adds to a 401 when the credential is genuine but its unit or CSID was revoked
 * in its portal, with the reason (`manual`, `vat-deregistered`, `renewed`, …). ZATCA's gateway sends
 * no such signal: there a 401 alone never proves a revocation (issue 17).
 */
export const SIMULATOR_REVOCATION_HEADER = 'x-simulator-revocation';
