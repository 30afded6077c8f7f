// The submission outbox's public face: the outcome → state table, the worker, the synchronous
// clearance path and the status view. Issuing enqueues; this module sends until ZATCA has it.
export { OUTCOME_TRANSITIONS, type Transition } from './states.js';
export { backoffDelay, DEFAULT_BACKOFF, type BackoffPolicy } from './backoff.js';
export { attemptSubmission, type AttemptContext, type AttemptResult } from './attempt.js';
export { runOutbox, workerId, DEFAULT_LEASE_MS, REPORTING_DEADLINE_MS, type OutboxRunOptions, type OutboxRunSummary } from './worker.js';
export { submitNow, DEFAULT_CLEARANCE_WAIT_MS } from './clear-now.js';
export { outboxStatus, outboxDocumentView, AT_RISK_MS, type OutboxStatus, type OutboxDocumentView } from './status.js';
export { drainUnit, DRAIN_WAIT_MS, type DrainResult } from './drain.js';
