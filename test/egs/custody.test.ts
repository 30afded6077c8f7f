// Key custody: the KEK from FAWTARA_MASTER_KEY or a passphrase (scrypt), refusal of an unprotected
// store outside tests, keys and CSID secrets encrypted at rest and bound to their unit, a certificate
// used only by its own unit, and the KeyProvider seam a PKCS#11 module would fill.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPrivateKey } from '../../src/crypto/keys.js';
import {
  addBranch,
  addTaxpayer,
  addUnit,
  bindCertificateToUnit,
  kekSourceFromEnv,
  onboardUnit,
  openFleet,
  openKeyVault,
  parseMasterKey,
  resolveUnit,
  softwareKeyProvider,
  unitSigning,
  type FleetError,
  type KeyProvider,
} from '../../src/egs/index.js';
import { keyContext, secretContext } from '../../src/egs/key-custody.js';
import type { RunningSimulator } from '../../src/simulator/index.js';
import { credentials, openStore, type Taxpayer } from '../../src/store/index.js';
import { createZatcaClient, simulatorBaseUrl, type FatooraEnv } from '../../src/zatca/index.js';
import { CHAIN_BRANCHES, CHAIN_VAT, otpsFor, startFleetSimulator } from './helpers.js';

async function rejection(p: Promise<unknown> | (() => unknown)): Promise<FleetError> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (error) {
    return error as FleetError;
  }
  throw new Error('expected a refusal');
}

