// The audit log's two queries: append a row (the database refuses UPDATE, DELETE and TRUNCATE) and
// page backwards from the newest, filtered to a taxpayer or branch.
import type { Insertable, Kysely } from 'kysely';
import type { AuditLogTable, AuditRow } from './access-schema.js';
import type { Database } from './schema.js';

type Db = Kysely<Database>;

export async function appendAuditRow(db: Db, row: Insertable<AuditLogTable>): Promise<void> {
  await db.insertInto('audit_log').values(row).execute();
}

export interface AuditQuery {
  taxpayerId?: string | null;
  branchId?: string | null;
  /** Rows with an id below this one (paging backwards from the newest). */
  before?: number;
  limit: number;
  action?: string;
}

export function listAuditRows(db: Db, q: AuditQuery): Promise<AuditRow[]> {
  let query = db.selectFrom('audit_log').selectAll();
  if (q.taxpayerId) query = query.where('taxpayer_id', '=', q.taxpayerId);
  if (q.branchId) query = query.where('branch_id', '=', q.branchId);
  if (q.before !== undefined) query = query.where('id', '<', q.before);
  if (q.action) query = query.where('action', '=', q.action);
  return query.orderBy('id', 'desc').limit(q.limit).execute();
}
