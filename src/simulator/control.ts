// The simulated "portal" and test levers (docs/zatca-notes.md §A12.11): taxpayers, OTPs, unit list, revocation,
// VAT status and VAT-group events, clearance switch, clock, faults, CA and received documents.
import { X509Certificate } from 'node:crypto';
import type { ZatcaEndpoint } from '../zatca/types.js';
import type { SimulatorClock } from './clock.js';
import type { EnvironmentMode } from './config.js';
import type { SimEnvironment } from './environment.js';
import type { FaultDecision, FaultRates, QueuedFault } from './faults.js';
import { SeededRandom } from './random.js';
import { emptyState, VAT_STATUSES, type EgsRecord, type EgsState, type SubmissionRecord, type TaxpayerRecord, type VatStatus } from './state.js';
import { VAT_NUMBER } from '../model/identifiers.js';

const HOUR_MS = 3600_000;
const DAY_MS = 24 * HOUR_MS;
const READ_ONLY_DAYS = 90;

/** A refusal of the control API, with the HTTP status it is answered with. */
export class ControlError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly messageAr: string,
  ) {
    super(message);
    this.name = 'ControlError';
  }
}

export interface EgsView {
  id: string;
  vat: string;
  commonName: string;
  serialNumber: string;
  organizationUnit: string;
  title: string;
  state: EgsState;
  createdAt: string;
  pcsidExpiresAt: string | null;
  revokedAt: string | null;
  revocationReason: string | null;
}

export type VatGroupEvent = 'created' | 'member-added' | 'member-removed' | 'disbanded' | 'representative-changed';
export const VAT_GROUP_EVENTS: readonly VatGroupEvent[] = ['created', 'member-added', 'member-removed', 'disbanded', 'representative-changed'];

export class EnvironmentControl {
  private readonly otpRandom: SeededRandom;

  constructor(
    private readonly env: SimEnvironment,
    private readonly clock: SimulatorClock,
    seed: string,
  ) {
    this.otpRandom = new SeededRandom(seed, `${env.id}/otps`);
  }

  get mode(): EnvironmentMode {
    return this.env.mode;
  }

  /** Change toggles of this environment (docs/zatca-notes.md §A12.1 flags) at run time. */
  configure(patch: Partial<EnvironmentMode>): EnvironmentMode {
    Object.assign(this.env.mode, patch);
    return this.env.mode;
  }

  registerTaxpayer(input: { vat: string; status?: VatStatus; groupVat?: string; memberTin?: string }): TaxpayerRecord {
    if (!VAT_NUMBER.test(input.vat)) {
      throw new ControlError(400, 'vat must be 15 digits starting and ending with 3', 'يجب أن يتكون الرقم الضريبي من 15 رقماً يبدأ وينتهي بالرقم 3');
    }
    const status = input.status ?? 'Active';
    if (!VAT_STATUSES.includes(status)) throw new ControlError(400, `status must be one of ${VAT_STATUSES.join(', ')}`, 'حالة التسجيل غير معروفة');
    const record: TaxpayerRecord = {
      vat: input.vat,
      status,
      statusChangedAt: this.env.now().toISOString(),
      ...(input.groupVat !== undefined && { groupVat: input.groupVat }),
      ...(input.memberTin !== undefined && { memberTin: input.memberTin }),
    };
    this.env.state.taxpayers[input.vat] = record;
    this.env.save();
    return record;
  }

  /** Portal "generate OTP" (docs/zatca-notes.md §A8.1): refused unless the VAT status is Active or Reactive. */
  generateOtps(input: { vat: string; count?: number; purpose?: 'onboard' | 'renew' }): Array<{ otp: string; expiresAt: string; purpose: string }> {
    const taxpayer = this.env.state.taxpayers[input.vat] ?? this.registerTaxpayer({ vat: input.vat });
    if (taxpayer.status !== 'Active' && taxpayer.status !== 'Reactive') {
      throw new ControlError(
        409,
        `the taxpayer's VAT status is ${taxpayer.status}; the portal is read-only and generates no OTP`,
        `حالة التسجيل الضريبي ${taxpayer.status}؛ البوابة للقراءة فقط ولا تُصدر رموز تحقق`,
      );
    }
    const count = Math.max(1, Math.min(100, Math.floor(input.count ?? 1)));
    const purpose = input.purpose ?? 'onboard';
    const expiresAt = new Date(this.env.now().getTime() + HOUR_MS).toISOString();
    const out: Array<{ otp: string; expiresAt: string; purpose: string }> = [];
    for (let i = 0, tries = 0; i < count && tries < 10_000; tries++) {
      const otp = this.otpRandom.digits(6);
      // 111111 and 222222 are the sandbox's "invalid" and "expired" examples; never issue them.
      if (otp === '111111' || otp === '222222' || this.env.state.otps[otp]) continue;
      this.env.state.otps[otp] = { otp, vat: input.vat, purpose, expiresAt };
      out.push({ otp, expiresAt, purpose });
      i++;
    }
    this.env.save();
    return out;
  }

