// Stamping on worker threads (issue 15): with the stamp pool on, concurrent sales across units and
// within one unit give whole chains (ICV 1..n, each PIH the previous hash) of documents that verify,
// byte for byte what the inline stamper makes of the same unsigned document with the same key and time.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unitSigning } from '../../src/egs/index.js';
import { issueDocument, useOffThreadStamper, type StampWork } from '../../src/issuing/index.js';
import { FawtaraError } from '../../src/errors.js';
import { INITIAL_PIH } from '../../src/model/chain.js';
import type { RunningSimulator } from '../../src/simulator/index.js';
import { signInvoiceXml, stampHashed, verifyInvoice } from '../../src/stamp/index.js';
import { documents, type IssuedDocument } from '../../src/store/index.js';
import { stampThreadsFromEnv, startStampPool } from '../../src/workers/stamp-pool.js';
import { ENGINES, startFleetSimulator } from '../egs/helpers.js';
import { issuingFleet, saleJson, type IssuingFleet } from './helpers.js';

describe.each(ENGINES)('stamping on worker threads on %s', (engine) => {
  let sim: RunningSimulator;
  let f: IssuingFleet;
  let n = 0;
  const sale = () => saleJson(f.taxpayer, f.branch, { number: `THR-${engine}-${++n}`, lines: 1 + (n % 4) });
  const issue = (unit: string) => issueDocument(f.ctx, f.taxpayer, unit, sale());

  beforeAll(async () => {
    sim = await startFleetSimulator();
    f = await issuingFleet(engine, sim, 3);
  });
  afterAll(async () => {
    await f?.close();
    await sim?.close();
  });

  /** The inline stamper's output for a stored document's unsigned text, key and signing time. */
  async function inlineStamp(d: IssuedDocument): Promise<string> {
    const s = await unitSigning(f.ctx, f.taxpayer, d.unit_id);
    return signInvoiceXml(d.xml, { certificate: s.certificate, signer: s.signer, signingTime: new Date(`${d.signing_time}Z`) }).xml;
  }

  async function chainOf(unitId: string): Promise<IssuedDocument[]> {
    return documents.unitChainPage(f.ctx.store.db, f.taxpayer.id, unitId, 0, 1000);
  }

  it('the oracle holds: re-stamping an inline-issued document inline gives its stored bytes', async () => {
    const r = await issue('POS-3');
    const [d] = (await chainOf(r.unitId)).filter((x) => x.uuid === r.uuid);
    expect(await inlineStamp(d!)).toBe(d!.xml);
  });

  it('30 concurrent sales on one unit and 10 on each of two others: whole chains, verified, byte-identical to inline stamping', async () => {
    const pool = startStampPool(f.ctx.store, 2)!;
    let results: Awaited<ReturnType<typeof issue>>[];
    try {
      results = await Promise.all([
        ...Array.from({ length: 30 }, () => issue('POS-1')),
        ...Array.from({ length: 10 }, () => issue('POS-2')),
        ...Array.from({ length: 10 }, () => issue('POS-3')),
      ]);
      // Every batch went to the threads (a batch's signatures come back in one or two tasks).
      expect(pool.tasks).toBeGreaterThan(0);
    } finally {
      await pool.close();
    }
    expect(new Set(results.map((r) => r.uuid)).size).toBe(50);
    for (const unit of f.units) {
      const chain = await chainOf(unit.id);
      const expected = { 'POS-1': 30, 'POS-2': 10, 'POS-3': 11 }[unit.name]!;
      expect(chain.map((d) => d.icv)).toEqual(Array.from({ length: expected }, (_, i) => i + 1));
      const s = await unitSigning(f.ctx, f.taxpayer, unit.id);
      for (const [i, d] of chain.entries()) {
        expect(d.pih).toBe(i === 0 ? INITIAL_PIH : chain[i - 1]!.invoice_hash);
        const v = verifyInvoice(d.xml, { pih: d.pih, certificate: s.certificate });
        expect(v.checks.filter((c) => c.status === 'fail')).toEqual([]);
        expect(v.invoiceHash).toBe(d.invoice_hash);
        expect(await inlineStamp(d)).toBe(d.xml);
      }
    }
    // What each caller was answered is what was stored.
    const stored = new Map((await Promise.all(f.units.map((u) => chainOf(u.id)))).flat().map((d) => [d.uuid, d]));
    for (const r of results) expect(r.xml).toBe(stored.get(r.uuid)!.xml);
  });
  it('a stamp that fails off the thread fails its own sale only: the batch is re-run one by one and the chain stays whole', async () => {
    const poisoned = `THR-${engine}-poisoned`;
    // The same contract as the pool, on this thread: one document's self-check "fails".
    useOffThreadStamper(f.ctx.store, {
      stamp: async (work: StampWork[]) =>
        work.map((w) => {
          if (w.doc.facts.id === poisoned) throw new FawtaraError('SIGNATURE_INVALID', 'stamping self-check failed (test)');
          return stampHashed(w.doc, { certificate: w.certificate, signer: w.signer, signingTime: w.signingTime }, w.hash);
        }),
    });
    const before = (await chainOf(f.units[1]!.id)).length;
    let outcomes: PromiseSettledResult<unknown>[];
    try {
      outcomes = await Promise.allSettled([
        ...Array.from({ length: 3 }, () => issue('POS-2')),
        issueDocument(f.ctx, f.taxpayer, 'POS-2', saleJson(f.taxpayer, f.branch, { number: poisoned })),
        ...Array.from({ length: 3 }, () => issue('POS-2')),
      ]);
    } finally {
      useOffThreadStamper(f.ctx.store, undefined);
    }
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled', 'fulfilled']);
    expect((outcomes[3] as PromiseRejectedResult).reason).toMatchObject({ code: 'SIGNATURE_INVALID' });
    const chain = await chainOf(f.units[1]!.id);
    expect(chain.map((d) => d.icv)).toEqual(Array.from({ length: before + 6 }, (_, i) => i + 1));
    for (const [i, d] of chain.entries()) expect(d.pih).toBe(i === 0 ? INITIAL_PIH : chain[i - 1]!.invoice_hash);
    expect(chain.some((d) => d.number === poisoned)).toBe(false);
  });
});

describe('FAWTARA_STAMP_THREADS', () => {
  it('is a whole number of threads, 0 (the event loop) when unset; anything else is refused with USAGE', () => {
    expect(stampThreadsFromEnv({})).toBe(0);
    expect(stampThreadsFromEnv({ FAWTARA_STAMP_THREADS: ' 2 ' })).toBe(2);
    expect(() => stampThreadsFromEnv({ FAWTARA_STAMP_THREADS: 'two' })).toThrow(expect.objectContaining({ code: 'USAGE' }));
  });
});
