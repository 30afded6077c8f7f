// The POS sale: the compact body a till or dumb terminal sends (lines with VAT-inclusive prices, an
// optional buyer), checked with field-precise bilingual errors and turned into our invoice JSON.
import { z } from 'zod';
import { FawtaraError } from '../errors.js';
import { MAX_INTEGER_DIGITS } from '../model/schema.js';
import type { Branch, EgsUnit, Taxpayer } from '../store/index.js';

const MAX_DECIMALS = 6;
const Decimal = z.union([z.string().max(32), z.number()]);
const Text = z.string().min(1).max(1000);
const Address = z.strictObject({
  street: Text,
  buildingNumber: z.string().max(10).optional(),
  district: Text.optional(),
  city: Text,
  postalCode: z.string().max(10).optional(),
  country: z.string().length(2).optional(),
});

export const SaleLine = z.strictObject({
  name: z.string().min(3).max(1000).describe('item name (3–1000 characters), e.g. "شاورما دجاج | Chicken shawarma"'),
  quantity: Decimal.describe('> 0, at most 6 decimals'),
  unitPrice: Decimal.describe('VAT-inclusive price per unit, at most 6 decimals'),
  vatRate: z.enum(['15', '5', '0']).optional().describe('VAT rate: 15 (default), 5, or 0 for an out-of-scope line (category O)'),
});

export const SaleBody = z.strictObject({
  uuid: z.uuid().optional().describe('idempotency: the same UUID again returns the stored invoice, never a second one'),
  number: z.string().min(1).max(127).optional().describe('invoice number; default <unit>-<first 12 hex digits of the UUID>'),
  kind: z.enum(['simplified', 'standard']).optional().describe('simplified (default, B2C, reported) or standard (B2B, cleared before release; needs buyer)'),
  payment: z.enum(['cash', 'card', 'transfer', 'other']).optional(),
  lines: z.array(SaleLine).min(1).max(500),
  buyer: z
    .strictObject({
      name: Text.optional(),
      vatNumber: z.string().max(15).optional(),
      address: Address.optional(),
    })
    .optional(),
  note: z.string().max(1000).optional(),
  operator: z
    .strictObject({ id: z.string().min(1).max(64), name: z.string().min(1).max(100).optional() })
    .optional()
    .describe('the cashier who made the sale (many share one device and its certificate); stored beside the document, not in the signed XML'),
  deviceTime: z.iso
    .datetime({ offset: true })
    .optional()
    .describe("the device's own clock when it made the sale (ISO 8601 with offset): head office records the drift against its clock"),
});
export type Sale = z.infer<typeof SaleBody>;

const PAYMENT_CODE: Record<NonNullable<Sale['payment']>, string> = { cash: '10', card: '48', transfer: '30', other: '1' };

function invalid(field: string, message: string, messageAr: string): FawtaraError {
  return new FawtaraError('INVALID_INPUT', `body.${field}: ${message}`, { field: `body.${field}`, messageAr: `body.${field}: ${messageAr}` });
}

/** A decimal as text: digits, at most 6 decimals, no sign or exponent; the text given is the text written. */
function decimal(value: string | number, field: string, positive: boolean): string {
  const text = typeof value === 'number' ? String(value) : value.trim();
  const m = /^(\d+)(?:\.(\d+))?$/.exec(text);
  if (!m) throw invalid(field, `"${text}" is not a plain decimal (digits, optional point; no sign, no exponent)`, `"${text}" ليس رقماً عشرياً صحيحاً`);
  if (m[1]!.length > MAX_INTEGER_DIGITS) {
    throw invalid(
      field,
      `"${text}" has ${m[1]!.length} digits before the point; at most ${MAX_INTEGER_DIGITS} are allowed`,
      `"${text}" فيه ${m[1]!.length} رقماً قبل الفاصلة؛ الحد الأقصى ${MAX_INTEGER_DIGITS}`,
    );
  }
  if ((m[2]?.length ?? 0) > MAX_DECIMALS) {
    throw invalid(
      field,
      `"${text}" has ${m[2]!.length} decimals; at most ${MAX_DECIMALS} are allowed (ZATCA amounts are computed to 2)`,
      `"${text}" فيه ${m[2]!.length} خانات عشرية؛ الحد الأقصى ${MAX_DECIMALS}`,
    );
  }
  if (positive && !/[1-9]/.test(text)) throw invalid(field, 'must be greater than zero', 'يجب أن تكون القيمة أكبر من صفر');
  return text;
}

