// One simulated FATOORA environment (developer-portal, simulation or core): its state, CA, CSIDs,
// authentication and rate limit; the six endpoints (docs/zatca-notes.md §A12.4–§A12.10) live in the env-* modules.
import { timingSafeEqual } from 'node:crypto';
import { encodeBinarySecurityToken } from '../zatca/credentials.js';
import type { ZatcaEndpoint } from '../zatca/types.js';
import type { Checks, CsrFacts } from './checks.js';
import type { EnvironmentMode, SimEnvironmentId } from './config.js';
import { FaultPlan } from './faults.js';
import { requiredStepsFor } from './invoice-facts.js';
import { internalErrorBody, unauthorizedBody } from './messages.js';
import { DAY_MS } from './env-shared.js';
import { SeededRandom } from './random.js';
import { complianceCsid, complianceInvoices, productionCsid, renewProductionCsid } from './env-onboarding.js';
import { clearance, reporting } from './env-invoices.js';
import { loadState, saveState, type AuthoritySet, type CsidKind, type CsidRecord, type EgsRecord, type EgsState, type EnvironmentState } from './state.js';
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

export class SimEnvironment {
  state: EnvironmentState;
  readonly faults: FaultPlan;
  private readonly ids: SeededRandom;
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    readonly id: SimEnvironmentId,
    readonly mode: EnvironmentMode,
    /** The engine's checks (XSD, rules, signatures) the endpoint modules run. */
    readonly checks: Checks,
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

  // --- certificate authority (docs/zatca-notes.md §A12.3) ---------------------------------------------------

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

  issueCsid(kind: CsidKind, csrPem: string, csr: CsrFacts, egsId: string, requestId?: number): CsidRecord {
    const auth = this.authorities();
    const now = this.now();
    const notAfter = new Date(now.getTime() + this.mode.certificateValidityDays * DAY_MS);
    let serialNumber: Buffer;
    if (kind === 'compliance') {
      // CCSID serials are epoch milliseconds (docs/zatca-notes.md §A6); keep them unique within the environment.
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

  /** docs/zatca-notes.md §A12.2 step 6: Basic auth with a token this environment issued, of the right kind. */
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

  /** docs/zatca-notes.md §A12.2 step 5: optional token bucket per credential. */
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
  unauthorized(request?: GatewayRequest): GatewayResponse {
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

  language(request: GatewayRequest): 'en' | 'ar' {
    return (request.headers['accept-language'] ?? '').trim().toLowerCase().startsWith('ar') ? 'ar' : 'en';
  }

  // --- the six endpoints: onboarding in env-onboarding.ts, invoices in env-invoices.ts --------------

  complianceCsid(request: GatewayRequest): GatewayResponse {
    return complianceCsid(this, request);
  }

  complianceInvoices(request: GatewayRequest): Promise<GatewayResponse> {
    return complianceInvoices(this, request);
  }

  productionCsid(request: GatewayRequest): GatewayResponse {
    return productionCsid(this, request);
  }

  renewProductionCsid(request: GatewayRequest): GatewayResponse {
    return renewProductionCsid(this, request);
  }

  reporting(request: GatewayRequest): Promise<GatewayResponse> {
    return reporting(this, request);
  }

  clearance(request: GatewayRequest): Promise<GatewayResponse> {
    return clearance(this, request);
  }

  /** Family D answer for a failure inside the simulator (never a crash, never a stack trace). */
  internalError(endpoint: ZatcaEndpoint, error: unknown): GatewayResponse {
    const diagnostic = error instanceof Error ? error.message : String(error);
    return { status: 500, body: internalErrorBody(endpoint), diagnostic: diagnostic.slice(0, 300) };
  }
}
