// Enrolment of a unit a branch onboarded itself: the branch offers the unit and its certificate, head
// office checks the certificate, and only an administrator's approval makes the unit (and cert) known.
import { randomUUID, X509Certificate } from 'node:crypto';
import { z } from 'zod';
import { certificateIdentity, issuedBy } from '../crypto/certificate-identity.js';
import { loadCertificate, type SigningCertificate } from '../crypto/certificate.js';
import { FleetError, type FleetContext } from '../egs/index.js';
import { isFawtaraError } from '../errors.js';
import {
  sync as syncRepo,
  syncTrust,
  tenants,
  units as unitRepo,
  withWriteTransaction,
  type Branch,
  type EgsUnit,
  type SyncEnrolmentsTable,
  type Taxpayer,
} from '../store/index.js';
import { INITIAL_PIH } from '../model/chain.js';
import { SyncError } from './errors.js';

export const EnrolmentRequest = z.strictObject({
  serial: z.string().min(5).max(200),
  generation: z.number().int().min(1).max(10_000),
  name: z.string().min(1).max(200),
  title: z.string().regex(/^[01]{4}$/),
  environment: z.enum(['sandbox', 'simulation', 'production']),
  /** The unit's production certificate: PEM, base64 DER or ZATCA's binarySecurityToken. */
  certificate: z.string().min(100).max(8000),
});
export type EnrolmentRequest = z.infer<typeof EnrolmentRequest>;

export interface EnrolmentCheck {
  id: 'certificate' | 'vat-number' | 'unit-serial' | 'validity' | 'issuer' | 'unit-clash';
  status: 'pass' | 'fail' | 'unknown';
  message: string;
}

export interface EnrolmentView {
  id: string;
  branchId: string;
  serial: string;
  generation: number;
  name: string;
  environment: string;
  certificateSerial: string;
  notAfter: string;
  state: string;
  checks: EnrolmentCheck[];
  unitId: string | null;
  requestedAt: string;
  decidedAt: string | null;
  decidedBy: string | null;
}

const viewOf = (r: SyncEnrolmentsTable): EnrolmentView => ({
  id: r.id,
  branchId: r.branch_id,
  serial: r.serial,
  generation: r.generation,
  name: r.name,
  environment: r.environment,
  certificateSerial: r.certificate_serial,
  notAfter: r.not_after,
  state: r.state,
  checks: JSON.parse(r.checks) as EnrolmentCheck[],
  unitId: r.unit_id,
  requestedAt: r.requested_at,
  decidedAt: r.decided_at,
  decidedBy: r.decided_by,
});

/** What head office checks on a certificate before a unit may be enrolled with it (issue 10, docs/security.md). */
async function checkCertificate(
  ctx: FleetContext,
  taxpayer: Taxpayer,
  branch: Branch,
  req: { serial: string; generation: number; name: string; environment: string },
  cert: SigningCertificate,
  now: Date,
): Promise<EnrolmentCheck[]> {
  const checks: EnrolmentCheck[] = [{ id: 'certificate', status: 'pass', message: `an EC secp256k1 certificate, serial ${cert.serialNumber}` }];
  const id = certificateIdentity(cert.der);
  checks.push(
    id.vatNumber === taxpayer.vat_number
      ? { id: 'vat-number', status: 'pass', message: `the certificate names VAT number ${taxpayer.vat_number}` }
      : {
          id: 'vat-number',
          status: 'fail',
          message: `the certificate names VAT number ${id.vatNumber ?? '(none)'}, not this taxpayer's ${taxpayer.vat_number}`,
        },
  );
  checks.push(
    id.unitSerial === req.serial
      ? { id: 'unit-serial', status: 'pass', message: `the certificate names the unit's serial ${req.serial}` }
      : { id: 'unit-serial', status: 'fail', message: `the certificate names serial ${id.unitSerial ?? '(none)'}, not the unit's ${req.serial}` },
  );
  checks.push(
    now >= cert.notBefore && now <= cert.notAfter
      ? { id: 'validity', status: 'pass', message: `valid ${cert.notBefore.toISOString()} – ${cert.notAfter.toISOString()}` }
      : {
          id: 'validity',
          status: 'fail',
          message: `not valid now (${now.toISOString()}): valid ${cert.notBefore.toISOString()} – ${cert.notAfter.toISOString()}`,
        },
  );
  const cas = await syncTrust.authorities(ctx.store.db, req.environment, 'issuing-ca');
  if (cas.length === 0)
    checks.push({
      id: 'issuer',
      status: 'unknown',
      message: `no issuing-CA certificate of environment ${req.environment} is registered here (fawtara sync authorities add); the issuer was not checked`,
    });
  else {
    const x509 = cert.x509;
    const by = cas.find((ca) => issuedBy(x509, new X509Certificate(Buffer.from(ca.certificate, 'base64'))));
    checks.push(
      by
        ? { id: 'issuer', status: 'pass', message: `issued by ${by.subject}, environment ${req.environment}'s issuing CA` }
        : { id: 'issuer', status: 'fail', message: `not issued by any issuing CA registered for environment ${req.environment} (issuer ${cert.issuerName})` },
    );
  }
  // The serial and name must not be another unit's here (head office's own, or another branch's).
  const clashes = [
    ...(await unitRepo.unitsReferencedBy(ctx.store.db, taxpayer.id, req.serial)),
    ...(await unitRepo.unitsReferencedBy(ctx.store.db, taxpayer.id, req.name)),
  ];
  const links = await syncRepo.branchesOfUnits(
    ctx.store.db,
    clashes.map((u) => u.id),
  );
  const foreign = clashes.find((u) => !(u.serial === req.serial && u.name === req.name && links.get(u.id) === branch.id));
  checks.push(
    foreign
      ? {
          id: 'unit-clash',
          status: 'fail',
          message: `unit ${req.name} (${req.serial}) clashes with unit ${foreign.name} (${foreign.serial}), which is not this branch's`,
        }
      : { id: 'unit-clash', status: 'pass', message: 'no other unit uses this serial or name' },
  );
  return checks;
}

