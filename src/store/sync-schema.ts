// The sync tables (migrations 0004 and 0011) as Kysely sees them, joined to the fleet's tables so one
// typed handle serves both; the sync repositories (store/sync-*-repository.ts) take this handle.
import type { Generated, Kysely } from 'kysely';
import type { Database } from './schema.js';

/**
 * How a submission's message begins when its "accepted" is a branch's word, not ZATCA's signed answer
 * (reporting answers carry no signature): written by sync/receive.ts, read by reports (drill-down,
 * reconciliation) to show it as such.
 */
export const REPORTED_BY_BRANCH = 'reported by branch';

export interface SyncTokensTable {
  id: string;
  name: string;
  taxpayer_id: string;
  branch_id: string;
  token_hash: string;
  created_at: string;
  created_by: string;
  expires_at: string | null;
  revoked_at: string | null;
  last_used_at: string | null;
}

export interface SyncBranchesTable {
  branch_id: string;
  taxpayer_id: string;
  /** `direct`: the branch reports its documents itself; `relay`: head office submits them with its own CSID. */
  reporting: string;
  relay_unit_id: string | null;
  node_name: string | null;
  last_sync_at: string | null;
  last_batch_id: string | null;
  /** JSON `[{serial, generation, icv, hash}]`: the heads the branch reported in its last batch. */
  reported_heads: string;
  updated_at: string;
}

export interface SyncUnitsTable {
  unit_id: string;
  taxpayer_id: string;
  branch_id: string;
  first_synced_at: string;
}

export interface SyncBatchesTable {
  branch_id: string;
  batch_id: string;
  taxpayer_id: string;
  documents: number;
  stored: number;
  received_at: string;
}

export interface SyncIncidentsTable {
  id: Generated<number>;
  taxpayer_id: string;
  branch_id: string;
  unit_serial: string;
  icv: number;
  /** `fork`, `gap`, `invalid`. */
  kind: string;
  stored_hash: string | null;
  received_hash: string | null;
  batch_id: string;
  message: string;
  at: string;
}

export interface SyncPushedTable {
  document_id: string;
  taxpayer_id: string;
  unit_id: string;
  icv: number;
  /** `branch` (the branch's outbox submits) or `hq` (head office relays). */
  claim: string;
  acked_state: string;
  acked_at: string;
}

export interface SyncNodeTable {
  key: string;
  value: string;
  updated_at: string;
}

export interface SyncEnrolmentsTable {
  id: string;
  taxpayer_id: string;
  branch_id: string;
  serial: string;
  generation: number;
  name: string;
  title: string;
  environment: string;
  /** base64 DER of the unit's production certificate. */
  certificate: string;
  certificate_serial: string;
  not_before: string;
  not_after: string;
  /** JSON `[{id, status, message}]`: what head office checked on the certificate. */
  checks: string;
  /** `pending`, `approved`, `refused`. */
  state: string;
  unit_id: string | null;
  requested_at: string;
  requested_by: string;
  decided_at: string | null;
  decided_by: string | null;
}

export interface ZatcaAuthoritiesTable {
  environment: string;
  /** `issuing-ca` or `stamp`. */
  kind: string;
  /** base64 DER. */
  certificate: string;
  subject: string;
  not_after: string;
  added_at: string;
  added_by: string;
}

export interface SyncDatabase extends Database {
  sync_tokens: SyncTokensTable;
  sync_branches: SyncBranchesTable;
  sync_units: SyncUnitsTable;
  sync_batches: SyncBatchesTable;
  sync_incidents: SyncIncidentsTable;
  sync_pushed: SyncPushedTable;
  sync_node: SyncNodeTable;
  sync_enrolments: SyncEnrolmentsTable;
  zatca_authorities: ZatcaAuthoritiesTable;
}

export type SyncDb = Kysely<SyncDatabase>;

/** The same connection, typed with the sync tables too. */
export function syncDb(db: Kysely<Database>): SyncDb {
  return db as unknown as SyncDb;
}
