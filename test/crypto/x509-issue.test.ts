// The simulator's CA: certificates issued from CSRs in the profiles of ZATCA's PCSID and CCSID
// (docs/zatca-notes.md §8 "Issued certificates", docs/zatca-notes.md §A6), checked with node:crypto and our own loader.
import { generateKeyPairSync, sign, verify, X509Certificate } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import {
  BasicConstraints,
  Certificate,
  ExtendedKeyUsage,
  KeyUsage,
  KeyUsageFlags,
  id_ce_authorityKeyIdentifier,
  id_ce_basicConstraints,
  id_ce_extKeyUsage,
  id_ce_keyUsage,
  id_ce_subjectAltName,
  id_ce_subjectKeyIdentifier,
} from '@peculiar/asn1-x509';
import { describe, expect, it } from 'vitest';
import { loadCertificate } from '../../src/crypto/certificate.js';
import type { CsrConfig } from '../../src/crypto/csr-config.js';
import { createCsr, describeName, parseCsr } from '../../src/crypto/csr.js';
import { generatePrivateKey } from '../../src/crypto/keys.js';
import {
  createCertificateAuthority,
  createSigningCertificate,
  DEFAULT_CA_SUBJECT,
  exportCertificateAuthority,
  issueCertificate,
  loadCertificateAuthority,
} from '../../src/crypto/x509-issue.js';
import { FawtaraError } from '../../src/errors.js';
import { EXAMPLE_EN } from '../helpers/csr-examples.js';

const NOW = new Date('2025-01-10T13:11:54Z');
const FIVE_YEARS = new Date('2030-01-09T21:00:00Z');

function errorOf(fn: () => unknown): FawtaraError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(FawtaraError);
    return error as FawtaraError;
  }
  throw new Error('expected a FawtaraError');
}

function extensionsOf(der: Buffer): Array<{ oid: string; critical: boolean; value: Buffer }> {
  const cert = AsnConvert.parse(der, Certificate);
  return (cert.tbsCertificate.extensions ?? []).map((e) => ({ oid: e.extnID, critical: e.critical, value: Buffer.from(e.extnValue.buffer) }));
}