function loadOffered(text: string): SigningCertificate {
  try {
    return loadCertificate(text, 'certificate');
  } catch (error) {
    throw new SyncError(
      'ENROLMENT_REFUSED',
      `the certificate offered is unusable: ${isFawtaraError(error) ? error.message : 'not a certificate'}`,
      'الشهادة المقدمة غير صالحة',
      {
        field: 'certificate',
      },
    );
  }
}

/** A branch node offers a unit and its certificate. Checked at once; refused, or pending an administrator. */
export async function requestEnrolment(
  ctx: FleetContext,
  taxpayer: Taxpayer,
  branch: Branch,
  req: EnrolmentRequest,
  requestedBy: string,
): Promise<EnrolmentView> {
  const now = ctx.clock.now();
  const cert = loadOffered(req.certificate);
  const existing = await syncTrust.findEnrolmentByCertificate(ctx.store.db, taxpayer.id, req.serial, req.generation, cert.serialNumber);
  if (existing) {
    if (existing.branch_id !== branch.id || existing.certificate !== cert.base64)
      throw new SyncError(
        'ENROLMENT_REFUSED',
        `unit ${req.serial} with certificate ${cert.serialNumber} was offered by another branch or with other bytes`,
        'عُرضت هذه الوحدة بهذه الشهادة من فرع آخر',
        {
          field: 'certificate',
        },
      );
    return viewOf(existing);
  }
  const checks = await checkCertificate(ctx, taxpayer, branch, req, cert, now);
  const failed = checks.filter((c) => c.status === 'fail');
  if (failed.length) {
    const message = `enrolment of unit ${req.serial} refused: ${failed.map((c) => `${c.id}: ${c.message}`).join('; ')}`;
    await syncRepo.insertIncident(ctx.store.db, {
      taxpayer_id: taxpayer.id,
      branch_id: branch.id,
      unit_serial: req.serial,
      icv: 0,
      kind: 'enrolment',
      stored_hash: null,
      received_hash: cert.certDigest,
      batch_id: '',
      message,
      at: now.toISOString(),
    });
    ctx.logger.warn({ branch: branch.id, unit: req.serial, failed: failed.map((c) => c.id) }, 'branch enrolment refused');
    throw new SyncError('ENROLMENT_REFUSED', message, `رُفض تسجيل الوحدة ${req.serial}: الشهادة لا تسمي هذا المكلف أو الوحدة أو لم تصدرها جهة موثوقة`, {
      field: 'certificate',
    });
  }
  const row: SyncEnrolmentsTable = {
    id: randomUUID(),
    taxpayer_id: taxpayer.id,
    branch_id: branch.id,
    serial: req.serial,
    generation: req.generation,
    name: req.name,
    title: req.title,
    environment: req.environment,
    certificate: cert.base64,
    certificate_serial: cert.serialNumber,
    not_before: cert.notBefore.toISOString(),
    not_after: cert.notAfter.toISOString(),
    checks: JSON.stringify(checks),
    state: 'pending',
    unit_id: null,
    requested_at: now.toISOString(),
    requested_by: requestedBy,
    decided_at: null,
    decided_by: null,
  };
  await syncTrust.insertEnrolment(ctx.store.db, row);
  return viewOf(row);
}

