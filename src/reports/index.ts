// Reports of issue 7: the unified VAT report of a VAT number and the per-unit reconciliation of
// issued, accepted and reported documents (docs/reports.md).
export { ReportError, type ReportReason } from './errors.js';
export { parsePeriod, CLI_PERIOD_FIELDS, type Period, type PeriodFieldNames } from './period.js';
export * from './vat.js';
export * from './reconcile.js';
export { periodDocuments, type PeriodDocument, type Scope } from './queries.js';
