// Issue 15, the library: an issuer whose PostgreSQL sessions are ended (pg_terminate_backend from
// another connection) several times while it issues keeps working in the same process — no EPIPE
// crash — and each failure is STORAGE_UNAVAILABLE; the same sale again is stored exactly once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditChains } from '../../src/audit/index.js';
import { isFawtaraError } from '../../src/errors.js';
import { issueDocument } from '../../src/issuing/index.js';
import type { RunningSimulator } from '../../src/simulator/index.js';
import { asStoreError } from '../../src/store/index.js';
import { PG_URL, startFleetSimulator } from '../egs/helpers.js';
import { terminateBackends } from '../helpers/pg-outage.js';
import { type IssuingFleet, issuingFleet, saleJson } from './helpers.js';

const DOCUMENTS = 60;
const LANES = 4;
const TERMINATIONS = 3;

describe.skipIf(!PG_URL)('a lost PostgreSQL connection (issuing library)', () => {
  let sim: RunningSimulator;
  let f: IssuingFleet;

  beforeAll(async () => {
    sim = await startFleetSimulator();
    f = await issuingFleet('postgres', sim, 2);
  }, 90_000);
  afterAll(async () => {
    await f?.close();
    await sim?.close();
  });

  it('keeps issuing after its sessions are ended: failures are STORAGE_UNAVAILABLE, each sale stored once, the chain intact', async () => {
    const sales = Array.from({ length: DOCUMENTS }, (_, i) => ({ unit: f.units[i % 2]!.name, json: saleJson(f.taxpayer, f.branch, { number: `OUT-${i}` }) }));
    const codes: string[] = [];
    const issued = new Set<string>();
    let next = 0;
    let ended = 0;
    const lanes = Array.from({ length: LANES }, async () => {
      while (next < sales.length) {
        const s = sales[next++]!;
        // The same sale again after a failure (same UUID and number), at most 20 times.
        for (let attempt = 0; attempt < 20; attempt++) {
          try {
            issued.add((await issueDocument(f.ctx, f.taxpayer, s.unit, s.json)).uuid);
            break;
          } catch (error) {
            const mapped = asStoreError(error);
            codes.push(isFawtaraError(mapped) ? mapped.code : `untyped: ${(error as Error).message}`);
          }
        }
      }
    });
    const terminator = (async () => {
      for (let i = 0; i < TERMINATIONS; i++) {
        const mark = ((i + 1) * DOCUMENTS) / (TERMINATIONS + 1);
        for (let spin = 0; spin < 400 && issued.size < mark; spin++) await new Promise((resolve) => setTimeout(resolve, 25));
        ended += await terminateBackends(PG_URL!, f.storeOptions.pgSchema!);
      }
    })();
    await Promise.all([...lanes, terminator]);

    expect(ended).toBeGreaterThan(0);
    expect(codes.filter((c) => c !== 'STORAGE_UNAVAILABLE')).toEqual([]);
    expect(issued.size).toBe(DOCUMENTS);
    // After the terminations the same process issues on fresh connections.
    const after = await issueDocument(f.ctx, f.taxpayer, f.units[0]!.name, saleJson(f.taxpayer, f.branch, { number: 'OUT-AFTER' }));
    expect(after.replayed).toBe(false);
    const stored = await f.ctx.store.db.selectFrom('documents').select(['uuid', 'number']).where('taxpayer_id', '=', f.taxpayer.id).execute();
    expect(stored).toHaveLength(DOCUMENTS + 1);
    expect(new Set(stored.map((d) => d.uuid)).size).toBe(DOCUMENTS + 1);
    const report = await auditChains(f.ctx, f.taxpayer);
    expect(report.breaks).toEqual([]);
  }, 180_000);
});
