// The validation pipeline of a simulated environment (docs/zatca-notes.md §A12.8): the engine's checks, then what
// only the platform knows — the signer's certificate, permissions, the unit's chain — and severities.
import { X509Certificate } from 'node:crypto';
import { isFawtaraError } from '../errors.js';
import { parseInvoiceXml } from '../xml/parse.js';
import type { ValidationMessage, ZatcaEndpoint } from '../zatca/types.js';
import type { GatewayRequest, SimEnvironment } from './environment.js';
import { INITIAL_PIH } from '../model/chain.js';
import { BASE64_SHAPE, HASH_SHAPE, parseJsonObject, type PipelineRun } from './env-shared.js';
import { apiWording } from './api-wording.js';
import { ownKeyFindings } from './env-developer-portal.js';
import { readInvoiceFacts, type SubmittedInvoiceFacts } from './invoice-facts.js';
import { simMessage, toResults } from './messages.js';
import type { CsidRecord } from './state.js';

// --- validation pipeline (docs/zatca-notes.md §A12.8) -------------------------------------------------------

export async function pipeline(env: SimEnvironment, request: GatewayRequest, csid: CsidRecord, endpoint: ZatcaEndpoint): Promise<PipelineRun> {
  const language = env.language(request);
  const stop = (messages: ValidationMessage[], extra: Partial<PipelineRun> = {}): PipelineRun => ({
    results: toResults(applyOverrides(env, messages)),
    ...extra,
  });
  const body = parseJsonObject(request.rawBody);
  // A body that is not JSON is answered as an invalid document (docs/zatca-notes.md §A12.2 step 7).
  if (!body) return stop([simMessage('xsd-invalid', language, 'the request body is not a JSON object')]);
  const bodyHash = body.invoiceHash;
  if (bodyHash === undefined || bodyHash === null || bodyHash === '') return stop([simMessage('hash-missing', language)]);
  if (typeof bodyHash !== 'string' || !HASH_SHAPE.test(bodyHash) || Buffer.from(bodyHash, 'base64').length !== 32) {
    return stop([simMessage('hash-format', language)]);
  }
  const invoice = body.invoice;
  if (typeof invoice !== 'string' || invoice === '' || !BASE64_SHAPE.test(invoice)) {
    return stop([simMessage('xsd-invalid', language)], { bodyHash });
  }
  const bytes = Buffer.from(invoice, 'base64');
  let facts: SubmittedInvoiceFacts;
  let xml: string;
  try {
    const doc = parseInvoiceXml(bytes, { maxBytes: env.maxBodyBytes });
    facts = readInvoiceFacts(doc);
    xml = bytes.toString('utf8');
    if (xml.charCodeAt(0) === 0xfeff) xml = xml.slice(1);
  } catch (error) {
    const detail = isFawtaraError(error) ? error.message : 'the document could not be read';
    return stop([simMessage('xsd-invalid', language, detail)], { bodyHash, invoiceBase64: invoice });
  }
  const base = { bodyHash, invoiceBase64: invoice, facts };
  if (endpoint === 'reporting' && !facts.simplified && env.state.clearanceEnabled) {
    return stop([simMessage('xsd-valid', language), simMessage('not-simplified', language)], base);
  }
  if (endpoint === 'clearance' && !facts.standard) {
    return stop([simMessage('xsd-valid', language), simMessage('not-standard', language)], base);
  }

  const messages: ValidationMessage[] = [];
  try {
    const found = await env.checks.validate(xml, {
      mode: endpoint === 'compliance-invoices' ? 'compliance' : endpoint === 'clearance' ? 'clearance' : 'reporting',
      language,
      authenticatedCertificate: Buffer.from(signerCertificate(env, facts, csid, endpoint), 'base64'),
      simplified: facts.simplified,
      now: env.now(),
    });
    messages.push(...apiWording(ownKeyFindings(env, found, language), language));
  } catch {
    messages.push(simMessage('general', language));
  }
  const computed = env.checks.invoiceHash(xml);
  if (computed !== bodyHash) messages.push(simMessage('invalid-invoice-hash', language));
  if (typeof body.uuid === 'string' && facts.uuid !== null && body.uuid.trim() !== facts.uuid) messages.push(simMessage('uuid-mismatch', language));
  messages.push(...certificateFindings(env, facts, language));
  messages.push(...permissionFindings(facts, csid, language));
  if (endpoint !== 'compliance-invoices') messages.push(...chainFindings(env, facts, csid, language));
  return { ...base, xml, computedHash: computed, results: toResults(applyOverrides(env, messages)) };
}

