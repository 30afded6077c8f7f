// Taxpayers, VAT-group members and branches: validated input (VAT number, TIN, CRN, address) and
// registration. A taxpayer is the isolation boundary: every later lookup goes through one.
import { randomUUID } from 'node:crypto';

import { tenants, units, type Branch, type Taxpayer, type VatGroupMember } from '../store/index.js';
import type { FleetContext } from './context.js';
import { FleetError } from './errors.js';
import { CRN, isVatGroupNumber, TIN, VAT_NUMBER } from '../model/identifiers.js';

export const DEFAULT_BUSINESS_CATEGORY = 'Supply activities';

function invalid(field: string, message: string, messageAr: string, rule?: string): FleetError {
  return new FleetError('INVALID_FIELD', `${field}: ${message}`, { field, messageAr: `${field}: ${messageAr}`, ...(rule && { rule }) });
}

function text(value: unknown, field: string, label: string, max = 127): string {
  if (typeof value !== 'string' || value.trim() === '') throw invalid(field, `${label} is required`, `الحقل مطلوب (${label})`);
  const v = value.trim();
  if (v.length > max) throw invalid(field, `${label} must be at most ${max} characters`, `يجب ألا يزيد طول الحقل على ${max} حرفاً`);
  return v;
}

export function validateVatNumber(value: unknown, field = 'vatNumber'): string {
  const v = typeof value === 'string' ? value.trim() : typeof value === 'number' ? String(value) : '';
  if (!VAT_NUMBER.test(v)) {
    throw invalid(
      field,
      `must be the 15-digit VAT registration number, first and last digit 3 (e.g. 399999999900003); got "${String(value ?? '')}"`,
      'يجب أن يكون رقم التسجيل الضريبي من 15 رقماً يبدأ وينتهي بالرقم 3',
      'BR-KSA-40',
    );
  }
  return v;
}

export function validateTin(value: unknown, field = 'tin'): string {
  const v = typeof value === 'string' ? value.trim() : '';
  if (!TIN.test(v)) {
    throw invalid(
      field,
      `must be the group member's 10-digit TIN (e.g. 3999999999); got "${String(value ?? '')}"`,
      'يجب أن يكون الرقم المميز لعضو المجموعة من 10 أرقام',
      'docs/zatca-notes.md §A5.2',
    );
  }
  return v;
}

export interface TaxpayerInput {
  vatNumber: string;
  nameAr: string;
  nameEn?: string;
  vatGroup?: boolean;
  businessCategory?: string;
  members?: Array<{ tin: string; name: string }>;
}

export async function addTaxpayer(ctx: FleetContext, input: TaxpayerInput): Promise<Taxpayer> {
  const vat = validateVatNumber(input.vatNumber);
  const nameAr = text(input.nameAr, 'nameAr', 'the legal name in Arabic');
  const nameEn = input.nameEn === undefined || input.nameEn === '' ? null : text(input.nameEn, 'nameEn', 'the legal name in English');
  const group = Boolean(input.vatGroup);
  if (group !== isVatGroupNumber(vat)) {
    throw group
      ? invalid(
          'vatGroup',
          `${vat} is not a VAT group number (a group's 11th digit is 1)`,
          `الرقم ${vat} ليس رقم مجموعة ضريبية (الخانة 11 في رقم المجموعة هي 1)`,
          'docs/zatca-notes.md §A5.2',
        )
      : invalid(
          'vatGroup',
          `${vat} is a VAT group number (11th digit 1): register it with the VAT-group flag and its members' TINs`,
          `الرقم ${vat} رقم مجموعة ضريبية: سجله مع علامة المجموعة وأرقام الأعضاء`,
          'docs/zatca-notes.md §A5.2',
        );
  }
  if (!group && input.members && input.members.length > 0) {
    throw invalid('members', 'only a VAT group has members', 'الأعضاء للمجموعات الضريبية فقط');
  }
  const members = (input.members ?? []).map((m, i) => ({
    tin: validateTin(m.tin, `members[${i}].tin`),
    name: text(m.name, `members[${i}].name`, 'the member name'),
  }));
  const db = ctx.store.db;
  if (await tenants.findTaxpayerByVat(db, vat)) {
    throw new FleetError('DUPLICATE', `taxpayer ${vat} is already registered`, { field: 'vatNumber', messageAr: `المكلف ${vat} مسجل مسبقاً` });
  }
  const now = ctx.clock.now().toISOString();
  const row = {
    id: randomUUID(),
    vat_number: vat,
    name_ar: nameAr,
    name_en: nameEn,
    is_vat_group: group ? 1 : 0,
    business_category: input.businessCategory ? text(input.businessCategory, 'businessCategory', 'the business category') : DEFAULT_BUSINESS_CATEGORY,
    created_at: now,
  };
  await db.transaction().execute(async (trx) => {
    await tenants.insertTaxpayer(trx, row);
    for (const m of members) await tenants.insertMember(trx, { id: randomUUID(), taxpayer_id: row.id, tin: m.tin, name: m.name, created_at: now });
  });
  return row;
}

