// Document search for the API: by unit, branch, period, state, kind and number, newest first, in
// keyset pages (stable under concurrent issuing), always confined to the caller's scope.
import { FawtaraError } from '../../errors.js';
import { sql } from 'kysely';
import type { Store } from '../../store/index.js';

export interface DocumentFilter {
  taxpayerId: string;
  unitId?: string;
  branchId?: string;
  /** Issued at or after / before these instants (ISO). */
  from?: string;
  to?: string;
  state?: string;
  kind?: string;
  documentType?: string;
  number?: string;
  /** The buyer's VAT number (15 digits, exact) or a part of the buyer's name. */
  buyer?: string;
  /** The operator (cashier id) recorded beside the document (migration 0013). */
  operator?: string;
  limit: number;
  cursor?: string;
}

export interface DocumentRow {
  id: string;
  uuid: string;
  number: string;
  unit_id: string;
  unit_name: string;
  branch_id: string;
  icv: number;
  invoice_hash: string;
  kind: string;
  document_type: string;
  issued_at: string;
  deadline_at: string;
  currency: string;
  tax_exclusive_amount: string;
  tax_amount: string;
  payable_amount: string;
  buyer_vat: string | null;
  buyer_name: string | null;
  original_number: string | null;
  state: string;
  late: number;
  accepted_at: string | null;
}

/** The cursor is the last row's (issued_at, id): opaque to clients, checked when read back. */
export function encodeCursor(row: Pick<DocumentRow, 'issued_at' | 'id'>): string {
  return Buffer.from(`${row.issued_at}|${row.id}`).toString('base64url');
}

function decodeCursor(cursor: string): { at: string; id: string } {
  const [at, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  if (!at || !id || Number.isNaN(Date.parse(at))) {
    throw new FawtaraError('INVALID_INPUT', 'cursor: not a cursor from a previous page (use nextCursor as given)', {
      field: 'querystring.cursor',
      messageAr: 'المؤشر غير صالح؛ استخدم nextCursor كما ورد',
    });
  }
  return { at, id };
}

export async function searchDocuments(store: Store, f: DocumentFilter): Promise<{ rows: DocumentRow[]; nextCursor: string | null }> {
  let q = store.db
    .selectFrom('documents as d')
    .innerJoin('egs_units as u', 'u.id', 'd.unit_id')
    .innerJoin('submissions as s', 's.document_id', 'd.id')
    .select([
      'd.id',
      'd.uuid',
      'd.number',
      'd.unit_id',
      'u.name as unit_name',
      'u.branch_id',
      'd.icv',
      'd.invoice_hash',
      'd.kind',
      'd.document_type',
      'd.issued_at',
      'd.deadline_at',
      'd.currency',
      'd.tax_exclusive_amount',
      'd.tax_amount',
      'd.payable_amount',
      'd.buyer_vat',
      'd.buyer_name',
      'd.original_number',
      's.state',
      's.late',
      's.accepted_at',
    ])
    .where('d.taxpayer_id', '=', f.taxpayerId);
  if (f.unitId) q = q.where('d.unit_id', '=', f.unitId);
  if (f.branchId) q = q.where('u.branch_id', '=', f.branchId);
  if (f.from) q = q.where('d.issued_at', '>=', f.from);
  if (f.to) q = q.where('d.issued_at', '<', f.to);
  if (f.state) q = q.where('s.state', '=', f.state);
  if (f.kind) q = q.where('d.kind', '=', f.kind);
  if (f.documentType) q = q.where('d.document_type', '=', f.documentType);
  if (f.number) q = q.where('d.number', '=', f.number);
  if (f.buyer) {
    const b = f.buyer;
    // A name part: case-insensitive on both engines, its own % and _ taken literally.
    const pattern = `%${b.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    q = /^\d{15}$/.test(b) ? q.where('d.buyer_vat', '=', b) : q.where(sql<boolean>`lower(d.buyer_name) like ${pattern} escape '\\'`);
  }
  if (f.operator) {
    const op = f.operator;
    q = q.where(sql<boolean>`exists (select 1 from document_context c where c.document_id = d.id and c.operator_id = ${op})`);
  }
  if (f.cursor) {
    const c = decodeCursor(f.cursor);
    q = q.where((eb) => eb.or([eb('d.issued_at', '<', c.at), eb.and([eb('d.issued_at', '=', c.at), eb('d.id', '<', c.id)])]));
  }
  const rows = (await q
    .orderBy('d.issued_at', 'desc')
    .orderBy('d.id', 'desc')
    .limit(f.limit + 1)
    .execute()) as DocumentRow[];
  const more = rows.length > f.limit;
  const page = more ? rows.slice(0, f.limit) : rows;
  return { rows: page, nextCursor: more ? encodeCursor(page[page.length - 1]!) : null };
}
