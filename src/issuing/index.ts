// Durable issuing's public face: issue a document on a unit (group-committed, chain-safe), the
// errors it raises, and the totals kept for the VAT report. Faces import from here.
export { issueDocument, resultOf, type IssueOptions, type IssueResult } from './issue.js';
export { IssueError, type IssueReason } from './errors.js';
export { issuerOf, DEADLINE_MS, type Issued } from './batch.js';
export { documentTotals, type DocumentTotals, type PrepaidLine, type VatLine } from './totals.js';
export { issueDateTime } from './prepare.js';
export { useOffThreadStamper, type OffThreadStamper, type StampResult, type StampWork } from './stamper.js';
