// The persisted steps onboarding and renewal share: a fresh CSR on a fresh key, storing a CSID
// ZATCA issued (sealed secret, bound to the unit's key), the compliance documents, and promotion.
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { describeCertificate, type SigningCertificate } from '../crypto/certificate.js';
import type { CsrConfig } from '../crypto/csr-config.js';
import { stampInvoice } from '../stamp/index.js';
import { credentials, logs, tenants, type Branch, type Csid, type Csr, type Database, type EgsUnit, type Taxpayer } from '../store/index.js';
import { buildInvoice } from '../ubl/writer.js';
import { decodeBinarySecurityToken, invoiceSubmission, parseMissingComplianceSteps, type CsidCredentials, type CsidResponse } from '../zatca/index.js';
import type { FleetContext } from './context.js';
import { complianceDocumentJson, requiredSteps } from './compliance-documents.js';
import { FleetError } from './errors.js';
import { exchange, afterUnauthorized, zatcaFailure } from './exchange.js';
import { secretContext } from './key-custody.js';
import { assertCredentialUsable, keepsCannedCertificate } from './sandbox-certificate.js';
import { resumeIssuing } from './pause.js';
import { moveUnit } from './states.js';
import { branchLocation } from './tenants.js';
import { unitEnvironment, unitZatca } from './units.js';

export type Purpose = 'onboard' | 'renew';

/** Called after each step is persisted; tests throw here to simulate a crash at that point. */
export interface StepHooks {
  afterStep?: (step: string, unit: EgsUnit) => void | Promise<void>;
}

export interface UnitParts {
  taxpayer: Taxpayer;
  branch: Branch;
  unit: EgsUnit;
}

export async function partsOf(ctx: FleetContext, taxpayer: Taxpayer, unit: EgsUnit): Promise<UnitParts> {
  const branch = await tenants.findBranch(ctx.store.db, taxpayer.id, unit.branch_id);
  if (!branch) throw new Error(`unit ${unit.id} has no branch row`);
  return { taxpayer, branch, unit };
}

export function scopeOf(unit: Pick<EgsUnit, 'id' | 'taxpayer_id'>) {
  return { taxpayerId: unit.taxpayer_id, unitId: unit.id };
}

export function csrConfigOf({ taxpayer, branch, unit }: UnitParts): CsrConfig {
  return {
    commonName: unit.name,
    serialNumber: unit.serial,
    organizationIdentifier: taxpayer.vat_number,
    organizationUnitName: unit.organization_unit,
    organizationName: taxpayer.name_en ?? taxpayer.name_ar,
    countryName: 'SA',
    invoiceType: unit.title,
    locationAddress: branchLocation(branch),
    industryBusinessCategory: taxpayer.business_category,
  };
}

/**
 * The CSR to send next: the newest one if it was never sent, otherwise a new one on a new key.
 * A CSR that was sent — whatever came back — is never sent again.
 */
export async function freshCsr(ctx: FleetContext, parts: UnitParts, purpose: Purpose): Promise<{ csr: Csr; created: boolean }> {
  const scope = scopeOf(parts.unit);
  const latest = await credentials.latestCsr(ctx.store.db, scope, purpose);
  if (latest && latest.status === 'fresh') return { csr: latest, created: false };
  const now = ctx.clock.now();
  const csr = await ctx.store.db.transaction().execute(async (trx) => {
    const key = await ctx.keys.generateKey(trx, scope, now);
    const created = await ctx.keys.createCsr(trx, scope, key.keyId, csrConfigOf(parts), unitEnvironment(parts.unit));
    return credentials.insertCsr(trx, {
      id: randomUUID(),
      unit_id: parts.unit.id,
      taxpayer_id: parts.unit.taxpayer_id,
      key_id: key.keyId,
      purpose,
      attempt: (latest?.attempt ?? 0) + 1,
      pem: created.pem,
      status: 'fresh',
      created_at: now.toISOString(),
      sent_at: null,
    });
  });
  return { csr, created: true };
}

/** Persist that the CSR is about to leave: from now on it counts as used. */
export async function markCsrSent(ctx: FleetContext, unit: EgsUnit, csr: Csr): Promise<void> {
  const ok = await credentials.setCsrStatus(ctx.store.db, scopeOf(unit), csr.id, 'fresh', 'sent', ctx.clock.now().toISOString());
  if (!ok)
    throw new FleetError('WRONG_STATE', `the CSR of unit ${unit.name} was sent by another run; run the command again`, {
      field: 'unit',
      messageAr: 'أُرسل طلب الشهادة من تشغيل آخر؛ أعد تشغيل الأمر',
    });
}

