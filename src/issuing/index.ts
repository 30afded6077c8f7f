// Durable issuing's public face: issue a document on a unit (group-committed, chain-safe), the
// errors it raises, and the totals kept for the VAT report. Faces import from here.
export { issueDocument, type IssueResult } from './issue.js';
export { IssueError } from './errors.js';
export { issuerOf } from './batch.js';
export { documentTotals, type PrepaidLine, type VatLine } from './totals.js';
export { issueDateTime } from './prepare.js';
export { useOffThreadStamper, type OffThreadStamper, type StampResult, type StampWork } from './stamper.js';
