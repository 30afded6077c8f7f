// Test harness for issuing: a fleet with onboarded units (on SQLite or a private PostgreSQL schema)
// against a simulator, sale documents in our invoice JSON, and a drain loop for the outbox.
import { randomUUID } from 'node:crypto';
import { addBranch, addTaxpayer, bulkOnboard, resolveUnit, type FleetContext, type KekSource } from '../../src/egs/index.js';
import { runOutbox, type OutboxRunSummary } from '../../src/outbox/index.js';
import type { RunningSimulator } from '../../src/simulator/index.js';
import { submissions, type Branch, type EgsUnit, type Taxpayer } from '../../src/store/index.js';
import { CHAIN_BRANCHES, CHAIN_VAT, otpsFor, testFleet, type Engine, type TestFleet } from '../egs/helpers.js';

export interface IssuingFleet extends TestFleet {
  taxpayer: Taxpayer;
  branch: Branch;
  units: EgsUnit[];
}

/** A taxpayer, one branch and `count` onboarded units (title 1100 unless given). */
export async function issuingFleet(
  engine: Engine,
  sim: RunningSimulator,
  count: number,
  options: { title?: string; sqliteFile?: string; prefix?: string; kek?: KekSource } = {},
): Promise<IssuingFleet> {
  const fleet = await testFleet(engine, sim, { ...(options.sqliteFile && { sqliteFile: options.sqliteFile }), ...(options.kek && { kek: options.kek }) });
  const taxpayer = await addTaxpayer(fleet.ctx, { vatNumber: CHAIN_VAT, nameAr: 'مطاعم السلسلة المحدودة', nameEn: 'Chain Restaurants LTD' });
  const branch = await addBranch(fleet.ctx, taxpayer, CHAIN_BRANCHES[0]!);
  const prefix = options.prefix ?? 'POS';
  const otps = otpsFor(sim, CHAIN_VAT, count);
  const entries = Array.from({ length: count }, (_, i) => ({
    branch: branch.name,
    serial: `1-Fawtara|2-${prefix}|3-U${i + 1}`,
    name: `${prefix}-${i + 1}`,
    title: options.title ?? '1100',
    otp: otps[i]!,
  }));
  const results = await bulkOnboard(fleet.ctx, taxpayer, entries);
  const failed = results.filter((r) => !r.ok);
  if (failed.length) throw new Error(`onboarding failed: ${JSON.stringify(failed)}`);
  const units = await Promise.all(entries.map((e) => resolveUnit(fleet.ctx, taxpayer, e.name)));
  return { ...fleet, taxpayer, branch, units };
}

export interface SaleOptions {
  number: string;
  kind?: 'simplified' | 'standard';
  uuid?: string;
  lines?: number;
  price?: string;
  note?: { type: 'creditNote' | 'debitNote'; of: string; uuid?: string };
  currency?: { code: string; rate: string };
}

/** A sale in our invoice JSON (no ICV, PIH, issue date or time: issuing assigns them). */
export function saleJson(taxpayer: Taxpayer, branch: Branch, o: SaleOptions): Record<string, unknown> {
  const kind = o.kind ?? 'simplified';
  const json: Record<string, unknown> = {
    id: o.number,
    uuid: o.uuid ?? randomUUID(),
    kind,
    seller: {
      name: { ar: taxpayer.name_ar, en: taxpayer.name_en ?? taxpayer.name_ar },
      vatNumber: taxpayer.vat_number,
      identification: { scheme: 'CRN', value: branch.crn },
      address: {
        street: branch.street,
        buildingNumber: branch.building_number,
        district: branch.district,
        city: branch.city,
        postalCode: branch.postal_code,
        country: 'SA',
      },
    },
    paymentMeans: [{ code: '10' }],
    lines: Array.from({ length: o.lines ?? 2 }, (_, i) => ({
      name: `صنف ${i + 1} | Item ${i + 1}`,
      quantity: String(1 + (i % 3)),
      unitPrice: o.price ?? '10.00',
    })),
  };
  if (o.currency) Object.assign(json, { currency: o.currency.code, exchangeRate: o.currency.rate });
  if (kind === 'standard') {
    json.buyer = {
      name: { ar: 'شركة المشتري المحدودة', en: 'Buyer LTD' },
      vatNumber: '399999999800003',
      address: { street: 'Salah Al-Din', buildingNumber: '1111', district: 'Al-Murooj', city: 'Riyadh', postalCode: '12222', country: 'SA' },
    };
    json.delivery = { actualDate: new Date().toISOString().slice(0, 10) };
  }
  if (o.note) {
    json.documentType = o.note.type;
    json.billingReference = { invoiceId: o.note.of, ...(o.note.uuid && { uuid: o.note.uuid }) };
    json.reason = o.note.type === 'creditNote' ? 'Goods returned | إرجاع السلع' : 'Price adjustment | تعديل السعر';
  }
  return json;
}

/** Run the outbox until every job is final or held, or `timeoutMs` passes. */
export async function drain(
  ctx: FleetContext,
  options: { timeoutMs?: number; pauseMs?: number; onPass?: () => void; backoffMs?: number } = {},
): Promise<OutboxRunSummary> {
  const total: OutboxRunSummary = { attempts: 0, byState: {}, late: 0, duplicates: 0, superseded: 0 };
  const end = Date.now() + (options.timeoutMs ?? 15_000);
  for (;;) {
    const s = await runOutbox(ctx, { once: true, concurrency: 8, backoff: { baseMs: options.backoffMs ?? 20, capMs: 200 } });
    total.attempts += s.attempts;
    total.late += s.late;
    total.duplicates += s.duplicates;
    total.superseded += s.superseded;
    for (const [k, n] of Object.entries(s.byState)) total.byState[k] = (total.byState[k] ?? 0) + n;
    const counts = await submissions.countByState(ctx.store.db);
    if (!counts.some((c) => c.state === 'to-submit' && c.n > 0)) return total;
    if (Date.now() > end) throw new Error(`outbox did not drain: ${JSON.stringify(counts)}`);
    options.onPass?.();
    await new Promise((r) => setTimeout(r, options.pauseMs ?? 20));
  }
}
