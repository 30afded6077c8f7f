// `sign` on XML we did not write whose root lacks a namespace the stamp inserts (issue 11 "Real
// invoices"): the output must be well-formed, verify and pass the XSD, for each of ext, sig, sac,
// sbc, ds and xades (and cac/cbc, which the stamp also writes under the root, declared lower down).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadCertificate } from '../../src/crypto/certificate.js';
import { loadPrivateKey } from '../../src/crypto/keys.js';
import { createSigner } from '../../src/crypto/signer.js';
import { isFawtaraError } from '../../src/errors.js';
import { validateInvoice } from '../../src/rules/index.js';
import { signInvoiceXml, verifyInvoice } from '../../src/stamp/index.js';
import { NS } from '../../src/xml/namespaces.js';
import { parseInvoiceXml } from '../../src/xml/parse.js';
import { readSdk, SDK_MISSING_MESSAGE, signedSamples } from '../helpers/sdk.js';

const sample = signedSamples().find((f) => f.endsWith('Simplified_Invoice.xml'));

/** The SDK sample without its stamp (UBLExtensions, QR reference, cac:Signature) and with a root declaring exactly `prefixes`. */
function unsignedWithRoot(prefixes: ReadonlyArray<keyof typeof NS>): string {
  const text = readFileSync(sample!, 'utf8')
    .replace(/<ext:UBLExtensions>[\s\S]*<\/ext:UBLExtensions>/, '')
    .replace(/<cac:AdditionalDocumentReference>\s*<cbc:ID>QR<\/cbc:ID>[\s\S]*?<\/cac:AdditionalDocumentReference>\s*/, '')
    .replace(/<cac:Signature>[\s\S]*?<\/cac:Signature>\s*/, '');
  const root = `<Invoice xmlns="${NS.invoice}"${prefixes.map((p) => ` xmlns:${p}="${NS[p]}"`).join('')}>`;
  return text.replace(/<Invoice [^>]*>/, root);
}

describe.skipIf(!sample)(`sign declares every namespace it inserts${sample ? '' : ` (${SDK_MISSING_MESSAGE})`}`, () => {
  const certificate = () => loadCertificate(readSdk('Data', 'Certificates', 'cert.pem'));
  const signer = () => createSigner(loadPrivateKey(readSdk('Data', 'Certificates', 'ec-secp256k1-priv-key.pem')));
  const STAMP = ['ext', 'sig', 'sac', 'sbc', 'ds', 'xades'] as const;

  for (const missing of STAMP) {
    it(`the root lacks xmlns:${missing}: the signed output is well-formed, verifies and passes the XSD`, () => {
      const input = unsignedWithRoot(['cac', 'cbc', ...STAMP.filter((p) => p !== missing)]);
      expect(input).not.toContain(`xmlns:${missing}=`);
      const stamped = signInvoiceXml(input, { certificate: certificate(), signer: signer() });
      expect(() => parseInvoiceXml(stamped.xml)).not.toThrow(); // xmldom: every prefix declared
      const checks = verifyInvoice(stamped.xml).checks;
      expect(checks.filter((c) => c.status === 'fail')).toEqual([]);
      const report = validateInvoice(stamped.xml, { layers: ['XSD', 'QR', 'SIGNATURE'] });
      expect(report.errors).toEqual([]);
    });
  }

  it('a root with only the default namespace (no prefix declared at all) signs too, ext/cac/cbc declared on the root', () => {
    // The document declares cac/cbc on each element that uses them (well-formed, but not on the root).
    const local = unsignedWithRoot([]).replace(
      /<(cac|cbc):([A-Za-z]+)([ >])/g,
      (_m, p: 'cac' | 'cbc', n: string, end: string) => `<${p}:${n} xmlns:${p}="${NS[p]}"${end}`,
    );
    const stamped = signInvoiceXml(local, { certificate: certificate(), signer: signer() });
    expect(stamped.xml).toMatch(/<Invoice xmlns="[^"]+" xmlns:cac="[^"]+" xmlns:cbc="[^"]+" xmlns:ext="[^"]+">/);
    expect(verifyInvoice(stamped.xml).checks.filter((c) => c.status === 'fail')).toEqual([]);
  });

  it('a root binding ext to another namespace is refused with what to change (never a broken document)', () => {
    const input = unsignedWithRoot(['cac', 'cbc']).replace('<Invoice ', '<Invoice xmlns:ext="urn:example:other" ');
    let error: unknown;
    try {
      signInvoiceXml(input, { certificate: certificate(), signer: signer() });
    } catch (e) {
      error = e;
    }
    expect(isFawtaraError(error)).toBe(true);
    expect((error as Error).message).toMatch(/binds prefix ext to urn:example:other/);
    expect((error as { messageAr: string }).messageAr).toMatch(/[\u0600-\u06ff]/);
  });
});
