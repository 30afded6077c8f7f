// Public face of model/: the invoice input format (zod schema and types), its validation, the
// ZATCA code lists, and computeInvoice — everything ubl/ needs to write a document.
export * from './codes.js';
export * from './computed.js';
export { computeInvoice, transactionCode } from './compute/index.js';
export { parseInvoiceInput } from './parse.js';
export { jsonPath, type InputIssue } from './issues.js';
export {
  Address,
  Buyer,
  DocumentAllowanceCharge,
  InvoiceFlags,
  InvoiceInput,
  type InvoiceInputJson,
  Line,
  LineAllowanceCharge,
  LocalizedText,
  PrepaymentAdjustment,
  Seller,
  TaxCategory,
} from './schema.js';
export { invoiceJsonSchema } from './json-schema.js';
export { issueDateTime } from './ksa-time.js';
