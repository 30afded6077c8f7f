// CSR building and reading against ZATCA's profile: structure of ZATCA's example CSR (docs/zatca-notes.md §8,
// ZATCA Compliance CSID API doc), round trips, template name per environment, and refusal of bad input.
import { createHash, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseCsrConfigProperties, type CsrConfig } from '../../src/crypto/csr-config.js';
import { CERTIFICATE_TEMPLATE_NAMES, createCsr, csrConfigOf, environmentOfTemplateName, OID, parseCsr, type ZatcaEnvironment } from '../../src/crypto/csr.js';
import { generatePrivateKey, loadPrivateKey } from '../../src/crypto/keys.js';
import { FawtaraError } from '../../src/errors.js';
import { readSdk, sdkDir } from '../helpers/sdk.js';
import { EXAMPLE_EN } from '../helpers/csr-examples.js';

/**
 * Structural facts of ZATCA's example CSR in its Compliance CSID API documentation (docs/zatca-notes.md §8,
 * its Compliance CSID API doc), read off a DER dump: attribute OIDs, their order, and each value's string tag.
 */
const ZATCA_EXAMPLE_STRUCTURE = {
  subject: [
    [{ oid: '2.5.4.6', stringType: 'printableString' }], // C
    [{ oid: '2.5.4.11', stringType: 'utf8String' }], // OU
    [{ oid: '2.5.4.10', stringType: 'utf8String' }], // O
    [{ oid: '2.5.4.3', stringType: 'utf8String' }], // CN
  ],
  alternativeName: [
    [{ oid: '2.5.4.4', stringType: 'utf8String' }], // SN: csr.serial.number
    [{ oid: '0.9.2342.19200300.100.1.1', stringType: 'utf8String' }], // UID: csr.organization.identifier
    [{ oid: '2.5.4.12', stringType: 'utf8String' }], // title: csr.invoice.type
    [{ oid: '2.5.4.26', stringType: 'utf8String' }], // registeredAddress: csr.location.address
    [{ oid: '2.5.4.15', stringType: 'utf8String' }], // businessCategory: csr.industry.business.category
  ],
  alternativeNameKinds: ['directoryName'],
  extensions: [
    { oid: '1.3.6.1.4.1.311.20.2', critical: false },
    { oid: '2.5.29.17', critical: false },
  ],
  attributes: ['1.2.840.113549.1.9.14'],
  templateNameStringType: 'utf8String',
};

/**
 * SHA-256 of the DER CertificationRequestInfo of ZATCA's example CSR (ZATCA Compliance CSID API doc). Signed with the
 * SDK's test key (whose public key the example carries, docs/zatca-notes.md §8) over the values of
 * csr-config-example-EN.properties for production, our CertificationRequestInfo must be the same bytes.
 */
const ZATCA_EXAMPLE_REQUEST_INFO_SHA256 = 'eeecd53d7bd7f0ec0f1ec81439bb7d7cef83a0d18ff42e7d46e21b90b7908c6e';

function withoutValues(rdns: Array<Array<{ oid: string; stringType: string }>>): Array<Array<{ oid: string; stringType: string }>> {
  return rdns.map((rdn) => rdn.map(({ oid, stringType }) => ({ oid, stringType })));
}

/** The CertificationRequestInfo (first element of the outer SEQUENCE), for long-form lengths. */
function requestInfoDer(der: Buffer): Buffer {
  const outerHeader = der[1]! & 0x80 ? 2 + (der[1]! & 0x7f) : 2;
  const innerLengthByte = der[outerHeader + 1]!;
  const innerHeader = innerLengthByte & 0x80 ? 2 + (innerLengthByte & 0x7f) : 2;
  const innerLength = innerLengthByte & 0x80 ? der.subarray(outerHeader + 2, outerHeader + innerHeader).readUIntBE(0, innerLengthByte & 0x7f) : innerLengthByte;
  return der.subarray(outerHeader, outerHeader + innerHeader + innerLength);
}

function errorOf(fn: () => unknown): FawtaraError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(FawtaraError);
    return error as FawtaraError;
  }
  throw new Error('expected a FawtaraError');
}

