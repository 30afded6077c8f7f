// What verification reports: ZATCA's own per-tag QR codes (docs/zatca-notes.md §A10), every
// check that can still be evaluated with a certificate ZATCA would refuse, and an empty skeleton.
import { sign as nodeSign, createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCertificate } from '../../src/crypto/certificate.js';
import type { Signer } from '../../src/crypto/signer.js';
import { decodeTlv, encodeTlv } from '../../src/qr/tlv.js';
import { formatReport, toValidationResults, validateInvoice } from '../../src/rules/index.js';
import { signInvoiceXml, verifyInvoice } from '../../src/stamp/index.js';
import { readAttachment } from '../../src/stamp/read.js';
import { parseInvoiceXml } from '../../src/xml/parse.js';
import { repoRoot, SDK_MISSING_MESSAGE, signedSamples } from '../helpers/sdk.js';

const simplified = signedSamples().find((f) => f.endsWith('Simplified_Invoice.xml'));
const standard = signedSamples().find((f) => f.endsWith('Standard_Invoice.xml'));

/** The QR of `xml` with `edit` applied to its tags; the QR is outside the invoice hash, so the signature stays valid. */
function withQrTags(xml: string, edit: (tags: Map<number, Buffer>) => void): string {
  const qr = readAttachment(parseInvoiceXml(xml), 'QR')!.text.trim();
  const tags = decodeTlv(qr).tags;
  edit(tags);
  return xml.replace(qr, encodeTlv(tags).toString('base64'));
}

function failed(xml: string): string[] {
  return verifyInvoice(xml)
    .checks.filter((c) => c.status === 'fail')
    .map((c) => `${c.id}:${c.code}`);
}

/** A signer with any key node:crypto holds (ECDSA P-256, RSA): what `sign` would do with such a certificate. */
function fixtureSigner(name: 'p256' | 'rsa') {
  const dir = join(repoRoot, 'test', 'fixtures', 'certs');
  const certificate = loadCertificate(readFileSync(join(dir, `${name}-cert.pem`)), name, { anyKey: true });
  const key = createPrivateKey(readFileSync(join(dir, `${name}-key.pem`)));
  const signer: Signer = { backend: 'node', publicKeySpki: certificate.publicKeySpki, sign: (h) => nodeSign('sha256', h, { key, dsaEncoding: 'der' }) };
  return { certificate, signer };
}

describe.skipIf(!simplified || !standard)(`ZATCA's codes for QR findings${simplified ? '' : ` (${SDK_MISSING_MESSAGE})`}`, () => {
  it('each tag mismatch carries the per-tag code of the error catalogue (docs/zatca-notes.md §A10.3, category QRCODE_VALIDATION)', () => {
    const xml = readFileSync(simplified!, 'utf8');
    expect(failed(xml)).toEqual([]);
    const cases: Array<[number, string, string]> = [
      [1, 'qr-tag-1', 'sellerName_QRCODE_INVALID'],
      [2, 'qr-tag-2', 'QRCODE_INVALID'],
      [3, 'qr-tag-3', 'invoiceTimeStamp_QRCODE_INVALID'],
      [4, 'qr-tag-4', 'QRCODE_INVALID'],
      [5, 'qr-tag-5', 'QRCODE_INVALID'],
      [6, 'qr-tag-6', 'invoiceHash_QRCODE_INVALID'],
      [7, 'qr-tag-7', 'QRCODE_INVALID'],
      [8, 'qr-tag-8', 'publicKey_QRCODE_INVALID'],
      [9, 'qr-tag-9', 'CERTIFICATE_SIGNATURE_QRCODE_INVALID'],
    ];
    for (const [tag, id, code] of cases) {
      const changed = withQrTags(xml, (tags) => tags.set(tag, Buffer.concat([tags.get(tag)!.subarray(0, -1), Buffer.from('0')])));
      expect(failed(changed), `tag ${tag}`).toEqual([`${id}:${code}`]);
      const finding = verifyInvoice(changed).checks.find((c) => c.id === id)!;
      expect(finding.messageAr, `tag ${tag}`).toMatch(/[\u0600-\u06ff]/);
      // The report and ZATCA's validationResults name the same code.
      const report = validateInvoice(changed, { layers: ['QR'] });
      expect(report.errors.map((e) => e.id)).toEqual([code]);
      expect(toValidationResults(report).errorMessages.map((m) => m.code)).toEqual([code]);
    }
    // A QR that is no TLV at all stays QRCODE_INVALID (format message).
    expect(failed(xml.replace(readAttachment(parseInvoiceXml(xml), 'QR')!.text.trim(), 'AQ=='))).toContain('qr-format:QRCODE_INVALID');
  });

  it('an XSD failure is XSD_ZATCA_INVALID in the text report and in --json validationResults alike', () => {
    const xml = readFileSync(standard!, 'utf8').replace('<cbc:ProfileID>', '<cbc:Unknown>x</cbc:Unknown><cbc:ProfileID>');
    const report = validateInvoice(xml, { layers: ['XSD'] });
    expect(report.errors.map((e) => e.id)).toEqual(['XSD_ZATCA_INVALID']);
    expect(formatReport(report)).toContain('ERROR : [XSD] XSD_ZATCA_INVALID');
    expect(toValidationResults(report).errorMessages.map((m) => m.code)).toEqual(['XSD_ZATCA_INVALID']);
  });
});

