// CPU-heavy work off the event loop: while a chain audit re-verifies every stored document (on a
// worker thread with its own store connection), /health and a till's sale are answered — shown by
// the order in which answers arrive and by the main loop's utilization ratio, never by a duration.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueDocument } from '../../src/issuing/index.js';
import { saleToInvoice } from '../../src/pos/sale.js';
import { tenants, units } from '../../src/store/index.js';
import { SALE, type OnboardedServer } from '../server/onboarded.js';
import { ENGINES, fillRoute, onboardedSecurityServer, type SecurityServer } from './harness.js';

/** Enough documents that re-verifying them all takes far longer than one sale. */
const DOCUMENTS = 1200;

describe.each(ENGINES)('an audit does not hold the event loop on %s', (engine) => {
  let s: SecurityServer & OnboardedServer;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fawtara-loop-'));
    // A file store (SQLite) or PostgreSQL: something a worker thread can open too.
    s = await onboardedSecurityServer(engine, { sqliteFile: join(dir, 'fawtara.db') });
    const unit = (await units.findUnit(s.fleet.store.db, s.taxpayer.id, 'DMM-POS-1'))!;
    const branch = (await tenants.findBranch(s.fleet.store.db, s.taxpayer.id, unit.branch_id))!;
    for (let done = 0; done < DOCUMENTS; done += 100) {
      await Promise.all(
        Array.from({ length: 100 }, () =>
          issueDocument(
            s.fleet,
            s.taxpayer,
            unit.id,
            saleToInvoice(SALE, { taxpayer: s.taxpayer, branch, unit, uuid: crypto.randomUUID(), today: '2026-03-01' }),
          ),
        ),
      );
    }
  }, 600_000);
  afterAll(async () => {
    await s?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('/health and a POS sale are answered while the chain audit runs, before it ends', async () => {
    const pool = s.app.fawtara.workers?.pool;
    expect(pool, 'a file or PostgreSQL store gets worker threads').toBeDefined();
    const order: string[] = [];
    const audit = s
      .call('GET', `${fillRoute('/api/v1/taxpayers/:vat/units/:unit/chain-audit', { unit: 'DMM-POS-1' })}?limit=5`, s.callers.auditor)
      .then((r) => {
        order.push('audit');
        return r;
      });
    // Wait (bounded) until the audit is with the pool: from here on it is running.
    for (let i = 0; i < 2000 && pool!.running === 0; i++) await new Promise((r) => setTimeout(r, 5));
    expect(pool!.running).toBe(1);
    const loop = performance.eventLoopUtilization();
    const health = await s.call('GET', '/health');
    order.push(`health ${health.statusCode}`);
    const sale = await s.call('POST', fillRoute('/api/v1/taxpayers/:vat/units/:unit/sales'), s.callers.deviceRuh1, SALE);
    order.push(`sale ${sale.statusCode}`);
    const again = await s.call('GET', '/health');
    order.push(`health ${again.statusCode}`);
    const stillAuditing = pool!.running;
    const report = await audit;
    const busy = performance.eventLoopUtilization(loop).utilization;
    // The sale and both health checks were answered before the audit finished.
    expect(order).toEqual(['health 200', 'sale 201', 'health 200', 'audit']);
    expect(stillAuditing).toBe(1);
    expect(report.statusCode, report.body).toBe(200);
    expect(report.json()).toMatchObject({ ok: true, units: 1, documents: DOCUMENTS, checked: DOCUMENTS, breakCount: 0 });
    expect(pool!.completed).toBeGreaterThanOrEqual(1);
    // While the thread re-verified every document, the event loop was mostly idle (a ratio, not a time).
    expect(busy).toBeLessThan(0.5);
  });
});
