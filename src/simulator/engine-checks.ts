// Wires the simulator's Checks seam to the product engine: crypto/csr (parseCsr), crypto/x509-issue
// (the CA), stamp/ (hash, clearance stamp) and rules/ (validateInvoice) — one place per seam.
import { X509Certificate } from 'node:crypto';
import { describeCertificate } from '../crypto/certificate.js';
import { createCsr, parseCsr as parseCsrDer } from '../crypto/csr.js';
import type { ParsedCsr } from '../crypto/csr-parsed.js';
import { invoiceHashOf } from '../crypto/hash.js';
import { exportPrivateKeyPem, generatePrivateKey, loadPrivateKey } from '../crypto/keys.js';
import { createSigner } from '../crypto/signer.js';
import {
  createCertificateAuthority,
  createSigningCertificate,
  exportCertificateAuthority,
  issueCertificate,
  loadCertificateAuthority,
  type CertificateAuthority,
} from '../crypto/x509-issue.js';
import { signInvoiceXml } from '../stamp/index.js';
import type { ValidationMessage } from '../zatca/types.js';
import { toValidationResults, validateInvoice } from '../rules/index.js';
import type { Authority, Checks, CsrFacts, ValidationContext } from './checks.js';

const ECDSA_WITH_SHA256 = '1.2.840.10045.4.3.2';

/** The parsed CSRs behind CsrFacts, so issuance copies the SAN byte for byte. */
const parsedOf = new WeakMap<CsrFacts, ParsedCsr>();

function toFacts(csr: ParsedCsr): CsrFacts {
  const facts: CsrFacts = {
    publicKeySpki: csr.publicKeySpki,
    signatureValid: csr.signatureValid,
    keyCurve: csr.publicKeyCurve,
    signatureAlgorithm: csr.signatureAlgorithm === ECDSA_WITH_SHA256 ? 'ecdsa-with-SHA256' : csr.signatureAlgorithm,
    subject: {
      ...(csr.subject.countryName !== undefined && { C: csr.subject.countryName }),
      ...(csr.subject.organizationUnitName !== undefined && { OU: csr.subject.organizationUnitName }),
      ...(csr.subject.organizationName !== undefined && { O: csr.subject.organizationName }),
      ...(csr.subject.commonName !== undefined && { CN: csr.subject.commonName }),
    },
    templateName: csr.templateName,
    san: {
      ...(csr.alternativeName.serialNumber !== undefined && { SN: csr.alternativeName.serialNumber }),
      ...(csr.alternativeName.organizationIdentifier !== undefined && { UID: csr.alternativeName.organizationIdentifier }),
      ...(csr.alternativeName.invoiceType !== undefined && { title: csr.alternativeName.invoiceType }),
      ...(csr.alternativeName.locationAddress !== undefined && { registeredAddress: csr.alternativeName.locationAddress }),
      ...(csr.alternativeName.industryBusinessCategory !== undefined && { businessCategory: csr.alternativeName.industryBusinessCategory }),
    },
  };
  parsedOf.set(facts, csr);
  return facts;
}

function toAuthority(ca: CertificateAuthority): Authority {
  const exported = exportCertificateAuthority(ca);
  return { keyPem: exported.privateKeyPem, certificateBase64: ca.der.toString('base64') };
}

function fromAuthority(a: Authority): CertificateAuthority {
  const pem = new X509Certificate(Buffer.from(a.certificateBase64, 'base64')).toString();
  return loadCertificateAuthority({ certificatePem: pem, privateKeyPem: a.keyPem });
}

function toBigInt(serial: Buffer): bigint {
  return BigInt('0x' + serial.toString('hex'));
}

/** ZATCA's validation pipeline (docs/zatca-notes.md §A12.8) is the product's own validator, with the caller's certificate. */
function validateWithRules(xml: string, context: ValidationContext): ValidationMessage[] {
  const report = validateInvoice(xml, { certificate: context.authenticatedCertificate.toString('base64'), now: context.now });
  const results = toValidationResults(report, { lang: context.language });
  return [...results.infoMessages, ...results.warningMessages, ...results.errorMessages];
}

/** The simulator's engine: the product's own CSR parser, CA, validator, hash and stamp. */
export function engineChecks(): Checks {
  return {
    parseCsr(csrPem: string): CsrFacts {
      return toFacts(parseCsrDer(csrPem, 'csr'));
    },

    createTestCsr(identity) {
      const privateKey = generatePrivateKey();
      const config = {
        commonName: identity.commonName,
        serialNumber: identity.serialNumber,
        organizationIdentifier: identity.vat,
        organizationUnitName: identity.organizationUnit,
        organizationName: identity.organizationName,
        countryName: 'SA',
        invoiceType: identity.title,
        locationAddress: identity.address,
        industryBusinessCategory: identity.businessCategory,
      };
      const csr = createCsr({ config, privateKey, environment: 'sandbox' });
      return { csrPem: csr.pem, keyPem: exportPrivateKeyPem(privateKey, 'pkcs8') };
    },

    createAuthority(request) {
      const issuer = request.issuer ? fromAuthority(request.issuer) : undefined;
      const common = { now: request.notBefore, notAfter: request.notAfter, serialNumber: toBigInt(request.serialNumber) };
      const created =
        request.profile === 'stamp'
          ? createSigningCertificate({ ...common, subject: request.subjectDn, issuer: issuer! })
          : createCertificateAuthority({ ...common, subject: request.subjectDn, ...(issuer && { issuer }) });
      return toAuthority(created);
    },

    issueCertificate(request) {
      const parsed = parsedOf.get(request.csr);
      if (!parsed) throw new Error('CSR facts were not produced by this engine');
      return issueCertificate({
        ca: fromAuthority(request.issuer),
        csr: parsed,
        serialNumber: toBigInt(request.serialNumber),
        notBefore: request.notBefore,
        notAfter: request.notAfter,
        profile: request.profile === 'ccsid' ? 'compliance' : 'production',
      }).der;
    },

    validate: validateWithRules,

    invoiceHash(xml: string): string {
      return invoiceHashOf(xml).base64;
    },

    stampCleared(xml, context) {
      const certificate = describeCertificate(new X509Certificate(Buffer.from(context.stamp.certificateBase64, 'base64')), 'stamp certificate');
      const signer = createSigner(loadPrivateKey(context.stamp.keyPem, 'stamp key'));
      return signInvoiceXml(xml, { certificate, signer, signingTime: context.now }).xml;
    },
  };
}
