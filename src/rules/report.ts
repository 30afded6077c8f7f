// Renders a ValidationReport: the SDK-style text summary (`[XSD] validation result : PASSED` …) and
// ZATCA's API `validationResults` shape, so the CLI and the simulator answer like the SDK and gateway.
import type { Finding, LayerName, ValidationReport } from './types.js';

export interface ValidationMessage {
  type: 'INFO' | 'WARNING' | 'ERROR';
  code: string | null;
  category: string | null;
  message: string;
  status: 'PASS' | 'WARNING' | 'ERROR';
}

export interface ValidationResults {
  infoMessages: ValidationMessage[];
  warningMessages: ValidationMessage[];
  errorMessages: ValidationMessage[];
  status: 'PASS' | 'WARNING' | 'ERROR';
}

/** Layer names as the SDK prints them. */
const SDK_LAYER_LABEL: Record<LayerName, string> = { XSD: 'XSD', EN: 'EN', KSA: 'KSA', QR: 'QR', SIGNATURE: 'SIGNATURE', PIH: 'PIH' };

/** Categories as ZATCA's gateway returns them (docs/zatca-notes.md §A2.5, §A10). */
function categoryOf(f: Finding): string {
  switch (f.layer) {
    case 'XSD':
      return 'XSD validation';
    case 'EN':
      return 'EN_16931';
    case 'KSA':
      return 'KSA';
    case 'QR':
      return 'QRCODE_VALIDATION';
    case 'PIH':
      return 'PIH_VALIDATION';
    case 'SIGNATURE':
      return f.id === 'invalid-invoice-hash' ? 'INVOICE_HASHING_ERRORS' : f.id.includes('certificate') ? 'CERTIFICATE_ERRORS' : 'SIGNATURE_ERRORS';
  }
}

/** Human summary in the SDK's style; `lang: 'ar'` prints the Arabic messages. */
export function formatReport(report: ValidationReport, options: { lang?: 'en' | 'ar'; source?: string } = {}): string {
  const lines: string[] = [];
  if (options.source) lines.push(`${options.source}:`);
  for (const layer of report.layers) {
    for (const f of layer.findings) {
      const text = options.lang === 'ar' ? f.messageAr : f.message;
      lines.push(`${f.flag === 'error' ? 'ERROR' : 'WARNING'} : [${SDK_LAYER_LABEL[layer.layer]}] ${f.id} : ${text}${f.location ? ` (${f.location})` : ''}`);
    }
    lines.push(`[${SDK_LAYER_LABEL[layer.layer]}] validation result : ${layer.status}${layer.skipped ? ` (${layer.skipped})` : ''}`);
  }
  lines.push(`GLOBAL VALIDATION RESULT = ${report.valid ? 'PASSED' : 'FAILED'}`);
  return lines.join('\n');
}

/** ZATCA's `validationResults` object (info: XSD_ZATCA_VALID when the schema layer passed). */
export function toValidationResults(report: ValidationReport, options: { lang?: 'en' | 'ar' } = {}): ValidationResults {
  const text = (f: Finding) => (options.lang === 'ar' ? f.messageAr : f.message);
  const xsd = report.layers.find((l) => l.layer === 'XSD');
  const infoMessages: ValidationMessage[] = [];
  const errorMessages: ValidationMessage[] = [];
  if (xsd && xsd.status === 'PASSED') {
    infoMessages.push({
      type: 'INFO',
      code: 'XSD_ZATCA_VALID',
      category: 'XSD validation',
      message:
        options.lang === 'ar'
          ? 'متوافق مع معيار UBL 2.1 وفق مواصفات هيئة الزكاة والضريبة والجمارك'
          : 'Complied with UBL 2.1 standards in line with ZATCA specifications',
      status: 'PASS',
    });
  } else if (xsd) {
    errorMessages.push({ type: 'ERROR', code: 'XSD_ZATCA_INVALID', category: 'XSD validation', message: xsd.findings.map(text).join('; '), status: 'ERROR' });
  }
  for (const f of report.errors) {
    if (f.layer === 'XSD') continue;
    errorMessages.push({ type: 'ERROR', code: f.id, category: categoryOf(f), message: text(f), status: 'ERROR' });
  }
  const warningMessages: ValidationMessage[] = report.warnings.map((f) => ({
    type: 'WARNING',
    code: f.id,
    category: categoryOf(f),
    message: text(f),
    status: 'WARNING',
  }));
  const status = errorMessages.length ? 'ERROR' : warningMessages.length ? 'WARNING' : 'PASS';
  return { infoMessages, warningMessages, errorMessages, status };
}
