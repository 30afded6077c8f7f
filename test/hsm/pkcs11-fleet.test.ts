// Issue 16, PKCS#11 units end to end with SoftHSM2 and the simulator, on SQLite and PostgreSQL: a
// mixed fleet onboards (CSR signed by the token), issues documents that verify like sealed ones,
// renews onto a new token key and retires (token objects destroyed); a lost session mid-batch, a
// wrong PIN or a missing token stop issuing with KEY_UNAVAILABLE, write nothing, and issuing resumes.
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { sql } from 'kysely';
import type { PKCS11 } from 'pkcs11js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exitCodeOf } from '../../src/cli/output.js';
import { parseCsr } from '../../src/crypto/csr.js';
import { Pkcs11Token } from '../../src/crypto/pkcs11.js';
import {
  addBranch,
  addTaxpayer,
  addUnit,
  createFleetLogger,
  onboardUnit,
  openFleet,
  Redactor,
  renewUnit,
  resolveUnit,
  retireUnit,
  softwareKeyProvider,
  type FleetContext,
} from '../../src/egs/index.js';
import { fleetKeyProvider, pkcs11SettingsFromEnv, tokenKeyId } from '../../src/egs/pkcs11-keys.js';
import { describeUnit } from '../../src/egs/unit-view.js';
import type { FawtaraError } from '../../src/errors.js';
import { issueDocument } from '../../src/issuing/index.js';
import { drainUnit } from '../../src/outbox/index.js';
import { toHttpError } from '../../src/server/errors.js';
import type { RunningSimulator } from '../../src/simulator/index.js';
import { verifyInvoice } from '../../src/stamp/index.js';
import { credentials, documents, type Branch, type Taxpayer } from '../../src/store/index.js';
import { INITIAL_PIH } from '../../src/model/chain.js';
import { createZatcaClient, simulatorBaseUrl, type FatooraEnv } from '../../src/zatca/index.js';
import { CHAIN_BRANCHES, CHAIN_VAT, ENGINES, otpsFor, startFleetSimulator, storeOptions } from '../egs/helpers.js';
import { saleJson } from '../issuing/helpers.js';
import { SOFTHSM_MISSING, softHsm, type SoftHsm } from '../helpers/softhsm.js';

const TOKEN = 'fawtara-fleet';
const PIN = '24681357';

async function refusal(p: Promise<unknown>): Promise<FawtaraError> {
  try {
    await p;
  } catch (error) {
    return error as FawtaraError;
  }
  throw new Error('expected a refusal');
}

/** The token's failures on demand: the real SoftHSM module behind a switch (a pulled cable, a crashed HSM). */
const fault = { unplugged: false, signsLeft: Number.POSITIVE_INFINITY };
function faultyModule(path: string): PKCS11 {
  const m = createRequire(import.meta.url)('pkcs11js') as typeof import('pkcs11js');
  const real = new m.PKCS11();
  real.load(path);
  try {
    real.C_Initialize({ flags: m.CKF_OS_LOCKING_OK });
  } catch {
    /* initialised by another handle of the same module in this process */
  }
  const removed = (method: string) => new m.Pkcs11Error('CKR_DEVICE_REMOVED', m.CKR_DEVICE_REMOVED, method);
  return new Proxy(real, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        if (fault.unplugged && String(prop).startsWith('C_')) throw removed(String(prop));
        if (prop === 'C_Sign' || prop === 'C_SignAsync') {
          if (fault.signsLeft <= 0) {
            fault.unplugged = true;
            throw removed(String(prop));
          }
          fault.signsLeft--;
        }
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  }) as PKCS11;
}

let hsm: SoftHsm;
beforeAll(() => {
  if (!SOFTHSM_MISSING) hsm = softHsm({ [TOKEN]: PIN });
});
afterAll(() => hsm?.cleanup());

