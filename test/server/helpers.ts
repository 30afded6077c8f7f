// Test harness for the head-office server: a fleet on SQLite (in memory) or a private PostgreSQL
// schema, a movable clock, fast scrypt, a seeded chain (3 branches, 6 units) and ready-made callers.
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { addBranch, addTaxpayer, addUnit, createFleetLogger, openFleet, Redactor, type FleetContext } from '../../src/egs/index.js';
import { createServer, type ServerOptions } from '../../src/server/index.js';
import type { AccessContext } from '../../src/server/access/context.js';
import { createDeviceToken, createUser } from '../../src/server/access/users.js';
import { tenants, units, type StoreOptions, type Taxpayer } from '../../src/store/index.js';
import { createZatcaClient, simulatorBaseUrl, type FatooraEnv } from '../../src/zatca/index.js';
import { CHAIN_BRANCHES, CHAIN_DEVICES, CHAIN_VAT, storeOptions, type Engine } from '../egs/helpers.js';

export { ENGINES, CHAIN_VAT, type Engine } from '../egs/helpers.js';

export const PASSWORD = 'correct horse battery staple';
/** Cheap scrypt for tests (the production cost is checked once in passwords.test.ts). */
export const TEST_SCRYPT = { N: 2 ** 10, r: 8, p: 1 };

export interface MovableClock {
  now(): Date;
  advance(ms: number): void;
}

export function movableClock(start = new Date('2026-03-01T08:00:00Z')): MovableClock {
  let t = start.getTime();
  return { now: () => new Date(t), advance: (ms) => void (t += ms) };
}

export interface TestServer {
  app: FastifyInstance;
  fleet: FleetContext;
  ax: AccessContext;
  clock: MovableClock;
  /** Every line the server logged (already redacted). */
  logLines: string[];
  taxpayer: Taxpayer;
  close(): Promise<void>;
}

export async function testServer(
  engine: Engine,
  extra: Partial<ServerOptions> & { simulatorUrl?: string; clock?: MovableClock; sqliteFile?: string; mapStore?: (o: StoreOptions) => StoreOptions } = {},
): Promise<TestServer> {
  const { simulatorUrl, sqliteFile, clock: _clock, mapStore, ...serverOptions } = extra;
  const { options: given, drop } = storeOptions(engine, sqliteFile);
  // A test may route the store elsewhere (a relay it can cut); the schema and its drop stay the same.
  const options = mapStore ? mapStore(given) : given;
  const clock = extra.clock ?? movableClock();
  const redactor = new Redactor();
  const logLines: string[] = [];
  const fleet = await openFleet({
    store: options,
    zatca: (env: FatooraEnv) => createZatcaClient({ baseUrl: simulatorBaseUrl(simulatorUrl ?? 'http://127.0.0.1:9', env), timeoutMs: 20_000 }),
    clock,
    kek: { protection: 'master-key', key: randomBytes(32) },
    redactor,
    logger: createFleetLogger((line) => void logLines.push(line), redactor),
    actor: 'test',
  });
  const taxpayer = await addTaxpayer(fleet, { vatNumber: CHAIN_VAT, nameAr: 'مطاعم السلسلة', nameEn: 'Chain Restaurants LTD' });
  for (const b of CHAIN_BRANCHES) await addBranch(fleet, taxpayer, b);
  for (const d of CHAIN_DEVICES) await addUnit(fleet, taxpayer, d);
  const app = await createServer({
    fleet,
    store: options,
    log: (line) => void logLines.push(line),
    logLevel: 'debug',
    ...serverOptions,
    policy: { scrypt: TEST_SCRYPT, ...serverOptions.policy },
  });
  return {
    app,
    fleet,
    ax: app.fawtara.access,
    clock,
    logLines,
    taxpayer,
    close: async () => {
      await app.close();
      await fleet.store.close();
      await drop();
    },
  };
}

export type Caller = { authorization: string };

/** Create a user through the access layer (as the machine operator) and log it in over HTTP. */
export async function userCaller(
  s: TestServer,
  username: string,
  role: string,
  scope: { branch?: string; unit?: string; global?: boolean } = {},
): Promise<Caller> {
  const db = s.fleet.store.db;
  const branch = scope.branch ? await tenants.findBranch(db, s.taxpayer.id, scope.branch) : null;
  const unit = scope.unit ? await units.findUnit(db, s.taxpayer.id, scope.unit) : null;
  await createUser(
    s.ax,
    { kind: 'cli', actor: 'cli:test' },
    { username, password: PASSWORD, role, taxpayer: scope.global ? null : s.taxpayer, branch: branch ?? null, unit: unit ?? null },
  );
  const r = await s.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password: PASSWORD } });
  if (r.statusCode !== 200) throw new Error(`login of ${username} failed: ${r.body}`);
  return { authorization: `Bearer ${r.json().token}` };
}

export async function deviceCaller(s: TestServer, unitRef: string): Promise<Caller & { token: string }> {
  const unit = (await units.findUnit(s.fleet.store.db, s.taxpayer.id, unitRef))!;
  const { token } = await createDeviceToken(s.ax, { kind: 'cli', actor: 'cli:test' }, unit, {});
  return { authorization: `Bearer ${token}`, token };
}

/** A concrete URL for a route pattern: the chain's taxpayer, a branch, a unit, a dummy token id. */
export function fillUrl(url: string, values: { vat?: string; branch?: string; unit?: string } = {}): string {
  return url
    .replace(':vat', values.vat ?? CHAIN_VAT)
    .replace(':branch', encodeURIComponent(values.branch ?? 'Riyadh'))
    .replace(':unit', encodeURIComponent(values.unit ?? 'RUH-POS-1'))
    .replace(':tokenId', '0123456789abcdef')
    .replace(':username', 'someone');
}
