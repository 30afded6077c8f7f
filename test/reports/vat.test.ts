// Issue 7 part 4: the VAT report equals the sum of accepted documents recomputed from their stored
// XML; credit notes subtract, debit notes add; a USD document counts in SAR; rejected and pending
// documents are left out; rows by category, B2B/B2C, branch and unit add up; drill-down; CSV.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueDocument } from '../../src/issuing/index.js';
import { dec, money, ZERO } from '../../src/money/index.js';
import { drillDown, parsePeriod, vatReport, vatReportCsv, type VatReport } from '../../src/reports/index.js';
import type { RunningSimulator } from '../../src/simulator/index.js';
import { ENGINES, startFleetSimulator } from '../egs/helpers.js';
import { drain, issuingFleet, saleJson, type IssuingFleet } from '../issuing/helpers.js';
import { secondBranch, vatFromXml } from './helpers.js';

describe.each(ENGINES)('VAT report on %s', (engine) => {
  let sim: RunningSimulator;
  let f: IssuingFleet;
  let jeddah: Awaited<ReturnType<typeof secondBranch>>;
  let report: VatReport;
  const ids = { rejected: '', pending: '', usd: '', credit: '', debit: '' };
  let n = 0;
  const period = parsePeriod({ period: '2026-03' });

  beforeAll(async () => {
    sim = await startFleetSimulator();
    f = await issuingFleet(engine, sim, 2);
    jeddah = await secondBranch(f, sim);
    const sale = (o: Partial<Parameters<typeof saleJson>[2]> = {}, branch = f.branch) => saleJson(f.taxpayer, branch, { number: `V-${engine}-${++n}`, ...o });
    const issue = (unit: string, json: unknown) => issueDocument(f.ctx, f.taxpayer, unit, json);
    const env = sim.control.env('simulation');

    // A document reported more than 24 h late while BR-KSA-98 is an error: ZATCA rejects it (400).
    env.configure({ severityOverrides: { 'BR-KSA-98': 'ERROR' } });
    ids.rejected = (await issue('POS-2', sale())).id;
    sim.control.clock.advance(25 * 3600);
    await drain(f.ctx);
    env.configure({ severityOverrides: {} });

    // Sales of the next day (still March): B2C on two units, B2B cleared, zero-rated and exempt lines.
    const original = await issue('POS-1', sale({ lines: 3, price: '100.00' }));
    await issue('POS-1', sale({ lines: 2, price: '33.33' }));
    await issue('POS-2', sale({ kind: 'standard', lines: 2, price: '250.00' }));
    const mixed = sale({ lines: 1, price: '80.00' });
    (mixed.lines as Array<Record<string, unknown>>).push(
      { name: 'Export | تصدير', quantity: '1', unitPrice: '40.00', taxCategory: { code: 'Z', exemptionCode: 'VATEX-SA-32' } },
      { name: 'Financial service | خدمة مالية', quantity: '1', unitPrice: '15.00', taxCategory: { code: 'E', exemptionCode: 'VATEX-SA-29' } },
    );
    await issue('JED-1', mixed);
    ids.usd = (await issue('JED-1', sale({ lines: 2, price: '19.99', currency: { code: 'USD', rate: '3.75' } }, jeddah.branch))).id;
    ids.credit = (await issue('POS-2', sale({ lines: 1, price: '40.00', note: { type: 'creditNote', of: original.number } }))).id;
    ids.debit = (await issue('JED-1', sale({ lines: 1, price: '5.00', note: { type: 'debitNote', of: original.number } }, jeddah.branch))).id;
    await drain(f.ctx);
    // Issued after the last drain: ZATCA does not have it yet.
    ids.pending = (await issue('POS-1', sale())).id;
    report = await vatReport(f.ctx.store.db, f.taxpayer, period, { now: f.ctx.clock.now() });
  }, 60_000);
  afterAll(async () => {
    await f?.close();
    await sim?.close();
  });

  it('equals the sum of accepted documents, recomputed from their stored XML (notes netted, USD in SAR)', async () => {
    const db = f.ctx.store.db;
    const rows = await db
      .selectFrom('documents as d')
      .innerJoin('submissions as s', 's.document_id', 'd.id')
      .select(['d.id', 'd.xml', 's.state'])
      .where('d.taxpayer_id', '=', f.taxpayer.id)
      .execute();
    const accepted = rows.filter((r) => r.state === 'accepted' || r.state === 'accepted-with-warnings');
    expect(accepted.length).toBe(rows.length - 2);
    let vatSar = ZERO;
    const byKey = new Map<string, { taxable: ReturnType<typeof dec>; vat: ReturnType<typeof dec> }>();
    for (const r of accepted) {
      const x = vatFromXml(r.xml);
      const rate = x.currency === 'USD' ? dec('3.75') : dec(1);
      vatSar = vatSar.plus(x.vatSar.times(x.sign));
      for (const c of x.categories) {
        const e = byKey.get(c.key) ?? { taxable: ZERO, vat: ZERO };
        e.taxable = e.taxable.plus(dec(money(c.taxable.times(rate))).times(x.sign));
        e.vat = e.vat.plus(dec(money(c.vat.times(rate))).times(x.sign));
        byKey.set(c.key, e);
      }
    }
    expect(report.totals.documents).toBe(accepted.length);
    expect(report.totals.vatSar).toBe(money(vatSar));
    expect(Object.fromEntries(report.byCategory.map((c) => [c.key, [c.taxableSar, c.vatSar]]))).toEqual(
      Object.fromEntries([...byKey].map(([k, v]) => [k, [money(v.taxable), money(v.vat)]])),
    );
    expect(report.byCategory.map((c) => c.key).sort()).toEqual(['E:0.00:VATEX-SA-29', 'S:15.00', 'Z:0.00:VATEX-SA-32']);
    // Every dimension adds up to the same total.
    for (const rows of [report.byMarket, report.byBranch, report.byUnit, report.byType]) {
      expect(money(rows.reduce((s, r) => s.plus(r.vatSar), ZERO))).toBe(report.totals.vatSar);
      expect(money(rows.reduce((s, r) => s.plus(r.taxableSar), ZERO))).toBe(report.totals.taxableSar);
    }
    expect(money(report.byCategory.reduce((s, r) => s.plus(r.vatSar), ZERO))).toBe(report.totals.vatSar);
  });

  it('credit notes subtract, debit notes add; the USD document is in SAR at its rate', () => {
    const doc = (id: string) => report.documents.find((d) => d.id === id)!;
    expect(doc(ids.credit).sign).toBe(-1);
    expect(doc(ids.credit).vatSar).toBe('-6.00');
    expect(doc(ids.debit).vatSar).toBe('0.75');
    const usd = doc(ids.usd);
    // 19.99 × 1 + 19.99 × 2 = 59.97 USD taxable, VAT 9.00 USD (round(8.9955)); in SAR at 3.75.
    expect([usd.currency, usd.lines[0]!.taxable, usd.lines[0]!.vat]).toEqual(['USD', '59.97', '9.00']);
    expect([usd.lines[0]!.taxableSar, usd.vatSar]).toEqual(['224.89', '33.75']);
    expect(report.byType.find((r) => r.key === 'creditNote')!.vatSar).toBe('-6.00');
  });

  it('leaves out rejected and pending documents, and says so', () => {
    const counted = new Set(report.documents.map((d) => d.id));
    expect(counted.has(ids.rejected)).toBe(false);
    expect(counted.has(ids.pending)).toBe(false);
    expect(report.excluded).toEqual({ rejected: 1, 'to-submit': 1 });
  });

  it('B2B and B2C, branch and unit rows; a branch-scoped report; drill-down to the documents', async () => {
    expect(report.byMarket.map((r) => [r.key, r.documents])).toEqual([
      ['B2B', 1],
      ['B2C', report.totals.documents - 1],
    ]);
    expect(report.byBranch.map((r) => r.branch).sort()).toEqual(['Jeddah', 'Riyadh']);
    const jed = report.byUnit.find((r) => r.unit === 'JED-1')!;
    const scoped = await vatReport(f.ctx.store.db, f.taxpayer, period, { branch: { id: jeddah.branch.id, name: 'Jeddah' } });
    expect([scoped.totals.vatSar, scoped.totals.documents]).toEqual([report.byBranch.find((r) => r.branch === 'Jeddah')!.vatSar, jed.documents]);
    const behindZ = drillDown(report, { category: 'Z:0.00:VATEX-SA-32' });
    expect(behindZ.length).toBe(report.byCategory.find((c) => c.key === 'Z:0.00:VATEX-SA-32')!.documents);
    expect(money(drillDown(report, { unit: 'JED-1' }).reduce((s, d) => s.plus(d.vatSar), ZERO))).toBe(jed.vatSar);
    const csv = vatReportCsv(report, 'category').trim().split('\r\n');
    expect(csv[0]).toBe('vat_number,period,dimension,key,category,rate,exemption_code,market,branch,unit,document_type,documents,taxable_sar,vat_sar');
    expect(csv.at(-1)).toBe(
      `${f.taxpayer.vat_number},2026-03,total,total,,,,,,,,${report.totals.documents},${report.totals.taxableSar},${report.totals.vatSar}`,
    );
    // Another period holds nothing.
    expect((await vatReport(f.ctx.store.db, f.taxpayer, parsePeriod({ period: '2026-Q2' }))).totals).toEqual({
      documents: 0,
      taxableSar: '0.00',
      vatSar: '0.00',
    });
  });
});
