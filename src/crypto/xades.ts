// The XAdES stamp in ZATCA's flavour (docs/zatca-notes.md §6): SignedProperties text and its digest quirk, the
// ds:Signature inside ext:UBLExtensions, and the cac:Signature element. Pure text, no DOM.
import { hexDigestBase64 } from './certificate.js';
import { escapeC14nText } from '../xml/c14n.js';

const DS = 'http://www.w3.org/2000/09/xmldsig#';
const XADES = 'http://uri.etsi.org/01903/v1.3.2#';
const SHA256 = 'http://www.w3.org/2001/04/xmlenc#sha256';

export const SIGNATURE_INFORMATION_ID = 'urn:oasis:names:specification:ubl:signature:1';
export const REFERENCED_SIGNATURE_ID = 'urn:oasis:names:specification:ubl:signature:Invoice';
export const SIGNATURE_METHOD_URN = 'urn:oasis:names:specification:ubl:dsig:enveloped:xades';

export interface SignedPropertiesValues {
  /** `YYYY-MM-DDTHH:MM:SS` (UTC in Fawtara). */
  signingTime: string;
  certDigest: string;
  issuerName: string;
  serialNumber: string;
}

export interface StampValues extends SignedPropertiesValues {
  invoiceHash: string;
  signedPropertiesHash: string;
  signatureValue: string;
  certificateBase64: string;
}

/** `YYYY-MM-DDTHH:MM:SS` in UTC, the SigningTime form of every SDK sample. */
export function formatSigningTime(date: Date): string {
  return date.toISOString().slice(0, 19);
}

/**
 * The `xades:SignedProperties` element text. `forDigest` adds the namespace declarations a Java DOM
 * serializer writes on a detached element (xmlns:xades on the root, xmlns:ds on each ds: child) —
 * the form ZATCA's SDK digests (docs/zatca-notes.md §6.3); the document carries the plain form with the same bytes otherwise.
 */
export function signedPropertiesText(v: SignedPropertiesValues, indent: string, depth: number, forDigest: boolean): string {
  const nl = (d: number): string => '\n' + indent.repeat(depth + d);
  const xades = forDigest ? ` xmlns:xades="${XADES}"` : '';
  const ds = forDigest ? ` xmlns:ds="${DS}"` : '';
  return (
    `<xades:SignedProperties${xades} Id="xadesSignedProperties">` +
    nl(1) +
    '<xades:SignedSignatureProperties>' +
    nl(2) +
    `<xades:SigningTime>${v.signingTime}</xades:SigningTime>` +
    nl(2) +
    '<xades:SigningCertificate>' +
    nl(3) +
    '<xades:Cert>' +
    nl(4) +
    '<xades:CertDigest>' +
    nl(5) +
    `<ds:DigestMethod${ds} Algorithm="${SHA256}"/>` +
    nl(5) +
    `<ds:DigestValue${ds}>${v.certDigest}</ds:DigestValue>` +
    nl(4) +
    '</xades:CertDigest>' +
    nl(4) +
    '<xades:IssuerSerial>' +
    nl(5) +
    `<ds:X509IssuerName${ds}>${escapeC14nText(v.issuerName)}</ds:X509IssuerName>` +
    nl(5) +
    `<ds:X509SerialNumber${ds}>${v.serialNumber}</ds:X509SerialNumber>` +
    nl(4) +
    '</xades:IssuerSerial>' +
    nl(3) +
    '</xades:Cert>' +
    nl(2) +
    '</xades:SigningCertificate>' +
    nl(1) +
    '</xades:SignedSignatureProperties>' +
    nl(0) +
    '</xades:SignedProperties>'
  );
}

/** Depth of `xades:SignedProperties` below `ext:UBLExtensions` in our layout. */
const SIGNED_PROPERTIES_DEPTH = 8;

