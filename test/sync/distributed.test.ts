// Issue 7 part 3 end to end on loopback: head office (SQLite, or PostgreSQL with FAWTARA_TEST_PG) and
// two branch nodes on SQLite against the simulator — offline sales, sync, relay vs direct, forks and gaps.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditChains } from '../../src/audit/index.js';
import { createDeviceToken } from '../../src/server/access/users.js';
import { exportArchive, verifyArchive } from '../../src/archive/index.js';
import { Decimal } from '../../src/money/index.js';
import { parsePeriod, reconcile, vatReport } from '../../src/reports/index.js';
import { addBranch } from '../../src/egs/index.js';
import { issueDocument } from '../../src/issuing/index.js';
import { createServer } from '../../src/server/index.js';
import { startSimulator, type RunningSimulator } from '../../src/simulator/index.js';
import { tenants, units, type Branch } from '../../src/store/index.js';
import {
  addAuthority,
  applyResult,
  approveEnrolment,
  batchIdOf,
  branchSyncStatus,
  listEnrolments,
  requestEnrolments,
  buildBatch,
  createSyncToken,
  listIncidents,
  pushBatch,
  setBranchSync,
  syncNow,
  SyncError,
} from '../../src/sync/index.js';
import { CHAIN_BRANCHES, ENGINES, T0, testFleet } from '../egs/helpers.js';
import { drain, issuingFleet, saleJson, type IssuingFleet } from '../issuing/helpers.js';

