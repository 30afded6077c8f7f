// The fleet's tables as Kysely sees them: one interface per table, identical on SQLite and
// PostgreSQL (texts for instants and JSON, integers 0/1 for flags) so one query code serves both.
import type { Generated, Selectable } from 'kysely';
import type { AccessTables } from './access-schema.js';
import type { Instant } from './instant.js';

export type { Instant };

export interface TaxpayersTable {
  id: string;
  vat_number: string;
  name_ar: string;
  name_en: string | null;
  /** 1 when `vat_number` is a VAT group's number (11th digit 1, docs/zatca-notes.md §A5.2). */
  is_vat_group: number;
  business_category: string;
  created_at: Instant;
}

export interface VatGroupMembersTable {
  id: string;
  taxpayer_id: string;
  /** The member's 10-digit TIN: the OU of its devices' CSRs (docs/zatca-notes.md §A5.2). */
  tin: string;
  name: string;
  created_at: Instant;
}

export interface BranchesTable {
  id: string;
  taxpayer_id: string;
  name: string;
  crn: string | null;
  street: string;
  building_number: string;
  district: string;
  city: string;
  postal_code: string;
  /** National short address (e.g. RRRD2929); the CSR's registeredAddress when present. */
  short_address: string | null;
  created_at: Instant;
}

export interface EgsUnitsTable {
  id: string;
  taxpayer_id: string;
  branch_id: string;
  /** Set for a VAT-group member's device: its TIN is the CSR's OU. */
  member_tin: string | null;
  /** CSR common name (CN). */
  name: string;
  /** `1-Maker|2-Model|3-Serial`, unique per taxpayer and generation. */
  serial: string;
  /** 1 for a device's first unit; a re-onboarded device is a new unit with the next generation. */
  generation: number;
  /** TSCZ invoice-type capability (docs/zatca-notes.md §A4.1). */
  title: string;
  environment: string;
  organization_unit: string;
  state: string;
  state_changed_at: Instant;
  /** Chain head, advanced by issuing (issue 6): last ICV used (0 = nothing issued yet). */
  icv: number;
  /** Chain head: hash of the last document issued (initial PIH before the first). */
  pih: string;
  last_issued_at: Instant | null;
  replaces_unit_id: string | null;
  created_at: Instant;
  /** Where the unit's keys are made and kept (migration 0012): `sealed` in this store, or `pkcs11` in a token. */
  key_provider: string;
  /** Issuing refused until then while the certificate is switched (renewal); NULL: not paused. */
  issuing_paused_until: Instant | null;
  issuing_paused_reason: string | null;
  /** ZATCA answered 401 to this unit's credentials: its submissions wait until an operator decides. */
  credentials_refused_at: Instant | null;
  credentials_refused_reason: string | null;
  /**
   * Where the unit's environment is reached: ZATCA's gateway or a simulator's base URL for it
   * (migration 0008). NULL for units registered before it: the command's --zatca target decides.
   */
  zatca_base_url: string | null;
}

export interface UnitKeysTable {
  id: string;
  unit_id: string;
  taxpayer_id: string;
  /** `software` (sealed in this store) or `pkcs11` (generated and kept in a token). */
  provider: string;
  /** base64 DER SubjectPublicKeyInfo: public, used to bind certificates. */
  public_key_spki: string;
  /** AES-256-GCM envelope (base64) of the private key, bound to this unit and key id; empty for a key in a token. */
  sealed_private_key: string;
  created_at: Instant;
  /** A key in a PKCS#11 token (migration 0012): the token's label and the CKA_LABEL of its objects. */
  token_label: string | null;
  key_label: string | null;
  /** When the token destroyed the key's objects (retirement, or a renewal that replaced the key). */
  destroyed_at: Instant | null;
}

