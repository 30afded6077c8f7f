// EGS units: registration (serial, branch, title, environment, OU), lookup within a taxpayer,
// re-onboarding as a new unit, local retirement, and the expiry monitor.
import { randomUUID } from 'node:crypto';
import { tenants, units as unitRepo, credentials, submissions, type EgsUnit, type Taxpayer } from '../store/index.js';
import { visibleName } from '../model/visible-name.js';
import { INITIAL_PIH } from '../model/chain.js';
import { isFatooraEnv, type FatooraEnv, type ZatcaClient } from '../zatca/index.js';
import type { FleetContext } from './context.js';
import { FleetError } from './errors.js';
import { revokeUnit } from './exchange.js';
import { destroyUnusedKeys } from './key-retirement.js';
import { KEY_PROVIDERS, type KeyProviderName } from './pkcs11-keys.js';
import { ENDED_UNIT_STATES, ISSUING_STATES, moveUnit, type UnitState } from './states.js';
import { resolveBranch, validateTin } from './tenants.js';
import { EGS_SERIAL, UNIT_TITLES } from '../model/identifiers.js';

export interface UnitInput {
  /** Default with `replaces`: the replaced unit's branch. */
  branch?: string;
  /** Default with `replaces`: the replaced unit's serial (the same device). */
  serial?: string;
  title?: string;
  environment?: string;
  /** CSR common name; default the serial's third part. */
  name?: string;
  /** VAT groups: the member whose device this is (its TIN becomes the OU). */
  memberTin?: string;
  /** Re-onboarding: the revoked, expired or retired unit of the same device this one replaces. */
  replaces?: string;
  /** Where the unit's keys are made and kept: `sealed` (default; a replacement keeps its predecessor's) or `pkcs11`. */
  keyProvider?: string;
  /** Where its environment is reached (ZATCA's gateway or a simulator), given its environment; recorded with the unit. */
  zatcaBaseUrl?: (environment: FatooraEnv) => string;
}

function invalid(field: string, message: string, messageAr: string, rule?: string): FleetError {
  return new FleetError('INVALID_FIELD', `${field}: ${message}`, { field, messageAr: `${field}: ${messageAr}`, ...(rule && { rule }) });
}

export async function addUnit(ctx: FleetContext, taxpayer: Taxpayer, input: UnitInput): Promise<EgsUnit> {
  const db = ctx.store.db;
  const replaced = input.replaces ? await replaceableUnit(ctx, taxpayer, input.replaces) : undefined;
  const { serial, title, environment } = deviceFields(input, replaced);
  const branch = await resolveBranch(ctx, taxpayer, input.branch ?? replaced?.branch_id ?? '');
  const memberTin = await groupMemberTin(ctx, taxpayer, input, replaced);
  // NFC and visible characters only: the name is matched, printed and written into invoice numbers.
  const name = visibleName(input.name ?? replaced?.name ?? serial.split('|')[2]!.slice(2), 'name');
  if (name === '' || name.length > 64)
    throw invalid('name', 'the unit name (CSR common name) must be 1–64 characters', 'يجب أن يكون اسم الوحدة من 1 إلى 64 حرفاً');
  const sameSerial = await assertReferencesFree(ctx, taxpayer, serial, name, replaced);
  const keyProvider = keyProviderOf(ctx, input, replaced);
  const now = ctx.clock.now().toISOString();
  const row = {
    id: randomUUID(),
    taxpayer_id: taxpayer.id,
    branch_id: branch.id,
    member_tin: memberTin,
    name,
    serial,
    generation: replaced ? sameSerial.at(-1)!.generation + 1 : 1,
    title,
    environment,
    organization_unit: memberTin ?? branch.name,
    state: 'new' as UnitState,
    state_changed_at: now,
    // A new unit always starts a new chain (policy: never continue a revoked unit's counter).
    icv: 0,
    pih: INITIAL_PIH,
    last_issued_at: null,
    replaces_unit_id: replaced?.id ?? null,
    created_at: now,
    key_provider: keyProvider,
    issuing_paused_until: null,
    issuing_paused_reason: null,
    credentials_refused_at: null,
    credentials_refused_reason: null,
    zatca_base_url: input.zatcaBaseUrl?.(environment) ?? replaced?.zatca_base_url ?? null,
  };
  await db.transaction().execute(async (trx) => {
    await unitRepo.insertUnit(trx, row);
    await unitRepo.recordCreation(trx, row, ctx.actor, replaced ? `registered to replace unit ${replaced.name} (${replaced.state})` : 'registered', now);
  });
  // The replaced unit will never sign again: its keys in a token go now (or at its next sweep).
  if (replaced) await destroyUnusedKeys(ctx, replaced);
  return row;
}

