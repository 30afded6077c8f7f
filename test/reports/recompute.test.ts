// Issue 17 "Done when": a generated period of 200+ varied documents (S 15 %, S 5 %, Z, E and O with
// exemption reasons; prepayments and their deductions; USD with two VAT rates and several exchange
// rates; credit and debit notes; B2B and B2C; three branches, five units), whose expected VAT report
// is computed here from the stored XML alone by a separate, plain implementation (regular expressions
// and decimal.js; nothing of src/reports), and compared with every --by view and the totals.
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Decimal as DecimalJs } from 'decimal.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { addBranch, bulkOnboard } from '../../src/egs/index.js';
import type { IssueResult } from '../../src/issuing/index.js';
import { parsePeriod, rowsBy, vatReport, vatReportCsv, type ReportDimension, type VatReport } from '../../src/reports/index.js';
import type { RunningSimulator } from '../../src/simulator/index.js';
import type { Branch } from '../../src/store/index.js';
import { CHAIN_BRANCHES, CHAIN_VAT, ENGINES, otpsFor, startFleetSimulator } from '../egs/helpers.js';
import { drain, issuingFleet, type IssuingFleet } from '../issuing/helpers.js';
import { issue, type Category, type DocOptions } from './documents.js';

// A plain decimal, half-up, independent of src/money.
const D = DecimalJs.clone({ precision: 40, rounding: DecimalJs.ROUND_HALF_UP });
type Dec = InstanceType<typeof D>;
const r2 = (v: Dec) => v.toDecimalPlaces(2, D.ROUND_HALF_UP);
const fix = (v: Dec) => (r2(v).isZero() ? '0.00' : r2(v).toFixed(2));

// ---------------------------------------------------------------------------------------------
// The independent reading of a stored document.
interface Sub {
  key: string;
  taxable: Dec;
  vat: Dec;
}
interface Read {
  code: string;
  market: 'B2B' | 'B2C';
  currency: string;
  rate: Dec;
  vatSar: Dec;
  vatDoc: Dec;
  stated: Sub[];
  prepaid: Sub[];
}

const one = (re: RegExp, s: string): string | undefined => re.exec(s)?.[1];

function subtotals(block: string): Sub[] {
  return [...block.matchAll(/<cac:TaxSubtotal>([\s\S]*?)<\/cac:TaxSubtotal>/g)].map(([, s]) => {
    const cat = one(/<cac:TaxCategory>([\s\S]*?)<\/cac:TaxCategory>/, s!)!;
    const code = one(/<cbc:TaxExemptionReasonCode>([^<]+)</, cat);
    const key = [one(/<cbc:ID>([^<]+)<\/cbc:ID>/, cat)!, new D(one(/<cbc:Percent>([^<]+)</, cat)!).toFixed(2), ...(code ? [code] : [])].join(':');
    return { key, taxable: new D(one(/<cbc:TaxableAmount currencyID="\w+">([^<]+)</, s!)!), vat: new D(one(/<cbc:TaxAmount currencyID="\w+">([^<]+)</, s!)!) };
  });
}

function readXml(xml: string): Read {
  const head = xml.slice(0, xml.indexOf('<cac:InvoiceLine>'));
  const lines = xml.slice(xml.indexOf('<cac:InvoiceLine>')).split('<cac:InvoiceLine>').slice(1);
  const type = /<cbc:InvoiceTypeCode name="(\d+)">(\d+)<\/cbc:InvoiceTypeCode>/.exec(head)!;
  const currency = one(/<cbc:DocumentCurrencyCode>(\w+)</, head)!;
  const rate = currency === 'SAR' ? new D(1) : new D(one(/<cac:TaxExchangeRate>[\s\S]*?<cbc:CalculationRate>([^<]+)</, head)!);
  const withSubs = /<cac:TaxTotal>\s*<cbc:TaxAmount currencyID="(\w+)">([^<]+)<\/cbc:TaxAmount>\s*<cac:TaxSubtotal>/.exec(head)!;
  return {
    code: type[2]!,
    market: type[1]!.startsWith('01') ? 'B2B' : 'B2C',
    currency,
    rate,
    vatSar: new D(one(/<cac:TaxTotal>\s*<cbc:TaxAmount currencyID="SAR">([^<]+)<\/cbc:TaxAmount>\s*<\/cac:TaxTotal>/, head)!),
    vatDoc: new D(withSubs[2]!),
    stated: subtotals(head),
    prepaid: lines.filter((l) => l.includes('<cbc:DocumentTypeCode>386</cbc:DocumentTypeCode>')).flatMap(subtotals),
  };
}

