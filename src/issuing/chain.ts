// The one way a document joins a unit's chain (local issuing and branch sync alike): under the unit's
// lock, each link must pass issuing/chain-link.ts (the rule the auditor and the archive check too).
import type { Kysely } from 'kysely';
import { FawtaraError } from '../errors.js';
import { linkProblems } from './chain-link.js';
import { documents, submissions, type Database, type DocumentsTable, type StoreDialect, type SubmissionsTable } from '../store/index.js';

export type ChainLinkKind = 'gap' | 'fork' | 'back-dated';

/** A document that does not continue its unit's stored chain; the transaction is rolled back. */
export class ChainLinkError extends FawtaraError {
  constructor(
    readonly kind: ChainLinkKind,
    readonly serial: string,
    readonly icv: number,
    readonly stored: string | null,
    readonly received: string,
    message: string,
    messageAr: string,
  ) {
    super('CONFLICT', message, { field: 'icv', messageAr, rule: 'KSA-13' });
    this.name = 'ChainLinkError';
  }
}

export interface ChainEntry {
  document: DocumentsTable;
  submission: SubmissionsTable;
}

/**
 * Append documents (in chain order per unit) and their submission jobs, then move the heads. The
 * database triggers (store/migration-0002-issuing.ts) check the same links again.
 */
export async function appendToChain(trx: Kysely<Database>, dialect: StoreDialect, entries: readonly ChainEntry[]): Promise<void> {
  if (entries.length === 0) return;
  const locked = await documents.lockUnits(
    trx,
    dialect,
    entries.map((e) => e.document.taxpayer_id),
    entries.map((e) => e.document.unit_id),
  );
  const heads = new Map([...locked.values()].map((u) => [u.id, { icv: u.icv, pih: u.pih, last: u.last_issued_at }]));
  for (const { document: d } of entries) {
    const unit = locked.get(d.unit_id);
    const head = heads.get(d.unit_id);
    if (!unit || !head) throw new FawtaraError('NOT_FOUND', `unit ${d.unit_id} no longer exists`, { field: 'unit', messageAr: 'الوحدة غير موجودة' });
    const problem = linkProblems({ icv: head.icv, hash: head.pih, issuedAt: head.last }, { icv: d.icv, pih: d.pih, issuedAt: d.issued_at })[0];
    if (problem?.kind === 'repeat') {
      const held = await documents.findAtIcv(trx, unit.id, d.icv);
      throw new ChainLinkError(
        'fork',
        unit.serial,
        d.icv,
        held?.invoice_hash ?? null,
        d.invoice_hash,
        `forked chain: unit ${unit.serial} ICV ${d.icv} — the store holds the document with hash ${held?.invoice_hash ?? '(unknown)'}, the new one (${d.number}) has hash ${d.invoice_hash}; was a database restored from a backup?`,
        `سلسلة متفرعة: الوحدة ${unit.serial} رقم العداد ${d.icv} محفوظ بمستند آخر`,
      );
    }
    if (problem)
      throw new ChainLinkError(
        problem.kind,
        unit.serial,
        d.icv,
        problem.kind === 'back-dated' ? null : head.pih,
        problem.kind === 'fork' ? d.pih : d.invoice_hash,
        `${problem.kind === 'gap' ? 'gapped chain' : problem.kind === 'fork' ? 'forked chain' : 'back-dated document'}: unit ${unit.serial} ICV ${d.icv} (${d.number}) — ${problem.message}`,
        problem.kind === 'gap'
          ? `سلسلة ناقصة: الوحدة ${unit.serial} — أرقام عداد مفقودة قبل ${d.icv}`
          : problem.kind === 'fork'
            ? `سلسلة متفرعة: الوحدة ${unit.serial} رقم العداد ${d.icv} — بصمة المستند السابق لا تطابق`
            : `مستند بتاريخ سابق: الوحدة ${unit.serial} رقم العداد ${d.icv} مؤرخ قبل المستند السابق`,
      );
    heads.set(unit.id, { icv: d.icv, pih: d.invoice_hash, last: d.issued_at });
  }
  // One statement per table; rows go in chain order, so each one's link trigger sees the one before.
  await documents.insertDocuments(
    trx,
    entries.map((e) => e.document),
  );
  await submissions.enqueueMany(
    trx,
    entries.map((e) => e.submission),
  );
  for (const [unitId, head] of heads) {
    const before = locked.get(unitId)!;
    if (head.icv !== before.icv) await documents.advanceHead(trx, before, { icv: head.icv, pih: head.pih, lastIssuedAt: head.last! });
  }
}