  /** Portal "view list of solutions and devices"; 403 once the 90-day read-only window has passed. */
  listEgs(vat?: string): EgsView[] {
    if (vat !== undefined) {
      const taxpayer = this.env.state.taxpayers[vat];
      if (taxpayer && (taxpayer.status === 'Deregistered' || taxpayer.status === 'Suspended')) {
        const end = Date.parse(taxpayer.statusChangedAt) + READ_ONLY_DAYS * DAY_MS;
        if (this.env.now().getTime() >= end) {
          throw new ControlError(
            403,
            'the 90-day read-only window after deregistration or suspension has ended',
            'انتهت فترة القراءة فقط البالغة 90 يوماً بعد إلغاء التسجيل أو التعليق',
          );
        }
      }
    }
    return Object.values(this.env.state.egs)
      .filter((e) => vat === undefined || e.vat === vat)
      .map((e) => this.view(e));
  }

  egs(idOrSerial: string): EgsRecord {
    const found = this.env.state.egs[idOrSerial] ?? Object.values(this.env.state.egs).find((e) => e.serialNumber === idOrSerial || e.commonName === idOrSerial);
    if (!found) throw new ControlError(404, `no EGS unit ${idOrSerial}`, `لا توجد وحدة ${idOrSerial}`);
    return found;
  }

  view(e: EgsRecord): EgsView {
    const pcsid = e.pcsidToken ? this.env.state.csids[e.pcsidToken] : undefined;
    return {
      id: e.id,
      vat: e.vat,
      commonName: e.commonName,
      serialNumber: e.serialNumber,
      organizationUnit: e.organizationUnit,
      title: e.title,
      state: this.env.egsState(e),
      createdAt: e.createdAt,
      pcsidExpiresAt: pcsid?.notAfter ?? null,
      revokedAt: e.revokedAt ?? null,
      revocationReason: e.revocationReason ?? null,
    };
  }

  /** Portal manual revocation (docs/zatca-notes.md §A8.3). */
  revoke(idOrSerial: string, reason = 'manual'): EgsView {
    const e = this.egs(idOrSerial);
    this.env.revokeEgs(e, reason);
    this.env.save();
    return this.view(e);
  }

  /** VAT status change: Deregistered/Suspended revokes every CSID of the VAT (docs/zatca-notes.md §A8.1, §A8.3). */
  setVatStatus(vat: string, status: VatStatus): { taxpayer: TaxpayerRecord; revoked: string[] } {
    if (!VAT_STATUSES.includes(status)) throw new ControlError(400, `status must be one of ${VAT_STATUSES.join(', ')}`, 'حالة التسجيل غير معروفة');
    const taxpayer = this.env.state.taxpayers[vat] ?? this.registerTaxpayer({ vat });
    taxpayer.status = status;
    taxpayer.statusChangedAt = this.env.now().toISOString();
    const revoked: string[] = [];
    if (status === 'Deregistered' || status === 'Suspended') {
      for (const e of Object.values(this.env.state.egs)) {
        if (e.vat === vat && !e.revokedAt) {
          this.env.revokeEgs(e, `vat-${status.toLowerCase()}`);
          revoked.push(e.id);
        }
      }
    }
    this.env.save();
    return { taxpayer, revoked };
  }