/** Largest remainder, written out plainly: floors, then the missing halalas to the largest remainders. */
function split(exact: Dec[], total: Dec): Dec[] {
  const floors = exact.map((x) => x.toDecimalPlaces(2, D.ROUND_FLOOR));
  let missing = total
    .minus(floors.reduce((a, b) => a.plus(b), new D(0)))
    .times(100)
    .round()
    .toNumber();
  const order = exact
    .map((x, i) => ({ i, rem: x.minus(floors[i]!), size: x.abs() }))
    .filter((o) => !exact[o.i]!.isZero())
    .sort((a, b) => b.rem.comparedTo(a.rem) || b.size.comparedTo(a.size) || a.i - b.i);
  expect(Math.abs(missing)).toBeLessThanOrEqual(order.length);
  const out = [...floors];
  for (const o of missing >= 0 ? order : [...order].reverse()) {
    if (missing === 0) break;
    out[o.i] = out[o.i]!.plus(missing > 0 ? '0.01' : '-0.01');
    missing += missing > 0 ? -1 : 1;
  }
  return out;
}

interface Expected {
  sign: number;
  market: string;
  type: string;
  /** Net per category key, signed SAR. */
  rows: Map<string, { taxable: Dec; vat: Dec }>;
  vatSar: Dec;
  taxableSar: Dec;
}

const TYPES: Record<string, string> = { '388': 'invoice', '381': 'creditNote', '383': 'debitNote', '386': 'prepayment' };

function expectedOf(xml: string): Expected {
  const x = readXml(xml);
  // The document's own SAR total is its VAT at its own rate (the signed document alone says so).
  expect(fix(x.vatDoc.times(x.rate))).toBe(fix(x.vatSar));
  const sign = x.code === '381' ? -1 : 1;
  const rows = new Map<string, { taxable: Dec; vat: Dec }>();
  const add = (subs: Sub[], total: Dec, s: number) => {
    const vats = split(
      subs.map((l) => l.vat.times(x.rate)),
      total,
    );
    subs.forEach((l, i) => {
      const row = rows.get(l.key) ?? { taxable: new D(0), vat: new D(0) };
      rows.set(l.key, { taxable: row.taxable.plus(r2(l.taxable.times(x.rate)).times(s * sign)), vat: row.vat.plus(vats[i]!.times(s * sign)) });
    });
  };
  add(x.stated, x.vatSar, 1);
  add(x.prepaid, r2(x.prepaid.reduce((a, l) => a.plus(l.vat), new D(0)).times(x.rate)), -1);
  const sum = (f: 'taxable' | 'vat') => [...rows.values()].reduce((a, r) => a.plus(r[f]), new D(0));
  return { sign, market: x.market, type: TYPES[x.code]!, rows, vatSar: sum('vat'), taxableSar: sum('taxable') };
}

// ---------------------------------------------------------------------------------------------
// The generated period.
function seeded(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
}

const Z_CODES = ['VATEX-SA-32', 'VATEX-SA-33', 'VATEX-SA-34-4', 'VATEX-SA-35', 'VATEX-SA-36'];
const E_CODES = ['VATEX-SA-29', 'VATEX-SA-29-7', 'VATEX-SA-30'];
const RATES = ['3.75', '3.7512', '3.7499'];

