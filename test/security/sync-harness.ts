// Head office and two branch nodes against one simulator, for the sync attack tests: branch X relays
// through head office, branch Y reports directly; units enrolled and approved; forging helpers.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { addBranch, unitSigning } from '../../src/egs/index.js';
import { documentTotals, issueDateTime, issueDocument } from '../../src/issuing/index.js';
import { prepareDocument } from '../../src/issuing/prepare.js';
import { parsePeriod, vatReport } from '../../src/reports/index.js';
import { createServer } from '../../src/server/index.js';
import { startSimulator, type RunningSimulator } from '../../src/simulator/index.js';
import { stampInvoice } from '../../src/stamp/index.js';
import type { Branch, EgsUnit } from '../../src/store/index.js';
import {
  addAuthority,
  approveEnrolment,
  batchIdOf,
  listEnrolments,
  refuseEnrolment,
  requestEnrolments,
  setBranchSync,
  createSyncToken,
  type BatchDocument,
  type SyncBatch,
} from '../../src/sync/index.js';
import { writeInvoice } from '../../src/ubl/writer.js';
import { CHAIN_BRANCHES, T0, type Engine } from '../egs/helpers.js';
import { issuingFleet, saleJson, type IssuingFleet } from '../issuing/helpers.js';

export interface SyncWorld {
  sim: RunningSimulator;
  hq: IssuingFleet;
  /** Branch X (relayed by head office): units enrolled; X-3 offered and refused. */
  x: IssuingFleet;
  /** Branch Y (direct reporting): unit Y-1 enrolled. */
  y: IssuingFleet;
  branchX: Branch;
  branchY: Branch;
  url: string;
  optsX: { hqUrl: string; token: string; node: string; reporting: 'relay'; timeoutMs: number };
  optsY: { hqUrl: string; token: string; node: string; reporting: 'direct'; timeoutMs: number };
  close(): Promise<void>;
}

let sold = 0;
export const sell = (f: IssuingFleet, unit: EgsUnit, kind: 'simplified' | 'standard' = 'simplified') =>
  issueDocument(f.ctx, f.taxpayer, unit.name, saleJson(f.taxpayer, f.branch, { number: `${unit.name}-S${++sold}`, kind }));