  /**
   * VAT-group events (docs/zatca-notes.md §A8.3): group-wide events revoke every unit onboarded under the group
   * number and the members' own units; member events only the member's units, unless the mode
   * says `group` (the scope is unverified).
   */
  vatGroupEvent(groupVat: string, input: { event: VatGroupEvent; memberTin?: string }): { revoked: string[] } {
    if (!VAT_GROUP_EVENTS.includes(input.event)) {
      throw new ControlError(400, `event must be one of ${VAT_GROUP_EVENTS.join(', ')}`, 'نوع حدث المجموعة الضريبية غير معروف');
    }
    const memberEvent = input.event === 'member-added' || input.event === 'member-removed';
    if (memberEvent && !input.memberTin) throw new ControlError(400, 'memberTin is required for member events', 'رقم التعريف الضريبي للعضو مطلوب');
    const wholeGroup = !memberEvent || this.env.mode.vatGroupRevocationScope === 'group';
    const members = Object.values(this.env.state.taxpayers).filter((t) => t.groupVat === groupVat);
    const affected = (e: EgsRecord): boolean => {
      if (wholeGroup) return e.vat === groupVat || members.some((m) => m.vat === e.vat);
      const tin = input.memberTin!;
      return (e.vat === groupVat && e.organizationUnit === tin) || members.some((m) => m.memberTin === tin && m.vat === e.vat) || e.vat.slice(0, 10) === tin;
    };
    const revoked: string[] = [];
    for (const e of Object.values(this.env.state.egs)) {
      if (!e.revokedAt && affected(e)) {
        this.env.revokeEgs(e, `vat-group-${input.event}`);
        revoked.push(e.id);
      }
    }
    this.env.save();
    return { revoked };
  }

  setClearance(enabled: boolean): { clearanceEnabled: boolean } {
    this.env.state.clearanceEnabled = enabled;
    this.env.save();
    return { clearanceEnabled: enabled };
  }

  advanceClock(seconds: number): { now: string } {
    return { now: this.clock.advance(seconds).toISOString() };
  }

  setClock(now: Date): { now: string } {
    return { now: this.clock.set(now).toISOString() };
  }

  now(): { now: string } {
    return { now: this.env.now().toISOString() };
  }

  enqueueFault(fault: QueuedFault): ReturnType<SimEnvironment['faults']['snapshot']> {
    this.env.faults.enqueue(fault);
    return this.env.faults.snapshot();
  }

  setFaultRates(rates: Partial<FaultRates>): FaultRates {
    return this.env.faults.setRates(rates);
  }

  clearFaults(): void {
    this.env.faults.clear();
  }

  faultLog(): ReadonlyArray<{ endpoint: ZatcaEndpoint; decision: FaultDecision | null }> {
    return this.env.faults.log;
  }

  /** The environment's CA, issuing CA and stamp certificates as PEM (docs/zatca-notes.md §A12.11 GET /ca). */
  certificateAuthority(): { complianceIssuer: string; root: string; issuing: string; stamp: string } {
    const a = this.env.authorities();
    const pem = (b64: string): string => new X509Certificate(Buffer.from(b64, 'base64')).toString();
    return {
      complianceIssuer: pem(a.complianceIssuer.certificateBase64),
      root: pem(a.root.certificateBase64),
      issuing: pem(a.issuing.certificateBase64),
      stamp: pem(a.stamp.certificateBase64),
    };
  }

  /** "What did you receive from unit X": every submission, in order (docs/zatca-notes.md §A12.11 history). */
  history(idOrSerial: string, certificateSerials: readonly string[] = []): SubmissionRecord[] {
    const e = certificateSerials.length > 0 ? this.egsByCertificate(certificateSerials) : this.egs(idOrSerial);
    return this.env.state.submissions.filter((s) => s.egsId === e.id);
  }

  /**
   * The EGS one of whose certificates has one of these serial numbers (decimal). A device onboarded
   * again keeps its serial (a second EGS record), so only a certificate names one generation.
   */
  egsByCertificate(certificateSerials: readonly string[]): EgsRecord {
    const wanted = new Set(certificateSerials);
    for (const csid of Object.values(this.env.state.csids)) {
      const serial = BigInt('0x' + new X509Certificate(Buffer.from(csid.certificateBase64, 'base64')).serialNumber).toString(10);
      if (wanted.has(serial) && this.env.state.egs[csid.egsId]) return this.env.state.egs[csid.egsId]!;
    }
    throw new ControlError(404, 'no EGS unit holds a certificate with that serial number', 'لا توجد وحدة تحمل شهادة بهذا الرقم التسلسلي');
  }

  /** Per taxpayer: units and what each sent. */
  taxpayer(vat: string): { taxpayer: TaxpayerRecord | null; units: Array<EgsView & { submissions: number }> } {
    const units = Object.values(this.env.state.egs)
      .filter((e) => e.vat === vat)
      .map((e) => ({ ...this.view(e), submissions: this.env.state.submissions.filter((s) => s.egsId === e.id).length }));
    return { taxpayer: this.env.state.taxpayers[vat] ?? null, units };
  }

  /** Wipe the environment's state; the CA is kept so issued test fixtures stay verifiable. */
  reset(): void {
    const authorities = this.env.state.authorities;
    this.env.state = emptyState(this.env.id);
    if (authorities) this.env.state.authorities = authorities;
    this.env.faults.clear();
    this.env.save();
  }
}
