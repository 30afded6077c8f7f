// Per-environment behaviour of the simulator (docs/zatca-notes.md §A12.1 flags and the toggles of §A12.2–§A12.10):
// one object per gateway prefix, so an unverified choice is corrected by configuration, not code.
import type { FatooraEnv } from '../zatca/environments.js';

export type SimEnvironmentId = 'developer-portal' | 'simulation' | 'core';
export const SIM_ENVIRONMENTS: readonly SimEnvironmentId[] = ['developer-portal', 'simulation', 'core'];

export const CLIENT_ENV_OF: Record<SimEnvironmentId, FatooraEnv> = {
  'developer-portal': 'sandbox',
  simulation: 'simulation',
  core: 'production',
};

export type Severity = 'ERROR' | 'WARNING' | 'OFF';

export interface EnvironmentMode {
  /** Template names accepted in the CSR (docs/zatca-notes.md §A1, §A12.1). */
  expectedTemplates: string[];
  /** `sandbox`: any 6 digits but 111111/222222; `fixed`: only 123345 (the real sandbox); `portal`: only OTPs issued by the control API. */
  otpPolicy: 'sandbox' | 'fixed' | 'portal';
  /**
   * Developer-portal behaviour (docs/zatca-notes.md §A1.2): every CSR gets the same canned test
   * certificate (VAT 399999999900003, not the CSR's key), and documents signed with another key pass with a warning.
   */
  cannedCertificate: boolean;
  enforceComplianceSteps: boolean;
  /** Developer portal only: `Clearance-Status: 0` on clearance answers 303 (docs/zatca-notes.md §A2.2). */
  honourClearanceStatusHeader: boolean;
  renewalResponse: 200 | 428;
  /** The sandbox's constant CCSID requestID (docs/zatca-notes.md §A1.2), or null for unique ids. */
  constantComplianceRequestId: number | null;
  /** Accepted CSR `title` values (docs/zatca-notes.md §A4.1). */
  allowedTitles: string[];
  /** A WARNING result passes a compliance step (docs/zatca-notes.md §A13 item 3, unverified). */
  warningCountsAsPass: boolean;
  /** HTTP status of a compliance check with warnings (unverified: 200 or 202). */
  complianceWarningStatus: 200 | 202;
  /** Let a PCSID call /compliance/invoices (unverified alternative). */
  allowPcsidOnCompliance: boolean;
  /** Revoke the old PCSID at PATCH time instead of when the new PCSID is issued. */
  revokeOldOnPatch: boolean;
  /** Wrap the 428 body in {"value": …} as the OpenAPI example does. */
  wrap428InValue: boolean;
  /** 409 body: `forum` (codes Invoice-Errors/Duplicate-Invoice) or `openapi` (code/category null). */
  duplicate409Style: 'forum' | 'openapi';
  /** 208 carries the `Invoice-Warning` duplicate warning (production captures) or not (doc). */
  duplicate208Warning: boolean;
  /** Spelling of the 303 message: the doc's `deactiviated` or the captured `deactivated`. */
  clearanceOffMessage: string;
  /** PIH/ICV chain check on reporting and clearance (docs/zatca-notes.md §A12.8 step 9). */
  chainCheck: 'off' | 'warn' | 'error';
  /** code → severity, to reproduce ZATCA's changing severities. */
  severityOverrides: Record<string, Severity>;
  /** VAT-group events revoke only the affected member's units, or every unit of the group. */
  vatGroupRevocationScope: 'affected' | 'group';
  /** Validity of issued CSIDs (docs/zatca-notes.md §A6: about five years). */
  certificateValidityDays: number;
  /** Distinguished name of the issuing CA that signs PCSIDs and the stamp certificate. */
  issuingCaDn: string;
  /** Per-credential token bucket (docs/zatca-notes.md §A12.2 step 5), off by default. */
  rateLimit: { capacity: number; refillPerSecond: number } | null;
}

const COMMON: Omit<
  EnvironmentMode,
  'expectedTemplates' | 'otpPolicy' | 'enforceComplianceSteps' | 'honourClearanceStatusHeader' | 'renewalResponse' | 'issuingCaDn'
> = {
  constantComplianceRequestId: null,
  cannedCertificate: false,
  allowedTitles: ['1000', '0100', '1100'],
  warningCountsAsPass: true,
  complianceWarningStatus: 200,
  allowPcsidOnCompliance: false,
  revokeOldOnPatch: false,
  wrap428InValue: false,
  duplicate409Style: 'forum',
  duplicate208Warning: true,
  clearanceOffMessage: 'Clearance is deactivated. Please use the /invoices/reporting/single endpoint instead.',
  chainCheck: 'off',
  severityOverrides: {},
  vatGroupRevocationScope: 'affected',
  certificateValidityDays: 5 * 365 + 1,
  rateLimit: null,
};

export function defaultModes(): Record<SimEnvironmentId, EnvironmentMode> {
  return {
    'developer-portal': {
      ...COMMON,
      expectedTemplates: ['TSTZATCA-Code-Signing', 'ZATCA-Code-Signing'],
      otpPolicy: 'sandbox',
      enforceComplianceSteps: false,
      honourClearanceStatusHeader: true,
      renewalResponse: 200,
      issuingCaDn: 'CN=PRZEINVOICESCA4-CA, DC=extgazt, DC=gov, DC=local',
    },
    simulation: {
      ...COMMON,
      expectedTemplates: ['PREZATCA-Code-Signing'],
      otpPolicy: 'portal',
      enforceComplianceSteps: true,
      honourClearanceStatusHeader: false,
      renewalResponse: 428,
      issuingCaDn: 'CN=TSZEINVOICE-SubCA-1, DC=extgazt, DC=gov, DC=local',
    },
    core: {
      ...COMMON,
      expectedTemplates: ['ZATCA-Code-Signing'],
      otpPolicy: 'portal',
      enforceComplianceSteps: true,
      honourClearanceStatusHeader: false,
      renewalResponse: 428,
      issuingCaDn: 'CN=PEZEINVOICESCA2-CA, DC=extgazt, DC=gov, DC=local',
    },
  };
}

/** Size bound of any request body (docs/zatca-notes.md §A7, §A12.2 step 4: the "10 MB"). */
export const DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024;
/** Bound on any injected delay, so a misconfigured fault never parks a request for good. */
export const MAX_INJECTED_DELAY_MS = 120_000;
/** Bound on how long one request may take to arrive (slow-loris guard). */
export const REQUEST_TIMEOUT_MS = 60_000;
