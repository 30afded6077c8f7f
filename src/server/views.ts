// What the API shows of fleet and access rows: explicit views and their response schemas. A column
// not named here (a sealed key, a CSID secret, a password hash, a token hash) cannot reach a client.
import { z } from 'zod';
import { credentials, tenants, type Branch, type EgsUnit, type Taxpayer } from '../store/index.js';
import type { FleetContext } from '../egs/index.js';
import type { ApiTokenRow, UserRow } from './access/schema.js';

export const TaxpayerView = z.object({
  vatNumber: z.string(),
  nameAr: z.string(),
  nameEn: z.string().nullable(),
  vatGroup: z.boolean(),
  businessCategory: z.string(),
});

export const taxpayerView = (t: Taxpayer): z.infer<typeof TaxpayerView> => ({
  vatNumber: t.vat_number,
  nameAr: t.name_ar,
  nameEn: t.name_en,
  vatGroup: t.is_vat_group === 1,
  businessCategory: t.business_category,
});

export const BranchView = z.object({
  id: z.string(),
  name: z.string(),
  crn: z.string().nullable(),
  street: z.string(),
  buildingNumber: z.string(),
  district: z.string(),
  city: z.string(),
  postalCode: z.string(),
  shortAddress: z.string().nullable(),
});

export const branchView = (b: Branch): z.infer<typeof BranchView> => ({
  id: b.id,
  name: b.name,
  crn: b.crn,
  street: b.street,
  buildingNumber: b.building_number,
  district: b.district,
  city: b.city,
  postalCode: b.postal_code,
  shortAddress: b.short_address,
});

export const UnitView = z.object({
  id: z.string(),
  name: z.string(),
  serial: z.string(),
  generation: z.number(),
  branch: z.string().nullable(),
  branchId: z.string(),
  title: z.string(),
  environment: z.string(),
  organizationUnit: z.string(),
  memberTin: z.string().nullable(),
  state: z.string(),
  stateChangedAt: z.string(),
  icv: z.number(),
  lastIssuedAt: z.string().nullable(),
  replacesUnitId: z.string().nullable(),
  pcsid: z.object({ requestId: z.string(), certificateSerial: z.string(), notBefore: z.string(), notAfter: z.string() }).nullable(),
});
export type UnitViewT = z.infer<typeof UnitView>;

export async function unitView(fleet: FleetContext, unit: EgsUnit, branches?: Map<string, Branch>): Promise<UnitViewT> {
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

export const UserView = z.object({
  username: z.string(),
  displayName: z.string().nullable(),
  role: z.string(),
  taxpayerId: z.string().nullable(),
  branchId: z.string().nullable(),
  unitId: z.string().nullable(),
  disabled: z.boolean(),
  createdAt: z.string(),
  createdBy: z.string(),
});

export const userView = (u: UserRow): z.infer<typeof UserView> => ({
  username: u.username,
  displayName: u.display_name,
  role: u.role,
  taxpayerId: u.taxpayer_id,
  branchId: u.branch_id,
  unitId: u.unit_id,
  disabled: u.disabled === 1,
  createdAt: u.created_at,
  createdBy: u.created_by,
});

export const DeviceTokenView = z.object({
  id: z.string(),
  name: z.string(),
  unitId: z.string(),
  branchId: z.string(),
  createdAt: z.string(),
  createdBy: z.string(),
  expiresAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
  lastUsedAt: z.string().nullable(),
});

export const deviceTokenView = (t: ApiTokenRow): z.infer<typeof DeviceTokenView> => ({
  id: t.id,
  name: t.name,
  unitId: t.unit_id,
  branchId: t.branch_id,
  createdAt: t.created_at,
  createdBy: t.created_by,
  expiresAt: t.expires_at,
  revokedAt: t.revoked_at,
  lastUsedAt: t.last_used_at,
});
