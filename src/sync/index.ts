// Distributed model: branch nodes stamp locally and sync to head office, which verifies every document
// against the unit's enrolled certificate, stores it as a chain link, and may relay submissions.
export * from './protocol.js';
export { SyncError } from './errors.js';
export { receiveBatch } from './receive.js';
export { setBranchSync } from './settings.js';
export { createSyncToken, listSyncTokens, revokeSyncToken, DEFAULT_TOKEN_DAYS, MAX_TOKEN_DAYS } from './tokens.js';
export { branchSyncStatus, listIncidents } from './status.js';
export { requestEnrolment, approveEnrolment, refuseEnrolment, listEnrolments, EnrolmentRequest } from './enrolment.js';
export { addAuthority, listAuthorities, AUTHORITY_KINDS, type AuthorityKind } from './authorities.js';

export { buildBatch, pushBatch, applyResult, syncNow, requestEnrolments } from './branch.js';
export { startBranchNode } from './node.js';
