// The validator: runs ZATCA's layers in the SDK's order (XSD, EN16931, KSA, QR, SIGNATURE, PIH) on
// one invoice and returns a report with bilingual findings; bad input becomes a report, never a crash.
import type { Document } from '@xmldom/xmldom';
import { isFawtaraError } from '../errors.js';
import { verifyInvoice, type Check } from '../stamp/verify.js';
import { parseInvoiceXml } from '../xml/parse.js';
import { validateSchema } from '../xsd/validate.js';
import { InvoiceContext } from './context.js';
import { XPathDynamicError } from './xpath-values.js';
import { allowanceChargeRules, breakdownRules, categoryRules } from './en/vat.js';
import { codeRules } from './en/code-lists.js';
import { documentRules as enDocumentRules, lineRules as enLineRules } from './en/document.js';
import { totalsRules } from './en/totals.js';
import { documentRules as ksaDocumentRules } from './ksa/document.js';
import { lineRules as ksaLineRules } from './ksa/lines.js';
import { partyRules } from './ksa/parties.js';
import { partyAddressRules } from './ksa/party-addresses.js';
import { prepaymentRules } from './ksa/prepayment.js';
import { signatureShapeRules } from './ksa/signature-shape.js';
import { enDynamicErrors, ksaDynamicErrors } from './dynamic-errors.js';
import { vatRules } from './ksa/vat.js';
import { LAYER_ORDER, type Finding, type LayerName, type LayerResult, type Rule, type ValidationReport } from './types.js';

export type { Finding, LayerName, LayerResult, Rule, ValidationReport } from './types.js';
export { formatReport, toValidationResults, type ValidationMessage, type ValidationResults } from './report.js';

/** ZATCA's trimmed EN16931 rule set (CEN-EN16931-UBL.xsl of SDK 238-R3.4.8). */
export const EN_RULES: readonly Rule[] = [
  enDynamicErrors,
  ...enDocumentRules,
  ...enLineRules,
  ...totalsRules,
  ...allowanceChargeRules,
  ...breakdownRules,
  ...categoryRules,
  ...codeRules,
];

/** ZATCA's KSA rule set (20210819_ZATCA_E-invoice_Validation_Rules.xsl of SDK 238-R3.4.8). */
export const KSA_RULES: readonly Rule[] = [
  ksaDynamicErrors,
  ...ksaDocumentRules,
  ...partyRules,
  ...partyAddressRules,
  ...signatureShapeRules,
  ...vatRules,
  ...ksaLineRules,
  ...prepaymentRules,
];

export interface ValidateOptions {
  /** Expected previous invoice hash (the SDK's pih.txt comparison). */
  pih?: string;
  /** Certificate (PEM or base64 DER) the invoice must be signed with. */
  certificate?: string;
  /** Clock for BR-KSA-04 and BR-KSA-98; default the current time. */
  now?: Date;
  /** Layers to run; default all. Crypto layers need src/stamp. */
  layers?: readonly LayerName[];
  /** Name used in messages (a file name). */
  source?: string;
}

/** Validate one invoice the way ZATCA's SDK (`fatoora -validate`) does. */
export function validateInvoice(xml: string | Uint8Array, options: ValidateOptions = {}): ValidationReport {
  let doc: Document;
  try {
    doc = parseInvoiceXml(xml, { source: options.source, readOnly: true });
  } catch (error) {
    const code = isFawtaraError(error) ? error.code : 'INVALID_XML';
    const message = error instanceof Error ? error.message : String(error);
    const messageAr = isFawtaraError(error) && error.messageAr ? error.messageAr : 'تعذر قراءة المستند كفاتورة XML';
    const finding: Finding = { id: code === 'TOO_LARGE' ? 'TOO_LARGE' : 'XSD_ZATCA_INVALID', flag: 'error', layer: 'XSD', message, messageAr };
    return {
      valid: false,
      layers: [{ layer: 'XSD', status: 'FAILED', findings: [finding] }],
      inputError: { code, message, messageAr },
      errors: [finding],
      warnings: [],
    };
  }
  return validateDocument(doc, options);
}