export interface CsrsTable {
  id: string;
  unit_id: string;
  taxpayer_id: string;
  key_id: string;
  purpose: string; // 'onboard' | 'renew'
  /** 1, 2, … per unit and purpose: orders CSRs even when the clock does not move. */
  attempt: number;
  pem: string;
  /** `fresh` (never sent), `sent` (in flight or answer lost), `used` (a CSID came back), `rejected`. */
  status: string;
  created_at: Instant;
  sent_at: Instant | null;
}

export interface CsidsTable {
  id: string;
  unit_id: string;
  taxpayer_id: string;
  key_id: string;
  csr_id: string;
  kind: string; // 'compliance' | 'production'
  purpose: string; // 'onboard' | 'renew'
  request_id: string;
  /** `binarySecurityToken` exactly as ZATCA returned it (the certificate: public). */
  binary_security_token: string;
  /** AES-256-GCM envelope of the CSID secret. */
  sealed_secret: string;
  certificate_serial: string;
  not_before: Instant;
  not_after: Instant;
  /** `active`, `promoted` (a CCSID that became a PCSID), `superseded`, `revoked`. */
  status: string;
  /** Set just before `POST /production/csids` is sent with this CCSID (resumability). */
  promotion_requested_at: Instant | null;
  created_at: Instant;
  /**
   * 1: the developer-portal sandbox's canned certificate, which does not certify the unit's key
   * (migration 0014); usable in the `sandbox` environment only (egs/sandbox-certificate.ts).
   */
  sandbox_only: number;
}

export interface ComplianceStepsTable {
  csid_id: string;
  step: string;
  passed_at: Instant;
}

export interface UnitTransitionsTable {
  id: Generated<number>;
  unit_id: string;
  taxpayer_id: string;
  from_state: string | null;
  to_state: string;
  actor: string;
  reason: string;
  at: Instant;
}

export interface ZatcaExchangesTable {
  id: Generated<number>;
  taxpayer_id: string;
  unit_id: string | null;
  endpoint: string;
  request_id: string | null;
  http_status: number | null;
  outcome: string;
  /** JSON array of `{severity, code, message}` (redacted; never a body with secrets). */
  messages: string;
  duration_ms: number;
  at: Instant;
}

export interface KeyStoreTable {
  id: string;
  /** `master-key`, `passphrase` or `unprotected` (tests/dev only). */
  protection: string;
  /** scrypt salt (base64) for a passphrase KEK. */
  salt: string | null;
  /** A known value sealed under the KEK: proves the configured KEK is the store's. */
  check_value: string;
  created_at: Instant;
}

/** An issued document (issue 6): the exact stamped bytes and the facts reports need. Immutable. */
export interface DocumentsTable {
  id: string;
  taxpayer_id: string;
  unit_id: string;
  icv: number;
  pih: string;
  /** base64 SHA-256 invoice hash of `xml` (docs/zatca-notes.md §A7): the next document's PIH. */
  invoice_hash: string;
  uuid: string;
  /** Invoice number (BT-1), unique per taxpayer. */
  number: string;
  /** `invoice`, `creditNote`, `debitNote`, `prepayment`. */
  document_type: string;
  type_code: string;
  /** KSA-2, e.g. `0200000`. */
  transaction_code: string;
  /** `standard` | `simplified`. */
  kind: string;
  issue_date: string;
  issue_time: string;
  /** The clock's instant at issue (the chain's time; clock guard). */
  issued_at: Instant;
  /** Issue + 24 h: the reporting deadline (simplified), the release target (standard). */
  deadline_at: Instant;
  signing_time: string;
  csid_id: string;
  currency: string;
  exchange_rate: string | null;
  buyer_vat: string | null;
  buyer_name: string | null;
  /** Credit/debit notes: the document corrected (same taxpayer). */
  original_document_id: string | null;
  original_number: string | null;
  tax_exclusive_amount: string;
  tax_amount: string;
  tax_amount_sar: string;
  tax_inclusive_amount: string;
  payable_amount: string;
  /** Σ taxable amounts in SAR. */
  taxable_amount_sar: string;
  /** JSON `[{category, rate, exemptionCode?, taxable, vat, taxableSar, vatSar}]` for the VAT report. */
  vat_breakdown: string;
  /**
   * JSON `[{invoiceId, invoiceUuid, category, rate, exemptionCode?, taxable, vat}]`: the prepayments
   * (386) a final invoice deducts (KSA-31/32), `[]` when none; NULL when not recorded at insert
   * (before migration 0010, or another writer): the report then reads them from `xml`.
   */
  prepaid_breakdown?: string | null;
  qr: string;
  /** The stamped document exactly as hashed, signed and submitted. */
  xml: string;
}

