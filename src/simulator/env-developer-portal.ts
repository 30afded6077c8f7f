// The developer-portal behaviour (docs/zatca-notes.md §A1.2, docs/simulator.md): one canned test
// credential per kind for every CSR, the fixed OTP, and documents signed with the caller's own key.
import type { ValidationMessage } from '../zatca/types.js';
import type { TestIdentity } from './checks.js';
import type { EnvironmentMode } from './config.js';
import type { SimEnvironment } from './environment.js';
import { simMessage } from './messages.js';
import type { CsidKind, CsidRecord } from './state.js';

/** The sandbox's one OTP (docs/zatca-notes.md §A1.2). */
export const DEVELOPER_PORTAL_OTP = '123345';
/** The VAT number of the canned certificate: every sandbox invoice must carry it as the seller's. */
export const DEVELOPER_PORTAL_VAT = '399999999900003';

/** The mode flags that make the developer-portal environment behave as ZATCA's real sandbox. */
export const DEVELOPER_PORTAL_BEHAVIOUR: Partial<EnvironmentMode> = {
  cannedCertificate: true,
  otpPolicy: 'fixed',
  constantComplianceRequestId: 1234567890123,
};

/** Who the canned certificate names: the simulator's own test taxpayer, not a copy of ZATCA's. */
const TEST_IDENTITY: TestIdentity = {
  commonName: `TST-SIMULATOR-${DEVELOPER_PORTAL_VAT}`,
  organizationName: 'Fawtara Simulator Test Taxpayer',
  organizationUnit: 'Riyadh Branch',
  vat: DEVELOPER_PORTAL_VAT,
  serialNumber: '1-Fawtara|2-Simulator|3-canned',
  title: '1100',
  address: 'RRRD2929',
  businessCategory: 'Simulation',
};

/**
 * The canned CSID of `kind`, now held by `egsId`. Made once per environment state (a key of the
 * simulator's own, the CSR for it, then a certificate from the usual issuer) and handed to every
 * caller after that, with the same secret: the sandbox has one test identity for everyone.
 */
export function cannedCsid(env: SimEnvironment, kind: CsidKind, egsId: string, requestId?: number): CsidRecord {
  env.state.canned ??= env.checks.createTestCsr(TEST_IDENTITY);
  const token = kind === 'compliance' ? env.state.canned.ccsidToken : env.state.canned.pcsidToken;
  const held = token ? env.state.csids[token] : undefined;
  if (!held) {
    const csr = env.checks.parseCsr(env.state.canned.csrPem);
    const record = env.issueCsid(kind, env.state.canned.csrPem, csr, egsId, requestId);
    if (kind === 'compliance') env.state.canned.ccsidToken = record.token;
    else env.state.canned.pcsidToken = record.token;
    return record;
  }
  // Handed on: the new holder starts with no compliance steps passed and no promotion.
  held.egsId = egsId;
  held.doneSteps = [];
  delete held.promotedTo;
  delete held.renewalOf;
  return held;
}

/** A renewal or promotion that returns the same canned credential must not revoke it. */
export function isCanned(env: SimEnvironment, token: string | undefined): boolean {
  const canned = env.state.canned;
  return !!canned && !!token && (token === canned.ccsidToken || token === canned.pcsidToken);
}

/** Signature findings the engine reports when the document is not signed with the certificate's key. */
const SIGNATURE_CODES = new Set(['invalid-digital-signature', 'publicKey_QRCODE_INVALID', 'signatureValue']);

/**
 * The real sandbox accepts a document signed with the caller's own key under the canned certificate:
 * the engine's signature findings become one `invalid-signing-certificate` WARNING.
 */
export function ownKeyFindings(env: SimEnvironment, messages: ValidationMessage[], language: 'en' | 'ar'): ValidationMessage[] {
  if (!env.mode.cannedCertificate) return messages;
  const kept = messages.filter((m) => !(m.code && SIGNATURE_CODES.has(m.code)));
  if (kept.length === messages.length) return messages;
  return [...kept, simMessage('invalid-signing-certificate', language)];
}
