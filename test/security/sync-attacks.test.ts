// Issue 10 "Critical": every forged sync batch is refused with a named reason and one incident row, and
// nothing of it reaches head office's documents, the VAT report or ZATCA (head office relays branch X).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalIdentity, EXAMPLE_CSR_CONFIG } from '../../src/crypto/local-identity.js';
import { retireUnit, unitSigning } from '../../src/egs/index.js';
import { units as unitRepo } from '../../src/store/index.js';
import { buildBatch, listIncidents, receiveBatch, requestEnrolment, SyncError, type SyncBatch } from '../../src/sync/index.js';
import { CHAIN_VAT, ENGINES } from '../egs/helpers.js';
import { drain } from '../issuing/helpers.js';
import { parsePeriod, reconcile, vatReport } from '../../src/reports/index.js';
import { batchOf, forge, rebatch, sell, snapshot, syncWorld, type SyncWorld } from './sync-harness.js';

describe.each(ENGINES)('forged sync batches are refused on %s', (engine) => {
  let w: SyncWorld;
  const now = () => w.hq.ctx.clock.now();

  /** Push a batch as branch X (or another branch); expect the named refusal, one incident and no trace. */
  const refused = async (batch: SyncBatch, reason: string, kind: string, as: 'x' | 'y' = 'x') => {
    const before = await snapshot(w);
    const incidents = (await listIncidents(w.hq.ctx, w.hq.taxpayer)).length;
    const err = await receiveBatch(w.hq.ctx, w.hq.taxpayer, as === 'x' ? w.branchX : w.branchY, batch).catch((e: unknown) => e);
    expect(err, String(err)).toBeInstanceOf(SyncError);
    expect((err as SyncError).reason).toBe(reason);
    expect((err as SyncError).message).toContain('nothing of the batch was stored');
    expect((err as SyncError).toJSON()).toHaveProperty('messageAr');
    const after = await listIncidents(w.hq.ctx, w.hq.taxpayer);
    expect(after.length).toBe(incidents + 1);
    expect(after[0]!.kind).toBe(kind);
    await drain(w.hq.ctx);
    expect(await snapshot(w)).toEqual(before);
    return err as SyncError;
  };
  const headAtHq = async (name: string) => {
    const u = (await unitRepo.findUnit(w.hq.ctx.store.db, w.hq.taxpayer.id, name))!;
    return { icv: u.icv, pih: u.pih };
  };

  beforeAll(async () => {
    w = await syncWorld(engine);
    // Honest traffic first: two sales of X-1, synced and relayed by head office.
    for (let i = 0; i < 2; i++) await sell(w.x, w.x.units[0]!);
    const batch = (await buildBatch(w.x.ctx, w.x.taxpayer, w.optsX))!;
    expect(await receiveBatch(w.hq.ctx, w.hq.taxpayer, w.branchX, batch)).toMatchObject({ stored: 2 });
    await drain(w.hq.ctx);
  }, 90_000);
  afterAll(async () => {
    await w?.close();
  });

  it('a certificate from a home-made CA never becomes a unit, and documents signed with it are refused', async () => {
    // ZATCA Security Features Implementation Standards: the unit's CSID is issued by ZATCA's CA.
    const serial = '1-Fawtara|2-EVIL|3-U1';
    const fake = createLocalIdentity({
      config: { ...EXAMPLE_CSR_CONFIG, serialNumber: serial, organizationIdentifier: CHAIN_VAT },
      now: now(),
    });
    const offer = { serial, generation: 1, name: 'EVIL-1', title: '1100', environment: 'simulation' as const, certificate: fake.certificate.base64 };
    const before = await snapshot(w);
    await expect(requestEnrolment(w.hq.ctx, w.hq.taxpayer, w.branchX, offer, 'attacker')).rejects.toMatchObject({ reason: 'ENROLMENT_REFUSED' });
    expect((await listIncidents(w.hq.ctx, w.hq.taxpayer))[0]).toMatchObject({ kind: 'enrolment', unit_serial: serial });
    expect(await unitRepo.unitsWithSerial(w.hq.ctx.store.db, w.hq.taxpayer.id, serial)).toEqual([]);
    expect(await snapshot(w)).toEqual(before);
    // The same home-made CA naming an enrolled unit's serial: its documents name an unregistered certificate.
    const unit = w.x.units[0]!;
    const impostor = createLocalIdentity({
      config: { ...EXAMPLE_CSR_CONFIG, serialNumber: unit.serial, organizationIdentifier: CHAIN_VAT },
      now: now(),
    });
    const real = await unitSigning(w.x.ctx, w.x.taxpayer, unit.name);
    const doc = await forge(w.x, unit, await headAtHq(unit.name), now(), { ...real, certificate: impostor.certificate, signer: impostor.signer });
    await refused(batchOf([doc]), 'UNREGISTERED_CERTIFICATE', 'unregistered-certificate');
  });

  it('an unsigned document claiming VAT 0.00, accepted, with another document as "cleared" is refused', async () => {
    const unit = w.x.units[0]!;
    const doc = await forge(w.x, unit, await headAtHq(unit.name), now());
    const xml = Buffer.from(doc.xml, 'base64')
      .toString('utf8')
      .replace(/<ext:UBLExtensions>[\s\S]*<\/ext:UBLExtensions>/, '');
    const other = await forge(w.x, unit, await headAtHq(unit.name), now());
    const forged = {
      ...doc,
      xml: Buffer.from(xml, 'utf8').toString('base64'),
      facts: { ...doc.facts, taxAmount: '0.00', taxAmountSar: '0.00' },
      claim: 'branch' as const,
      submission: { ...doc.submission, state: 'accepted', acceptedAt: now().toISOString() },
      clearedXml: other.xml,
    };
    const e = await refused(batchOf([forged]), 'BAD_SIGNATURE', 'signature');
    expect(e.message).toContain('0 signatures');
  });

  it('figures changed in the batch but not in the signed XML are refused (FIGURES_MISMATCH)', async () => {
    const unit = w.x.units[0]!;
    const doc = await forge(w.x, unit, await headAtHq(unit.name), now());
    const changed = { ...doc, facts: { ...doc.facts, taxAmount: '0.00', taxAmountSar: '0.00' } };
    const e = await refused(batchOf([changed]), 'FIGURES_MISMATCH', 'figures');
    expect(e.message).toContain('taxAmount');
    // And a figure changed inside the XML after signing breaks the stamp (BR-KSA-60 invoice hash).
    const xml = Buffer.from(doc.xml, 'base64')
      .toString('utf8')
      .replace(/<cbc:TaxExclusiveAmount currencyID="SAR">[\d.]+</, '<cbc:TaxExclusiveAmount currencyID="SAR">1.00<');
    await refused(batchOf([{ ...doc, xml: Buffer.from(xml).toString('base64') }]), 'BAD_SIGNATURE', 'signature');
  });

  it('a "cleared" XML that is not stamped by ZATCA, or is another document, is refused (BAD_CLEARANCE)', async () => {
    const unit = w.x.units[0]!;
    const doc = await forge(w.x, unit, await headAtHq(unit.name), now());
    const branchSigned = await forge(w.x, unit, { icv: doc.icv, pih: doc.invoiceHash }, now());
    const e = await refused(batchOf([{ ...doc, clearedXml: branchSigned.xml }]), 'BAD_CLEARANCE', 'cleared');
    expect(e.message).toContain('stamp');
    // A genuine ZATCA-stamped cleared document (branch Y cleared it directly) attached to another document.
    const standard = await sell(w.y, w.y.units[0]!, 'standard');
    await drain(w.y.ctx);
    const cleared = (await w.y.ctx.store.db.selectFrom('document_clearances').select('xml').where('document_id', '=', standard.id).executeTakeFirstOrThrow())
      .xml;
    const e2 = await refused(batchOf([{ ...doc, clearedXml: Buffer.from(cleared, 'utf8').toString('base64') }]), 'BAD_CLEARANCE', 'cleared');
    expect(e2.message).toContain('not');
  });

  it('a back-dated document (earlier than the unit’s previous one) is refused (BAD_TIME)', async () => {
    const unit = w.x.units[0]!;
    const doc = await forge(w.x, unit, await headAtHq(unit.name), new Date(now().getTime() - 30 * 60_000));
    const e = await refused(batchOf([doc]), 'BAD_TIME', 'time');
    expect(e.message).toContain('back-dated');
  });

  it('a document dated beyond the 5-minute tolerance of head office’s clock is refused (BAD_TIME)', async () => {
    const unit = w.x.units[0]!;
    const doc = await forge(w.x, unit, await headAtHq(unit.name), new Date(now().getTime() + 24 * 3600_000));
    const e = await refused(batchOf([doc]), 'BAD_TIME', 'time');
    expect(e.message).toContain('more than 5 minutes after');
  });

  it("another branch's unit, a unit never enrolled, and a tampered batch id are refused", async () => {
    await sell(w.y, w.y.units[0]!);
    const ofY = (await buildBatch(w.y.ctx, w.y.taxpayer, w.optsY))!;
    expect(ofY.documents.length).toBeGreaterThan(0);
    await refused(ofY, 'FOREIGN_UNIT', 'foreign-unit', 'x');
    const unit = w.x.units[0]!;
    const doc = await forge(w.x, unit, await headAtHq(unit.name), now());
    const never = w.x.units[2]!; // offered and refused at enrolment
    await refused(batchOf([{ ...doc, serial: never.serial }]), 'NOT_ENROLLED', 'not-enrolled');
    const honest = batchOf([doc]);
    await refused({ ...honest, node: 'node-x-renamed' }, 'BATCH_CONFLICT', 'batch-id');
  });

  it('a retired unit’s documents are refused, so one serial never has two live chains (UNIT_ENDED)', async () => {
    const unit = w.x.units[1]!;
    await sell(w.x, unit);
    await retireUnit(w.hq.ctx, w.hq.taxpayer, unit.name);
    const batch = (await buildBatch(w.x.ctx, w.x.taxpayer, w.optsX))!;
    expect(batch.documents.some((d) => d.serial === unit.serial)).toBe(true);
    await refused(batch, 'UNIT_ENDED', 'unit-ended');
  });

  it('ZATCA state comes only from evidence: a stamped cleared XML, or "reported by branch" for reporting', async () => {
    // Branch Y clears a standard invoice and reports a simplified one itself (direct mode), then syncs.
    const standard = await sell(w.y, w.y.units[0]!, 'standard');
    const simplified = await sell(w.y, w.y.units[0]!);
    await drain(w.y.ctx);
    const batch = (await buildBatch(w.y.ctx, w.y.taxpayer, w.optsY))!;
    const withoutEvidence = rebatch(batch, { documents: batch.documents.map((d) => (d.uuid === standard.uuid ? { ...d, clearedXml: null } : d)) });
    // Claimed "accepted" for the standard one, but no cleared XML: head office keeps it with the branch.
    await receiveBatch(w.hq.ctx, w.hq.taxpayer, w.branchY, withoutEvidence);
    const stateOf = async (uuid: string) =>
      w.hq.ctx.store.db
        .selectFrom('documents')
        .innerJoin('submissions', 'submissions.document_id', 'documents.id')
        .select(['submissions.state', 'submissions.last_message'])
        .where('documents.uuid', '=', uuid)
        .executeTakeFirstOrThrow();
    expect((await stateOf(standard.uuid)).state).toBe('with-branch');
    expect(await stateOf(simplified.uuid)).toMatchObject({ state: 'accepted', last_message: expect.stringContaining('reported by branch') });
    // The stamped cleared XML arrives with the status update: now it is accepted, and /cleared serves it.
    const cleared = (await w.y.ctx.store.db.selectFrom('document_clearances').select('xml').where('document_id', '=', standard.id).executeTakeFirstOrThrow())
      .xml;
    const status = batch.documents.find((d) => d.uuid === standard.uuid)!;
    const update = rebatch(batch, {
      documents: [],
      statuses: [{ uuid: standard.uuid, submission: status.submission, clearedXml: Buffer.from(cleared, 'utf8').toString('base64') }],
    });
    expect(await receiveBatch(w.hq.ctx, w.hq.taxpayer, w.branchY, update)).toMatchObject({ statusesApplied: 1 });
    expect((await stateOf(standard.uuid)).state).toBe('accepted');
    const held = await w.hq.ctx.store.db
      .selectFrom('document_clearances')
      .innerJoin('documents', 'documents.id', 'document_clearances.document_id')
      .select('document_clearances.xml')
      .where('documents.uuid', '=', standard.uuid)
      .executeTakeFirstOrThrow();
    expect(held.xml).toBe(cleared);
    // The VAT report's drill-down and the reconciliation say what each counted state rests on.
    const period = parsePeriod({ period: now().toISOString().slice(0, 7) });
    const report = await vatReport(w.hq.ctx.store.db, w.hq.taxpayer, period);
    expect(report.documents.find((d) => d.uuid === standard.uuid)?.evidence).toBe('zatca-stamp');
    expect(report.documents.find((d) => d.uuid === simplified.uuid)?.evidence).toBe('reported-by-branch');
    const rec = await reconcile(w.hq.ctx.store.db, w.hq.taxpayer, period);
    expect(rec.units.find((u) => u.unit === w.y.units[0]!.name)?.reportedByBranch).toBeGreaterThanOrEqual(1);
  });
});
