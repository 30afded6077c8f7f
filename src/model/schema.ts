// The invoice input format: one zod 4 schema that gives the TypeScript types, the validation of
// JSON input and (via z.toJSONSchema) schema/invoice.schema.json. Field meanings: docs/invoice-json.md.
import { z } from 'zod';
import { BUYER_ID_SCHEMES, DOCUMENT_TYPES, SELLER_ID_SCHEMES, TAX_CATEGORY_CODES } from './codes.js';
import { dateField, decimalField, LocalizedText, MAX_AMOUNT, MAX_INTEGER_DIGITS, MAX_LINES, msg, textField, timeField, vatNumber } from './schema-fields.js';

export { LocalizedText, MAX_INTEGER_DIGITS, MESSAGE_SEPARATOR } from './schema-fields.js';

export const Address = z
  .object({
    street: LocalizedText.meta({ description: 'cbc:StreetName (1–1000 characters).' }),
    additionalStreet: LocalizedText.optional().meta({ description: 'cbc:AdditionalStreetName (≤127).' }),
    buildingNumber: z
      .string()
      .regex(/^\d{4}$/, { error: msg('buildingNumber: the building number has 4 digits (BR-KSA-37)', 'buildingNumber: رقم المبنى من 4 أرقام (BR-KSA-37)') })
      .optional()
      .meta({ description: 'cbc:BuildingNumber: 4 digits (BR-KSA-37); required for Saudi addresses of sellers and standard-invoice buyers.' }),
    district: LocalizedText.optional().meta({ description: 'cbc:CitySubdivisionName (district); required for Saudi sellers and standard buyers.' }),
    city: LocalizedText.meta({ description: 'cbc:CityName.' }),
    postalCode: z
      .string()
      .regex(/^[A-Za-z0-9 -]{1,16}$/, { error: msg('postalCode: letters, digits, spaces or dashes', 'postalCode: أحرف أو أرقام أو مسافات أو شرطات') })
      .optional()
      .meta({ description: 'cbc:PostalZone; 5 digits for Saudi addresses (BR-KSA-66, BR-KSA-67).' }),
    province: LocalizedText.optional().meta({ description: 'cbc:CountrySubentity (≤127).' }),
    country: z
      .string()
      .regex(/^[A-Z]{2}$/, { error: msg('country: ISO 3166-1 alpha-2 code such as "SA"', 'country: رمز الدولة من حرفين مثل "SA"') })
      .default('SA')
      .meta({ description: 'ISO 3166-1 alpha-2 country code; default SA.' }),
  })
  .strict();
export type Address = z.infer<typeof Address>;

export const Seller = z
  .object({
    name: LocalizedText.meta({ description: 'Seller legal name (RegistrationName, QR tag 1).' }),
    vatNumber: vatNumber('vatNumber', 'الرقم الضريبي').meta({ description: '15 digits, first and last 3 (BR-KSA-39, BR-KSA-40).' }),
    identification: z
      .object({
        scheme: z.enum(SELLER_ID_SCHEMES, {
          error: msg(`scheme: one of ${SELLER_ID_SCHEMES.join(', ')} (BR-KSA-08)`, `scheme: أحد الرموز ${SELLER_ID_SCHEMES.join(', ')} (BR-KSA-08)`),
        }),
        value: textField(1, 127, 'value', 'القيمة'),
      })
      .strict()
      .optional()
      .meta({ description: 'Seller ID (BR-KSA-08): the branch CRN when the seller has several commercial registrations.' }),
    branchName: LocalizedText.optional().meta({ description: 'Branch (trading) name, written as cac:PartyName (BT-28).' }),
    address: Address,
  })
  .strict();
export type Seller = z.infer<typeof Seller>;

export const Buyer = z
  .object({
    name: LocalizedText.optional().meta({ description: 'Buyer name (RegistrationName); required on standard documents (BR-KSA-42).' }),
    vatNumber: vatNumber('vatNumber', 'الرقم الضريبي').optional().meta({ description: 'Buyer VAT number, if registered (BR-KSA-44).' }),
    identification: z
      .object({
        scheme: z.enum(BUYER_ID_SCHEMES, {
          error: msg(`scheme: one of ${BUYER_ID_SCHEMES.join(', ')} (BR-KSA-14)`, `scheme: أحد الرموز ${BUYER_ID_SCHEMES.join(', ')} (BR-KSA-14)`),
        }),
        value: textField(1, 127, 'value', 'القيمة'),
      })
      .strict()
      .optional()
      .meta({ description: 'Buyer ID; required on standard documents without a buyer VAT number (BR-KSA-81).' }),
    address: Address.optional(),
  })
  .strict();
