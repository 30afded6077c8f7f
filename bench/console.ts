// Console at scale (issue 14): seeds N documents (default 1,000,000) over 50 units and 2 years by
// direct SQL inserts — chains linked, not signed one by one — then measures p95 of the overview page
// and of a filtered document search page, on SQLite and PostgreSQL, and prints the query plans.
// Run: node --import tsx bench/console.ts [--documents N] [--engine sqlite|postgres|both]
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { addUnit } from '../src/egs/index.js';
import { tenants, units, type Store } from '../src/store/index.js';
import { CHAIN_VAT, testServer, userCaller, type Engine } from '../test/server/helpers.js';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : fallback;
};
const TOTAL = Number(arg('documents', '1000000'));
const ENGINES: Engine[] = arg('engine', 'both') === 'both' ? ['sqlite', 'postgres'] : [arg('engine', 'sqlite') as Engine];
const UNITS = 50;
const DAYS = 730;
const BATCH = 500;
const RUNS = Number(arg('runs', '40'));
const INITIAL_PIH = 'NWZlY2ViNjZmZmM4NmYzOGQ5NTI3ODZjNmQ2OTZjNzljMmRiYzIzOWRkNGU5MWI0NjcyOWQ3M2EyN2ZiNTdlOQ==';

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

/** Documents and their submissions, unit by unit in ICV order so the chain-link trigger holds. */
async function seed(store: Store, taxpayerId: string, unitIds: string[], total: number): Promise<void> {
  const start = Date.parse('2025-01-01T06:00:00Z');
  const perUnit = Math.ceil(total / unitIds.length);
  const step = (DAYS * 86_400_000) / perUnit;
  // A compliant history: 1 in 100 rejected, 1 in 50 accepted with warnings, the last day still to submit.
  const pendingFrom = start + (DAYS - 1) * 86_400_000;
  let written = 0;
  for (const [u, unitId] of unitIds.entries()) {
    let pih = INITIAL_PIH;
    for (let icv = 1; icv <= perUnit && written < total; ) {
      const docs: Record<string, unknown>[] = [];
      const subs: Record<string, unknown>[] = [];
      for (let k = 0; k < BATCH && icv <= perUnit && written < total; k++, icv++, written++) {
        const id = randomUUID();
        const at = new Date(start + icv * step + u * 1000);
        const iso = at.toISOString();
        const hash = Buffer.from(`${unitId}:${icv}`).toString('base64');
        const payable = `${(10 + ((icv * 7) % 900)).toFixed(2)}`;
        const vat = (Number(payable) * (15 / 115)).toFixed(2);
        const net = (Number(payable) - Number(vat)).toFixed(2);
        docs.push({
          id,
          taxpayer_id: taxpayerId,
          unit_id: unitId,
          icv,
          pih,
          invoice_hash: hash,
          uuid: id,
          number: `B${u}-${icv}`,
          document_type: 'invoice',
          type_code: '388',
          transaction_code: '0200000',
          kind: 'simplified',
          issue_date: iso.slice(0, 10),
          issue_time: iso.slice(11, 19),
          issued_at: iso,
          deadline_at: new Date(at.getTime() + 86_400_000).toISOString(),
          signing_time: iso.slice(0, 19),
          csid_id: 'bench',
          currency: 'SAR',
          exchange_rate: null,
          buyer_vat: null,
          buyer_name: icv % 10 === 0 ? `Buyer ${icv % 97}` : null,
          original_document_id: null,
          original_number: null,
          tax_exclusive_amount: net,
          tax_amount: vat,
          tax_amount_sar: vat,
          tax_inclusive_amount: payable,
          payable_amount: payable,
          taxable_amount_sar: net,
          vat_breakdown: JSON.stringify([{ category: 'S', rate: '15.00', taxable: net, vat }]),
          qr: '',
          xml: '<Invoice/>',
        });
        const state = at.getTime() >= pendingFrom ? 'to-submit' : icv % 100 === 0 ? 'rejected' : icv % 50 === 0 ? 'accepted-with-warnings' : 'accepted';
        subs.push({
          document_id: id,
          taxpayer_id: taxpayerId,
          unit_id: unitId,
          icv,
          kind: 'simplified',
          endpoint: 'reporting',
          state,
          attempts: state === 'to-submit' ? 0 : 1,
          next_attempt_at: iso,
          lease_owner: null,
          lease_until: null,
          issued_at: iso,
          deadline_at: new Date(at.getTime() + 86_400_000).toISOString(),
          late: 0,
          duplicate: 0,
          last_http_status: null,
          last_outcome: null,
          last_message: null,
          accepted_at: state.startsWith('accepted') ? iso : null,
          updated_at: iso,
        });
        pih = hash;
      }
      await store.db.transaction().execute(async (trx) => {
        await trx
          .insertInto('documents')
          .values(docs as never)
          .execute();
        await trx
          .insertInto('submissions')
          .values(subs as never)
          .execute();
      });
    }
    if ((u + 1) % 10 === 0) process.stderr.write(`  seeded ${written} documents (${u + 1}/${unitIds.length} units)\n`);
  }
}

