// Secrets never leave where they belong: passwords, bearer and setup tokens, OTPs, private keys and
// CSID secrets appear in no response (but the one that hands a token out), no log line, no audit
// row, and nowhere in the database as plaintext — checked over a dump of every table.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyContext, secretContext } from '../../src/egs/key-custody.js';
import { issueSetupToken } from '../../src/server/access/sessions.js';
import type { Store } from '../../src/store/index.js';
import { CHAIN_VAT, otpsFor } from '../egs/helpers.js';
import { SALE, type OnboardedServer } from '../server/onboarded.js';
import { ENGINES, fillRoute, freshAddress, onboardedSecurityServer, PASSWORD, type SecurityServer } from './harness.js';

/** A token's secret: all after its second "_" (base64url may itself contain "_"). */
const secretPart = (token: string) => token.slice(token.indexOf('_', token.indexOf('_') + 1) + 1);

/** Every row of every table as one text (bytes as base64 and hex), to search for plaintext. */
async function dump(store: Store): Promise<string> {
  const tables =
    store.dialect === 'sqlite'
      ? (await sql<{ name: string }>`select name from sqlite_master where type = 'table'`.execute(store.db)).rows.map((r) => r.name)
      : (
          await sql<{ name: string }>`select table_name as name from information_schema.tables where table_schema = current_schema()`.execute(store.db)
        ).rows.map((r) => r.name);
  expect(tables).toContain('users');
  const parts: string[] = [];
  for (const t of tables) {
    const rows = (await sql<Record<string, unknown>>`select * from ${sql.table(t)}`.execute(store.db)).rows;
    parts.push(
      JSON.stringify(rows, (_k, v: unknown) =>
        Buffer.isBuffer(v) || v instanceof Uint8Array ? `${Buffer.from(v).toString('base64')} ${Buffer.from(v).toString('hex')}` : v,
      ),
    );
  }
  return parts.join('\n');
}