/** The unit a re-onboarding replaces: only one that has ended (revoked, expired or retired). */
async function replaceableUnit(ctx: FleetContext, taxpayer: Taxpayer, ref: string): Promise<EgsUnit> {
  const replaced = await resolveUnit(ctx, taxpayer, ref);
  if (!ENDED_UNIT_STATES.includes(replaced.state as UnitState)) {
    throw new FleetError('WRONG_STATE', `unit ${replaced.name} is ${replaced.state}; only a revoked, expired or retired unit can be replaced by a new one`, {
      field: 'replaces',
      messageAr: `الوحدة ${replaced.name} في الحالة ${replaced.state}؛ لا تُستبدل إلا وحدة ملغاة أو منتهية أو متقاعدة`,
    });
  }
  return replaced;
}

/** Serial, title and environment of a new unit, each defaulting to the replaced unit's. */
function deviceFields(input: UnitInput, replaced: EgsUnit | undefined): { serial: string; title: string; environment: FatooraEnv } {
  const serial = (input.serial ?? replaced?.serial ?? '').trim().normalize('NFC');
  if (serial !== '') visibleName(serial, 'serial', 200);
  if (!EGS_SERIAL.test(serial)) {
    throw invalid(
      'serial',
      `must be 1-<maker>|2-<model>|3-<serial> (e.g. 1-Fawtara|2-POS|3-RUH-001); got "${serial}"`,
      'يجب أن يكون الرقم التسلسلي بالشكل 1-الصانع|2-الطراز|3-الرقم',
      'docs/zatca-notes.md §A5.1',
    );
  }
  const title = (input.title ?? replaced?.title ?? '1100').trim();
  if (!(UNIT_TITLES as readonly string[]).includes(title)) {
    throw invalid(
      'title',
      `must be 1000 (standard only), 0100 (simplified only) or 1100 (both); got "${title}"`,
      'يجب أن يكون نوع الفواتير 1000 أو 0100 أو 1100',
      'docs/zatca-notes.md §A4.1',
    );
  }
  const environment = (input.environment ?? replaced?.environment ?? 'simulation').trim();
  if (!isFatooraEnv(environment)) {
    throw invalid('environment', `must be sandbox, simulation or production; got "${environment}"`, 'يجب أن تكون البيئة sandbox أو simulation أو production');
  }
  return { serial, title, environment };
}

/** A VAT group's device names the member it belongs to (its TIN becomes the CSR's OU); no other device does. */
async function groupMemberTin(ctx: FleetContext, taxpayer: Taxpayer, input: UnitInput, replaced: EgsUnit | undefined): Promise<string | null> {
  if (!taxpayer.is_vat_group) {
    if (input.memberTin)
      throw invalid('member', `${taxpayer.vat_number} is not a VAT group; only a group's devices carry a member TIN`, 'هذا المكلف ليس مجموعة ضريبية');
    return null;
  }
  const tin = input.memberTin ?? replaced?.member_tin;
  if (!tin) {
    throw invalid(
      'member',
      `${taxpayer.vat_number} is a VAT group: give the TIN of the member whose device this is (it becomes the CSR's OU)`,
      'هذا المكلف مجموعة ضريبية: حدد الرقم المميز للعضو صاحب الجهاز',
      'docs/zatca-notes.md §A5.2',
    );
  }
  const memberTin = validateTin(tin, 'member');
  if (!(await tenants.findMember(ctx.store.db, taxpayer.id, memberTin))) {
    throw new FleetError('NOT_FOUND', `${memberTin} is not a member of VAT group ${taxpayer.vat_number}; add it first`, {
      field: 'member',
      messageAr: `${memberTin} ليس عضواً في المجموعة الضريبية؛ أضفه أولاً`,
    });
  }
  return memberTin;
}

