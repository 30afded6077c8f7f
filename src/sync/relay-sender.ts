// Which unit's CSID submits a document: its own, or — for a branch unit synced to head office —
// head office's relay unit (ZATCA allows another certificate under the same VAT number to submit; docs/branch-node.md).
import { FleetError } from '../egs/errors.js';
import type { Kysely } from 'kysely';
import type { Database, IssuedDocument } from '../store/index.js';
import { syncDb } from './schema.js';

export async function senderUnitOf(db: Kysely<Database>, doc: Pick<IssuedDocument, 'unit_id'>): Promise<string> {
  const link = await syncDb(db)
    .selectFrom('sync_units')
    .leftJoin('sync_branches', 'sync_branches.branch_id', 'sync_units.branch_id')
    .select(['sync_branches.relay_unit_id'])
    .where('sync_units.unit_id', '=', doc.unit_id)
    .executeTakeFirst();
  if (!link) return doc.unit_id;
  if (!link.relay_unit_id) {
    throw new FleetError(
      'UNIT_NOT_ACTIVE',
      "this branch unit's documents were handed to head office for relay, but the branch has no relay unit: set one (PUT …/branches/{branch}/sync) and retry held jobs",
      {
        messageAr: 'سُلّمت مستندات هذه الوحدة للمقر لترحيلها لكن لا توجد وحدة ترحيل للفرع؛ عيّن واحدة ثم أعد المحاولة',
      },
    );
  }
  return link.relay_unit_id;
}
