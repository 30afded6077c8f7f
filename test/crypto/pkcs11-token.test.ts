// Issue 16, the token driver against SoftHSM2: keys generated inside the token stay sensitive and
// non-extractable (the library and opensc's pkcs11-tool say so), the token's signatures verify like
// the sealed path's, destroyed keys are gone, and a wrong PIN, a missing token or a lost session
// each give KEY_UNAVAILABLE or recover — never a crash.
import { createHash, createPublicKey, verify as nodeVerify } from 'node:crypto';
import { createRequire } from 'node:module';
import type { PKCS11 } from 'pkcs11js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE_CSR_CONFIG } from '../../src/crypto/local-identity.js';
import { createCsr, parseCsr } from '../../src/crypto/csr.js';
import { Pkcs11Token, tokenSigner, type Pkcs11Settings } from '../../src/crypto/pkcs11.js';
import { createVerifier } from '../../src/crypto/signer.js';
import { loadCertificate } from '../../src/crypto/certificate.js';
import { createCertificateAuthority, issueCertificate } from '../../src/crypto/x509-issue.js';
import { stampInvoiceAsync, verifyInvoice } from '../../src/stamp/index.js';
import { buildInvoice } from '../../src/ubl/writer.js';
import { scenarioJson, scenarioNames } from '../helpers/scenarios.js';
import { exitCodeOf } from '../../src/cli/output.js';
import type { FawtaraError } from '../../src/errors.js';
import { STATUS_OF_CODE } from '../../src/server/errors.js';
import { listPrivateKeys, PKCS11_TOOL, SOFTHSM_MISSING, softHsm, type SoftHsm } from '../helpers/softhsm.js';

const TOKEN = 'fawtara-token-test';
const PIN = '246810';

function refusal(run: () => unknown): FawtaraError {
  try {
    run();
  } catch (error) {
    return error as FawtaraError;
  }
  throw new Error('expected a refusal');
}

