// The SIGNATURE layer of verification: invoice hash, certificate (read even when its key is not
// ZATCA's curve), SignedProperties and certificate digests, issuer/serial, ECDSA signature, structure.
import type { Element } from '@xmldom/xmldom';
import { hexDigestBase64, loadCertificate, type SigningCertificate } from '../crypto/certificate.js';
import { createVerifier, type Verifier } from '../crypto/signer.js';
import { isFawtaraError } from '../errors.js';
import { canonicalizeExclusive } from '../xml/c14n.js';
import { childElements, findPath, firstChild, NS } from '../xml/parse.js';
import { readSignatureParts } from './read.js';
import type { Check } from './verify.js';

// A unit signs thousands of invoices with one certificate: parsing it (X.509 + key export, ~0.4 ms)
// and preparing its verifier once per certificate text keeps verification at the cost of the ECDSA
// check itself. Bounded so a stream of distinct certificates cannot grow memory.
const CERTIFICATE_CACHE_SIZE = 256;
const certificateCache = new Map<string, SigningCertificate>();
const verifiers = new WeakMap<SigningCertificate, Verifier>();

function cachedCertificate(text: string, source: string, anyKey = false): SigningCertificate {
  const key = anyKey ? `any:${text}` : text;
  let cert = certificateCache.get(key);
  if (!cert) {
    cert = loadCertificate(text, source, { anyKey });
    if (certificateCache.size >= CERTIFICATE_CACHE_SIZE) certificateCache.delete(certificateCache.keys().next().value!);
    certificateCache.set(key, cert);
  }
  return cert;
}

function verifierOf(cert: SigningCertificate): Verifier {
  let v = verifiers.get(cert);
  if (!v) {
    v = createVerifier(cert.publicKeySpki);
    verifiers.set(cert, v);
  }
  return v;
}

/**
 * The certificate of `ds:X509Certificate` and the check that judges it. A certificate whose key is
 * not EC secp256k1 is still returned, so the signature and QR tags 8/9 are checked with the key it
 * holds (as the team oracle does for other EC curves, which it only warns about).
 */
function readEmbeddedCertificate(text: string): { certificate?: SigningCertificate; check: Check } {
  const base = { layer: 'SIGNATURE', id: 'certificate' } as const;
  if (!text.trim()) {
    return {
      check: {
        ...base,
        status: 'fail',
        code: 'invalid-certificate',
        message: 'ds:X509Certificate is missing or empty: the signature names no certificate',
        messageAr: 'الشهادة ds:X509Certificate مفقودة أو فارغة في التوقيع',
      },
    };
  }
  try {
    const certificate = cachedCertificate(text, 'ds:X509Certificate');
    return { certificate, check: { ...base, status: 'pass', message: `certificate ${certificate.x509.subject.replace(/\n/g, ', ')}` } };
  } catch (error) {
    let certificate: SigningCertificate | undefined;
    try {
      certificate = cachedCertificate(text, 'ds:X509Certificate', true);
    } catch {
      /* not a certificate at all: reported below */
    }
    const key = certificate?.x509.publicKey;
    if (certificate && key?.asymmetricKeyType === 'ec') {
      const curve = key.asymmetricKeyDetails?.namedCurve ?? 'unknown';
      return {
        certificate,
        check: {
          ...base,
          status: 'warn',
          message: `the certificate key is on curve ${curve}; ZATCA issues EC secp256k1 certificates (the signature and QR tags 8/9 are checked with this key)`,
          messageAr: `مفتاح الشهادة على المنحنى ${curve}؛ شهادات الهيئة على المنحنى secp256k1`,
        },
      };
    }
    return {
      certificate,
      check: {
        ...base,
        status: 'fail',
        code: 'invalid-certificate',
        message: certificate
          ? `the certificate key is ${key?.asymmetricKeyType ?? 'unknown'}, not EC secp256k1 as ZATCA requires (the signature and QR tags 8/9 are still checked with it)`
          : isFawtaraError(error)
            ? error.message
            : 'ds:X509Certificate is not a certificate',
        messageAr: certificate ? 'مفتاح الشهادة ليس EC secp256k1 كما تشترط الهيئة' : 'الشهادة ds:X509Certificate ليست شهادة X.509 مقروءة',
      },
    };
  }
}

interface SignatureLayer {
  certificate?: SigningCertificate;
  signatureValue?: string;
}