/**
 * Refuse a serial or name another unit already answers to; returns the earlier units of the same
 * serial (a replacement continues their generation count).
 */
async function assertReferencesFree(ctx: FleetContext, taxpayer: Taxpayer, serial: string, name: string, replaced: EgsUnit | undefined): Promise<EgsUnit[]> {
  const db = ctx.store.db;
  const sameSerial = await unitRepo.unitsWithSerial(db, taxpayer.id, serial);
  if (sameSerial.length > 0 && (!replaced || replaced.serial !== serial || sameSerial.at(-1)!.id !== replaced.id)) {
    throw new FleetError(
      'DUPLICATE',
      `serial ${serial} is already registered for taxpayer ${taxpayer.vat_number} (unit ${sameSerial.at(-1)!.name}); a serial is unique per taxpayer — to onboard the same device again after revocation, register a new unit that replaces that one (field replaces; in the CLI --replaces)`,
      {
        field: 'serial',
        messageAr: `الرقم التسلسلي ${serial} مسجل مسبقاً لهذا المكلف؛ لإعادة تسجيل الجهاز نفسه بعد الإلغاء سجّل وحدة جديدة تحل محل تلك الوحدة (replaces)`,
      },
    );
  }
  const sameName = (await unitRepo.unitsWithName(db, taxpayer.id, name)).filter((u) => u.serial !== serial);
  if (sameName.length > 0) {
    throw new FleetError('DUPLICATE', `unit name ${name} is already used by ${sameName[0]!.serial}; choose another name`, {
      field: 'name',
      messageAr: `اسم الوحدة ${name} مستخدم مسبقاً؛ اختر اسماً آخر`,
    });
  }
  // A name may not be another unit's serial or id, nor a serial another unit's name: unit references
  // (URLs, tokens, --unit) must never be able to point at someone else's device.
  const crossName = (await unitRepo.unitsReferencedBy(db, taxpayer.id, name)).filter((u) => u.serial !== serial && u.name !== name);
  const crossSerial = (await unitRepo.unitsReferencedBy(db, taxpayer.id, serial)).filter((u) => u.serial !== serial);
  if (crossName.length > 0 || crossSerial.length > 0) {
    throw new FleetError(
      'DUPLICATE',
      `unit name ${name} or serial ${serial} is already another unit's name, serial or id; choose names that identify one device only`,
      {
        field: crossName.length > 0 ? 'name' : 'serial',
        messageAr: 'اسم الوحدة أو رقمها التسلسلي مستخدم مرجعاً لوحدة أخرى؛ اختر اسماً يدل على جهاز واحد فقط',
      },
    );
  }
  return sameSerial;
}

/** Where the unit's keys are made and kept; PKCS#11 only when the fleet has a token configured. */
function keyProviderOf(ctx: FleetContext, input: UnitInput, replaced: EgsUnit | undefined): string {
  const keyProvider = (input.keyProvider ?? replaced?.key_provider ?? 'sealed').trim();
  if (!(KEY_PROVIDERS as readonly string[]).includes(keyProvider)) {
    throw invalid('keyProvider', `must be sealed or pkcs11; got "${keyProvider}"`, 'يجب أن يكون مزود المفاتيح sealed أو pkcs11');
  }
  if (!ctx.keys.accepts && keyProvider === 'pkcs11') {
    throw invalid('keyProvider', 'this fleet has no PKCS#11 token configured', 'لا توجد وحدة أمان PKCS#11 مهيأة');
  }
  ctx.keys.accepts?.(keyProvider as KeyProviderName);
  return keyProvider;
}

