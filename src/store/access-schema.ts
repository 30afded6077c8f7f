// The access-control tables of migration 0003 as Kysely sees them: users, sessions, device tokens,
// login throttling, one-time setup tokens and the append-only audit log (part of `Database`).
import type { Generated, Selectable } from 'kysely';
import type { Instant } from './instant.js';

export interface UsersTable {
  id: string;
  /** Lower-case login name, unique across the installation. */
  username: string;
  display_name: string | null;
  role: string;
  /** Null only for a global admin (every taxpayer). */
  taxpayer_id: string | null;
  branch_id: string | null;
  unit_id: string | null;
  /** `scrypt$N$r$p$salt$hash` (base64): never leaves the access layer. */
  password_hash: string;
  disabled: number;
  created_at: Instant;
  created_by: string;
  password_changed_at: Instant;
}

export interface SessionsTable {
  id: string;
  user_id: string;
  token_hash: string;
  created_at: Instant;
  expires_at: Instant;
  last_seen_at: Instant;
  ended_at: Instant | null;
  ip: string | null;
}

export interface ApiTokensTable {
  id: string;
  name: string;
  taxpayer_id: string;
  branch_id: string;
  /** The one unit this device token may act for. */
  unit_id: string;
  token_hash: string;
  created_at: Instant;
  created_by: string;
  expires_at: Instant | null;
  revoked_at: Instant | null;
  last_used_at: Instant | null;
}

export interface LoginThrottleTable {
  /** What is counted: `user:<sha-256 of the name>`, `ip:<address>`, `token:<address>`, `password:<user id>`. */
  key: string;
  /** Attempts counted since the last success (each is counted before its secret is checked). */
  failures: number;
  locked_until: Instant | null;
  last_failure_at: Instant;
}

export interface SetupTokensTable {
  id: string;
  token_hash: string;
  created_at: Instant;
  expires_at: Instant;
  used_at: Instant | null;
  used_by: string | null;
  revoked_at: Instant | null;
}

export interface AuditLogTable {
  id: Generated<number>;
  at: Instant;
  /** `user:<name>`, `device:<token id>`, `cli:<os user>`, `setup`, `anonymous`. */
  actor: string;
  role: string | null;
  taxpayer_id: string | null;
  branch_id: string | null;
  unit_id: string | null;
  /** What was attempted, e.g. `unit.onboard`, `login.failure`. */
  action: string;
  target: string | null;
  /** `ok`, `denied` or `error`. */
  outcome: string;
  status: number | null;
  ip: string | null;
  request_id: string | null;
  /** JSON object of non-secret facts (redacted before it is written). */
  detail: string;
}

// A type alias, not an interface: `Database` extends it and Kysely wants an indexable record.
export type AccessTables = {
  users: UsersTable;
  sessions: SessionsTable;
  api_tokens: ApiTokensTable;
  login_throttle: LoginThrottleTable;
  setup_tokens: SetupTokensTable;
  audit_log: AuditLogTable;
};

export type UserRow = Selectable<UsersTable>;
export type SessionRow = Selectable<SessionsTable>;
export type ApiTokenRow = Selectable<ApiTokensTable>;
export type SetupTokenRow = Selectable<SetupTokensTable>;
export type ThrottleRow = Selectable<LoginThrottleTable>;
export type AuditRow = Selectable<AuditLogTable>;