describe.each(ENGINES)('independent recomputation of a 200+ document period on %s', (engine) => {
  let sim: RunningSimulator;
  let f: IssuingFleet;
  let tmp: string;
  let report: VatReport;
  const masterKey = randomBytes(32);
  const period = parsePeriod({ period: '2026-03' });
  const units: Array<{ name: string; branch: Branch }> = [];

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'fawtara-recompute-'));
    mkdirSync(join(tmp, 'data'));
    sim = await startFleetSimulator();
    f = await issuingFleet(engine, sim, 2, {
      kek: { protection: 'master-key', key: masterKey },
      ...(engine === 'sqlite' && { sqliteFile: join(tmp, 'data', 'fawtara.db') }),
    });
    units.push({ name: 'POS-1', branch: f.branch }, { name: 'POS-2', branch: f.branch });
    for (const [b, names] of [
      [CHAIN_BRANCHES[1]!, ['JED-1']],
      [CHAIN_BRANCHES[2]!, ['DMM-1', 'DMM-2']],
    ] as const) {
      const branch = await addBranch(f.ctx, f.taxpayer, b);
      const otps = otpsFor(sim, CHAIN_VAT, names.length);
      const r = await bulkOnboard(
        f.ctx,
        f.taxpayer,
        names.map((name, i) => ({ branch: branch.name, serial: `1-Fawtara|2-POS|3-${name}`, name, title: '1100', otp: otps[i]! })),
      );
      expect(r.every((x) => x.ok)).toBe(true);
      for (const name of names) units.push({ name, branch });
    }

    const rnd = seeded(2026);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)]!;
    const price = (lo: number, hi: number) => (lo + rnd() * (hi - lo)).toFixed(2);
    let n = 0;
    const num = () => `RC-${engine}-${++n}`;
    const all = async (specs: Array<[string, DocOptions]>) => {
      const out: IssueResult[] = [];
      for (let i = 0; i < specs.length; i += 25) out.push(...(await Promise.all(specs.slice(i, i + 25).map(([u, o]) => issue(f, u, o)))));
      return out;
    };

    // 150 invoices: mixed S 15 %, S 5 %, Z and E lines (one exemption code per category and document); every tenth out of scope only.
    const invoices: Array<[string, DocOptions]> = [];
    for (let i = 0; i < 150; i++) {
      const u = units[i % units.length]!;
      const z: Category = { code: 'Z', exemptionCode: pick(Z_CODES) };
      const e: Category = { code: 'E', exemptionCode: pick(E_CODES) };
      const cats: Category[] = [{ code: 'S' }, { code: 'S' }, { code: 'S', rate: '5' }, z, e];
      const oos = i % 10 === 9;
      invoices.push([
        u.name,
        {
          number: num(),
          branch: u.branch,
          kind: i % 3 === 0 ? 'standard' : 'simplified',
          ...(i % 6 === 1 && { currency: { code: 'USD', rate: pick(RATES) } }),
          lines: Array.from({ length: 1 + Math.floor(rnd() * 4) }, () => ({
            price: price(1, 400),
            quantity: String(1 + Math.floor(rnd() * 3)),
            category: oos ? { code: 'O', exemptionCode: 'VATEX-SA-OOS' } : pick(cats),
          })),
        },
      ]);
    }
    // Two-rate USD documents whose per-category SAR rounding alone would miss BT-111 by a halala.
    invoices.push([
      'POS-2',
      { number: num(), currency: { code: 'USD', rate: '3.75' }, lines: [{ price: '100.13' }, { price: '100.40', category: { code: 'S', rate: '5' } }] },
    ]);
    // 15 prepayment invoices (386): S 15 %, S 5 % (before a rate change), Z; SAR and USD.
    const advances: Array<[string, DocOptions]> = [];
    for (let i = 0; i < 15; i++) {
      const u = units[(i * 2) % units.length]!;
      advances.push([
        u.name,
        {
          number: num(),
          branch: u.branch,
          prepayment: true,
          kind: i % 2 ? 'standard' : 'simplified',
          ...(i % 4 === 3 && { currency: { code: 'USD', rate: pick(RATES) } }),
          lines: [{ price: price(50, 500), category: pick<Category>([{ code: 'S' }, { code: 'S', rate: '5' }, { code: 'Z', exemptionCode: 'VATEX-SA-35' }]) }],
        },
      ]);
    }
    const issuedInvoices = await all(invoices);
    const issuedAdvances = await all(advances);

    // 15 final invoices deducting each advance in full (in the advance's category, at the final invoice's own rate).
    const later: Array<[string, DocOptions]> = [];
    advances.forEach(([unit, a], i) => {
      const cat = a.lines[0]!.category!;
      const taxable = new D(a.lines[0]!.price);
      const vat = cat.code === 'S' ? r2(taxable.times(cat.rate ?? '15').dividedBy(100)) : new D(0);
      later.push([
        units[(i * 3 + 1) % units.length]!.name,
        {
          number: num(),
          kind: a.kind!,
          ...(a.currency && { currency: { code: 'USD', rate: pick(RATES) } }),
          lines: [{ price: price(600, 900) }, ...(cat.code === 'Z' ? [{ price: price(10, 50), category: cat }] : [])],
          deducts: [{ advance: issuedAdvances[i]!, taxable: taxable.toFixed(2), vat: vat.toFixed(2), category: cat }],
        },
      ]);
      void unit;
    });
    // 15 credit and 10 debit notes against earlier invoices (same kind and currency; at most what the original holds).
    for (let i = 0; i < 25; i++) {
      const k = (i * 7) % 150;
      const [, o] = invoices[k]!;
      later.push([
        units[(k + i) % units.length]!.name,
        {
          number: num(),
          kind: o.kind!,
          ...(o.currency && { currency: { code: 'USD', rate: pick(RATES) } }),
          lines: [{ price: price(0.1, 1), category: o.lines[0]!.category! }],
          note: { type: i < 15 ? 'creditNote' : 'debitNote', of: issuedInvoices[k]!.number },
        },
      ]);
    }
    await all(later);
    await drain(f.ctx, { timeoutMs: 120_000 });
    report = await vatReport(f.ctx.store.db, f.taxpayer, period, { now: f.ctx.clock.now() });
  }, 600_000);
  afterAll(async () => {
    await f?.close();
    await sim?.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  /** Expected rows per dimension from the stored XML of every counted document. */
  async function expectedReport() {
    const docs = await f.ctx.store.db
      .selectFrom('documents as d')
      .innerJoin('egs_units as u', 'u.id', 'd.unit_id')
      .innerJoin('branches as b', 'b.id', 'u.branch_id')
      .innerJoin('submissions as s', 's.document_id', 'd.id')
      .select(['d.xml', 'u.name as unit', 'b.name as branch', 's.state'])
      .where('d.taxpayer_id', '=', f.taxpayer.id)
      .execute();
    const counted = docs.filter((x) => x.state === 'accepted' || x.state === 'accepted-with-warnings');
    const dims: Record<ReportDimension, Map<string, { docs: number; taxable: Dec; vat: Dec }>> = {
      category: new Map(),
      market: new Map(),
      branch: new Map(),
      unit: new Map(),
      type: new Map(),
    };
    const bump = (dim: ReportDimension, key: string, taxable: Dec, vat: Dec) => {
      const r = dims[dim].get(key) ?? { docs: 0, taxable: new D(0), vat: new D(0) };
      dims[dim].set(key, { docs: r.docs + 1, taxable: r.taxable.plus(taxable), vat: r.vat.plus(vat) });
    };
    let taxable = new D(0);
    let vat = new D(0);
    for (const row of counted) {
      const e = expectedOf(row.xml);
      for (const [key, r] of e.rows) bump('category', key, r.taxable, r.vat);
      bump('market', e.market, e.taxableSar, e.vatSar);
      bump('branch', row.branch, e.taxableSar, e.vatSar);
      bump('unit', row.unit, e.taxableSar, e.vatSar);
      bump('type', e.type, e.taxableSar, e.vatSar);
      taxable = taxable.plus(e.taxableSar);
      vat = vat.plus(e.vatSar);
    }
    const view = (m: Map<string, { docs: number; taxable: Dec; vat: Dec }>) =>
      Object.fromEntries([...m].map(([k, r]) => [k, [r.docs, fix(r.taxable), fix(r.vat)]]));
    return {
      issued: docs.length,
      counted: counted.length,
      totals: [counted.length, fix(taxable), fix(vat)],
      dims: Object.fromEntries(Object.entries(dims).map(([k, m]) => [k, view(m)])) as Record<ReportDimension, Record<string, unknown>>,
    };
  }

  const label = (by: ReportDimension, r: { key: string; unit?: string; branch?: string }) => (by === 'unit' ? r.unit! : by === 'branch' ? r.branch! : r.key);

  it('the period is varied: 200+ documents, every category with exemption reasons, prepayments, USD, notes, B2B and B2C, 3 branches, 5 units', async () => {
    const e = await expectedReport();
    expect(e.issued).toBeGreaterThanOrEqual(200);
    expect(e.counted).toBe(e.issued);
    expect(report.excluded).toEqual({});
    const keys = Object.keys(e.dims.category);
    for (const c of ['S:15.00', 'S:5.00', 'O:0.00:VATEX-SA-OOS']) expect(keys).toContain(c);
    expect(keys.filter((k) => k.startsWith('Z:')).length).toBeGreaterThanOrEqual(3);
    expect(keys.filter((k) => k.startsWith('E:')).length).toBeGreaterThanOrEqual(2);
    expect(Object.keys(e.dims.type).sort()).toEqual(['creditNote', 'debitNote', 'invoice', 'prepayment']);
    expect(Object.keys(e.dims.market).sort()).toEqual(['B2B', 'B2C']);
    expect(Object.keys(e.dims.branch).sort()).toEqual(['Dammam', 'Jeddah', 'Riyadh']);
    expect(Object.keys(e.dims.unit)).toHaveLength(5);
    expect(report.documents.filter((d) => d.prepaid.length > 0)).toHaveLength(15);
    expect(report.documents.filter((d) => d.currency === 'USD').length).toBeGreaterThanOrEqual(30);
  });

  it('every --by view and the totals equal the recomputation from the stored XML (library rows and the CSV the CLI prints)', async () => {
    const e = await expectedReport();
    expect([report.totals.documents, report.totals.taxableSar, report.totals.vatSar]).toEqual(e.totals);
    for (const by of ['category', 'market', 'branch', 'unit', 'type'] as const) {
      const rows = Object.fromEntries(rowsBy(report, by).map((r) => [label(by, r), [r.documents, r.taxableSar, r.vatSar]]));
      expect(rows, by).toEqual(e.dims[by]);
      // The CSV: one row per key plus the total row, same figures.
      const csv = vatReportCsv(report, by)
        .split('\r\n')
        .filter(Boolean)
        .slice(1)
        .map((l) => l.split(','));
      const total = csv.pop()!;
      expect(total.slice(-3), by).toEqual(e.totals.map(String));
      const col = by === 'unit' ? 9 : by === 'branch' ? 8 : 3;
      expect(Object.fromEntries(csv.map((c) => [c[col], [Number(c[11]), c[12], c[13]]])), by).toEqual(e.dims[by]);
    }
  });

  it.runIf(engine === 'sqlite')('the CLI prints the same for every --by (report vat --format csv)', async () => {
    const e = await expectedReport();
    const env = { ...process.env };
    process.env.FAWTARA_MASTER_KEY = masterKey.toString('hex');
    try {
      for (const by of ['category', 'market', 'branch', 'unit', 'type'] as const) {
        const out: string[] = [];
        expect(
          await main(['report', 'vat', '--data', join(tmp, 'data'), '--period', '2026-03', '--format', 'csv', '--by', by], {
            out: (t) => void out.push(t),
            err: () => undefined,
          }),
        ).toBe(0);
        const lines = out.join('').split('\r\n').filter(Boolean).slice(1);
        const total = lines.pop()!.split(',');
        expect(total.slice(-3)).toEqual(e.totals.map(String));
        const col = by === 'unit' ? 9 : by === 'branch' ? 8 : 3;
        expect(Object.fromEntries(lines.map((l) => l.split(',')).map((c) => [c[col], [Number(c[11]), c[12], c[13]]])), by).toEqual(e.dims[by]);
      }
    } finally {
      process.env = env;
    }
  });
});
