// The one table that turns a ZATCA response (or its absence) into a typed outcome (docs/zatca-notes.md §A10.1,
// §A11.2), and the bilingual message a person reads for each outcome, carrying ZATCA's code.
import type { CsidError, ValidationMessage, ValidationResults, ZatcaEndpoint } from './types.js';

export type OutcomeKind =
  /** Done: the document or credential was accepted (PASS). */
  | 'accepted'
  /** Accepted, with warnings to fix in future documents (202, or 200 with WARNING). */
  | 'accepted-with-warnings'
  /** ZATCA already holds this document as accepted: 208 on clearance, 409 on reporting. */
  | 'duplicate-accepted'
  /** 303: clearance is off platform-wide; report the locally stamped standard document instead. */
  | 'clearance-switched-off'
  /** Clearance answered "cleared" or "already cleared" (200/202/208/409) without a readable cleared XML. */
  | 'cleared-document-missing'
  /** 428 on renewal: a renewed CCSID was issued; run compliance checks, then request the PCSID. */
  | 'renewal-needs-compliance'
  /** 400: rejected; fix and issue a new document (the rejected one stays in the chain). */
  | 'rejected'
  /** 401: absent, wrong, revoked or expired credentials. Do not retry; renew or re-onboard. */
  | 'unauthorized'
  /** 406: the Accept-Version header was refused (a client bug). */
  | 'version-not-supported'
  /** 413: payload too large; not received. Shrink (group lines) and send again. */
  | 'too-large'
  /** 429: rate limited; not received. Back off and resend the identical body. */
  | 'rate-limited'
  /** 5xx, timeout or network failure: not received. Back off and resend the identical body. */
  | 'not-received'
  /** Anything the table does not know (404, 3xx other than 303, …). */
  | 'unexpected';

interface OutcomeRule {
  kind: OutcomeKind;
  /** ZATCA has (or had earlier) accepted the document or issued the credential. */
  ok: boolean;
  /** Resending the identical request later may succeed. */
  retryable: boolean;
}

/**
 * docs/zatca-notes.md §A10.1, row by row. The only place a status is interpreted: endpoint modules, the outbox
 * and the CLI all read `kind`, `ok` and `retryable` from here.
 */
const STATUS_TABLE: Readonly<Record<number, OutcomeRule>> = {
  200: { kind: 'accepted', ok: true, retryable: false },
  202: { kind: 'accepted-with-warnings', ok: true, retryable: false },
  208: { kind: 'duplicate-accepted', ok: true, retryable: false },
  303: { kind: 'clearance-switched-off', ok: false, retryable: false },
  400: { kind: 'rejected', ok: false, retryable: false },
  401: { kind: 'unauthorized', ok: false, retryable: false },
  406: { kind: 'version-not-supported', ok: false, retryable: false },
  409: { kind: 'duplicate-accepted', ok: true, retryable: false },
  413: { kind: 'too-large', ok: false, retryable: false },
  428: { kind: 'renewal-needs-compliance', ok: true, retryable: false },
  429: { kind: 'rate-limited', ok: false, retryable: true },
  500: { kind: 'not-received', ok: false, retryable: true },
  502: { kind: 'not-received', ok: false, retryable: true },
  503: { kind: 'not-received', ok: false, retryable: true },
  504: { kind: 'not-received', ok: false, retryable: true },
};

const UNEXPECTED: OutcomeRule = { kind: 'unexpected', ok: false, retryable: false };
const NOT_RECEIVED: OutcomeRule = { kind: 'not-received', ok: false, retryable: true };

/**
 * Classify an HTTP status. `validationStatus` refines a 200: compliance checks answer 200 even
 * with WARNING results (docs/zatca-notes.md §A3.2), which is acceptance with warnings.
 */
export function classifyStatus(httpStatus: number | null, validationStatus?: string | null): OutcomeRule {
  if (httpStatus === null) return NOT_RECEIVED;
  const rule = STATUS_TABLE[httpStatus] ?? (httpStatus >= 500 ? NOT_RECEIVED : UNEXPECTED);
  if (rule.kind === 'accepted' && validationStatus === 'WARNING') return STATUS_TABLE[202]!;
  return rule;
}

/** A message for a person: English, Arabic, and the ZATCA code it is about (if any). */
export interface PersonMessage {
  code: string | null;
  en: string;
  ar: string;
}

/** One finding ZATCA reported, in either error family (CSID `errors` or `validationResults`). */
export interface ZatcaFinding {
  code: string | null;
  category: string | null;
  message: string;
  severity: 'error' | 'warning' | 'info';
}

export type TransportFailure = 'timeout' | 'network';

