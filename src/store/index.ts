// The fleet store's public face: open a store (SQLite or PostgreSQL, migrated), its table types,
// and the repositories services use. Nothing above this layer writes SQL.
export { openStore, pingStore, storeIdOf, storeOptionsFromEnv, type Store, type StoreDialect, type StoreOptions } from './database.js';
export { asStoreError, isStoreFault, RESTORE_STEPS, StoreFault } from './faults.js';
export type { StoreIntegrity } from './integrity.js';
export { DATABASE_FILE } from './files.js';
export { assertNotInUse, backupStore, holdsStore, stageRestore, swapIn } from './backup.js';
export type * from './schema.js';
export type * from './access-schema.js';
export * as tenants from './tenants-repository.js';
export * as units from './units-repository.js';
export * as credentials from './credentials-repository.js';
export * as logs from './log-repository.js';
export * as documentContext from './document-context-repository.js';
export * as documents from './documents-repository.js';
export * as submissions from './submissions-repository.js';
export * as access from './access-repository.js';
export * as auditLog from './audit-log-repository.js';
export * as throttle from './throttle-repository.js';
export { rideAlong, withWriteTransaction } from './write-transaction.js';
export {
  SUBMISSION_STATES,
  FINAL_SUBMISSION_STATES,
  PENDING_SUBMISSION_STATES,
  isAcceptedSubmission,
  isFinalSubmission,
  isPendingSubmission,
  type SubmissionState,
} from './states.js';
export * as syncTrust from './sync-trust-repository.js';
export * as sync from './sync-repository.js';
export * as metricsQueries from './metrics-repository.js';
export type * from './sync-schema.js';
export { REPORTED_BY_BRANCH } from './sync-schema.js';
