// PKCS#10 certificate signing requests in ZATCA's profile (docs/zatca-notes.md §8): building one
// from a CSR configuration and a secp256k1 key, and reading any CSR back (the simulator's side).
import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import {
  Attribute,
  AttributeTypeAndValue,
  AttributeValue,
  Extension,
  Extensions,
  GeneralName,
  Name,
  RelativeDistinguishedName,
  SubjectAlternativeName,
  SubjectPublicKeyInfo,
} from '@peculiar/asn1-x509';
import { Attributes, CertificationRequest, CertificationRequestInfo } from '@peculiar/asn1-csr';
import { ecdsaWithSHA256, id_ecdsaWithSHA256 } from '@peculiar/asn1-ecc';
import { FawtaraError } from '../errors.js';
import type { AsnStringType, NameAttribute, ParsedCsr } from './csr-parsed.js';
import type { LoadedPrivateKey } from './keys.js';
import type { Signer } from './signer.js';
import { csrKey } from './csr-key.js';
import { validateCsrConfig, type CsrConfig } from './csr-config.js';

/** Object identifiers of everything ZATCA's CSR and certificates carry (docs/zatca-notes.md §8). */
export const OID = Object.freeze({
  countryName: '2.5.4.6',
  organizationalUnitName: '2.5.4.11',
  organizationName: '2.5.4.10',
  commonName: '2.5.4.3',
  surname: '2.5.4.4',
  userId: '0.9.2342.19200300.100.1.1',
  title: '2.5.4.12',
  registeredAddress: '2.5.4.26',
  businessCategory: '2.5.4.15',
  domainComponent: '0.9.2342.19200300.100.1.25',
  extensionRequest: '1.2.840.113549.1.9.14',
  certificateTemplateName: '1.3.6.1.4.1.311.20.2',
  subjectAltName: '2.5.29.17',
  ecPublicKey: '1.2.840.10045.2.1',
  secp256k1: '1.3.132.0.10',
  ecdsaWithSHA256: id_ecdsaWithSHA256,
});

/** Where the CSR goes: ZATCA's developer-portal sandbox, the simulation gateway, or production ("core"). */
export type ZatcaEnvironment = 'sandbox' | 'simulation' | 'production';

/**
 * Certificate template name per environment (docs/zatca-notes.md §8, docs/zatca-notes.md §A1). ZATCA's own example shows only
 * the production value; the other two are the integrators' consensus.
 */
export const CERTIFICATE_TEMPLATE_NAMES: Readonly<Record<ZatcaEnvironment, string>> = Object.freeze({
  production: 'ZATCA-Code-Signing',
  simulation: 'PREZATCA-Code-Signing',
  sandbox: 'TSTZATCA-Code-Signing',
});

/** The environment a template name belongs to, or undefined for a name ZATCA does not use. */
export function environmentOfTemplateName(templateName: string): ZatcaEnvironment | undefined {
  const entry = Object.entries(CERTIFICATE_TEMPLATE_NAMES).find(([, name]) => name === templateName);
  return entry?.[0] as ZatcaEnvironment | undefined;
}

type StringEncoding = 'printableString' | 'utf8String';

/** Subject RDNs in ZATCA's order (C, OU, O, CN); only C is a PrintableString (docs/zatca-notes.md §8). */
const SUBJECT_LAYOUT: ReadonlyArray<readonly [keyof CsrSubject, string, StringEncoding]> = [
  ['countryName', OID.countryName, 'printableString'],
  ['organizationUnitName', OID.organizationalUnitName, 'utf8String'],
  ['organizationName', OID.organizationName, 'utf8String'],
  ['commonName', OID.commonName, 'utf8String'],
];

/** The SAN directoryName's five single-valued RDNs, in ZATCA's order, all UTF8String (docs/zatca-notes.md §8). */
const ALTERNATIVE_NAME_LAYOUT: ReadonlyArray<readonly [keyof CsrAlternativeName, string]> = [
  ['serialNumber', OID.surname],
  ['organizationIdentifier', OID.userId],
  ['invoiceType', OID.title],
  ['locationAddress', OID.registeredAddress],
  ['industryBusinessCategory', OID.businessCategory],
];

export type CsrSubject = Pick<CsrConfig, 'countryName' | 'organizationUnitName' | 'organizationName' | 'commonName'>;
export type CsrAlternativeName = Pick<CsrConfig, 'serialNumber' | 'organizationIdentifier' | 'invoiceType' | 'locationAddress' | 'industryBusinessCategory'>;

