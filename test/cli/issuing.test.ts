// The issuing CLI end to end against the simulator (SQLite, and PostgreSQL when configured): issue
// simplified and standard documents, outbox status and run, audit against the simulator's history,
// retire refused while documents wait, clear errors for bad input — and a tampered store is caught.
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type RunningSimulator } from '../../src/simulator/index.js';
import { CHAIN_VAT, dropPgSchema, ENGINES, pgEnv, pgSchemaName } from '../egs/helpers.js';
import { saleJson } from '../issuing/helpers.js';
import { cli, scratch } from './helpers.js';

describe.each(ENGINES)('issuing CLI on %s', (engine) => {
  let sim: RunningSimulator;
  const tmp = scratch();
  const data = tmp.path('data');
  const schema = pgSchemaName();
  const saved = { ...process.env };
  const fleet = (...args: string[]) => cli(...args, '--data', data);
  const run = (...args: string[]) => cli(...args, '--data', data, '--zatca', sim.url);
  const taxpayer = { vat_number: CHAIN_VAT, name_ar: 'مطاعم السلسلة', name_en: 'Chain Restaurants LTD' } as never;
  const branch = { crn: '1010010001', street: 'Prince Sultan', building_number: '2322', district: 'Al-Murabba', city: 'Riyadh', postal_code: '23333' } as never;
  const file = (name: string, json: unknown) => {
    const p = tmp.path(name);
    writeFileSync(p, JSON.stringify(json));
    return p;
  };

  beforeAll(async () => {
    sim = await startSimulator({ port: 0, host: '127.0.0.1', seed: 12 });
    process.env.FAWTARA_MASTER_KEY = randomBytes(32).toString('hex');
    if (engine === 'postgres') Object.assign(process.env, pgEnv(schema));
    expect((await fleet('taxpayers', 'add', '--vat', CHAIN_VAT, '--name-ar', 'مطاعم السلسلة', '--name-en', 'Chain Restaurants LTD')).code).toBe(0);
    expect(
      (
        await fleet(
          'branches',
          'add',
          '--name',
          'Riyadh',
          '--crn',
          '1010010001',
          '--street',
          'Prince Sultan',
          '--building',
          '2322',
          '--district',
          'Al-Murabba',
          '--city',
          'Riyadh',
          '--postal',
          '23333',
        )
      ).code,
    ).toBe(0);
    expect((await fleet('units', 'add', '--branch', 'Riyadh', '--serial', '1-Fawtara|2-POS|3-CLI-1', '--name', 'CLI-1')).code).toBe(0);
    const otp = sim.control.env('simulation').generateOtps({ vat: CHAIN_VAT, count: 1, purpose: 'onboard' })[0]!.otp;
    expect((await run('units', 'onboard', 'CLI-1', '--otp', otp)).code).toBe(0);
  });
  afterAll(async () => {
    process.env = saved;
    await sim?.close();
    if (engine === 'postgres') await dropPgSchema(schema);
    tmp.cleanup();
  });

  it('issue → outbox status → outbox run → audit; standard documents come back cleared', async () => {
    const simplified = await run('issue', '--unit', 'CLI-1', '--input', file('s1.json', saleJson(taxpayer, branch, { number: 'CLI-S-1' })), '--json');
    expect(simplified.code).toBe(0);
    const doc = JSON.parse(simplified.stdout).document;
    expect([doc.icv, doc.kind, doc.released, doc.submission.state]).toEqual([1, 'simplified', true, 'to-submit']);

    const out = tmp.path('cleared.xml');
    const standard = await run(
      'issue',
      '--unit',
      'CLI-1',
      '--input',
      file('t1.json', saleJson(taxpayer, branch, { number: 'CLI-T-1', kind: 'standard' })),
      '--output',
      out,
    );
    expect(standard.code).toBe(0);
    expect(standard.stdout).toMatch(/cleared by ZATCA/);
    expect(readFileSync(out, 'utf8')).toMatch(/<ds:X509Certificate>/);

    const status = JSON.parse((await run('outbox', 'status', '--json')).stdout);
    expect([status.depth, status.byState['to-submit'], status.byState.accepted]).toEqual([1, 1, 1]);
    const drained = await run('outbox', 'run', '--once');
    expect(drained.code).toBe(0);
    expect(drained.stdout).toMatch(/accepted 1/);
    expect(JSON.parse((await run('outbox', 'status', '--json')).stdout).depth).toBe(0);

    const audit = await run('audit', '--simulator-history');
    expect(audit.code).toBe(0);
    expect(audit.stdout).toMatch(/^OK: 2 of 2 document/);
  });

  it('bad input: clear errors and exit codes, nothing issued', async () => {
    const missing = await run('issue', '--unit', 'CLI-1', '--input', tmp.path('nope.json'));
    expect(missing.code).toBe(3);
    expect(missing.stderr).toMatch(/cannot read/);
    const withIcv = await run(
      'issue',
      '--unit',
      'CLI-1',
      '--input',
      file('icv.json', { ...saleJson(taxpayer, branch, { number: 'CLI-X' }), icv: 3 }),
      '--json',
    );
    expect(withIcv.code).toBe(3);
    expect(JSON.parse(withIcv.stdout).error).toMatchObject({ reason: 'ASSIGNED_FIELD', field: 'icv' });
    const broken = await run(
      'issue',
      '--unit',
      'CLI-1',
      '--input',
      file('broken.json', { ...saleJson(taxpayer, branch, { number: 'CLI-Y' }), lines: [{ name: 'x', quantity: '-1', unitPrice: '1' }] }),
    );
    expect(broken.code).toBe(3);
    expect(broken.stderr).toMatch(/lines\[0\]\.quantity/);
    expect(broken.stderr).toMatch(/خطأ/);
    expect((await run('issue', '--unit', 'NOPE', '--input', file('ok.json', saleJson(taxpayer, branch, { number: 'CLI-Z' })))).code).toBe(3);
    expect((await run('audit', '--from', 'yesterday')).code).toBe(2);
    expect(JSON.parse((await run('outbox', 'status', '--json')).stdout).depth).toBe(0);
  });

  it('units retire first submits what waits for ZATCA, then retires (issue 17 item 3)', async () => {
    expect((await run('issue', '--unit', 'CLI-1', '--input', file('s2.json', saleJson(taxpayer, branch, { number: 'CLI-S-2' })))).code).toBe(0);
    const retire = await fleet('units', 'retire', 'CLI-1');
    expect(retire.code, retire.stderr).toBe(0);
    expect(retire.stdout).toMatch(/retired; ZATCA holds every document it issued/);
    expect(JSON.parse((await run('outbox', 'status', '--json')).stdout).depth).toBe(0);
  });

  it.runIf(engine === 'sqlite')('audit exits 1 when stored bytes were changed behind the database guards', async () => {
    // Only someone who drops the triggers can do this; the auditor still notices.
    const db = new BetterSqlite3(join(data, 'fawtara.db'));
    db.exec(`DROP TRIGGER documents_no_update; UPDATE documents SET xml = replace(xml, 'Item 1', 'Item X') WHERE number = 'CLI-S-1'`);
    db.close();
    const audit = await run('audit');
    expect(audit.code).toBe(1);
    expect(audit.stdout).toMatch(/BREAK .*CLI-S-1 \[hash\]/);
  });
});
