// Which unit's CSID submits a document: its own, or — for a branch unit synced to head office —
// head office's relay unit (ZATCA allows another certificate under the same VAT number to submit; docs/branch-node.md).
import { FleetError } from '../egs/errors.js';
import type { Kysely } from 'kysely';
import { sync, type Database, type IssuedDocument } from '../store/index.js';

export async function senderUnitOf(db: Kysely<Database>, doc: Pick<IssuedDocument, 'unit_id'>): Promise<string> {
  const relay = await sync.relayUnitOf(db, doc.unit_id);
  if (relay === undefined) return doc.unit_id;
  if (relay === null) {
    throw new FleetError(
      'UNIT_NOT_ACTIVE',
      "this branch unit's documents were handed to head office for relay, but the branch has no relay unit: set one (PUT …/branches/{branch}/sync) and retry held jobs",
      {
        messageAr: 'سُلّمت مستندات هذه الوحدة للمقر لترحيلها لكن لا توجد وحدة ترحيل للفرع؛ عيّن واحدة ثم أعد المحاولة',
      },
    );
  }
  return relay;
}
