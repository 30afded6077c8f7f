// Reports of issue 7: the unified VAT report of a VAT number and the per-unit reconciliation of
// issued, accepted and reported documents (docs/reports.md).
export { ReportError } from './errors.js';
export { parsePeriod, type Period } from './period.js';
export * from './vat.js';
export * from './reconcile.js';
export { periodDocuments } from './queries.js';
