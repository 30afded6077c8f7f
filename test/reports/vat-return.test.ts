// Issue 17, the VAT return: prepayments counted once (with the 386; the final invoice adds only the
// balance, on the structure of ZATCA's "Advance Payment adjustments" samples), SAR rows that add up
// to each document's BT-111, notes and deductions against rejected documents, the archive's rate,
// and one CSV form on stdout and in a file.
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportArchive, verifyArchive, type IndexEntry } from '../../src/archive/index.js';
import { main } from '../../src/cli/main.js';
import { IssueError, issueDocument, type IssueResult } from '../../src/issuing/index.js';
import { dec, money, ZERO } from '../../src/money/index.js';
import { parsePeriod, reconcile, vatDocumentsCsv, vatReport, type ReportDimension, type VatReport } from '../../src/reports/index.js';
import type { RunningSimulator } from '../../src/simulator/index.js';
import { INITIAL_PIH } from '../../src/model/chain.js';
import { ENGINES, startFleetSimulator } from '../egs/helpers.js';
import { drain, issuingFleet, type IssuingFleet } from '../issuing/helpers.js';
import { documentJson, issue, type DocOptions } from './documents.js';

const DIMENSIONS: ReportDimension[] = ['category', 'market', 'branch', 'unit', 'type'];

describe.each(ENGINES)('the VAT return on %s', (engine) => {
  let sim: RunningSimulator;
  let f: IssuingFleet;
  let tmp: string;
  let report: VatReport;
  const masterKey = randomBytes(32);
  const period = parsePeriod({ period: '2026-03' });
  const d: Record<string, IssueResult> = {};
  let n = 0;
  const num = () => `VR-${engine}-${++n}`;
  const put = (unit: string, o: Omit<DocOptions, 'number'>) => issue(f, unit, { number: num(), ...o });
  const doc = (key: string) => report.documents.find((x) => x.id === d[key]!.id)!;

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'fawtara-vat-return-'));
    mkdirSync(join(tmp, 'data'));
    sim = await startFleetSimulator();
    f = await issuingFleet(engine, sim, 3, {
      kek: { protection: 'master-key', key: masterKey },
      ...(engine === 'sqlite' && { sqliteFile: join(tmp, 'data', 'fawtara.db') }),
    });
    const S5 = { code: 'S', rate: '5' } as const;
    // "Advance Payment adjustments": 1000 + 150 VAT in advance, then the 2000 supply deducting it.
    d.adv1 = await put('POS-1', { kind: 'standard', prepayment: true, lines: [{ price: '1000.00' }] });
    d.final1 = await put('POS-1', { kind: 'standard', lines: [{ price: '2000.00' }], deducts: [{ advance: d.adv1, taxable: '1000.00', vat: '150.00' }] });
    // "… with rate change scenarios": the advance at 5 %, the supply at 15 % (simplified this time).
    d.adv2 = await put('POS-2', { prepayment: true, lines: [{ price: '1000.00', category: S5 }] });
    d.final2 = await put('POS-2', { lines: [{ price: '1900.00' }], deducts: [{ advance: d.adv2, taxable: '1000.00', vat: '50.00', category: S5 }] });
    // USD with two rates: 15.02 + 5.02 USD VAT; SAR per category rounded alone would be 56.33 + 18.83 = 75.16.
    d.usd2 = await put('POS-2', { currency: { code: 'USD', rate: '3.75' }, lines: [{ price: '100.13' }, { price: '100.40', category: S5 }] });
    // "… with foreign currency invoice": the advance at 3.7512, the final invoice at 3.75.
    d.adv3 = await put('POS-1', { kind: 'standard', currency: { code: 'USD', rate: '3.7512' }, prepayment: true, lines: [{ price: '100.00' }] });
    d.final3 = await put('POS-1', {
      kind: 'standard',
      currency: { code: 'USD', rate: '3.75' },
      lines: [{ price: '300.00' }],
      deducts: [{ advance: d.adv3, taxable: '100.00', vat: '15.00' }],
    });
    await drain(f.ctx);
    report = await vatReport(f.ctx.store.db, f.taxpayer, period, { now: f.ctx.clock.now() });
  }, 120_000);
  afterAll(async () => {
    await f?.close();
    await sim?.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('ZATCA accepted every document (the simulator validates like the SDK: prepayment lines, S 5 %, TaxExchangeRate)', () => {
    expect(report.totals.documents).toBe(7);
    expect(report.excluded).toEqual({});
  });

  it('counts the VAT of an advance once, with the prepayment invoice; the final invoice adds only the balance', () => {
    expect([doc('adv1').vatSar, doc('final1').statedVatSar, doc('final1').prepaidVatSar, doc('final1').vatSar]).toEqual([
      '150.00',
      '300.00',
      '150.00',
      '150.00',
    ]);
    expect(doc('final1').lines.map((l) => [l.key, l.taxableSar, l.vatSar])).toEqual([['S:15.00', '1000.00', '150.00']]);
    // Rate change: the 5 % advance is given back in its own category, the supply counts at 15 %.
    expect(doc('final2').lines.map((l) => [l.key, l.taxableSar, l.vatSar])).toEqual([
      ['S:15.00', '1900.00', '285.00'],
      ['S:5.00', '-1000.00', '-50.00'],
    ]);
    // USD: the advance's VAT counted at its own rate (15 × 3.7512 = 56.27), the deduction at the final invoice's (56.25).
    expect([doc('adv3').vatSar, doc('final3').statedVatSar, doc('final3').prepaidVatSar, doc('final3').vatSar]).toEqual(['56.27', '168.75', '56.25', '112.50']);
    expect(report.byCategory.map((r) => [r.key, r.documents, r.taxableSar, r.vatSar])).toEqual([
      ['S:15.00', 6, '5400.61', '810.10'],
      ['S:5.00', 3, '376.50', '18.82'],
    ]);
    expect([report.totals.taxableSar, report.totals.vatSar]).toEqual(['5777.11', '828.92']);
    expect(report.byType.map((r) => [r.key, r.vatSar])).toEqual([
      ['invoice', '572.65'],
      ['prepayment', '256.27'],
    ]);
  });

  it('rows add up: USD with two rates is 56.33 + 18.82 = 75.15 SAR, its BT-111; every dimension sums to the totals', () => {
    expect(doc('usd2').lines.map((l) => [l.key, l.taxable, l.vat, l.taxableSar, l.vatSar])).toEqual([
      ['S:15.00', '100.13', '15.02', '375.49', '56.33'],
      ['S:5.00', '100.40', '5.02', '376.50', '18.82'],
    ]);
    expect(doc('usd2').vatSar).toBe('75.15');
    expect(d.usd2!.xml).toContain('<cbc:TaxAmount currencyID="SAR">75.15</cbc:TaxAmount>');
    for (const by of DIMENSIONS) {
      const rows =
        by === 'category'
          ? report.byCategory
          : by === 'market'
            ? report.byMarket
            : by === 'branch'
              ? report.byBranch
              : by === 'unit'
                ? report.byUnit
                : report.byType;
      expect(money(rows.reduce((s, r) => s.plus(r.vatSar), ZERO)), by).toBe(report.totals.vatSar);
      expect(money(rows.reduce((s, r) => s.plus(r.taxableSar), ZERO)), by).toBe(report.totals.taxableSar);
    }
    for (const x of report.documents) expect(money(x.lines.reduce((s, l) => s.plus(l.vatSar), ZERO))).toBe(x.vatSar);
  });

  it('the drill-down shows both: the breakdown as written, each prepayment deducted with its 386, and what counts', () => {
    const final1 = doc('final1');
    expect(final1.stated.map((l) => [l.key, l.taxableSar, l.vatSar])).toEqual([['S:15.00', '2000.00', '300.00']]);
    expect(final1.prepaid.map((p) => [p.invoiceId, p.invoiceUuid, p.key, p.taxableSar, p.vatSar])).toEqual([
      [d.adv1!.number, d.adv1!.uuid, 'S:15.00', '1000.00', '150.00'],
    ]);
    const csv = vatDocumentsCsv([final1, doc('final2')]).split('\r\n');
    expect(csv[0]!.endsWith(',vat_sar,invoice_hash,stated_taxable_sar,stated_vat_sar,prepaid_taxable_sar,prepaid_vat_sar')).toBe(true);
    expect(csv[1]).toMatch(/,S:15\.00,1000\.00,150\.00,1000\.00,150\.00,[^,]+,2000\.00,300\.00,1000\.00,150\.00$/);
    expect(csv[3]).toMatch(/,S:5\.00,-1000\.00,-50\.00,-1000\.00,-50\.00,[^,]+,0\.00,0\.00,1000\.00,50\.00$/);
  });

  it('a document stored without its prepayments recorded (before migration 0010, or another writer) is read from its XML', async () => {
    const db = f.ctx.store.db;
    const row = await db.selectFrom('documents').selectAll().where('id', '=', d.final1!.id).executeTakeFirstOrThrow();
    const sub = await db.selectFrom('submissions').selectAll().where('document_id', '=', d.final1!.id).executeTakeFirstOrThrow();
    const unit3 = f.units[2]!;
    const { prepaid_breakdown, ...legacy } = row;
    expect(JSON.parse(prepaid_breakdown!)).toHaveLength(1);
    // Another period, so this forged copy (its XML still says ICV 1 of POS-1) stays out of the others' checks.
    const copy = {
      ...legacy,
      id: crypto.randomUUID(),
      uuid: crypto.randomUUID(),
      number: num(),
      unit_id: unit3.id,
      icv: 1,
      pih: INITIAL_PIH,
      issue_date: '2026-04-15',
    };
    await db.insertInto('documents').values(copy).execute();
    await db
      .insertInto('submissions')
      .values({ ...sub, document_id: copy.id, unit_id: unit3.id, icv: 1 })
      .execute();
    expect((await db.selectFrom('documents').select('prepaid_breakdown').where('id', '=', copy.id).executeTakeFirstOrThrow()).prepaid_breakdown).toBeNull();
    const again = await vatReport(db, f.taxpayer, parsePeriod({ period: '2026-04' }));
    const x = again.documents[0]!;
    expect([x.statedVatSar, x.prepaidVatSar, x.vatSar]).toEqual(['300.00', '150.00', '150.00']);
    expect(x.prepaid.map((p) => p.invoiceUuid)).toEqual([d.adv1!.uuid]);
  });

  it('the archive stands alone: the index holds currency and rate, the signed XML its TaxExchangeRate, and they reproduce BT-111', () => {
    const dir = join(tmp, 'archive');
    return exportArchive(f.ctx.store.db, f.taxpayer, period, dir, { now: f.ctx.clock.now() }).then(() => {
      expect(verifyArchive(dir).ok).toBe(true);
      const index = (JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as { documents: IndexEntry[] }).documents;
      const rates = Object.fromEntries(index.map((e) => [e.number, [e.currency, e.exchangeRate]]));
      expect(rates[d.usd2!.number]).toEqual(['USD', '3.75']);
      expect(rates[d.adv3!.number]).toEqual(['USD', '3.7512']);
      expect(rates[d.final1!.number]).toEqual(['SAR', null]);
      const csv = readFileSync(join(dir, 'index.csv'), 'utf8').split('\r\n');
      expect(csv[0]!.endsWith(',cleared_file,currency,exchange_rate')).toBe(true);
      expect(csv.find((l) => l.includes(`,${d.adv3!.number},`))!.endsWith(',USD,3.7512')).toBe(true);
      for (const e of index.filter((x) => x.currency !== 'SAR')) {
        const xml = readFileSync(join(dir, e.file), 'utf8');
        const rate =
          /<cac:TaxExchangeRate>\s*<cbc:SourceCurrencyCode>USD<\/cbc:SourceCurrencyCode>\s*<cbc:TargetCurrencyCode>SAR<\/cbc:TargetCurrencyCode>\s*<cbc:CalculationRate>([\d.]+)<\/cbc:CalculationRate>/.exec(
            xml,
          );
        expect(rate?.[1]).toBe(e.exchangeRate);
        const usdVat = /<cbc:TaxAmount currencyID="USD">([\d.]+)<\/cbc:TaxAmount>\s*<cac:TaxSubtotal>/.exec(xml)![1]!;
        const sarVat = /<cbc:TaxAmount currencyID="SAR">([\d.]+)<\/cbc:TaxAmount>/.exec(xml)![1]!;
        expect(money(dec(usdVat).times(e.exchangeRate!))).toBe(sarVat);
      }
    });
  });

  it.runIf(engine === 'sqlite')('CSV on stdout is byte for byte the file written with --out: RFC 4180, CRLF on every line, the last one too', async () => {
    const env = { ...process.env };
    process.env.FAWTARA_MASTER_KEY = masterKey.toString('hex');
    try {
      const data = join(tmp, 'data');
      for (const extra of [['--by', 'unit'], ['--documents'], ['--drill', 'S:5.00']]) {
        const printed: string[] = [];
        const io = { out: (t: string) => void printed.push(t), err: () => undefined };
        expect(await main(['report', 'vat', '--data', data, '--period', '2026-03', '--format', 'csv', ...extra], io)).toBe(0);
        const file = join(tmp, `report-${extra[0]}.csv`);
        expect(
          await main(['report', 'vat', '--data', data, '--period', '2026-03', '--format', 'csv', ...extra, '--out', file], {
            out: () => undefined,
            err: () => undefined,
          }),
        ).toBe(0);
        const bytes = readFileSync(file, 'utf8');
        expect(printed.join('')).toBe(bytes);
        expect(bytes.endsWith('\r\n')).toBe(true);
        expect(bytes.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
      }
      const printed: string[] = [];
      expect(
        await main(['report', 'vat', '--data', data, '--period', '2026-03', '--drill', 'S:15.00'], { out: (t) => void printed.push(t), err: () => undefined }),
      ).toBe(0);
      expect(printed.join('')).toContain(
        `${d.final1!.number}  POS-1  invoice  B2B  SAR  VAT 150.00 SAR (stated 300.00 − prepaid 150.00: ${d.adv1!.number} S:15.00 150.00)`,
      );
    } finally {
      process.env = env;
    }
  });

  it('refuses a note against a rejected original and a deduction of a rejected prepayment; reconcile lists those issued before the rejection', async () => {
    const env = sim.control.env('simulation');
    // Two documents that will reach ZATCA more than 24 h late while BR-KSA-98 is an error: rejected (400).
    const original = await put('POS-2', { lines: [{ price: '80.00' }] });
    const advance = await put('POS-2', { prepayment: true, lines: [{ price: '200.00' }] });
    sim.control.clock.advance(25 * 3600);
    // Issued while both still wait for ZATCA's answer: allowed.
    const credit = await put('POS-2', { lines: [{ price: '20.00' }], note: { type: 'creditNote', of: original.number } });
    const final = await put('POS-2', { lines: [{ price: '500.00' }], deducts: [{ advance, taxable: '200.00', vat: '30.00' }] });
    env.configure({ severityOverrides: { 'BR-KSA-98': 'ERROR' } });
    try {
      await drain(f.ctx);
    } finally {
      env.configure({ severityOverrides: {} });
    }
    const states = await f.ctx.store.db
      .selectFrom('submissions')
      .select(['document_id', 'state'])
      .where('document_id', 'in', [original.id, advance.id, credit.id, final.id])
      .execute();
    expect(Object.fromEntries(states.map((s) => [s.document_id, s.state]))).toEqual({
      [original.id]: 'rejected',
      [advance.id]: 'rejected',
      [credit.id]: 'accepted',
      [final.id]: 'accepted',
    });

    // Now that the rejections are known, issuing refuses both, in English and Arabic, naming the field.
    const refused = async (o: Omit<DocOptions, 'number'>) => {
      const error = await issueDocument(f.ctx, f.taxpayer, 'POS-2', await documentJson(f, { number: num(), ...o })).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(IssueError);
      return error as IssueError;
    };
    for (const type of ['creditNote', 'debitNote'] as const) {
      const e = await refused({ lines: [{ price: '10.00' }], note: { type, of: original.number } });
      expect([e.reason, e.code, e.field]).toEqual(['REFERENCE_REJECTED', 'INVALID_COMBINATION', 'billingReference.invoiceId']);
      expect(e.message).toContain(`ZATCA rejected ${original.number}`);
      expect(e.messageAr).toContain('رفضت الهيئة');
    }
    const e = await refused({ lines: [{ price: '500.00' }], deducts: [{ advance, taxable: '200.00', vat: '30.00' }] });
    expect([e.reason, e.field]).toEqual(['REFERENCE_REJECTED', 'prepaymentAdjustments[0].invoiceUuid']);
    // A deduction must name a prepayment invoice: our own ordinary invoice is refused.
    const wrong = await refused({ lines: [{ price: '500.00' }], deducts: [{ advance: d.usd2!, taxable: '10.00', vat: '1.50' }] });
    expect([wrong.reason, wrong.rule]).toEqual(['REFERENCE_MISMATCH', 'BR-KSA-74']);

    // Reconciliation names the two that slipped through before the rejection was known.
    const r = await reconcile(f.ctx.store.db, f.taxpayer, period, { now: f.ctx.clock.now() });
    const by = (reason: string) => r.differences.filter((x) => x.reason === reason).map((x) => x.uuid);
    expect(by('original-rejected')).toEqual([credit.uuid]);
    expect(by('prepayment-rejected')).toEqual([final.uuid]);
    expect(by('rejected').sort()).toEqual([original.uuid, advance.uuid].sort());
    const flagged = r.differences.find((x) => x.reason === 'original-rejected')!;
    expect(flagged.message).toContain(original.number);
    expect(flagged.messageAr).toContain(original.number);
    expect(r.clean).toBe(false);
  });
});
