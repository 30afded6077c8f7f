// The submission outbox's public face: the outcome → state table, the worker, the synchronous
// clearance path and the status view. Issuing enqueues; this module sends until ZATCA has it.
export { OUTCOME_TRANSITIONS } from './states.js';
export { DEFAULT_BACKOFF } from './backoff.js';
export { attemptSubmission, type AttemptContext } from './attempt.js';
export { runOutbox, workerId, REPORTING_DEADLINE_MS, type OutboxRunSummary } from './worker.js';
export { submitNow, DEFAULT_CLEARANCE_WAIT_MS } from './clear-now.js';
export { outboxStatus, outboxDocumentView, AT_RISK_MS, type OutboxStatus } from './status.js';
export { drainUnit } from './drain.js';
