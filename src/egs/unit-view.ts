// What a unit looks like to a person or a client: identity, branch, state, chain head and its
// production CSID's validity. Named columns only, so no key, secret or token can slip through.
import { credentials, tenants, type Branch, type EgsUnit } from '../store/index.js';
import type { FleetContext } from './context.js';
import { credentialWarnings, type UnitWarning } from './sandbox-certificate.js';

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
  /** Chain head: the hash of the last document issued (the next document's PIH). */
  pih: string;
  lastIssuedAt: string | null;
  replacesUnitId: string | null;
  pcsid: { requestId: string; certificateSerial: string; notBefore: string; notAfter: string } | null;
  /** Where the unit's keys are made and kept: `sealed` in this store or `pkcs11` in a token. */
  keyProvider: 'sealed' | 'pkcs11';
  /** What a person must know about its credential (the sandbox's canned certificate), English and Arabic. */
  warnings: UnitWarning[];
}

export type UnitKeySummary = {
  provider: 'sealed' | 'pkcs11';
  token: string | null;
  label: string | null;
  createdAt: string;
  destroyedAt: string | null;
};

/** The unit's keys, oldest first: where each is and its label — public facts only, never key material. */
export async function describeUnitKeys(fleet: FleetContext, unit: EgsUnit): Promise<UnitKeySummary[]> {
  const keys = await credentials.listKeys(fleet.store.db, { taxpayerId: unit.taxpayer_id, unitId: unit.id });
  return keys.map((k) => ({
    provider: k.provider === 'pkcs11' ? 'pkcs11' : 'sealed',
    token: k.token_label,
    label: k.key_label,
    createdAt: k.created_at,
    destroyedAt: k.destroyed_at,
  }));
}

/** The unit's CSIDs: kind, purpose, ZATCA's request id, status and validity — never the secret. */
export async function describeUnitCsids(fleet: FleetContext, unit: EgsUnit): Promise<Array<Record<string, string>>> {
  const csids = await credentials.listCsids(fleet.store.db, { taxpayerId: unit.taxpayer_id, unitId: unit.id });
  return csids.map((c) => ({
    kind: c.kind,
    purpose: c.purpose,
    requestId: c.request_id,
    status: c.status,
    certificateSerial: c.certificate_serial,
    notAfter: c.not_after,
  }));
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
    pih: unit.pih,
    lastIssuedAt: unit.last_issued_at,
    replacesUnitId: unit.replaces_unit_id,
    pcsid: pcsid ? { requestId: pcsid.request_id, certificateSerial: pcsid.certificate_serial, notBefore: pcsid.not_before, notAfter: pcsid.not_after } : null,
    keyProvider: unit.key_provider === 'pkcs11' ? 'pkcs11' : 'sealed',
    warnings: credentialWarnings(unit, pcsid),
  };
}
