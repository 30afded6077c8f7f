// Public face of the ZATCA API client: environments, the client factory, endpoint functions,
// outcome types and the credential helpers; nothing here knows about units or storage.
export * from './types.js';
export * from './environments.js';
export * from './outcome.js';
export * from './credentials.js';
export { ZatcaTransport, DEFAULT_TIMEOUT_MS, type TransportOptions, type SendOptions } from './transport.js';
export { requestComplianceCsid, encodeCsr, type ComplianceCsidRequest } from './compliance-csid.js';
export { submitComplianceInvoice } from './compliance-invoices.js';
export { requestProductionCsid } from './production-csid.js';
export { renewProductionCsid, type RenewalRequest } from './renew-production-csid.js';
export { reportInvoice } from './reporting.js';
export { clearInvoice, clearedXmlOf } from './clearance.js';
export { createZatcaClient, invoiceSubmission, type ZatcaClient } from './client.js';