/** ZATCA's cleared version of a standard document: the legal document given to the buyer. */
export interface DocumentClearancesTable {
  document_id: string;
  taxpayer_id: string;
  unit_id: string;
  invoice_hash: string;
  xml: string;
  cleared_at: Instant;
}

/** One outbox job per document; the only mutable part of an issued document's life. */
export interface SubmissionsTable {
  document_id: string;
  taxpayer_id: string;
  unit_id: string;
  icv: number;
  kind: string;
  /** `clearance` | `reporting` (a standard document is reported while clearance is off). */
  endpoint: string;
  /** See `src/outbox/states.ts`. */
  state: string;
  attempts: number;
  next_attempt_at: Instant;
  lease_owner: string | null;
  lease_until: Instant | null;
  issued_at: Instant;
  deadline_at: Instant;
  /** 1 once the document passed its deadline before ZATCA had it (flagged, never dropped). */
  late: number;
  /** 1 when ZATCA's final answer was 208/409 (it had the document from an earlier attempt). */
  duplicate: number;
  last_http_status: number | null;
  last_outcome: string | null;
  last_message: string | null;
  accepted_at: Instant | null;
  updated_at: Instant;
}

export interface SubmissionAttemptsTable {
  id: Generated<number>;
  document_id: string;
  taxpayer_id: string;
  unit_id: string;
  endpoint: string;
  attempt: number;
  http_status: number | null;
  outcome: string;
  state_after: string;
  /** JSON `[{severity, code, message}]`, redacted. */
  messages: string;
  duration_ms: number;
  worker: string;
  at: Instant;
}

/** Facts about the store itself (migration 0007): `store_id`, matched against the data directory's marker. */
export interface StoreMetaTable {
  key: string;
  value: string;
}

/** Every table; the access-control ones are declared in access-schema.ts. */
export interface Database extends AccessTables {
  store_meta: StoreMetaTable;
  documents: DocumentsTable;
  document_clearances: DocumentClearancesTable;
  submissions: SubmissionsTable;
  submission_attempts: SubmissionAttemptsTable;
  taxpayers: TaxpayersTable;
  vat_group_members: VatGroupMembersTable;
  branches: BranchesTable;
  egs_units: EgsUnitsTable;
  unit_keys: UnitKeysTable;
  csrs: CsrsTable;
  csids: CsidsTable;
  compliance_steps: ComplianceStepsTable;
  unit_transitions: UnitTransitionsTable;
  zatca_exchanges: ZatcaExchangesTable;
  key_store: KeyStoreTable;
}

export type Taxpayer = Selectable<TaxpayersTable>;
export type VatGroupMember = Selectable<VatGroupMembersTable>;
export type Branch = Selectable<BranchesTable>;
export type EgsUnit = Selectable<EgsUnitsTable>;
export type UnitKey = Selectable<UnitKeysTable>;
export type Csr = Selectable<CsrsTable>;
export type Csid = Selectable<CsidsTable>;
export type UnitTransition = Selectable<UnitTransitionsTable>;
export type ZatcaExchange = Selectable<ZatcaExchangesTable>;
export type IssuedDocument = Selectable<DocumentsTable>;
export type Submission = Selectable<SubmissionsTable>;
export type SubmissionAttempt = Selectable<SubmissionAttemptsTable>;
export type DocumentClearance = Selectable<DocumentClearancesTable>;
