// Issue 6, issuing on SQLite and PostgreSQL: concurrent calls on one unit and on several units keep
// every chain whole; the database refuses changes to stored documents; the clock guard; notes and
// partial returns; idempotent retries; bad input; clearance (sync, 303, 400, 401) and validation.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUnit, onboardUnit, resolveUnit, retireUnit } from '../../src/egs/index.js';
import { auditChains } from '../../src/audit/index.js';
import { issueDocument, type IssueError } from '../../src/issuing/index.js';
import { outboxStatus } from '../../src/outbox/index.js';
import { validateInvoice } from '../../src/rules/index.js';
import type { RunningSimulator } from '../../src/simulator/index.js';
import { documents, submissions } from '../../src/store/index.js';
import { INITIAL_PIH } from '../../src/model/chain.js';
import { CHAIN_VAT, ENGINES, otpsFor, startFleetSimulator } from '../egs/helpers.js';
import { drain, issuingFleet, saleJson, type IssuingFleet } from './helpers.js';

async function refusal(p: Promise<unknown>): Promise<IssueError> {
  try {
    await p;
  } catch (error) {
    return error as IssueError;
  }
  throw new Error('expected a refusal');
}

describe.each(ENGINES)('issuing on %s', (engine) => {
  let sim: RunningSimulator;
  let f: IssuingFleet;
  let n = 0;
  const sale = (o: Partial<Parameters<typeof saleJson>[2]> = {}) => saleJson(f.taxpayer, f.branch, { number: `INV-${engine}-${++n}`, ...o });
  const issue = (unit: string, json: unknown, options = {}) => issueDocument(f.ctx, f.taxpayer, unit, json, options);

  beforeAll(async () => {
    sim = await startFleetSimulator();
    f = await issuingFleet(engine, sim, 3);
  });
  afterAll(async () => {
    await f?.close();
    await sim?.close();
  });

  it('40 concurrent calls on one unit: ICV 1..40, each PIH the previous hash, no gap, duplicate or fork; other units in parallel', async () => {
    const results = await Promise.all([
      ...Array.from({ length: 40 }, () => issue('POS-1', sale())),
      ...Array.from({ length: 15 }, () => issue('POS-2', sale())),
      ...Array.from({ length: 15 }, () => issue('POS-3', sale())),
    ]);
    for (const unit of f.units) {
      const chain = await documents.unitChainPage(f.ctx.store.db, f.taxpayer.id, unit.id, 0, 1000);
      const expected = unit.name === 'POS-1' ? 40 : 15;
      expect(chain.map((d) => d.icv)).toEqual(Array.from({ length: expected }, (_, i) => i + 1));
      for (const [i, d] of chain.entries()) expect(d.pih).toBe(i === 0 ? INITIAL_PIH : chain[i - 1]!.invoice_hash);
      const head = await resolveUnit(f.ctx, f.taxpayer, unit.id);
      expect([head.icv, head.pih]).toEqual([expected, chain.at(-1)!.invoice_hash]);
    }
    expect(new Set(results.map((r) => r.uuid)).size).toBe(70);
    // Simplified documents are released at once: the stored bytes are the buyer's document.
    expect(results.every((r) => r.released && r.legalXml === r.xml && r.submission.state === 'to-submit')).toBe(true);
    // Our validator passes every one (XSD, EN16931, KSA, QR, signature, PIH against the chain).
    for (const r of results.slice(0, 5)) {
      const report = validateInvoice(r.xml, { pih: r.pih, now: f.ctx.clock.now() });
      expect(report.errors).toEqual([]);
      expect(report.valid).toBe(true);
    }
    const audit = await auditChains(f.ctx, f.taxpayer);
    expect(audit.breaks).toEqual([]);
    expect(audit.documents).toBe(70);
  });

  it('the database refuses UPDATE and DELETE of stored documents (raw SQL), and a head that goes back', async () => {
    const r = await issue('POS-1', sale());
    const db = f.ctx.store.db;
    // SQLite: the triggers; PostgreSQL: the service's role has no such right (the triggers stop the owner: test/security/database.test.ts).
    const refused = engine === 'postgres' ? /permission denied/ : /immutable/;
    await expect(sql`update documents set xml = ${'<Invoice/>'} where id = ${r.id}`.execute(db)).rejects.toThrow(refused);
    await expect(sql`update documents set icv = 999 where id = ${r.id}`.execute(db)).rejects.toThrow(refused);
    await expect(sql`delete from documents where id = ${r.id}`.execute(db)).rejects.toThrow(refused);
    await expect(sql`update egs_units set icv = 1 where id = ${r.unitId}`.execute(db)).rejects.toThrow(/chain head/);
    await expect(sql`update egs_units set pih = ${INITIAL_PIH} where id = ${r.unitId}`.execute(db)).rejects.toThrow(/chain head/);
    if (engine === 'postgres') await expect(sql`truncate documents cascade`.execute(db)).rejects.toThrow(refused);
    // A document that does not link to the chain cannot be inserted, whatever writes it.
    const copy = { ...(await documents.findById(db, r.id))!, id: 'forged', uuid: 'forged', number: 'forged', icv: r.icv + 5 };
    await expect(documents.insertDocument(db, copy)).rejects.toThrow(/chain break/);
    // SQLite's INSERT OR REPLACE deletes the old row implicitly; the BEFORE INSERT guard (migration
    // 0007) refuses it first, whatever recursive_triggers is (test/security/database.test.ts).
    if (engine === 'sqlite') {
      await expect(sql`insert or replace into documents select * from documents where id = ${r.id}`.execute(db)).rejects.toThrow(/never replaced/);
      await expect(sql`insert or replace into egs_units select * from egs_units where id = ${r.unitId}`.execute(db)).rejects.toThrow(/never replaced/);
    }
    expect((await documents.findById(db, r.id))!.xml).toBe(r.xml);
  });

  it('clock guard: a clock earlier than the last issue time is refused; the chain is unchanged', async () => {
    const before = await resolveUnit(f.ctx, f.taxpayer, 'POS-2');
    const real = f.ctx.clock;
    f.ctx.clock = { now: () => new Date(Date.parse(before.last_issued_at!) - 60_000) };
    try {
      const e = await refusal(issue('POS-2', sale()));
      expect(e.reason).toBe('CLOCK_BEHIND');
      expect(e.messageAr).toBeTruthy();
    } finally {
      f.ctx.clock = real;
    }
    expect((await resolveUnit(f.ctx, f.taxpayer, 'POS-2')).icv).toBe(before.icv);
  });

  it('retrying with the same UUID returns the stored document; the same number with another UUID is refused', async () => {
    const json = sale();
    const a = await issue('POS-3', json);
    const b = await issue('POS-3', json);
    expect(b.replayed).toBe(true);
    expect([b.id, b.icv, b.invoiceHash]).toEqual([a.id, a.icv, a.invoiceHash]);
    expect((await refusal(issue('POS-3', { ...json, uuid: crypto.randomUUID() }))).reason).toBe('DUPLICATE');
    expect((await refusal(issue('POS-2', json))).reason).toBe('DUPLICATE');
    expect((await resolveUnit(f.ctx, f.taxpayer, 'POS-3')).icv).toBe(a.icv);
  });

  it('bad input: clear errors naming the field, nothing issued', async () => {
    const before = (await resolveUnit(f.ctx, f.taxpayer, 'POS-1')).icv;
    expect((await refusal(issue('POS-1', { ...sale(), icv: 7 }))).reason).toBe('ASSIGNED_FIELD');
    const wrongSeller = sale();
    (wrongSeller.seller as Record<string, unknown>).vatNumber = '399999999900003';
    expect((await refusal(issue('POS-1', wrongSeller))).reason).toBe('SELLER_MISMATCH');
    const bad = await refusal(issue('POS-1', { ...sale(), lines: [] }));
    expect(bad.code).toBe('INVALID_INPUT');
    expect(bad.field).toMatch(/lines/);
    expect((await refusal(issue('NO-SUCH-UNIT', sale()))).code).toBe('NOT_FOUND');
    expect((await resolveUnit(f.ctx, f.taxpayer, 'POS-1')).icv).toBe(before);
  });

  it('credit and debit notes against an earlier document of another unit; partial returns; never more than remains', async () => {
    const original = await issue('POS-1', sale({ lines: 1, price: '100.00' }));
    const credit1 = await issue('POS-2', sale({ lines: 1, price: '40.00', note: { type: 'creditNote', of: original.number, uuid: original.uuid } }));
    expect(credit1.documentType).toBe('creditNote');
    expect(validateInvoice(credit1.xml, { pih: credit1.pih, now: f.ctx.clock.now() }).errors).toEqual([]);
    const stored = (await documents.findById(f.ctx.store.db, credit1.id))!;
    expect(stored.original_document_id).toBe(original.id);
    expect((await refusal(issue('POS-2', sale({ lines: 1, price: '70.00', note: { type: 'creditNote', of: original.number } })))).reason).toBe(
      'NOTE_EXCEEDS_ORIGINAL',
    );
    await issue('POS-3', sale({ lines: 1, price: '60.00', note: { type: 'creditNote', of: original.number } }));
    // A debit note raises what may be returned.
    await issue('POS-1', sale({ lines: 1, price: '10.00', note: { type: 'debitNote', of: original.number } }));
    await issue('POS-1', sale({ lines: 1, price: '10.00', note: { type: 'creditNote', of: original.number } }));
    expect((await refusal(issue('POS-1', sale({ note: { type: 'creditNote', of: 'NOT-ISSUED' } })))).reason).toBe('REFERENCE_NOT_FOUND');
    expect((await refusal(issue('POS-1', sale({ kind: 'standard', note: { type: 'creditNote', of: original.number } }), { clearance: 'queue' }))).reason).toBe(
      'REFERENCE_MISMATCH',
    );
    expect((await refusal(issue('POS-1', sale({ note: { type: 'creditNote', of: original.number, uuid: crypto.randomUUID() } })))).reason).toBe(
      'REFERENCE_MISMATCH',
    );
  });

  it("a standard document is cleared before release: ZATCA's cleared XML is the legal document, the original is kept", async () => {
    const r = await issue('POS-1', sale({ kind: 'standard' }));
    expect(r.submission.state).toBe('accepted');
    expect(r.released).toBe(true);
    expect(r.legalXml).not.toBe(r.xml);
    const cleared = (await documents.findClearance(f.ctx.store.db, r.id))!;
    expect(cleared.xml).toBe(r.legalXml);
    expect(cleared.invoice_hash).toBe(r.invoiceHash);
    expect((await documents.findById(f.ctx.store.db, r.id))!.xml).toBe(r.xml);
    const history = sim.control.env('simulation').history('1-Fawtara|2-POS|3-U1');
    expect(history.filter((h) => h.uuid === r.uuid).map((h) => [h.endpoint, h.httpStatus])).toEqual([['clearance', 200]]);
  });

  it('303 clearance switched off: the standard document is reported instead and released as stamped', async () => {
    sim.control.env('simulation').setClearance(false);
    try {
      const r = await issue('POS-2', sale({ kind: 'standard' }));
      expect([r.submission.state, r.submission.endpoint, r.released]).toEqual(['accepted', 'reporting', true]);
      expect(r.legalXml).toBe(r.xml);
      const history = sim.control
        .env('simulation')
        .history('1-Fawtara|2-POS|3-U2')
        .filter((h) => h.uuid === r.uuid);
      expect(history.map((h) => [h.endpoint, h.httpStatus]).at(-1)).toEqual(['reporting', 200]);
      expect(history.some((h) => h.endpoint === 'clearance' && h.httpStatus === 200)).toBe(false);
    } finally {
      sim.control.env('simulation').setClearance(true);
    }
  });

  it('the outbox reports the queue; 400 keeps the document in the chain (next PIH is its hash); 401 revokes the unit and holds its jobs', async () => {
    const env = sim.control.env('simulation');
    const first = await drain(f.ctx);
    expect(first.byState.accepted).toBeGreaterThan(70);
    expect(first.late).toBe(0);
    // Reported more than 24 h late, with BR-KSA-98 made an error: ZATCA answers 400.
    env.configure({ severityOverrides: { 'BR-KSA-98': 'ERROR' } });
    const rejected = await issue('POS-3', sale());
    sim.control.clock.advance(25 * 3600);
    await drain(f.ctx);
    env.configure({ severityOverrides: {} });
    const sub = (await submissions.findSubmission(f.ctx.store.db, rejected.id))!;
    expect(sub.state).toBe('rejected');
    const next = await issue('POS-3', sale());
    expect([next.icv, next.pih]).toEqual([rejected.icv + 1, rejected.invoiceHash]);
    await drain(f.ctx);
    expect((await submissions.findSubmission(f.ctx.store.db, next.id))!.state).toBe('accepted');

    const status = await outboxStatus(f.ctx, f.taxpayer.id);
    expect(status.depth).toBe(0);
    expect(status.byState).toMatchObject({ rejected: 1 });
    expect(status.deliveredLate).toBe(1);

    env.revoke('1-Fawtara|2-POS|3-U3', 'lost');
    const held = await issue('POS-3', sale());
    await drain(f.ctx);
    expect((await submissions.findSubmission(f.ctx.store.db, held.id))!.state).toBe('held');
    expect((await resolveUnit(f.ctx, f.taxpayer, 'POS-3')).state).toBe('revoked');
    // units retire sees the unsubmitted document.
    await expect(retireUnit(f.ctx, f.taxpayer, 'POS-3')).rejects.toThrow(/1 document\(s\) ZATCA has not received/);
    // The device comes back only as a new unit: same name, a new chain from ICV 1 (policy: chains never reset).
    const again = await addUnit(f.ctx, f.taxpayer, { branch: f.branch.name, serial: '1-Fawtara|2-POS|3-U3', replaces: 'POS-3' });
    await onboardUnit(f.ctx, f.taxpayer, again.id, { otp: otpsFor(sim, CHAIN_VAT, 1)[0]! });
    const fresh = await issue('POS-3', sale());
    expect([fresh.unitId, fresh.icv, fresh.pih]).toEqual([again.id, 1, INITIAL_PIH]);
    const audit = await auditChains(f.ctx, f.taxpayer, { zatcaHistory: (unit) => env.history(unit.serial) });
    expect(audit.breaks).toEqual([]);
  });
});