type Add = (c: Check) => void;
type Parts = ReturnType<typeof readSignatureParts>;

/** Every SIGNATURE check that can be evaluated; returns what the QR layer compares tags 7–9 with. */
export function checkSignatureLayer(
  signatures: Element[],
  simplified: boolean,
  hash: { base64: string; bytes: Buffer },
  expectedCertificate: string | SigningCertificate | undefined,
  add: Add,
): SignatureLayer {
  if (signatures.length === 0) {
    add(
      simplified
        ? {
            layer: 'SIGNATURE',
            id: 'signature-present',
            status: 'fail',
            code: 'signature',
            message: 'a simplified invoice must carry the cryptographic stamp (ds:Signature); none found',
            messageAr: 'الفاتورة المبسطة يجب أن تحمل الختم التشفيري؛ لم يُعثر عليه',
          }
        : {
            layer: 'SIGNATURE',
            id: 'signature-present',
            status: 'skip',
            message: 'the invoice is not signed (allowed for standard invoices, which ZATCA stamps at clearance)',
          },
    );
    return {};
  }
  if (signatures.length > 1) {
    add({
      layer: 'SIGNATURE',
      id: 'signature-count',
      status: 'fail',
      code: 'signature',
      message: `${signatures.length} ds:Signature elements found; exactly one is allowed (the first is checked)`,
      messageAr: `عدد عناصر ds:Signature هو ${signatures.length}؛ المسموح عنصر واحد فقط`,
    });
  }
  const parts = readSignatureParts(signatures[0]!);
  const structure = signatureStructureProblems(signatures[0]!);
  checkStructureAndHash(structure, parts.invoiceDigest, hash.base64, add);
  const embedded = readEmbeddedCertificate(parts.certificateText ?? '');
  const certificate = embedded.certificate;
  add(embedded.check);
  if (certificate && expectedCertificate) {
    const expected = typeof expectedCertificate === 'string' ? cachedCertificate(expectedCertificate, '--cert') : expectedCertificate;
    add(
      expected.der.equals(certificate.der)
        ? { layer: 'SIGNATURE', id: 'certificate-expected', status: 'pass', message: 'signed with the expected certificate' }
        : {
            layer: 'SIGNATURE',
            id: 'certificate-expected',
            status: 'fail',
            code: 'invalid-certificate',
            message: 'the invoice is signed with a different certificate than the one given',
            messageAr: 'الفاتورة موقعة بشهادة مختلفة عن الشهادة المحددة',
          },
    );
  }
  checkDigests(parts, add);
  if (certificate) checkIssuerSerial(parts, certificate, add);
  checkSignatureValue(parts, certificate, hash.bytes, add);
  return { certificate, signatureValue: parts.signatureValue };
}

/** The signature built as ZATCA specifies, and its DigestValue equal to the recomputed invoice hash. */
function checkStructureAndHash(structure: readonly string[], invoiceDigest: string | undefined, hash: string, add: Add): void {
  add(
    structure.length === 0
      ? { layer: 'SIGNATURE', id: 'signature-structure', status: 'pass', message: "SignedInfo algorithms, references and transforms are ZATCA's" }
      : {
          layer: 'SIGNATURE',
          id: 'signature-structure',
          status: 'fail',
          code: 'signature',
          message: `the signature is not built the way ZATCA specifies: ${structure.join('; ')}`,
          messageAr: 'بنية التوقيع لا تطابق مواصفات الهيئة',
        },
  );
  add(
    invoiceDigest === hash
      ? { layer: 'SIGNATURE', id: 'invoice-hash', status: 'pass', message: `DigestValue equals the recomputed invoice hash ${hash}` }
      : {
          layer: 'SIGNATURE',
          id: 'invoice-hash',
          status: 'fail',
          code: 'invalid-invoice-hash',
          message: 'the invoice hash in the signature does not match the document: it was changed after signing',
          messageAr: 'قيمة تجزئة الفاتورة في التوقيع لا تطابق المستند: تم تعديله بعد التوقيع',
          expected: hash,
          actual: invoiceDigest ?? '',
        },
  );
}

