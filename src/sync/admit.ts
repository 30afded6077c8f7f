// Head office's judgement of one synced document before anything is stored: exact bytes, signature by
// a certificate registered here for the unit, every fact derived from the verified XML, time bounds.
import type { SigningCertificate } from '../crypto/certificate.js';
import { documentFactsOfXml, type XmlFacts } from '../issuing/xml-facts.js';
import { dec } from '../money/decimal.js';
import { ksaLocalToInstant } from '../model/ksa-time.js';
import { verifyInvoice } from '../stamp/index.js';
import { findSignatures, readSignatureParts } from '../stamp/read.js';
import type { Taxpayer } from '../store/index.js';
import { parseInvoiceXml } from '../xml/parse.js';
import type { BatchDocument } from './protocol.js';

/** How far ahead of head office's clock a branch's issue time may be (two machines' clocks differ). */
export const FUTURE_TOLERANCE_MS = 5 * 60_000;

/** Named reasons a document is refused; each is an incident kind and a `SyncReason`. */
export type RefusalKind = 'invalid' | 'signature' | 'unregistered-certificate' | 'figures' | 'time';

export interface Refusal {
  kind: RefusalKind;
  problem: string;
}

export interface AdmittedDocument {
  xml: string;
  invoiceHash: string;
  facts: XmlFacts;
  /** UTC instant of the KSA issue date and time written in the document. */
  issuedAt: string;
  signingTime: string;
  /** The registered certificate that verified the signature. */
  certificate: SigningCertificate;
}

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

/** Claimed figures that must equal the derived ones; any difference is an incident, never a value. */
function figureDifferences(d: BatchDocument, f: XmlFacts): string[] {
  const c = d.facts;
  const diffs: string[] = [];
  const same = (name: string, claimed: string | number | null, derived: string | number | null) => {
    if (String(claimed ?? '') !== String(derived ?? '')) diffs.push(`${name}: claimed ${JSON.stringify(claimed)}, the XML says ${JSON.stringify(derived)}`);
  };
  const sameAmount = (name: string, claimed: string, derived: string) => {
    let equal = false;
    try {
      equal = dec(claimed).eq(dec(derived));
    } catch {
      equal = false;
    }
    if (!equal) diffs.push(`${name}: claimed ${JSON.stringify(claimed.slice(0, 40))}, the XML says ${derived}`);
  };
  same('icv', d.icv, f.icv);
  same('uuid', d.uuid, f.uuid);
  same('number', d.number, f.number);
  same('pih', d.pih, f.pih);
  same('kind', c.kind, f.kind);
  same('documentType', c.documentType, f.documentType);
  same('typeCode', c.typeCode, f.typeCode);
  same('transactionCode', c.transactionCode, f.transactionCode);
  same('issueDate', c.issueDate, f.issueDate);
  same('issueTime', c.issueTime, f.issueTime);
  same('currency', c.currency, f.totals.currency);
  same('buyerVat', c.buyerVat, f.buyerVat);
  same('originalNumber', c.originalNumber, f.originalNumber);
  same('qr', c.qr, f.qr ?? '');
  sameAmount('taxExclusiveAmount', c.taxExclusiveAmount, f.totals.taxExclusive);
  sameAmount('taxAmount', c.taxAmount, f.totals.tax);
  sameAmount('taxAmountSar', c.taxAmountSar, f.totals.taxSar);
  sameAmount('taxInclusiveAmount', c.taxInclusiveAmount, f.totals.taxInclusive);
  sameAmount('payableAmount', c.payableAmount, f.totals.payable);
  sameAmount('taxableAmountSar', c.taxableAmountSar, f.totals.taxableSar);
  if (c.vatBreakdown !== JSON.stringify(f.totals.breakdown)) diffs.push('vatBreakdown: the claimed VAT breakdown is not the one the XML states');
  return diffs;
}

/**
 * Judge one document against the certificates registered for its unit. Returns the facts to store
 * (all derived from the XML) or the refusal. `now` is head office's clock.
 */
export function admitDocument(
  taxpayer: Taxpayer,
  d: BatchDocument,
  registered: readonly SigningCertificate[],
  now: Date,
): { admitted: AdmittedDocument } | { refused: Refusal } {
  const refuse = (kind: RefusalKind, problem: string) => ({ refused: { kind, problem } });
  const xml = Buffer.from(d.xml, 'base64').toString('utf8');
  if (b64(xml) !== d.xml) return refuse('invalid', 'the bytes are not valid UTF-8 (they would not survive storage unchanged)');
  let doc: ReturnType<typeof parseInvoiceXml>;
  try {
    doc = parseInvoiceXml(xml, { source: d.number, readOnly: true });
  } catch (error) {
    return refuse('invalid', `the bytes do not parse as an invoice: ${(error as Error).message}`);
  }
  const signatures = findSignatures(doc);
  if (signatures.length !== 1)
    return refuse('signature', `the document carries ${signatures.length} signatures; a branch's document carries exactly its unit's one`);
  const parts = readSignatureParts(signatures[0]!);
  const embedded = (parts.certificateText ?? '').replace(/\s+/g, '');
  const certificate = registered.find((c) => c.base64 === embedded);
  if (!certificate)
    return refuse(
      'unregistered-certificate',
      `the document is signed with a certificate head office has not registered for unit ${d.serial} (an administrator approves a unit's certificate through its enrolment)`,
    );
  const result = verifyInvoice(doc, { certificate, pih: d.pih });
  const failed = result.checks.filter((c) => c.status === 'fail');
  if (failed.length) return refuse('signature', `the stamp does not verify: ${failed.map((c) => `${c.id}: ${c.message}`).join('; ')}`);
  if (result.invoiceHash !== d.invoiceHash) return refuse('invalid', `the bytes hash to ${result.invoiceHash}, not to the declared ${d.invoiceHash}`);
  const read = documentFactsOfXml(doc, d.facts.exchangeRate);
  if ('problem' in read) return refuse('invalid', read.problem);
  const facts = read.facts;
  if (facts.sellerVat !== taxpayer.vat_number) return refuse('invalid', `the seller's VAT number ${facts.sellerVat} is not ${taxpayer.vat_number}`);
  const diffs = figureDifferences(d, facts);
  if (diffs.length) return refuse('figures', `the batch's figures contradict the signed XML (${diffs.join('; ')})`);
  const issued = ksaLocalToInstant(facts.issueDate, facts.issueTime);
  if (!issued) return refuse('invalid', `the issue date and time ${facts.issueDate}T${facts.issueTime} are not a date and time (BR-KSA-04)`);
  if (issued.getTime() > now.getTime() + FUTURE_TOLERANCE_MS)
    return refuse('time', `the document is dated ${issued.toISOString()}, more than 5 minutes after head office's clock (${now.toISOString()})`);
  if (issued < certificate.notBefore || issued > certificate.notAfter)
    return refuse(
      'time',
      `the document is dated ${issued.toISOString()}, outside its certificate's validity (${certificate.notBefore.toISOString()} – ${certificate.notAfter.toISOString()})`,
    );
  return {
    admitted: { xml, invoiceHash: result.invoiceHash, facts, issuedAt: issued.toISOString(), signingTime: parts.signingTime ?? '', certificate },
  };
}
