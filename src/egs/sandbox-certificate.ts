// The developer-portal sandbox's canned certificate (docs/zatca-notes.md §A1.2): the
// one place that decides when a CSID not certifying the unit's key may be kept, warns, and fences it in.
import type { Csid, EgsUnit } from '../store/index.js';
import type { FatooraEnv } from '../zatca/index.js';
import type { FleetContext } from './context.js';
import { FleetError } from './errors.js';

export interface UnitWarning {
  code: string;
  message: string;
  messageAr: string;
}

/** Shown with the onboarding result and the unit view, and logged when the credential is stored. */
export function sandboxCertificateWarning(unit: Pick<EgsUnit, 'name'>): UnitWarning {
  return {
    code: 'SANDBOX_CANNED_CERTIFICATE',
    message: `unit ${unit.name}: the developer-portal sandbox answered with its canned test certificate (VAT 399999999900003), which does not certify the unit's key; it was kept for the sandbox only — documents are signed with the unit's own key, ZATCA's sandbox accepts them with a warning, and invoices must carry seller VAT 399999999900003. This credential is refused in simulation and production`,
    messageAr: `الوحدة ${unit.name}: أعادت بيئة الاختبار في بوابة المطورين شهادتها التجريبية الثابتة (الرقم الضريبي 399999999900003) ولا تخص مفتاح الوحدة؛ حُفظت لبيئة الاختبار فقط — تُوقَّع المستندات بمفتاح الوحدة وتقبلها بيئة الاختبار مع تحذير، ويجب أن يكون الرقم الضريبي للبائع 399999999900003. تُرفض هذه الشهادة في بيئتي المحاكاة والإنتاج`,
  };
}

/** The environment a unit's calls reach: its own, unless its recorded target names another gateway prefix. */
function reachedEnvironment(unit: Pick<EgsUnit, 'environment' | 'zatca_base_url'>): FatooraEnv {
  const last = (unit.zatca_base_url ?? '').replace(/\/+$/, '').split('/').pop();
  if (last === 'core') return 'production';
  if (last === 'simulation') return 'simulation';
  return unit.environment as FatooraEnv;
}

/**
 * A CSID whose certificate does not certify the unit's key may be kept only for a sandbox unit
 * (the developer portal issues one canned certificate to everyone); elsewhere it is refused.
 */
export function keepsCannedCertificate(ctx: FleetContext, unit: EgsUnit, kind: 'compliance' | 'production'): boolean {
  if (reachedEnvironment(unit) !== 'sandbox') return false;
  const warning = sandboxCertificateWarning(unit);
  ctx.logger.warn({ unit: unit.name, kind, code: warning.code, messageAr: warning.messageAr }, warning.message);
  return true;
}

/** Refuse a sandbox-only credential outside the sandbox, before anything is signed or sent with it. */
export function assertCredentialUsable(unit: EgsUnit, csid: Pick<Csid, 'sandbox_only' | 'kind'>): void {
  if (!csid.sandbox_only) return;
  const reached = reachedEnvironment(unit);
  if (reached === 'sandbox') return;
  throw new FleetError(
    'SANDBOX_ONLY_CREDENTIAL',
    `unit ${unit.name}: its ${csid.kind} CSID is the developer-portal sandbox's canned certificate and cannot be used in ${reached}; register and onboard a new unit for ${reached}`,
    {
      field: 'unit',
      messageAr: `الوحدة ${unit.name}: شهادتها هي الشهادة التجريبية الثابتة لبيئة الاختبار ولا تُستخدم في ${reached}؛ سجّل وحدة جديدة لهذه البيئة`,
    },
  );
}

/** The warnings a unit's production CSID carries (empty for every CSID but the sandbox's canned one). */
export function credentialWarnings(unit: Pick<EgsUnit, 'name'>, csid: Pick<Csid, 'sandbox_only'> | undefined): UnitWarning[] {
  return csid?.sandbox_only ? [sandboxCertificateWarning(unit)] : [];
}
