// `npm start`'s head office: the built-in simulator and the API on 127.0.0.1 over an embedded
// SQLite in a local data directory, the outbox worker in-process, the demo seeded on first start.
import { createWriteStream, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { createFleetLogger, dataDirKek, openFleet, processRedactor, type DataDirKek, type FleetContext } from '../egs/index.js';
import { createDeviceToken } from '../server/access/users.js';
import { createServer } from '../server/index.js';
import type { AccessPolicy } from '../server/access/context.js';
import { startOutboxWorker, type InProcessWorker } from '../server/outbox-worker.js';
import { startSimulator, type RunningSimulator } from '../simulator/index.js';
import { units } from '../store/index.js';
import { createZatcaClient, simulatorBaseUrl } from '../zatca/index.js';
import { DEMO_VAT } from './catalog.js';
import { seedDemo, type SeedOptions } from './seed.js';

export interface HeadOfficeOptions {
  dataDir: string;
  /** API port; taken → a free one is chosen (and said). 0 picks a free one. */
  port: number;
  simulatorPort?: number;
  env?: NodeJS.ProcessEnv;
  seed?: SeedOptions;
  policy?: Partial<AccessPolicy>;
  /** Run the outbox worker in-process (default true; the server benchmark measures the POS path alone). */
  outboxWorker?: boolean;
}

export interface HeadOffice {
  url: string;
  simulatorUrl: string;
  dataDir: string;
  key: DataDirKek;
  /** True when this start created the demo (first start of the data directory). */
  firstStart: boolean;
  issuedNow: number;
  adminUsername: string;
  adminPassword?: string;
  /** A fresh device token for RUH-POS-1 (1 day), for the curl example. */
  deviceToken: string;
  portNote?: string;
  fleet: FleetContext;
  app: FastifyInstance;
  stop(): Promise<void>;
}

interface DemoState {
  version: 1;
  createdAt: string;
  /** The simulator's seed: its CA and serials must stay the same across restarts. */
  simulatorSeed: string;
  /** The port the simulator had last time, tried first so the units' recorded target stays the same. */
  simulatorPort?: number;
}

export async function startHeadOffice(o: HeadOfficeOptions): Promise<HeadOffice> {
  const dataDir = resolve(o.dataDir);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const stateFile = join(dataDir, 'demo.json');
  const { firstStart, state } = readDemoState(stateFile);
  const key = dataDirKek(dataDir, o.env, { create: true });
  const closers: Array<() => Promise<void>> = [];
  const closeAll = async () => {
    for (const c of closers.reverse()) await c().catch(() => undefined);
  };
  try {
    const simOptions = { host: '127.0.0.1' as const, dataDir: join(dataDir, 'simulator'), seed: state.simulatorSeed };
    const sim: RunningSimulator = await startSimulator({ ...simOptions, port: o.simulatorPort ?? state.simulatorPort ?? 0 }).catch(
      (error: NodeJS.ErrnoException) => {
        // Last start's port is taken now: any free one (seedDemo re-points the units at it).
        if (error.code !== 'EADDRINUSE' || o.simulatorPort !== undefined) throw error;
        return startSimulator({ ...simOptions, port: 0 });
      },
    );
    state.simulatorPort = Number(new URL(sim.url).port);
    closers.push(() => sim.close());
    const fleetLog = createWriteStream(join(dataDir, 'fawtara.log'), { flags: 'a' });
    closers.push(async () => void fleetLog.end());
    const fleet = await openFleet({
      store: { dataDir },
      // Each unit's recorded target (seedDemo points the demo's units at this simulator), as the CLI does.
      zatca: (env, baseUrl) => createZatcaClient({ baseUrl: baseUrl ?? simulatorBaseUrl(sim.url, env) }),
      kek: key.kek,
      redactor: processRedactor,
      logger: createFleetLogger((line) => void fleetLog.write(line), processRedactor, o.env?.FAWTARA_LOG_LEVEL ?? 'info'),
      actor: 'cli:start',
    });
    closers.push(() => fleet.store.close());
    const serverLog = createWriteStream(join(dataDir, 'server.log'), { flags: 'a' });
    closers.push(async () => void serverLog.end());
    const app = await createServer({ fleet, store: { dataDir }, log: (line) => void serverLog.write(line), ...(o.policy && { policy: o.policy }) });
    closers.push(() => app.close());

    const seeded = await seedDemo(fleet, app.fawtara.access, sim, o.seed);
    writeFileSync(stateFile, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });

    const portNote = await listenOnLoopback(app, o.port);
    const address = app.server.address();
    const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : o.port}`;
    if (o.outboxWorker !== false) {
      const worker: InProcessWorker = startOutboxWorker(fleet);
      // Stop the worker before the server and the store it uses.
      closers.push(() => worker.stop());
    }

    const ruh = (await units.findUnit(fleet.store.db, seeded.taxpayer.id, 'RUH-POS-1'))!;
    const { token } = await createDeviceToken(app.fawtara.access, { kind: 'cli', actor: 'cli:start' }, ruh, { name: 'npm start example', expiresInDays: 1 });

    return {
      url,
      simulatorUrl: sim.url,
      dataDir,
      key,
      firstStart,
      issuedNow: seeded.issued,
      adminUsername: 'demo-admin',
      ...(seeded.adminPassword && { adminPassword: seeded.adminPassword }),
      deviceToken: token,
      ...(portNote && { portNote }),
      fleet,
      app,
      stop: closeAll,
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}

export const DEMO_TAXPAYER_VAT = DEMO_VAT;

/** The demo's own state in the data directory; a first start draws the simulator's seed. */
function readDemoState(stateFile: string): { firstStart: boolean; state: DemoState } {
  const firstStart = !existsSync(stateFile);
  const state: DemoState = firstStart
    ? { version: 1, createdAt: new Date().toISOString(), simulatorSeed: randomBytes(8).toString('hex') }
    : (JSON.parse(readFileSync(stateFile, 'utf8')) as DemoState);
  return { firstStart, state };
}

/** Listens on 127.0.0.1 at `port`, or on a free port when it is taken; returns the note saying so. */
async function listenOnLoopback(app: FastifyInstance, port: number): Promise<string | undefined> {
  try {
    await app.listen({ port, host: '127.0.0.1' });
    return undefined;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    await app.listen({ port: 0, host: '127.0.0.1' });
    return `port ${port} is in use; listening on a free port instead (choose one with --port)`;
  }
}