describe('CSR structure equals ZATCA example CSR (docs/zatca-notes.md §8, ZATCA Compliance CSID API doc)', () => {
  const key = generatePrivateKey();
  const csr = createCsr({ config: EXAMPLE_EN, privateKey: key, environment: 'production' });
  const parsed = parseCsr(csr.pem);

  it('subject C, OU, O, CN — C PrintableString, the rest UTF8String, one attribute per RDN', () => {
    expect(withoutValues(parsed.structure.subject)).toEqual(ZATCA_EXAMPLE_STRUCTURE.subject);
  });

  it('extensionRequest holds template name then subjectAltName, both non-critical; template is a UTF8String', () => {
    expect(parsed.structure.attributes).toEqual(ZATCA_EXAMPLE_STRUCTURE.attributes);
    expect(parsed.structure.extensions).toEqual(ZATCA_EXAMPLE_STRUCTURE.extensions);
    expect(parsed.structure.templateNameStringType).toBe(ZATCA_EXAMPLE_STRUCTURE.templateNameStringType);
  });

  it('subjectAltName is one directoryName of five single-valued RDNs SN, UID, title, registeredAddress, businessCategory (UTF8String)', () => {
    expect(parsed.structure.alternativeNameKinds).toEqual(ZATCA_EXAMPLE_STRUCTURE.alternativeNameKinds);
    expect(withoutValues(parsed.structure.alternativeName)).toEqual(ZATCA_EXAMPLE_STRUCTURE.alternativeName);
  });

  it('ecdsa-with-SHA256 over a secp256k1 key, PEM with CERTIFICATE REQUEST armour and 64-character lines', () => {
    expect(parsed.signatureAlgorithm).toBe('1.2.840.10045.4.3.2');
    expect(parsed.publicKeyIsSecp256k1).toBe(true);
    const lines = csr.pem.trimEnd().split('\n');
    expect(lines[0]).toBe('-----BEGIN CERTIFICATE REQUEST-----');
    expect(lines.at(-1)).toBe('-----END CERTIFICATE REQUEST-----');
    expect(lines.slice(1, -2).every((l) => l.length === 64)).toBe(true);
    expect(csr.pem.endsWith('\n')).toBe(true);
  });

  it('/compliance form: base64 of the PEM text (docs/zatca-notes.md §8)', () => {
    expect(Buffer.from(csr.base64Pem, 'base64').toString('utf8')).toBe(csr.pem);
  });

  it.skipIf(!sdkDir)(
    'with the SDK test key (Data/Certificates/ec-secp256k1-priv-key.pem) and csr-config-example-EN.properties, CertificationRequestInfo is byte-identical to ZATCA example CSR',
    () => {
      const sdkKey = loadPrivateKey(readSdk('Data', 'Certificates', 'ec-secp256k1-priv-key.pem'));
      const config = parseCsrConfigProperties(readSdk('Data', 'Input', 'csr-config-example-EN.properties'));
      const sdkCsr = createCsr({ config, privateKey: sdkKey, environment: 'production' });
      const info = requestInfoDer(sdkCsr.der);
      expect(createHash('sha256').update(info).digest('hex')).toBe(ZATCA_EXAMPLE_REQUEST_INFO_SHA256);
      expect(parseCsr(sdkCsr.der).signatureValid).toBe(true);
    },
  );
});

