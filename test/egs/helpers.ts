// Test harness for the fleet: a simulator on 127.0.0.1 (real validator), a fleet context on SQLite
// (in memory or a file) or on a private PostgreSQL schema, and the seed-002 restaurant chain.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { complianceDocumentJson } from '../../src/egs/compliance-documents.js';
import { callAsUnit, createFleetLogger, openFleet, Redactor, unitSigning, type FleetContext, type KekSource } from '../../src/egs/index.js';
import { stampInvoice } from '../../src/stamp/index.js';
import { tenants, type Taxpayer } from '../../src/store/index.js';
import { buildInvoice } from '../../src/ubl/writer.js';
import { startSimulator, type RunningSimulator } from '../../src/simulator/index.js';
import type { StoreOptions } from '../../src/store/index.js';
import { createZatcaClient, invoiceSubmission, simulatorBaseUrl, type FatooraEnv } from '../../src/zatca/index.js';
import { DEMO_BRANCHES, DEMO_UNITS } from '../../src/demo/catalog.js';

export const PG_URL = process.env.FAWTARA_TEST_PG;

/**
 * PostgreSQL as in production, with two roles (docs/operations.md "PostgreSQL roles"): the owner
 * role migrates (and grants), the runtime role — SELECT/INSERT/UPDATE/DELETE grants only, append-only
 * on the record — runs the test. FAWTARA_TEST_PG is an administrator's URL: it creates both roles once
 * (idempotent, under a lock, so parallel test files agree) and drops the private schemas.
 */
export const PG_ROLES = PG_URL ? await ensurePgTestRoles(PG_URL) : undefined;

async function ensurePgTestRoles(adminUrl: string): Promise<{ ownerUrl: string; runtimeUrl: string }> {
  const roles = { owner: 'fawtara_test_owner', runtime: 'fawtara_test_runtime' };
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query('BEGIN');
    await client.query(`SELECT pg_advisory_xact_lock(hashtext('fawtara-test-roles'))`);
    for (const role of Object.values(roles)) {
      const found = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role]);
      if (found.rowCount === 0) await client.query(`CREATE ROLE ${role} LOGIN PASSWORD '${role}'`);
    }
    const db = (await client.query<{ db: string }>('SELECT current_database() AS db')).rows[0]!.db;
    await client.query(`GRANT CREATE ON DATABASE "${db}" TO ${roles.owner}`);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    await client.end();
  }
  const as = (role: string) => {
    const u = new URL(adminUrl);
    u.username = role;
    u.password = role;
    return u.toString();
  };
  return { ownerUrl: as(roles.owner), runtimeUrl: as(roles.runtime) };
}

/** Store options for a private schema: the owner migrates it, the runtime role uses it. */
export function pgStoreOptions(schema: string): StoreOptions {
  return { databaseUrl: PG_ROLES!.runtimeUrl, ownerUrl: PG_ROLES!.ownerUrl, pgSchema: schema };
}

/** The same as environment variables, for the CLI and child processes. */
export function pgEnv(schema: string): Record<string, string> {
  return { FAWTARA_DATABASE_URL: PG_ROLES!.runtimeUrl, FAWTARA_DATABASE_OWNER_URL: PG_ROLES!.ownerUrl, FAWTARA_DATABASE_SCHEMA: schema };
}
export type Engine = 'sqlite' | 'postgres';
/** SQLite always; PostgreSQL too when FAWTARA_TEST_PG is set. */
export const ENGINES: Engine[] = PG_URL ? ['sqlite', 'postgres'] : ['sqlite'];

export const T0 = new Date('2026-03-01T08:00:00Z');
export const CHAIN_VAT = '310122393500003';
export const GROUP_VAT = '300000000010003';

export async function startFleetSimulator(dataDir?: string): Promise<RunningSimulator> {
  return startSimulator({ port: 0, host: '127.0.0.1', seed: 7, clock: { now: () => T0 }, ...(dataDir && { dataDir }) });
}

/** A private PostgreSQL schema per call, dropped by the returned function. */
export function pgSchemaName(): string {
  return `fleet_${process.pid}_${randomBytes(4).toString('hex')}`;
}

