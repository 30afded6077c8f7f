// bench/issue: durable issuing throughput (build + stamp + store + chain + outbox row, committed with
// synchronous=FULL / PostgreSQL's fsync) on SQLite and PostgreSQL, as a ratio to this disk's
// write+fdatasync rate and to S (one node:crypto secp256k1 signature), both measured in the same run;
// then the outbox drain rate against the in-process simulator.
// Run: npm run bench:issue   (PostgreSQL too when FAWTARA_TEST_PG or FAWTARA_BENCH_PG is a URL)
import { closeSync, fdatasyncSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { issueDocument, issuerOf } from '../src/issuing/index.js';
import { runOutbox } from '../src/outbox/index.js';
import { startFleetSimulator, type Engine } from '../test/egs/helpers.js';
import { issuingFleet, saleJson, type IssuingFleet } from '../test/issuing/helpers.js';
import { fmt, makeReferenceSignature, opsPerSecond } from './harness.js';

const quick = process.argv.includes('--quick');
const seconds = quick ? 1.5 : 3;
const pgUrl = process.env.FAWTARA_BENCH_PG ?? process.env.FAWTARA_TEST_PG;
const dir = mkdtempSync(join(tmpdir(), 'fawtara-bench-issue-'));

/** Writes of 4 KiB, each followed by fdatasync, per second, on a file next to the SQLite database. */
function fdatasyncRate(ms = 1000): number {
  const fd = openSync(join(dir, 'fsync.bin'), 'w');
  const block = Buffer.alloc(4096, 1);
  let n = 0;
  const start = performance.now();
  try {
    while (performance.now() - start < ms) {
      writeSync(fd, block, 0, block.length, (n % 256) * 4096);
      fdatasyncSync(fd);
      n++;
    }
  } finally {
    closeSync(fd);
  }
  return (n * 1000) / (performance.now() - start);
}

let counter = 0;
/** Issue for `seconds` with `inFlight` callers spread over the units; documents per second. */
async function issueRate(f: IssuingFleet, inFlight: number): Promise<number> {
  const end = performance.now() + seconds * 1000;
  let done = 0;
  const lane = async (i: number) => {
    const unit = f.units[i % f.units.length]!.name;
    while (performance.now() < end) {
      await issueDocument(f.ctx, f.taxpayer, unit, saleJson(f.taxpayer, f.branch, { number: `B-${++counter}`, lines: 10 }));
      done++;
    }
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: inFlight }, (_, i) => lane(i)));
  return (done * 1000) / (performance.now() - start);
}

const sim = await startFleetSimulator();
const s = opsPerSecond(makeReferenceSignature(), 500);
const fsyncs = fdatasyncRate();
console.log(`bench/issue — node ${process.version}; 10-line simplified invoices, 4 units, each document committed durably`);
console.log(`fdatasync (4 KiB write + fdatasync, this disk): ${Math.round(fsyncs)}/s; S (node:crypto secp256k1 signature): ${Math.round(s)}/s\n`);

const engines: Array<{ engine: Engine; label: string }> = [{ engine: 'sqlite', label: 'SQLite (WAL, synchronous=FULL)' }];
if (pgUrl) engines.push({ engine: 'postgres', label: 'PostgreSQL' });
else console.log('PostgreSQL: skipped (set FAWTARA_TEST_PG or FAWTARA_BENCH_PG)\n');

for (const { engine, label } of engines) {
  if (engine === 'postgres' && !process.env.FAWTARA_TEST_PG) process.env.FAWTARA_TEST_PG = pgUrl;
  const f = await issuingFleet(engine, sim, 4, { title: '0100', sqliteFile: join(dir, `bench-${engine}.db`) });
  try {
    for (const inFlight of [1, 64]) {
      const stats = issuerOf(f.ctx).stats;
      const before = { ...stats };
      const rate = await issueRate(f, inFlight);
      const perCommit = (stats.documents - before.documents) / Math.max(1, stats.commits - before.commits);
      const fsyncNow = fdatasyncRate(500);
      console.log(
        `${label}, ${String(inFlight).padStart(2)} caller(s): ${fmt(rate, 0).padStart(5)} documents/s, ${fmt(perCommit, 1)} documents per commit = ${fmt(rate / fsyncNow)} × fdatasync (${Math.round(fsyncNow)}/s now), ${fmt(rate / s)} S`,
      );
    }
    // Drain: what was just issued, reported to the in-process simulator, for at most 10 s.
    const start = performance.now();
    const summary = await runOutbox(f.ctx, { once: true, concurrency: 16, batch: 64, signal: AbortSignal.timeout(quick ? 4_000 : 10_000) });
    const rate = (summary.attempts * 1000) / (performance.now() - start);
    console.log(
      `${label}, outbox drain against the simulator: ${summary.attempts} documents in ${fmt((performance.now() - start) / 1000, 1)} s = ${fmt(rate, 0)} documents/s (${fmt(rate / s)} S; the simulator validates each one in this same process)\n`,
    );
  } finally {
    await f.close();
  }
}
await sim.close();
rmSync(dir, { recursive: true, force: true });
