// The fleet CLI end to end against the simulator, on SQLite and PostgreSQL: taxpayers, branches,
// the seed-002 chain onboarded by one bulk command, renew, expiring, retire, a VAT-group member's
// device — and a scan of every output line, the log file and the exchange log for keys, secrets, OTPs.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPrivateKey } from '../../src/crypto/keys.js';
import { openFleet } from '../../src/egs/index.js';
import { keyContext, secretContext } from '../../src/egs/key-custody.js';
import { startSimulator, type RunningSimulator } from '../../src/simulator/index.js';
import { credentials, logs, tenants, units } from '../../src/store/index.js';
import { createZatcaClient } from '../../src/zatca/index.js';
import { CHAIN_BRANCHES, CHAIN_DEVICES, CHAIN_VAT, dropPgSchema, ENGINES, GROUP_VAT, pgEnv, pgSchemaName, pgStoreOptions } from '../egs/helpers.js';
import { cli, scratch, type CliResult } from './helpers.js';

describe.each(ENGINES)('fleet CLI on %s', (engine) => {
  let sim: RunningSimulator;
  const tmp = scratch();
  const data = tmp.path('data');
  const masterKey = randomBytes(32).toString('hex');
  const schema = pgSchemaName();
  const outputs: CliResult[] = [];
  const otpsUsed: string[] = [];
  const saved = { ...process.env };

  const run = async (...args: string[]) => {
    const r = await cli(...args, '--data', data);
    outputs.push(r);
    return r;
  };
  const zatca = () => ['--zatca', sim.url];
  const otps = (vat: string, count: number, purpose: 'onboard' | 'renew' = 'onboard') => {
    const list = sim.control
      .env('simulation')
      .generateOtps({ vat, count, purpose })
      .map((o) => o.otp);
    otpsUsed.push(...list);
    return list;
  };

  beforeAll(async () => {
    // The CLI reads the real clock; the simulator follows it here.
    sim = await startSimulator({ port: 0, host: '127.0.0.1', seed: 11 });
    process.env.FAWTARA_MASTER_KEY = masterKey;
    delete process.env.FAWTARA_DEV_UNPROTECTED_KEYS;
    if (engine === 'postgres') Object.assign(process.env, pgEnv(schema));
  });
  afterAll(async () => {
    process.env = saved;
    await sim?.close();
    if (engine === 'postgres') await dropPgSchema(schema);
    tmp.cleanup();
  });

  it('refuses to start without a key-encryption key, naming the setting and the test option', async () => {
    delete process.env.FAWTARA_MASTER_KEY;
    try {
      const r = await run('taxpayers', 'list');
      expect(r.code).toBe(3);
      expect(r.stderr).toMatch(/unprotected key store.*FAWTARA_MASTER_KEY/);
      expect(r.stderr).toMatch(/خطأ: /);
    } finally {
      process.env.FAWTARA_MASTER_KEY = masterKey;
    }
  });

  it('docs/zatca-notes.md §P2: taxpayer, three branches and six devices onboarded by one bulk command', async () => {
    expect((await run('taxpayers', 'add', '--vat', CHAIN_VAT, '--name-ar', 'مطاعم السلسلة', '--name-en', 'Chain Restaurants LTD')).code).toBe(0);
    const bad = await run('taxpayers', 'add', '--vat', '123', '--name-ar', 'x', '--json');
    expect(bad.code).toBe(3);
    expect(JSON.parse(bad.stdout).error).toMatchObject({ field: 'vatNumber', reason: 'INVALID_FIELD' });
    for (const b of CHAIN_BRANCHES) {
      const r = await run(
        'branches',
        'add',
        '--name',
        b.name,
        '--crn',
        b.crn,
        '--street',
        b.street,
        '--building',
        b.buildingNumber,
        '--district',
        b.district,
        '--city',
        b.city,
        '--postal',
        b.postalCode,
      );
      expect(r.code, r.stderr).toBe(0);
    }
    const list = await run('branches', 'list', '--json');
    expect(
      JSON.parse(list.stdout)
        .branches.map((b: { name: string }) => b.name)
        .sort(),
    ).toEqual(['Dammam', 'Jeddah', 'Riyadh']);

    const codes = otps(CHAIN_VAT, 6);
    const csv = ['serial,branch,name,otp', ...CHAIN_DEVICES.map((d, i) => `"${d.serial}",${d.branch},${d.name},${codes[i]}`)].join('\n');
    writeFileSync(tmp.path('chain.csv'), csv);
    const bulk = await run('units', 'onboard', '--from', tmp.path('chain.csv'), ...zatca());
    expect(bulk.code, bulk.stderr + bulk.stdout).toBe(0);
    expect(bulk.stderr.trim().split('\n')).toHaveLength(6); // one progress line per unit off a terminal
    expect(bulk.stderr).toContain('[6/6] DMM-POS-2: active');
    expect(bulk.stdout).toContain('6 of 6 unit(s) onboarded');

    const units = JSON.parse((await run('units', 'list', '--json')).stdout).units as Array<{
      name: string;
      state: string;
      organizationUnit: string;
      pcsid: unknown;
    }>;
    expect(units.map((u) => [u.name, u.state, u.organizationUnit])).toEqual(CHAIN_DEVICES.map((d) => [d.name, 'active', d.branch]));
    const show = JSON.parse((await run('units', 'show', 'RUH-POS-1', '--json')).stdout);
    expect(show.history.map((h: { to: string }) => h.to)).toEqual(['new', 'ccsid-issued', 'compliance-in-progress', 'compliance-done', 'active']);
    expect(show.exchanges.map((e: { endpoint: string }) => e.endpoint)).toEqual([
      'compliance-csid',
      ...Array(6).fill('compliance-invoices'),
      'production-csid',
    ]);
    expect(show.csids.map((c: { kind: string; status: string }) => `${c.kind}:${c.status}`).sort()).toEqual(['compliance:promoted', 'production:active']);

    // Re-running the same list is harmless: every unit is already active, no new CSID.
    const again = await run('units', 'onboard', '--from', tmp.path('chain.csv'), ...zatca(), '--json');
    expect(JSON.parse(again.stdout)).toMatchObject({ ok: true, onboarded: 6, failed: 0 });
    expect(sim.control.env('simulation').listEgs(CHAIN_VAT)).toHaveLength(6);
  });

  it('renew, expiring, retire; errors name the field and what to fix', async () => {
    const [renewOtp] = otps(CHAIN_VAT, 1, 'renew');
    const renewed = await run('units', 'renew', 'JED-POS-1', '--otp', renewOtp!, ...zatca(), '--json');
    expect(renewed.code, renewed.stdout).toBe(0);
    expect(JSON.parse(renewed.stdout)).toMatchObject({ ok: true, path: '428', unit: { state: 'active' } });
    const expiring = await run('units', 'expiring', '--days', '30');
    expect(expiring).toMatchObject({ code: 0 });
    expect(expiring.stdout).toContain('no production CSID expires within 30 day(s)');
    const soon = JSON.parse((await run('units', 'expiring', '--days', '2000', '--json')).stdout);
    expect(soon.units).toHaveLength(6);
    expect((await run('units', 'retire', 'DMM-POS-2', '--force')).stderr).toMatch(/--reason/);
    expect((await run('units', 'retire', 'DMM-POS-2', '--reason', 'closed')).code).toBe(0);
    const dup = await run('units', 'add', '--branch', 'Riyadh', '--serial', CHAIN_DEVICES[0]!.serial);
    expect(dup.code).toBe(3);
    expect(dup.stderr).toMatch(/already registered.*--replaces/);
    await run('units', 'add', '--branch', 'Riyadh', '--serial', '1-Fawtara|2-POS|3-RUH-009');
    const wrong = await run('units', 'onboard', 'RUH-009', '--otp', '480213', ...zatca());
    expect(wrong.code).toBe(3);
    expect(wrong.stderr).toMatch(/Invalid-OTP.*generate a new one/);
    const noOtp = await run('units', 'onboard', 'RUH-009', ...zatca());
    expect(noOtp.stderr).toMatch(/6-digit OTP/);
  });

  it('a VAT group: the representative onboards a member device, OU = the member TIN', async () => {
    expect(
      (await run('taxpayers', 'add', '--vat', GROUP_VAT, '--vat-group', '--member', '3000000001:Member One', '--name-ar', 'مجموعة', '--name-en', 'Group')).code,
    ).toBe(0);
    const b = CHAIN_BRANCHES[0]!;
    await run(
      'branches',
      'add',
      '--taxpayer',
      GROUP_VAT,
      '--name',
      'HQ',
      '--crn',
      b.crn,
      '--street',
      b.street,
      '--building',
      b.buildingNumber,
      '--district',
      b.district,
      '--city',
      b.city,
      '--postal',
      b.postalCode,
    );
    // Two taxpayers now: a command without --taxpayer says so.
    expect((await run('units', 'list')).stderr).toMatch(/--taxpayer/);
    const noMember = await run('units', 'add', '--taxpayer', GROUP_VAT, '--branch', 'HQ', '--serial', '1-Fawtara|2-POS|3-GRP-1');
    expect(noMember.stderr).toMatch(/member/);
    expect((await run('units', 'add', '--taxpayer', GROUP_VAT, '--branch', 'HQ', '--serial', '1-Fawtara|2-POS|3-GRP-1', '--member', '3000000001')).code).toBe(
      0,
    );
    const [otp] = otps(GROUP_VAT, 1);
    const r = await run('units', 'onboard', 'GRP-1', '--taxpayer', GROUP_VAT, '--otp', otp!, ...zatca(), '--json');
    expect(r.code, r.stdout).toBe(0);
    expect(JSON.parse(r.stdout).unit).toMatchObject({ state: 'active', organizationUnit: '3000000001', memberTin: '3000000001' });
    expect(sim.control.env('simulation').listEgs(GROUP_VAT)[0]).toMatchObject({ organizationUnit: '3000000001', vat: GROUP_VAT });
  });

  // Runs after the single-taxpayer tests: a second taxpayer makes --taxpayer mandatory from here on.
  it('ZATCA unreachable during onboarding: exit 5 (run the same command again), unit unchanged', async () => {
    const vat = '300000000000003';
    expect((await run('taxpayers', 'add', '--vat', vat, '--name-ar', 'اختبار', '--name-en', 'Unreachable Test')).code).toBe(0);
    expect(
      (
        await run(
          'branches',
          'add',
          '--taxpayer',
          vat,
          '--name',
          'Jeddah',
          '--crn',
          '4030000001',
          '--street',
          'King Road',
          '--building',
          '1234',
          '--district',
          'Al-Rawdah',
          '--city',
          'Jeddah',
          '--postal',
          '23434',
        )
      ).code,
    ).toBe(0);
    expect((await run('units', 'add', '--taxpayer', vat, '--branch', 'Jeddah', '--serial', '1-Fawtara|2-POS|3-JED-001')).code).toBe(0);
    // Port 9 (discard) on loopback: nothing listens, the connection is refused at once.
    const r = await run('units', 'onboard', 'JED-001', '--taxpayer', vat, '--otp', '123456', '--zatca', 'http://127.0.0.1:9');
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/ZATCA_UNAVAILABLE/);
    const shown = JSON.parse((await run('units', 'show', 'JED-001', '--taxpayer', vat, '--json')).stdout);
    expect(JSON.stringify(shown)).toMatch(/"state":"new"/);
  });

  it('no key material, CSID secret or OTP in any output, log line or exchange log of the whole run', async () => {
    const fleet = await openFleet({
      store: { dataDir: data, ...(engine === 'postgres' && pgStoreOptions(schema)) },
      zatca: () => createZatcaClient({ baseUrl: sim.url }),
      kek: { protection: 'master-key', key: Buffer.from(masterKey, 'hex') },
    });
    const secrets: string[] = [];
    let exchangeText = '';
    try {
      for (const t of await tenants.listTaxpayers(fleet.store.db)) {
        for (const u of await units.listUnits(fleet.store.db, t.id)) {
          const scope = { taxpayerId: t.id, unitId: u.id };
          for (const csid of await credentials.listCsids(fleet.store.db, scope))
            secrets.push(fleet.vault.open(csid.sealed_secret, secretContext(scope, csid.id)).toString('utf8'));
          for (const csr of await credentials.countCsrs(fleet.store.db, scope)) {
            const row = (await credentials.findKey(fleet.store.db, scope, csr.key_id))!;
            const der = fleet.vault.open(row.sealed_private_key, keyContext(scope, row.id));
            const key = loadPrivateKey(der.toString('base64'));
            const pem = key.key.export({ type: 'pkcs8', format: 'pem' }).toString();
            secrets.push(
              der.toString('base64'),
              der.toString('hex'),
              key.secret.toString('hex'),
              key.secret.toString('base64'),
              ...pem.split('\n').filter((l) => l.length > 20 && !l.startsWith('-----')),
            );
          }
        }
        exchangeText += JSON.stringify(await logs.listExchanges(fleet.store.db, t.id));
      }
    } finally {
      await fleet.store.close();
    }
    expect(secrets.length).toBeGreaterThan(60);
    expect(otpsUsed.length).toBe(8);
    const log = existsSync(`${data}/fawtara.log`) ? readFileSync(`${data}/fawtara.log`, 'utf8') : '';
    expect(log.split('\n').filter((l) => l.includes('zatca exchange')).length).toBeGreaterThan(50);
    expect(exchangeText.length).toBeGreaterThan(1000);
    const haystacks = { output: outputs.map((o) => o.stdout + o.stderr).join('\n'), log, exchangeText };
    for (const [where, text] of Object.entries(haystacks)) {
      for (const s of secrets)
        if (text.includes(s))
          throw new Error(`${where} contains a secret (${s.slice(0, 4)}…): ${text.slice(Math.max(0, text.indexOf(s) - 80), text.indexOf(s) + 20)}`);
      // An OTP is six digits: it counts as leaked where it stands alone, not inside a longer number or id.
      for (const otp of [...otpsUsed, '480213']) expect(text, `${where} contains an OTP`).not.toMatch(new RegExp(`(?<![0-9A-Za-z])${otp}(?![0-9A-Za-z])`));
      expect(text).not.toMatch(/PRIVATE KEY-----\n[A-Za-z0-9+/]/);
    }
  });
});