/** Store a CSID ZATCA issued for `csr`, refusing one that does not certify the unit's own key. */
export async function storeCsid(
  ctx: FleetContext,
  db: Kysely<Database>,
  unit: EgsUnit,
  csr: Csr,
  kind: 'compliance' | 'production',
  purpose: Purpose,
  body: CsidResponse,
): Promise<Csid> {
  const scope = scopeOf(unit);
  const key = await credentials.findKey(db, scope, csr.key_id);
  const cert = describeCertificate(decodeBinarySecurityToken(body.binarySecurityToken).x509, 'binarySecurityToken');
  const keyMatches = !!key && cert.publicKeySpki.equals(Buffer.from(key.public_key_spki, 'base64'));
  // The developer-portal sandbox answers every CSR with one canned certificate: kept there only, flagged.
  const sandboxOnly = !keyMatches && !!key && keepsCannedCertificate(ctx, unit, kind);
  if (!keyMatches && !sandboxOnly) {
    throw new FleetError(
      'CERTIFICATE_NOT_OF_UNIT',
      `the ${kind} CSID ZATCA returned for unit ${unit.name} does not certify the unit's key (a canned sandbox certificate?); it was not stored`,
      {
        field: 'binarySecurityToken',
        messageAr: `الشهادة التي أعادتها الهيئة للوحدة ${unit.name} لا تخص مفتاحها؛ لم تُحفظ`,
      },
    );
  }
  const id = randomUUID();
  return credentials.insertCsid(db, {
    id,
    unit_id: unit.id,
    taxpayer_id: unit.taxpayer_id,
    key_id: csr.key_id,
    csr_id: csr.id,
    kind,
    purpose,
    request_id: String(body.requestID),
    binary_security_token: body.binarySecurityToken,
    sealed_secret: ctx.vault.seal(Buffer.from(body.secret, 'utf8'), secretContext(scope, id)),
    certificate_serial: cert.serialNumber,
    not_before: cert.notBefore.toISOString(),
    not_after: cert.notAfter.toISOString(),
    status: 'active',
    promotion_requested_at: null,
    created_at: ctx.clock.now().toISOString(),
    sandbox_only: sandboxOnly ? 1 : 0,
  });
}

/** The CSID's Basic-auth pair, opened from its envelope for one call. */
export function credentialsOf(ctx: FleetContext, unit: EgsUnit, csid: Csid): CsidCredentials {
  assertCredentialUsable(unit, csid);
  const secret = ctx.vault.open(csid.sealed_secret, secretContext(scopeOf(unit), csid.id)).toString('utf8');
  ctx.redactor.add(secret);
  return { binarySecurityToken: csid.binary_security_token, secret };
}

export function certificateOf(csid: Csid): SigningCertificate {
  return describeCertificate(decodeBinarySecurityToken(csid.binary_security_token).x509, 'CSID');
}

/**
 * Submit the compliance document of every step the unit's title requires and this CCSID has not
 * passed yet, each built from our JSON, stamped with the CCSID and the unit key (docs/zatca-notes.md §A4.2, §A8.4).
 */
