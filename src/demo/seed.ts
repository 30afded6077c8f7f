// The demo's first start: the restaurant chain registered and onboarded against the built-in
// simulator (OTPs from its control API), a few days' volume of sales issued, and a demo admin whose
// random password is returned once (stored only as a scrypt hash). Every step is safe to repeat.
import { randomBytes, randomUUID } from 'node:crypto';
import { addBranch, addTaxpayer, addUnit, bulkOnboard, setUnitTarget, type FleetContext } from '../egs/index.js';
import { FawtaraError } from '../errors.js';
import { issueDateTime, issueDocument } from '../issuing/index.js';
import { saleToInvoice } from '../pos/sale.js';
import type { AccessContext } from '../server/access/context.js';
import { createUser, findUser } from '../server/access/users.js';
import type { RunningSimulator } from '../simulator/index.js';
import { documents, tenants, units, type Taxpayer } from '../store/index.js';
import { simulatorBaseUrl, type FatooraEnv } from '../zatca/index.js';
import { DEMO_BRANCHES, DEMO_TAXPAYER, DEMO_UNITS, DEMO_VAT, demoSale, prng } from './catalog.js';

export const DEMO_ADMIN = 'demo-admin';

export interface SeedOptions {
  days?: number;
  salesPerUnitPerDay?: number;
  onProgress?: (message: string) => void;
}

export interface SeedResult {
  taxpayer: Taxpayer;
  issued: number;
  /** Only when the demo admin was created by this call: shown once, never stored in clear. */
  adminPassword?: string;
}

export async function seedDemo(ctx: FleetContext, ax: AccessContext, sim: RunningSimulator, options: SeedOptions = {}): Promise<SeedResult> {
  const say = options.onProgress ?? (() => undefined);
  const db = ctx.store.db;
  const taxpayer = (await tenants.findTaxpayerByVat(db, DEMO_VAT)) ?? (await addTaxpayer(ctx, DEMO_TAXPAYER));
  for (const b of DEMO_BRANCHES) if (!(await tenants.findBranch(db, taxpayer.id, b.name))) await addBranch(ctx, taxpayer, b);
  for (const u of DEMO_UNITS) {
    const unit = (await units.findUnit(db, taxpayer.id, u.name)) ?? (await addUnit(ctx, taxpayer, u));
    // The units' target is this start's simulator (its port may differ from the last start's), so
    // the CLI run against this data directory reaches the same simulator as the server.
    await setUnitTarget(ctx, unit, simulatorBaseUrl(sim.url, unit.environment as FatooraEnv));
  }

  const pending = [];
  for (const u of DEMO_UNITS) if ((await units.findUnit(db, taxpayer.id, u.name))!.state !== 'active') pending.push(u.name);
  if (pending.length > 0) {
    say(`onboarding ${pending.length} POS units against the simulator (CSR, compliance CSID, compliance checks, production CSID)…`);
    const otps = sim.control.env('simulation').generateOtps({ vat: DEMO_VAT, count: pending.length });
    const results = await bulkOnboard(
      ctx,
      taxpayer,
      pending.map((unit, i) => ({ unit, otp: otps[i]!.otp })),
    );
    const failed = results.filter((r) => !r.ok);
    if (failed.length > 0) {
      throw new FawtaraError(
        'ZATCA_UNAVAILABLE',
        `onboarding failed for ${failed.map((f) => `${f.unit} (${f.error?.message})`).join(', ')}; start again to resume`,
        { messageAr: 'تعذر تسجيل بعض الوحدات؛ أعد التشغيل للاستئناف' },
      );
    }
  }

  let issued = 0;
  if ((await documents.countDocuments(db, taxpayer.id)) === 0) {
    const days = options.days ?? 3;
    const perDay = options.salesPerUnitPerDay ?? 10;
    say(`issuing ${days * perDay * DEMO_UNITS.length} sales (${days} days' volume × ${DEMO_UNITS.length} units × ${perDay}), stamped now…`);
    const rand = prng(2026);
    const branches = new Map((await tenants.listBranches(db, taxpayer.id)).map((b) => [b.id, b]));
    // Units issue side by side (as tills do); each unit's own sales go one after another, in chain order.
    await Promise.all(
      DEMO_UNITS.map(async (d) => {
        const unit = (await units.findUnit(db, taxpayer.id, d.name))!;
        for (let i = 0; i < days * perDay; i++) {
          const uuid = randomUUID();
          const json = saleToInvoice(demoSale(rand), {
            taxpayer,
            branch: branches.get(unit.branch_id)!,
            unit,
            uuid,
            today: issueDateTime(ctx.clock.now()).issueDate,
          });
          await issueDocument(ctx, taxpayer, unit.id, json);
          issued++;
        }
      }),
    );
  }

  const exists = await findUser(ax, DEMO_ADMIN);
  if (exists) return { taxpayer, issued };
  // Random per data directory, shown once: there is no default password (docs/zatca-notes.md §P3).
  const adminPassword = randomBytes(15).toString('base64url');
  await createUser(
    ax,
    { kind: 'cli', actor: 'cli:demo' },
    { username: DEMO_ADMIN, password: adminPassword, role: 'admin', displayName: 'Demo administrator', taxpayer: null },
  );
  return { taxpayer, issued, adminPassword };
}