/** Validate an already parsed invoice DOM. */
export function validateDocument(doc: Document, options: ValidateOptions = {}): ValidationReport {
  const wanted = new Set(options.layers ?? LAYER_ORDER);
  const layers: LayerResult[] = [];
  if (wanted.has('XSD')) {
    const findings: Finding[] = validateSchema(doc).map((i) => ({
      id: 'XSD_ZATCA_INVALID',
      flag: 'error',
      layer: 'XSD',
      message: i.message,
      messageAr: i.messageAr,
      location: i.path,
    }));
    layers.push(layerOf('XSD', findings));
  }
  if (wanted.has('EN') || wanted.has('KSA')) {
    const ctx = new InvoiceContext(doc, options.now);
    if (wanted.has('EN')) layers.push(layerOf('EN', runRules(EN_RULES, ctx)));
    if (wanted.has('KSA')) layers.push(layerOf('KSA', runRules(KSA_RULES, ctx)));
  }
  if (wanted.has('QR') || wanted.has('SIGNATURE') || wanted.has('PIH')) {
    layers.push(...cryptoLayers(doc, options, wanted));
  }
  return assemble(layers);
}

/** Run business rules; a rule that throws (unexpected input shape) is reported, not propagated. */
export function runRules(rules: readonly Rule[], ctx: InvoiceContext): Finding[] {
  const findings: Finding[] = [];
  for (const rule of rules) {
    let broken: boolean;
    try {
      broken = rule.check(ctx);
    } catch (error) {
      if (error instanceof XPathDynamicError) {
        const layer = rule.layer;
        return [
          {
            id: 'TRANSFORM',
            flag: 'error',
            layer,
            message: `the ${layer} rules cannot be evaluated on this document (${error.message}); fix the schema errors first`,
            messageAr: `تعذر تقييم قواعد ${layer} على هذا المستند (${error.message})؛ صحّح أخطاء المخطط أولًا`,
          },
        ];
      }
      broken = true;
    }
    if (broken) findings.push({ id: rule.id, flag: rule.flag, layer: rule.layer, message: `[${rule.id}] ${rule.en}`, messageAr: `[${rule.id}] ${rule.ar}` });
  }
  return findings;
}

function layerOf(layer: LayerName, findings: Finding[], skipped?: string): LayerResult {
  return { layer, status: findings.some((f) => f.flag === 'error') ? 'FAILED' : 'PASSED', findings, ...(skipped ? { skipped } : {}) };
}

/** QR, SIGNATURE and PIH from src/stamp/verify.ts, as report layers. */
function cryptoLayers(doc: Document, options: ValidateOptions, wanted: Set<LayerName>): LayerResult[] {
  let checks: Check[];
  try {
    checks = verifyInvoice(doc, { pih: options.pih, certificate: options.certificate, source: options.source }).checks;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const f: Finding = {
      id: 'signature',
      flag: 'error',
      layer: 'SIGNATURE',
      message: `the stamp could not be verified: ${message}`,
      messageAr: 'تعذر التحقق من الختم التشفيري',
    };
    return [layerOf('SIGNATURE', [f])];
  }
  const out: LayerResult[] = [];
  for (const layer of ['QR', 'SIGNATURE', 'PIH'] as const) {
    if (!wanted.has(layer)) continue;
    const mine = checks.filter((c) => c.layer === layer);
    const findings: Finding[] = mine
      .filter((c) => c.status === 'fail' || c.status === 'warn')
      .map((c) => ({
        id: c.code ?? c.id,
        flag: c.status === 'fail' ? 'error' : 'warning',
        layer,
        message: c.message,
        messageAr: c.messageAr ?? c.message,
        ...(c.expected !== undefined ? { location: `expected ${c.expected}, found ${c.actual ?? ''}` } : {}),
      }));
    const skipped = mine.length > 0 && mine.every((c) => c.status === 'skip') ? mine[0]!.message : undefined;
    out.push(layerOf(layer, findings, skipped));
  }
  return out;
}

function assemble(layers: LayerResult[]): ValidationReport {
  layers.sort((a, b) => LAYER_ORDER.indexOf(a.layer) - LAYER_ORDER.indexOf(b.layer));
  const all = layers.flatMap((l) => l.findings);
  const errors = all.filter((f) => f.flag === 'error');
  return { valid: errors.length === 0, layers, errors, warnings: all.filter((f) => f.flag === 'warning') };
}