export async function runComplianceChecks(ctx: FleetContext, parts: UnitParts, ccsid: Csid, hooks: StepHooks): Promise<{ unit: EgsUnit; passed: string[] }> {
  let unit = parts.unit;
  const done = new Set(await credentials.passedSteps(ctx.store.db, ccsid.id));
  const todo = requiredSteps(unit.title).filter((s) => !done.has(s.step));
  const passed: string[] = [];
  if (todo.length === 0) return { unit, passed };
  const creds = credentialsOf(ctx, unit, ccsid);
  const certificate = certificateOf(ccsid);
  const signer = await ctx.keys.signer(ctx.store.db, scopeOf(unit), ccsid.key_id);
  const csidIsSandboxOnly = ccsid.sandbox_only === 1;
  const client = unitZatca(ctx, unit);
  let sequence = done.size;
  for (const step of todo) {
    const now = ctx.clock.now();
    const doc = buildInvoice(complianceDocumentJson(step, { ...parts, unit, now, sequence: ++sequence }));
    const stamped = stampInvoice(doc, { certificate, signer, signingTime: now, sandboxCertificate: csidIsSandboxOnly });
    const outcome = await exchange(ctx, unit, 'compliance-invoices', () =>
      client.submitComplianceInvoice(creds, invoiceSubmission(stamped.xml, stamped.invoiceHash, stamped.facts.uuid)),
    );
    if (outcome.kind === 'unauthorized') throw await afterUnauthorized(ctx, unit, 'compliance-invoices', outcome);
    if (!outcome.ok) throw zatcaFailure(unit, { en: `compliance check ${step.step} failed`, ar: `فشل فحص الامتثال ${step.step}` }, outcome);
    const at = ctx.clock.now();
    unit = await ctx.store.db.transaction().execute(async (trx) => {
      await credentials.recordStepPassed(trx, ccsid.id, step.step, at.toISOString());
      return unit.state === 'ccsid-issued'
        ? moveUnit(trx, unit, { to: 'compliance-in-progress', actor: ctx.actor, reason: `compliance step ${step.step} passed`, at })
        : unit;
    });
    passed.push(step.step);
    await hooks.afterStep?.(`compliance:${step.step}`, unit);
  }
  return { unit, passed };
}

/** Twice the client's default timeout: after this, a request that got no recorded answer never will. */
export const LOST_ANSWER_AFTER_MS = 60_000;

export type PromotionResult = { kind: 'issued'; unit: EgsUnit; pcsid: Csid } | { kind: 'missing-steps'; unit: EgsUnit; missing: string[] };

/**
 * `POST /production/csids` with the CCSID. The request is marked before it is sent, so a run that
 * finds the mark and a refusal knows the answer of an earlier call was lost.
 */
export async function promote(ctx: FleetContext, parts: UnitParts, ccsid: Csid, purpose: Purpose, hooks: StepHooks): Promise<PromotionResult> {
  let unit = parts.unit;
  const scope = scopeOf(unit);
  const { markedBefore, answerLost, resumed } = await earlierPromotion(ctx, unit, ccsid);
  await credentials.markPromotionRequested(ctx.store.db, scope, ccsid.id, ctx.clock.now().toISOString());
  const creds = credentialsOf(ctx, unit, ccsid);
  const client = unitZatca(ctx, unit);
  await logs.insertExchange(ctx.store.db, {
    taxpayer_id: unit.taxpayer_id,
    unit_id: unit.id,
    endpoint: 'production-csid',
    request_id: null,
    http_status: null,
    outcome: 'sent',
    messages: '[]',
    duration_ms: 0,
    at: ctx.clock.now().toISOString(),
  });
  const outcome = await exchange(ctx, unit, 'production-csid', () => client.requestProductionCsid(creds, ccsid.request_id));
  if (outcome.kind === 'unauthorized') throw await afterUnauthorized(ctx, unit, 'production-csid', outcome);
  if (outcome.kind === 'accepted' && outcome.body) {
    const issued = await installPcsid(ctx, unit, ccsid, purpose, outcome.body);
    unit = issued.unit;
    await hooks.afterStep?.(purpose === 'renew' ? 'renewal-pcsid-issued' : 'pcsid-issued', unit);
    return { kind: 'issued', unit, pcsid: issued.pcsid };
  }
  const missingSteps = outcome.errors.find((e) => e.code === 'Missing-ComplianceSteps');
  if (missingSteps) {
    const missing = parseMissingComplianceSteps(missingSteps.message);
    await credentials.forgetSteps(ctx.store.db, ccsid.id, missing);
    if (unit.state === 'compliance-done') {
      unit = await moveUnit(ctx.store.db, unit, {
        to: 'compliance-in-progress',
        actor: ctx.actor,
        reason: `ZATCA still misses ${missing.join(', ')}`,
        at: ctx.clock.now(),
      });
    }
    return { kind: 'missing-steps', unit, missing };
  }
  if (resumed && outcome.kind === 'rejected') {
    // An earlier run sent this request and its answer was lost: ZATCA answers a second request
    // for a promoted CCSID with a refusal. The PCSID secret is gone; start over with a new key.
    await ctx.store.db.transaction().execute(async (trx) => {
      await credentials.setCsidStatus(trx, scope, ccsid.id, 'superseded');
      if (purpose === 'onboard')
        await moveUnit(trx, unit, {
          to: 'new',
          actor: ctx.actor,
          reason: 'production CSID answer lost; onboarding restarts with a new key',
          at: ctx.clock.now(),
        });
    });
    throw new FleetError(
      'ZATCA_REJECTED',
      `unit ${unit.name}: ZATCA refused the production CSID request because an earlier request for it was already answered and that answer was lost; revoke that CSID in the Fatoora portal (serial ${unit.serial}) and run the command again with a new OTP`,
      { field: 'unit', messageAr: `الوحدة ${unit.name}: فُقد رد الهيئة على طلب شهادة الإنتاج؛ ألغِ الشهادة من بوابة فاتورة وأعد تشغيل الأمر برمز تحقق جديد` },
    );
  }
  if (markedBefore && answerLost && outcome.kind === 'rejected') {
    throw new FleetError(
      'ZATCA_REJECTED',
      `unit ${unit.name}: ZATCA refused the production CSID request; another run may be requesting it right now, or an earlier answer was lost — if no other run is active, run the command again in a minute`,
      {
        field: 'unit',
        messageAr: `الوحدة ${unit.name}: رفضت الهيئة طلب شهادة الإنتاج؛ ربما يطلبها تشغيل آخر الآن أو فُقد رد سابق — أعد تشغيل الأمر بعد دقيقة`,
      },
    );
  }
  throw zatcaFailure(unit, { en: 'the production CSID request failed', ar: 'فشل طلب شهادة الإنتاج' }, outcome);
}