export async function resolveUnit(ctx: FleetContext, taxpayer: Taxpayer, ref: string): Promise<EgsUnit> {
  const found = await unitRepo.findUnit(ctx.store.db, taxpayer.id, ref.trim().normalize('NFC'));
  if (!found) {
    throw new FleetError(
      'NOT_FOUND',
      `taxpayer ${taxpayer.vat_number} has no unit "${ref}" (give its name, serial or id; list them with "fawtara units list")`,
      {
        field: 'unit',
        messageAr: `لا توجد وحدة "${ref}" لهذا المكلف؛ اعرض الوحدات بالأمر fawtara units list`,
      },
    );
  }
  return found;
}

export interface RetireOptions {
  force?: boolean;
  reason?: string;
  /** Submit the unit's queue once before deciding (the outbox's `drainUnit`; egs/ sits below outbox/). */
  drain?: (unit: EgsUnit) => Promise<void>;
}

/**
 * Retire a unit locally. Its queue is submitted first (with `drain`); documents ZATCA still does not
 * hold refuse the retirement unless forced with a reason. Forced, the unit never issues again but
 * keeps its production CSID for submitting what it already signed — ZATCA still counts the unit as
 * active — so queued documents go on to ZATCA and held ones wait for `outbox run --retry-held`.
 */
export async function retireUnit(ctx: FleetContext, taxpayer: Taxpayer, ref: string, options: RetireOptions = {}): Promise<EgsUnit> {
  let unit = await resolveUnit(ctx, taxpayer, ref);
  // Retiring again finishes what a token that was away left: destroying the unit's keys.
  if (unit.state === 'retired') {
    await destroyUnusedKeys(ctx, unit);
    return unit;
  }
  const reason = options.reason?.trim();
  if (options.force && !reason) {
    throw invalid('reason', 'retiring with force needs a reason (it is kept in the unit history)', 'التقاعد القسري يتطلب ذكر السبب (يُحفظ في سجل الوحدة)');
  }
  if (options.drain && ISSUING_STATES.includes(unit.state as UnitState)) {
    await options.drain(unit);
    unit = await resolveUnit(ctx, taxpayer, unit.id);
  }
  const { queued, held } = await submissions.pendingOfUnit(ctx.store.db, taxpayer.id, unit.id);
  const pending = ctx.pendingDocuments ? await ctx.pendingDocuments(taxpayer.id, unit.id) : queued + held;
  if (pending > 0 && !options.force) {
    throw new FleetError(
      'UNSUBMITTED_DOCUMENTS',
      `unit ${unit.name} still has ${pending} document(s) ZATCA has not received (${queued} queued, ${held} held); submit them first, or retire anyway with force and a reason: the unit then never issues again, and keeps its certificate only to submit those documents`,
      {
        field: 'unit',
        messageAr: `للوحدة ${unit.name} عدد ${pending} من المستندات لم تستلمها الهيئة بعد؛ أرسلها أولاً، أو أحلها للتقاعد قسراً مع ذكر السبب: عندها لا تصدر الوحدة أي مستند جديد وتحتفظ بشهادتها لإرسال تلك المستندات فقط`,
      },
    );
  }
  const u = unit;
  const retired = await ctx.store.db.transaction().execute(async (trx) => {
    const moved = await moveUnit(trx, u, {
      to: 'retired',
      actor: ctx.actor,
      reason: reason
        ? `retired: ${reason}${pending > 0 ? ` (forced with ${pending} unsubmitted document(s), ${queued} queued and ${held} held; its production CSID is kept to submit them)` : ''}`
        : 'retired',
      at: ctx.clock.now(),
    });
    if (pending === 0) await credentials.revokeUnitCsids(trx, { taxpayerId: u.taxpayer_id, unitId: u.id });
    return moved;
  });
  await destroyUnusedKeys(ctx, retired);
  return retired;
}