describe('certificate authority for the simulator', () => {
  it('createCertificateAuthority: self-signed secp256k1 CA with DC components in its name', () => {
    const ca = createCertificateAuthority({ now: NOW, validityDays: 365 });
    expect(ca.name).toBe(DEFAULT_CA_SUBJECT);
    expect(ca.certificate.ca).toBe(true);
    expect(ca.certificate.verify(ca.certificate.publicKey)).toBe(true);
    expect(ca.certificate.checkPrivateKey(ca.privateKey)).toBe(true);
    expect(ca.certificate.publicKey.asymmetricKeyDetails?.namedCurve).toBe('secp256k1');
    expect(new Date(ca.certificate.validFrom).toISOString()).toBe(NOW.toISOString());
    expect(new Date(ca.certificate.validTo).getTime() - NOW.getTime()).toBe(365 * 86_400_000);
  });

  it('a ZATCA-shaped issuer name round-trips into ds:X509IssuerName form; DC is IA5String (docs/zatca-notes.md §8 test cert issuer)', () => {
    const ca = createCertificateAuthority({ subject: 'CN=PRZEINVOICESCA4-CA, DC=extgazt, DC=gov, DC=local', now: NOW });
    expect(ca.name).toBe('CN=PRZEINVOICESCA4-CA, DC=extgazt, DC=gov, DC=local');
    const subject = describeName(AsnConvert.parse(ca.der, Certificate).tbsCertificate.subject);
    // DER order is least specific first, as in ZATCA's certificate.
    expect(subject.map(([a]) => [a!.oid, a!.value, a!.stringType])).toEqual([
      ['0.9.2342.19200300.100.1.25', 'local', 'ia5String'],
      ['0.9.2342.19200300.100.1.25', 'gov', 'ia5String'],
      ['0.9.2342.19200300.100.1.25', 'extgazt', 'ia5String'],
      ['2.5.4.3', 'PRZEINVOICESCA4-CA', 'printableString'],
    ]);
  });

  it('export → load keeps the CA usable; a foreign key is refused with KEY_CERT_MISMATCH', () => {
    const ca = createCertificateAuthority({ now: NOW });
    const stored = exportCertificateAuthority(ca);
    expect(stored.certificatePem).toMatch(/^-----BEGIN CERTIFICATE-----\n/);
    expect(stored.privateKeyPem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    const loaded = loadCertificateAuthority(stored);
    expect(loaded.der.equals(ca.der)).toBe(true);
    expect(loaded.name).toBe(ca.name);

    const other = createCertificateAuthority({ now: NOW });
    const error = errorOf(() =>
      loadCertificateAuthority({ certificatePem: stored.certificatePem, privateKeyPem: exportCertificateAuthority(other).privateKeyPem }),
    );
    expect(error.code).toBe('KEY_CERT_MISMATCH');
  });

  it('an issuing CA under a root, and a leaf from it, chain up (AKI = issuer SKI)', () => {
    const root = createCertificateAuthority({ subject: 'CN=FAWTARA-ROOT-CA, DC=fawtara, DC=local', now: NOW });
    const issuing = createCertificateAuthority({
      subject: 'CN=FAWTARA-ISSUING-CA, DC=fawtara, DC=local',
      issuer: root,
      now: NOW,
      notAfter: FIVE_YEARS,
      serialNumber: 42n,
    });
    expect(issuing.certificate.ca).toBe(true);
    expect(issuing.certificate.checkIssued(root.certificate)).toBe(true);
    expect(issuing.certificate.verify(root.certificate.publicKey)).toBe(true);
    expect(issuing.certificate.issuer).toBe(root.certificate.subject);
    expect(new Date(issuing.certificate.validTo).toISOString()).toBe(FIVE_YEARS.toISOString());
    expect(BigInt('0x' + issuing.certificate.serialNumber)).toBe(42n);
    const rootSki = extensionsOf(root.der).find((e) => e.oid === id_ce_subjectKeyIdentifier)!.value;
    const aki = extensionsOf(issuing.der).find((e) => e.oid === id_ce_authorityKeyIdentifier)!.value;
    expect(aki.includes(rootSki.subarray(2))).toBe(true);
  });

  it('createSigningCertificate: a key with an end-entity certificate (the platform stamp), usable by loadCertificate', () => {
    const ca = createCertificateAuthority({ now: NOW });
    const stamp = createSigningCertificate({ subject: 'CN=FAWTARA-SIMULATOR-STAMP', issuer: ca, now: NOW, validityDays: 30 });
    expect(stamp.certificate.ca).toBe(false);
    expect(stamp.certificate.verify(ca.certificate.publicKey)).toBe(true);
    expect(stamp.certificate.checkPrivateKey(stamp.privateKey)).toBe(true);
    expect(loadCertificate(stamp.pem).issuerName).toBe(DEFAULT_CA_SUBJECT);
    expect(AsnConvert.parse(extensionsOf(stamp.der).find((e) => e.oid === id_ce_keyUsage)!.value, KeyUsage).toNumber()).toBe(KeyUsageFlags.digitalSignature);
  });

  it('bad subjects and validity are refused, naming the option', () => {
    expect(errorOf(() => createCertificateAuthority({ subject: 'XX=nope' })).field).toBe('subject');
    expect(errorOf(() => createCertificateAuthority({ validityDays: 0 })).field).toBe('validityDays');
    expect(errorOf(() => createCertificateAuthority({ now: NOW, notAfter: NOW })).field).toBe('notAfter');
    expect(errorOf(() => createCertificateAuthority({ serialNumber: -1n })).field).toBe('serialNumber');
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    expect(errorOf(() => createCertificateAuthority({ privateKey })).code).toBe('INVALID_KEY');
  });
});

describe('issued certificates (docs/zatca-notes.md §8 "Issued certificates", docs/zatca-notes.md §A6)', () => {
  const ca = createCertificateAuthority({ subject: 'CN=PRZEINVOICESCA4-CA, DC=extgazt, DC=gov, DC=local', now: NOW });
  const egsKey = generatePrivateKey();
  const csr = parseCsr(createCsr({ config: EXAMPLE_EN, privateKey: egsKey, environment: 'simulation' }).base64Pem);

  it('production profile (PCSID): verifies against the CA, loads with loadCertificate, carries the EGS key', () => {
    const issued = issueCertificate({ ca, csr, notBefore: NOW, notAfter: FIVE_YEARS });
    expect(new X509Certificate(issued.der).verify(ca.certificate.publicKey)).toBe(true);
    expect(issued.x509.checkIssued(ca.certificate)).toBe(true);

    const loaded = loadCertificate(issued.pem);
    expect(loaded.der.equals(issued.der)).toBe(true);
    expect(loaded.issuerName).toBe('CN=PRZEINVOICESCA4-CA, DC=extgazt, DC=gov, DC=local');
    expect(loaded.serialNumber).toBe(issued.serialNumber.toString(10));
    expect(loaded.publicKeySpki.equals(egsKey.publicKeySpki)).toBe(true);
    expect(csr.publicKeyCurve).toBe('secp256k1');
    expect(loaded.notBefore.toISOString()).toBe(NOW.toISOString());
    expect(loaded.notAfter.toISOString()).toBe(FIVE_YEARS.toISOString());
    // The gateway's binarySecurityToken form loads too (docs/zatca-notes.md §A2.3).
    expect(loadCertificate(issued.binarySecurityToken).der.equals(issued.der)).toBe(true);
    expect(loadCertificate(issued.base64).der.equals(issued.der)).toBe(true);
  });

  it('production profile: subject C, O, OU, CN; SAN dirName byte-identical to the CSR; keyUsage digitalSignature critical; EKU codeSigning + clientAuth', () => {
    const issued = issueCertificate({ ca, csr, notBefore: NOW, notAfter: FIVE_YEARS });
    expect(issued.x509.subject.split('\n')).toEqual(['C=SA', 'O=Maximum Speed Tech Supply LTD', 'OU=Riyadh Branch', 'CN=TST-886431145-399999999900003']);
    const extensions = extensionsOf(issued.der);
    expect(extensions.map((e) => [e.oid, e.critical])).toEqual([
      [id_ce_subjectAltName, false],
      [id_ce_subjectKeyIdentifier, false],
      [id_ce_authorityKeyIdentifier, false],
      [id_ce_keyUsage, true],
      [id_ce_extKeyUsage, false],
    ]);
    expect(extensions[0]!.value.equals(csr.subjectAlternativeNameDer!)).toBe(true);
    expect(AsnConvert.parse(extensions[3]!.value, KeyUsage).toNumber()).toBe(KeyUsageFlags.digitalSignature);
    expect([...AsnConvert.parse(extensions[4]!.value, ExtendedKeyUsage)]).toEqual(['1.3.6.1.5.5.7.3.3', '1.3.6.1.5.5.7.3.2']);
    expect(issued.x509.keyUsage).toEqual(['1.3.6.1.5.5.7.3.3', '1.3.6.1.5.5.7.3.2']);
    expect(issued.x509.ca).toBe(false);
    expect(AsnConvert.parse(issued.der, Certificate).signatureAlgorithm.algorithm).toBe('1.2.840.10045.4.3.2');
  });

  it('compliance profile (CCSID): subject as in the CSR (C, OU, O, CN), basicConstraints CA:FALSE critical, SAN', () => {
    const issued = issueCertificate({ ca, csr, notBefore: NOW, notAfter: FIVE_YEARS, profile: 'compliance', serialNumber: BigInt(NOW.getTime()) });
    expect(issued.x509.verify(ca.certificate.publicKey)).toBe(true);
    expect(issued.x509.subject.split('\n')).toEqual(['C=SA', 'OU=Riyadh Branch', 'O=Maximum Speed Tech Supply LTD', 'CN=TST-886431145-399999999900003']);
    const extensions = extensionsOf(issued.der);
    expect(extensions.map((e) => [e.oid, e.critical])).toEqual([
      [id_ce_basicConstraints, true],
      [id_ce_subjectAltName, false],
    ]);
    expect(AsnConvert.parse(extensions[0]!.value, BasicConstraints).cA).toBe(false);
    expect(loadCertificate(issued.pem).serialNumber).toBe(String(NOW.getTime()));
  });

  it('an invoice signature made with the EGS key verifies with the issued certificate (what XAdES relies on)', () => {
    const issued = issueCertificate({ ca, csr, notBefore: NOW, notAfter: FIVE_YEARS });
    const digest = Buffer.alloc(32, 7);
    const signature = sign('sha256', digest, egsKey.key);
    expect(verify('sha256', digest, issued.x509.publicKey, signature)).toBe(true);
  });

  it('serial numbers: random by default (positive, distinct), explicit ones kept, high bit handled', () => {
    const a = issueCertificate({ ca, csr, notBefore: NOW, notAfter: FIVE_YEARS });
    const b = issueCertificate({ ca, csr, notBefore: NOW, notAfter: FIVE_YEARS });
    expect(a.serialNumber).not.toBe(b.serialNumber);
    expect(a.serialNumber > 0n).toBe(true);
    const high = issueCertificate({ ca, csr, notBefore: NOW, notAfter: FIVE_YEARS, serialNumber: 0xff_00_00n });
    expect(loadCertificate(high.pem).serialNumber).toBe(String(0xff_00_00));
    expect(errorOf(() => issueCertificate({ ca, csr, notBefore: NOW, notAfter: FIVE_YEARS, serialNumber: 0n })).field).toBe('serialNumber');
  });

  it('Arabic names are carried as UTF8String and the certificate still loads', () => {
    const config: CsrConfig = { ...EXAMPLE_EN, organizationUnitName: 'فرع الرياض', organizationName: 'شركة توريد التكنولوجيا' };
    const arabicCsr = parseCsr(createCsr({ config, privateKey: egsKey, environment: 'production' }).pem);
    const issued = issueCertificate({ ca, csr: arabicCsr, notBefore: NOW, notAfter: FIVE_YEARS });
    const subject = describeName(AsnConvert.parse(issued.der, Certificate).tbsCertificate.subject);
    expect(subject.map(([a]) => [a!.value, a!.stringType])).toEqual([
      ['SA', 'printableString'],
      ['شركة توريد التكنولوجيا', 'utf8String'],
      ['فرع الرياض', 'utf8String'],
      ['TST-886431145-399999999900003', 'printableString'],
    ]);
    expect(loadCertificate(issued.pem).x509.verify(ca.certificate.publicKey)).toBe(true);
  });

  it('refuses a CSR whose key is not secp256k1', () => {
    expect(errorOf(() => issueCertificate({ ca, csr: { ...csr, publicKeyIsSecp256k1: false }, notBefore: NOW, notAfter: FIVE_YEARS })).field).toBe('csr');
  });

  it('refuses a CSR whose signature does not verify, and validity that ends before it starts', () => {
    const der = Buffer.from(csr.der);
    der[der.indexOf(Buffer.from('Riyadh'))] = 'r'.charCodeAt(0);
    const tampered = parseCsr(der);
    expect(errorOf(() => issueCertificate({ ca, csr: tampered, notBefore: NOW, notAfter: FIVE_YEARS })).field).toBe('csr');
    expect(errorOf(() => issueCertificate({ ca, csr, notBefore: FIVE_YEARS, notAfter: NOW })).field).toBe('notAfter');
  });
});