/** SignedProperties digest (docs/zatca-notes.md §6.2/§6.3): base64(hex(SHA-256(digest form))). */
export function signedPropertiesHash(v: SignedPropertiesValues, indent: string, baseDepth: number): string {
  // Every invoice a unit signs within the same second has the same SignedProperties: digest it once.
  const key = `${v.signingTime}|${v.serialNumber}|${v.certDigest}|${v.issuerName}|${indent}|${baseDepth}`;
  if (lastSignedProperties.key === key) return lastSignedProperties.hash;
  const hash = hexDigestBase64(signedPropertiesText(v, indent, baseDepth + SIGNED_PROPERTIES_DEPTH, true));
  lastSignedProperties = { key, hash };
  return hash;
}
let lastSignedProperties = { key: '', hash: '' };

/**
 * The whole `ext:UBLExtensions` element, its start tag at `baseDepth` levels of `indent`. The
 * layout is compiled once per indentation (the hot path only fills in the values).
 */
export function ublExtensionsXml(v: StampValues, indent: string, baseDepth: number): string {
  const key = `${indent}|${baseDepth}`;
  let t = templates.get(key);
  if (!t) templates.set(key, (t = compileTemplate(indent, baseDepth)));
  return (
    t.parts[0] +
    v.invoiceHash +
    t.parts[1] +
    v.signedPropertiesHash +
    t.parts[2] +
    v.signatureValue +
    t.parts[3] +
    v.certificateBase64 +
    t.parts[4] +
    signedPropertiesText(v, indent, baseDepth + SIGNED_PROPERTIES_DEPTH, false) +
    t.parts[5]
  );
}

interface CompiledTemplate {
  parts: string[];
}
const templates = new Map<string, CompiledTemplate>();

const SLOT = '\u0000';

function compileTemplate(indent: string, baseDepth: number): CompiledTemplate {
  const nl = (d: number): string => '\n' + indent.repeat(baseDepth + d);
  const text =
    '<ext:UBLExtensions>' +
    nl(1) +
    '<ext:UBLExtension>' +
    nl(2) +
    `<ext:ExtensionURI>${SIGNATURE_METHOD_URN}</ext:ExtensionURI>` +
    nl(2) +
    '<ext:ExtensionContent>' +
    nl(3) +
    '<sig:UBLDocumentSignatures xmlns:sig="urn:oasis:names:specification:ubl:schema:xsd:CommonSignatureComponents-2" xmlns:sac="urn:oasis:names:specification:ubl:schema:xsd:SignatureAggregateComponents-2" xmlns:sbc="urn:oasis:names:specification:ubl:schema:xsd:SignatureBasicComponents-2">' +
    nl(4) +
    '<sac:SignatureInformation>' +
    nl(5) +
    `<cbc:ID>${SIGNATURE_INFORMATION_ID}</cbc:ID>` +
    nl(5) +
    `<sbc:ReferencedSignatureID>${REFERENCED_SIGNATURE_ID}</sbc:ReferencedSignatureID>` +
    nl(5) +
    `<ds:Signature xmlns:ds="${DS}" Id="signature">` +
    nl(6) +
    signedInfoTemplate(nl) +
    nl(6) +
    `<ds:SignatureValue>${SLOT}</ds:SignatureValue>` +
    nl(6) +
    '<ds:KeyInfo>' +
    nl(7) +
    '<ds:X509Data>' +
    nl(8) +
    `<ds:X509Certificate>${SLOT}</ds:X509Certificate>` +
    nl(7) +
    '</ds:X509Data>' +
    nl(6) +
    '</ds:KeyInfo>' +
    nl(6) +
    '<ds:Object>' +
    nl(7) +
    `<xades:QualifyingProperties xmlns:xades="${XADES}" Target="signature">` +
    nl(8) +
    SLOT +
    nl(7) +
    '</xades:QualifyingProperties>' +
    nl(6) +
    '</ds:Object>' +
    nl(5) +
    '</ds:Signature>' +
    nl(4) +
    '</sac:SignatureInformation>' +
    nl(3) +
    '</sig:UBLDocumentSignatures>' +
    nl(2) +
    '</ext:ExtensionContent>' +
    nl(1) +
    '</ext:UBLExtension>' +
    nl(0) +
    '</ext:UBLExtensions>';
  return { parts: text.split(SLOT) };
}