describe.skipIf(!simplified)(`every check that can be evaluated is reported${simplified ? '' : ` (${SDK_MISSING_MESSAGE})`}`, () => {
  it('a P-256 certificate (not ZATCA curve): a warning, and the signature and QR tags 8/9 are checked with its key (as the team oracle does)', () => {
    const { certificate, signer } = fixtureSigner('p256');
    const stamped = signInvoiceXml(readFileSync(simplified!), { certificate, signer });
    const checks = verifyInvoice(stamped.xml).checks;
    const status = (id: string) => checks.find((c) => c.id === id)?.status;
    expect(status('certificate')).toBe('warn');
    expect(checks.find((c) => c.id === 'certificate')!.message).toMatch(/prime256v1|P-256/);
    expect([status('signature'), status('qr-tag-8'), status('qr-tag-9'), status('certificate-serial'), status('certificate-issuer')]).toEqual([
      'pass',
      'pass',
      'pass',
      'pass',
      'pass',
    ]);
    // The team oracle (shared/oracle, 238-R3.4.8 profile) judged this document the same way: its
    // only finding is the certificate warning.
    expect(checks.filter((c) => c.status !== 'pass' && c.status !== 'skip').map((c) => `${c.id}:${c.status}`)).toEqual(['certificate:warn']);
    // The comparisons still bite: another key in tag 8, a tampered signature.
    expect(failed(withQrTags(stamped.xml, (t) => t.set(8, Buffer.alloc(91, 1))))).toEqual(['qr-tag-8:publicKey_QRCODE_INVALID']);
  });

  it('an RSA certificate (unusable for ZATCA): the certificate fails, yet the signature and tags 8/9 are still judged with its key', () => {
    const { certificate, signer } = fixtureSigner('rsa');
    const stamped = signInvoiceXml(readFileSync(simplified!), { certificate, signer });
    const checks = verifyInvoice(stamped.xml).checks;
    expect(checks.find((c) => c.id === 'certificate')).toMatchObject({ status: 'fail', code: 'invalid-certificate' });
    expect(checks.find((c) => c.id === 'certificate')!.message).toMatch(/rsa.*still checked/);
    expect(checks.filter((c) => ['signature', 'qr-tag-8', 'qr-tag-9'].includes(c.id)).map((c) => `${c.id}:${c.status}`)).toEqual([
      'signature:pass',
      'qr-tag-8:pass',
      'qr-tag-9:pass',
    ]);
    expect(checks.some((c) => /cannot be checked/.test(c.message))).toBe(false);
    // Here we deliberately report more than the team oracle, which stops at "certificate key is not
    // an EC key" and fails tags 8/9 as uncheckable (issue 11: report every check that can be evaluated).
  });

  it('an empty signature skeleton: the missing SignatureValue and certificate are findings of their own', () => {
    const xml = readFileSync(simplified!, 'utf8')
      .replace(/<ds:SignatureValue>[^<]*<\/ds:SignatureValue>/, '<ds:SignatureValue></ds:SignatureValue>')
      .replace(/<ds:X509Certificate>[^<]*<\/ds:X509Certificate>/, '<ds:X509Certificate></ds:X509Certificate>');
    const checks = verifyInvoice(xml).checks;
    const signature = checks.find((c) => c.id === 'signature')!;
    expect(signature).toMatchObject({ status: 'fail', code: 'signatureValue' });
    expect(signature.message).toMatch(/SignatureValue is missing or empty/);
    expect(signature.messageAr).toMatch(/[\u0600-\u06ff]/);
    expect(checks.find((c) => c.id === 'certificate')!.message).toMatch(/X509Certificate is missing or empty/);
    // The same four findings as the team oracle (certificate, signature, qr-signature, qr-public-key).
    expect(checks.filter((c) => c.status === 'fail').map((c) => `${c.id}:${c.code}`)).toEqual([
      'certificate:invalid-certificate',
      'signature:signatureValue',
      'qr-tag-7:QRCODE_INVALID',
      'qr-tag-8:publicKey_QRCODE_INVALID',
    ]);
    // Only the SignatureValue is empty: the certificate is fine, the value alone is reported missing.
    const onlyValue = readFileSync(simplified!, 'utf8').replace(/<ds:SignatureValue>[^<]*<\/ds:SignatureValue>/, '<ds:SignatureValue/>');
    const onlyChecks = verifyInvoice(onlyValue).checks;
    expect(onlyChecks.find((c) => c.id === 'certificate')?.status).toBe('pass');
    expect(onlyChecks.find((c) => c.id === 'signature')!.message).toMatch(/SignatureValue is missing or empty/);
  });
});
