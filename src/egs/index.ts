// The EGS fleet services' public face: tenants, units, key custody, onboarding, renewal,
// revocation and the signing identity issuing uses. Faces (CLI, server) import from here only.
export { openFleet, createFleetLogger, type FleetContext } from './context.js';
export { FleetError, isFleetError } from './errors.js';
export { Redactor, processRedactor } from './redact.js';
export { kekSourceFromEnv, parseMasterKey, openKeyVault, softwareKeyProvider, type KekSource, type KeyProvider } from './key-custody.js';
export { dataDirKek, type DataDirKek } from './master-key-file.js';
export { UNIT_STATES, ISSUING_STATES, ENDED_UNIT_STATES } from './states.js';
export { addTaxpayer, addMember, removeMember, addBranch, resolveTaxpayer, resolveBranch } from './tenants.js';
export { addUnit, resolveUnit, retireUnit, setUnitTarget, confirmRevocation, expiringUnits, REVOCATION_CAUSES } from './units.js';
export { onboardUnit } from './onboarding.js';
export { renewUnit } from './renewal.js';
export { assertNotPaused, ISSUING_PAUSE_MS } from './pause.js';
export { bulkOnboard, parseBulkList, type BulkResult } from './bulk.js';
export { assertCanIssue, assertCertificateValidAt, unitSigning, callAsUnit, bindCertificateToUnit, type UnitSigning } from './signing.js';
