// What head office trusts from branch nodes: unit enrolments (requested, approved, refused) with the
// certificates they register, and ZATCA's authority certificates per environment.
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';
import { syncDb, type SyncEnrolmentsTable, type ZatcaAuthoritiesTable } from './sync-schema.js';

type Db = Kysely<Database>;

export function findEnrolmentByCertificate(db: Db, taxpayerId: string, serial: string, generation: number, certificateSerial: string) {
  return syncDb(db)
    .selectFrom('sync_enrolments')
    .selectAll()
    .where('taxpayer_id', '=', taxpayerId)
    .where('serial', '=', serial)
    .where('generation', '=', generation)
    .where('certificate_serial', '=', certificateSerial)
    .executeTakeFirst();
}

export function findEnrolment(db: Db, taxpayerId: string, id: string) {
  return syncDb(db).selectFrom('sync_enrolments').selectAll().where('taxpayer_id', '=', taxpayerId).where('id', '=', id).executeTakeFirst();
}

export async function insertEnrolment(db: Db, row: SyncEnrolmentsTable): Promise<void> {
  await syncDb(db).insertInto('sync_enrolments').values(row).execute();
}

export function listEnrolments(db: Db, taxpayerId: string, filter: { branchId?: string; state?: string } = {}) {
  let q = syncDb(db).selectFrom('sync_enrolments').selectAll().where('taxpayer_id', '=', taxpayerId).orderBy('requested_at', 'desc').limit(500);
  if (filter.branchId) q = q.where('branch_id', '=', filter.branchId);
  if (filter.state) q = q.where('state', '=', filter.state);
  return q.execute();
}

/** Compare-and-set from `pending`: two administrators deciding at once cannot both win. */
export async function decideEnrolment(
  db: Db,
  id: string,
  decision: { state: 'approved' | 'refused'; unitId: string | null; checks: string; at: string; by: string },
): Promise<boolean> {
  const r = await syncDb(db)
    .updateTable('sync_enrolments')
    .set({ state: decision.state, unit_id: decision.unitId, checks: decision.checks, decided_at: decision.at, decided_by: decision.by })
    .where('id', '=', id)
    .where('state', '=', 'pending')
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** The certificates (base64 DER) registered for a unit: those of its approved enrolments. */
export async function registeredCertificates(db: Db, unitIds: readonly string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  if (unitIds.length === 0) return out;
  const rows = await syncDb(db)
    .selectFrom('sync_enrolments')
    .select(['unit_id', 'certificate'])
    .where('unit_id', 'in', [...unitIds])
    .where('state', '=', 'approved')
    .execute();
  for (const r of rows) out.set(r.unit_id!, [...(out.get(r.unit_id!) ?? []), r.certificate]);
  return out;
}

export async function addAuthority(db: Db, row: ZatcaAuthoritiesTable): Promise<boolean> {
  const found = await syncDb(db)
    .selectFrom('zatca_authorities')
    .select('kind')
    .where('environment', '=', row.environment)
    .where('kind', '=', row.kind)
    .where('certificate', '=', row.certificate)
    .executeTakeFirst();
  if (found) return false;
  await syncDb(db).insertInto('zatca_authorities').values(row).execute();
  return true;
}

export function authorities(db: Db, environment: string, kind?: string) {
  let q = syncDb(db).selectFrom('zatca_authorities').selectAll().where('environment', '=', environment);
  if (kind) q = q.where('kind', '=', kind);
  return q.orderBy('added_at').execute();
}