export async function addMember(ctx: FleetContext, taxpayer: Taxpayer, input: { tin: string; name: string }): Promise<VatGroupMember> {
  if (!taxpayer.is_vat_group) throw invalid('taxpayer', `${taxpayer.vat_number} is not a VAT group; only groups have members`, 'هذا المكلف ليس مجموعة ضريبية');
  const tin = validateTin(input.tin);
  if (await tenants.findMember(ctx.store.db, taxpayer.id, tin)) {
    throw new FleetError('DUPLICATE', `member ${tin} is already registered in group ${taxpayer.vat_number}`, {
      field: 'tin',
      messageAr: `العضو ${tin} مسجل مسبقاً في المجموعة`,
    });
  }
  return tenants.insertMember(ctx.store.db, {
    id: randomUUID(),
    taxpayer_id: taxpayer.id,
    tin,
    name: text(input.name, 'name', 'the member name'),
    created_at: ctx.clock.now().toISOString(),
  });
}

/**
 * Remove a member from a VAT group (it left the group). Refused while one of its devices can still
 * issue or onboard: ZATCA revokes a leaving member's units (VAT-group event), so retire them first.
 */
export async function removeMember(ctx: FleetContext, taxpayer: Taxpayer, tinInput: string): Promise<VatGroupMember> {
  if (!taxpayer.is_vat_group) throw invalid('taxpayer', `${taxpayer.vat_number} is not a VAT group; only groups have members`, 'هذا المكلف ليس مجموعة ضريبية');
  const tin = validateTin(tinInput);
  const member = await tenants.findMember(ctx.store.db, taxpayer.id, tin);
  if (!member)
    throw new FleetError('NOT_FOUND', `${tin} is not a member of VAT group ${taxpayer.vat_number}`, {
      field: 'tin',
      messageAr: `${tin} ليس عضواً في المجموعة الضريبية ${taxpayer.vat_number}`,
    });
  const live = (await units.listUnits(ctx.store.db, taxpayer.id)).filter((u) => u.member_tin === tin && !['revoked', 'expired', 'retired'].includes(u.state));
  if (live.length > 0)
    throw new FleetError(
      'WRONG_STATE',
      `member ${tin} still has ${live.length} unit(s) that are not revoked, expired or retired (${live.map((u) => u.name).join(', ')}); retire them first ("fawtara units retire U") — their documents stay in the archive`,
      {
        field: 'tin',
        messageAr: `للعضو ${tin} عدد ${live.length} من الوحدات غير الملغاة أو المتقاعدة؛ أوقفها أولاً بأمر التقاعد، وتبقى مستنداتها في الأرشيف`,
      },
    );
  await tenants.deleteMember(ctx.store.db, taxpayer.id, member.id);
  return member;
}

/**
 * The taxpayer a command acts for: by VAT number, or — when the store holds exactly one — that one.
 * Every unit, branch and key lookup below starts from the returned row.
 */