describe.skipIf(SOFTHSM_MISSING).each(ENGINES)('PKCS#11 units on %s (SoftHSM2)', (engine) => {
  let sim: RunningSimulator;
  let ctx: FleetContext;
  let drop: () => Promise<void>;
  let taxpayer: Taxpayer;
  let branch: Branch;
  let pinFile: string;
  let token: Pkcs11Token;
  const logLines: string[] = [];
  let n = 0;
  const sale = (kind: 'simplified' | 'standard' = 'simplified') => saleJson(taxpayer, branch, { number: `HSM-${engine}-${++n}`, kind });
  const issue = (unit: string, kind?: 'simplified' | 'standard') => issueDocument(ctx, taxpayer, unit, sale(kind));
  const keysOf = async (unit: string) => {
    const u = await resolveUnit(ctx, taxpayer, unit);
    return credentials.listKeys(ctx.store.db, { taxpayerId: taxpayer.id, unitId: u.id });
  };
  const chainOf = async (unit: string) => {
    const u = await resolveUnit(ctx, taxpayer, unit);
    return documents.unitChainPage(ctx.store.db, taxpayer.id, u.id, 0, 1000);
  };

  beforeAll(async () => {
    sim = await startFleetSimulator();
    const store = storeOptions(engine);
    drop = store.drop;
    pinFile = join(hsm.dir, `pin-${engine}`);
    writeFileSync(pinFile, `${PIN}\n`, { mode: 0o600 });
    const env = { FAWTARA_PKCS11_MODULE: hsm.module, FAWTARA_PKCS11_TOKEN: TOKEN, FAWTARA_PKCS11_PIN_FILE: pinFile };
    const redactor = new Redactor();
    ctx = await openFleet({
      store: store.options,
      zatca: (e: FatooraEnv) => createZatcaClient({ baseUrl: simulatorBaseUrl(sim.url, e), timeoutMs: 20_000 }),
      clock: sim.control.clock,
      kek: { protection: 'master-key', key: randomBytes(32) },
      redactor,
      logger: createFleetLogger((line) => void logLines.push(line), redactor),
      actor: 'test',
      keys: (vault, r) =>
        fleetKeyProvider(softwareKeyProvider(vault, r), pkcs11SettingsFromEnv(env, r), (s) => (token = new Pkcs11Token(s, faultyModule(s.module)))),
    });
    taxpayer = await addTaxpayer(ctx, { vatNumber: CHAIN_VAT, nameAr: 'مطاعم السلسلة المحدودة', nameEn: 'Chain Restaurants LTD' });
    branch = await addBranch(ctx, taxpayer, CHAIN_BRANCHES[0]!);
  });
  afterAll(async () => {
    token?.close();
    await ctx?.store.close();
    await drop?.();
    await sim?.close();
  });

  it('a mixed fleet onboards against the simulator: the token unit’s key and CSR signature come from the token', async () => {
    await addUnit(ctx, taxpayer, { branch: branch.name, serial: '1-Fawtara|2-HSM|3-H1', name: 'HSM-1', keyProvider: 'pkcs11' });
    await addUnit(ctx, taxpayer, { branch: branch.name, serial: '1-Fawtara|2-POS|3-S1', name: 'SEALED-1' });
    const [otpH, otpS] = otpsFor(sim, CHAIN_VAT, 2);
    expect((await onboardUnit(ctx, taxpayer, 'HSM-1', { otp: otpH! })).unit.state).toBe('active');
    expect((await onboardUnit(ctx, taxpayer, 'SEALED-1', { otp: otpS! })).unit.state).toBe('active');

    const [hsmKey] = await keysOf('HSM-1');
    expect(hsmKey).toMatchObject({
      provider: 'pkcs11',
      sealed_private_key: '',
      token_label: TOKEN,
      key_label: `fawtara/${CHAIN_VAT}/HSM-1/g1/k1`,
      destroyed_at: null,
    });
    const [sealedKey] = await keysOf('SEALED-1');
    expect(sealedKey!.provider).toBe('software');
    expect(sealedKey!.sealed_private_key.startsWith('v1.')).toBe(true);
    // The token's object: sensitive, never extractable; its public half is the one the store and the PCSID hold.
    expect(token.keyAttributes(tokenKeyId(hsmKey!.id))).toMatchObject({ sensitive: true, extractable: false, neverExtractable: true });
    expect(token.publicKeySpki(tokenKeyId(hsmKey!.id)).toString('base64')).toBe(hsmKey!.public_key_spki);
    const hsmUnit = await resolveUnit(ctx, taxpayer, 'HSM-1');
    const csr = (await credentials.countCsrs(ctx.store.db, { taxpayerId: taxpayer.id, unitId: hsmUnit.id }))[0]!;
    const parsed = parseCsr(csr.pem);
    expect(parsed.signatureValid).toBe(true);
    expect(parsed.publicKeySpki?.toString('base64')).toBe(hsmKey!.public_key_spki);
    expect((await describeUnit(ctx, hsmUnit)).keyProvider).toBe('pkcs11');
    expect((await describeUnit(ctx, await resolveUnit(ctx, taxpayer, 'SEALED-1'))).keyProvider).toBe('sealed');
  });

  it('documents signed through the token verify like sealed ones (signature, QR, certificate) and chain by ICV/PIH', async () => {
    const results = await Promise.all([issue('HSM-1'), issue('HSM-1'), issue('SEALED-1'), issue('HSM-1', 'standard'), issue('SEALED-1', 'standard')]);
    for (const r of results) {
      const v = verifyInvoice(r.xml);
      expect(v.checks.filter((c) => c.status === 'fail')).toEqual([]);
      expect(v.ok).toBe(true);
    }
    // ZATCA cleared the standard invoice signed in the token (the simulator checks the signature, KSA rules).
    expect(results[3]!.released).toBe(true);
    const chain = await chainOf('HSM-1');
    expect(chain.map((d) => d.icv)).toEqual([1, 2, 3]);
    for (const [i, d] of chain.entries()) expect(d.pih).toBe(i === 0 ? INITIAL_PIH : chain[i - 1]!.invoice_hash);
  });

  it('the token lost mid-batch: signed documents commit, the rest fail KEY_UNAVAILABLE (exit 5, HTTP 503) with nothing written; issuing resumes', async () => {
    const before = await resolveUnit(ctx, taxpayer, 'HSM-1');
    const sealedBefore = await resolveUnit(ctx, taxpayer, 'SEALED-1');
    fault.signsLeft = 2;
    const settled = await Promise.allSettled([...Array.from({ length: 5 }, () => issue('HSM-1')), issue('SEALED-1')]);
    const failed = settled.filter((s): s is PromiseRejectedResult => s.status === 'rejected').map((s) => s.reason as FawtaraError);
    expect(settled.filter((s) => s.status === 'fulfilled')).toHaveLength(3);
    expect(failed).toHaveLength(3);
    for (const error of failed) {
      expect(error.code).toBe('KEY_UNAVAILABLE');
      expect(error.message).toContain(`"${TOKEN}"`);
      expect(error.messageAr).toBeTruthy();
      expect(exitCodeOf(error)).toBe(5);
      const http = toHttpError(error, 'req-1');
      expect([http.status, http.headers['retry-after'], http.body.error.code]).toEqual([503, '30', 'KEY_UNAVAILABLE']);
    }
    // Exactly the two signed documents were written: no gap, no half-written row, the head moved by two.
    const after = await resolveUnit(ctx, taxpayer, 'HSM-1');
    expect(after.icv).toBe(before.icv + 2);
    expect(await documents.countDocuments(ctx.store.db, taxpayer.id, before.id)).toBe(before.icv + 2);
    // The sealed unit of the same fleet issued meanwhile.
    expect((await resolveUnit(ctx, taxpayer, 'SEALED-1')).icv).toBe(sealedBefore.icv + 1);

    // While the token is away every request stops the same way; when it is back, issuing resumes.
    expect((await refusal(issue('HSM-1'))).code).toBe('KEY_UNAVAILABLE');
    fault.unplugged = false;
    fault.signsLeft = Number.POSITIVE_INFINITY;
    const resumed = await issue('HSM-1');
    expect(resumed.icv).toBe(before.icv + 3);
    const chain = await chainOf('HSM-1');
    expect(chain.map((d) => d.icv)).toEqual(Array.from({ length: before.icv + 3 }, (_, i) => i + 1));
    for (const [i, d] of chain.entries()) expect(d.pih).toBe(i === 0 ? INITIAL_PIH : chain[i - 1]!.invoice_hash);
    expect(verifyInvoice(resumed.xml).ok).toBe(true);
  });

  it('a wrong PIN stops issuing (KEY_UNAVAILABLE naming FAWTARA_PKCS11_PIN, nothing written); the right PIN in the file resumes without a restart', async () => {
    const before = await resolveUnit(ctx, taxpayer, 'HSM-1');
    writeFileSync(pinFile, 'not-the-pin\n');
    // Close every session of the slot, as an HSM restart does: the next signature has to log in again.
    const lib = faultyModule(hsm.module);
    lib.C_CloseAllSessions(lib.C_GetSlotList(true).find((slot) => lib.C_GetTokenInfo(slot).label.trim() === TOKEN)!);
    const error = await refusal(issue('HSM-1'));
    expect(error.code).toBe('KEY_UNAVAILABLE');
    expect(error.field).toBe('FAWTARA_PKCS11_PIN');
    expect(exitCodeOf(error)).toBe(5);
    expect((await resolveUnit(ctx, taxpayer, 'HSM-1')).icv).toBe(before.icv);
    writeFileSync(pinFile, `${PIN}\n`);
    expect((await issue('HSM-1')).icv).toBe(before.icv + 1);
  });

  it('renewal makes the new key in the token and destroys the replaced one; the chain goes on', async () => {
    const before = await resolveUnit(ctx, taxpayer, 'HSM-1');
    const [oldKey] = await keysOf('HSM-1');
    // Renewal first submits what the current certificate signed (docs/fleet.md, renewal drains the queue).
    const r = await renewUnit(ctx, taxpayer, 'HSM-1', { otp: otpsFor(sim, CHAIN_VAT, 1, 'renew')[0]!, drain: async (u) => void (await drainUnit(ctx, u)) });
    expect(r.unit.state).toBe('active');
    const keys = await keysOf('HSM-1');
    expect(keys).toHaveLength(2);
    const pcsid = (await credentials.activeCsid(ctx.store.db, { taxpayerId: taxpayer.id, unitId: before.id }, 'production'))!;
    // Both keys may carry the same created_at under the test clock: tell them apart by id, not by order.
    const renewed = keys.find((k) => k.id !== oldKey!.id)!;
    expect(pcsid.key_id).toBe(renewed.id);
    expect(renewed).toMatchObject({ provider: 'pkcs11', key_label: `fawtara/${CHAIN_VAT}/HSM-1/g1/k2`, destroyed_at: null });
    expect(keys.find((k) => k.id === oldKey!.id)!.destroyed_at).not.toBeNull();
    expect(token.keyAttributes(tokenKeyId(oldKey!.id))).toBeUndefined();
    expect(token.keyAttributes(tokenKeyId(renewed.id))?.extractable).toBe(false);
    const next = await issue('HSM-1');
    expect(next.icv).toBe(before.icv + 1);
    expect(next.pih).toBe(before.pih);
    expect(verifyInvoice(next.xml).ok).toBe(true);
  });

  it('retirement destroys the unit’s token objects; moving a sealed unit into the token is a new unit (generation 2, ICV 0)', async () => {
    await retireUnit(ctx, taxpayer, 'HSM-1', { force: true, reason: 'device returned' });
    const keys = await keysOf('HSM-1');
    expect(keys.every((k) => k.destroyed_at !== null)).toBe(true);
    for (const k of keys) expect(token.keyAttributes(tokenKeyId(k.id))).toBeUndefined();
    expect((await refusal(issue('HSM-1'))).message).toContain('retired');

    await retireUnit(ctx, taxpayer, 'SEALED-1', { force: true, reason: 'moving its key custody to the HSM' });
    const moved = await addUnit(ctx, taxpayer, { branch: branch.name, serial: '1-Fawtara|2-POS|3-S1', replaces: 'SEALED-1', keyProvider: 'pkcs11' });
    expect([moved.generation, moved.icv, moved.key_provider]).toEqual([2, 0, 'pkcs11']);
  });

  it('no key material in the database or the logs: token keys have no envelope, the PIN appears nowhere', async () => {
    const tables = ['unit_keys', 'csrs', 'csids', 'egs_units', 'zatca_exchanges', 'unit_transitions', 'documents'];
    let dump = '';
    for (const table of tables) dump += JSON.stringify((await sql`SELECT * FROM ${sql.table(table)}`.execute(ctx.store.db)).rows);
    dump += logLines.join('\n');
    expect(dump).not.toContain(PIN);
    expect(dump).not.toMatch(/PRIVATE KEY/);
    const keys = await ctx.store.db.selectFrom('unit_keys').selectAll().execute();
    for (const k of keys.filter((k) => k.provider === 'pkcs11')) expect(k.sealed_private_key).toBe('');
    expect(keys.filter((k) => k.sealed_private_key !== '').every((k) => k.provider === 'software')).toBe(true);
  });
});