/** SignedProperties digest (docs/zatca-notes.md §6.3) and CertDigest (docs/zatca-notes.md §6.2). */
function checkDigests(parts: Parts, add: Add): void {
  if (parts.signedProperties) {
    // docs/zatca-notes.md §6.3: exclusive C14N of the element as it stands, with DigestMethod written self-closed.
    const text = canonicalizeExclusive(parts.signedProperties).replace(/><\/ds:DigestMethod>/g, '/>');
    const want = hexDigestBase64(text);
    add(
      want === parts.signedPropertiesDigest
        ? { layer: 'SIGNATURE', id: 'signed-properties-hashing', status: 'pass', message: 'SignedProperties digest matches' }
        : {
            layer: 'SIGNATURE',
            id: 'signed-properties-hashing',
            status: 'fail',
            code: 'signed-properties-hashing',
            message: 'the SignedProperties digest does not match the SignedProperties element',
            messageAr: 'تجزئة الخصائص الموقعة لا تطابق العنصر',
            expected: want,
            actual: parts.signedPropertiesDigest ?? '',
          },
    );
  } else {
    add({
      layer: 'SIGNATURE',
      id: 'signed-properties-hashing',
      status: 'fail',
      code: 'signed-properties-hashing',
      message: 'no xades:SignedProperties in the signature',
      messageAr: 'لا توجد خصائص موقعة xades:SignedProperties في التوقيع',
    });
  }
  const certText = (parts.certificateText ?? '').replace(/\s+/g, '');
  if (parts.signedProperties && certText) {
    // Over the base64 text, so it is checked even when that text is not a readable certificate.
    const want = hexDigestBase64(certText);
    add(
      want === parts.certDigest
        ? { layer: 'SIGNATURE', id: 'certificate-hashing', status: 'pass', message: 'CertDigest matches the certificate' }
        : {
            layer: 'SIGNATURE',
            id: 'certificate-hashing',
            status: 'fail',
            code: 'certificate-hashing',
            message: 'xades:CertDigest does not match the embedded certificate',
            messageAr: 'تجزئة الشهادة لا تطابق الشهادة المضمنة',
            expected: want,
            actual: parts.certDigest ?? '',
          },
    );
  }
}

/** X509SerialNumber in decimal and X509IssuerName as ZATCA writes it (docs/zatca-notes.md §6.2). */
function checkIssuerSerial(parts: Parts, certificate: SigningCertificate, add: Add): void {
  add(
    parts.serialNumber === certificate.serialNumber
      ? { layer: 'SIGNATURE', id: 'certificate-serial', status: 'pass', message: 'X509SerialNumber is the certificate serial (decimal)' }
      : {
          layer: 'SIGNATURE',
          id: 'certificate-serial',
          status: 'fail',
          code: 'certificate-serial',
          message: 'Invalid certificate serial number: X509SerialNumber must be the certificate serial in decimal',
          messageAr: 'الرقم التسلسلي للشهادة غير صحيح',
          expected: certificate.serialNumber,
          actual: parts.serialNumber ?? '',
        },
  );
  const norm = (s: string): string =>
    s
      .split(/\s*,\s*/)
      .sort()
      .join(',');
  add(
    parts.issuerName === certificate.issuerName
      ? { layer: 'SIGNATURE', id: 'certificate-issuer', status: 'pass', message: 'X509IssuerName is the certificate issuer' }
      : parts.issuerName && norm(parts.issuerName) === norm(certificate.issuerName)
        ? {
            layer: 'SIGNATURE',
            id: 'certificate-issuer',
            status: 'warn',
            message: `X509IssuerName names the issuer but not as ZATCA writes it (${certificate.issuerName})`,
          }
        : {
            layer: 'SIGNATURE',
            id: 'certificate-issuer',
            status: 'fail',
            code: 'certificate-issuer',
            message: 'Invalid certificate issuer name',
            messageAr: 'اسم مُصدر الشهادة غير صحيح',
            expected: certificate.issuerName,
            actual: parts.issuerName ?? '',
          },
  );
}

