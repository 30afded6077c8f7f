// Types of the validator's report: layers (XSD, EN, KSA, QR, SIGNATURE, PIH) with findings, and the
// shape of a business rule. Crypto layers from src/stamp plug in as plain LayerResult values.
import type { InvoiceContext } from './context.js';

export type Flag = 'error' | 'warning';

/** Layer names as the SDK prints them, in the SDK's order. */
export type LayerName = 'XSD' | 'EN' | 'KSA' | 'QR' | 'SIGNATURE' | 'PIH';
export const LAYER_ORDER: readonly LayerName[] = ['XSD', 'EN', 'KSA', 'QR', 'SIGNATURE', 'PIH'];

export interface Finding {
  /** Rule id (`BR-KSA-31`) or, for schema and crypto findings, a stable code (`XSD_ZATCA_INVALID`, ZATCA's own code for any schema failure). */
  id: string;
  flag: Flag;
  layer: LayerName;
  message: string;
  messageAr: string;
  /** Where in the document, when known (simple path). */
  location?: string;
}

export interface LayerResult {
  layer: LayerName;
  status: 'PASSED' | 'FAILED';
  findings: Finding[];
  /** Layer did not run (e.g. no signature to check); reported as PASSED with this note. */
  skipped?: string;
}

export interface ValidationReport {
  /** true when no layer has an error (warnings allowed) — ZATCA accepts the document. */
  valid: boolean;
  layers: LayerResult[];
  /** Set when the input could not be read as an invoice at all (not XML, too large, …). */
  inputError?: { code: string; message: string; messageAr: string };
  /** Convenience views over all layers. */
  errors: Finding[];
  warnings: Finding[];
}

/** A business rule of ZATCA's EN16931 or KSA rule set, as data. */
export interface Rule {
  id: string;
  flag: Flag;
  layer: 'EN' | 'KSA';
  /** Own-words English and Arabic messages (ZATCA's texts are not copied). */
  en: string;
  ar: string;
  /** true when the document breaks the rule. */
  check(ctx: InvoiceContext): boolean;
}
