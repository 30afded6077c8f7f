// Which units a caller's queries and documents may see: its own unit, its branch, or the whole
// taxpayer — and branch and unit names (query, body) resolved inside that scope.
import { isFleetError, resolveBranch, resolveUnit, type FleetContext } from '../../egs/index.js';
import { FawtaraError } from '../../errors.js';
import { instantFromText, ksaRange } from '../../model/ksa-time.js';
import { units, type Branch, type EgsUnit, type Taxpayer } from '../../store/index.js';
import { forbidden } from '../access/errors.js';
import { assertBranch, assertUnit, type Principal } from '../access/principal.js';

export interface ScopedFilter {
  unitId?: string;
  branchId?: string;
}

/**
 * A branch named by the caller (a query or body field). A caller confined to a branch or unit gets
 * the same 403 for a name of another branch and for a name that exists nowhere: it learns nothing.
 */
export async function branchInScope(fleet: FleetContext, p: Principal, t: Taxpayer, ref: string): Promise<Branch> {
  let b: Branch;
  try {
    b = await resolveBranch(fleet, t, ref);
  } catch (error) {
    if (p.branchId !== null && isFleetError(error, 'NOT_FOUND'))
      throw forbidden('OUT_OF_SCOPE', 'this branch is outside your access', 'هذا الفرع خارج نطاق صلاحياتك', 'branch');
    throw error;
  }
  assertBranch(p, t.id, b.id);
  return b;
}

/** A unit named by the caller: as branchInScope, 403 alike for another branch's unit and for no unit. */
export async function unitInScope(fleet: FleetContext, p: Principal, t: Taxpayer, ref: string): Promise<EgsUnit> {
  let u: EgsUnit;
  try {
    u = await resolveUnit(fleet, t, ref);
  } catch (error) {
    if (p.branchId !== null && isFleetError(error, 'NOT_FOUND'))
      throw forbidden('OUT_OF_SCOPE', 'this unit is outside your access', 'هذه الوحدة خارج نطاق صلاحياتك', 'unit');
    throw error;
  }
  assertUnit(p, u);
  return u;
}

/** The units whose documents the caller may see when it issues (undefined: every unit of the taxpayer). */
export async function visibleUnitsOf(fleet: FleetContext, p: Principal, t: Taxpayer): Promise<ReadonlySet<string> | undefined> {
  if (p.unitId) return new Set([p.unitId]);
  if (p.branchId) return new Set((await units.listUnits(fleet.store.db, t.id, { branchId: p.branchId })).map((u) => u.id));
  return undefined;
}

export async function scopedFilter(
  fleet: FleetContext,
  p: Principal,
  t: Taxpayer,
  q: { unit?: string | undefined; branch?: string | undefined },
): Promise<ScopedFilter> {
  const f: ScopedFilter = {};
  if (p.branchId) f.branchId = p.branchId;
  if (p.unitId) f.unitId = p.unitId;
  if (q.branch) f.branchId = (await branchInScope(fleet, p, t, q.branch)).id;
  if (q.unit) {
    const u = await unitInScope(fleet, p, t, q.unit);
    if (f.branchId && u.branch_id !== f.branchId) {
      throw new FawtaraError('INVALID_INPUT', `unit ${u.name} is not in the branch asked for`, {
        field: 'querystring.unit',
        messageAr: `الوحدة ${u.name} ليست في الفرع المطلوب`,
      });
    }
    f.unitId = u.id;
  }
  return f;
}

/** The units a filter covers (undefined: every unit of the taxpayer). */
export async function unitIdsOf(fleet: FleetContext, t: Taxpayer, f: ScopedFilter): Promise<string[] | undefined> {
  if (f.unitId) return [f.unitId];
  if (f.branchId) return (await units.listUnits(fleet.store.db, t.id, { branchId: f.branchId })).map((u) => u.id);
  return undefined;
}

/** `from`/`to` as instants: a date (KSA day start), a full ISO instant; `period` a KSA month or day (model/ksa-time.ts). */
export function periodRange(q: { from?: string | undefined; to?: string | undefined; period?: string | undefined }): { from?: string; to?: string } {
  const instant = (v: string, field: string) => {
    const at = instantFromText(v);
    if (!at)
      throw new FawtaraError('INVALID_INPUT', `${field}: give a date (2026-03-01, KSA day) or an ISO instant`, {
        field: `querystring.${field}`,
        messageAr: `${field}: أدخل تاريخاً أو لحظة بصيغة ISO`,
      });
    return at.toISOString();
  };
  const r: { from?: string; to?: string } = {};
  if (q.period) {
    const range = ksaRange(q.period);
    if (!range)
      throw new FawtaraError('INVALID_INPUT', 'period: give a month (2026-03) or a day (2026-03-01)', {
        field: 'querystring.period',
        messageAr: 'period: أدخل شهراً (2026-03) أو يوماً (2026-03-01)',
      });
    r.from = range.from.toISOString();
    r.to = range.to.toISOString();
  }
  if (q.from) r.from = instant(q.from, 'from');
  if (q.to) r.to = instant(q.to, 'to');
  return r;
}
