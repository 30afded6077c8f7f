// Every body the simulated gateway writes that is not a certificate: the error families of
// docs/zatca-notes.md §A2.4 and the simulator's own validation messages, English (ZATCA's literals) and Arabic.
import type { ValidationMessage, ValidationResults, ZatcaEndpoint } from '../zatca/types.js';

export const VERSION_NOT_SUPPORTED_TEXT = 'This Version is not supported or not provided in the header.';

/** Family B (docs/zatca-notes.md §A2.4). */
export function unauthorizedBody(now: Date): Record<string, unknown> {
  return { timestamp: now.getTime(), status: 401, error: 'Unauthorized', message: '' };
}

/** Family A messages (docs/zatca-notes.md §A10.2). `Invalid-Request-ID` is the placeholder of docs/zatca-notes.md §A12.6. */
export const CSID_ERROR_MESSAGES = {
  'Missing-OTP': 'OTP is required field',
  'Invalid-OTP': 'The provided OTP is invalid',
  'Missing-CSR': 'CSR is required field',
  'Invalid-CSR': 'The provided CSR is invalid',
  'Missing-currentCSID': 'currentCSID is required field',
  'Invalid-currentCSID': 'The provided currentCSID is invalid',
  'Invalid-Request-ID': 'The provided compliance_request_id is invalid',
} as const;

export function csidErrorBody(code: keyof typeof CSID_ERROR_MESSAGES): Record<string, unknown> {
  return { errors: [{ code, message: CSID_ERROR_MESSAGES[code] }] };
}

export function missingStepsBody(missing: string[]): Record<string, unknown> {
  return {
    errors: [
      {
        code: 'Missing-ComplianceSteps',
        message: `The compliance certificate is not done with the following compliance steps yet [${missing.join(',')}]`,
      },
    ],
  };
}

/** Family D: the two 500 shapes, by endpoint (docs/zatca-notes.md §A2.4). */
export function internalErrorBody(endpoint: ZatcaEndpoint): Record<string, unknown> {
  return endpoint === 'compliance-csid' || endpoint === 'production-csid'
    ? { code: 'Invalid-Request', message: 'System failed to process your request' }
    : { category: 'HTTP-Errors', code: '500', message: 'Something went wrong and caused an Internal Server Error.' };
}

interface SimMessageText {
  code: string;
  category: string;
  type: ValidationMessage['type'];
  en: string;
  /** The simulator's Arabic rendering (ZATCA's Arabic texts are not published, docs/zatca-notes.md §A13). */
  ar: string;
}

