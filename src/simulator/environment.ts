// One simulated FATOORA environment (developer-portal, simulation or core): the six endpoints of
// spec §12.4–§12.10 over its own state, CA and clock, independent of HTTP plumbing.
import { timingSafeEqual, X509Certificate } from 'node:crypto';
import { isFawtaraError } from '../errors.js';
import { encodeBinarySecurityToken } from '../zatca/credentials.js';
import { TOKEN_TYPE_X509, type ValidationMessage, type ValidationResults, type ZatcaEndpoint } from '../zatca/types.js';
import { parseInvoiceXml } from '../xml/parse.js';
import type { Checks, CsrFacts } from './checks.js';
import type { EnvironmentMode, SimEnvironmentId } from './config.js';
import { FaultPlan } from './faults.js';
import { readInvoiceFacts, requiredStepsFor, COMPLIANCE_STEPS, type SubmittedInvoiceFacts } from './invoice-facts.js';
import { csidErrorBody, internalErrorBody, missingStepsBody, simMessage, toResults, unauthorizedBody, type SimMessageKey } from './messages.js';
import { SeededRandom } from './random.js';
import {
  loadState,
  saveState,
  type AuthoritySet,
  type CsidKind,
  type CsidRecord,
  type EgsRecord,
  type EgsState,
  type EnvironmentState,
  type SubmissionRecord,
} from './state.js';
import type { Clock } from './clock.js';

/** A request as the environment sees it: lower-cased headers and the raw body text. */
export interface GatewayRequest {
  headers: Record<string, string | undefined>;
  rawBody: string;
}

export interface GatewayResponse {
  status: number;
  /** JSON body; absent with `text` for plain text, absent with neither for an empty body. */
  body?: unknown;
  text?: string;
  /** Diagnostic header for simulator-only failures (a crash inside the simulator). */
  diagnostic?: string;
  /** The portal's own signal on a 401: the credential's unit is revoked, and why (never sent by ZATCA's gateway). */
  revocation?: string;
}

const HOUR_MS = 3600_000;
const DAY_MS = 24 * HOUR_MS;
const INITIAL_PIH = 'NWZlY2ViNjZmZmM4NmYzOGQ5NTI3ODZjNmQ2OTZjNzljMmRiYzIzOWRkNGU5MWI0NjcyOWQ3M2EyN2ZiNTdlOQ==';
const HASH_SHAPE = /^[A-Za-z0-9+/]{43}=$/;
const BASE64_SHAPE = /^[A-Za-z0-9+/\r\n]*={0,2}\s*$/;
const SERIAL_SHAPE = /^1-[^|]+\|2-[^|]+\|3-[^|]+$/;
const VAT_SHAPE = /^3\d{13}3$/;
const ECDSA_SHA256 = ['ecdsa-with-SHA256', '1.2.840.10045.4.3.2', 'ecdsaWithSHA256'];

