// A new user's first hour (issue 11): the CLI run from the folder `npm start` used finds its master
// key and each unit's recorded ZATCA target, and "run the same command again" resumes a standard
// invoice that could not be cleared instead of failing BR-02 on its own number.
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startHeadOffice, type HeadOffice } from '../../src/demo/head-office.js';
import { simulatorBaseUrl } from '../../src/zatca/index.js';
import { saleJson } from '../issuing/helpers.js';
import { TEST_SCRYPT } from '../server/helpers.js';
import { cli, scratch } from './helpers.js';

const tmp = scratch();
const data = tmp.path('data');
const start = (): Promise<HeadOffice> =>
  // No in-process outbox worker: what clears the document is the CLI command under test, nothing racing it.
  startHeadOffice({ dataDir: data, port: 0, env: {}, policy: { scrypt: TEST_SCRYPT }, seed: { days: 1, salesPerUnitPerDay: 1 }, outboxWorker: false });

const taxpayer = { vat_number: '310122393500003', name_ar: 'مطاعم السلسلة المحدودة', name_en: 'Chain Restaurants LTD' } as never;
const branch = { crn: '1010010001', street: 'Prince Sultan', building_number: '2322', district: 'Al-Murabba', city: 'Riyadh', postal_code: '23333' } as never;
/** A standard invoice as a new user writes it: no uuid, so each run of the command draws a fresh one. */
function invoiceFile(name: string, number: string, price = '10.00'): string {
  const json = saleJson(taxpayer, branch, { number, kind: 'standard', price });
  delete json.uuid;
  const path = tmp.path(name);
  writeFileSync(path, JSON.stringify(json));
  return path;
}
const run = (...args: string[]) => cli(...args, '--data', data);
const icvOf = async (unit: string) => {
  const list = JSON.parse((await run('units', 'list', '--json')).stdout) as { units: Array<{ name: string; icv: number; zatcaBaseUrl: string | null }> };
  return list.units.find((u) => u.name === unit)!;
};

describe("a new user's first hour on npm start's data", () => {
  let first: HeadOffice;
  beforeAll(async () => {
    // The CLI must find the data directory's master.key by itself: nothing in the environment.
    vi.stubEnv('FAWTARA_MASTER_KEY', '');
    vi.stubEnv('FAWTARA_KEY_PASSPHRASE', '');
    vi.stubEnv('FAWTARA_DEV_UNPROTECTED_KEYS', '');
    vi.stubEnv('FAWTARA_ZATCA', '');
    first = await start();
  });
  afterAll(async () => {
    vi.unstubAllEnvs();
    tmp.cleanup();
  });

  it('units list, outbox status and report vat open the store with its master.key; units carry the demo simulator as their target', async () => {
    const units = await run('units', 'list', '--json');
    expect(units.code, units.stderr + units.stdout).toBe(0);
    const list = JSON.parse(units.stdout).units as Array<{ name: string; environment: string; zatcaBaseUrl: string }>;
    expect(list).toHaveLength(6);
    for (const u of list) expect(u.zatcaBaseUrl).toBe(simulatorBaseUrl(first.simulatorUrl, 'simulation'));
    expect((await run('outbox', 'status')).code).toBe(0);
    const period = new Date().toISOString().slice(0, 7);
    const vat = await run('report', 'vat', '--period', period);
    expect(vat.code, vat.stderr).toBe(0);
  });

  it('a standard issue interrupted (simulator down) exits 5; the same command again resumes it and clears it; other content under that number is a CONFLICT', async () => {
    await first.stop(); // the simulator is unreachable now
    const input = invoiceFile('std-1.json', 'FH-STD-1');
    const before = (await icvOf('RUH-POS-1')).icv;

    const interrupted = await run('issue', '--unit', 'RUH-POS-1', '--input', input, '--wait', '1');
    expect(interrupted.code, interrupted.stderr).toBe(5);
    expect(interrupted.stdout).toMatch(/not cleared yet.*run the same command again/s);
    expect((await icvOf('RUH-POS-1')).icv).toBe(before + 1);

    const second = await start();
    try {
      const resumed = await run('issue', '--unit', 'RUH-POS-1', '--input', input, '--output', tmp.path('cleared.xml'));
      expect(resumed.code, resumed.stdout + resumed.stderr).toBe(0);
      expect(resumed.stdout).toMatch(/already issued invoice FH-STD-1/);
      expect(resumed.stdout).toMatch(/cleared by ZATCA/);
      // No second document: the chain head did not move.
      expect((await icvOf('RUH-POS-1')).icv).toBe(before + 1);

      const changed = await run('issue', '--unit', 'RUH-POS-1', '--input', invoiceFile('std-1b.json', 'FH-STD-1', '12.00'), '--json');
      expect(changed.code).toBe(3);
      const error = JSON.parse(changed.stdout).error;
      expect(error).toMatchObject({ code: 'CONFLICT', rule: 'BR-02', field: 'id' });
      expect(error.message).toMatch(/different content/);
      expect(error.messageAr).toBeTruthy();
    } finally {
      await second.stop();
    }
  });

  it('outbox run --once --unit submits what waits for that unit at once (its retry backoff skipped)', async () => {
    // The head office is stopped: the issue cannot be cleared and waits in the outbox with a backoff.
    const waiting = await run('issue', '--unit', 'JED-POS-1', '--input', invoiceFile('std-2.json', 'FH-STD-2'), '--wait', '1');
    expect(waiting.code).toBe(5);
    const third = await start();
    try {
      const sent = await run('outbox', 'run', '--once', '--unit', 'JED-POS-1', '--json');
      expect(sent.code, sent.stderr).toBe(0);
      const summary = JSON.parse(sent.stdout).summary as { attempts: number; byState: Record<string, number> };
      // That unit's two waiting documents (its seeded sale and the standard one); other units' sales still wait.
      expect(summary.attempts).toBe(2);
      expect(summary.byState).toEqual({ accepted: 2 });
      const status = JSON.parse((await run('outbox', 'status', '--json')).stdout) as { byState: Record<string, number> };
      expect(status.byState['to-submit']).toBe(5);
    } finally {
      await third.stop();
    }
  });
});