export const REVOCATION_CAUSES = ['portal', 'vat-deregistered', 'vat-suspended', 'vat-group'] as const;

/** The operator confirms that ZATCA revoked the unit (seen in the Fatoora portal, or told by ZATCA). */
export async function confirmRevocation(ctx: FleetContext, taxpayer: Taxpayer, ref: string, options: { reason?: string; cause?: string }): Promise<EgsUnit> {
  const unit = await resolveUnit(ctx, taxpayer, ref);
  const reason = options.reason?.trim();
  if (!reason) throw invalid('reason', 'give --reason "<what the portal shows>" (kept in the unit history)', 'اذكر السبب بالخيار --reason');
  const cause = options.cause ?? 'portal';
  if (!(REVOCATION_CAUSES as readonly string[]).includes(cause))
    throw invalid('cause', `must be one of ${REVOCATION_CAUSES.join(', ')}`, `يجب أن يكون السبب أحد: ${REVOCATION_CAUSES.join('، ')}`);
  if (unit.state === 'revoked') return unit;
  return revokeUnit(ctx, unit, `revocation confirmed by ${ctx.actor}: ${reason}`, cause);
}

export interface ExpiringUnit {
  unit: EgsUnit;
  notAfter: string;
  daysLeft: number;
}

/**
 * Units whose production CSID ends within `days`. Units already past their end are moved to
 * `expired` on the way (docs/zatca-notes.md §A8.3: the clock passing notAfter is the transition).
 */
export async function expiringUnits(ctx: FleetContext, taxpayer: Taxpayer, days: number): Promise<ExpiringUnit[]> {
  if (!Number.isFinite(days) || days < 0 || days > 3650) throw invalid('days', 'must be a number of days from 0 to 3650', 'يجب أن يكون عدد الأيام بين 0 و3650');
  const now = ctx.clock.now();
  const horizon = new Date(now.getTime() + days * 86_400_000).toISOString();
  const out: ExpiringUnit[] = [];
  for (const csid of await credentials.productionCsidsEndingBefore(ctx.store.db, taxpayer.id, horizon)) {
    let unit = await unitRepo.findUnitById(ctx.store.db, taxpayer.id, csid.unit_id);
    if (!unit || ENDED_UNIT_STATES.includes(unit.state as UnitState)) continue;
    if (Date.parse(csid.not_after) <= now.getTime() && unit.state === 'active') {
      const u = unit;
      unit = await ctx.store.db.transaction().execute(async (trx) => {
        const moved = await moveUnit(trx, u, { to: 'expired', actor: ctx.actor, reason: `production CSID ended ${csid.not_after}`, at: now });
        await credentials.setCsidStatus(trx, { taxpayerId: u.taxpayer_id, unitId: u.id }, csid.id, 'superseded');
        return moved;
      });
    }
    out.push({ unit, notAfter: csid.not_after, daysLeft: Math.floor((Date.parse(csid.not_after) - now.getTime()) / 86_400_000) });
  }
  return out;
}

export function unitEnvironment(unit: EgsUnit): FatooraEnv {
  return unit.environment as FatooraEnv;
}

/** The client for the unit's recorded target: the one place every ZATCA call of a unit is addressed. */
export function unitZatca(ctx: FleetContext, unit: EgsUnit): ZatcaClient {
  return unit.zatca_base_url ? ctx.zatca(unitEnvironment(unit), unit.zatca_base_url) : ctx.zatca(unitEnvironment(unit));
}

/** Record where a unit's environment is reached (onboarding against a target, a demo simulator's new port). */
export async function setUnitTarget(ctx: FleetContext, unit: EgsUnit, baseUrl: string): Promise<EgsUnit> {
  if (unit.zatca_base_url === baseUrl) return unit;
  await unitRepo.setZatcaBaseUrl(ctx.store.db, unit, baseUrl);
  return { ...unit, zatca_base_url: baseUrl };
}