export class SimEnvironment {
  state: EnvironmentState;
  readonly faults: FaultPlan;
  private readonly ids: SeededRandom;
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    readonly id: SimEnvironmentId,
    readonly mode: EnvironmentMode,
    private readonly checks: Checks,
    readonly clock: Clock,
    seed: string,
    private readonly dataDir: string | undefined,
    readonly maxBodyBytes: number,
  ) {
    this.state = loadState(dataDir, id);
    this.ids = new SeededRandom(seed, `${id}/ids`);
    this.faults = new FaultPlan(new SeededRandom(seed, `${id}/faults`));
  }

  now(): Date {
    return this.clock.now();
  }

  save(): void {
    saveState(this.dataDir, this.state);
  }

  // --- certificate authority (spec §12.3) ---------------------------------------------------

  authorities(): AuthoritySet {
    if (this.state.authorities) return this.state.authorities;
    const now = this.now();
    const years = (n: number): Date => new Date(now.getTime() + n * 365 * DAY_MS);
    const serial = (): Buffer => this.positiveSerial(16);
    const complianceIssuer = this.checks.createAuthority({
      profile: 'compliance-issuer',
      subjectDn: 'CN=eInvoicing',
      serialNumber: serial(),
      notBefore: now,
      notAfter: years(20),
    });
    const root = this.checks.createAuthority({
      profile: 'root-ca',
      subjectDn: 'CN=ZATCA-Code-Signing-Simulator-Root, DC=extgazt, DC=gov, DC=local',
      serialNumber: serial(),
      notBefore: now,
      notAfter: years(20),
    });
    const issuing = this.checks.createAuthority({
      profile: 'issuing-ca',
      subjectDn: this.mode.issuingCaDn,
      issuer: root,
      serialNumber: serial(),
      notBefore: now,
      notAfter: years(15),
    });
    const stamp = this.checks.createAuthority({
      profile: 'stamp',
      subjectDn: `CN=ZATCA Simulator Stamp (${this.id}), O=Zakat Tax and Customs Authority, C=SA`,
      issuer: issuing,
      serialNumber: serial(),
      notBefore: now,
      notAfter: years(5),
    });
    this.state.authorities = { complianceIssuer, root, issuing, stamp };
    this.save();
    return this.state.authorities;
  }

  private positiveSerial(length: number): Buffer {
    const b = this.ids.bytes(length);
    b[0] = (b[0]! & 0x7f) | 0x01; // positive, no leading zero byte
    return b;
  }

  private newRequestId(): number {
    for (let i = 0; i < 100; i++) {
      const id = Number(String(this.ids.int(1, 9)) + this.ids.digits(12));
      if (!Object.values(this.state.csids).some((c) => c.requestId === id)) return id;
    }
    throw new Error('could not draw a unique requestID');
  }

  private newSecret(): string {
    return this.ids.bytes(32).toString('base64');
  }

  private issueCsid(kind: CsidKind, csrPem: string, csr: CsrFacts, egsId: string, requestId?: number): CsidRecord {
    const auth = this.authorities();
    const now = this.now();
    const notAfter = new Date(now.getTime() + this.mode.certificateValidityDays * DAY_MS);
    let serialNumber: Buffer;
    if (kind === 'compliance') {
      // CCSID serials are epoch milliseconds (spec §6); keep them unique within the environment.
      let ms = BigInt(now.getTime());
      const used = new Set(Object.values(this.state.csids).map((c) => c.requestId));
      while (used.has(Number(ms))) ms += 1n;
      serialNumber = Buffer.from(ms.toString(16).padStart(12, '0'), 'hex');
    } else {
      serialNumber = this.positiveSerial(19);
    }
    const der = this.checks.issueCertificate({
      profile: kind === 'compliance' ? 'ccsid' : 'pcsid',
      issuer: kind === 'compliance' ? auth.complianceIssuer : auth.issuing,
      csr,
      subjectOrder: kind === 'compliance' ? ['C', 'OU', 'O', 'CN'] : ['C', 'O', 'OU', 'CN'],
      serialNumber,
      notBefore: now,
      notAfter,
    });
    const title = csr.san.title ?? '';
    const record: CsidRecord = {
      token: encodeBinarySecurityToken(der),
      secret: this.newSecret(),
      kind,
      egsId,
      requestId: requestId ?? this.newRequestId(),
      certificateBase64: Buffer.from(der).toString('base64'),
      notBefore: now.toISOString(),
      notAfter: notAfter.toISOString(),
      vat: csr.san.UID ?? '',
      title,
      csrPem,
      requiredSteps: kind === 'compliance' && this.mode.enforceComplianceSteps ? requiredStepsFor(title) : [],
      doneSteps: [],
    };
    this.state.csids[record.token] = record;
    return record;
  }

  revokeCsid(token: string | undefined, reason: string): void {
    const csid = token ? this.state.csids[token] : undefined;
    if (csid && !csid.revokedAt) {
      csid.revokedAt = this.now().toISOString();
      csid.revocationReason = reason;
    }
  }

  /** Revoke a unit and every credential it holds (portal revocation, VAT events). */
  revokeEgs(egs: EgsRecord, reason: string): void {
    for (const csid of Object.values(this.state.csids)) if (csid.egsId === egs.id) this.revokeCsid(csid.token, reason);
    if (!egs.revokedAt) {
      egs.revokedAt = this.now().toISOString();
      egs.revocationReason = reason;
    }
  }

  isExpired(csid: CsidRecord): boolean {
    return this.now().getTime() > Date.parse(csid.notAfter);
  }

  egsState(egs: EgsRecord): EgsState {
    if (egs.revokedAt) return 'REVOKED';
    const pcsid = egs.pcsidToken ? this.state.csids[egs.pcsidToken] : undefined;
    const ccsid = this.state.csids[egs.ccsidToken];
    if (pcsid && ccsid?.renewalOf === pcsid.token && !ccsid.promotedTo) return 'RENEWAL_PENDING';
    if (pcsid) return this.isExpired(pcsid) ? 'EXPIRED' : pcsid.revokedAt ? 'REVOKED' : 'ACTIVE';
    if (!ccsid) return 'REVOKED';
    if (this.isExpired(ccsid)) return 'EXPIRED';
    const missing = ccsid.requiredSteps.filter((s) => !ccsid.doneSteps.includes(s));
    if (missing.length === 0) return 'COMPLIANCE_DONE';
    return ccsid.doneSteps.length > 0 ? 'COMPLIANCE_IN_PROGRESS' : 'CCSID_ISSUED';
  }

  // --- request plumbing ---------------------------------------------------------------------

  /** Spec §12.2 step 6: Basic auth with a token this environment issued, of the right kind. */
  authenticate(request: GatewayRequest, kinds: CsidKind[]): CsidRecord | null {
    const header = request.headers.authorization ?? '';
    const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
    if (!match) return null;
    const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return null;
    const csid = this.state.csids[decoded.slice(0, colon)];
    if (!csid) return null;
    const given = Buffer.from(decoded.slice(colon + 1));
    const expected = Buffer.from(csid.secret);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
    if (!kinds.includes(csid.kind) || csid.revokedAt || this.isExpired(csid)) return null;
    const egs = this.state.egs[csid.egsId];
    if (!egs || egs.revokedAt) return null;
    return csid;
  }

  /** Spec §12.2 step 5: optional token bucket per credential. */
  rateLimited(request: GatewayRequest): boolean {
    const limit = this.mode.rateLimit;
    if (!limit) return false;
    const key = request.headers.authorization ?? 'anonymous';
    const now = this.now().getTime();
    const bucket = this.buckets.get(key) ?? { tokens: limit.capacity, at: now };
    bucket.tokens = Math.min(limit.capacity, bucket.tokens + ((now - bucket.at) / 1000) * limit.refillPerSecond);
    bucket.at = now;
    this.buckets.set(key, bucket);
    if (bucket.tokens < 1) return true;
    bucket.tokens -= 1;
    return false;
  }

  /** 401; when the credential is genuine but its CSID or unit was revoked, the portal's signal says so. */
  private unauthorized(request?: GatewayRequest): GatewayResponse {
    const revocation = request ? this.revocationOf(request) : undefined;
    return { status: 401, body: unauthorizedBody(this.now()), ...(revocation && { revocation }) };
  }

  private revocationOf(request: GatewayRequest): string | undefined {
    const match = /^Basic\s+(.+)$/i.exec(request.headers.authorization ?? '');
    if (!match) return undefined;
    const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const csid = colon < 0 ? undefined : this.state.csids[decoded.slice(0, colon)];
    if (!csid || csid.secret !== decoded.slice(colon + 1)) return undefined;
    const egs = this.state.egs[csid.egsId];
    if (egs?.revokedAt) return egs.revocationReason ?? 'revoked';
    if (csid.revokedAt) return csid.revocationReason ?? 'revoked';
    return undefined;
  }

  private language(request: GatewayRequest): 'en' | 'ar' {
    return (request.headers['accept-language'] ?? '').trim().toLowerCase().startsWith('ar') ? 'ar' : 'en';
  }

  // --- POST /compliance (spec §12.4) --------------------------------------------------------

  complianceCsid(request: GatewayRequest): GatewayResponse {
    const otp = (request.headers.otp ?? '').trim();
    if (otp === '') return { status: 400, body: csidErrorBody('Missing-OTP') };
    const csrPem = readCsrField(request.rawBody);
    if (csrPem === undefined) return { status: 400, body: csidErrorBody('Missing-CSR') };
    const csr = this.parseCsr(csrPem);
    if (!this.otpAccepted(otp, 'onboard', csr?.san.UID)) return { status: 400, body: csidErrorBody('Invalid-OTP') };
    if (!csr || !this.csrAcceptable(csr)) return { status: 400, body: csidErrorBody('Invalid-CSR') };
    this.consumeOtp(otp);
    const egsId = `egs-${String(this.state.nextEgsNumber++).padStart(4, '0')}`;
    const ccsid = this.issueCsid('compliance', csrPem, csr, egsId, this.mode.constantComplianceRequestId ?? undefined);
    this.state.egs[egsId] = {
      id: egsId,
      vat: csr.san.UID!,
      commonName: csr.subject.CN!,
      serialNumber: csr.san.SN!,
      organizationUnit: csr.subject.OU!,
      title: csr.san.title!,
      createdAt: this.now().toISOString(),
      ccsidToken: ccsid.token,
    };
    this.save();
    return {
      status: 200,
      body: { requestID: ccsid.requestId, dispositionMessage: 'ISSUED', binarySecurityToken: ccsid.token, secret: ccsid.secret },
    };
  }

  private parseCsr(csrPem: string): CsrFacts | undefined {
    try {
      return this.checks.parseCsr(csrPem);
    } catch {
      return undefined;
    }
  }

  /** Spec §12.4 step 3. */
  csrAcceptable(csr: CsrFacts): boolean {
    const s = csr.subject;
    const san = csr.san;
    const nonEmpty = (v: string | undefined): boolean => v !== undefined && v.trim() !== '';
    if (!csr.signatureValid || csr.keyCurve !== 'secp256k1' || !ECDSA_SHA256.includes(csr.signatureAlgorithm)) return false;
    if (s.C !== 'SA' || !nonEmpty(s.OU) || !nonEmpty(s.O) || !nonEmpty(s.CN)) return false;
    if (!csr.templateName || !this.mode.expectedTemplates.includes(csr.templateName)) return false;
    if (!san.SN || !SERIAL_SHAPE.test(san.SN)) return false;
    if (!san.UID || !VAT_SHAPE.test(san.UID)) return false;
    if (!san.title || !this.mode.allowedTitles.includes(san.title)) return false;
    if (!nonEmpty(san.registeredAddress) || !nonEmpty(san.businessCategory)) return false;
    // VAT group numbers carry 1 at the 11th digit; OU must then be the member's 10-digit TIN (§5.2).
    if (san.UID[10] === '1' && !/^\d{10}$/.test(s.OU!)) return false;
    return true;
  }

  private otpAccepted(otp: string, purpose: 'onboard' | 'renew', vat: string | undefined): boolean {
    if (this.mode.otpPolicy === 'sandbox') return /^\d{6}$/.test(otp) && otp !== '111111' && otp !== '222222';
    const record = this.state.otps[otp];
    if (!record || record.usedAt || record.purpose !== purpose) return false;
    if (this.now().getTime() >= Date.parse(record.expiresAt)) return false;
    if (vat !== undefined && record.vat !== vat) return false;
    const taxpayer = this.state.taxpayers[record.vat];
    return !!taxpayer && (taxpayer.status === 'Active' || taxpayer.status === 'Reactive');
  }

  private consumeOtp(otp: string): void {
    const record = this.state.otps[otp];
    if (record) record.usedAt = this.now().toISOString();
  }

  // --- POST /compliance/invoices (spec §12.5) -------------------------------------------------

  async complianceInvoices(request: GatewayRequest): Promise<GatewayResponse> {
    const kinds: CsidKind[] = this.mode.allowPcsidOnCompliance ? ['compliance', 'production'] : ['compliance'];
    const csid = this.authenticate(request, kinds);
    if (!csid) return this.unauthorized(request);
    const run = await this.pipeline(request, csid, 'compliance-invoices');
    const results = run.results;
    const passed = results.status === 'PASS' || (results.status === 'WARNING' && this.mode.warningCountsAsPass);
    const step = run.facts?.complianceStep;
    if (passed && step && csid.kind === 'compliance' && !csid.doneSteps.includes(step)) csid.doneSteps.push(step);
    const status = results.status === 'ERROR' ? 400 : results.status === 'WARNING' ? this.mode.complianceWarningStatus : 200;
    this.record(csid, 'compliance-invoices', status, run);
    this.save();
    const simplified = run.facts?.simplified ?? false;
    const ok = results.status !== 'ERROR';
    return {
      status,
      body: {
        validationResults: results,
        reportingStatus: simplified ? (ok ? 'REPORTED' : 'NOT_REPORTED') : null,
        clearanceStatus: simplified ? null : ok ? 'CLEARED' : 'NOT_CLEARED',
        qrSellertStatus: null,
        qrBuyertStatus: null,
      },
    };
  }

  // --- POST /production/csids (spec §12.6) ----------------------------------------------------

  productionCsid(request: GatewayRequest): GatewayResponse {
    const ccsid = this.authenticate(request, ['compliance']);
    if (!ccsid) return this.unauthorized(request);
    const body = parseJsonObject(request.rawBody);
    const given = body?.compliance_request_id;
    if ((typeof given !== 'string' && typeof given !== 'number') || String(given).trim() !== String(ccsid.requestId) || ccsid.promotedTo) {
      return { status: 400, body: csidErrorBody('Invalid-Request-ID') };
    }
    const missing = COMPLIANCE_STEPS.filter((s) => ccsid.requiredSteps.includes(s) && !ccsid.doneSteps.includes(s));
    if (missing.length > 0) return { status: 400, body: missingStepsBody(missing) };
    const csr = this.parseCsr(ccsid.csrPem);
    if (!csr) throw new Error('stored CSR no longer parses');
    const pcsid = this.issueCsid('production', ccsid.csrPem, csr, ccsid.egsId);
    ccsid.promotedTo = pcsid.token;
    const egs = this.state.egs[ccsid.egsId]!;
    // Completing a renewal: the previous PCSID is revoked now (spec §12.6 step 3).
    if (ccsid.renewalOf) this.revokeCsid(ccsid.renewalOf, 'renewed');
    egs.pcsidToken = pcsid.token;
    this.save();
    return {
      status: 200,
      body: { requestID: pcsid.requestId, tokenType: TOKEN_TYPE_X509, dispositionMessage: 'ISSUED', binarySecurityToken: pcsid.token, secret: pcsid.secret },
    };
  }

  // --- PATCH /production/csids (spec §12.7) ---------------------------------------------------

  renewProductionCsid(request: GatewayRequest): GatewayResponse {
    const pcsid = this.authenticate(request, ['production']);
    if (!pcsid) return this.unauthorized(request);
    const otp = (request.headers.otp ?? '').trim();
    if (otp === '') return { status: 400, body: csidErrorBody('Missing-OTP') };
    const csrPem = readCsrField(request.rawBody);
    if (csrPem === undefined) return { status: 400, body: csidErrorBody('Missing-CSR') };
    if (!this.otpAccepted(otp, 'renew', pcsid.vat)) return { status: 400, body: csidErrorBody('Invalid-OTP') };
    const csr = this.parseCsr(csrPem);
    if (!csr || !this.csrAcceptable(csr) || csr.san.UID !== pcsid.vat) return { status: 400, body: csidErrorBody('Invalid-CSR') };
    this.consumeOtp(otp);
    const egs = this.state.egs[pcsid.egsId]!;
    if (this.mode.renewalResponse === 200) {
      const next = this.issueCsid('production', csrPem, csr, egs.id);
      this.revokeCsid(pcsid.token, 'renewed');
      egs.pcsidToken = next.token;
      egs.title = csr.san.title!;
      this.save();
      return {
        status: 200,
        body: { requestID: next.requestId, tokenType: TOKEN_TYPE_X509, dispositionMessage: 'ISSUED', binarySecurityToken: next.token, secret: next.secret },
      };
    }
    const ccsid = this.issueCsid('compliance', csrPem, csr, egs.id);
    ccsid.renewalOf = pcsid.token;
    egs.ccsidToken = ccsid.token;
    egs.title = csr.san.title!;
    if (this.mode.revokeOldOnPatch) this.revokeCsid(pcsid.token, 'renewed');
    this.save();
    const body = {
      requestID: ccsid.requestId,
      tokenType: null,
      dispositionMessage: 'NOT_COMPLIANT',
      binarySecurityToken: ccsid.token,
      secret: ccsid.secret,
      errors: null,
    };
    return { status: 428, body: this.mode.wrap428InValue ? { value: body } : body };
  }

  // --- POST /invoices/reporting/single (spec §12.9) ---------------------------------------------

  async reporting(request: GatewayRequest): Promise<GatewayResponse> {
    const pcsid = this.authenticate(request, ['production']);
    if (!pcsid) return this.unauthorized(request);
    const language = this.language(request);
    const hash = parseJsonObject(request.rawBody)?.invoiceHash;
    const earlier = typeof hash === 'string' ? this.success(hash) : undefined;
    if (earlier) {
      const message =
        this.mode.duplicate409Style === 'openapi'
          ? { ...simMessage('duplicate-reported', language), code: null, category: null }
          : simMessage('duplicate-reported', language);
      const body = { validationResults: toResults([message]), reportingStatus: 'NOT_REPORTED' };
      this.recordRaw(pcsid, 'reporting', 409, null, hash as string, null);
      this.save();
      return { status: 409, body };
    }
    const run = await this.pipeline(request, pcsid, 'reporting');
    const status = run.results.status === 'ERROR' ? 400 : run.results.status === 'WARNING' ? 202 : 200;
    if (status !== 400 && run.bodyHash) {
      this.state.successes[run.bodyHash] = { invoiceHash: run.bodyHash, at: this.now().toISOString(), endpoint: 'reporting', validationResults: run.results };
    }
    this.record(pcsid, 'reporting', status, run);
    this.save();
    return { status, body: { validationResults: run.results, reportingStatus: status === 400 ? 'NOT_REPORTED' : 'REPORTED' } };
  }

  // --- POST /invoices/clearance/single (spec §12.10) --------------------------------------------

  async clearance(request: GatewayRequest): Promise<GatewayResponse> {
    const pcsid = this.authenticate(request, ['production']);
    if (!pcsid) return this.unauthorized(request);
    const language = this.language(request);
    const headerOff = this.mode.honourClearanceStatusHeader && (request.headers['clearance-status'] ?? '').trim() === '0';
    if (!this.state.clearanceEnabled || headerOff) return { status: 303, body: { message: this.mode.clearanceOffMessage } };
    const hash = parseJsonObject(request.rawBody)?.invoiceHash;
    const earlier = typeof hash === 'string' ? this.success(hash) : undefined;
    if (earlier && earlier.endpoint === 'clearance') {
      const previous = earlier.validationResults;
      const messages = [...previous.infoMessages, ...previous.warningMessages, ...previous.errorMessages];
      if (this.mode.duplicate208Warning) messages.push(simMessage('duplicate-cleared', language));
      this.recordRaw(pcsid, 'clearance', 208, null, hash as string, null);
      this.save();
      return { status: 208, body: { validationResults: toResults(messages), clearanceStatus: 'CLEARED', clearedInvoice: earlier.clearedInvoice ?? null } };
    }
    const run = await this.pipeline(request, pcsid, 'clearance');
    if (run.results.status === 'ERROR' || !run.xml) {
      this.record(pcsid, 'clearance', 400, run);
      this.save();
      return { status: 400, body: { validationResults: run.results, clearanceStatus: 'NOT_CLEARED', clearedInvoice: null } };
    }
    const cleared = await this.checks.stampCleared(run.xml, { stamp: this.authorities().stamp, now: this.now() });
    const clearedInvoice = Buffer.from(cleared, 'utf8').toString('base64');
    const status = run.results.status === 'WARNING' ? 202 : 200;
    // Spec §12.10 step 7 self-test: stamping must not change the invoice hash. The engine's
    // stamper adds indentation around the stamp, which changes the hash of a document that
    // arrived unsigned; say so rather than hide it (integration point with src/stamp).
    const clearedHash = this.checks.invoiceHash(cleared);
    const diagnostic = clearedHash === run.computedHash ? undefined : 'cleared invoice hash differs from the submitted one';
    if (run.bodyHash) {
      this.state.successes[run.bodyHash] = {
        invoiceHash: run.bodyHash,
        at: this.now().toISOString(),
        endpoint: 'clearance',
        validationResults: run.results,
        clearedInvoice,
      };
    }
    this.record(pcsid, 'clearance', status, run, clearedInvoice);
    this.save();
    return { status, body: { validationResults: run.results, clearanceStatus: 'CLEARED', clearedInvoice }, ...(diagnostic && { diagnostic }) };
  }

  /** A success within the last 24 h of simulated time (spec §9); older entries are forgotten. */
  private success(hash: string) {
    const entry = this.state.successes[hash];
    if (!entry) return undefined;
    if (this.now().getTime() - Date.parse(entry.at) >= DAY_MS) {
      delete this.state.successes[hash];
      return undefined;
    }
    return entry;
  }

  // --- validation pipeline (spec §12.8) -------------------------------------------------------

  private async pipeline(request: GatewayRequest, csid: CsidRecord, endpoint: ZatcaEndpoint): Promise<PipelineRun> {
    const language = this.language(request);
    const stop = (messages: ValidationMessage[], extra: Partial<PipelineRun> = {}): PipelineRun => ({
      results: toResults(this.applyOverrides(messages)),
      ...extra,
    });
    const body = parseJsonObject(request.rawBody);
    // A body that is not JSON is answered as an invalid document (spec §12.2 step 7).
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
      const doc = parseInvoiceXml(bytes, { maxBytes: this.maxBodyBytes });
      facts = readInvoiceFacts(doc);
      xml = bytes.toString('utf8');
      if (xml.charCodeAt(0) === 0xfeff) xml = xml.slice(1);
    } catch (error) {
      const detail = isFawtaraError(error) ? error.message : 'the document could not be read';
      return stop([simMessage('xsd-invalid', language, detail)], { bodyHash, invoiceBase64: invoice });
    }
    const base = { bodyHash, invoiceBase64: invoice, facts };
    if (endpoint === 'reporting' && !facts.simplified && this.state.clearanceEnabled) {
      return stop([simMessage('xsd-valid', language), simMessage('not-simplified', language)], base);
    }
    if (endpoint === 'clearance' && !facts.standard) {
      return stop([simMessage('xsd-valid', language), simMessage('not-standard', language)], base);
    }

    const messages: ValidationMessage[] = [];
    try {
      messages.push(
        ...(await this.checks.validate(xml, {
          mode: endpoint === 'compliance-invoices' ? 'compliance' : endpoint === 'clearance' ? 'clearance' : 'reporting',
          language,
          authenticatedCertificate: Buffer.from(this.signerCertificate(facts, csid, endpoint), 'base64'),
          simplified: facts.simplified,
          now: this.now(),
        })),
      );
    } catch {
      messages.push(simMessage('general', language));
    }
    const computed = this.checks.invoiceHash(xml);
    if (computed !== bodyHash) messages.push(simMessage('invalid-invoice-hash', language));
    messages.push(...this.certificateFindings(facts, language));
    messages.push(...this.permissionFindings(facts, csid, language));
    if (endpoint !== 'compliance-invoices') messages.push(...this.chainFindings(facts, csid, language));
    return { ...base, xml, computedHash: computed, results: toResults(this.applyOverrides(messages)) };
  }

  /**
   * The certificate the document must be signed with. A production CSID may submit a document another
   * production CSID of the same VAT number signed (seed 000: a head-office server relaying a branch
   * device's invoices); the signer's own validity is checked by certificateFindings.
   */
  private signerCertificate(facts: SubmittedInvoiceFacts, csid: CsidRecord, endpoint: string): string {
    if (endpoint === 'compliance-invoices' || !facts.embeddedCertificate || facts.embeddedCertificate === csid.certificateBase64) return csid.certificateBase64;
    const signer = Object.values(this.state.csids).find((c) => c.certificateBase64 === facts.embeddedCertificate);
    return signer && signer.kind === csid.kind && signer.vat === csid.vat ? signer.certificateBase64 : csid.certificateBase64;
  }

  /** Spec §12.8 step 7: the embedded certificate must be one of ours, not revoked or expired. */
  private certificateFindings(facts: SubmittedInvoiceFacts, language: 'en' | 'ar'): ValidationMessage[] {
    if (!facts.embeddedCertificate) return [];
    const known = Object.values(this.state.csids).find((c) => c.certificateBase64 === facts.embeddedCertificate);
    if (known) {
      const out: ValidationMessage[] = [];
      if (known.revokedAt || this.isExpired(known)) out.push(simMessage('invalid-certificate', language));
      if (facts.sellerVat !== null && known.vat !== facts.sellerVat) {
        out.push(simMessage('certificate-issuer-name', language), simMessage('invalid-signing-certificate', language));
      }
      return out;
    }
    if (!this.state.authorities) return [simMessage('invalid-certificate', language)];
    try {
      const cert = new X509Certificate(Buffer.from(facts.embeddedCertificate, 'base64'));
      const issuers = [this.state.authorities.complianceIssuer, this.state.authorities.issuing].map(
        (a) => new X509Certificate(Buffer.from(a.certificateBase64, 'base64')),
      );
      if (issuers.some((ca) => cert.checkIssued(ca) && cert.verify(ca.publicKey))) return [];
    } catch {
      /* not a certificate at all: same answer */
    }
    return [simMessage('invalid-certificate', language)];
  }

  /** Spec §12.8 step 8. */
  private permissionFindings(facts: SubmittedInvoiceFacts, csid: CsidRecord, language: 'en' | 'ar'): ValidationMessage[] {
    const out: ValidationMessage[] = [];
    if (facts.sellerVat !== null && facts.sellerVat !== csid.vat) out.push(simMessage('permissions-vat', language));
    if (facts.simplified && csid.title[1] !== '1') out.push(simMessage('permissions-simplified', language));
    if (facts.standard && csid.title[0] !== '1') out.push(simMessage('permissions-standard', language));
    return out;
  }

  /** Spec §12.8 step 9 (off by default): ICV follows and PIH chains within the unit. */
  private chainFindings(facts: SubmittedInvoiceFacts, csid: CsidRecord, language: 'en' | 'ar'): ValidationMessage[] {
    if (this.mode.chainCheck === 'off') return [];
    const egs = this.state.egs[csid.egsId];
    if (!egs) return [];
    const type = this.mode.chainCheck === 'error' ? 'ERROR' : 'WARNING';
    const out: ValidationMessage[] = [];
    const expectedPih = egs.lastInvoiceHash ?? INITIAL_PIH;
    if (facts.pih !== expectedPih) out.push(simMessage('pih-mismatch', language, undefined, type));
    if (egs.lastIcv !== undefined && facts.icv !== egs.lastIcv + 1) out.push(simMessage('icv-gap', language, undefined, type));
    return out;
  }

  private applyOverrides(messages: ValidationMessage[]): ValidationMessage[] {
    const overrides = this.mode.severityOverrides;
    if (Object.keys(overrides).length === 0) return messages;
    const out: ValidationMessage[] = [];
    for (const m of messages) {
      const o = m.code ? overrides[m.code] : undefined;
      if (o === 'OFF') continue;
      out.push(o && m.type !== 'INFO' ? { ...m, type: o, status: o } : m);
    }
    return out;
  }

  // --- what the platform received (spec §12.11 history) ----------------------------------------

  private record(csid: CsidRecord, endpoint: ZatcaEndpoint, status: number, run: PipelineRun, clearedInvoice?: string): void {
    const f = run.facts;
    const entry: SubmissionRecord = {
      at: this.now().toISOString(),
      endpoint,
      egsId: csid.egsId,
      csidKind: csid.kind,
      httpStatus: status,
      uuid: f?.uuid ?? null,
      invoiceHash: run.computedHash ?? run.bodyHash ?? null,
      icv: f?.icv ?? null,
      pih: f?.pih ?? null,
      invoiceTypeCode: f?.invoiceTypeCode ?? null,
      invoiceTypeName: f?.invoiceTypeName ?? null,
      validationStatus: run.results.status,
      invoice: run.invoiceBase64 ?? null,
      ...(clearedInvoice !== undefined && { clearedInvoice }),
    };
    this.state.submissions.push(entry);
    // The chain (for the optional check) advances with every production document, rejected too.
    const egs = this.state.egs[csid.egsId];
    if (egs && endpoint !== 'compliance-invoices' && f) {
      if (f.icv !== null) egs.lastIcv = f.icv;
      if (run.computedHash) egs.lastInvoiceHash = run.computedHash;
    }
  }

  private recordRaw(csid: CsidRecord, endpoint: ZatcaEndpoint, status: number, uuid: string | null, hash: string, invoice: string | null): void {
    this.state.submissions.push({
      at: this.now().toISOString(),
      endpoint,
      egsId: csid.egsId,
      csidKind: csid.kind,
      httpStatus: status,
      uuid,
      invoiceHash: hash,
      icv: null,
      pih: null,
      invoiceTypeCode: null,
      invoiceTypeName: null,
      validationStatus: 'ERROR',
      invoice,
    });
  }

  /** Family D answer for a failure inside the simulator (never a crash, never a stack trace). */
  internalError(endpoint: ZatcaEndpoint, error: unknown): GatewayResponse {
    const diagnostic = error instanceof Error ? error.message : String(error);
    return { status: 500, body: internalErrorBody(endpoint), diagnostic: diagnostic.slice(0, 300) };
  }
}

interface PipelineRun {
  results: ValidationResults;
  facts?: SubmittedInvoiceFacts;
  xml?: string;
  bodyHash?: string;
  computedHash?: string;
  invoiceBase64?: string;
}

function parseJsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The CSR as PEM text from `{"csr": base64(PEM)}`; undefined when absent (→ Missing-CSR). */
function readCsrField(rawBody: string): string | undefined {
  const csr = parseJsonObject(rawBody)?.csr;
  if (typeof csr !== 'string' || csr.trim() === '') return undefined;
  return Buffer.from(csr.trim(), 'base64').toString('utf8');
}

export type { SimMessageKey };