export interface CreateCsrOptions {
  config: CsrConfig;
  /**
   * The EGS unit's key (from `generatePrivateKey`/`loadPrivateKey`, or a secp256k1 KeyObject), or a
   * `Signer` whose key stays elsewhere (a PKCS#11 token): it signs the CertificationRequestInfo.
   */
  privateKey: LoadedPrivateKey | KeyObject | Signer;
  environment: ZatcaEnvironment;
}

export interface CreatedCsr {
  der: Buffer;
  /** PEM text, `CERTIFICATE REQUEST` armour, 64-character lines, final newline. */
  pem: string;
  /** What `POST /compliance` takes in its `csr` field: base64 of the PEM text (docs/zatca-notes.md §8). */
  base64Pem: string;
}

/** Build and sign a CSR in ZATCA's profile. The config is validated again, whatever its origin. */
export function createCsr(options: CreateCsrOptions): CreatedCsr {
  const config = validateCsrConfig(options.config, { source: 'CSR configuration' });
  const templateName = CERTIFICATE_TEMPLATE_NAMES[options.environment];
  if (templateName === undefined) {
    throw new FawtaraError(
      'INVALID_INPUT',
      `environment must be one of ${Object.keys(CERTIFICATE_TEMPLATE_NAMES).join(', ')}; got "${String(options.environment)}"`,
      { field: 'environment', messageAr: `البيئة يجب أن تكون إحدى: ${Object.keys(CERTIFICATE_TEMPLATE_NAMES).join('، ')}` },
    );
  }
  const { spki, signInfo } = csrKey(options.privateKey);

  const subject = new Name(SUBJECT_LAYOUT.map(([field, oid, encoding]) => singleRdn(oid, config[field], encoding)));
  const alternativeName = new SubjectAlternativeName([
    new GeneralName({
      directoryName: new Name(ALTERNATIVE_NAME_LAYOUT.map(([field, oid]) => singleRdn(oid, config[field], 'utf8String'))),
    }),
  ]);
  // Order as in ZATCA's example: template name first, then subjectAltName; both non-critical.
  const extensions = new Extensions([
    new Extension({
      extnID: OID.certificateTemplateName,
      critical: false,
      extnValue: new OctetString(AsnConvert.serialize(new AttributeValue({ utf8String: templateName }))),
    }),
    new Extension({
      extnID: OID.subjectAltName,
      critical: false,
      extnValue: new OctetString(AsnConvert.serialize(alternativeName)),
    }),
  ]);
  const info = new CertificationRequestInfo({
    version: 0,
    subject,
    subjectPKInfo: AsnConvert.parse(spki, SubjectPublicKeyInfo),
    attributes: new Attributes([new Attribute({ type: OID.extensionRequest, values: [AsnConvert.serialize(extensions)] })]),
  });
  const infoDer = Buffer.from(AsnConvert.serialize(info));
  // ECDSA over the DER CertificationRequestInfo, in the DER (r, s) form PKCS#10 wants.
  const signature = signInfo(infoDer);
  const request = new CertificationRequest({
    certificationRequestInfo: info,
    signatureAlgorithm: ecdsaWithSHA256,
    signature: toArrayBuffer(signature),
  });
  const der = Buffer.from(AsnConvert.serialize(request));
  const pem = derToPem(der, 'CERTIFICATE REQUEST');
  return { der, pem, base64Pem: Buffer.from(pem, 'utf8').toString('base64') };
}

/**
 * Read a CSR given as PEM text, DER bytes, base64 of the DER, or base64 of the PEM text (the
 * `/compliance` form). Only an unreadable input throws; a CSR that breaks ZATCA's profile is
 * returned as it is, so the caller (the simulator) decides how to answer.
 */
