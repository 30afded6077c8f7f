// The archive of issued documents per VAT period: export with index and manifest, verification
// without a database, and the 6-year retention rule (docs/reports.md).
export * from './layout.js';
export { exportArchive } from './export.js';
export { verifyArchive } from './verify.js';
export { assertRetentionOver, purgeArchive } from './retention.js';