const SEARCH_PLAN_SQL = `select d.id from documents d join egs_units u on u.id = d.unit_id join submissions s on s.document_id = d.id
 where d.taxpayer_id = $1 and u.branch_id = $2 and d.issued_at >= $3 and d.issued_at < $4 and s.state = 'accepted'
 order by d.issued_at desc, d.id desc limit 51`;

async function plan(store: Store, engine: Engine, taxpayerId: string, branchId: string): Promise<string> {
  const params = [taxpayerId, branchId, '2026-03-01', '2026-04-01'];
  if (engine === 'sqlite') {
    const text = SEARCH_PLAN_SQL.replace(/\$(\d)/g, (_m, i) => `'${params[Number(i) - 1]}'`);
    const rows = (await sql.raw(`explain query plan ${text}`).execute(store.db)).rows as Array<{ detail: string }>;
    return rows.map((r) => `    ${r.detail}`).join('\n');
  }
  const text = SEARCH_PLAN_SQL.replace(/\$(\d)/g, (_m, i) => `'${params[Number(i) - 1]}'`);
  const rows = (await sql.raw(`explain ${text}`).execute(store.db)).rows as Array<{ 'QUERY PLAN': string }>;
  return rows.map((r) => `    ${r['QUERY PLAN']}`).join('\n');
}

async function measure(label: string, call: () => Promise<number>): Promise<void> {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    const status = await call();
    times.push(performance.now() - t0);
    if (status !== 200) throw new Error(`${label}: HTTP ${status}`);
  }
  times.sort((a, b) => a - b);
  console.log(`  ${label.padEnd(44)} p50 ${pct(times, 50).toFixed(0).padStart(5)} ms   p95 ${pct(times, 95).toFixed(0).padStart(5)} ms   (${RUNS} requests)`);
}

async function run(engine: Engine): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'fawtara-bench-console-'));
  const s = await testServer(engine, engine === 'sqlite' ? { sqliteFile: join(dir, 'bench.sqlite') } : {});
  try {
    const db = s.fleet.store.db;
    const branches = await tenants.listBranches(db, s.taxpayer.id);
    const existing = await units.listUnits(db, s.taxpayer.id);
    for (let i = existing.length; i < UNITS; i++) {
      await addUnit(s.fleet, s.taxpayer, { branch: branches[i % branches.length]!.name, serial: `1-Bench|2-POS|3-${i}`, name: `BENCH-${i}` });
    }
    const unitIds = (await units.listUnits(db, s.taxpayer.id)).map((u) => u.id);
    const t0 = performance.now();
    await seed(s.fleet.store, s.taxpayer.id, unitIds, TOTAL);
    const seconds = (performance.now() - t0) / 1000;
    if (engine === 'postgres') await sql.raw('analyze').execute(db);
    console.log(`\n${engine}: ${TOTAL.toLocaleString('en-US')} documents over ${unitIds.length} units and ${DAYS} days seeded in ${seconds.toFixed(0)} s`);
    const admin = await userCaller(s, 'bench-admin', 'admin');
    const token = admin.authorization.slice('Bearer '.length);
    const page = (url: string) => async () =>
      (await s.app.inject({ method: 'GET', url, headers: { cookie: `fawtara_session=${token}`, accept: 'text/html' } })).statusCode;
    const base = `/console/taxpayers/${CHAIN_VAT}`;
    for (const part of ['units', 'expiring-units?days=30', 'outbox', 'sync/branches', 'clock-drift', 'documents?state=rejected&from=2026-12-30&limit=100']) {
      await measure(`  overview part: ${part.split('?')[0]}`, page(`/api/v1/taxpayers/${CHAIN_VAT}/${part}`));
    }
    await measure('overview page', page(`${base}/overview`));
    await measure('document search page (branch, month, state)', page(`${base}/documents?branch=Riyadh&from=2026-03-01&to=2026-04-01&state=accepted`));
    await measure(
      'document search API (branch, month, state)',
      page(`/api/v1/taxpayers/${CHAIN_VAT}/documents?branch=Riyadh&from=2026-03-01&to=2026-04-01&state=accepted`),
    );
    console.log(`  plan of the filtered search:\n${await plan(s.fleet.store, engine, s.taxpayer.id, branches.find((b) => b.name === 'Riyadh')!.id)}`);
  } finally {
    await s.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

for (const engine of ENGINES) await run(engine);