export async function syncWorld(engine: Engine): Promise<SyncWorld> {
  const dir = mkdtempSync(join(tmpdir(), 'fawtara-sync-attack-'));
  const sim = await startSimulator({ port: 0, host: '127.0.0.1', seed: 11, clock: { now: () => T0 } });
  const hq = await issuingFleet(engine, sim, 1, { prefix: 'HQ' });
  const x = await issuingFleet('sqlite', sim, 3, { prefix: 'BRX', sqliteFile: join(dir, 'x.db') });
  const y = await issuingFleet('sqlite', sim, 1, { prefix: 'BRY', sqliteFile: join(dir, 'y.db') });
  const branchX = await addBranch(hq.ctx, hq.taxpayer, CHAIN_BRANCHES[1]!);
  const branchY = await addBranch(hq.ctx, hq.taxpayer, CHAIN_BRANCHES[2]!);
  await setBranchSync(hq.ctx, hq.taxpayer, branchX, { reporting: 'relay', relayUnit: hq.units[0]! });
  await setBranchSync(hq.ctx, hq.taxpayer, branchY, { reporting: 'direct' });
  const app: FastifyInstance = await createServer({ fleet: hq.ctx, policy: { scrypt: { N: 2 ** 10, r: 8, p: 1 } }, log: () => undefined, logLevel: 'warn' });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const addr = app.server.address();
  const url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  const optsX = {
    hqUrl: url,
    token: (await createSyncToken(hq.ctx, branchX, { createdBy: 'test' })).token,
    node: 'node-x',
    reporting: 'relay' as const,
    timeoutMs: 10_000,
  };
  const optsY = {
    hqUrl: url,
    token: (await createSyncToken(hq.ctx, branchY, { createdBy: 'test' })).token,
    node: 'node-y',
    reporting: 'direct' as const,
    timeoutMs: 10_000,
  };
  // Head office trusts the simulator's issuing CA and stamp; an administrator decides each enrolment.
  const ca = sim.control.env('simulation').certificateAuthority();
  await addAuthority(hq.ctx, 'simulation', 'issuing-ca', ca.issuing);
  await addAuthority(hq.ctx, 'simulation', 'stamp', ca.stamp);
  await requestEnrolments(x.ctx, x.taxpayer, optsX);
  await requestEnrolments(y.ctx, y.taxpayer, optsY);
  for (const e of await listEnrolments(hq.ctx, hq.taxpayer, { state: 'pending' })) {
    if (e.name === 'BRX-3') await refuseEnrolment(hq.ctx, hq.taxpayer, e.id);
    else await approveEnrolment(hq.ctx, hq.taxpayer, e.id);
  }
  // The branches learn the decisions; later documents are dated an hour after onboarding.
  await requestEnrolments(x.ctx, x.taxpayer, optsX);
  await requestEnrolments(y.ctx, y.taxpayer, optsY);
  sim.control.env('simulation').advanceClock(3600);
  return {
    sim,
    hq,
    x,
    y,
    branchX,
    branchY,
    url,
    optsX,
    optsY,
    async close() {
      await app.close();
      await Promise.all([hq.close(), x.close(), y.close()]);
      await sim.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The batch with its id recomputed, as a branch (honest or not) would send it. */
export function rebatch(batch: SyncBatch, change: Partial<Omit<SyncBatch, 'batchId'>>): SyncBatch {
  const { batchId: _old, ...content } = { ...batch, ...change };
  return { ...content, batchId: batchIdOf(content) };
}

/**
 * A document signed with the branch unit's real key (or another signing identity) as the next link
 * of its chain, dated `at`: what a branch holding its key can forge. Facts are the honest ones.
 */
export async function forge(
  f: IssuingFleet,
  unit: EgsUnit,
  head: { icv: number; pih: string },
  at: Date,
  signing?: Awaited<ReturnType<typeof unitSigning>>,
): Promise<BatchDocument> {
  const s = signing ?? (await unitSigning(f.ctx, f.taxpayer, unit.name));
  const prepared = prepareDocument(f.taxpayer, unit, saleJson(f.taxpayer, f.branch, { number: `${unit.name}-F${++sold}` }), at);
  const inv = { ...prepared.computed, icv: head.icv + 1, pih: head.pih, ...issueDateTime(at) };
  const stamped = stampInvoice(writeInvoice(inv), { certificate: s.certificate, signer: s.signer, signingTime: at });
  const t = documentTotals(inv);
  return {
    serial: unit.serial,
    generation: unit.generation,
    icv: inv.icv,
    pih: inv.pih,
    invoiceHash: stamped.invoiceHash,
    uuid: inv.uuid,
    number: inv.id,
    xml: Buffer.from(stamped.xml, 'utf8').toString('base64'),
    clearedXml: null,
    facts: {
      documentType: inv.documentType,
      typeCode: inv.typeCode,
      transactionCode: inv.transactionCode,
      kind: inv.kind,
      issueDate: inv.issueDate,
      issueTime: inv.issueTime,
      issuedAt: at.toISOString(),
      deadlineAt: new Date(at.getTime() + 86_400_000).toISOString(),
      signingTime: stamped.signingTime,
      currency: t.currency,
      exchangeRate: t.exchangeRate,
      buyerVat: null,
      buyerName: null,
      originalNumber: null,
      taxExclusiveAmount: t.taxExclusive,
      taxAmount: t.tax,
      taxAmountSar: t.taxSar,
      taxInclusiveAmount: t.taxInclusive,
      payableAmount: t.payable,
      taxableAmountSar: t.taxableSar,
      vatBreakdown: JSON.stringify(t.breakdown),
      qr: stamped.qr,
    },
    claim: 'hq',
    submission: {
      state: 'to-submit',
      endpoint: 'reporting',
      attempts: 0,
      lastOutcome: null,
      lastHttpStatus: null,
      lastMessage: null,
      acceptedAt: null,
      late: false,
      duplicate: false,
    },
  };
}

/** What a refused batch must leave untouched at head office: documents, jobs, clearances, the VAT report, ZATCA. */
export async function snapshot(w: SyncWorld) {
  const db = w.hq.ctx.store.db;
  const count = async (table: 'documents' | 'submissions' | 'document_clearances') =>
    Number(
      (
        await db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirst()
      )?.n ?? 0,
    );
  const period = parsePeriod({ period: new Date(T0.getTime() + 3 * 3600_000).toISOString().slice(0, 7) });
  const report = await vatReport(db, w.hq.taxpayer, period);
  const env = w.sim.control.env('simulation');
  const zatca = [...w.hq.units, ...w.x.units, ...w.y.units].reduce((n, u) => n + env.history(u.serial).length, 0);
  return {
    documents: await count('documents'),
    submissions: await count('submissions'),
    clearances: await count('document_clearances'),
    vat: report.totals,
    zatca,
  };
}

/** A batch of branch X's node carrying these documents (its id recomputed). */
export function batchOf(documents: BatchDocument[], node = 'node-x'): SyncBatch {
  return rebatch({ protocol: 1, batchId: '', node, units: [], documents: [], statuses: [], relayPending: [] }, { documents });
}