/**
 * The certificate the document must be signed with. A production CSID may submit a document another
 * production CSID of the same VAT number signed (docs/zatca-notes.md §P0: a head-office server relaying a branch
 * device's invoices); the signer's own validity is checked by certificateFindings.
 */
export function signerCertificate(env: SimEnvironment, facts: SubmittedInvoiceFacts, csid: CsidRecord, endpoint: string): string {
  if (endpoint === 'compliance-invoices' || !facts.embeddedCertificate || facts.embeddedCertificate === csid.certificateBase64) return csid.certificateBase64;
  const signer = Object.values(env.state.csids).find((c) => c.certificateBase64 === facts.embeddedCertificate);
  return signer && signer.kind === csid.kind && signer.vat === csid.vat ? signer.certificateBase64 : csid.certificateBase64;
}

/** docs/zatca-notes.md §A12.8 step 7: the embedded certificate must be one of ours, not revoked or expired. */
export function certificateFindings(env: SimEnvironment, facts: SubmittedInvoiceFacts, language: 'en' | 'ar'): ValidationMessage[] {
  if (!facts.embeddedCertificate) return [];
  const known = Object.values(env.state.csids).find((c) => c.certificateBase64 === facts.embeddedCertificate);
  if (known) {
    const out: ValidationMessage[] = [];
    if (known.revokedAt || env.isExpired(known)) out.push(simMessage('invalid-certificate', language));
    if (facts.sellerVat !== null && known.vat !== facts.sellerVat) {
      out.push(simMessage('certificate-issuer-name', language), simMessage('invalid-signing-certificate', language));
    }
    return out;
  }
  if (!env.state.authorities) return [simMessage('invalid-certificate', language)];
  try {
    const cert = new X509Certificate(Buffer.from(facts.embeddedCertificate, 'base64'));
    const issuers = [env.state.authorities.complianceIssuer, env.state.authorities.issuing].map(
      (a) => new X509Certificate(Buffer.from(a.certificateBase64, 'base64')),
    );
    if (issuers.some((ca) => cert.checkIssued(ca) && cert.verify(ca.publicKey))) return [];
  } catch {
    /* not a certificate at all: same answer */
  }
  return [simMessage('invalid-certificate', language)];
}

/** docs/zatca-notes.md §A12.8 step 8. */
export function permissionFindings(facts: SubmittedInvoiceFacts, csid: CsidRecord, language: 'en' | 'ar'): ValidationMessage[] {
  const out: ValidationMessage[] = [];
  if (facts.sellerVat !== null && facts.sellerVat !== csid.vat) out.push(simMessage('permissions-vat', language));
  if (facts.simplified && csid.title[1] !== '1') out.push(simMessage('permissions-simplified', language));
  if (facts.standard && csid.title[0] !== '1') out.push(simMessage('permissions-standard', language));
  return out;
}

/** docs/zatca-notes.md §A12.8 step 9 (off by default): ICV follows and PIH chains within the unit. */
export function chainFindings(env: SimEnvironment, facts: SubmittedInvoiceFacts, csid: CsidRecord, language: 'en' | 'ar'): ValidationMessage[] {
  if (env.mode.chainCheck === 'off') return [];
  const egs = env.state.egs[csid.egsId];
  if (!egs) return [];
  const type = env.mode.chainCheck === 'error' ? 'ERROR' : 'WARNING';
  const out: ValidationMessage[] = [];
  const expectedPih = egs.lastInvoiceHash ?? INITIAL_PIH;
  if (facts.pih !== expectedPih) out.push(simMessage('pih-mismatch', language, undefined, type));
  if (egs.lastIcv !== undefined && facts.icv !== egs.lastIcv + 1) out.push(simMessage('icv-gap', language, undefined, type));
  return out;
}

export function applyOverrides(env: SimEnvironment, messages: ValidationMessage[]): ValidationMessage[] {
  const overrides = env.mode.severityOverrides;
  if (Object.keys(overrides).length === 0) return messages;
  const out: ValidationMessage[] = [];
  for (const m of messages) {
    const o = m.code ? overrides[m.code] : undefined;
    if (o === 'OFF') continue;
    out.push(o && m.type !== 'INFO' ? { ...m, type: o, status: o } : m);
  }
  return out;
}