/** What every endpoint call returns; it never throws for a status, a timeout or a dead network. */
export interface ZatcaOutcome<TBody> {
  endpoint: ZatcaEndpoint;
  kind: OutcomeKind;
  ok: boolean;
  retryable: boolean;
  /** HTTP status, or null when no response arrived. */
  httpStatus: number | null;
  /** The parsed body when it has this endpoint's result shape (success, 428, or validation). */
  body: TBody | null;
  validationResults: ValidationResults | null;
  errors: ZatcaFinding[];
  warnings: ZatcaFinding[];
  /** `requestID` of a CSID response, or a request-id header of the gateway. */
  requestId: string | null;
  message: PersonMessage;
  /** Set when no response arrived. */
  failure?: TransportFailure;
  /** Seconds from a `Retry-After` header, if the gateway sent one. */
  retryAfterSeconds: number | null;
  /** Raw response text (bounded), for the exchange log. */
  rawBody: string;
  /** On a 401 from the simulator only: its portal's statement that the unit or CSID is revoked, and why. */
  portalRevocation?: string;
}

const KIND_TEXT: Record<OutcomeKind, { en: string; ar: string }> = {
  accepted: { en: 'ZATCA accepted the request', ar: 'قبلت هيئة الزكاة والضريبة والجمارك الطلب' },
  'accepted-with-warnings': {
    en: 'ZATCA accepted the request with warnings; fix them in future documents',
    ar: 'قبلت الهيئة الطلب مع تحذيرات؛ عالجها في المستندات القادمة',
  },
  'duplicate-accepted': {
    en: 'ZATCA already accepted this document earlier; do not send it again',
    ar: 'سبق أن قبلت الهيئة هذا المستند؛ لا ترسله مرة أخرى',
  },
  'clearance-switched-off': {
    en: 'ZATCA has switched clearance off; stamp the standard document locally and report it instead',
    ar: 'أوقفت الهيئة خدمة الاعتماد؛ اختم المستند القياسي محلياً وأرسله عبر واجهة الإبلاغ',
  },
  'renewal-needs-compliance': {
    en: 'ZATCA issued a renewed compliance CSID; run the compliance checks, then request the production CSID',
    ar: 'أصدرت الهيئة شهادة امتثال مجددة؛ أجرِ فحوصات الامتثال ثم اطلب شهادة الإنتاج',
  },
  'cleared-document-missing': {
    en: 'ZATCA reported the document as cleared but returned no readable cleared document; it is held until ZATCA hands over the stamped copy',
    ar: 'أفادت الهيئة بأن المستند معتمد لكنها لم تُرجع نسخة معتمدة مقروءة؛ يبقى معلقاً حتى تسلّم الهيئة النسخة المختومة',
  },
  rejected: { en: 'ZATCA rejected the request', ar: 'رفضت الهيئة الطلب' },
  unauthorized: {
    en: 'ZATCA refused the credentials (wrong, revoked or expired CSID); renew or onboard the unit again',
    ar: 'رفضت الهيئة بيانات الاعتماد (شهادة خاطئة أو ملغاة أو منتهية)؛ جدد الشهادة أو أعد تسجيل الوحدة',
  },
  'version-not-supported': {
    en: 'ZATCA refused the API version header (Accept-Version must be V2)',
    ar: 'رفضت الهيئة ترويسة إصدار الواجهة (يجب أن تكون Accept-Version بالقيمة V2)',
  },
  'too-large': {
    en: 'The document is too large for ZATCA (about 10 MB); group similar lines and send again',
    ar: 'المستند أكبر من الحد المسموح لدى الهيئة (نحو 10 ميغابايت)؛ اجمع البنود المتشابهة وأعد الإرسال',
  },
  'rate-limited': {
    en: 'ZATCA is limiting requests; the document was not received — send the same request again later',
    ar: 'تحد الهيئة من عدد الطلبات؛ لم يُستلم المستند — أعد إرسال الطلب نفسه لاحقاً',
  },
  'not-received': {
    en: 'ZATCA did not receive the request (server error or no answer); send the same request again later',
    ar: 'لم تستلم الهيئة الطلب (خطأ في الخادم أو لا رد)؛ أعد إرسال الطلب نفسه لاحقاً',
  },
  unexpected: {
    en: 'ZATCA answered with an unexpected status',
    ar: 'ردت الهيئة بحالة غير متوقعة',
  },
};

/** The bilingual message for an outcome, naming ZATCA's first code and text when there is one. */
export function personMessage(kind: OutcomeKind, httpStatus: number | null, first: ZatcaFinding | undefined, failure?: TransportFailure): PersonMessage {
  const base = KIND_TEXT[kind];
  const status = httpStatus === null ? (failure === 'timeout' ? ' (timeout)' : ' (no response)') : ` (HTTP ${httpStatus})`;
  const statusAr = httpStatus === null ? (failure === 'timeout' ? ' (انتهت المهلة)' : ' (لا استجابة)') : ` (HTTP ${httpStatus})`;
  const detail = first ? `: ${first.code ? `[${first.code}] ` : ''}${first.message}` : '';
  return { code: first?.code ?? null, en: `${base.en}${status}${detail}`, ar: `${base.ar}${statusAr}${detail}` };
}

// --- body parsing: every family of docs/zatca-notes.md §A2.4, defensively ---------------------------------------

function asArray(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  // The compliance doc example nests a single object instead of a list (docs/zatca-notes.md §A2.5).
  if (value && typeof value === 'object') return [value];
  return [];
}

