// The chain auditor's public face: re-verify every stored document and chain of a taxpayer and
// compare submission states with ZATCA's answers. `fawtara audit` prints its report.
export { auditChains, type AuditFinding, type AuditReport, type ZatcaRecord } from './audit.js';