/** The ECDSA signature over the invoice hash, with the key the certificate holds. */
function checkSignatureValue(parts: Parts, certificate: SigningCertificate | undefined, hashBytes: Buffer, add: Add): void {
  const signatureValue = parts.signatureValue;
  if (!signatureValue?.trim()) {
    // An empty signature skeleton: nothing was signed, whatever the certificate says.
    add({
      layer: 'SIGNATURE',
      id: 'signature',
      status: 'fail',
      code: 'signatureValue',
      message: 'ds:SignatureValue is missing or empty: the invoice was never signed (an empty signature skeleton); sign it',
      messageAr: 'قيمة التوقيع ds:SignatureValue مفقودة أو فارغة: لم تُوقّع الفاتورة (هيكل توقيع فارغ)؛ قم بتوقيعها',
    });
    return;
  }
  if (!certificate) return;
  const sig = Buffer.from(signatureValue, 'base64');
  const verifier = verifierOf(certificate);
  if (verifier.verify(hashBytes, sig)) {
    add({ layer: 'SIGNATURE', id: 'signature', status: 'pass', message: 'ECDSA signature verifies over the invoice hash' });
    return;
  }
  const overDigest = parts.invoiceDigest ? verifier.verify(Buffer.from(parts.invoiceDigest, 'base64'), sig) : false;
  add({
    layer: 'SIGNATURE',
    id: 'signature',
    status: 'fail',
    code: 'signatureValue',
    message: overDigest
      ? 'the signature verifies over the DigestValue but not over the document: it was changed after signing'
      : 'the ECDSA signature does not verify with the certificate key',
    messageAr: overDigest ? 'التوقيع صالح لقيمة DigestValue وليس للمستند: تم تعديله بعد التوقيع' : 'التوقيع الرقمي لا يتحقق بمفتاح الشهادة',
  });
}

const ALG = {
  c14n11: 'http://www.w3.org/2006/12/xml-c14n11',
  ecdsaSha256: 'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256',
  xpath: 'http://www.w3.org/TR/1999/REC-xpath-19991116',
  sha256: 'http://www.w3.org/2001/04/xmlenc#sha256',
};
const ZATCA_XPATHS = [
  'not(//ancestor-or-self::ext:UBLExtensions)',
  'not(//ancestor-or-self::cac:Signature)',
  "not(//ancestor-or-self::cac:AdditionalDocumentReference[cbc:ID='QR'])",
];

/** SignedInfo as ZATCA builds it (docs/zatca-notes.md §6): algorithms, the two references and their transforms. */
function signatureStructureProblems(signature: Element): string[] {
  const problems: string[] = [];
  const signedInfo = firstChild(signature, NS.ds, 'SignedInfo');
  const alg = (el: Element | undefined, name: string): string | undefined =>
    el ? (firstChild(el, NS.ds, name)?.getAttribute('Algorithm') ?? undefined) : undefined;
  if (alg(signedInfo, 'CanonicalizationMethod') !== ALG.c14n11) problems.push(`CanonicalizationMethod is not ${ALG.c14n11}`);
  if (alg(signedInfo, 'SignatureMethod') !== ALG.ecdsaSha256) problems.push(`SignatureMethod is not ${ALG.ecdsaSha256}`);
  const refs = signedInfo ? childElements(signedInfo, NS.ds, 'Reference') : [];
  const invoiceRef = refs.find((r) => r.getAttribute('Id') === 'invoiceSignedData');
  const spRef = refs.find((r) => r.getAttribute('URI') === '#xadesSignedProperties');
  if (!invoiceRef) problems.push("no ds:Reference with Id='invoiceSignedData'");
  else {
    if (invoiceRef.getAttribute('URI') !== '') problems.push('the invoiceSignedData reference URI is not ""');
    const transforms = findPath(invoiceRef, 'ds:Transforms');
    const list = transforms ? childElements(transforms, NS.ds, 'Transform') : [];
    const xpaths = list.flatMap((t) => childElements(t, NS.ds, 'XPath')).map((x) => norm(x.textContent ?? ''));
    if (xpaths.join('\n') !== ZATCA_XPATHS.join('\n')) problems.push("the invoiceSignedData XPath transforms are not ZATCA's");
    if (list.map((t) => t.getAttribute('Algorithm')).join(' ') !== [ALG.xpath, ALG.xpath, ALG.xpath, ALG.c14n11].join(' '))
      problems.push("the invoiceSignedData transform algorithms are not ZATCA's");
    if (alg(invoiceRef, 'DigestMethod') !== ALG.sha256) problems.push('the invoiceSignedData DigestMethod is not SHA-256');
  }
  if (!spRef) problems.push("no ds:Reference with URI='#xadesSignedProperties'");
  else if (alg(spRef, 'DigestMethod') !== ALG.sha256) problems.push('the SignedProperties reference DigestMethod is not SHA-256');
  return problems;
}

function norm(s: string): string {
  return s.replace(/[ \t\r\n]+/g, ' ').trim();
}
