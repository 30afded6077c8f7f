// What issuing (issue 6) asks of the fleet: may this unit issue, and with which certificate and
// key. A certificate is bound to its unit; a 401 from ZATCA on the unit's credentials revokes it.
import type { SigningCertificate } from '../crypto/certificate.js';
import type { Signer } from '../crypto/signer.js';
import { bindSignerToCertificate } from '../stamp/index.js';
import { credentials, type Csid, type EgsUnit, type Taxpayer } from '../store/index.js';
import type { CsidCredentials, ZatcaClient, ZatcaEndpoint, ZatcaOutcome } from '../zatca/index.js';
import type { FleetContext } from './context.js';
import { certificateOf, credentialsOf, scopeOf } from './csid-steps.js';
import { FleetError } from './errors.js';
import { afterUnauthorized, credentialsRefusedError, exchange, revokedError } from './exchange.js';
import { ISSUING_STATES, type UnitState } from './states.js';
import { assertCredentialUsable } from './sandbox-certificate.js';
import { resolveUnit, unitZatca } from './units.js';

/** Refuse to issue on a unit that is not onboarded, or is revoked, expired or retired — with the reason. */
export function assertCanIssue(unit: EgsUnit): void {
  if (ISSUING_STATES.includes(unit.state as UnitState)) return;
  if (unit.state === 'revoked') throw revokedError(unit);
  if (unit.state === 'expired') {
    throw new FleetError(
      'UNIT_EXPIRED',
      `unit ${unit.name} (${unit.serial}): its production CSID has expired; it cannot issue — onboard the device again as a new unit`,
      {
        field: 'unit',
        messageAr: `انتهت صلاحية شهادة الوحدة ${unit.name}؛ لا يمكنها الإصدار — سجّل الجهاز كوحدة جديدة`,
      },
    );
  }
  if (unit.state === 'retired') {
    throw new FleetError('UNIT_RETIRED', `unit ${unit.name} (${unit.serial}) is retired and cannot issue documents`, {
      field: 'unit',
      messageAr: `الوحدة ${unit.name} متقاعدة ولا يمكنها إصدار المستندات`,
    });
  }
  throw new FleetError(
    'UNIT_NOT_ACTIVE',
    `unit ${unit.name} (${unit.serial}) is ${unit.state}: finish onboarding ("fawtara units onboard ${unit.name} --otp …") before issuing`,
    {
      field: 'unit',
      messageAr: `الوحدة ${unit.name} في الحالة ${unit.state}: أكمل التسجيل قبل الإصدار`,
    },
  );
}

/**
 * The issue time must lie within the signing certificate's validity (issue 10 "Clock"): after its end
 * the unit is expired — or the clock runs far ahead; before its start the clock is behind. Nothing is
 * signed either way, so a wrong clock never leaves a document no later one can follow.
 */
export function assertCertificateValidAt(unit: Pick<EgsUnit, 'name' | 'serial'>, certificate: SigningCertificate, now: Date): void {
  const at = now.toISOString();
  const end = certificate.notAfter.toISOString();
  const start = certificate.notBefore.toISOString();
  if (now.getTime() > certificate.notAfter.getTime()) {
    throw new FleetError(
      'UNIT_EXPIRED',
      `unit ${unit.name} (${unit.serial}): the clock says ${at}, after its certificate's end (${end}); nothing was issued. If the clock is right the production CSID has expired — onboard the device again as a new unit ("fawtara units add --replaces ${unit.name}"), and renew before the end next time ("fawtara units expiring"); if the clock runs ahead, correct the system clock`,
      {
        field: 'clock',
        messageAr: `الوحدة ${unit.name}: الوقت الحالي ${at} بعد نهاية صلاحية شهادتها (${end})؛ لم يُصدر شيء. إن كانت الساعة صحيحة فقد انتهت الشهادة — سجّل الجهاز كوحدة جديدة وجدّد قبل الانتهاء مستقبلاً؛ وإن كانت الساعة متقدمة فاضبطها`,
      },
    );
  }
  if (now.getTime() < certificate.notBefore.getTime()) {
    throw new FleetError(
      'CLOCK_OUTSIDE_CERTIFICATE',
      `unit ${unit.name} (${unit.serial}): the clock says ${at}, before its certificate's start (${start}); nothing was issued — correct the system clock`,
      { field: 'clock', messageAr: `الوحدة ${unit.name}: الوقت الحالي ${at} قبل بداية صلاحية شهادتها (${start})؛ لم يُصدر شيء — اضبط ساعة النظام` },
    );
  }
}

export interface UnitSigning {
  unit: EgsUnit;
  csid: Csid;
  certificate: SigningCertificate;
  signer: Signer;
  /** The developer-portal sandbox's canned certificate (stamp with `sandboxCertificate`). */
  sandboxCertificate: boolean;
}

