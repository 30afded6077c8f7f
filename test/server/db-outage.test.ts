// Issue 15: a lost database connection never kills the server. Its PostgreSQL sessions are ended
// (pg_terminate_backend from another connection) several times under a bounded load of POS sales,
// then the network to the database is cut and restored: every request is answered 201/200 or 503
// STORAGE_UNAVAILABLE (never 500, never a hang), sales succeed again, each stored once, the chain intact.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditChains } from '../../src/audit/index.js';
import { PG_URL } from '../egs/helpers.js';
import { pgRelay, schemaOf, terminateBackends, type PgRelay } from '../helpers/pg-outage.js';
import { deviceCaller, fillUrl, type Caller } from './helpers.js';
import { onboardedServer, SALE, type OnboardedServer } from './onboarded.js';

const UNITS = ['RUH-POS-1', 'RUH-POS-2', 'JED-POS-1'];
const SALES = 90;
const LANES = 6;
const TERMINATIONS = 4;
/** Every HTTP wait is bounded: a hang fails the test instead of stalling it. */
const REQUEST_TIMEOUT_MS = 20_000;

interface Answer {
  status: number;
  code?: string;
  retryAfter: string | null;
  messageAr?: string;
  body: Record<string, unknown>;
}

describe.skipIf(!PG_URL)('a lost PostgreSQL connection (server)', () => {
  let s: OnboardedServer;
  let relay: PgRelay;
  let base: string;
  let schema: string;
  const callers = new Map<string, Caller>();

  beforeAll(async () => {
    relay = await pgRelay(PG_URL!);
    s = await onboardedServer('postgres', { mapStore: (o) => ({ ...o, databaseUrl: relay.via(o.databaseUrl!) }) });
    for (const unit of UNITS) callers.set(unit, await deviceCaller(s, unit));
    base = await s.app.listen({ host: '127.0.0.1', port: 0 });
    schema = schemaOf(s.fleet.store.location);
  }, 90_000);
  afterAll(async () => {
    relay?.up();
    await s?.close();
    await relay?.close();
  });

  const call = async (method: string, path: string, caller?: Caller, payload?: unknown): Promise<Answer> => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { ...(caller && { authorization: caller.authorization }), ...(payload !== undefined && { 'content-type': 'application/json' }) },
      ...(payload !== undefined && { body: JSON.stringify(payload) }),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const body = (await res.json()) as Record<string, unknown> & { error?: { code?: string; messageAr?: string } };
    return { status: res.status, code: body.error?.code, retryAfter: res.headers.get('retry-after'), messageAr: body.error?.messageAr, body };
  };
  const sale = (unit: string, uuid: string) =>
    call('POST', fillUrl('/api/v1/taxpayers/:vat/units/:unit/sales', { unit }), callers.get(unit), { ...SALE, uuid });

  /** Post one sale until it is acknowledged (a 503 is retried with the same UUID, at most 30 times). */
  async function saleUntilAcknowledged(unit: string, uuid: string, answers: Answer[]): Promise<boolean> {
    for (let attempt = 0; attempt < 30; attempt++) {
      const a = await sale(unit, uuid);
      answers.push(a);
      if (a.status === 201 || a.status === 200) return true;
      if (a.status !== 503) return false;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return false;
  }

  it('survives its sessions being ended under load: 2xx or 503 only, every sale stored once, the chain intact', async () => {
    const answers: Answer[] = [];
    const acknowledged: string[] = [];
    const uuids = Array.from({ length: SALES }, () => randomUUID());
    let next = 0;
    let ended = 0;
    const lanes = Array.from({ length: LANES }, async (_, lane) => {
      while (next < uuids.length) {
        const uuid = uuids[next++]!;
        if (await saleUntilAcknowledged(UNITS[lane % UNITS.length]!, uuid, answers)) acknowledged.push(uuid);
      }
    });
    const terminator = (async () => {
      for (let i = 0; i < TERMINATIONS; i++) {
        // Spread over the load by progress, not by time; the assertions hold whichever request it hits.
        const mark = ((i + 1) * SALES) / (TERMINATIONS + 1);
        for (let spin = 0; spin < 400 && acknowledged.length < mark; spin++) await new Promise((resolve) => setTimeout(resolve, 25));
        ended += await terminateBackends(PG_URL!, schema);
      }
    })();
    await Promise.all([...lanes, terminator]);

    expect(ended).toBeGreaterThan(0);
    const unexpected = answers.filter((a) => ![200, 201, 503].includes(a.status) || (a.status === 503 && a.code !== 'STORAGE_UNAVAILABLE'));
    expect(unexpected.map((a) => [a.status, a.body])).toEqual([]);
    for (const a of answers.filter((x) => x.status === 503)) {
      expect(a.retryAfter).not.toBeNull();
      expect(a.messageAr).toMatch(/[\u0600-\u06FF]/);
    }
    expect(acknowledged.sort()).toEqual([...uuids].sort());

    // After the terminations: sales succeed again on fresh connections.
    for (const unit of UNITS) expect((await sale(unit, randomUUID())).status).toBe(201);
    const stored = await s.fleet.store.db.selectFrom('documents').select('uuid').where('taxpayer_id', '=', s.taxpayer.id).execute();
    const counts = new Map<string, number>();
    for (const d of stored) counts.set(d.uuid, (counts.get(d.uuid) ?? 0) + 1);
    expect([...counts.values()].filter((n) => n !== 1)).toEqual([]);
    for (const uuid of uuids) expect(counts.get(uuid)).toBe(1);
    const report = await auditChains(s.fleet, s.taxpayer);
    expect(report.breaks).toEqual([]);
    expect(report.documents).toBe(SALES + UNITS.length);
  }, 180_000);

  it('answers 503 while the database is unreachable (health too), and serves again when it returns, without a restart', async () => {
    expect((await call('GET', '/health')).status).toBe(200);
    relay.down();
    const health = await call('GET', '/health');
    expect([health.status, health.code, health.retryAfter]).toEqual([503, 'STORAGE_UNAVAILABLE', '5']);
    expect(JSON.stringify(health.body)).not.toMatch(/postgres|127\.0\.0\.1|schema/i);
    const refused = await sale('RUH-POS-1', randomUUID());
    expect([refused.status, refused.code]).toEqual([503, 'STORAGE_UNAVAILABLE']);
    expect(refused.retryAfter).not.toBeNull();
    expect(refused.messageAr).toMatch(/[\u0600-\u06FF]/);
    relay.up();
    expect((await call('GET', '/health')).status).toBe(200);
    const uuid = randomUUID();
    const back = await sale('RUH-POS-1', uuid);
    expect(back.status).toBe(201);
    expect((await auditChains(s.fleet, s.taxpayer)).breaks).toEqual([]);
    // The losses were logged, redacted (no password of the runtime role).
    expect(s.logLines.some((l) => /PostgreSQL connection lost/.test(l))).toBe(true);
    expect(s.logLines.join('\n')).not.toContain(new URL(PG_URL!).password || 'no-password-in-url');
  }, 120_000);
});