export function parseCsr(input: string | Buffer, source = 'csr'): ParsedCsr {
  const der = decodeCsrInput(input, source);
  let request: CertificationRequest;
  try {
    request = AsnConvert.parse(der, CertificationRequest);
  } catch (error) {
    throw invalidCsr(source, 'it is not a PKCS#10 certificate signing request', error);
  }
  const info = request.certificationRequestInfo;

  const subjectRdns = describeName(info.subject);
  const subject = pickFields(
    subjectRdns,
    SUBJECT_LAYOUT.map(([field, oid]) => [field, oid] as const),
  );

  const structure: ParsedCsr['structure'] = {
    subject: subjectRdns,
    alternativeName: [],
    alternativeNameKinds: [],
    extensions: [],
    attributes: (info.attributes ?? []).map((a) => a.type),
  };
  const { templateName, subjectAlternativeNameDer, alternativeName } = readExtensionRequest(info, source, structure);

  const publicKeySpki = Buffer.from(AsnConvert.serialize(info.subjectPKInfo));
  let publicKey: KeyObject | undefined;
  try {
    publicKey = createPublicKey({ key: publicKeySpki, format: 'der', type: 'spki' });
  } catch {
    publicKey = undefined; // a curve Node cannot load: reported through publicKeyIsSecp256k1/signatureValid
  }
  const publicKeyCurve = publicKey?.asymmetricKeyType === 'ec' ? publicKey.asymmetricKeyDetails?.namedCurve : undefined;
  const publicKeyIsSecp256k1 = publicKeyCurve === 'secp256k1';

  const signatureAlgorithm = request.signatureAlgorithm.algorithm;
  const signatureValid = csrSignatureValid(request, publicKey, signatureAlgorithm);

  return {
    der,
    subject,
    alternativeName,
    ...(templateName !== undefined && { templateName }),
    publicKeySpki,
    ...(publicKey !== undefined && { publicKey }),
    ...(publicKeyCurve !== undefined && { publicKeyCurve }),
    publicKeyIsSecp256k1,
    signatureAlgorithm,
    signatureValid,
    ...(subjectAlternativeNameDer !== undefined && { subjectAlternativeNameDer }),
    structure,
  };
}

/** The extensionRequest attribute: the template name and the subjectAltName directory name. */
function readExtensionRequest(
  info: CertificationRequest['certificationRequestInfo'],
  source: string,
  structure: ParsedCsr['structure'],
): { templateName: string | undefined; subjectAlternativeNameDer: Buffer | undefined; alternativeName: Partial<CsrAlternativeName> } {
  let templateName: string | undefined;
  let subjectAlternativeNameDer: Buffer | undefined;
  let alternativeName: Partial<CsrAlternativeName> = {};

  const extensionRequest = (info.attributes ?? []).find((a) => a.type === OID.extensionRequest);
  if (extensionRequest?.values[0]) {
    let extensions: Extensions;
    try {
      extensions = AsnConvert.parse(extensionRequest.values[0], Extensions);
    } catch (error) {
      throw invalidCsr(source, 'its extensionRequest attribute is not a list of extensions', error);
    }
    for (const extension of extensions) {
      structure.extensions.push({ oid: extension.extnID, critical: extension.critical });
      const value = Buffer.from(extension.extnValue.buffer);
      if (extension.extnID === OID.certificateTemplateName && templateName === undefined) {
        try {
          const parsed = AsnConvert.parse(value, AttributeValue);
          structure.templateNameStringType = stringTypeOf(parsed);
          if (structure.templateNameStringType !== 'other') templateName = parsed.toString();
        } catch {
          structure.templateNameStringType = 'other';
        }
      } else if (extension.extnID === OID.subjectAltName && subjectAlternativeNameDer === undefined) {
        subjectAlternativeNameDer = value;
        let names: SubjectAlternativeName;
        try {
          names = AsnConvert.parse(value, SubjectAlternativeName);
        } catch (error) {
          throw invalidCsr(source, 'its subjectAltName extension is not a list of general names', error);
        }
        structure.alternativeNameKinds = names.map(generalNameKind);
        const directoryName = names.find((n) => n.directoryName)?.directoryName;
        if (directoryName) {
          structure.alternativeName = describeName(directoryName);
          alternativeName = pickFields(structure.alternativeName, ALTERNATIVE_NAME_LAYOUT);
        }
      }
    }
  }
  return { templateName, subjectAlternativeNameDer, alternativeName };
}

/** The request's ECDSA-SHA256 signature checks with its own public key. */
function csrSignatureValid(request: CertificationRequest, publicKey: KeyObject | undefined, signatureAlgorithm: string): boolean {
  let signatureValid = false;
  if (publicKey?.asymmetricKeyType === 'ec' && signatureAlgorithm === OID.ecdsaWithSHA256 && request.certificationRequestInfoRaw) {
    try {
      // Verify over the bytes as received, not a re-encoding, so a non-DER sender is judged fairly.
      signatureValid = verify(
        'sha256',
        Buffer.from(request.certificationRequestInfoRaw),
        { key: publicKey, dsaEncoding: 'der' },
        Buffer.from(request.signature),
      );
    } catch {
      signatureValid = false;
    }
  }
  return signatureValid;
}