function notPending(id: string, state: string): FleetError {
  return new FleetError('INVALID_FIELD', `enrolment ${id} is ${state}; only a pending enrolment can be decided`, {
    field: 'enrolment',
    code: 'CONFLICT',
    messageAr: `طلب التسجيل ${id} ليس قيد الانتظار`,
  });
}

async function pendingEnrolment(ctx: FleetContext, taxpayer: Taxpayer, id: string): Promise<SyncEnrolmentsTable> {
  const e = await syncTrust.findEnrolment(ctx.store.db, taxpayer.id, id);
  if (!e) throw new FleetError('NOT_FOUND', `no enrolment ${id} for this taxpayer`, { field: 'enrolment', messageAr: `لا يوجد طلب تسجيل ${id}` });
  if (e.state !== 'pending') throw notPending(id, e.state);
  return e;
}

/** An administrator approves: the checks run again, then the unit is created (or, for a renewal, gains the certificate). */
export async function approveEnrolment(ctx: FleetContext, taxpayer: Taxpayer, id: string): Promise<EnrolmentView> {
  const e = await pendingEnrolment(ctx, taxpayer, id);
  const now = ctx.clock.now();
  const at = now.toISOString();
  const branch = (await tenants.findBranch(ctx.store.db, taxpayer.id, e.branch_id))!;
  const cert = loadOffered(e.certificate);
  const checks = await checkCertificate(ctx, taxpayer, branch, e, cert, now);
  const failed = checks.filter((c) => c.status === 'fail');
  if (failed.length)
    throw new SyncError(
      'ENROLMENT_REFUSED',
      `enrolment ${id} no longer passes: ${failed.map((c) => `${c.id}: ${c.message}`).join('; ')}`,
      'طلب التسجيل لم يعد يجتاز الفحوص',
      {
        field: 'enrolment',
      },
    );
  let unitId = '';
  await withWriteTransaction(ctx.store, async (trx) => {
    const same = (await unitRepo.unitsWithSerial(trx, taxpayer.id, e.serial)).find((u) => u.generation === e.generation);
    if (same) {
      if (!['active', 'renewal-pending'].includes(same.state))
        throw new SyncError('UNIT_ENDED', `unit ${same.name} is ${same.state}; it takes no new certificate`, `الوحدة ${same.name} منتهية`, {
          field: 'enrolment',
        });
      unitId = same.id;
    } else {
      const unit: EgsUnit = {
        id: randomUUID(),
        taxpayer_id: taxpayer.id,
        branch_id: e.branch_id,
        member_tin: null,
        name: e.name,
        serial: e.serial,
        generation: e.generation,
        title: e.title,
        environment: e.environment,
        organization_unit: branch.name,
        state: 'active',
        state_changed_at: at,
        icv: 0,
        pih: INITIAL_PIH,
        last_issued_at: null,
        replaces_unit_id: null,
        created_at: at,
        // The branch node keeps the key and submits its own documents: nothing of it lives here.
        key_provider: 'sealed',
        zatca_base_url: null,
        issuing_paused_until: null,
        issuing_paused_reason: null,
        credentials_refused_at: null,
        credentials_refused_reason: null,
      };
      await unitRepo.insertUnit(trx, unit);
      await unitRepo.recordCreation(trx, unit, ctx.actor, `enrolled from a branch node (enrolment ${id}); the branch holds its key and CSID`, at);
      await syncRepo.linkUnit(trx, { unit_id: unit.id, taxpayer_id: taxpayer.id, branch_id: e.branch_id, first_synced_at: at });
      unitId = unit.id;
    }
    if (!(await syncTrust.decideEnrolment(trx, id, { state: 'approved', unitId, checks: JSON.stringify(checks), at, by: ctx.actor })))
      throw notPending(id, 'decided');
  });
  return viewOf((await syncTrust.findEnrolment(ctx.store.db, taxpayer.id, id))!);
}

export async function refuseEnrolment(ctx: FleetContext, taxpayer: Taxpayer, id: string): Promise<EnrolmentView> {
  const e = await pendingEnrolment(ctx, taxpayer, id);
  const at = ctx.clock.now().toISOString();
  if (!(await syncTrust.decideEnrolment(ctx.store.db, id, { state: 'refused', unitId: null, checks: e.checks, at, by: ctx.actor })))
    throw notPending(id, 'decided');
  return viewOf((await syncTrust.findEnrolment(ctx.store.db, taxpayer.id, id))!);
}

export async function listEnrolments(ctx: FleetContext, taxpayer: Taxpayer, filter: { branchId?: string; state?: string } = {}): Promise<EnrolmentView[]> {
  return (await syncTrust.listEnrolments(ctx.store.db, taxpayer.id, filter)).map(viewOf);
}
