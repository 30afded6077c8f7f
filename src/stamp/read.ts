// Reading the values stamping and verification need from an invoice DOM we did not write:
// the QR source texts (spec §7), ICV/PIH references, and the parts of an existing signature.
import type { Document, Element } from '@xmldom/xmldom';
import { childElements, findPath, firstChild, NS, textOf } from '../xml/parse.js';

export interface QrSourceTexts {
  sellerName?: string;
  sellerVatNumber?: string;
  issueDate?: string;
  issueTime?: string;
  payableAmount?: string;
  /** The TaxTotal without subtotals (ZATCA's SAR total); falls back to the first TaxTotal. */
  taxTotalSar?: string;
  /** True when the KSA-2 code starts with 02 (simplified). */
  simplified: boolean;
  invoiceTypeName?: string;
  uuid?: string;
  id?: string;
}

export function readQrSources(doc: Document): QrSourceTexts {
  const root = doc.documentElement!;
  const typeCode = firstChild(root, NS.cbc, 'InvoiceTypeCode');
  const name = typeCode?.getAttribute('name') ?? undefined;
  const taxTotals = childElements(root, NS.cac, 'TaxTotal');
  const plain = taxTotals.find((t) => !firstChild(t, NS.cac, 'TaxSubtotal')) ?? taxTotals[0];
  return {
    sellerName: textOf(findPath(root, 'cac:AccountingSupplierParty/cac:Party/cac:PartyLegalEntity/cbc:RegistrationName')),
    sellerVatNumber: textOf(findPath(root, 'cac:AccountingSupplierParty/cac:Party/cac:PartyTaxScheme/cbc:CompanyID')),
    issueDate: textOf(firstChild(root, NS.cbc, 'IssueDate')),
    issueTime: textOf(firstChild(root, NS.cbc, 'IssueTime')),
    payableAmount: textOf(findPath(root, 'cac:LegalMonetaryTotal/cbc:PayableAmount')),
    taxTotalSar: plain ? textOf(firstChild(plain, NS.cbc, 'TaxAmount')) : undefined,
    simplified: !!name && name.startsWith('02'),
    invoiceTypeName: name,
    uuid: textOf(firstChild(root, NS.cbc, 'UUID')),
    id: textOf(firstChild(root, NS.cbc, 'ID')),
  };
}

/** The root's cac:AdditionalDocumentReference whose cbc:ID is `id` (ICV, PIH, QR). */
export function documentReference(doc: Document, id: string): Element | undefined {
  return childElements(doc.documentElement!, NS.cac, 'AdditionalDocumentReference').find((r) => (textOf(firstChild(r, NS.cbc, 'ID')) ?? '').trim() === id);
}

export function readIcv(doc: Document): string | undefined {
  const ref = documentReference(doc, 'ICV');
  return ref ? textOf(firstChild(ref, NS.cbc, 'UUID')) : undefined;
}

/** Text of the attachment of a PIH or QR reference. */
export function readAttachment(doc: Document, id: string): { element: Element; text: string } | undefined {
  const ref = documentReference(doc, id);
  const el = ref ? findPath(ref, 'cac:Attachment/cbc:EmbeddedDocumentBinaryObject') : undefined;
  return el ? { element: el, text: el.textContent ?? '' } : undefined;
}

export interface SignatureParts {
  signature: Element;
  /** DigestValue of the `invoiceSignedData` reference. */
  invoiceDigest?: string;
  /** DigestValue of the `#xadesSignedProperties` reference. */
  signedPropertiesDigest?: string;
  signatureValue?: string;
  certificateText?: string;
  signedProperties?: Element;
  certDigest?: string;
  issuerName?: string;
  serialNumber?: string;
  signingTime?: string;
}

/** All ds:Signature elements inside the root's UBLExtensions. */
export function findSignatures(doc: Document): Element[] {
  const out: Element[] = [];
  for (const ext of childElements(doc.documentElement!, undefined, 'UBLExtensions')) {
    const list = ext.getElementsByTagNameNS(NS.ds, 'Signature');
    for (let i = 0; i < list.length; i++) out.push(list.item(i)!);
  }
  return out;
}

export function readSignatureParts(signature: Element): SignatureParts {
  const parts: SignatureParts = { signature };
  const signedInfo = firstChild(signature, NS.ds, 'SignedInfo');
  for (const ref of signedInfo ? childElements(signedInfo, NS.ds, 'Reference') : []) {
    const digest = textOf(firstChild(ref, NS.ds, 'DigestValue'))?.trim();
    if (ref.getAttribute('URI') === '#xadesSignedProperties') parts.signedPropertiesDigest = digest;
    else if (ref.getAttribute('Id') === 'invoiceSignedData' || ref.getAttribute('URI') === '') parts.invoiceDigest ??= digest;
  }
  parts.signatureValue = textOf(firstChild(signature, NS.ds, 'SignatureValue'))?.trim();
  parts.certificateText = textOf(findPath(signature, 'ds:KeyInfo/ds:X509Data/ds:X509Certificate'));
  const sps = signature.getElementsByTagNameNS(NS.xades, 'SignedProperties');
  for (let i = 0; i < sps.length; i++) {
    const sp = sps.item(i)!;
    if (sp.getAttribute('Id') === 'xadesSignedProperties' || !parts.signedProperties) parts.signedProperties = sp;
  }
  const sp = parts.signedProperties;
  if (sp) {
    const one = (ns: string, name: string): string | undefined => {
      const l = sp.getElementsByTagNameNS(ns, name);
      return l.length ? (l.item(0)!.textContent ?? '').trim() : undefined;
    };
    parts.signingTime = one(NS.xades, 'SigningTime');
    parts.issuerName = one(NS.ds, 'X509IssuerName');
    parts.serialNumber = one(NS.ds, 'X509SerialNumber');
    const certDigest = sp.getElementsByTagNameNS(NS.xades, 'CertDigest');
    if (certDigest.length) parts.certDigest = textOf(firstChild(certDigest.item(0)!, NS.ds, 'DigestValue'))?.trim();
  }
  return parts;
}