describe('CSR round trip (docs/zatca-notes.md §8)', () => {
  const key = generatePrivateKey();

  it('create → parse gives back every config value, a verifying signature and the key SPKI, from every input form', () => {
    const csr = createCsr({ config: EXAMPLE_EN, privateKey: key, environment: 'simulation' });
    const forms: Array<string | Buffer> = [csr.pem, csr.der, csr.base64Pem, csr.der.toString('base64'), Buffer.from(csr.pem)];
    for (const form of forms) {
      const parsed = parseCsr(form);
      expect(csrConfigOf(parsed)).toEqual(EXAMPLE_EN);
      expect(parsed.subject).toEqual({
        countryName: 'SA',
        organizationUnitName: 'Riyadh Branch',
        organizationName: 'Maximum Speed Tech Supply LTD',
        commonName: 'TST-886431145-399999999900003',
      });
      expect(parsed.signatureValid).toBe(true);
      expect(parsed.publicKeySpki.equals(key.publicKeySpki)).toBe(true);
      expect(parsed.der.equals(csr.der)).toBe(true);
      expect(parsed.templateName).toBe('PREZATCA-Code-Signing');
    }
  });

  it('accepts a KeyObject as well as a loaded key', () => {
    const csr = createCsr({ config: EXAMPLE_EN, privateKey: key.key, environment: 'production' });
    expect(parseCsr(csr.pem).publicKeySpki.equals(key.publicKeySpki)).toBe(true);
  });

  it('Arabic values (SDK csr-config-example-AR.properties style) survive as UTF8String', () => {
    const arabic: CsrConfig = {
      ...EXAMPLE_EN,
      organizationUnitName: 'فرع الرياض',
      organizationName: 'شركة توريد التكنولوجيا',
      industryBusinessCategory: 'أنشطة توريدات',
    };
    const parsed = parseCsr(createCsr({ config: arabic, privateKey: key, environment: 'production' }).pem);
    expect(csrConfigOf(parsed)).toEqual(arabic);
    expect(parsed.signatureValid).toBe(true);
  });

  it.skipIf(!sdkDir)('all four SDK example configs (Data/Input csr-config-example-*.properties) make CSRs that read back', () => {
    for (const name of ['EN', 'EN-VAT-group', 'AR', 'AR-VAT-Group']) {
      const config = parseCsrConfigProperties(readSdk('Data', 'Input', `csr-config-example-${name}.properties`));
      const parsed = parseCsr(createCsr({ config, privateKey: key, environment: 'sandbox' }).base64Pem);
      expect(csrConfigOf(parsed)).toEqual(config);
      expect(parsed.signatureValid).toBe(true);
    }
  });

  it('a changed byte in the signed part makes signatureValid false', () => {
    const csr = createCsr({ config: EXAMPLE_EN, privateKey: key, environment: 'production' });
    const tampered = Buffer.from(csr.der);
    const at = tampered.indexOf(Buffer.from('Riyadh Branch'));
    tampered[at] = 'r'.charCodeAt(0);
    const parsed = parseCsr(tampered);
    expect(parsed.subject.organizationUnitName).toBe('riyadh Branch');
    expect(parsed.signatureValid).toBe(false);
  });

  it('ECDSA signatures differ per call (random k) but both verify', () => {
    const a = createCsr({ config: EXAMPLE_EN, privateKey: key, environment: 'production' });
    const b = createCsr({ config: EXAMPLE_EN, privateKey: key, environment: 'production' });
    expect(requestInfoDer(a.der).equals(requestInfoDer(b.der))).toBe(true);
    expect(parseCsr(a.der).signatureValid && parseCsr(b.der).signatureValid).toBe(true);
  });
});

describe('certificate template name per environment (docs/zatca-notes.md §8, docs/zatca-notes.md §A1)', () => {
  const key = generatePrivateKey();
  it.each([
    ['production', 'ZATCA-Code-Signing'],
    ['simulation', 'PREZATCA-Code-Signing'],
    ['sandbox', 'TSTZATCA-Code-Signing'],
  ] as const)('%s → %s', (environment: ZatcaEnvironment, templateName) => {
    expect(CERTIFICATE_TEMPLATE_NAMES[environment]).toBe(templateName);
    const parsed = parseCsr(createCsr({ config: EXAMPLE_EN, privateKey: key, environment }).pem);
    expect(parsed.templateName).toBe(templateName);
    expect(parsed.structure.templateNameStringType).toBe('utf8String');
    expect(environmentOfTemplateName(templateName)).toBe(environment);
  });

  it('an unknown environment is refused, naming the option', () => {
    const error = errorOf(() => createCsr({ config: EXAMPLE_EN, privateKey: key, environment: 'core' as ZatcaEnvironment }));
    expect(error.field).toBe('environment');
  });
});

describe('refusals (docs/zatca-notes.md §8)', () => {
  it('an invalid config is refused before anything is signed', () => {
    const error = errorOf(() =>
      createCsr({ config: { ...EXAMPLE_EN, organizationIdentifier: '123' }, privateKey: generatePrivateKey(), environment: 'production' }),
    );
    expect(error.code).toBe('INVALID_CSR_CONFIG');
    expect(error.field).toBe('organizationIdentifier');
  });

  it('a key on another curve (P-256) is refused: ZATCA needs secp256k1', () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    expect(errorOf(() => createCsr({ config: EXAMPLE_EN, privateKey, environment: 'production' })).code).toBe('INVALID_KEY');
  });

  it('input that is no CSR is refused with INVALID_INPUT naming the source', () => {
    for (const input of [
      'hello world!',
      'aGVsbG8=',
      Buffer.from([0x30, 0x03, 0x02, 0x01, 0x00]),
      '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----',
    ]) {
      const error = errorOf(() => parseCsr(input, 'csr'));
      expect(error.code).toBe('INVALID_INPUT');
      expect(error.field).toBe('csr');
      expect(error.messageAr).toBeTruthy();
    }
  });

  it('OID table matches docs/zatca-notes.md §8', () => {
    expect(OID).toMatchObject({
      surname: '2.5.4.4',
      userId: '0.9.2342.19200300.100.1.1',
      title: '2.5.4.12',
      registeredAddress: '2.5.4.26',
      businessCategory: '2.5.4.15',
      certificateTemplateName: '1.3.6.1.4.1.311.20.2',
      extensionRequest: '1.2.840.113549.1.9.14',
    });
  });
});
