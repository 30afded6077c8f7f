// Issue 15's acceptance test: three `fawtara serve` instances on ONE PostgreSQL schema behind a
// round-robin front, POS sales for the same units on all three, concurrent certificate renewals and a
// revocation through one instance, one instance SIGKILLed mid-load and restarted. Then: no ICV gap,
// duplicate or fork (the chain audit); every acknowledged sale stored once and reported once (the
// simulator's record); the revoked unit refused on every instance from its next sale.
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditChains } from '../../src/audit/index.js';
import { addBranch, addTaxpayer, addUnit, bulkOnboard, createFleetLogger, openFleet, Redactor, type FleetContext } from '../../src/egs/index.js';
import { accessContext } from '../../src/server/access/context.js';
import { createDeviceToken, createUser } from '../../src/server/access/users.js';
import { startSimulator, type RunningSimulator } from '../../src/simulator/index.js';
import { units as unitRepo, type Taxpayer } from '../../src/store/index.js';
import { createZatcaClient, simulatorBaseUrl, type FatooraEnv } from '../../src/zatca/index.js';
import { CHAIN_BRANCHES, CHAIN_DEVICES, CHAIN_VAT, dropPgSchema, otpsFor, PG_URL, pgEnv, pgSchemaName, pgStoreOptions } from '../egs/helpers.js';
import { SALE } from '../server/onboarded.js';
import { PASSWORD, TEST_SCRYPT } from '../server/helpers.js';
import { call, killInstance, startInstance, stopInstance, waitFor, type Answer, type Instance, type InstanceConfig } from './instances.js';

if (!PG_URL) console.warn('test/scale/multi-instance.test.ts skipped: set FAWTARA_TEST_PG to an administrator URL of a PostgreSQL database');

const UNITS = CHAIN_DEVICES.slice(0, 4).map((d) => d.name); // RUH-POS-1, RUH-POS-2, JED-POS-1, JED-POS-2
const RENEWED = ['RUH-POS-2', 'JED-POS-1'];
const REVOKED = 'JED-POS-2';
const LANES = 6;
const SALES_PER_LANE = 36;
const salesPath = (unit: string) => `/api/v1/taxpayers/${CHAIN_VAT}/units/${encodeURIComponent(unit)}/sales`;
const unitPath = (unit: string, action: string) => `/api/v1/taxpayers/${CHAIN_VAT}/units/${encodeURIComponent(unit)}/${action}`;