export const SIM_MESSAGES = {
  'hash-missing': {
    code: 'InvoiceHash-Errors',
    category: 'Invalid-InvoiceHash',
    type: 'ERROR',
    en: 'Document hash is not present in the API body',
    ar: 'قيمة تجزئة المستند غير موجودة في جسم الطلب',
  },
  'hash-format': {
    code: 'InvoiceHash-Errors',
    category: 'Invalid-InvoiceHash',
    type: 'ERROR',
    en: 'Document hash format in the API body is not valid',
    ar: 'صيغة قيمة تجزئة المستند في جسم الطلب غير صالحة',
  },
  'xsd-valid': {
    code: 'XSD_ZATCA_VALID',
    category: 'XSD validation',
    type: 'INFO',
    en: 'Complied with UBL 2.1 standards in line with ZATCA specifications',
    ar: 'متوافق مع معايير UBL 2.1 وفق مواصفات الهيئة',
  },
  'xsd-invalid': {
    code: 'XSD_ZATCA_INVALID',
    category: 'XSD validation',
    type: 'ERROR',
    en: 'Schema validation failed; XML does not comply with UBL 2.1 standards in line with ZATCA specifications',
    ar: 'فشل التحقق من المخطط؛ مستند XML غير متوافق مع معايير UBL 2.1 وفق مواصفات الهيئة',
  },
  'invalid-invoice-hash': {
    code: 'invalid-invoice-hash',
    category: 'INVOICE_HASHING_ERRORS',
    type: 'ERROR',
    en: 'The invoice hash API body does not match the (calculated) Hash of the XML',
    ar: 'قيمة تجزئة الفاتورة في جسم الطلب لا تطابق التجزئة المحسوبة لمستند XML',
  },
  'uuid-mismatch': {
    code: 'INVOICE_UUID_VALIDATION',
    category: 'INVOICE_UUID_VALIDATION',
    type: 'ERROR',
    en: "UUID provided in the invoice doesn't match UUID in the provided Request",
    ar: 'المعرّف الفريد (UUID) في الفاتورة لا يطابق المعرّف الوارد في الطلب',
  },
  'not-simplified': {
    code: 'invalid-document-type',
    category: 'Invoice-Errors',
    type: 'ERROR',
    en: 'XML Submitted using reporting API is not a simplified document',
    ar: 'المستند المرسل عبر واجهة الإبلاغ ليس مستنداً مبسطاً',
  },
  'not-standard': {
    code: 'invalid-document-type',
    category: 'Invoice-Errors',
    type: 'ERROR',
    en: 'XML Submitted using clearance API is not a standard document',
    ar: 'المستند المرسل عبر واجهة الاعتماد ليس مستنداً قياسياً',
  },
  'permissions-vat': {
    code: 'certificate-permissions',
    category: 'CERTIFICATE_ERRORS',
    type: 'ERROR',
    en: 'User only allowed to use the vat number that exists in the authentication certificate',
    ar: 'يُسمح للمستخدم باستخدام الرقم الضريبي الوارد في شهادة المصادقة فقط',
  },
  'permissions-simplified': {
    code: 'certificate-permissions',
    category: 'CERTIFICATE_ERRORS',
    type: 'ERROR',
    en: 'Production CSID does not cover Simplified documents',
    ar: 'شهادة الإنتاج لا تشمل المستندات المبسطة',
  },
  'permissions-standard': {
    code: 'certificate-permissions',
    category: 'CERTIFICATE_ERRORS',
    type: 'ERROR',
    en: 'Production CSID does not cover Standard documents',
    ar: 'شهادة الإنتاج لا تشمل المستندات القياسية',
  },
  'invalid-certificate': {
    code: 'invalid-certificate',
    category: 'CERTIFICATE_ERRORS',
    type: 'ERROR',
    en: 'Production CSID is not valid',
    ar: 'شهادة الإنتاج غير صالحة',
  },
  'certificate-issuer-name': {
    code: 'certificate-issuer-name',
    category: 'CERTIFICATE_ERRORS',
    type: 'WARNING',
    en: 'X509Certificate (CCSID / PCSID) used for signing is not valid certificate (CCSID / PCSID) for this VAT Registration Number.',
    ar: 'شهادة X509 المستخدمة في التوقيع ليست شهادة صالحة لهذا الرقم الضريبي.',
  },
  'invalid-signing-certificate': {
    code: 'invalid-signing-certificate',
    category: 'CERTIFICATE_ERRORS',
    type: 'WARNING',
    en: 'X509Certificate (CCSID / PCSID) used for signing is not valid certificate (CCSID / PCSID) for this VAT Registration Number.',
    ar: 'شهادة X509 المستخدمة في التوقيع ليست شهادة صالحة لهذا الرقم الضريبي.',
  },
  'duplicate-reported': {
    code: 'Invoice-Errors',
    category: 'Duplicate-Invoice',
    type: 'ERROR',
    en: 'Invoice was already Reported successfully earlier.',
    ar: 'سبق الإبلاغ عن الفاتورة بنجاح.',
  },
  'duplicate-cleared': {
    code: 'Invoice-Warning',
    category: 'Duplicate-Invoice',
    type: 'WARNING',
    en: 'Invoice Hash Previously Submitted',
    ar: 'سبق إرسال قيمة تجزئة الفاتورة',
  },
  general: {
    code: 'GENERAL',
    category: 'BUSINESS_RULES',
    type: 'ERROR',
    en: 'Unable to execute Business Rules validation',
    ar: 'تعذر تنفيذ التحقق من قواعد الأعمال',
  },
  'pih-mismatch': {
    code: 'SIM-PIH-MISMATCH',
    category: 'PIH_VALIDATION',
    type: 'ERROR',
    en: 'The previous invoice hash (PIH) does not match the hash of the last document of this unit',
    ar: 'قيمة تجزئة الفاتورة السابقة (PIH) لا تطابق تجزئة آخر مستند لهذه الوحدة',
  },
  'icv-gap': {
    code: 'SIM-ICV-GAP',
    category: 'PIH_VALIDATION',
    type: 'ERROR',
    en: 'The invoice counter value (ICV) does not follow the last one of this unit',
    ar: 'قيمة عداد الفاتورة (ICV) لا تلي آخر قيمة لهذه الوحدة',
  },
} as const satisfies Record<string, SimMessageText>;

export type SimMessageKey = keyof typeof SIM_MESSAGES;

export function simMessage(key: SimMessageKey, language: 'en' | 'ar', detail?: string, type?: ValidationMessage['type']): ValidationMessage {
  const m: SimMessageText = SIM_MESSAGES[key];
  const t = type ?? m.type;
  const text = language === 'ar' ? m.ar : m.en;
  return {
    type: t,
    code: m.code,
    category: m.category,
    message: detail ? `${text}. ERROR: ${detail}` : text,
    status: t === 'INFO' ? 'PASS' : t,
  };
}

/** Aggregate messages into ZATCA's validationResults (docs/zatca-notes.md §A2.5). */
export function toResults(messages: ValidationMessage[]): ValidationResults {
  const infoMessages = messages.filter((m) => m.type === 'INFO');
  const warningMessages = messages.filter((m) => m.type === 'WARNING');
  const errorMessages = messages.filter((m) => m.type === 'ERROR');
  return {
    infoMessages,
    warningMessages,
    errorMessages,
    status: errorMessages.length > 0 ? 'ERROR' : warningMessages.length > 0 ? 'WARNING' : 'PASS',
  };
}