/**
 * The unit's production certificate and key for stamping. `csidId` (optional) must be one of this
 * unit's own CSIDs: a certificate is never used from another unit, even of the same taxpayer.
 */
export async function unitSigning(
  ctx: FleetContext,
  taxpayer: Taxpayer,
  ref: string,
  options: { csidId?: string; forSubmission?: boolean } = {},
): Promise<UnitSigning> {
  const unit = await resolveUnit(ctx, taxpayer, ref);
  // A unit retired with documents still queued keeps its CSID to submit them (retireUnit), never to sign.
  if (!(options.forSubmission && unit.state === 'retired')) assertCanIssue(unit);
  const scope = scopeOf(unit);
  const csid = options.csidId
    ? await credentials.findCsid(ctx.store.db, scope, options.csidId)
    : await credentials.activeCsid(ctx.store.db, scope, 'production');
  if (!csid || csid.kind !== 'production' || csid.status !== 'active') {
    throw new FleetError(
      'CERTIFICATE_NOT_OF_UNIT',
      `that certificate is not an active production CSID of unit ${unit.name}; a certificate is bound to the unit it was issued for`,
      {
        field: 'certificate',
        messageAr: `هذه الشهادة ليست شهادة إنتاج فعالة للوحدة ${unit.name}؛ الشهادة مرتبطة بالوحدة التي صدرت لها`,
      },
    );
  }
  assertCredentialUsable(unit, csid);
  // The sandbox's canned certificate names no unit and certifies another key: both bindings are moot
  // for it (egs/sandbox-certificate.ts); the stamp's self-check verifies with the unit's own key.
  const sandboxCertificate = csid.sandbox_only === 1;
  // A CSID row and a sealed key never change: parse and unseal them once per process, not per document.
  let certificate = certificates.get(csid.id);
  if (!certificate) {
    certificate = certificateOf(csid);
    if (!sandboxCertificate) bindCertificateToUnit(unit, certificate);
    if (certificates.size >= CACHE_LIMIT) certificates.clear();
    certificates.set(csid.id, certificate);
  }
  let unsealed = signers.get(ctx.keys);
  if (!unsealed) signers.set(ctx.keys, (unsealed = new Map()));
  const signerKey = `${unit.id}|${csid.key_id}`;
  let signer = unsealed.get(signerKey);
  if (!signer) {
    signer = await ctx.keys.signer(ctx.store.db, scope, csid.key_id);
    if (!sandboxCertificate) bindSignerToCertificate(signer, certificate);
    if (unsealed.size >= CACHE_LIMIT) unsealed.clear();
    unsealed.set(signerKey, signer);
  }
  return { unit, csid, certificate, signer, sandboxCertificate };
}

const CACHE_LIMIT = 10_000;
const certificates = new Map<string, SigningCertificate>();
/** Per key provider (contexts made per request share it), so keys unsealed by one never serve another. */
const signers = new WeakMap<FleetContext['keys'], Map<string, Signer>>();

/** The certificate's subject CN must be the unit's name (its CSR said so); anything else is another unit's. */
export function bindCertificateToUnit(unit: Pick<EgsUnit, 'name'>, certificate: SigningCertificate): void {
  const cn = /(?:^|\n)CN=([^\n]*)/.exec(certificate.x509.subject)?.[1];
  if (cn !== unit.name) {
    throw new FleetError(
      'CERTIFICATE_NOT_OF_UNIT',
      `the certificate was issued for "${cn ?? '?'}", not for unit ${unit.name}; a certificate is used only by its own unit`,
      {
        field: 'certificate',
        messageAr: `الشهادة صادرة لوحدة أخرى (${cn ?? '?'}) وليست للوحدة ${unit.name}`,
      },
    );
  }
}

/**
 * Call a PCSID endpoint (reporting, clearance) as the unit: logged, and on 401 the unit is revoked and
 * the call fails with a clear message. The outbox (issue 6) submits through this.
 */
export async function callAsUnit<T>(
  ctx: FleetContext,
  signing: UnitSigning,
  endpoint: ZatcaEndpoint,
  call: (client: ZatcaClient, credentials: CsidCredentials) => Promise<ZatcaOutcome<T>>,
): Promise<ZatcaOutcome<T>> {
  // After a 401 nothing is sent for the unit until an operator decides (egs/exchange.ts).
  if (signing.unit.credentials_refused_at) throw credentialsRefusedError(signing.unit, endpoint);
  const creds = credentialsOf(ctx, signing.unit, signing.csid);
  const outcome = await exchange(ctx, signing.unit, endpoint, () => call(unitZatca(ctx, signing.unit), creds));
  if (outcome.kind === 'unauthorized') throw await afterUnauthorized(ctx, signing.unit, endpoint, outcome);
  return outcome;
}
