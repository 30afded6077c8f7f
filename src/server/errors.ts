// The HTTP face of errors: one table from error codes (and a few reasons) to statuses, and the
// JSON body every failure has — `{ error: { code, message, messageAr, field?, reason? } }`.
import type { FastifyError } from 'fastify';
import { type FawtaraError, isFawtaraError, type ErrorCode } from '../errors.js';
import { asStoreError, isStoreFault } from '../store/faults.js';
import { AccessError } from './access/errors.js';
import { isFleetError } from '../egs/index.js';

/** Every shared error code's HTTP status; a new code must be placed here (the type demands it). */
export const STATUS_OF_CODE: Record<ErrorCode, number> = {
  INVALID_INPUT: 400,
  INVALID_COMBINATION: 400,
  INVALID_XML: 400,
  USAGE: 400,
  INVALID_KEY: 400,
  INVALID_CERTIFICATE: 400,
  KEY_CERT_MISMATCH: 400,
  INVALID_CSR_CONFIG: 400,
  SIGNATURE_INVALID: 422,
  HASH_MISMATCH: 422,
  QR_INVALID: 422,
  TOO_LARGE: 413,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  UNIT_STATE: 409,
  ZATCA_REJECTED: 422,
  THROTTLED: 429,
  ZATCA_UNAVAILABLE: 503,
  BUSY: 503, // the database lock: nothing was written, the same request again is safe
  STORAGE_UNAVAILABLE: 503, // disk full, read-only, I/O error, PostgreSQL unreachable: nothing was written
  STORE_DAMAGED: 503, // the operator restores a backup (docs/operations.md); no request can fix it
  KEY_UNAVAILABLE: 503, // the unit's PKCS#11 token is missing, refuses the PIN or lost its session: nothing was written
  // Server-side conditions the caller cannot fix: configuration, files, bugs.
  KEY_STORE: 500,
  FILE_NOT_FOUND: 500,
  FILE_UNREADABLE: 500,
  INTERNAL: 500,
};

/** Arabic fallback for errors raised without one (framework errors, bugs). */
const ARABIC_OF_STATUS: Record<number, string> = {
  400: 'الطلب غير صالح؛ راجع الحقول',
  401: 'يلزم تسجيل الدخول',
  403: 'ليست لديك صلاحية لهذا الإجراء',
  404: 'غير موجود',
  409: 'تعارض مع الحالة الحالية',
  413: 'حجم الطلب كبير جداً',
  415: 'نوع المحتوى غير مدعوم؛ أرسل application/json',
  422: 'رُفض الطلب',
  429: 'طلبات كثيرة؛ أعد المحاولة لاحقاً',
  500: 'خطأ داخلي؛ يرجى الإبلاغ عنه مع رقم الطلب',
  503: 'الخدمة غير متاحة مؤقتاً؛ أعد المحاولة',
};

export interface HttpErrorBody {
  error: { code: string; message: string; messageAr: string; field?: string; reason?: string; rule?: string; issues?: unknown };
}

export interface HttpError {
  status: number;
  body: HttpErrorBody;
  headers: Record<string, string>;
}

/** Map anything thrown while serving a request to a status, a body and headers. Never leaks a stack. */
export function toHttpError(thrown: unknown, requestId: string): HttpError {
  const headers: Record<string, string> = {};
  // The driver's lock timeout and storage faults (disk full, read-only, unreachable, damaged) become
  // typed errors here, so every route gets 503 with what to do — never a 500 "report this bug".
  const error = asStoreError(thrown);
  if (isFawtaraError(error)) {
    const status = STATUS_OF_CODE[error.code] ?? 500;
    const json = error.toJSON() as HttpErrorBody['error'];
    if (status === 401) headers['www-authenticate'] = 'Bearer';
    if (error instanceof AccessError && error.retryAfterSeconds !== undefined) headers['retry-after'] = String(error.retryAfterSeconds);
    // A lock clears within moments and a dropped database connection is replaced on the next query;
    // ZATCA's outages and a full disk take longer; damage needs a person.
    if (status === 503 && error.code !== 'STORE_DAMAGED')
      headers['retry-after'] = error.code === 'BUSY' ? '1' : isStoreFault(error, 'UNREACHABLE') ? '5' : '30';
    if (status >= 500) return { status, headers, body: internalBody(requestId, error.code === 'INTERNAL' ? undefined : error) };
    return {
      status,
      headers,
      body: {
        error: {
          ...json,
          messageAr: error.messageAr ?? ARABIC_OF_STATUS[status] ?? ARABIC_OF_STATUS[400]!,
          ...(isFleetError(error) && { reason: error.reason }),
        },
      },
    };
  }
  const fe = error as FastifyError & {
    validation?: Array<{ instancePath?: string; message?: string; params?: Record<string, unknown> }>;
    validationContext?: string;
  };
  if (fe && Array.isArray(fe.validation)) {
    const first = fe.validation[0];
    const missing = first?.params?.missingProperty as string | undefined;
    const extra = first?.params?.additionalProperty as string | undefined;
    const path = [
      fe.validationContext ?? 'body',
      ...(first?.instancePath ?? '').split('/').filter(Boolean),
      ...(missing ? [missing] : []),
      ...(extra ? [extra] : []),
    ].join('.');
    // An enum names what it allows (ajv's message alone does not).
    const allowed = Array.isArray(first?.params?.allowedValues) ? (first.params.allowedValues as unknown[]).map(String) : undefined;
    const what = extra ? 'is not a known field' : allowed ? `must be one of: ${allowed.join(', ')}` : (first?.message ?? 'is invalid');
    return {
      status: 400,
      headers,
      body: {
        error: {
          code: 'INVALID_INPUT',
          message: `${path}: ${what}`,
          messageAr: `${path}: ${extra ? 'حقل غير معروف' : allowed ? `يجب أن تكون إحدى القيم: ${allowed.join('، ')}` : 'قيمة غير صالحة أو مفقودة'}`,
          field: path,
          reason: 'INVALID_FIELD',
        },
      },
    };
  }
  const status = typeof fe?.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500 ? fe.statusCode : 500;
  if (status >= 500) return { status, headers, body: internalBody(requestId) };
  // Framework refusals (bad JSON, wrong content type, body too large): their text is safe and useful.
  const code: ErrorCode = status === 413 ? 'TOO_LARGE' : 'INVALID_INPUT';
  return {
    status,
    headers,
    body: { error: { code, message: fe.message, messageAr: ARABIC_OF_STATUS[status] ?? ARABIC_OF_STATUS[400]!, reason: fe.code ?? 'INVALID_REQUEST' } },
  };
}

function internalBody(requestId: string, error?: FawtaraError): HttpErrorBody {
  // A key-store, storage or file problem is named (an operator fixes it); a bug is only referenced.
  const reason = (error as { reason?: unknown } | undefined)?.reason;
  return {
    error: {
      code: error?.code ?? 'INTERNAL',
      message: error ? `${error.message} (request ${requestId})` : `internal error; please report it with request id ${requestId}`,
      messageAr: error?.messageAr ?? `${ARABIC_OF_STATUS[500]} (${requestId})`,
      ...(typeof reason === 'string' && { reason }),
    },
  };
}