/** `ds:SignedInfo`: the two references (invoice, signed properties) with their digest slots. */
function signedInfoTemplate(nl: (d: number) => string): string {
  return (
    '<ds:SignedInfo>' +
    nl(7) +
    '<ds:CanonicalizationMethod Algorithm="http://www.w3.org/2006/12/xml-c14n11"/>' +
    nl(7) +
    '<ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256"/>' +
    nl(7) +
    '<ds:Reference Id="invoiceSignedData" URI="">' +
    nl(8) +
    '<ds:Transforms>' +
    transform(nl, 'not(//ancestor-or-self::ext:UBLExtensions)') +
    transform(nl, 'not(//ancestor-or-self::cac:Signature)') +
    transform(nl, "not(//ancestor-or-self::cac:AdditionalDocumentReference[cbc:ID='QR'])") +
    nl(9) +
    '<ds:Transform Algorithm="http://www.w3.org/2006/12/xml-c14n11"/>' +
    nl(8) +
    '</ds:Transforms>' +
    nl(8) +
    `<ds:DigestMethod Algorithm="${SHA256}"/>` +
    nl(8) +
    `<ds:DigestValue>${SLOT}</ds:DigestValue>` +
    nl(7) +
    '</ds:Reference>' +
    nl(7) +
    '<ds:Reference Type="http://www.w3.org/2000/09/xmldsig#SignatureProperties" URI="#xadesSignedProperties">' +
    nl(8) +
    `<ds:DigestMethod Algorithm="${SHA256}"/>` +
    nl(8) +
    `<ds:DigestValue>${SLOT}</ds:DigestValue>` +
    nl(7) +
    '</ds:Reference>' +
    nl(6) +
    '</ds:SignedInfo>'
  );
}

function transform(nl: (d: number) => string, xpath: string): string {
  return (
    nl(9) + '<ds:Transform Algorithm="http://www.w3.org/TR/1999/REC-xpath-19991116">' + nl(10) + `<ds:XPath>${xpath}</ds:XPath>` + nl(9) + '</ds:Transform>'
  );
}

/** `cac:Signature` (BR-KSA-29/30), in canonical form because it sits among hashed siblings' whitespace. */
export function cacSignatureXml(indent: string, baseDepth: number): string {
  const nl = (d: number): string => '\n' + indent.repeat(baseDepth + d);
  return (
    '<cac:Signature>' +
    nl(1) +
    `<cbc:ID>${REFERENCED_SIGNATURE_ID}</cbc:ID>` +
    nl(1) +
    `<cbc:SignatureMethod>${SIGNATURE_METHOD_URN}</cbc:SignatureMethod>` +
    nl(0) +
    '</cac:Signature>'
  );
}

/** The QR `cac:AdditionalDocumentReference` (KSA-14). */
export function qrReferenceXml(qrBase64: string, indent: string, baseDepth: number): string {
  const nl = (d: number): string => '\n' + indent.repeat(baseDepth + d);
  return (
    '<cac:AdditionalDocumentReference>' +
    nl(1) +
    '<cbc:ID>QR</cbc:ID>' +
    nl(1) +
    '<cac:Attachment>' +
    nl(2) +
    `<cbc:EmbeddedDocumentBinaryObject mimeCode="text/plain">${qrBase64}</cbc:EmbeddedDocumentBinaryObject>` +
    nl(1) +
    '</cac:Attachment>' +
    nl(0) +
    '</cac:AdditionalDocumentReference>'
  );
}