describe.skipIf(SOFTHSM_MISSING)('PKCS#11 configuration refusals', () => {
  it('a fleet without FAWTARA_PKCS11_MODULE refuses a pkcs11 unit; an absent token fails onboarding with nothing half-written', async () => {
    const sim = await startFleetSimulator();
    const open = (env: Record<string, string>) =>
      openFleet({
        store: { sqliteFile: ':memory:' },
        zatca: (e: FatooraEnv) => createZatcaClient({ baseUrl: simulatorBaseUrl(sim.url, e), timeoutMs: 20_000 }),
        clock: sim.control.clock,
        kek: { protection: 'master-key', key: randomBytes(32) },
        env,
        actor: 'test',
      });
    const plain = await open({});
    try {
      const t = await addTaxpayer(plain, { vatNumber: CHAIN_VAT, nameAr: 'مكلف', nameEn: 'Taxpayer' });
      await addBranch(plain, t, CHAIN_BRANCHES[0]!);
      const error = await refusal(addUnit(plain, t, { branch: CHAIN_BRANCHES[0]!.name, serial: '1-A|2-B|3-C', keyProvider: 'pkcs11' }));
      expect(error.code).toBe('KEY_UNAVAILABLE');
      expect(error.message).toContain('FAWTARA_PKCS11_MODULE');
      expect((await refusal(addUnit(plain, t, { branch: CHAIN_BRANCHES[0]!.name, serial: '1-A|2-B|3-C', keyProvider: 'hsm' }))).field).toBe('keyProvider');
    } finally {
      await plain.store.close();
    }
    const absent = await open({ FAWTARA_PKCS11_MODULE: hsm.module, FAWTARA_PKCS11_TOKEN: 'not-plugged-in', FAWTARA_PKCS11_PIN: PIN });
    try {
      const t = await addTaxpayer(absent, { vatNumber: CHAIN_VAT, nameAr: 'مكلف', nameEn: 'Taxpayer' });
      await addBranch(absent, t, CHAIN_BRANCHES[0]!);
      const u = await addUnit(absent, t, { branch: CHAIN_BRANCHES[0]!.name, serial: '1-A|2-B|3-C', keyProvider: 'pkcs11' });
      const error = await refusal(onboardUnit(absent, t, u.id, { otp: otpsFor(sim, CHAIN_VAT, 1)[0]! }));
      expect(error.code).toBe('KEY_UNAVAILABLE');
      expect(error.message).toContain('"not-plugged-in"');
      const scope = { taxpayerId: t.id, unitId: u.id };
      expect(await credentials.listKeys(absent.store.db, scope)).toEqual([]);
      expect(await credentials.countCsrs(absent.store.db, scope)).toEqual([]);
      expect((await resolveUnit(absent, t, u.id)).state).toBe('new');
    } finally {
      await absent.store.close();
      await sim.close();
    }
  });
});