describe.skipIf(!PG_URL)('three head-office instances on one PostgreSQL (needs FAWTARA_TEST_PG)', () => {
  let sim: RunningSimulator;
  let fleet: FleetContext;
  let taxpayer: Taxpayer;
  const schema = pgSchemaName();
  const dirs: string[] = [];
  const tokens = new Map<string, string>();
  const live: Array<Instance | undefined> = [];
  const stopped: Instance[] = [];
  let config: (i: number) => InstanceConfig;

  beforeAll(async () => {
    sim = await startSimulator({ port: 0, host: '127.0.0.1', seed: 15 });
    const key = randomBytes(32);
    const redactor = new Redactor();
    // The owner role migrates once here; the instances run as the runtime role (docs/operations.md).
    fleet = await openFleet({
      store: pgStoreOptions(schema),
      zatca: (env: FatooraEnv) => createZatcaClient({ baseUrl: simulatorBaseUrl(sim.url, env), timeoutMs: 20_000 }),
      kek: { protection: 'master-key', key },
      redactor,
      logger: createFleetLogger(() => undefined, redactor),
      actor: 'test',
    });
    taxpayer = await addTaxpayer(fleet, { vatNumber: CHAIN_VAT, nameAr: 'مطاعم السلسلة', nameEn: 'Chain Restaurants LTD' });
    for (const b of CHAIN_BRANCHES) await addBranch(fleet, taxpayer, b);
    const devices = CHAIN_DEVICES.slice(0, UNITS.length);
    for (const d of devices) await addUnit(fleet, taxpayer, d);
    const otps = otpsFor(sim, CHAIN_VAT, devices.length);
    const onboarded = await bulkOnboard(
      fleet,
      taxpayer,
      devices.map((d, i) => ({ unit: d.name, otp: otps[i]! })),
    );
    expect(onboarded.filter((r) => !r.ok)).toEqual([]);
    const ax = accessContext(fleet, { scrypt: TEST_SCRYPT });
    const cli = { kind: 'cli', actor: 'cli:test' } as const;
    await createUser(ax, cli, { username: 'hq-admin', password: PASSWORD, role: 'admin', taxpayer: null, branch: null, unit: null });
    for (const name of UNITS) {
      const unit = (await unitRepo.findUnit(fleet.store.db, taxpayer.id, name))!;
      tokens.set(name, `Bearer ${(await createDeviceToken(ax, cli, unit, {})).token}`);
    }
    config = (i) => ({
      dataDir: dirs[i]!,
      zatcaUrl: sim.url,
      // The same database, schema and master key on every instance; a short outbox lease, so the jobs
      // the killed instance held are taken over within the test's bounded wait.
      // Runtime role only: the schema was migrated once, above; a (re)start never runs DDL.
      env: {
        FAWTARA_DATABASE_URL: pgEnv(schema).FAWTARA_DATABASE_URL!,
        FAWTARA_DATABASE_SCHEMA: schema,
        FAWTARA_MASTER_KEY: key.toString('hex'),
        FAWTARA_OUTBOX_LEASE_MS: '10000',
        FAWTARA_LOG_LEVEL: 'warn',
      },
    });
    for (let i = 0; i < 3; i++) dirs.push(mkdtempSync(join(tmpdir(), `fawtara-multi-${i}-`)));
    // One after another: each start runs the (idempotent) migrations under the migration lock.
    for (let i = 0; i < 3; i++) live.push(await startInstance(i, config(i)));
  }, 240_000);

  afterAll(async () => {
    for (const i of [...live, ...stopped]) if (i) await stopInstance(i);
    await fleet?.store.close();
    if (PG_URL) await dropPgSchema(schema);
    await sim?.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }, 60_000);

  it('no gap, duplicate or fork; every acknowledged sale stored and reported once; the revoked unit refused everywhere', { timeout: 420_000 }, async () => {
    const started = Date.now();
    let turn = 0;
    /** The round-robin front: the next instance that is up. */
    const next = (): Instance => {
      for (let k = 0; k < live.length; k++) {
        const i = live[turn++ % live.length];
        if (i) return i;
      }
      throw new Error('no instance is up');
    };
    const acked = new Map<string, { unit: string; icv: number; number: string }>();
    const statuses = new Map<string, number>();
    const count = (key: string) => statuses.set(key, (statuses.get(key) ?? 0) + 1);
    let revokedAt = 0; // set once the revocation answered: every later sale of the unit must be refused
    let holdRevoked = false; // lanes leave the unit alone while its queue empties before the revocation
    const lateSuccess: string[] = [];

    /** A POS sale through the front; a cut connection is retried with the same UUID on the next instance. */
    const sale = async (unit: string): Promise<Answer> => {
      const uuid = randomUUID();
      const asked = Date.now();
      const afterRevocation = unit === REVOKED && revokedAt > 0 && asked >= revokedAt;
      let a: Answer = { status: 0, body: 'not sent' };
      for (let attempt = 0; attempt < 6 && a.status === 0; attempt++) {
        a = await call(next().url, 'POST', salesPath(unit), tokens.get(unit)!, { uuid, lines: SALE.lines });
        count(a.status === 0 ? 'cut' : a.status >= 400 ? `${a.status} ${a.body?.error?.reason ?? a.body?.error?.code}` : String(a.status));
      }
      if (a.status >= 200 && a.status < 300) {
        if (afterRevocation) lateSuccess.push(`${unit} ${a.body.number}`);
        expect(a.body.uuid).toBe(uuid);
        acked.set(uuid, { unit, icv: a.body.icv, number: a.body.number });
      }
      return a;
    };

    let done = 0;
    let lanesOver = false;
    const lanes = Array.from({ length: LANES }, async (_, lane) => {
      for (let j = 0; j < SALES_PER_LANE; j++) {
        let unit = UNITS[(lane + j) % UNITS.length]!;
        if (unit === REVOKED && holdRevoked) unit = UNITS[0]!;
        await sale(unit);
        done++;
      }
    });
    const until = (n: number) => waitFor(`${n} sales done (at ${done})`, async () => (done >= n || lanesOver ? true : undefined), 2400, 50);

    // Log in once on instance 0; the session works on every instance (sessions live in the database).
    const login = await call(live[0]!.url, 'POST', '/api/v1/auth/login', '', { username: 'hq-admin', password: PASSWORD });
    expect(login.status, JSON.stringify(login.body)).toBe(200);
    const admin = `Bearer ${login.body.token}`;
    const renewOtps = otpsFor(sim, CHAIN_VAT, RENEWED.length, 'renew');

    const script = (async () => {
      await until(30);
      // Two renewals at once, both through instance 1, while every instance sells on those units. A
      // renewal drains the unit's queue first (docs/fleet.md): on a busy machine that takes a while.
      const renewals = Promise.all(RENEWED.map((u, k) => call(live[1]!.url, 'POST', unitPath(u, 'renew'), admin, { otp: renewOtps[k] }, 240_000)));
      await until(60);
      const victim = live[2]!;
      live[2] = undefined;
      await killInstance(victim);
      stopped.push(victim);
      const restarting = Date.now();
      live[2] = await startInstance(2, config(2));
      console.log(`multi-instance: instance 2 restarted in ${((Date.now() - restarting) / 1000).toFixed(1)} s`);
      for (const r of await renewals) expect(r.status, JSON.stringify(r.body)).toBe(200);
      await until(120);
      // The revocation: once the unit's queue is empty (a revoked unit's queued documents are held,
      // docs/fleet.md), confirmed through instance 1.
      holdRevoked = true;
      await waitFor(`${REVOKED}'s queue to empty`, async () => ((await pendingOf(fleet, REVOKED)) === 0 ? true : undefined), 240, 250);
      const revoked = await call(live[1]!.url, 'POST', unitPath(REVOKED, 'revoke'), admin, { reason: 'the portal shows the unit revoked' });
      expect(revoked.status, JSON.stringify(revoked.body)).toBe(200);
      revokedAt = Date.now();
      holdRevoked = false;
    })();
    script.catch(() => undefined); // awaited below; a failure there must not surface as unhandled first
    await Promise.all(lanes);
    lanesOver = true;
    await script;
    expect(revokedAt, 'the revocation happened during the load').toBeGreaterThan(0);

    // Every instance, asked directly, refuses the revoked unit's next sale.
    for (const i of live) {
      const a = await call(i!.url, 'POST', salesPath(REVOKED), tokens.get(REVOKED)!, { uuid: randomUUID(), lines: SALE.lines });
      expect(a.status, `instance ${i!.index}: ${JSON.stringify(a.body)}`).toBe(409);
      expect(a.body.error.reason, `instance ${i!.index}`).toBe('UNIT_REVOKED');
    }
    expect(lateSuccess, 'sales of the revoked unit acknowledged after its revocation').toEqual([]);

    // The outboxes of the three instances report everything (the killed one's leases run out).
    await waitFor('every submission to leave to-submit', async () => ((await pendingOf(fleet)) === 0 ? true : undefined), 480, 250);
    await checkStoreAndSimulator(fleet, taxpayer, sim, acked);
    console.log(
      `multi-instance: ${acked.size} sales acknowledged of ${LANES * SALES_PER_LANE} (${JSON.stringify(Object.fromEntries(statuses))}) in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
  });
});

/** Submissions still waiting to be sent (of one unit, or all). */
async function pendingOf(fleet: FleetContext, unitName?: string): Promise<number> {
  let q = fleet.store.db
    .selectFrom('submissions')
    .innerJoin('egs_units', 'egs_units.id', 'submissions.unit_id')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('submissions.state', '=', 'to-submit');
  if (unitName) q = q.where('egs_units.name', '=', unitName);
  return Number((await q.executeTakeFirstOrThrow()).n);
}

async function checkStoreAndSimulator(
  fleet: FleetContext,
  taxpayer: Taxpayer,
  sim: RunningSimulator,
  acked: Map<string, { unit: string; icv: number; number: string }>,
): Promise<void> {
  const audit = await auditChains(fleet, taxpayer);
  expect(audit.breaks, 'chain audit').toEqual([]);
  const docs = await fleet.store.db
    .selectFrom('documents')
    .innerJoin('egs_units', 'egs_units.id', 'documents.unit_id')
    .innerJoin('submissions', 'submissions.document_id', 'documents.id')
    .select([
      'documents.uuid',
      'documents.icv',
      'documents.number',
      'egs_units.name as unit',
      'egs_units.serial',
      'submissions.state',
      'submissions.last_message',
    ])
    .where('documents.taxpayer_id', '=', taxpayer.id)
    .execute();
  const byUnit = new Map<string, number[]>();
  for (const d of docs) byUnit.set(d.unit, [...(byUnit.get(d.unit) ?? []), Number(d.icv)]);
  for (const [unit, icvs] of byUnit) {
    const sorted = [...icvs].sort((a, b) => a - b);
    expect(sorted, `${unit}: ICVs 1..n without gap or repeat`).toEqual(sorted.map((_, k) => k + 1));
  }
  const stored = new Map<string, number>();
  for (const d of docs) stored.set(d.uuid, (stored.get(d.uuid) ?? 0) + 1);
  for (const [uuid, a] of acked) {
    expect(stored.get(uuid), `acknowledged sale ${a.number} (${a.unit}) stored exactly once`).toBe(1);
    expect(docs.find((d) => d.uuid === uuid)?.icv, `${a.number}: the ICV acknowledged is the ICV stored`).toBe(a.icv);
  }
  // ZATCA's side: every stored document (acknowledged or cut before its answer) accepted exactly once.
  const env = sim.control.env('simulation');
  const accepted = new Map<string, number>();
  for (const serial of new Set(docs.map((d) => d.serial)))
    for (const r of env.history(serial))
      if (r.endpoint === 'reporting' && (r.httpStatus === 200 || r.httpStatus === 202) && r.uuid) accepted.set(r.uuid, (accepted.get(r.uuid) ?? 0) + 1);
  const wrong = docs
    .filter((d) => accepted.get(d.uuid) !== 1)
    .map((d) => `${d.number} (${d.unit} ICV ${d.icv}): accepted ${accepted.get(d.uuid) ?? 0}×, ${d.state}: ${d.last_message}`);
  expect(wrong, 'documents not reported exactly once').toEqual([]);
}
