// Scale-out (issue 15): the max sustainable POS rate of (a) one instance, (b) one instance signing on
// worker threads, (c) two instances on one PostgreSQL schema behind a round-robin front — then every
// unit's chain audited for forks and ICV gaps. S (one secp256k1 signature) measured in the same run.
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { DEMO_VAT } from '../src/demo/catalog.js';
import { openStore, type StoreOptions } from '../src/store/index.js';
import { fmt, makeReferenceSignature, opsPerSecond } from './harness.js';
import type { InstanceConfig } from './scale-instance.js';

const STEP_MS = Math.min(10_000, Number(process.env.BENCH_STEP_MS ?? 4_000)); // each step ≤ 10 s
const RATES = [100, 200, 300, 500, 700, 1000, 1400];
const PG_URL = process.env.FAWTARA_BENCH_PG ?? process.env.FAWTARA_TEST_PG;
const POOL_THREADS = Math.max(1, availableParallelism() - 1);

type Devices = Array<{ unit: string; token: string }>;
type Result = { latencies: number[]; errors: number; statuses: Record<string, number>; skipped: number; elapsedMs: number };
interface Figures {
  sustainable: number;
  /** The highest rate achieved at any step (a loaded machine may sustain none of them). */
  peak: number;
  p99At300: number;
}

const pct = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : NaN);

async function startInstance(config: InstanceConfig, stampThreads: number): Promise<{ child: ChildProcess; url: string; devices?: Devices }> {
  const child = fork(new URL('./scale-instance.ts', import.meta.url), [JSON.stringify(config)], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, FAWTARA_STAMP_THREADS: String(stampThreads) },
    stdio: 'inherit',
  });
  const first = await new Promise<{ url: string; devices?: Devices }>((resolve, reject) => {
    child.once('message', (m) => resolve(m as { url: string; devices?: Devices }));
    child.once('exit', (code) => reject(new Error(`an instance exited (${code}) before it listened`)));
  });
  return { child, ...first };
}

async function stopInstance(child: ChildProcess): Promise<void> {
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.send('stop');
  const timer = setTimeout(() => child.kill(), 15_000);
  await exited;
  clearTimeout(timer);
}

/** Steps of rising rate through the load process: the highest one met (no errors, ≥ 95 % achieved, p99 ≤ 100 ms). */
async function measure(load: ChildProcess, label: string, urls: string[], devices: Devices): Promise<Figures> {
  const step = (rate: number, durationMs = STEP_MS) =>
    new Promise<Result>((resolve) => {
      load.once('message', (m) => resolve(m as Result));
      load.send({ url: urls[0], urls, vat: DEMO_VAT, devices, rate, durationMs });
    });
  await step(100, 1_500); // warm-up: JIT, pages, keep-alive connections, threads
  console.log(`\n${label}`);
  console.log('offered/s  achieved/s      p50      p99   errors');
  const figures: Figures = { sustainable: 0, peak: 0, p99At300: NaN };
  for (const rate of RATES) {
    const r = await step(rate);
    const sorted = [...r.latencies].sort((a, b) => a - b);
    const achieved = (r.latencies.length * 1000) / r.elapsedMs;
    const p99 = pct(sorted, 99);
    if (rate === 300) figures.p99At300 = p99;
    figures.peak = Math.max(figures.peak, achieved);
    console.log(
      `${String(rate).padStart(9)}  ${fmt(achieved, 0).padStart(10)}  ${fmt(pct(sorted, 50), 1).padStart(6)}ms ${fmt(p99, 1).padStart(6)}ms  ${r.errors + r.skipped}${r.errors ? ` ${JSON.stringify(r.statuses)}` : ''}`,
    );
    if (r.errors + r.skipped === 0 && achieved >= rate * 0.95 && p99 <= 100) figures.sustainable = rate;
    else break;
  }
  return figures;
}

/** Forks (two documents with one unit+ICV, or one unit+PIH), ICV gaps and broken PIH links, over every unit. */
async function auditStore(options: StoreOptions): Promise<{ documents: number; forks: number; gaps: number; breaks: number }> {
  const store = await openStore({ ...options, create: false });
  try {
    const db = store.db;
    const n = async (q: ReturnType<typeof sql<{ n: number | string }>>) => Number((await q.execute(db)).rows[0]?.n ?? 0);
    const documents = await n(sql`select count(*) as n from documents`);
    const forksIcv = await n(sql`select count(*) as n from (select unit_id, icv from documents group by unit_id, icv having count(*) > 1) f`);
    const forksPih = await n(sql`select count(*) as n from (select unit_id, pih from documents group by unit_id, pih having count(*) > 1) f`);
    const gaps = await n(sql`select coalesce(sum(m - c), 0) as n from (select max(icv) - min(icv) + 1 as m, count(*) as c from documents group by unit_id) g`);
    const breaks = await n(
      sql`select count(*) as n from documents d join documents p on p.unit_id = d.unit_id and p.icv = d.icv - 1 where d.pih <> p.invoice_hash`,
    );
    return { documents, forks: forksIcv + forksPih, gaps, breaks };
  } finally {
    await store.close();
  }
}