export async function dropPgSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await client.end();
  }
}

export function storeOptions(engine: Engine, sqliteFile = ':memory:'): { options: StoreOptions; drop: () => Promise<void> } {
  if (engine === 'postgres') {
    const schema = pgSchemaName();
    return { options: pgStoreOptions(schema), drop: () => dropPgSchema(schema) };
  }
  return { options: { sqliteFile }, drop: async () => undefined };
}

export interface TestFleet {
  ctx: FleetContext;
  /** Where the store is, to open it again (another process, a restart). */
  storeOptions: StoreOptions;
  logLines: string[];
  close(): Promise<void>;
}

export async function testFleet(
  engine: Engine,
  sim: RunningSimulator,
  extra: { kek?: KekSource; sqliteFile?: string; pendingDocuments?: FleetContext['pendingDocuments'] } = {},
): Promise<TestFleet> {
  const { options, drop } = storeOptions(engine, extra.sqliteFile);
  const logLines: string[] = [];
  const redactor = new Redactor();
  const ctx = await openFleet({
    store: options,
    zatca: (env: FatooraEnv) => createZatcaClient({ baseUrl: simulatorBaseUrl(sim.url, env), timeoutMs: 20_000 }),
    clock: sim.control.clock,
    kek: extra.kek ?? { protection: 'master-key', key: randomBytes(32) },
    redactor,
    logger: createFleetLogger((line) => void logLines.push(line), redactor),
    actor: 'test',
    ...(extra.pendingDocuments && { pendingDocuments: extra.pendingDocuments }),
  });
  return {
    ctx,
    storeOptions: options,
    logLines,
    close: async () => {
      await ctx.store.close();
      await drop();
    },
  };
}

/** The demo chain (docs/zatca-notes.md §P2): one VAT number, three branches in three cities, two POS devices each (the demo's). */
export const CHAIN_BRANCHES = DEMO_BRANCHES;
export const CHAIN_DEVICES = DEMO_UNITS;

export function otpsFor(sim: RunningSimulator, vat: string, count: number, purpose: 'onboard' | 'renew' = 'onboard'): string[] {
  return sim.control
    .env('simulation')
    .generateOtps({ vat, count, purpose })
    .map((o) => o.otp);
}

/** What the simulator issued, read from its persisted state (`dataDir`): CSIDs per EGS serial and kind. */
export function issuedBySimulator(
  simDataDir: string,
  env: 'simulation' | 'developer-portal' | 'core' = 'simulation',
): Map<string, { compliance: number; production: number }> {
  const state = JSON.parse(readFileSync(join(simDataDir, `${env}.json`), 'utf8')) as {
    egs: Record<string, { serialNumber: string }>;
    csids: Record<string, { kind: string; egsId: string }>;
  };
  const out = new Map<string, { compliance: number; production: number }>();
  for (const csid of Object.values(state.csids)) {
    const serial = state.egs[csid.egsId]?.serialNumber ?? '?';
    const entry = out.get(serial) ?? { compliance: 0, production: 0 };
    if (csid.kind === 'production') entry.production++;
    else entry.compliance++;
    out.set(serial, entry);
  }
  return out;
}

/** Stamp a small simplified invoice on the unit and report it, as issuing (issue 6) will. */
export async function reportOne(ctx: FleetContext, taxpayer: Taxpayer, unitRef: string) {
  const signing = await unitSigning(ctx, taxpayer, unitRef);
  const branch = (await tenants.findBranch(ctx.store.db, taxpayer.id, signing.unit.branch_id))!;
  const now = ctx.clock.now();
  const json = complianceDocumentJson(
    { step: 'simplified-compliant', kind: 'simplified', documentType: 'invoice' },
    { taxpayer, branch, unit: signing.unit, now, sequence: 1 },
  );
  const stamped = stampInvoice(buildInvoice(json), { certificate: signing.certificate, signer: signing.signer, signingTime: now });
  return callAsUnit(ctx, signing, 'reporting', (client, creds) =>
    client.reportInvoice(creds, invoiceSubmission(stamped.xml, stamped.invoiceHash, stamped.facts.uuid)),
  );
}
