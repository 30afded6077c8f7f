// The EGS fleet services' public face: tenants, units, key custody, onboarding, renewal,
// revocation and the signing identity issuing uses. Faces (CLI, server) import from here only.
export { openFleet, createFleetLogger, type FleetContext, type OpenFleetOptions, type Clock } from './context.js';
export { FleetError, isFleetError, type FleetReason } from './errors.js';
export { Redactor, processRedactor } from './redact.js';
export {
  kekSourceFromEnv,
  parseMasterKey,
  openKeyVault,
  softwareKeyProvider,
  KeyVault,
  UNPROTECTED_ENV,
  type KekSource,
  type KeyProvider,
  type KeyHandle,
} from './key-custody.js';
export { dataDirKek, MASTER_KEY_FILE, type DataDirKek } from './master-key-file.js';
export { UNIT_STATES, ISSUING_STATES, ENDED_UNIT_STATES, canMove, moveUnit, type UnitState } from './states.js';
export {
  addTaxpayer,
  addMember,
  removeMember,
  addBranch,
  resolveTaxpayer,
  resolveBranch,
  validateVatNumber,
  validateTin,
  branchLocation,
  type TaxpayerInput,
  type BranchInput,
} from './tenants.js';
export {
  addUnit,
  resolveUnit,
  retireUnit,
  setUnitTarget,
  unitZatca,
  confirmRevocation,
  REVOCATION_CAUSES,
  expiringUnits,
  type UnitInput,
  type ExpiringUnit,
} from './units.js';
export { onboardUnit, type OnboardOptions, type OnboardResult } from './onboarding.js';
export { renewUnit, type RenewOptions, type RenewResult, type DrainUnit } from './renewal.js';
export { assertNotPaused, pauseIssuing, resumeIssuing, ISSUING_PAUSE_MS } from './pause.js';
export { bulkOnboard, parseBulkList, type BulkEntry, type BulkResult, type BulkOptions } from './bulk.js';
export { assertCanIssue, assertCertificateValidAt, unitSigning, callAsUnit, bindCertificateToUnit, type UnitSigning } from './signing.js';
export { requiredSteps, COMPLIANCE_STEPS, type ComplianceStep } from './compliance-documents.js';
export type { StepHooks } from './csid-steps.js';