async function sqliteRun(load: ChildProcess, threads: number, label: string): Promise<Figures & { audit: Awaited<ReturnType<typeof auditStore>> }> {
  const dir = mkdtempSync(join(tmpdir(), 'fawtara-bench-scale-'));
  try {
    const i = await startInstance({ dataDir: dir }, threads);
    const figures = await measure(load, label, [i.url], i.devices!);
    await stopInstance(i.child);
    return { ...figures, audit: await auditStore({ dataDir: dir }) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function postgresRun(load: ChildProcess): Promise<Figures & { audit: Awaited<ReturnType<typeof auditStore>> }> {
  const schema = `bench_scale_${process.pid}`;
  const options: StoreOptions = { databaseUrl: PG_URL!, pgSchema: schema, allowOwnerRuntime: true };
  const dirs = [0, 1].map(() => mkdtempSync(join(tmpdir(), 'fawtara-bench-scale-')));
  try {
    const first = await startInstance({ dataDir: dirs[0]!, pg: options, seed: true }, 0);
    const second = await startInstance({ dataDir: dirs[1]!, pg: options }, 0);
    const figures = await measure(
      load,
      'two instances on one PostgreSQL schema, round-robin (each unit on both), inline stamping',
      [first.url, second.url],
      first.devices!,
    );
    await Promise.all([stopInstance(first.child), stopInstance(second.child)]);
    return { ...figures, audit: await auditStore(options) };
  } finally {
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).finally(() => client.end());
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
}

async function reachable(url: string | undefined): Promise<boolean> {
  if (!url) return false;
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    await client.end();
    return true;
  } catch {
    return false;
  }
}

const goal = (met: boolean, gap: string) => (met ? 'met' : `not met (${gap})`);

async function main(): Promise<void> {
  const sBefore = opsPerSecond(makeReferenceSignature(), 500);
  const load = fork(new URL('./server-load.ts', import.meta.url), [], { execArgv: ['--import', 'tsx'], stdio: 'inherit' });
  try {
    console.log(`POS endpoint, open loop over loopback, ${STEP_MS / 1000} s per step, 6 units; outbox worker off; ${availableParallelism()} cores`);
    const a = await sqliteRun(load, 0, '(a) one instance, SQLite, stamping on the event loop');
    const b = await sqliteRun(load, POOL_THREADS, `(b) one instance, SQLite, stamping on ${POOL_THREADS} worker thread(s)`);
    const c = (await reachable(PG_URL)) ? await postgresRun(load) : undefined;
    const sAfter = opsPerSecond(makeReferenceSignature(), 500);
    const s = (sBefore + sAfter) / 2;
    console.log(`\nS = ${fmt(s, 0)} signatures/s (before ${fmt(sBefore, 0)}, after ${fmt(sAfter, 0)})`);
    const line = (name: string, f: Figures) =>
      console.log(
        `${name}: max sustainable ${f.sustainable}/s = ${fmt(f.sustainable / s, 3)} S (highest achieved ${fmt(f.peak, 0)}/s = ${fmt(f.peak / s, 3)} S); p99 at 300/s ${Number.isNaN(f.p99At300) ? 'not reached' : `${fmt(f.p99At300, 1)} ms`}`,
      );
    line('(a) 1 instance', a);
    line('(b) 1 instance + worker pool', b);
    if (c) line('(c) 2 instances on PostgreSQL', c);
    const audits = [a.audit, b.audit, ...(c ? [c.audit] : [])];
    for (const [i, au] of audits.entries())
      console.log(`audit (${'abc'[i]}): ${au.documents} documents, ${au.forks} forks, ${au.gaps} ICV gaps, ${au.breaks} broken PIH links`);
    const best = Math.max(a.sustainable, b.sustainable) / s;
    console.log(`goal max sustainable ≥ 0.4 S (one instance): ${goal(best >= 0.4, `${fmt(best, 3)} S, short by ${fmt(0.4 - best, 3)} S`)}`);
    const p99 = (f: Figures) => (Number.isNaN(f.p99At300) ? 'the 300/s step was not reached' : `${fmt(f.p99At300, 1)} ms, ${fmt(f.p99At300 - 20, 1)} ms over`);
    console.log(`goal p99 ≤ 20 ms at 300/s on SQLite: ${goal(a.p99At300 <= 20, p99(a))}`);
    if (c) console.log(`goal p99 ≤ 20 ms at 300/s on PostgreSQL (two instances): ${goal(c.p99At300 <= 20, p99(c))}`);
    const forks = audits.reduce((n, au) => n + au.forks, 0);
    if (c) console.log(`scale: ${a.sustainable}/s, ${c.sustainable}/s, ratio ${fmt(c.sustainable / Math.max(1, a.sustainable), 2)}, forks ${forks}`);
    else console.log(`scale: ${a.sustainable}/s, PostgreSQL not available (set FAWTARA_BENCH_PG or FAWTARA_TEST_PG), forks ${forks}`);
  } finally {
    load.kill();
  }
}

await main();
