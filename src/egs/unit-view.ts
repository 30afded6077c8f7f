// What a unit looks like to a person or a client: identity, branch, state, chain head and its
// production CSID's validity. Named columns only, so no key, secret or token can slip through.
import { credentials, tenants, type Branch, type EgsUnit } from '../store/index.js';
import type { FleetContext } from './context.js';

export interface UnitSummary {
  id: string;
  name: string;
  serial: string;
  generation: number;
  branch: string | null;
  branchId: string;
  title: string;
  environment: string;
  /** Where its environment is reached (ZATCA's gateway or a simulator); null: not recorded (registered before migration 0008). */
  zatcaBaseUrl: string | null;
  organizationUnit: string;
  memberTin: string | null;
  state: string;
  stateChangedAt: string;
  icv: number;
  lastIssuedAt: string | null;
  replacesUnitId: string | null;
  pcsid: { requestId: string; certificateSerial: string; notBefore: string; notAfter: string } | null;
}

/** `branches` lets a caller listing many units look each branch up once. */
export async function describeUnit(fleet: FleetContext, unit: EgsUnit, branches?: Map<string, Branch>): Promise<UnitSummary> {
  const branch = branches?.get(unit.branch_id) ?? (await tenants.findBranch(fleet.store.db, unit.taxpayer_id, unit.branch_id));
  const pcsid = await credentials.activeCsid(fleet.store.db, { taxpayerId: unit.taxpayer_id, unitId: unit.id }, 'production');
  return {
    id: unit.id,
    name: unit.name,
    serial: unit.serial,
    generation: unit.generation,
    branch: branch?.name ?? null,
    branchId: unit.branch_id,
    title: unit.title,
    environment: unit.environment,
    zatcaBaseUrl: unit.zatca_base_url,
    organizationUnit: unit.organization_unit,
    memberTin: unit.member_tin,
    state: unit.state,
    stateChangedAt: unit.state_changed_at,
    icv: unit.icv,
    lastIssuedAt: unit.last_issued_at,
    replacesUnitId: unit.replaces_unit_id,
    pcsid: pcsid ? { requestId: pcsid.request_id, certificateSerial: pcsid.certificate_serial, notBefore: pcsid.not_before, notAfter: pcsid.not_after } : null,
  };
}