export type Buyer = z.infer<typeof Buyer>;

export const TaxCategory = z
  .object({
    code: z.enum(TAX_CATEGORY_CODES, { error: msg('code: one of S, Z, E, O (BR-KSA-18)', 'code: أحد الرموز S أو Z أو E أو O (BR-KSA-18)') }),
    rate: decimalField('rate', 'النسبة').optional().meta({
      description: 'Percent: S defaults to the standard rate on the document date (15 since 2020-07-01), or give 15 or 5 (BR-KSA-84); Z/E/O 0 (default).',
    }),
    exemptionCode: z.string().max(40).optional().meta({ description: 'VATEX code for Z/E/O (docs/zatca-notes.md §3); O defaults to VATEX-SA-OOS.' }),
    exemptionReason: textField(1, 1000, 'exemptionReason', 'سبب الإعفاء')
      .optional()
      .meta({ description: 'Reason text; default: ZATCA text of the code, "English | Arabic".' }),
  })
  .strict();
export type TaxCategory = z.infer<typeof TaxCategory>;

const allowanceChargeFields = {
  kind: z.enum(['allowance', 'charge'], { error: msg('kind: "allowance" or "charge"', 'kind: "allowance" أو "charge"') }),
  amount: decimalField('amount', 'المبلغ').optional().meta({ description: 'Fixed amount (≤2 decimals). Give amount or percent.' }),
  percent: decimalField('percent', 'النسبة').optional().meta({ description: 'Percentage 0–100 (≤2 decimals, BR-KSA-DEC-01).' }),
  reasonCode: z
    .string()
    .regex(/^[A-Z0-9]{1,3}$/, { error: msg('reasonCode: a UNTDID 5189/7161 code such as 95 or SAA/ZZZ', 'reasonCode: رمز مثل 95 أو SAA أو ZZZ') })
    .optional()
    .meta({ description: 'UNTDID 5189 (allowances) / 7161 (charges) code; charges should have one (BR-KSA-19/20).' }),
  reason: textField(1, 1000, 'reason', 'السبب').optional().meta({ description: 'Reason text (charges: BR-KSA-21/22).' }),
};

export const LineAllowanceCharge = z.object(allowanceChargeFields).strict();
export type LineAllowanceCharge = z.infer<typeof LineAllowanceCharge>;

export const DocumentAllowanceCharge = z
  .object({
    ...allowanceChargeFields,
    baseAmount: decimalField('baseAmount', 'المبلغ الأساسي')
      .optional()
      .meta({ description: 'Base of a percentage; default: net total of the lines in the same category and rate.' }),
    taxCategory: TaxCategory,
  })
  .strict();
export type DocumentAllowanceCharge = z.infer<typeof DocumentAllowanceCharge>;

export const Line = z
  .object({
    id: z
      .string()
      .regex(/^[A-Za-z0-9_.-]{1,6}$/, {
        error: msg('id: 1–6 letters, digits, ".", "-" or "_" (BR-KSA-F-06-C17)', 'id: من 1 إلى 6 أحرف أو أرقام (BR-KSA-F-06-C17)'),
      })
      .optional()
      .meta({ description: 'Line ID, ≤6 characters; default: position (1, 2, …).' }),
    name: textField(3, 1000, 'name', 'اسم الصنف').meta({ description: 'Item name, 3–1000 characters (BR-KSA-F-06-C19).' }),
    quantity: decimalField('quantity', 'الكمية').meta({ description: 'Quantity > 0, up to 6 decimals, written as given.' }),
    unitCode: z
      .string()
      .regex(/^[A-Za-z0-9]{1,8}$/)
      .default('PCE')
      .meta({ description: 'UN/ECE rec. 20 unit code; default PCE.' }),
    unitPrice: decimalField('unitPrice', 'سعر الوحدة').meta({
      description: 'Price per baseQuantity, before priceDiscount; excluding VAT unless the document has pricesIncludeVat.',
    }),
    baseQuantity: decimalField('baseQuantity', 'كمية الأساس').optional().meta({ description: 'Quantity the price applies to (> 0, BR-KSA-EN16931-12).' }),
    priceDiscount: decimalField('priceDiscount', 'خصم السعر')
      .optional()
      .meta({ description: 'Discount on the unit price (written as the price allowance, BR-KSA-EN16931-07).' }),
    taxCategory: TaxCategory.default({ code: 'S' }),
    allowanceCharges: z
      .array(LineAllowanceCharge)
      .max(20, { error: msg('allowanceCharges: at most 20 per line', 'allowanceCharges: الحد الأقصى 20 في البند') })
      .default([]),
  })
  .strict();
export type Line = z.infer<typeof Line>;

