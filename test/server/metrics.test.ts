// GET /metrics (issue 15): its own bearer token, a parseable Prometheus exposition, sales and issues
// counted, the outbox depth and certificate days read from the store, on SQLite and PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { submissions } from '../../src/store/index.js';
import { CHAIN_DEVICES } from '../egs/helpers.js';
import { CHAIN_VAT, deviceCaller, ENGINES, fillUrl, testServer, type Caller } from './helpers.js';
import { onboardedServer, SALE, type OnboardedServer } from './onboarded.js';

const TOKEN = 'metrics-'.padEnd(48, 'x');
const SALES = 5;

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The text exposition, line by line: `# HELP`/`# TYPE` comments or `name{label="v",…} value`; anything else fails. */
function parseExposition(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('# HELP ') || line.startsWith('# TYPE ')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`not an exposition line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
    const value = m[3] === '+Inf' ? Infinity : m[3] === '-Inf' ? -Infinity : Number(m[3]);
    // Prometheus reads NaN in any case (prom-client writes `Nan` for an empty event-loop histogram).
    if (Number.isNaN(value) && !/^nan$/i.test(m[3]!)) throw new Error(`not a value: ${line}`);
    samples.push({ name: m[1]!, labels, value });
  }
  return samples;
}

const find = (samples: Sample[], name: string, labels: Record<string, string> = {}) =>
  samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
const sampleValue = (samples: Sample[], name: string, labels: Record<string, string> = {}) => {
  const hits = find(samples, name, labels);
  if (hits.length !== 1) throw new Error(`${name} ${JSON.stringify(labels)}: ${hits.length} samples`);
  return hits[0]!.value;
};

describe.each(ENGINES)('GET /metrics on %s', (engine) => {
  let s: OnboardedServer;
  let till: Caller;
  const scrape = (authorization?: string) => s.app.inject({ method: 'GET', url: '/metrics', ...(authorization && { headers: { authorization } }) });

  beforeAll(async () => {
    s = await onboardedServer(engine, { metrics: { token: TOKEN } });
    till = await deviceCaller(s, 'RUH-POS-1');
  }, 120_000);
  afterAll(async () => s?.close());

  it('answers only with its own token: none or a wrong one is 401, a user session is no metrics token', async () => {
    const none = await scrape();
    expect(none.statusCode).toBe(401);
    expect(none.json().error.reason).toBe('NO_CREDENTIALS');
    const wrong = await scrape(`Bearer ${TOKEN.slice(0, -1)}y`);
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().error.reason).toBe('INVALID_TOKEN');
    expect(wrong.body).not.toContain('fawtara_');
    expect((await scrape(till.authorization)).statusCode).toBe(401);
    const ok = await scrape(`Bearer ${TOKEN}`);
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
  });

  it(`after ${SALES} POS sales: the sales and issue counters say ${SALES}, the outbox depth counts the queued jobs`, async () => {
    const url = fillUrl('/api/v1/taxpayers/:vat/units/:unit/sales', { unit: 'RUH-POS-1' });
    for (let i = 0; i < SALES; i++) {
      const res = await s.app.inject({ method: 'POST', url, headers: till, payload: SALE });
      expect(res.statusCode, res.body).toBe(201);
    }
    const refused = await s.app.inject({ method: 'POST', url, headers: till, payload: { lines: [] } });
    expect(refused.statusCode).toBe(400);
    const m = parseExposition((await scrape(`Bearer ${TOKEN}`)).body);
    expect(sampleValue(m, 'fawtara_pos_sales_total', { outcome: 'released' })).toBe(SALES);
    expect(sampleValue(m, 'fawtara_pos_sales_total', { outcome: 'refused' })).toBe(1);
    expect(sampleValue(m, 'fawtara_pos_sale_duration_seconds_count')).toBe(SALES);
    expect(sampleValue(m, 'fawtara_documents_issued_total', { route: 'pos' })).toBe(SALES);
    expect(sampleValue(m, 'fawtara_issue_duration_seconds_count', { route: 'pos' })).toBe(SALES);
    expect(sampleValue(m, 'fawtara_http_request_duration_seconds_count', { operation: 'posSale', status_class: '2xx' })).toBe(SALES);
    // No outbox worker runs in the test server: every sale's job is still queued.
    const queued = (await submissions.countByState(s.fleet.store.db)).find((c) => c.state === 'to-submit')?.n ?? 0;
    expect(queued).toBe(SALES);
    expect(sampleValue(m, 'fawtara_outbox_depth', { state: 'to-submit' })).toBe(SALES);
    expect(sampleValue(m, 'fawtara_outbox_depth', { state: 'held' })).toBe(0);
    expect(sampleValue(m, 'fawtara_outbox_oldest_age_seconds')).toBeGreaterThanOrEqual(0);
    // Just issued: 24 h to the reporting deadline, neither late nor at risk.
    expect(sampleValue(m, 'fawtara_outbox_deadline_documents', { window: 'late' })).toBe(0);
    expect(sampleValue(m, 'fawtara_outbox_deadline_documents', { window: 'at_risk' })).toBe(0);
  });

  it('a waiting document becomes at risk, then late, as its deadline nears and passes', async () => {
    s.sim.control.clock.advance(23 * 3600);
    let m = parseExposition((await scrape(`Bearer ${TOKEN}`)).body);
    expect(sampleValue(m, 'fawtara_outbox_deadline_documents', { window: 'at_risk' })).toBe(SALES);
    expect(sampleValue(m, 'fawtara_outbox_oldest_age_seconds')).toBeGreaterThanOrEqual(23 * 3600);
    s.sim.control.clock.advance(2 * 3600);
    m = parseExposition((await scrape(`Bearer ${TOKEN}`)).body);
    expect(sampleValue(m, 'fawtara_outbox_deadline_documents', { window: 'late' })).toBe(SALES);
    expect(sampleValue(m, 'fawtara_outbox_deadline_documents', { window: 'at_risk' })).toBe(0);
  });

  it("every unit's certificate days, the ZATCA calls of onboarding by status, and the pool where there is one", async () => {
    const m = parseExposition((await scrape(`Bearer ${TOKEN}`)).body);
    const days = find(m, 'fawtara_unit_certificate_days_left', { taxpayer: CHAIN_VAT });
    expect(new Set(days.map((d) => d.labels.unit))).toEqual(new Set(CHAIN_DEVICES.map((d) => d.name)));
    for (const d of days) expect(d.value).toBeGreaterThan(0);
    expect(sampleValue(m, 'fawtara_zatca_exchanges_total', { endpoint: 'production-csid', status: '200' })).toBe(CHAIN_DEVICES.length);
    expect(find(m, 'fawtara_zatca_exchange_duration_seconds_count', { endpoint: 'compliance-csid' })).toHaveLength(1);
    const pool = find(m, 'fawtara_db_pool_connections');
    if (engine === 'postgres') {
      expect(new Set(pool.map((p) => p.labels.state))).toEqual(new Set(['total', 'idle', 'waiting']));
      expect(sampleValue(m, 'fawtara_db_pool_connections', { state: 'total' })).toBeGreaterThanOrEqual(1);
    } else expect(pool).toEqual([]);
    expect(find(m, 'process_cpu_seconds_total')).toHaveLength(1);
  });
});

describe('GET /metrics without a configured token', () => {
  it('is 404 (metrics off) for anyone; a token shorter than 32 characters is refused at start', async () => {
    const s = await testServer('sqlite');
    try {
      const res = await s.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${TOKEN}` } });
      expect(res.statusCode).toBe(404);
      expect(res.json().error.code).toBe('NOT_FOUND');
      await expect(testServer('sqlite', { metrics: { token: 'short' } })).rejects.toThrow(/FAWTARA_METRICS_TOKEN/);
    } finally {
      await s.close();
    }
  });
});