/** Check a parsed sale beyond its JSON shape: decimals, standard needs a buyer. */
export function checkSale(sale: Sale): void {
  sale.lines.forEach((l, i) => {
    decimal(l.quantity, `lines[${i}].quantity`, true);
    decimal(l.unitPrice, `lines[${i}].unitPrice`, false);
  });
  if (sale.kind === 'standard' && (!sale.buyer?.name || !sale.buyer.address)) {
    throw invalid(
      'buyer',
      'a standard (B2B) invoice needs the buyer name and address (and its VAT number if registered)',
      'الفاتورة الضريبية تتطلب اسم المشتري وعنوانه (ورقمه الضريبي إن وجد)',
    );
  }
}

/** The invoice number a sale gets when the POS sends none: stable for a UUID, so a retry replays. */
export function defaultNumber(unit: Pick<EgsUnit, 'name'>, uuid: string): string {
  return `${unit.name}-${uuid.replace(/-/g, '').slice(0, 12).toUpperCase()}`;
}

/**
 * The seller of every document head office issues on a unit: the registered taxpayer's name and
 * VAT number, the branch's CRN and address — never what a request says (a till cannot rename the seller).
 */
export function sellerOf(taxpayer: Taxpayer, branch: Branch): Record<string, unknown> {
  return {
    name: taxpayer.name_en ? { ar: taxpayer.name_ar, en: taxpayer.name_en } : taxpayer.name_ar,
    vatNumber: taxpayer.vat_number,
    ...(branch.crn && { identification: { scheme: 'CRN', value: branch.crn } }),
    address: {
      street: branch.street,
      buildingNumber: branch.building_number,
      district: branch.district,
      city: branch.city,
      postalCode: branch.postal_code,
      country: 'SA',
    },
  };
}

/** Our invoice JSON for a sale on a unit: seller from the taxpayer and the unit's branch. */
export function saleToInvoice(sale: Sale, ctx: { taxpayer: Taxpayer; branch: Branch; unit: EgsUnit; uuid: string; today: string }): Record<string, unknown> {
  checkSale(sale);
  const kind = sale.kind ?? 'simplified';
  const json: Record<string, unknown> = {
    id: sale.number ?? defaultNumber(ctx.unit, ctx.uuid),
    uuid: ctx.uuid,
    kind,
    seller: sellerOf(ctx.taxpayer, ctx.branch),
    pricesIncludeVat: true,
    paymentMeans: [{ code: PAYMENT_CODE[sale.payment ?? 'cash'] }],
    lines: sale.lines.map((l) => ({
      name: l.name,
      quantity: typeof l.quantity === 'number' ? String(l.quantity) : l.quantity.trim(),
      unitPrice: typeof l.unitPrice === 'number' ? String(l.unitPrice) : l.unitPrice.trim(),
      ...(l.vatRate === '5' && { taxCategory: { code: 'S', rate: '5' } }),
      ...(l.vatRate === '0' && { taxCategory: { code: 'O' } }),
    })),
  };
  if (sale.note) json.notes = [{ text: sale.note }];
  if (sale.buyer) {
    const b = sale.buyer;
    json.buyer = {
      ...(b.name && { name: b.name }),
      ...(b.vatNumber && { vatNumber: b.vatNumber }),
      ...(b.address && { address: { ...b.address, country: b.address.country ?? 'SA' } }),
    };
  }
  if (kind === 'standard') json.delivery = { actualDate: ctx.today };
  return json;
}