/** What the log tells of earlier production-CSID requests for this CCSID. */
async function earlierPromotion(ctx: FleetContext, unit: EgsUnit, ccsid: Csid): Promise<{ markedBefore: boolean; answerLost: boolean; resumed: boolean }> {
  // Only a mark older than any answer could take means an earlier run's answer was lost; a fresh
  // mark may be another run of the same unit still waiting for its answer.
  const markedBefore = ccsid.promotion_requested_at !== null;
  // A lost answer is one that never arrived: more requests for this CCSID were sent (a `sent` row is
  // logged before each) than answers with an HTTP status were logged. A logged refusal stays a
  // refusal, whatever its code (issue 17).
  const earlier = (await logs.listExchanges(ctx.store.db, unit.taxpayer_id, unit.id, { withSentMarkers: true })).filter(
    (x) => x.endpoint === 'production-csid' && x.at >= ccsid.created_at,
  );
  const answerLost = earlier.filter((x) => x.outcome === 'sent').length > earlier.filter((x) => x.outcome !== 'sent' && x.http_status !== null).length;
  const resumed = markedBefore && answerLost && ctx.clock.now().getTime() - Date.parse(ccsid.promotion_requested_at!) >= LOST_ANSWER_AFTER_MS;
  return { markedBefore, answerLost, resumed };
}

/** Store the issued PCSID as the unit's only active one and make the unit active, in one transaction. */
async function installPcsid(ctx: FleetContext, unit: EgsUnit, ccsid: Csid, purpose: Purpose, body: CsidResponse): Promise<{ unit: EgsUnit; pcsid: Csid }> {
  const scope = scopeOf(unit);
  const csr = (await credentials.countCsrs(ctx.store.db, scope)).find((c) => c.id === ccsid.csr_id)!;
  const at = ctx.clock.now();
  let pcsid!: Csid;
  const moved = await ctx.store.db.transaction().execute(async (trx) => {
    // Renewal: every earlier production CSID of the unit is replaced by this one.
    for (const old of await credentials.listCsids(trx, scope)) {
      if (old.kind === 'production' && old.status === 'active') await credentials.setCsidStatus(trx, scope, old.id, 'superseded');
    }
    pcsid = await storeCsid(ctx, trx, unit, csr, 'production', purpose, body);
    await credentials.setCsidStatus(trx, scope, ccsid.id, 'promoted');
    // Renewal paused issuing for this switch (egs/renewal.ts); the new certificate is in place.
    await resumeIssuing(trx, unit);
    return moveUnit(trx, unit, {
      to: 'active',
      actor: ctx.actor,
      reason: purpose === 'renew' ? `production CSID renewed (request ${body.requestID})` : `production CSID issued (request ${body.requestID})`,
      at,
    });
  });
  return { unit: moved, pcsid };
}
