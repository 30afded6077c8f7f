// The reads behind reports and the archive: a period's documents with their unit, branch,
// submission state and clearance, without the XML unless asked (a quarter can hold millions).
import type { Kysely } from 'kysely';
import { REPORTED_BY_BRANCH, type Database } from '../store/index.js';
import type { Period } from './period.js';
import { prepaymentLinesOf } from './prepaid.js';

type Db = Kysely<Database>;

export interface Scope {
  taxpayerId: string;
  branchId?: string | undefined;
  unitId?: string | undefined;
}

export interface PeriodDocument {
  id: string;
  unit_id: string;
  unit_name: string;
  branch_id: string;
  branch_name: string;
  icv: number;
  pih: string;
  invoice_hash: string;
  uuid: string;
  number: string;
  document_type: string;
  type_code: string;
  kind: string;
  issue_date: string;
  issue_time: string;
  issued_at: string;
  deadline_at: string;
  currency: string;
  exchange_rate: string | null;
  buyer_vat: string | null;
  buyer_name: string | null;
  original_number: string | null;
  original_document_id: string | null;
  tax_exclusive_amount: string;
  tax_amount: string;
  tax_amount_sar: string;
  taxable_amount_sar: string;
  vat_breakdown: string;
  /** JSON PrepaidLine[]: what a final invoice deducts; filled from the XML where not stored. */
  prepaid_breakdown: string;
  qr: string;
  state: string | null;
  duplicate: number | null;
  late: number | null;
  endpoint: string | null;
  accepted_at: string | null;
  cleared_at: string | null;
  last_message: string | null;
}

/** Documents issued in the period (by issue date), in unit and chain order. */
export async function periodDocuments(db: Db, scope: Scope, period: Period): Promise<PeriodDocument[]> {
  let q = db
    .selectFrom('documents as d')
    .innerJoin('egs_units as u', 'u.id', 'd.unit_id')
    .innerJoin('branches as b', 'b.id', 'u.branch_id')
    .leftJoin('submissions as s', 's.document_id', 'd.id')
    .leftJoin('document_clearances as c', 'c.document_id', 'd.id')
    .select([
      'd.id',
      'd.unit_id',
      'u.name as unit_name',
      'u.branch_id',
      'b.name as branch_name',
      'd.icv',
      'd.pih',
      'd.invoice_hash',
      'd.uuid',
      'd.number',
      'd.document_type',
      'd.type_code',
      'd.kind',
      'd.issue_date',
      'd.issue_time',
      'd.issued_at',
      'd.deadline_at',
      'd.currency',
      'd.exchange_rate',
      'd.buyer_vat',
      'd.buyer_name',
      'd.original_number',
      'd.original_document_id',
      'd.tax_exclusive_amount',
      'd.tax_amount',
      'd.tax_amount_sar',
      'd.taxable_amount_sar',
      'd.vat_breakdown',
      'd.prepaid_breakdown',
      'd.qr',
      's.state',
      's.duplicate',
      's.late',
      's.endpoint',
      's.accepted_at',
      's.last_message',
      'c.cleared_at',
    ])
    .where('d.taxpayer_id', '=', scope.taxpayerId)
    .where('d.issue_date', '>=', period.from)
    .where('d.issue_date', '<', period.toExclusive)
    .orderBy('u.name')
    .orderBy('d.icv');
  if (scope.branchId) q = q.where('u.branch_id', '=', scope.branchId);
  if (scope.unitId) q = q.where('d.unit_id', '=', scope.unitId);
  const rows = await q.execute();
  const prepaid = await unrecordedPrepayments(
    db,
    scope.taxpayerId,
    // Adjustment lines belong on the final tax invoice (388) only (docs/zatca-notes.md §1.4).
    rows.filter((r) => (r.prepaid_breakdown ?? null) === null && r.document_type === 'invoice').map((r) => r.id),
  );
  return rows.map((r) => ({
    ...r,
    icv: Number(r.icv),
    duplicate: r.duplicate === null ? null : Number(r.duplicate),
    late: r.late === null ? null : Number(r.late),
    prepaid_breakdown: r.prepaid_breakdown ?? prepaid.get(r.id) ?? '[]',
  }));
}

/**
 * Documents stored without their prepayments recorded (before migration 0010, or by another
 * writer): read them from the stored XML, a page at a time. Only these rows pay for a parse.
 */
async function unrecordedPrepayments(db: Db, taxpayerId: string, ids: readonly string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (let i = 0; i < ids.length; i += 200) {
    const bytes = await documentBytes(db, taxpayerId, ids.slice(i, i + 200));
    for (const [id, { xml }] of bytes) out.set(id, JSON.stringify(prepaymentLinesOf(xml)));
  }
  return out;
}

/** The stored bytes of documents (and ZATCA's cleared version), a page at a time. */
export async function documentBytes(db: Db, taxpayerId: string, ids: readonly string[]): Promise<Map<string, { xml: string; cleared: string | null }>> {
  const out = new Map<string, { xml: string; cleared: string | null }>();
  if (ids.length === 0) return out;
  const rows = await db
    .selectFrom('documents as d')
    .leftJoin('document_clearances as c', 'c.document_id', 'd.id')
    .select(['d.id', 'd.xml', 'c.xml as cleared'])
    .where('d.taxpayer_id', '=', taxpayerId)
    .where('d.id', 'in', [...ids])
    .execute();
  for (const r of rows) out.set(r.id, { xml: r.xml, cleared: r.cleared ?? null });
  return out;
}

/** Of these documents (by id or by UUID), those ZATCA rejected; in chunks, so any number of references fits. */
export async function rejectedDocuments(
  db: Db,
  taxpayerId: string,
  by: 'id' | 'uuid',
  refs: readonly string[],
): Promise<Array<{ id: string; uuid: string; number: string; document_type: string }>> {
  const out: Array<{ id: string; uuid: string; number: string; document_type: string }> = [];
  const unique = [...new Set(refs)];
  for (let i = 0; i < unique.length; i += 500) {
    const rows = await db
      .selectFrom('documents as d')
      .innerJoin('submissions as s', 's.document_id', 'd.id')
      .select(['d.id', 'd.uuid', 'd.number', 'd.document_type'])
      .where('d.taxpayer_id', '=', taxpayerId)
      .where('s.state', '=', 'rejected')
      .where(by === 'id' ? 'd.id' : 'd.uuid', 'in', unique.slice(i, i + 500))
      .execute();
    out.push(...rows);
  }
  return out;
}

/**
 * What a counted document's ZATCA state rests on: ZATCA's stamp on the cleared document, ZATCA's
 * own answer to our submission, or a branch's word for a document it reported itself (docs/branch-node.md).
 */
export function evidenceOf(d: Pick<PeriodDocument, 'cleared_at' | 'last_message'>): 'zatca-stamp' | 'zatca-answer' | 'reported-by-branch' {
  if (d.cleared_at !== null) return 'zatca-stamp';
  return d.last_message?.startsWith(REPORTED_BY_BRANCH) ? 'reported-by-branch' : 'zatca-answer';
}