export const PrepaymentAdjustment = z
  .object({
    id: Line.shape.id,
    name: textField(3, 1000, 'name', 'الاسم').meta({ description: 'Item name of the adjustment line, e.g. "Advance received".' }),
    unitCode: z
      .string()
      .regex(/^[A-Za-z0-9]{1,8}$/)
      .default('PCE'),
    invoiceId: textField(1, 127, 'invoiceId', 'رقم فاتورة الدفعة المقدمة').meta({ description: 'ID of the prepayment (386) invoice.' }),
    invoiceUuid: z
      .string()
      .regex(/^[\w.-]+$/)
      .meta({ description: 'UUID of the prepayment invoice.' }),
    issueDate: dateField('issueDate', 'تاريخ الإصدار'),
    issueTime: timeField('issueTime', 'وقت الإصدار'),
    taxableAmount: decimalField('taxableAmount', 'المبلغ الخاضع').meta({ description: 'Prepaid amount without VAT (KSA-31).' }),
    vatAmount: decimalField('vatAmount', 'مبلغ الضريبة').optional().meta({ description: 'Prepaid VAT (KSA-32); default taxable × rate.' }),
    taxCategory: TaxCategory.default({ code: 'S' }),
  })
  .strict();
export type PrepaymentAdjustment = z.infer<typeof PrepaymentAdjustment>;

export const InvoiceFlags = z
  .object({
    thirdParty: z.boolean().default(false).meta({ description: 'KSA-2 position 3.' }),
    nominal: z.boolean().default(false).meta({ description: 'KSA-2 position 4 (nominal supply).' }),
    export: z.boolean().default(false).meta({ description: 'KSA-2 position 5; standard documents only.' }),
    summary: z.boolean().default(false).meta({ description: 'KSA-2 position 6.' }),
    selfBilled: z.boolean().default(false).meta({ description: 'KSA-2 position 7; standard only, not with export (BR-KSA-31, BR-KSA-07).' }),
    continuousSupply: z.boolean().optional().meta({ description: 'Optional 8th character; written only when true or when b2g is set.' }),
    b2g: z.boolean().optional().meta({ description: 'Optional 9th character; standard only; needs contractReference (BR-KSA-92).' }),
  })
  .strict();
export type InvoiceFlags = z.infer<typeof InvoiceFlags>;

