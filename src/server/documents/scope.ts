// Which units a caller's list and status queries may see: its own unit, its branch, or the whole
// taxpayer — and query filters (unit, branch, period) resolved inside that scope.
import { resolveBranch, resolveUnit, type FleetContext } from '../../egs/index.js';
import { FawtaraError } from '../../errors.js';
import { units, type Taxpayer } from '../../store/index.js';
import { assertBranch, assertUnit, type Principal } from '../access/principal.js';

/** KSA is UTC+3 all year: a date in a query means that KSA calendar day, as issue dates do. */
const KSA_OFFSET = '+03:00';

export interface ScopedFilter {
  unitId?: string;
  branchId?: string;
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
  if (q.branch) {
    const b = await resolveBranch(fleet, t, q.branch);
    assertBranch(p, t.id, b.id);
    f.branchId = b.id;
  }
  if (q.unit) {
    const u = await resolveUnit(fleet, t, q.unit);
    assertUnit(p, u);
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

/** `from`/`to` as instants: a date (KSA day start), a full ISO instant; `period` YYYY-MM or YYYY-MM-DD. */
export function periodRange(q: { from?: string | undefined; to?: string | undefined; period?: string | undefined }): { from?: string; to?: string } {
  const instant = (v: string, field: string) => {
    const text = /^\d{4}-\d{2}-\d{2}$/.test(v) ? `${v}T00:00:00${KSA_OFFSET}` : v;
    const ms = Date.parse(text);
    if (Number.isNaN(ms))
      throw new FawtaraError('INVALID_INPUT', `${field}: give a date (2026-03-01, KSA day) or an ISO instant`, {
        field: `querystring.${field}`,
        messageAr: `${field}: أدخل تاريخاً أو لحظة بصيغة ISO`,
      });
    return new Date(ms).toISOString();
  };
  const r: { from?: string; to?: string } = {};
  if (q.period) {
    const m = /^(\d{4})-(\d{2})(?:-(\d{2}))?$/.exec(q.period);
    if (!m)
      throw new FawtaraError('INVALID_INPUT', 'period: give a month (2026-03) or a day (2026-03-01)', {
        field: 'querystring.period',
        messageAr: 'period: أدخل شهراً (2026-03) أو يوماً (2026-03-01)',
      });
    const [y, mo, d] = [Number(m[1]), Number(m[2]), m[3] ? Number(m[3]) : undefined];
    const start = Date.UTC(y, mo - 1, d ?? 1) - 3 * 3600_000;
    const end = d ? start + 86_400_000 : Date.UTC(y, mo, 1) - 3 * 3600_000;
    r.from = new Date(start).toISOString();
    r.to = new Date(end).toISOString();
  }
  if (q.from) r.from = instant(q.from, 'from');
  if (q.to) r.to = instant(q.to, 'to');
  return r;
}
