// A real crash: a child process onboarding a unit is killed with SIGKILL right after a persisted
// step (SQLite file in WAL mode, and PostgreSQL); the same onboarding run again in a new process
// completes, and the simulator issued one compliance CSID and one production CSID.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addBranch, addTaxpayer, addUnit, onboardUnit, openFleet, resolveTaxpayer } from '../../src/egs/index.js';
import type { RunningSimulator } from '../../src/simulator/index.js';
import type { StoreOptions } from '../../src/store/index.js';
import { createZatcaClient, simulatorBaseUrl, type FatooraEnv } from '../../src/zatca/index.js';
import {
  CHAIN_BRANCHES,
  CHAIN_VAT,
  dropPgSchema,
  issuedBySimulator,
  otpsFor,
  PG_ROLES,
  PG_URL,
  pgSchemaName,
  pgStoreOptions,
  startFleetSimulator,
} from './helpers.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const child = join(repoRoot, 'test', 'egs', 'fixtures', 'onboard-child.ts');

/** Run the child until it prints `STEP <step>`, then SIGKILL it. Bounded by a 20 s timer. */
function killAfter(step: string, env: Record<string, string>): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', child], {
      cwd: repoRoot,
      env: { ...process.env, ...env, FLEET_PAUSE_AT: step },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const seen: string[] = [];
    let buffer = '';
    let stderr = '';
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`child did not reach ${step} in time; saw ${seen.join(', ')}; stderr ${stderr}`));
    }, 20_000);
    proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    proc.stdout.on('data', (d: Buffer) => {
      buffer += d.toString();
      for (let i = buffer.indexOf('\n'); i >= 0; i = buffer.indexOf('\n')) {
        const line = buffer.slice(0, i);
        buffer = buffer.slice(i + 1);
        seen.push(line);
        if (line === `STEP ${step}`) proc.kill('SIGKILL');
      }
    });
    proc.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (signal === 'SIGKILL') resolve(seen);
      else reject(new Error(`child exited (${code}) before ${step}; saw ${seen.join(', ')}; stderr ${stderr}`));
    });
  });
}

const engines = [
  { engine: 'sqlite' as const, steps: ['ccsid-issued', 'compliance:standard-debit-note-compliant'] },
  ...(PG_URL ? [{ engine: 'postgres' as const, steps: ['compliance:simplified-compliant'] }] : []),
];

describe.each(engines)('SIGKILL during onboarding on $engine', ({ engine, steps }) => {
  let sim: RunningSimulator;
  const dir = mkdtempSync(join(tmpdir(), 'fawtara-kill-'));
  const masterKey = randomBytes(32);
  const schema = pgSchemaName();
  const store: StoreOptions = engine === 'postgres' ? pgStoreOptions(schema) : { sqliteFile: join(dir, 'fleet.db') };
  const open = () =>
    openFleet({
      store,
      zatca: (e: FatooraEnv) => createZatcaClient({ baseUrl: simulatorBaseUrl(sim.url, e), timeoutMs: 20_000 }),
      clock: sim.control.clock,
      kek: { protection: 'master-key', key: masterKey },
      actor: 'test',
    });

  beforeAll(async () => {
    sim = await startFleetSimulator(join(dir, 'sim'));
    const ctx = await open();
    const t = await addTaxpayer(ctx, { vatNumber: CHAIN_VAT, nameAr: 'مطاعم', nameEn: 'Restaurants LTD' });
    await addBranch(ctx, t, CHAIN_BRANCHES[0]!);
    await ctx.store.close();
  });
  afterAll(async () => {
    await sim?.close();
    if (engine === 'postgres') await dropPgSchema(schema);
    rmSync(dir, { recursive: true, force: true });
  });

  it.each(steps)('killed right after "%s", the next run completes without a duplicate CSID', async (step) => {
    const serial = `1-Fawtara|2-POS|3-KILL-${step.replace(/\W/g, '')}`;
    let ctx = await open();
    await addUnit(ctx, await resolveTaxpayer(ctx), { branch: 'Riyadh', serial });
    await ctx.store.close();
    const [otp] = otpsFor(sim, CHAIN_VAT, 1);
    const seen = await killAfter(step, {
      ...(engine === 'postgres' ? { FLEET_PG_URL: PG_ROLES!.runtimeUrl, FLEET_PG_SCHEMA: schema } : { FLEET_DB: join(dir, 'fleet.db') }),
      FLEET_SIM_URL: sim.url,
      FLEET_NOW: sim.control.clock.now().toISOString(),
      FLEET_MASTER_KEY: masterKey.toString('hex'),
      FLEET_VAT: CHAIN_VAT,
      FLEET_UNIT: serial,
      FLEET_OTP: otp!,
    });
    expect(seen.at(-1)).toBe(`STEP ${step}`);
    ctx = await open();
    try {
      const r = await onboardUnit(ctx, await resolveTaxpayer(ctx), serial, { otp: otp! });
      expect(r.unit.state).toBe('active');
      expect(r.steps).not.toContain('ccsid-issued');
      expect(issuedBySimulator(join(dir, 'sim')).get(serial)).toEqual({ compliance: 1, production: 1 });
    } finally {
      await ctx.store.close();
    }
  });
});
