// Issue 16 through the CLI with SoftHSM2: `units add --key-provider pkcs11`, onboarding, `units show`
// naming the provider and the token key's label (never key material), issuing through the token,
// exit 5 with a bilingual message while the token is missing, and the PIN in no output.
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type RunningSimulator } from '../../src/simulator/index.js';
import { cli, scratch, type CliResult } from '../cli/helpers.js';
import { CHAIN_VAT } from '../egs/helpers.js';
import { SOFTHSM_MISSING, softHsm, type SoftHsm } from '../helpers/softhsm.js';
import { saleJson } from '../issuing/helpers.js';

const TOKEN = 'fawtara-cli';
const PIN = 'cli-pin-8642';

describe.skipIf(SOFTHSM_MISSING)('PKCS#11 units through the CLI (SoftHSM2)', () => {
  let sim: RunningSimulator;
  let hsm: SoftHsm;
  const tmp = scratch();
  const saved = { ...process.env };
  const outputs: CliResult[] = [];
  const fleet = async (...args: string[]) => {
    const r = await cli(...args, '--data', tmp.path('data'));
    outputs.push(r);
    return r;
  };
  const run = (...args: string[]) => fleet(...args, '--zatca', sim.url);
  const taxpayer = { vat_number: CHAIN_VAT, name_ar: 'مطاعم السلسلة', name_en: 'Chain Restaurants LTD' } as never;
  const branch = { crn: '1010010001', street: 'Prince Sultan', building_number: '2322', district: 'Al-Murabba', city: 'Riyadh', postal_code: '23333' } as never;
  let n = 0;
  const saleFile = () => {
    const p = tmp.path(`sale-${++n}.json`);
    writeFileSync(p, JSON.stringify(saleJson(taxpayer, branch, { number: `CLI-HSM-${n}` })));
    return p;
  };

  beforeAll(async () => {
    hsm = softHsm({ [TOKEN]: PIN });
    sim = await startSimulator({ port: 0, host: '127.0.0.1', seed: 16 });
    const pinFile = join(hsm.dir, 'pin');
    writeFileSync(pinFile, PIN, { mode: 0o600 });
    Object.assign(process.env, {
      FAWTARA_MASTER_KEY: randomBytes(32).toString('hex'),
      FAWTARA_PKCS11_MODULE: hsm.module,
      FAWTARA_PKCS11_TOKEN: TOKEN,
      FAWTARA_PKCS11_PIN_FILE: pinFile,
    });
    delete process.env.FAWTARA_PKCS11_PIN;
    expect((await fleet('taxpayers', 'add', '--vat', CHAIN_VAT, '--name-ar', 'مطاعم السلسلة', '--name-en', 'Chain Restaurants LTD')).code).toBe(0);
    const b = await fleet(
      ...['branches', 'add', '--name', 'Riyadh', '--crn', '1010010001', '--street', 'Prince Sultan', '--building', '2322'],
      ...['--district', 'Al-Murabba', '--city', 'Riyadh', '--postal', '23333'],
    );
    expect(b.code, b.stderr).toBe(0);
  });
  afterAll(async () => {
    process.env = saved;
    await sim?.close();
    hsm?.cleanup();
    tmp.cleanup();
  });

  it('units add --key-provider pkcs11 → onboard → units show says pkcs11 and the token key label', async () => {
    const add = await fleet('units', 'add', '--branch', 'Riyadh', '--serial', '1-Fawtara|2-HSM|3-CLI', '--name', 'CLI-HSM', '--key-provider', 'pkcs11');
    expect(add.code, add.stderr).toBe(0);
    expect(add.stdout).toContain('keys pkcs11');
    expect((await fleet('units', 'add', '--branch', 'Riyadh', '--serial', '1-Fawtara|2-HSM|3-X', '--key-provider', 'vault')).code).toBe(2);
    const otp = sim.control.env('simulation').generateOtps({ vat: CHAIN_VAT, count: 1, purpose: 'onboard' })[0]!.otp;
    const onboard = await run('units', 'onboard', 'CLI-HSM', '--otp', otp);
    expect(onboard.code, onboard.stderr).toBe(0);
    const show = JSON.parse((await fleet('units', 'show', 'CLI-HSM', '--json')).stdout);
    expect(show.unit.keyProvider).toBe('pkcs11');
    expect(show.keys).toEqual([
      { provider: 'pkcs11', token: TOKEN, label: `fawtara/${CHAIN_VAT}/CLI-HSM/g1/k1`, createdAt: expect.any(String), destroyedAt: null },
    ]);
    expect((await fleet('units', 'show', 'CLI-HSM')).stdout).toContain('key provider: pkcs11');
  });

  it('issue signs in the token; with the token missing it exits 5 (KEY_UNAVAILABLE, English and Arabic) and writes nothing; then resumes', async () => {
    const first = await run('issue', '--unit', 'CLI-HSM', '--input', saleFile(), '--json');
    expect(first.code, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout).document.icv).toBe(1);
    process.env.FAWTARA_PKCS11_TOKEN = 'unplugged-token';
    try {
      const refused = await run('issue', '--unit', 'CLI-HSM', '--input', saleFile());
      expect(refused.code).toBe(5);
      expect(refused.stderr).toContain('KEY_UNAVAILABLE');
      expect(refused.stderr).toContain('"unplugged-token"');
      expect(refused.stderr).toMatch(/[\u0600-\u06FF]/);
    } finally {
      process.env.FAWTARA_PKCS11_TOKEN = TOKEN;
    }
    const next = await run('issue', '--unit', 'CLI-HSM', '--input', saleFile(), '--json');
    expect(next.code, next.stderr).toBe(0);
    expect(JSON.parse(next.stdout).document.icv).toBe(2);
  });

  it('the PIN appears in no output', () => {
    for (const o of outputs) {
      expect(o.stdout).not.toContain(PIN);
      expect(o.stderr).not.toContain(PIN);
    }
  });
});