describe.each(ENGINES)('branch nodes syncing to head office on %s', (engine) => {
  let sim: RunningSimulator;
  let hq: IssuingFleet;
  let a: IssuingFleet; // direct reporting
  let b: IssuingFleet; // relayed by head office
  let app: FastifyInstance | undefined;
  let url = '';
  let dir: string;
  const kek = { protection: 'master-key' as const, key: randomBytes(32) };
  let branchA: Branch;
  let branchB: Branch;
  let tokenA = '';
  let tokenB = '';

  const startHq = async () => {
    app = await createServer({ fleet: hq.ctx, policy: { scrypt: { N: 2 ** 10, r: 8, p: 1 } }, log: () => undefined, logLevel: 'warn' });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const addr = app.server.address();
    url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  };
  const stopHq = async () => {
    await app?.close();
    app = undefined;
  };
  let n = 0;
  const sell = (f: IssuingFleet, unit: string) =>
    issueDocument(f.ctx, f.taxpayer, unit, saleJson(f.taxpayer, f.branch, { number: `${unit}-${engine}-${++n}` }));
  const optsA = () => ({ hqUrl: url, token: tokenA, node: 'node-a', reporting: 'direct' as const, timeoutMs: 5_000 });
  const optsB = () => ({ hqUrl: url, token: tokenB, node: 'node-b', reporting: 'relay' as const, timeoutMs: 5_000 });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fawtara-sync-'));
    sim = await startSimulator({ port: 0, host: '127.0.0.1', seed: 7, clock: { now: () => new Date(T0.getTime() + n * 1000) } });
    hq = await issuingFleet(engine, sim, 1, { prefix: 'HQ' });
    a = await issuingFleet('sqlite', sim, 2, { prefix: 'BRA', sqliteFile: join(dir, 'a.db'), kek });
    b = await issuingFleet('sqlite', sim, 1, { prefix: 'BRB', sqliteFile: join(dir, 'b.db') });
    branchA = await addBranch(hq.ctx, hq.taxpayer, CHAIN_BRANCHES[1]!);
    branchB = await addBranch(hq.ctx, hq.taxpayer, CHAIN_BRANCHES[2]!);
    tokenA = (await createSyncToken(hq.ctx, branchA, { createdBy: 'test' })).token;
    tokenB = (await createSyncToken(hq.ctx, branchB, { createdBy: 'test' })).token;
    await setBranchSync(hq.ctx, hq.taxpayer, branchA, { reporting: 'direct' });
    await setBranchSync(hq.ctx, hq.taxpayer, branchB, { reporting: 'relay', relayUnit: hq.units[0]! });
    await startHq();
    // Head office trusts the simulator's issuing CA and stamp (issue 10), and an administrator
    // approves each branch unit's enrolment before any of its documents is accepted.
    const ca = sim.control.env('simulation').certificateAuthority();
    await addAuthority(hq.ctx, 'simulation', 'issuing-ca', ca.issuing);
    await addAuthority(hq.ctx, 'simulation', 'stamp', ca.stamp);
    await requestEnrolments(a.ctx, a.taxpayer, optsA());
    await requestEnrolments(b.ctx, b.taxpayer, optsB());
    const pending = await listEnrolments(hq.ctx, hq.taxpayer, { state: 'pending' });
    expect(pending.length).toBe(a.units.length + b.units.length);
    for (const e of pending) await approveEnrolment(hq.ctx, hq.taxpayer, e.id);
  }, 40_000);
  afterAll(async () => {
    await stopHq();
    await Promise.all([hq?.close(), a?.close(), b?.close()]);
    await sim?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('syncs offline sales, relays for one branch, refuses forks and gaps, and the auditor passes', async () => {
    // Branch A reports directly and syncs.
    for (let i = 0; i < 3; i++) for (const u of a.units) await sell(a, u.name);
    await drain(a.ctx);
    const s1 = await syncNow(a.ctx, a.taxpayer, optsA());
    expect(s1).toMatchObject({ stored: 6, behind: 0, reporting: 'direct' });

    // Branch B (relay) sells while head office is down: sync fails, nothing is lost, sales go on.
    for (let i = 0; i < 4; i++) await sell(b, b.units[0]!.name);
    await stopHq();
    await expect(syncNow(b.ctx, b.taxpayer, optsB())).rejects.toMatchObject({ reason: 'HQ_UNREACHABLE' });
    for (let i = 0; i < 4; i++) await sell(b, b.units[0]!.name);
    await startHq();
    const s2 = await syncNow(b.ctx, b.taxpayer, { ...optsB(), batchDocuments: 3 });
    expect(s2).toMatchObject({ stored: 8, behind: 0, reporting: 'relay' });
    expect(s2.batches).toBeGreaterThanOrEqual(3);
    // The branch never submitted: its jobs were claimed for head office.
    const bStates = await b.ctx.store.db.selectFrom('submissions').select('state').execute();
    expect(bStates.every((s) => s.state === 'relayed')).toBe(true);
    // Head office relays with its own CSID; the branch learns the outcomes at its next sync.
    await drain(hq.ctx);
    const s3 = await syncNow(b.ctx, b.taxpayer, optsB());
    expect(s3.relayedOutcomes).toBe(8);
    expect(new Set((await b.ctx.store.db.selectFrom('submissions').select('state').execute()).map((s) => s.state))).toEqual(new Set(['accepted']));

    // The same batch twice: success, nothing doubled.
    for (const u of a.units) await sell(a, u.name);
    const batch = (await buildBatch(a.ctx, a.taxpayer, optsA()))!;
    const first = await pushBatch(batch, optsA());
    const again = await pushBatch(batch, optsA());
    expect(first).toMatchObject({ replayed: false, stored: 2 });
    expect(again).toMatchObject({ replayed: true, stored: 0 });
    await applyResult(a.ctx, a.taxpayer, batch, again);

    // A fork: branch A's database restored from a copy issues another document with an ICV head office holds.
    const clonePath = join(dir, 'a-restored.db');
    await sql.raw(`VACUUM INTO '${clonePath}'`).execute(a.ctx.store.db);
    await sell(a, a.units[0]!.name);
    await drain(a.ctx);
    await syncNow(a.ctx, a.taxpayer, optsA());
    const clone = await testFleet('sqlite', sim, { sqliteFile: clonePath, kek });
    try {
      const tp = (await tenants.findTaxpayerByVat(clone.ctx.store.db, a.taxpayer.vat_number))!;
      const forked = await issueDocument(clone.ctx, tp, a.units[0]!.name, saleJson(tp, a.branch, { number: `FORK-${engine}` }));
      const err = await syncNow(clone.ctx, tp, optsA()).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SyncError);
      expect(err).toMatchObject({ reason: 'FORK' });
      expect((err as Error).message).toContain(`ICV ${forked.icv}`);
      expect((err as Error).message).toContain(forked.invoiceHash);
    } finally {
      await clone.ctx.store.close();
    }

    // A gap: a batch that skips the unit's next ICV.
    for (let i = 0; i < 2; i++) await sell(a, a.units[1]!.name);
    await drain(a.ctx);
    const full = (await buildBatch(a.ctx, a.taxpayer, optsA()))!;
    const { batchId: _full, ...content } = { ...full, documents: full.documents.slice(1) };
    const gapped = { ...content, batchId: batchIdOf(content) };
    await expect(pushBatch(gapped, optsA())).rejects.toMatchObject({ reason: 'GAP' });
    const incidents = await listIncidents(hq.ctx, hq.taxpayer);
    expect(incidents.map((i) => i.kind).sort()).toEqual(['fork', 'gap']);
    // Branch A catches up normally afterwards; its direct outcomes reach head office.
    expect(await syncNow(a.ctx, a.taxpayer, optsA())).toMatchObject({ behind: 0 });

    // Centralized model: a POS device of head office's own unit posts sales over HTTP; head office
    // stamps them with that unit's key and returns the signed invoice in the same call.
    const hqUnit = (await units.findUnit(hq.ctx.store.db, hq.taxpayer.id, hq.units[0]!.name))!;
    const { token: device } = await createDeviceToken(app!.fawtara.access, { kind: 'cli', actor: 'cli:test' }, hqUnit, {});
    for (let i = 0; i < 2; i++) {
      const res = await fetch(`${url}/api/v1/taxpayers/${hq.taxpayer.vat_number}/units/${encodeURIComponent(hqUnit.name)}/sales`, {
        method: 'POST',
        headers: { authorization: `Bearer ${device}`, 'content-type': 'application/json' },
        body: JSON.stringify({ lines: [{ name: 'قهوة | Coffee', quantity: '2', unitPrice: '11.50' }] }),
      });
      expect(res.status).toBe(201);
      expect((await res.json()) as { released: boolean }).toMatchObject({ released: true });
    }
    await drain(hq.ctx);

    // Head office: status view, the auditor, and ZATCA's record (every document accepted once).
    const status = await branchSyncStatus(hq.ctx, hq.taxpayer);
    const viewA = status.find((s) => s.branch === branchA.name)!;
    expect(viewA.units.every((u) => u.lag === 0)).toBe(true);
    expect(viewA.withBranch).toBe(0);
    const env = sim.control.env('simulation');
    const serials = [...hq.units, ...a.units, ...b.units].map((u) => u.serial);
    const allHistory = serials.flatMap((s) => env.history(s));
    const audit = await auditChains(hq.ctx, hq.taxpayer, { zatcaHistory: () => allHistory });
    expect(audit.breaks).toEqual([]);
    const docs = await hq.ctx.store.db
      .selectFrom('documents')
      .innerJoin('submissions', 'submissions.document_id', 'documents.id')
      .select(['uuid', 'state'])
      .execute();
    expect(docs.length).toBe(6 + 8 + 2 + 1 + 2 + 2);
    for (const d of docs) {
      expect(d.state).toBe('accepted');
      expect(allHistory.filter((h) => h.uuid === d.uuid && (h.httpStatus === 200 || h.httpStatus === 202)).length).toBe(1);
    }

    // Issue 7 "Done when": over head office's whole set (its own centralized sales, branch A's direct
    // ones, branch B's relayed ones) the VAT report equals the sum of the accepted documents,
    // reconciliation against ZATCA's record is clean, and the period's archive verifies.
    const period = parsePeriod({ period: T0.toISOString().slice(0, 7) });
    const report = await vatReport(hq.ctx.store.db, hq.taxpayer, period);
    const stored = await hq.ctx.store.db.selectFrom('documents').select(['xml']).execute();
    let vat = new Decimal(0);
    let taxable = new Decimal(0);
    for (const { xml } of stored) {
      const text = typeof xml === 'string' ? xml : Buffer.from(xml as Uint8Array).toString('utf8');
      // The SAR TaxTotal is the one without subtotals (docs/zatca-notes.md §2.7); these are SAR sales, so taxable = BT-109.
      vat = vat.plus(/<cac:TaxTotal>\s*<cbc:TaxAmount currencyID="SAR">([\d.]+)<\/cbc:TaxAmount>\s*<\/cac:TaxTotal>/.exec(text)![1]!);
      taxable = taxable.plus(/<cbc:TaxExclusiveAmount currencyID="SAR">([\d.]+)</.exec(text)![1]!);
    }
    expect(report.totals).toEqual({ documents: stored.length, taxableSar: taxable.toFixed(2), vatSar: vat.toFixed(2) });
    const reconciliation = await reconcile(hq.ctx.store.db, hq.taxpayer, period, { zatcaHistory: (unit) => env.history(unit.serial) });
    expect(reconciliation.differences).toEqual([]);
    expect(reconciliation.clean).toBe(true);
    const archiveDir = join(dir, `archive-${engine}`);
    await exportArchive(hq.ctx.store.db, hq.taxpayer, period, archiveDir);
    const verified = verifyArchive(archiveDir);
    expect(verified.ok).toBe(true);
    expect(verified.documents).toBe(stored.length);
  }, 45_000);
});