describe.skipIf(SOFTHSM_MISSING)('PKCS#11 token (SoftHSM2)', () => {
  let hsm: SoftHsm;
  let settings: Pkcs11Settings;
  let token: Pkcs11Token;
  const pkcs11 = () => createRequire(import.meta.url)('pkcs11js') as typeof import('pkcs11js');

  beforeAll(() => {
    hsm = softHsm({ [TOKEN]: PIN });
    settings = { module: hsm.module, token: TOKEN, pin: () => PIN };
    token = new Pkcs11Token(settings);
  });
  afterAll(() => {
    token?.close();
    hsm?.cleanup();
  });

  it('generates a secp256k1 key inside the token: CKA_SENSITIVE true, CKA_EXTRACTABLE false, labelled', () => {
    const id = Buffer.from('00112233445566778899aabbccddeeff', 'hex');
    const { publicKeySpki } = token.generateKeyPair('fawtara/300000000000003/POS-1/g1/k1', id);
    // ZATCA requires secp256k1 (ZATCA "Security Features Implementation Standards"; the SDK's ec-secp256k1-priv-key.pem).
    expect(createPublicKey({ key: publicKeySpki, format: 'der', type: 'spki' }).asymmetricKeyDetails?.namedCurve).toBe('secp256k1');
    expect(token.publicKeySpki(id).equals(publicKeySpki)).toBe(true);
    expect(token.keyAttributes(id)).toEqual({
      label: 'fawtara/300000000000003/POS-1/g1/k1',
      sensitive: true,
      extractable: false,
      alwaysSensitive: true,
      neverExtractable: true,
    });
  });

  it.skipIf(!PKCS11_TOOL)("opensc's pkcs11-tool lists the private key as sensitive, never extractable, for signing only", () => {
    const listing = listPrivateKeys(hsm, TOKEN, PIN);
    expect(listing).toMatch(/label:\s+fawtara\/300000000000003\/POS-1\/g1\/k1/);
    const access = /Access:\s*([^\n]*)/.exec(listing)?.[1] ?? '';
    expect(access).toContain('sensitive');
    expect(access).toContain('never extractable');
    expect(access).not.toMatch(/(^|, )extractable/);
    // A signing key only: no ECDH derive, decrypt or unwrap.
    expect(/Usage:\s*([^\n]*)/.exec(listing)?.[1]?.trim()).toBe('sign');
  });

  it('the module refuses to read the private value (CKR_ATTRIBUTE_SENSITIVE)', () => {
    const m = pkcs11();
    const lib = new m.PKCS11();
    lib.load(hsm.module);
    try {
      lib.C_Initialize();
    } catch {
      /* already initialised by the token driver in this process */
    }
    const slot = lib.C_GetSlotList(true).find((s) => lib.C_GetTokenInfo(s).label.trim() === TOKEN)!;
    const session = lib.C_OpenSession(slot, m.CKF_SERIAL_SESSION);
    lib.C_FindObjectsInit(session, [{ type: m.CKA_CLASS, value: m.CKO_PRIVATE_KEY }]);
    const handle = lib.C_FindObjects(session)!;
    lib.C_FindObjectsFinal(session);
    let code: number | undefined;
    try {
      lib.C_GetAttributeValue(session, handle, [{ type: m.CKA_VALUE }]);
    } catch (error) {
      code = (error as { code: number }).code;
    }
    expect(code).toBe(m.CKR_ATTRIBUTE_SENSITIVE);
    lib.C_CloseSession(session);
  });

  it('signs like the sealed path: ECDSA over SHA-256 of the invoice-hash bytes, DER; verifies with createVerifier and node:crypto', () => {
    const id = Buffer.from('0102030405060708090a0b0c0d0e0f10', 'hex');
    const { publicKeySpki } = token.generateKeyPair('parity', id);
    // The signer input of stamp/stamp.ts: the 32 raw invoice-hash bytes (ZATCA "Security Features
    // Implementation Standards", XAdES SignatureValue, as the SDK's signed samples verify);
    // ECDSA-SHA256 hashes them once more.
    const hashBytes = createHash('sha256').update('an invoice body').digest();
    for (let i = 0; i < 20; i++) {
      const der = token.signDigest(id, createHash('sha256').update(hashBytes).digest());
      expect(der[0]).toBe(0x30);
      expect(createVerifier(publicKeySpki).verify(hashBytes, der)).toBe(true);
      expect(nodeVerify('sha256', hashBytes, { key: createPublicKey({ key: publicKeySpki, format: 'der', type: 'spki' }), dsaEncoding: 'der' }, der)).toBe(
        true,
      );
    }
  });

  it('signs a CSR in the token: the request verifies with its own public key', () => {
    const id = Buffer.from('aa02030405060708090a0b0c0d0e0f10', 'hex');
    const { publicKeySpki } = token.generateKeyPair('csr', id);
    const csr = createCsr({ config: EXAMPLE_CSR_CONFIG, privateKey: tokenSigner(token, id, publicKeySpki), environment: 'simulation' });
    const parsed = parseCsr(csr.pem);
    expect(parsed.signatureValid).toBe(true);
    expect(parsed.publicKeyIsSecp256k1).toBe(true);
  });

  it('signs off the event loop as well: concurrent signatures each take a pooled session; a stamp made that way verifies', async () => {
    const id = Buffer.from('dd02030405060708090a0b0c0d0e0f10', 'hex');
    const { publicKeySpki } = token.generateKeyPair('async', id);
    const signer = tokenSigner(token, id, publicKeySpki);
    const messages = Array.from({ length: 16 }, (_, i) => createHash('sha256').update(`document ${i}`).digest());
    const signatures = await Promise.all(messages.map((m) => signer.signAsync!(m)));
    for (const [i, der] of signatures.entries()) expect(createVerifier(publicKeySpki).verify(messages[i]!, der)).toBe(true);
    // The whole stamp through the async path: same hash, signature input and assembly as stampInvoice.
    const authority = createCertificateAuthority();
    const csr = createCsr({ config: EXAMPLE_CSR_CONFIG, privateKey: signer, environment: 'simulation' });
    const now = Date.now();
    const certificate = loadCertificate(
      issueCertificate({ ca: authority, csr: parseCsr(csr.pem), notBefore: new Date(now - 60_000), notAfter: new Date(now + 86_400_000) }).pem,
    );
    const stamped = await stampInvoiceAsync(buildInvoice(scenarioJson(scenarioNames()[0]!)), { certificate, signer });
    expect(verifyInvoice(stamped.xml, { certificate }).ok).toBe(true);
  });

  it('destroys both halves of a key; signing with it afterwards is KEY_UNAVAILABLE (exit 5, HTTP 503)', () => {
    const id = Buffer.from('bb02030405060708090a0b0c0d0e0f10', 'hex');
    token.generateKeyPair('to-destroy', id);
    expect(token.destroyKey(id)).toBe(true);
    expect(token.keyAttributes(id)).toBeUndefined();
    expect(token.destroyKey(id)).toBe(false);
    const error = refusal(() => token.signDigest(id, Buffer.alloc(32, 1)));
    expect(error.code).toBe('KEY_UNAVAILABLE');
    expect(exitCodeOf(error)).toBe(5);
    expect(STATUS_OF_CODE[error.code]).toBe(503);
  });

  it('a lost session (every session closed under it) is reopened: the next signature just works', () => {
    const id = Buffer.from('cc02030405060708090a0b0c0d0e0f10', 'hex');
    const { publicKeySpki } = token.generateKeyPair('session', id);
    const m = pkcs11();
    const lib = new m.PKCS11();
    lib.load(hsm.module);
    try {
      lib.C_Initialize();
    } catch {
      /* shared with the driver */
    }
    const slot = lib.C_GetSlotList(true).find((s) => lib.C_GetTokenInfo(s).label.trim() === TOKEN)!;
    lib.C_CloseAllSessions(slot);
    const message = Buffer.from('after the loss');
    const der = token.signDigest(id, createHash('sha256').update(message).digest());
    expect(createVerifier(publicKeySpki).verify(message, der)).toBe(true);
  });

  it('a wrong PIN is KEY_UNAVAILABLE naming FAWTARA_PKCS11_PIN in English and Arabic, and is not presented twice', () => {
    let pin = 'wrong-pin';
    let logins = 0;
    const m = pkcs11();
    const real = new m.PKCS11();
    real.load(hsm.module);
    // Count logins through a thin wrapper of the real module: an HSM locks a PIN after a few tries.
    const counting = new Proxy(real, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver) as unknown;
        if (prop === 'C_Login') return (...args: unknown[]) => (logins++, (value as (...a: unknown[]) => unknown).apply(target, args));
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    }) as PKCS11;
    // A token object of its own, so it has its own sessions (logging out is per application, so the driver's other token stays logged in).
    const other = new Pkcs11Token({ ...settings, pin: () => pin }, counting);
    other.close();
    real.C_CloseAllSessions(real.C_GetSlotList(true).find((s) => real.C_GetTokenInfo(s).label.trim() === TOKEN)!);
    const lookup = () => other.keyAttributes(Buffer.from('00112233445566778899aabbccddeeff', 'hex'));
    const first = refusal(lookup);
    expect(first.code).toBe('KEY_UNAVAILABLE');
    expect(first.field).toBe('FAWTARA_PKCS11_PIN');
    expect(first.message).toContain('refused the PIN');
    expect(first.messageAr).toContain('PIN');
    const second = refusal(lookup);
    expect(second.code).toBe('KEY_UNAVAILABLE');
    expect(logins).toBe(1);
    pin = PIN;
    expect(lookup()?.sensitive).toBe(true);
    expect(logins).toBe(2);
  });

  it('a token label that is not present is KEY_UNAVAILABLE naming the label and FAWTARA_PKCS11_TOKEN', () => {
    const absent = new Pkcs11Token({ ...settings, token: 'no-such-token' });
    const error = refusal(() => absent.signDigest(Buffer.alloc(16), Buffer.alloc(32)));
    expect(error.code).toBe('KEY_UNAVAILABLE');
    expect(error.message).toContain('"no-such-token"');
    expect(error.message).toContain('FAWTARA_PKCS11_TOKEN');
    expect(error.messageAr).toBeTruthy();
  });
});