export async function resolveTaxpayer(ctx: FleetContext, vatNumber?: string): Promise<Taxpayer> {
  if (vatNumber !== undefined && vatNumber !== '') {
    const vat = validateVatNumber(vatNumber, 'taxpayer');
    const found = await tenants.findTaxpayerByVat(ctx.store.db, vat);
    if (!found)
      throw new FleetError('NOT_FOUND', `no taxpayer ${vat} is registered; add it with "fawtara taxpayers add"`, {
        field: 'taxpayer',
        messageAr: `لا يوجد مكلف برقم ${vat}؛ أضفه بالأمر fawtara taxpayers add`,
      });
    return found;
  }
  const all = await tenants.listTaxpayers(ctx.store.db);
  if (all.length === 1) return all[0]!;
  throw new FleetError(
    'NOT_FOUND',
    all.length === 0
      ? 'no taxpayer is registered yet; add one with "fawtara taxpayers add"'
      : `${all.length} taxpayers are registered; name one with --taxpayer <VAT number>`,
    {
      field: 'taxpayer',
      messageAr: all.length === 0 ? 'لا يوجد مكلف مسجل بعد؛ أضف واحداً بالأمر fawtara taxpayers add' : 'يوجد أكثر من مكلف؛ حدد واحداً بالخيار --taxpayer',
    },
  );
}

export interface BranchInput {
  name: string;
  crn: string;
  street: string;
  buildingNumber: string;
  district: string;
  city: string;
  postalCode: string;
  shortAddress?: string;
}

export async function addBranch(ctx: FleetContext, taxpayer: Taxpayer, input: BranchInput): Promise<Branch> {
  const name = text(input.name, 'name', 'the branch name', 100);
  const crn = typeof input.crn === 'string' ? input.crn.trim() : '';
  if (!CRN.test(crn))
    throw invalid(
      'crn',
      `the commercial registration number must be 10 digits; got "${String(input.crn ?? '')}"`,
      'يجب أن يتكون رقم السجل التجاري من 10 أرقام',
      'BR-KSA-08',
    );
  const building = typeof input.buildingNumber === 'string' ? input.buildingNumber.trim() : '';
  if (!/^\d{4}$/.test(building))
    throw invalid('buildingNumber', `must be 4 digits; got "${String(input.buildingNumber ?? '')}"`, 'يجب أن يتكون رقم المبنى من 4 أرقام', 'BR-KSA-37');
  const postal = typeof input.postalCode === 'string' ? input.postalCode.trim() : '';
  if (!/^\d{5}$/.test(postal))
    throw invalid('postalCode', `must be 5 digits; got "${String(input.postalCode ?? '')}"`, 'يجب أن يتكون الرمز البريدي من 5 أرقام', 'BR-KSA-66');
  const short = input.shortAddress?.trim() || null;
  if (short !== null && !/^[A-Z]{4}\d{4}$/.test(short))
    throw invalid(
      'shortAddress',
      `a national short address is 4 capital letters and 4 digits (e.g. RRRD2929); got "${short}"`,
      'العنوان المختصر 4 أحرف كبيرة و4 أرقام مثل RRRD2929',
    );
  if (await tenants.findBranch(ctx.store.db, taxpayer.id, name)) {
    throw new FleetError('DUPLICATE', `branch "${name}" already exists for taxpayer ${taxpayer.vat_number}`, {
      field: 'name',
      messageAr: `الفرع "${name}" موجود مسبقاً`,
    });
  }
  return tenants.insertBranch(ctx.store.db, {
    id: randomUUID(),
    taxpayer_id: taxpayer.id,
    name,
    crn,
    street: text(input.street, 'street', 'the street'),
    building_number: building,
    district: text(input.district, 'district', 'the district'),
    city: text(input.city, 'city', 'the city'),
    postal_code: postal,
    short_address: short,
    created_at: ctx.clock.now().toISOString(),
  });
}

export async function resolveBranch(ctx: FleetContext, taxpayer: Taxpayer, ref: string): Promise<Branch> {
  const found = await tenants.findBranch(ctx.store.db, taxpayer.id, ref);
  if (!found)
    throw new FleetError('NOT_FOUND', `taxpayer ${taxpayer.vat_number} has no branch "${ref}"; list them with "fawtara branches list"`, {
      field: 'branch',
      messageAr: `لا يوجد فرع "${ref}" لهذا المكلف`,
    });
  return found;
}

/** The CSR's registeredAddress: the national short address, or building, street and city. */
export function branchLocation(branch: Branch): string {
  return branch.short_address ?? `${branch.building_number} ${branch.street}, ${branch.city}`;
}