const dir = mkdtempSync(join(tmpdir(), 'fawtara-custody-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the key-encryption key', () => {
  it('refuses to start unprotected unless the named test/dev option is set', async () => {
    expect((await rejection(() => kekSourceFromEnv({}))).reason).toBe('KEY_STORE');
    expect((await rejection(() => kekSourceFromEnv({}))).message).toMatch(/FAWTARA_MASTER_KEY.*FAWTARA_DEV_UNPROTECTED_KEYS=1/);
    expect(kekSourceFromEnv({ FAWTARA_DEV_UNPROTECTED_KEYS: '1' })).toEqual({ protection: 'unprotected' });
    const key = randomBytes(32);
    expect(kekSourceFromEnv({ FAWTARA_MASTER_KEY: key.toString('hex') })).toEqual({ protection: 'master-key', key });
    expect(parseMasterKey(key.toString('base64'))).toEqual(key);
    expect((await rejection(() => parseMasterKey(randomBytes(31).toString('base64')))).field).toBe('FAWTARA_MASTER_KEY');
    expect((await rejection(() => kekSourceFromEnv({ FAWTARA_KEY_PASSPHRASE: 'short' }))).field).toBe('FAWTARA_KEY_PASSPHRASE');
  });

  it('a store opens only with the protection and key it was created with (scrypt salt stored)', async () => {
    const store = await openStore({ sqliteFile: join(dir, 'kek.db') });
    try {
      const at = new Date();
      const vault = await openKeyVault(store.db, { protection: 'passphrase', passphrase: 'correct horse battery staple' }, at);
      const sealed = vault.seal(Buffer.from('hello'), 'ctx');
      const again = await openKeyVault(store.db, { protection: 'passphrase', passphrase: 'correct horse battery staple' }, at);
      expect(again.open(sealed, 'ctx').toString()).toBe('hello');
      expect((await rejection(() => again.open(sealed, 'other-context'))).reason).toBe('KEY_STORE');
      expect((await rejection(openKeyVault(store.db, { protection: 'passphrase', passphrase: 'wrong horse battery staple' }, at))).reason).toBe('KEY_STORE');
      expect((await rejection(openKeyVault(store.db, { protection: 'master-key', key: randomBytes(32) }, at))).message).toMatch(/FAWTARA_KEY_PASSPHRASE/);
      expect((await rejection(openKeyVault(store.db, { protection: 'unprotected' }, at))).reason).toBe('KEY_STORE');
    } finally {
      await store.close();
    }
  });
});

describe('keys and certificates of units', () => {
  let sim: RunningSimulator;
  const masterKey = randomBytes(32);
  const signCalls: string[] = [];
  // A stand-in for a PKCS#11 provider: same interface, counts who signs.
  const recordingProvider = (...args: Parameters<typeof softwareKeyProvider>): KeyProvider => {
    const inner = softwareKeyProvider(...args);
    return {
      name: 'recording',
      generateKey: (db, scope, at) => inner.generateKey(db, scope, at),
      createCsr: (db, scope, keyId, config, environment) => inner.createCsr(db, scope, keyId, config, environment),
      signer: async (db, scope, keyId) => {
        signCalls.push(scope.unitId);
        return inner.signer(db, scope, keyId);
      },
    };
  };
  const open = () =>
    openFleet({
      store: { sqliteFile: join(dir, 'units.db') },
      zatca: (e: FatooraEnv) => createZatcaClient({ baseUrl: simulatorBaseUrl(sim.url, e) }),
      clock: sim.control.clock,
      kek: { protection: 'master-key', key: masterKey },
      keys: recordingProvider,
      actor: 'test',
    });
  let taxpayer: Taxpayer;

  beforeAll(async () => {
    sim = await startFleetSimulator();
    const ctx = await open();
    taxpayer = await addTaxpayer(ctx, { vatNumber: CHAIN_VAT, nameAr: 'مطاعم', nameEn: 'Restaurants LTD' });
    await addBranch(ctx, taxpayer, CHAIN_BRANCHES[0]!);
    for (const n of ['A', 'B']) {
      await addUnit(ctx, taxpayer, { branch: 'Riyadh', serial: `1-Fawtara|2-POS|3-${n}`, title: '0100' });
      await onboardUnit(ctx, taxpayer, n, { otp: otpsFor(sim, CHAIN_VAT, 1)[0]! });
    }
    await ctx.store.close();
  });
  afterAll(async () => {
    await sim?.close();
  });

  it('keys and CSID secrets are encrypted at rest: the database files hold none of them', async () => {
    const ctx = await open();
    const secrets: Buffer[] = [];
    try {
      for (const name of ['A', 'B']) {
        const unit = await resolveUnit(ctx, taxpayer, name);
        const scope = { taxpayerId: taxpayer.id, unitId: unit.id };
        for (const csid of await credentials.listCsids(ctx.store.db, scope)) {
          const secret = ctx.vault.open(csid.sealed_secret, secretContext(scope, csid.id));
          secrets.push(secret);
          const keyRow = (await credentials.findKey(ctx.store.db, scope, csid.key_id))!;
          const der = ctx.vault.open(keyRow.sealed_private_key, keyContext(scope, keyRow.id));
          const key = loadPrivateKey(der.toString('base64'));
          secrets.push(der, key.secret, Buffer.from(key.secret.toString('hex')), Buffer.from(der.toString('base64')));
        }
      }
    } finally {
      await ctx.store.close();
    }
    expect(secrets.length).toBeGreaterThan(8);
    const files = readdirSync(dir).filter((f) => f.startsWith('units.db'));
    const bytes = Buffer.concat(files.map((f) => readFileSync(join(dir, f))));
    for (const s of secrets) expect(bytes.includes(s)).toBe(false);
  });

  it('a sealed key moved to another unit does not open; a certificate is used only by its own unit', async () => {
    const ctx = await open();
    try {
      const a = await resolveUnit(ctx, taxpayer, 'A');
      const b = await resolveUnit(ctx, taxpayer, 'B');
      const pcsidB = (await credentials.activeCsid(ctx.store.db, { taxpayerId: taxpayer.id, unitId: b.id }, 'production'))!;
      // B's certificate from A: refused by id, and by the certificate itself.
      expect((await rejection(unitSigning(ctx, taxpayer, 'A', { csidId: pcsidB.id }))).reason).toBe('CERTIFICATE_NOT_OF_UNIT');
      const signingB = await unitSigning(ctx, taxpayer, 'B');
      expect((await rejection(() => bindCertificateToUnit(a, signingB.certificate))).reason).toBe('CERTIFICATE_NOT_OF_UNIT');
      // Copy B's sealed key into A's key row: the envelope is bound to B and will not open for A.
      const pcsidA = (await credentials.activeCsid(ctx.store.db, { taxpayerId: taxpayer.id, unitId: a.id }, 'production'))!;
      const keyB = (await credentials.findKey(ctx.store.db, { taxpayerId: taxpayer.id, unitId: b.id }, pcsidB.key_id))!;
      await ctx.store.db.updateTable('unit_keys').set({ sealed_private_key: keyB.sealed_private_key }).where('id', '=', pcsidA.key_id).execute();
      expect((await rejection(unitSigning(ctx, taxpayer, 'A'))).reason).toBe('KEY_STORE');
      // The key provider seam was used for every signature.
      expect(signCalls).toContain(b.id);
    } finally {
      await ctx.store.close();
    }
  });
});
