// The one way a document joins a unit's chain (local issuing and branch sync alike): under the unit's
// lock, each link must pass issuing/chain-link.ts (the rule the auditor and the archive check too).
import type { Kysely } from 'kysely';
import { invoiceHashOf } from '../crypto/hash.js';
import { FawtaraError } from '../errors.js';
import { linkProblems } from './chain-link.js';
import {
  documents,
  RESTORE_STEPS,
  StoreFault,
  submissions,
  type Database,
  type DocumentsTable,
  type EgsUnit,
  type StoreDialect,
  type SubmissionsTable,
} from '../store/index.js';

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
  for (const unit of locked.values()) await checkStoredTail(trx, unit);
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
  await checkStoredText(trx, entries);
  // Written and read back in this transaction: if it rolls back, the unit's real head differs and is checked again.
  for (const [unitId, head] of heads) verifiedHeads.set(unitId, headKey(head.icv, head.pih));
}

/**
 * Heads this process verified or wrote itself (unit id → ICV and PIH). Re-hashing the stored tail costs
 * two to three times a whole build-and-stamp, so it runs once per head this process did not write: at
 * the first issue after a start, and after another instance or a branch appended. Forgotten on restart.
 */
const verifiedHeads = new Map<string, string>();
const headKey = (icv: number, pih: string) => `${icv}:${pih}`;

/** For tests that simulate a restart: the next issue of every unit re-hashes its stored tail. */
export function forgetVerifiedTails(): void {
  verifiedHeads.clear();
}

/**
 * The unit's stored tail before it issues again (issue time, under the unit's lock): the document at the
 * head's ICV must still re-hash to the head's PIH. A byte changed behind the database guards, or a
 * damaged page, stops that unit with STORE_DAMAGED naming it, instead of chaining onto a broken link.
 */
async function checkStoredTail(trx: Kysely<Database>, unit: EgsUnit): Promise<void> {
  if (unit.icv === 0 || verifiedHeads.get(unit.id) === headKey(unit.icv, unit.pih)) return;
  const tail = await documents.findAtIcv(trx, unit.id, unit.icv);
  if (tail && tail.invoice_hash === unit.pih && rehashes(tail.xml, tail.invoice_hash)) {
    verifiedHeads.set(unit.id, headKey(unit.icv, unit.pih));
    return;
  }
  throw new StoreFault(
    'INTEGRITY',
    `unit ${unit.name} (${unit.serial}): its last stored document (ICV ${unit.icv}) ${tail ? 'no longer re-hashes to the chain head' : 'is missing'}; the unit will not issue onto a broken chain. Run "fawtara audit" to see the damage. ${RESTORE_STEPS.en}`,
    {
      field: 'unit',
      messageAr: `الوحدة ${unit.name} (${unit.serial}): آخر مستند محفوظ لها (العداد ${unit.icv}) ${tail ? 'لم تعد بصمته تطابق رأس السلسلة' : 'مفقود'}؛ لن تُصدر الوحدة على سلسلة مكسورة. ${RESTORE_STEPS.ar}`,
    },
  );
}

/** Stored bytes are the signed bytes: what the database gives back is exactly the text that was hashed. */
async function checkStoredText(trx: Kysely<Database>, entries: readonly ChainEntry[]): Promise<void> {
  const stored = await documents.xmlOfDocuments(
    trx,
    entries.map((e) => e.document.id),
  );
  for (const { document: d } of entries) {
    if (stored.get(d.id) === d.xml) continue;
    throw new StoreFault('INTEGRITY', `document ${d.number}: the database did not store the exact text that was signed; nothing was written`, {
      field: 'xml',
      messageAr: `المستند ${d.number}: لم تحفظ قاعدة البيانات النص الموقّع نفسه؛ لم يُكتب شيء`,
    });
  }
}

function rehashes(xml: string, hash: string): boolean {
  try {
    return invoiceHashOf(xml).base64 === hash;
  } catch {
    return false;
  }
}