/** The CSR-config values a parsed CSR carries (feed to `validateCsrConfig` to check them). */
export function csrConfigOf(csr: ParsedCsr): Partial<CsrConfig> {
  return { ...csr.subject, ...csr.alternativeName };
}

/** PEM armour with 64-character lines and a final newline, as OpenSSL and ZATCA's examples write it. */
export function derToPem(der: Buffer | Uint8Array, label: string): string {
  const body = Buffer.from(der)
    .toString('base64')
    .replace(/.{1,64}/g, '$&\n');
  return `-----BEGIN ${label}-----\n${body}-----END ${label}-----\n`;
}

/** A single-valued RDN; exported for the certificate issuer, which builds names the same way. */
export function singleRdn(oid: string, value: string, encoding: StringEncoding | 'ia5String'): RelativeDistinguishedName {
  return new RelativeDistinguishedName([new AttributeTypeAndValue({ type: oid, value: new AttributeValue({ [encoding]: value }) })]);
}

export function describeName(name: Name): NameAttribute[][] {
  return name.map((rdn) => rdn.map((atv) => ({ oid: atv.type, value: atv.value.toString(), stringType: stringTypeOf(atv.value) })));
}

function pickFields<K extends string>(rdns: NameAttribute[][], layout: ReadonlyArray<readonly [K, string]>): Partial<Record<K, string>> {
  const out: Partial<Record<K, string>> = {};
  for (const [field, oid] of layout) {
    const found = rdns.flat().find((a) => a.oid === oid && a.stringType !== 'other');
    if (found) out[field] = found.value;
  }
  return out;
}

function stringTypeOf(value: AttributeValue): AsnStringType {
  if (value.utf8String !== undefined) return 'utf8String';
  if (value.printableString !== undefined) return 'printableString';
  if (value.ia5String !== undefined) return 'ia5String';
  if (value.bmpString !== undefined) return 'bmpString';
  if (value.teletexString !== undefined) return 'teletexString';
  if (value.universalString !== undefined) return 'universalString';
  return 'other';
}

function generalNameKind(name: GeneralName): string {
  const kinds = [
    'otherName',
    'rfc822Name',
    'dNSName',
    'x400Address',
    'directoryName',
    'ediPartyName',
    'uniformResourceIdentifier',
    'iPAddress',
    'registeredID',
  ] as const;
  return kinds.find((k) => name[k] !== undefined) ?? 'unknown';
}

function decodeCsrInput(input: string | Buffer, source: string): Buffer {
  if (Buffer.isBuffer(input) && input[0] === 0x30) return input;
  const text = (Buffer.isBuffer(input) ? input.toString('utf8') : input).trim();
  if (text.includes('-----BEGIN')) return pemBody(text, source);
  if (!/^[A-Za-z0-9+/=\s]+$/.test(text)) throw invalidCsr(source, 'it is neither PEM, DER nor base64');
  const decoded = Buffer.from(text.replace(/\s+/g, ''), 'base64');
  if (decoded[0] === 0x30) return decoded;
  // base64 of the PEM text: the form `/compliance` receives.
  const inner = decoded.toString('utf8');
  if (inner.includes('-----BEGIN')) return pemBody(inner, source);
  throw invalidCsr(source, 'its base64 decodes to neither DER nor PEM');
}

function pemBody(text: string, source: string): Buffer {
  const match = /-----BEGIN (NEW )?CERTIFICATE REQUEST-----([A-Za-z0-9+/=\s]+)-----END (NEW )?CERTIFICATE REQUEST-----/.exec(text);
  if (!match) throw invalidCsr(source, 'its PEM armour is not "CERTIFICATE REQUEST"');
  return Buffer.from(match[2]!.replace(/\s+/g, ''), 'base64');
}

function invalidCsr(source: string, why: string, cause?: unknown): FawtaraError {
  return new FawtaraError('INVALID_INPUT', `${source}: ${why}`, {
    field: source,
    rule: 'docs/zatca-notes.md §8',
    messageAr: `${source}: ليس طلب توقيع شهادة (CSR) صالحاً`,
    ...(cause !== undefined && { cause }),
  });
}

function toArrayBuffer(bytes: Buffer): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}
