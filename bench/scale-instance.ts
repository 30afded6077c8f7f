// One head-office instance of bench/scale.ts in its own process: the SQLite demo (startHeadOffice),
// or an instance on a shared PostgreSQL schema (the first seeds the demo; later ones only open it).
// Answers its URL and one device token per demo unit; stops on "stop". Stamp threads: FAWTARA_STAMP_THREADS.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DEMO_UNITS, DEMO_VAT } from '../src/demo/catalog.js';
import { startHeadOffice } from '../src/demo/head-office.js';
import { seedDemo } from '../src/demo/seed.js';
import { openFleet, type FleetContext } from '../src/egs/index.js';
import { createDeviceToken } from '../src/server/access/users.js';
import { createServer } from '../src/server/index.js';
import { startSimulator } from '../src/simulator/index.js';
import { units, type StoreOptions } from '../src/store/index.js';
import { createZatcaClient, simulatorBaseUrl } from '../src/zatca/index.js';

export interface InstanceConfig {
  dataDir: string;
  /** PostgreSQL store; absent: the SQLite demo in dataDir. */
  pg?: StoreOptions;
  /** PostgreSQL: this instance creates and onboards the demo (the first one). */
  seed?: boolean;
}

const MASTER_KEY = 'ab'.repeat(32);

async function devicesOf(fleet: FleetContext, access: Parameters<typeof createDeviceToken>[0]): Promise<Array<{ unit: string; token: string }>> {
  const tp = (await fleet.store.db.selectFrom('taxpayers').select('id').where('vat_number', '=', DEMO_VAT).executeTakeFirstOrThrow()).id;
  const out: Array<{ unit: string; token: string }> = [];
  for (const d of DEMO_UNITS) {
    const unit = (await units.findUnit(fleet.store.db, tp, d.name))!;
    out.push({ unit: d.name, token: (await createDeviceToken(access, { kind: 'cli', actor: 'cli:bench' }, unit, { name: 'bench' })).token });
  }
  return out;
}

async function startOnPostgres(c: InstanceConfig): Promise<{ url: string; devices?: Array<{ unit: string; token: string }>; stop(): Promise<void> }> {
  mkdirSync(c.dataDir, { recursive: true });
  const sim = c.seed ? await startSimulator({ host: '127.0.0.1', port: 0, dataDir: join(c.dataDir, 'simulator'), seed: 'bench-scale' }) : undefined;
  const fleet = await openFleet({
    store: c.pg!,
    // Only onboarding (the seeding instance) calls ZATCA: the outbox worker is off in this benchmark.
    zatca: (env, baseUrl) => createZatcaClient({ baseUrl: baseUrl ?? (sim ? simulatorBaseUrl(sim.url, env) : 'http://127.0.0.1:9') }),
    kek: { protection: 'master-key', key: Buffer.from(MASTER_KEY, 'hex') },
    actor: 'cli:bench',
  });
  const app = await createServer({ fleet, store: c.pg! });
  if (sim) await seedDemo(fleet, app.fawtara.access, sim, { salesPerUnitPerDay: 0 });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  return {
    url,
    ...(c.seed && { devices: await devicesOf(fleet, app.fawtara.access) }),
    stop: async () => {
      await app.close();
      await fleet.store.close();
      await sim?.close();
    },
  };
}

async function start(c: InstanceConfig): Promise<{ url: string; devices?: Array<{ unit: string; token: string }>; stop(): Promise<void> }> {
  if (c.pg) return startOnPostgres(c);
  const h = await startHeadOffice({
    dataDir: c.dataDir,
    port: 0,
    env: { FAWTARA_MASTER_KEY: MASTER_KEY },
    seed: { salesPerUnitPerDay: 0 },
    outboxWorker: false,
  });
  return { url: h.url, devices: await devicesOf(h.fleet, h.app.fawtara.access), stop: () => h.stop() };
}

const config = JSON.parse(process.argv[2]!) as InstanceConfig;
const instance = await start(config);
process.send!({ url: instance.url, devices: instance.devices });
process.on('message', (m) => {
  if (m === 'stop') void instance.stop().then(() => process.exit(0));
});