function toValidationMessage(entry: unknown, type: ValidationMessage['type']): ValidationMessage | undefined {
  // A plain string entry (seen in gateway answers other projects recorded) is a finding without a code.
  if (typeof entry === 'string')
    return entry.trim() === '' ? undefined : { type, code: null, category: null, message: entry, status: type === 'INFO' ? 'PASS' : type };
  if (!entry || typeof entry !== 'object') return undefined;
  const e = entry as Record<string, unknown>;
  const status = type === 'INFO' ? 'PASS' : type;
  return {
    type,
    code: typeof e.code === 'string' ? e.code : null,
    category: typeof e.category === 'string' ? e.category : null,
    message: typeof e.message === 'string' ? e.message : '',
    status: typeof e.status === 'string' ? (e.status as ValidationMessage['status']) : status,
  };
}

/** Read `validationResults` from a body, tolerating the documented oddities (docs/zatca-notes.md §A2.5). */
export function readValidationResults(body: unknown): ValidationResults | null {
  if (!body || typeof body !== 'object') return null;
  const b = body as Record<string, unknown>;
  const vr = b.validationResults;
  if (!vr || typeof vr !== 'object') return null;
  const v = vr as Record<string, unknown>;
  // Some examples put the lists beside validationResults instead of inside it.
  const pick = (name: string): unknown => v[name] ?? b[name];
  const list = (name: string, type: ValidationMessage['type']): ValidationMessage[] =>
    asArray(pick(name))
      .map((entry) => toValidationMessage(entry, type))
      .filter((m): m is ValidationMessage => m !== undefined);
  const infoMessages = list('infoMessages', 'INFO');
  const warningMessages = list('warningMessages', 'WARNING');
  // `erroMessages` is the OpenAPI schema's typo; accept it too.
  const errorMessages = [...list('errorMessages', 'ERROR'), ...list('erroMessages', 'ERROR')];
  const declared = pick('status');
  const status: ValidationResults['status'] =
    declared === 'PASS' || declared === 'WARNING' || declared === 'ERROR'
      ? declared
      : errorMessages.length > 0
        ? 'ERROR'
        : warningMessages.length > 0
          ? 'WARNING'
          : 'PASS';
  return { infoMessages, warningMessages, errorMessages, status };
}

/** Read family-A CSID errors in both shapes (`errors[]`, or `errorCode/errorCategory/errorMessage`). */
export function readCsidErrors(body: unknown): CsidError[] {
  if (!body || typeof body !== 'object') return [];
  const b = body as Record<string, unknown>;
  const out: CsidError[] = [];
  for (const entry of typeof b.errors === 'string' ? [b.errors] : asArray(b.errors)) {
    // Plain strings in `errors` (e.g. a production-CSID 400 "…Denied by Policy Module…") are findings too.
    if (typeof entry === 'string') {
      if (entry.trim() !== '') out.push({ code: '', message: entry });
      continue;
    }
    if (!entry || typeof entry !== 'object') continue;
    const e = entry as Record<string, unknown>;
    out.push({
      code: String(e.code ?? ''),
      message: String(e.message ?? ''),
      ...(typeof e.category === 'string' && { category: e.category }),
    });
  }
  if (typeof b.errorCategory === 'string' || typeof b.errorMessage === 'string') {
    out.push({
      code: String(b.errorCategory ?? b.errorCode ?? ''),
      message: String(b.errorMessage ?? ''),
      ...(typeof b.errorCode === 'string' && { category: b.errorCode }),
    });
  }
  // Bare `{code, message}` objects: the 500 shapes and the quoted Missing-ComplianceSteps.
  if (out.length === 0 && typeof b.code === 'string' && typeof b.message === 'string') {
    out.push({ code: b.code, message: b.message, ...(typeof b.category === 'string' && { category: b.category }) });
  }
  return out;
}

/** Findings of a response body, errors first, whatever family it belongs to. */
export function readFindings(body: unknown, vr: ValidationResults | null): { errors: ZatcaFinding[]; warnings: ZatcaFinding[] } {
  const fromVr = (list: ValidationMessage[], severity: ZatcaFinding['severity']): ZatcaFinding[] =>
    list.map((m) => ({ code: m.code, category: m.category, message: m.message, severity }));
  const errors = vr ? fromVr(vr.errorMessages, 'error') : [];
  const warnings = vr ? fromVr(vr.warningMessages, 'warning') : [];
  for (const e of readCsidErrors(body)) {
    errors.push({ code: e.code || null, category: e.category ?? null, message: e.message, severity: 'error' });
  }
  // 303 and other bodies that carry only a `message`.
  if (errors.length === 0 && !vr && body && typeof body === 'object') {
    const m = (body as Record<string, unknown>).message;
    if (typeof m === 'string' && m !== '') errors.push({ code: null, category: null, message: m, severity: 'error' });
  }
  return { errors, warnings };
}

/**
 * The step ids inside ZATCA's `Missing-ComplianceSteps` message: a bracketed, comma-separated
 * list (docs/zatca-notes.md §A3.3, §A11.2).
 */
export function parseMissingComplianceSteps(message: string): string[] {
  const match = /\[([^\]]*)\]/.exec(message);
  if (!match) return [];
  return match[1]!
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}