export const InvoiceInput = z
  .object({
    $comment: z.string().optional().meta({ description: 'Free comment for people; ignored.' }),
    id: textField(1, 127, 'id', 'رقم الفاتورة').meta({ description: 'Invoice number (BT-1), unique for the taxpayer.' }),
    uuid: z
      .string()
      .regex(/^[\w.-]+$/, { error: msg('uuid: letters, digits, "-", "." or "_" (BR-KSA-03)', 'uuid: أحرف وأرقام و"-" فقط (BR-KSA-03)') })
      .optional()
      .meta({ description: 'Document UUID; a random v4 UUID when absent.' }),
    documentType: z
      .enum(DOCUMENT_TYPES, {
        error: msg('documentType: invoice, creditNote, debitNote or prepayment', 'documentType: invoice أو creditNote أو debitNote أو prepayment'),
      })
      .default('invoice')
      .meta({ description: 'invoice 388, creditNote 381, debitNote 383, prepayment 386.' }),
    kind: z
      .enum(['standard', 'simplified'], { error: msg('kind: "standard" (B2B, cleared) or "simplified" (B2C, reported)', 'kind: "standard" أو "simplified"') })
      .meta({ description: 'standard = tax invoice 01… (cleared); simplified = 02… (reported).' }),
    flags: InvoiceFlags.default({ thirdParty: false, nominal: false, export: false, summary: false, selfBilled: false }),
    issueDate: dateField('issueDate', 'تاريخ الإصدار'),
    issueTime: timeField('issueTime', 'وقت الإصدار'),
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/, { error: msg('currency: ISO 4217 code such as SAR or USD', 'currency: رمز العملة مثل SAR أو USD') })
      .default('SAR'),
    exchangeRate: decimalField('exchangeRate', 'سعر الصرف')
      .optional()
      .meta({ description: 'SAR per 1 unit of currency; required when currency is not SAR (gives the SAR TaxTotal).' }),
    writeTaxExchangeRate: z.boolean().default(true).meta({
      description:
        'Write cac:TaxExchangeRate (KSA-36..39) on a foreign-currency document, so the signed document itself carries the rate of its SAR amounts; optional in ZATCA (its USD samples omit it): false leaves it out.',
    }),
    pricesIncludeVat: z
      .boolean()
      .default(false)
      .meta({ description: 'Unit prices and allowance/charge amounts include VAT (POS prices); docs/zatca-notes.md §4.' }),
    icv: z.number().int().positive().default(1).meta({ description: 'Invoice counter value of the EGS unit; default 1.' }),
    pih: z
      .string()
      .regex(/^[A-Za-z0-9+/]+={0,2}$/, { error: msg('pih: base64 text of the previous invoice hash', 'pih: نص base64 لتجزئة الفاتورة السابقة') })
      .optional()
      .meta({ description: 'Previous invoice hash; default the initial PIH.' }),
    notes: z
      .array(
        z
          .object({
            text: textField(1, 1000, 'text', 'النص'),
            language: z
              .string()
              .regex(/^[a-z]{2}$/)
              .optional(),
          })
          .strict(),
      )
      .max(20, { error: msg('notes: at most 20', 'notes: الحد الأقصى 20') })
      .default([]),
    orderReference: textField(1, 127, 'orderReference', 'رقم أمر الشراء').optional(),
    contractReference: textField(1, 127, 'contractReference', 'رقم العقد').optional(),
    billingReference: z
      .object({
        invoiceId: textField(1, 5000, 'invoiceId', 'رقم الفاتورة الأصلية'),
        uuid: z
          .string()
          .regex(/^[\w.-]+$/)
          .optional(),
        issueDate: dateField('issueDate', 'تاريخ الإصدار').optional(),
      })
      .strict()
      .optional()
      .meta({ description: 'Original invoice of a credit/debit note (BR-KSA-56).' }),
    reason: textField(1, 1000, 'reason', 'السبب')
      .optional()
      .meta({ description: 'Reason of a credit/debit note (KSA-10, BR-KSA-17), written as InstructionNote.' }),
    seller: Seller,
    buyer: Buyer.optional(),
    delivery: z
      .object({
        actualDate: dateField('actualDate', 'تاريخ التوريد').optional(),
        latestDate: dateField('latestDate', 'تاريخ نهاية التوريد').optional(),
      })
      .strict()
      .optional(),
    paymentMeans: z
      .array(
        z
          .object({
            code: z.string().max(10).meta({ description: 'UNTDID 4461 code (10 cash, 30 credit transfer, 48 card…), BR-KSA-16.' }),
            instructionNote: textField(1, 1000, 'instructionNote', 'ملاحظة الدفع').optional(),
          })
          .strict(),
      )
      .max(10, { error: msg('paymentMeans: at most 10', 'paymentMeans: الحد الأقصى 10') })
      .default([]),
    allowanceCharges: z
      .array(DocumentAllowanceCharge)
      .max(100, { error: msg('allowanceCharges: at most 100 per document', 'allowanceCharges: الحد الأقصى 100 في المستند') })
      .default([]),
    lines: z
      .array(Line)
      .min(1, { error: msg('lines: at least one line is required (BR-16)', 'lines: مطلوب بند واحد على الأقل (BR-16)') })
      .max(MAX_LINES, {
        error: msg(
          `lines: at most ${MAX_LINES} lines per document; split the sale into several invoices`,
          `lines: الحد الأقصى ${MAX_LINES} بند في المستند الواحد؛ قسّم البيع على عدة فواتير`,
        ),
      }),
    prepaymentAdjustments: z
      .array(PrepaymentAdjustment)
      .max(100, { error: msg('prepaymentAdjustments: at most 100', 'prepaymentAdjustments: الحد الأقصى 100') })
      .default([]),
    payableRoundingAmount: z
      .union([
        z.string().regex(new RegExp(`^-?\\d{1,${MAX_INTEGER_DIGITS}}(\\.\\d{1,2})?$`), {
          error: msg(
            `payableRoundingAmount: a decimal with at most ${MAX_INTEGER_DIGITS} digits before the point and 2 after it`,
            `payableRoundingAmount: رقم عشري بحد أقصى ${MAX_INTEGER_DIGITS} رقماً قبل الفاصلة ورقمين بعدها`,
          ),
        }),
        z
          .number()
          .min(-MAX_AMOUNT)
          .max(MAX_AMOUNT, {
            error: msg(
              `payableRoundingAmount: at most ${MAX_INTEGER_DIGITS} digits before the point`,
              `payableRoundingAmount: الحد الأقصى ${MAX_INTEGER_DIGITS} رقماً قبل الفاصلة`,
            ),
          }),
      ])
      .optional()
      .meta({ description: 'Extra rounding of the amount due (may be negative), e.g. cash rounding.' }),
  })
  .strict();

/** The input as written (defaults optional). */
export type InvoiceInputJson = z.input<typeof InvoiceInput>;
/** The input after parsing (defaults filled). */
export type InvoiceInput = z.infer<typeof InvoiceInput>;
