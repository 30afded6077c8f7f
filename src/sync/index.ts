// Distributed model: branch nodes stamp locally and sync to head office, which verifies every document
// against the unit's enrolled certificate, stores it as a chain link, and may relay submissions.
export * from './protocol.js';
export { SyncError, isSyncError, type SyncReason } from './errors.js';
export { receiveBatch, WITH_BRANCH } from './receive.js';
export { setBranchSync, type BranchSyncSettings } from './settings.js';
export { createSyncToken, listSyncTokens, revokeSyncToken, DEFAULT_TOKEN_DAYS, MAX_TOKEN_DAYS, type SyncTokenView } from './tokens.js';
export { branchSyncStatus, listIncidents, type BranchSyncStatus } from './status.js';
export { requestEnrolment, approveEnrolment, refuseEnrolment, listEnrolments, EnrolmentRequest, type EnrolmentView, type EnrolmentCheck } from './enrolment.js';
export { addAuthority, listAuthorities, AUTHORITY_KINDS, type AuthorityKind } from './authorities.js';
export { FUTURE_TOLERANCE_MS } from './admit.js';
export { buildBatch } from './branch-batch.js';
export { pushBatch, requestEnrolments, type BranchSyncOptions } from './branch-link.js';
export { applyResult, syncNow, type SyncSummary } from './branch.js';
export { startBranchNode, type BranchNode, type BranchNodeOptions } from './node.js';
