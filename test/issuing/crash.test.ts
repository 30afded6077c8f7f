// Issue 6 reliability, crash: a child process issuing on several units at once is killed with
// SIGKILL at random moments, several rounds, on SQLite (file, WAL) and PostgreSQL. After each restart
// the auditor finds no gap, duplicate or fork, and every document the child answered for is stored.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditChains } from '../../src/audit/index.js';
import { openFleet } from '../../src/egs/index.js';
import { issueDocument } from '../../src/issuing/index.js';
import type { RunningSimulator } from '../../src/simulator/index.js';
import { documents, tenants, type StoreOptions, type Taxpayer } from '../../src/store/index.js';
import { dropPgSchema, ENGINES, startFleetSimulator, T0 } from '../egs/helpers.js';
import { issuingFleet, saleJson } from './helpers.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const child = join(repoRoot, 'test', 'issuing', 'fixtures', 'issue-child.ts');
const ROUNDS = 3;
const UNITS = ['CRASH-1', 'CRASH-2', 'CRASH-3'];

interface Answer {
  uuid: string;
  unit: string;
  icv: number;
  hash: string;
}

/** Run the child; SIGKILL it `afterMs` after its first answer. Bounded by a 20 s timer. */
function killAfter(afterMs: number, env: Record<string, string>): Promise<Answer[]> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', child], { cwd: repoRoot, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const answers: Answer[] = [];
    let buffer = '';
    let stderr = '';
    let armed = false;
    const guard = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`the child gave no answer in time; stderr ${stderr}`));
    }, 20_000);
    proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    proc.stdout.on('data', (d: Buffer) => {
      buffer += d.toString();
      for (let i = buffer.indexOf('\n'); i >= 0; i = buffer.indexOf('\n')) {
        const [tag, uuid, unit, icv, hash] = buffer.slice(0, i).split(' ');
        buffer = buffer.slice(i + 1);
        if (tag === 'ISSUED') answers.push({ uuid: uuid!, unit: unit!, icv: Number(icv), hash: hash! });
        if (!armed) {
          armed = true;
          setTimeout(() => proc.kill('SIGKILL'), afterMs);
        }
      }
    });
    proc.on('exit', (code, signal) => {
      clearTimeout(guard);
      // Lines the child wrote before dying are answers it got; a partial last line is not.
      if (signal === 'SIGKILL') resolve(answers);
      else reject(new Error(`child exited (${code}) on its own; stderr ${stderr}`));
    });
  });
}

describe.each(ENGINES)('SIGKILL while issuing on %s', (engine) => {
  let sim: RunningSimulator;
  const dir = mkdtempSync(join(tmpdir(), 'fawtara-crash-'));
  const masterKey = randomBytes(32);
  const sqliteFile = join(dir, 'fleet.db');
  let taxpayer: Taxpayer;

  let store: StoreOptions;

  beforeAll(async () => {
    sim = await startFleetSimulator();
    const f = await issuingFleet(engine, sim, UNITS.length, { title: '0100', prefix: 'CRASH', sqliteFile, kek: { protection: 'master-key', key: masterKey } });
    taxpayer = f.taxpayer;
    store = f.storeOptions;
    // The child and the checks below open the same database afresh; this connection is done.
    await f.ctx.store.close();
  });
  afterAll(async () => {
    await sim?.close();
    if (engine === 'postgres') await dropPgSchema(store.pgSchema!);
    rmSync(dir, { recursive: true, force: true });
  });

  const open = () =>
    openFleet({
      store,
      zatca: () => {
        throw new Error('not used');
      },
      clock: { now: () => new Date(T0.getTime() + (ROUNDS + 1) * 3600_000) },
      kek: { protection: 'master-key', key: masterKey },
      actor: 'test',
    });

  it(`${ROUNDS} rounds of SIGKILL at random moments: no gap, duplicate or fork; every answered document stored`, async () => {
    const answered: Answer[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      const got = await killAfter(100 + Math.floor(Math.random() * 600), {
        ...(engine === 'postgres' ? { ISSUE_PG_URL: store.databaseUrl!, ISSUE_PG_SCHEMA: store.pgSchema! } : { ISSUE_DB: sqliteFile }),
        ISSUE_MASTER_KEY: masterKey.toString('hex'),
        ISSUE_NOW: new Date(T0.getTime() + round * 3600_000).toISOString(),
        ISSUE_UNITS: UNITS.join(','),
        ISSUE_ROUND: `R${round}`,
      });
      expect(got.length).toBeGreaterThan(0);
      answered.push(...got);
      const ctx = await open();
      try {
        const audit = await auditChains(ctx, taxpayer);
        expect(audit.breaks).toEqual([]);
        for (const a of got) {
          const [d] = await documents.findByUuids(ctx.store.db, taxpayer.id, [a.uuid]);
          expect(d && [d.icv, d.invoice_hash]).toEqual([a.icv, a.hash]);
        }
      } finally {
        await ctx.store.close();
      }
    }
    // After the last crash the units go on issuing from where their chains stand.
    const ctx = await open();
    try {
      const branch = (await tenants.listBranches(ctx.store.db, taxpayer.id))[0]!;
      const r = await issueDocument(ctx, taxpayer, UNITS[0]!, saleJson(taxpayer, branch, { number: 'AFTER-CRASH' }));
      const stored = await documents.countDocuments(ctx.store.db, taxpayer.id, r.unitId);
      expect(r.icv).toBe(stored);
      expect((await auditChains(ctx, taxpayer)).breaks).toEqual([]);
      expect(answered.length).toBeLessThanOrEqual(await documents.countDocuments(ctx.store.db, taxpayer.id));
    } finally {
      await ctx.store.close();
    }
  });
});
