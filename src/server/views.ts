// What the API shows of fleet and access rows: explicit views and their response schemas. A column
// not named here (a sealed key, a CSID secret, a password hash, a token hash) cannot reach a client.
import { z } from 'zod';
import type { ApiTokenRow, Branch, EgsUnit, Taxpayer, UserRow } from '../store/index.js';
import type { FleetContext } from '../egs/index.js';
import { describeUnit } from '../egs/unit-view.js';

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
  zatcaBaseUrl: z.string().nullable().describe("where the unit's ZATCA requests go (its recorded target); null: not recorded"),
  organizationUnit: z.string(),
  memberTin: z.string().nullable(),
  state: z.string(),
  stateChangedAt: z.string(),
  icv: z.number(),
  pih: z.string().describe("chain head: the last document's hash, the next one's PIH"),
  lastIssuedAt: z.string().nullable(),
  replacesUnitId: z.string().nullable(),
  pcsid: z.object({ requestId: z.string(), certificateSerial: z.string(), notBefore: z.string(), notAfter: z.string() }).nullable(),
  /** Where the unit's keys are made and kept: `sealed` (in the store, encrypted) or `pkcs11` (in a token). */
  keyProvider: z.enum(['sealed', 'pkcs11']),
  warnings: z
    .array(z.object({ code: z.string(), message: z.string(), messageAr: z.string() }))
    .describe("what a person must know about the unit's credential, e.g. the developer-portal sandbox's canned certificate"),
});
export type UnitViewT = z.infer<typeof UnitView>;

/** The shared unit summary (src/egs/unit-view.ts); the schema above describes it to clients. */
export const unitView: (fleet: FleetContext, unit: EgsUnit, branches?: Map<string, Branch>) => Promise<UnitViewT> = describeUnit;

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
