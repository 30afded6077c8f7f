// Signing primitives: every backend produces DER ECDSA-secp256k1 signatures over the raw hash
// (docs/zatca-notes.md §6.2) that node:crypto verifies; keys load from every form; key/certificate binding.
import { createHash, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadCertificate } from '../../src/crypto/certificate.js';
import { exportPrivateKeyBareBase64, exportPrivateKeyPem, generatePrivateKey, loadPrivateKey } from '../../src/crypto/keys.js';
import { availableSignerBackends, compactToDer, createSigner, createVerifier } from '../../src/crypto/signer.js';
import { FawtaraError } from '../../src/errors.js';
import { INITIAL_PIH } from '../../src/model/chain.js';
import { readSdk, sdkDir } from '../helpers/sdk.js';
import { signInvoiceXml } from '../../src/stamp/index.js';
import { signedSamples } from '../helpers/sdk.js';
import { readFileSync } from 'node:fs';

describe('signers', () => {
  const key = generatePrivateKey();
  const hash = createHash('sha256').update('invoice').digest();

  for (const backend of availableSignerBackends()) {
    it(`docs/zatca-notes.md §6.2: ${backend} backend signs the 32 raw hash bytes with DER ECDSA-SHA256`, () => {
      const signer = createSigner(key, backend);
      const der = signer.sign(hash);
      expect(der[0]).toBe(0x30);
      expect(der.length).toBeGreaterThanOrEqual(68);
      expect(der.length).toBeLessThanOrEqual(72);
      expect(verify('sha256', hash, { key: key.key, dsaEncoding: 'der' }, der)).toBe(true);
      expect(createVerifier(key.publicKeySpki).verify(hash, der)).toBe(true);
      expect(createVerifier(key.publicKeySpki).verify(createHash('sha256').update('other').digest(), der)).toBe(false);
    });
  }

  it('the native libsecp256k1 backend is available here (the benchmark target needs it)', () => {
    expect(availableSignerBackends()).toContain('native');
  });

  it('compactToDer adds a zero byte before a high bit and strips leading zeros', () => {
    const compact = Buffer.alloc(64);
    compact[0] = 0x80;
    compact[63] = 1;
    const der = compactToDer(compact);
    expect(der.toString('hex')).toBe('3026022100' + '80' + '00'.repeat(31) + '020101');
  });

  it('keys round-trip through PEM SEC1, PEM PKCS#8 and the SDK bare base64 form', () => {
    for (const text of [exportPrivateKeyPem(key), exportPrivateKeyPem(key, 'pkcs8'), exportPrivateKeyBareBase64(key)]) {
      expect(loadPrivateKey(text).publicKeySpki.equals(key.publicKeySpki)).toBe(true);
    }
  });

  it('a key that is not secp256k1 or not a key at all gets a clear INVALID_KEY error', () => {
    expect(() => loadPrivateKey('not a key', 'key.pem')).toThrow(FawtaraError);
    try {
      loadPrivateKey('not a key', 'key.pem');
    } catch (e) {
      expect((e as FawtaraError).code).toBe('INVALID_KEY');
      expect((e as FawtaraError).message).toContain('key.pem');
    }
  });

  it('docs/zatca-notes.md §5: the initial PIH is base64 of the hex SHA-256 of "0"', () => {
    const hex = createHash('sha256').update('0').digest('hex');
    expect(Buffer.from(hex).toString('base64')).toBe(INITIAL_PIH);
  });
});

describe.skipIf(!sdkDir)('SDK test certificate and key', () => {
  it('SDK Data/Certificates: the bare-base64 key and certificate load and belong together', () => {
    const cert = loadCertificate(readSdk('Data', 'Certificates', 'cert.pem'));
    const key = loadPrivateKey(readSdk('Data', 'Certificates', 'ec-secp256k1-priv-key.pem'));
    expect(key.publicKeySpki.equals(cert.publicKeySpki)).toBe(true);
    // binarySecurityToken form (docs/zatca-notes.md §A2.3): base64 of the base64 text.
    const token = Buffer.from(cert.base64).toString('base64');
    expect(loadCertificate(token).der.equals(cert.der)).toBe(true);
    const pem = `-----BEGIN CERTIFICATE-----\n${cert.base64.match(/.{1,64}/g)!.join('\n')}\n-----END CERTIFICATE-----\n`;
    expect(loadCertificate(pem).der.equals(cert.der)).toBe(true);
  });

  it('a key that does not match the certificate is refused before anything is signed', () => {
    const cert = loadCertificate(readSdk('Data', 'Certificates', 'cert.pem'));
    const other = createSigner(generatePrivateKey());
    const xml = readFileSync(signedSamples()[0]!);
    expect(() => signInvoiceXml(xml, { certificate: cert, signer: other })).toThrow(/does not belong to the certificate/);
  });
});
