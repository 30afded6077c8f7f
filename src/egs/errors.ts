// Fleet errors: a FawtaraError with a stable fleet `reason` on top of the shared code, so the CLI
// keeps its exit codes while scripts can branch on why a unit operation was refused.
import { ReasonedError, type ErrorCode, type ErrorDetails } from '../errors.js';

export type FleetReason =
  | 'NOT_FOUND' // no taxpayer, branch, member or unit by that name
  | 'DUPLICATE' // a serial, VAT number, branch name or TIN already registered
  | 'INVALID_FIELD' // a malformed VAT number, TIN, serial, title, address…
  | 'OTP_REQUIRED' // this step needs a fresh portal OTP
  | 'ZATCA_REJECTED' // ZATCA refused the request (wrong OTP, CSR, …); the unit is unchanged
  | 'ZATCA_UNAVAILABLE' // no answer, 5xx, 429: run the same command again later
  | 'UNIT_REVOKED' // ZATCA revoked the unit's CSID: onboard a new unit
  | 'UNIT_EXPIRED'
  | 'UNIT_RETIRED'
  | 'UNIT_NOT_ACTIVE' // the unit is not onboarded yet (or is mid-renewal)
  | 'WRONG_STATE' // the operation does not apply in the unit's current state
  | 'CERTIFICATE_NOT_OF_UNIT' // a certificate used from a unit it does not belong to
  | 'SANDBOX_ONLY_CREDENTIAL' // the sandbox's canned certificate used outside the sandbox
  | 'KEY_STORE' // the key store is unprotected, or the KEK does not open it
  | 'UNSUBMITTED_DOCUMENTS' // retire or renewal refused while documents wait for ZATCA
  | 'CLOCK_OUTSIDE_CERTIFICATE' // the clock lies before the signing certificate's start: fix the clock
  | 'CREDENTIALS_REFUSED' // ZATCA answered 401: the unit's submissions are held until an operator decides
  | 'UNIT_PAUSED' // issuing paused for seconds while the unit's certificate is switched: send again
  | 'INTERRUPTED'; // an injected failure (tests) or a lost answer: run the command again

/** The shared error code (and so the CLI exit code) of each fleet reason: one table. */
const CODE_OF_REASON: Record<FleetReason, ErrorCode> = {
  NOT_FOUND: 'NOT_FOUND',
  DUPLICATE: 'CONFLICT',
  INVALID_FIELD: 'INVALID_INPUT',
  OTP_REQUIRED: 'USAGE',
  ZATCA_REJECTED: 'ZATCA_REJECTED',
  ZATCA_UNAVAILABLE: 'ZATCA_UNAVAILABLE',
  UNIT_REVOKED: 'UNIT_STATE',
  UNIT_EXPIRED: 'UNIT_STATE',
  UNIT_RETIRED: 'UNIT_STATE',
  UNIT_NOT_ACTIVE: 'UNIT_STATE',
  WRONG_STATE: 'UNIT_STATE',
  CERTIFICATE_NOT_OF_UNIT: 'UNIT_STATE',
  SANDBOX_ONLY_CREDENTIAL: 'UNIT_STATE',
  KEY_STORE: 'KEY_STORE',
  UNSUBMITTED_DOCUMENTS: 'UNIT_STATE',
  UNIT_PAUSED: 'BUSY',
  CREDENTIALS_REFUSED: 'ZATCA_REJECTED',
  CLOCK_OUTSIDE_CERTIFICATE: 'UNIT_STATE',
  INTERRUPTED: 'ZATCA_UNAVAILABLE',
};

export class FleetError extends ReasonedError<FleetReason> {
  constructor(reason: FleetReason, message: string, details: ErrorDetails & { messageAr: string; code?: ErrorCode }) {
    super(CODE_OF_REASON, reason, message, details);
    this.name = 'FleetError';
  }
}

export function isFleetError(value: unknown, reason?: FleetReason): value is FleetError {
  return value instanceof FleetError && (reason === undefined || value.reason === reason);
}
