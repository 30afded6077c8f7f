// Distributed model (issue 7 part 3): branch nodes stamp locally and sync to head office, which
// verifies, stores as chain links, detects forks and gaps, and may relay submissions with its CSID.
export * from './protocol.js';
export { SyncError, isSyncError, type SyncReason } from './errors.js';
export {
  receiveBatch,
  setBranchSync,
  createSyncToken,
  branchSyncStatus,
  listIncidents,
  WITH_BRANCH,
  type BranchSyncSettings,
  type BranchSyncStatus,
} from './hq.js';
export { buildBatch, pushBatch, applyResult, syncNow, reportingMode, RELAYED, type BranchSyncOptions, type SyncSummary } from './branch.js';
export { startBranchNode, type BranchNode, type BranchNodeOptions } from './node.js';
