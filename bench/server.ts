// POS endpoint under load (issue 7): head office on SQLite in this process, an open-loop generator
// in a forked one over loopback; p50/p99/p99.9 at 100, 300 and 500 requests/s, then higher rates
// to find the max sustainable one — with S (one secp256k1 signature) measured in the same run.
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_UNITS, DEMO_VAT } from '../src/demo/catalog.js';
import { startHeadOffice } from '../src/demo/head-office.js';
import { createDeviceToken } from '../src/server/access/users.js';
import { units } from '../src/store/index.js';
import { fmt, makeReferenceSignature, opsPerSecond } from './harness.js';

const STEP_MS = Number(process.env.BENCH_STEP_MS ?? 5_000); // each step ≤ 10 s
const RATES = [100, 300, 500];
const PROBE = [700, 1000, 1400];

type Result = { latencies: number[]; errors: number; statuses: Record<string, number>; skipped: number; elapsedMs: number };

const pct = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : NaN);

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'fawtara-bench-server-'));
  const sBefore = opsPerSecond(makeReferenceSignature(), 500);
  const h = await startHeadOffice({
    dataDir: dir,
    port: 0,
    env: { FAWTARA_MASTER_KEY: 'ab'.repeat(32) },
    seed: { salesPerUnitPerDay: 0 },
    outboxWorker: false,
  });
  const child = fork(new URL('./server-load.ts', import.meta.url), [], { execArgv: ['--import', 'tsx'], stdio: 'inherit' });
  try {
    const tp = (await h.fleet.store.db.selectFrom('taxpayers').select('id').where('vat_number', '=', DEMO_VAT).executeTakeFirstOrThrow()).id;
    const devices: Array<{ unit: string; token: string }> = [];
    for (const d of DEMO_UNITS) {
      const unit = (await units.findUnit(h.fleet.store.db, tp, d.name))!;
      devices.push({
        unit: d.name,
        token: (await createDeviceToken(h.app.fawtara.access, { kind: 'cli', actor: 'cli:bench' }, unit, { name: 'bench' })).token,
      });
    }
    const step = (rate: number, durationMs = STEP_MS) =>
      new Promise<Result>((resolve) => {
        child.once('message', (m) => resolve(m as Result));
        child.send({ url: h.url, vat: DEMO_VAT, devices, rate, durationMs });
      });
    await step(100, 1_500); // warm-up: JIT, SQLite pages, keep-alive connections
    console.log(
      `POS endpoint, open loop over loopback, ${STEP_MS / 1000} s per step, 6 units round-robin, SQLite (WAL, synchronous=FULL); outbox worker off (ZATCA is remote in production)`,
    );
    console.log('offered/s  achieved/s      p50      p99    p99.9   errors');
    let sustainable = 0;
    for (const rate of [...RATES, ...PROBE]) {
      const r = await step(rate);
      const sorted = [...r.latencies].sort((a, b) => a - b);
      const achieved = (r.latencies.length * 1000) / r.elapsedMs;
      const p99 = pct(sorted, 99);
      console.log(
        `${String(rate).padStart(9)}  ${fmt(achieved, 0).padStart(10)}  ${fmt(pct(sorted, 50), 1).padStart(6)}ms ${fmt(p99, 1).padStart(6)}ms ${fmt(pct(sorted, 99.9), 1).padStart(6)}ms  ${r.errors + r.skipped}${r.errors ? ` ${JSON.stringify(r.statuses)}` : ''}`,
      );
      const ok = r.errors + r.skipped === 0 && achieved >= rate * 0.95 && p99 <= 100;
      if (ok) sustainable = rate;
      else if (rate > 500) break;
    }
    const sAfter = opsPerSecond(makeReferenceSignature(), 500);
    const s = (sBefore + sAfter) / 2;
    console.log(`max sustainable rate (no errors, ≥95 % of offered, p99 ≤ 100 ms): ${sustainable}/s of the rates tried`);
    console.log(`S = ${fmt(s, 0)} signatures/s (before ${fmt(sBefore, 0)}, after ${fmt(sAfter, 0)}); sustainable rate = ${fmt(sustainable / s, 3)} S`);
  } finally {
    child.kill();
    await h.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