describe.each(ENGINES)('secrets on %s', (engine) => {
  let s: SecurityServer & OnboardedServer;
  /** Secret → the answers allowed to carry it (the one that handed it out). */
  const handedOut = new Map<string, number>();
  const passwords = [PASSWORD, 'a fresh passphrase nobody knows', 'the setup admin passphrase'];
  const otps: string[] = [];

  beforeAll(async () => {
    s = await onboardedSecurityServer(engine);
    const hand = (token: string) => handedOut.set(token, (handedOut.get(token) ?? 0) + 1);
    // A session by login, a password change, users and tokens made over the API, a unit onboarded with an OTP.
    const login = await s.call('POST', '/api/v1/auth/login', undefined, { username: 'sec.auditor', password: PASSWORD });
    hand(login.json().token);
    const me = { authorization: `Bearer ${login.json().token}` };
    expect((await s.call('POST', '/api/v1/auth/password', me, { currentPassword: PASSWORD, newPassword: passwords[1] })).statusCode).toBe(200);
    expect((await s.call('POST', '/api/v1/auth/login', undefined, { username: 'sec.auditor', password: 'wrong ' + PASSWORD })).statusCode).toBe(401);
    const device = await s.call('POST', fillRoute('/api/v1/taxpayers/:vat/units/:unit/tokens'), s.callers.tpAdmin, { name: 'till 9' });
    expect(device.statusCode).toBe(201);
    hand(device.json().token);
    const sync = await s.call('POST', fillRoute('/api/v1/taxpayers/:vat/branches/:branch/sync-tokens', { branch: 'Dammam' }), s.callers.tpAdmin, {});
    expect(sync.statusCode).toBe(201);
    hand(sync.json().token);
    expect(
      (await s.call('POST', '/api/v1/users', s.callers.admin, { username: 'sec.new.user', password: passwords[1], role: 'auditor', taxpayer: CHAIN_VAT }))
        .statusCode,
    ).toBe(201);
    const unit = await s.call('POST', fillRoute('/api/v1/taxpayers/:vat/units'), s.callers.tpAdmin, { branch: 'Riyadh', serial: '1-Fawtara|2-POS|3-RUH-077' });
    expect(unit.statusCode, unit.body).toBe(201);
    otps.push(...otpsFor(s.sim, CHAIN_VAT, 1));
    const onboard = await s.call('POST', fillRoute('/api/v1/taxpayers/:vat/units/:unit/onboard', { unit: 'RUH-077' }), s.callers.tpAdmin, { otp: otps[0] });
    expect(onboard.statusCode, onboard.body).toBe(200);
    await s.call('POST', fillRoute('/api/v1/taxpayers/:vat/units'), s.callers.tpAdmin, { branch: 'Riyadh', serial: '1-Fawtara|2-POS|3-RUH-078' });
    otps.push('918273');
    const wrongOtp = await s.call('POST', fillRoute('/api/v1/taxpayers/:vat/units/:unit/onboard', { unit: 'RUH-078' }), s.callers.tpAdmin, { otp: otps[1] });
    expect(wrongOtp.statusCode).toBeGreaterThanOrEqual(400);
    // A sale with the new device token, and the setup path (refused: an administrator exists).
    expect(
      (await s.call('POST', fillRoute('/api/v1/taxpayers/:vat/units/:unit/sales'), { authorization: `Bearer ${device.json().token}` }, SALE)).statusCode,
    ).toBe(201);
    await expect(issueSetupToken(s.ax, 'cli:test')).rejects.toMatchObject({ reason: 'SETUP_DONE' });
    await s.call('POST', '/api/v1/setup', undefined, { setupToken: 'fwsetup_0123456789abcdef_' + 'A'.repeat(43), username: 'x.y.z', password: passwords[2] });
    // Every kind of caller reads something, so their tokens pass through every log path.
    for (const c of Object.values(s.callers)) await s.call('GET', '/api/v1/auth/me', c);
  }, 180_000);
  afterAll(async () => s?.close());

  const secretsOf = async () => {
    const db = s.fleet.store.db;
    const tokens = [...handedOut.keys(), ...Object.values(s.callers).map((c) => c.authorization.slice('Bearer '.length))];
    const keys = await db.selectFrom('unit_keys').selectAll().execute();
    const csids = await db.selectFrom('csids').selectAll().execute();
    const privateKeys = keys.map((k) => s.fleet.vault.open(k.sealed_private_key, keyContext({ taxpayerId: k.taxpayer_id, unitId: k.unit_id }, k.id)));
    const csidSecrets = csids.map((c) =>
      s.fleet.vault.open(c.sealed_secret, secretContext({ taxpayerId: c.taxpayer_id, unitId: c.unit_id }, c.id)).toString('utf8'),
    );
    expect(tokens.length).toBeGreaterThan(10);
    expect(privateKeys.length).toBeGreaterThan(6);
    expect(csidSecrets.length).toBeGreaterThan(6);
    return {
      fullTokens: tokens,
      tokens: [...tokens, ...tokens.map(secretPart)],
      passwords,
      otps,
      // The DER and its base64/hex, and the last 32 bytes (the secp256k1 scalar sits in the DER).
      keys: privateKeys.flatMap((der) => [der.toString('base64'), der.toString('hex'), der.subarray(7, 39).toString('hex')]),
      csidSecrets,
    };
  };

  it('no password, token, OTP, private key or CSID secret in any response but the one that hands a token out', async () => {
    const all = s.responses.join('\n');
    const x = await secretsOf();
    for (const secret of [...x.passwords, ...x.otps, ...x.keys, ...x.csidSecrets]) expect(all.includes(secret), secret.slice(0, 12)).toBe(false);
    for (const token of x.fullTokens) {
      // Its secret part is in no answer but the one that handed the token out.
      const carrying = s.responses.filter((r) => r.includes(secretPart(token))).length;
      expect(carrying, token.slice(0, 12)).toBeLessThanOrEqual(handedOut.get(token) ?? 0);
    }
    expect(all).not.toMatch(/PRIVATE KEY|password_hash|token_hash|scrypt\$/);
  });

  it('none in any log line', async () => {
    const logs = s.logLines.join('\n');
    expect(s.logLines.length).toBeGreaterThan(20);
    const x = await secretsOf();
    for (const secret of [...x.passwords, ...x.otps, ...x.keys, ...x.csidSecrets, ...x.tokens]) expect(logs.includes(secret), secret.slice(0, 12)).toBe(false);
    expect(logs).not.toMatch(/PRIVATE KEY|scrypt\$|fw(s|d|b|setup)_[0-9a-f]{16}_[A-Za-z0-9_-]{43}/);
  });

  it('none in the database as plaintext (audit log included): tokens as SHA-256, passwords as scrypt, keys and secrets sealed', async () => {
    const db = await dump(s.fleet.store);
    const x = await secretsOf();
    for (const secret of [...x.passwords, ...x.otps, ...x.keys, ...x.csidSecrets, ...x.tokens]) expect(db.includes(secret), secret.slice(0, 12)).toBe(false);
    expect(db).not.toMatch(/PRIVATE KEY/);
    expect(db).toMatch(/scrypt\$/);
  });

  it('none in an error answer that echoes input: a password typed as username is not repeated', async () => {
    const r = await s.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: PASSWORD, password: PASSWORD },
      remoteAddress: freshAddress(),
    });
    expect(r.statusCode).toBe(401);
    expect(r.body).not.toContain(PASSWORD);
    expect(JSON.stringify(await dump(s.fleet.store))).not.toContain(PASSWORD);
  });
});
