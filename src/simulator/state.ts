// What one simulated environment remembers (taxpayers, OTPs, EGS units, CSIDs, submissions, the
// 24-h success store) and how it is written to and read from `--data DIR` as JSON.
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ValidationResults, ZatcaEndpoint } from '../zatca/types.js';
import type { Authority } from './checks.js';
import type { SimEnvironmentId } from './config.js';

export type VatStatus = 'Active' | 'Reactive' | 'Deregistered' | 'Suspended';
export const VAT_STATUSES: readonly VatStatus[] = ['Active', 'Reactive', 'Deregistered', 'Suspended'];

export interface TaxpayerRecord {
  vat: string;
  status: VatStatus;
  /** When the status last changed (ISO); starts the 90-day read-only window. */
  statusChangedAt: string;
  /** The VAT group this taxpayer belongs to, and its 10-digit TIN in it. */
  groupVat?: string;
  memberTin?: string;
}

export interface OtpRecord {
  otp: string;
  vat: string;
  purpose: 'onboard' | 'renew';
  expiresAt: string;
  usedAt?: string;
}

export type CsidKind = 'compliance' | 'production';

export interface CsidRecord {
  token: string;
  secret: string;
  kind: CsidKind;
  egsId: string;
  requestId: number;
  certificateBase64: string;
  notBefore: string;
  notAfter: string;
  revokedAt?: string;
  revocationReason?: string;
  vat: string;
  title: string;
  /** The CSR the certificate was issued for, kept to issue the PCSID from the same key. */
  csrPem: string;
  /** Compliance CSIDs: steps required by the title and steps passed. */
  requiredSteps: string[];
  doneSteps: string[];
  /** Compliance CSIDs: the PCSID issued from it (second promotion is refused). */
  promotedTo?: string;
  /** Compliance CSIDs from a 428 renewal: the PCSID being renewed. */
  renewalOf?: string;
}

export type EgsState = 'CCSID_ISSUED' | 'COMPLIANCE_IN_PROGRESS' | 'COMPLIANCE_DONE' | 'ACTIVE' | 'RENEWAL_PENDING' | 'REVOKED' | 'EXPIRED';

export interface EgsRecord {
  id: string;
  vat: string;
  commonName: string;
  serialNumber: string;
  organizationUnit: string;
  title: string;
  createdAt: string;
  ccsidToken: string;
  pcsidToken?: string;
  revokedAt?: string;
  revocationReason?: string;
  /** Last ICV and invoice hash submitted (any outcome), for the optional chain check. */
  lastIcv?: number;
  lastInvoiceHash?: string;
}

export interface SubmissionRecord {
  at: string;
  endpoint: ZatcaEndpoint;
  egsId: string;
  csidKind: CsidKind;
  httpStatus: number;
  uuid: string | null;
  invoiceHash: string | null;
  icv: number | null;
  pih: string | null;
  invoiceTypeCode: string | null;
  invoiceTypeName: string | null;
  validationStatus: ValidationResults['status'] | null;
  /** base64 of the XML exactly as received. */
  invoice: string | null;
  /** base64 of the cleared XML for successful clearances. */
  clearedInvoice?: string;
}

export interface SuccessEntry {
  invoiceHash: string;
  /** The document's UUID, so the 208/409 answers to later copies are recorded with it. */
  uuid?: string | null;
  at: string;
  endpoint: 'reporting' | 'clearance';
  validationResults: ValidationResults;
  clearedInvoice?: string;
}

export interface AuthoritySet {
  complianceIssuer: Authority;
  root: Authority;
  issuing: Authority;
  stamp: Authority;
}

/** The developer portal's canned test identity (env-developer-portal.ts): its key, CSR and CSIDs. */
export interface CannedIdentity {
  keyPem: string;
  csrPem: string;
  ccsidToken?: string;
  pcsidToken?: string;
}

export interface EnvironmentState {
  version: 1;
  environment: SimEnvironmentId;
  authorities?: AuthoritySet;
  canned?: CannedIdentity;
  clearanceEnabled: boolean;
  taxpayers: Record<string, TaxpayerRecord>;
  otps: Record<string, OtpRecord>;
  egs: Record<string, EgsRecord>;
  csids: Record<string, CsidRecord>;
  submissions: SubmissionRecord[];
  successes: Record<string, SuccessEntry>;
  nextEgsNumber: number;
}

export function emptyState(environment: SimEnvironmentId): EnvironmentState {
  return {
    version: 1,
    environment,
    clearanceEnabled: true,
    taxpayers: {},
    otps: {},
    egs: {},
    csids: {},
    submissions: [],
    successes: {},
    nextEgsNumber: 1,
  };
}

function fileOf(dataDir: string, environment: SimEnvironmentId): string {
  return join(dataDir, `${environment}.json`);
}

export function loadState(dataDir: string | undefined, environment: SimEnvironmentId): EnvironmentState {
  if (!dataDir) return emptyState(environment);
  const file = fileOf(dataDir, environment);
  if (!existsSync(file)) return emptyState(environment);
  ownerOnly(dataDir, file);
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as EnvironmentState;
  if (parsed.version !== 1 || parsed.environment !== environment) {
    throw new Error(`${file}: not a simulator state file for ${environment}`);
  }
  return parsed;
}

/** Write atomically (temp file + rename) so a crash never leaves half a state file. */
export function saveState(dataDir: string | undefined, state: EnvironmentState): void {
  if (!dataDir) return;
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = fileOf(dataDir, state.environment);
  // A stale temp file keeps its old mode through writeFileSync: start it afresh, owner-only.
  rmSync(file + '.tmp', { force: true });
  writeFileSync(file + '.tmp', JSON.stringify(state), { mode: 0o600 });
  renameSync(file + '.tmp', file);
  ownerOnly(dataDir, file);
}

/** The state holds OTPs and the CA's private key: folder 0700, file 0600, whatever they were before. */
function ownerOnly(dataDir: string, file: string): void {
  if (process.platform === 'win32') return;
  chmodSync(dataDir, 0o700);
  chmodSync(file, 0o600);
}
