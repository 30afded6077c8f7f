// The PKCS#11 module of this thread: loading pkcs11js and the vendor's library once per path, and
// what a module's error means for signing (KEY_UNAVAILABLE with the token named, or a bug).
import { createRequire } from 'node:module';
import type { PKCS11, Pkcs11Error } from 'pkcs11js';
import { FawtaraError } from '../errors.js';

export type Pkcs11Module = typeof import('pkcs11js');

const require = createRequire(import.meta.url);
let moduleApi: Pkcs11Module | undefined;
/** One loaded and initialised library per module path in this thread (C_Initialize is per process). */
const libraries = new Map<string, PKCS11>();

export function unavailable(message: string, messageAr: string, cause?: unknown, field = 'FAWTARA_PKCS11_MODULE'): FawtaraError {
  return new FawtaraError('KEY_UNAVAILABLE', message, { field, messageAr, cause });
}

export function api(): Pkcs11Module {
  if (!moduleApi) {
    try {
      moduleApi = require('pkcs11js') as Pkcs11Module;
    } catch (error) {
      throw unavailable(
        'the pkcs11js package is not installed (an optional dependency that needs a C++ compiler): reinstall Fawtara on a machine with build tools to use a PKCS#11 token',
        'الحزمة pkcs11js غير مثبتة؛ أعد تثبيت البرنامج على جهاز فيه أدوات البناء لاستخدام وحدة أمان PKCS#11',
        error,
      );
    }
  }
  return moduleApi;
}

export function library(path: string): PKCS11 {
  let lib = libraries.get(path);
  if (lib) return lib;
  const m = api();
  lib = new m.PKCS11();
  try {
    lib.load(path);
  } catch (error) {
    throw unavailable(
      `the PKCS#11 module ${path} (FAWTARA_PKCS11_MODULE) cannot be loaded: check the path and that the HSM client is installed`,
      `تعذر تحميل مكتبة PKCS#11 ‏${path} المحددة في FAWTARA_PKCS11_MODULE؛ تحقق من المسار ومن تثبيت برنامج وحدة الأمان`,
      error,
    );
  }
  try {
    // OS locking: worker threads of this process share the module.
    lib.C_Initialize({ flags: m.CKF_OS_LOCKING_OK });
  } catch (error) {
    if ((error as Pkcs11Error).code !== m.CKR_CRYPTOKI_ALREADY_INITIALIZED) throw mapError(error, path);
  }
  libraries.set(path, lib);
  return lib;
}

function codeName(code: number): string {
  const m = api() as unknown as Record<string, unknown>;
  return Object.keys(m).find((k) => k.startsWith('CKR_') && m[k] === code) ?? `0x${code.toString(16)}`;
}

/** A module's error as a typed error: anything the token says stops signing for now, never a crash. */
export function mapError(error: unknown, token: string): FawtaraError {
  if (error instanceof FawtaraError) return error;
  const m = api();
  // Only the module's own errors are operational; anything else is a bug and stays one.
  if (!(error instanceof m.NativeError) && typeof (error as Pkcs11Error)?.code !== 'number') throw error;
  const code = (error as Pkcs11Error)?.code;
  if (code === m.CKR_PIN_INCORRECT || code === m.CKR_PIN_LOCKED || code === m.CKR_PIN_EXPIRED || code === m.CKR_PIN_INVALID) {
    const locked = code === m.CKR_PIN_LOCKED;
    return new FawtaraError(
      'KEY_UNAVAILABLE',
      `the PKCS#11 token "${token}" ${locked ? 'has locked its user PIN (unlock it with the security officer PIN)' : 'refused the PIN'}: set the right PIN in FAWTARA_PKCS11_PIN or FAWTARA_PKCS11_PIN_FILE; signing resumes with the next request`,
      {
        field: 'FAWTARA_PKCS11_PIN',
        messageAr: `وحدة الأمان "${token}" ${locked ? 'أقفلت رمز PIN' : 'رفضت رمز PIN'}؛ عيّن الرمز الصحيح في FAWTARA_PKCS11_PIN أو FAWTARA_PKCS11_PIN_FILE ثم أعد المحاولة`,
        cause: error,
      },
    );
  }
  const name = typeof code === 'number' ? codeName(code) : ((error as Error)?.message ?? String(error));
  return unavailable(
    `the PKCS#11 token "${token}" cannot sign now (${name}): check that the HSM is reachable and the token present; nothing was written — run the same request again`,
    `لا يمكن لوحدة الأمان "${token}" التوقيع الآن (${name})؛ تحقق من اتصال وحدة الأمان ووجودها؛ لم يُكتب شيء — أعد المحاولة`,
    error,
    'FAWTARA_PKCS11_TOKEN',
  );
}

/** Errors after which the session (or login) is gone but the token may well be there: reopen once. */
export function sessionLost(error: unknown): boolean {
  const m = api();
  const code = (error as Pkcs11Error)?.code;
  return [m.CKR_SESSION_HANDLE_INVALID, m.CKR_SESSION_CLOSED, m.CKR_USER_NOT_LOGGED_IN, m.CKR_OBJECT_HANDLE_INVALID, m.CKR_KEY_HANDLE_INVALID].includes(
    code as number,
  );
}
