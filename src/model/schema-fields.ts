// The field builders of the invoice input schema (model/schema.ts): bilingual messages, decimal,
// text, date, time and VAT-number fields with their bounds, and localized text.
import { z } from 'zod';
import { VAT_NUMBER } from './identifiers.js';

/**
 * Messages carry English and Arabic joined by this separator; `issuesToError` splits them, so a
 * schema message is always bilingual without a second lookup table.
 */
export const MESSAGE_SEPARATOR = '\u001f';
export const msg = (en: string, ar: string): string => en + MESSAGE_SEPARATOR + ar;

/**
 * Bounds of every figure, so that each one and every product and sum of them stays exact in our
 * 40-digit decimals (money/decimal.ts): a line amount (quantity × price) has at most 24 integer
 * digits, a document of MAX_LINES lines at most 27. Without them a 32-digit quantity × price was
 * rounded in the computation and the document broke BR-CO-13 while carrying VAT of 8.7e63.
 */
export const MAX_INTEGER_DIGITS = 12;
export const MAX_FRACTION_DIGITS = 10;
export const MAX_LINES = 1000;
export const MAX_AMOUNT = 10 ** MAX_INTEGER_DIGITS - 1;
const DECIMAL_TEXT = new RegExp(`^\\d{1,${MAX_INTEGER_DIGITS}}(\\.\\d{1,${MAX_FRACTION_DIGITS}})?$`);
/** Characters XML 1.0 can carry (no C0 controls other than tab, LF, CR; no U+FFFE/U+FFFF). */
const XML_TEXT = /^[^\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]*$/;
/** Half of a UTF-16 surrogate pair without its other half: no UTF-8 text can carry it, so it cannot be stored as signed. */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/** A non-negative decimal given as a JSON string (`"12.50"`) or number; never negative, no exponent, bounded. */
export function decimalField(what: string, whatAr: string) {
  const tooLarge = msg(
    `${what}: at most ${MAX_INTEGER_DIGITS} digits before the point and ${MAX_FRACTION_DIGITS} after it`,
    `${whatAr}: الحد الأقصى ${MAX_INTEGER_DIGITS} رقماً قبل الفاصلة و${MAX_FRACTION_DIGITS} بعدها`,
  );
  return z.union(
    [
      z
        .string()
        .regex(/^\d+(\.\d+)?$/, {
          error: msg(
            `${what}: write a plain decimal such as "12.50" (digits, one dot, no sign or exponent)`,
            `${whatAr}: اكتب رقماً عشرياً مثل "12.50" (أرقام ونقطة واحدة، بلا إشارة أو أس)`,
          ),
        })
        .regex(DECIMAL_TEXT, { error: tooLarge }),
      z
        .number()
        .nonnegative({ error: msg(`${what}: must not be negative`, `${whatAr}: يجب ألا تكون القيمة سالبة`) })
        .max(MAX_AMOUNT, { error: tooLarge }),
    ],
    {
      error: msg(
        `${what}: expected a decimal number (string like "12.50" or a JSON number)`,
        `${whatAr}: يجب أن تكون القيمة رقماً عشرياً (نصاً مثل "12.50" أو رقماً)`,
      ),
    },
  );
}

export const textField = (min: number, max: number, what: string, whatAr: string) =>
  z
    .string({ error: msg(`${what}: expected text`, `${whatAr}: يجب أن تكون القيمة نصاً`) })
    .min(min, { error: msg(`${what}: at least ${min} character(s) required`, `${whatAr}: مطلوب ${min} حرف على الأقل`) })
    .max(max, { error: msg(`${what}: at most ${max} characters`, `${whatAr}: الحد الأقصى ${max} حرفاً`) })
    .regex(XML_TEXT, { error: msg(`${what}: contains a control character XML cannot carry`, `${whatAr}: يحتوي على حرف تحكم لا يقبله XML`) })
    .refine((s) => !LONE_SURROGATE.test(s), {
      error: msg(
        `${what}: contains half of a UTF-16 surrogate pair; it cannot be stored as the bytes that are signed (send valid UTF-8 text)`,
        `${whatAr}: يحتوي على نصف زوج بديل في UTF-16؛ لا يمكن حفظه كما وُقّع (أرسل نصاً صالحاً بترميز UTF-8)`,
      ),
    });

/** Text in Arabic, English or both; both are written `Arabic | English` as in ZATCA's samples. */
export const LocalizedText = z
  .union([
    textField(1, 1000, 'text', 'النص'),
    z
      .object({
        ar: textField(1, 1000, 'Arabic text', 'النص العربي').optional(),
        en: textField(1, 1000, 'English text', 'النص الإنجليزي').optional(),
      })
      .strict()
      .refine((v) => v.ar !== undefined || v.en !== undefined, {
        error: msg('give "ar", "en" or both', 'أدخل "ar" أو "en" أو كليهما'),
      }),
  ])
  .meta({ description: 'Plain text, or {"ar": …, "en": …}; both are written "Arabic | English".' });
export type LocalizedText = z.infer<typeof LocalizedText>;

export const dateField = (what: string, whatAr: string) =>
  z.string().regex(/^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, {
    error: msg(`${what}: write the date as YYYY-MM-DD`, `${whatAr}: اكتب التاريخ بالصيغة YYYY-MM-DD`),
  });

export const timeField = (what: string, whatAr: string) =>
  z.string().regex(/^([01]\d|2[0-3]):[0-5]\d:[0-5]\d(Z)?$/, {
    error: msg(
      `${what}: write the time as HH:MM:SS (optionally followed by Z), no fraction or offset (BR-KSA-70)`,
      `${whatAr}: اكتب الوقت بالصيغة HH:MM:SS (مع Z اختيارياً) دون كسور أو فرق توقيت (BR-KSA-70)`,
    ),
  });

export const vatNumber = (what: string, whatAr: string) =>
  z.string().regex(VAT_NUMBER, {
    error: msg(`${what}: a VAT number has 15 digits and starts and ends with 3`, `${whatAr}: الرقم الضريبي 15 رقماً يبدأ وينتهي بالرقم 3`),
  });
