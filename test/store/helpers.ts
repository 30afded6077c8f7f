// A small legal record written straight into a store (no ZATCA, no signing): a taxpayer, a unit with
// a two-document chain and one row in every guarded table — what the raw-connection attacks aim at.
import { sql } from 'kysely';
import type { Store } from '../../src/store/index.js';
import { INITIAL_PIH } from '../../src/model/chain.js';

const NOW = '2026-03-01T08:00:00.000Z';
const HASH_1 = 'aGFzaC0x';
export const HASH_2 = 'aGFzaC0y';

const document = (icv: number, pih: string, hash: string) => ({
  id: `doc-${icv}`,
  taxpayer_id: 'tp',
  unit_id: 'unit',
  icv,
  pih,
  invoice_hash: hash,
  uuid: `uuid-${icv}`,
  number: `INV-${icv}`,
  document_type: 'invoice',
  type_code: '388',
  transaction_code: '0200000',
  kind: 'simplified',
  issue_date: '2026-03-01',
  issue_time: '11:00:00',
  issued_at: NOW,
  deadline_at: NOW,
  signing_time: NOW,
  csid_id: 'csid',
  currency: 'SAR',
  exchange_rate: null,
  buyer_vat: null,
  buyer_name: null,
  original_document_id: null,
  original_number: null,
  tax_exclusive_amount: '100.00',
  tax_amount: '15.00',
  tax_amount_sar: '15.00',
  tax_inclusive_amount: '115.00',
  payable_amount: '115.00',
  taxable_amount_sar: '100.00',
  vat_breakdown: '[]',
  qr: 'qr',
  xml: `<Invoice>${icv}</Invoice>`,
});

/** The seeded record; the same on SQLite and PostgreSQL. */
export async function seedRecord(store: Store): Promise<void> {
  const db = store.db;
  await db
    .insertInto('taxpayers')
    .values({ id: 'tp', vat_number: '310122393500003', name_ar: 'مكلف', name_en: null, is_vat_group: 0, business_category: 'Retail', created_at: NOW })
    .execute();
  await db
    .insertInto('branches')
    .values({
      id: 'br',
      taxpayer_id: 'tp',
      name: 'Main',
      crn: null,
      street: 'S',
      building_number: '1234',
      district: 'D',
      city: 'C',
      postal_code: '12345',
      short_address: null,
      created_at: NOW,
    })
    .execute();
  await db
    .insertInto('egs_units')
    .values({
      id: 'unit',
      taxpayer_id: 'tp',
      branch_id: 'br',
      member_tin: null,
      name: 'POS-1',
      serial: '1-A|2-B|3-C',
      generation: 1,
      title: '0100',
      environment: 'simulation',
      organization_unit: 'Main',
      state: 'active',
      state_changed_at: NOW,
      icv: 0,
      pih: INITIAL_PIH,
      last_issued_at: null,
      replaces_unit_id: null,
      created_at: NOW,
      key_provider: 'sealed',
    })
    .execute();
  await db
    .insertInto('documents')
    .values(document(1, INITIAL_PIH, HASH_1))
    .execute();
  await db
    .insertInto('documents')
    .values(document(2, HASH_1, HASH_2))
    .execute();
  await db.updateTable('egs_units').set({ icv: 2, pih: HASH_2, last_issued_at: NOW }).where('id', '=', 'unit').execute();
  await db
    .insertInto('document_clearances')
    .values({ document_id: 'doc-1', taxpayer_id: 'tp', unit_id: 'unit', invoice_hash: HASH_1, xml: '<Cleared/>', cleared_at: NOW })
    .execute();
  await db
    .insertInto('submission_attempts')
    .values({
      id: 1,
      document_id: 'doc-1',
      taxpayer_id: 'tp',
      unit_id: 'unit',
      endpoint: 'reporting',
      attempt: 1,
      http_status: 200,
      outcome: 'accepted',
      state_after: 'accepted',
      messages: '[]',
      duration_ms: 5,
      worker: 'w',
      at: NOW,
    } as never)
    .execute();
  await db
    .insertInto('unit_transitions')
    .values({ id: 1, unit_id: 'unit', taxpayer_id: 'tp', from_state: 'new', to_state: 'active', actor: 'test', reason: 'r', at: NOW } as never)
    .execute();
  await db
    .insertInto('zatca_exchanges')
    .values({
      id: 1,
      taxpayer_id: 'tp',
      unit_id: 'unit',
      endpoint: 'reporting',
      request_id: null,
      http_status: 200,
      outcome: 'accepted',
      messages: '[]',
      duration_ms: 5,
      at: NOW,
    } as never)
    .execute();
  await sql`insert into audit_log (id, at, actor, action, outcome, detail) values (1, ${NOW}, 'test', 'seed', 'ok', '{}')`.execute(db);
}

/**
 * One row per guarded table, as `column = value` pairs of its conflicting key and a changed column:
 * what an attacker replaces, upserts, updates or deletes.
 */
export const GUARDED_ROWS: Array<{ table: string; key: Record<string, string | number>; change: [string, string] }> = [
  { table: 'documents', key: { id: 'doc-2' }, change: ['xml', '<Invoice>forged</Invoice>'] },
  { table: 'document_clearances', key: { document_id: 'doc-1' }, change: ['xml', '<Forged/>'] },
  { table: 'submission_attempts', key: { id: 1 }, change: ['outcome', 'rejected'] },
  { table: 'audit_log', key: { id: 1 }, change: ['actor', 'someone-else'] },
  { table: 'unit_transitions', key: { id: 1 }, change: ['actor', 'someone-else'] },
  { table: 'zatca_exchanges', key: { id: 1 }, change: ['outcome', 'rejected'] },
];
