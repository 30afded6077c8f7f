// What the simulated environment's modules share: shapes of ZATCA's body fields, the pipeline's
// result, and safe readers of a request body (never a throw on bad JSON).
import type { ValidationResults } from '../zatca/types.js';
import type { SubmittedInvoiceFacts } from './invoice-facts.js';

export const HOUR_MS = 3600_000;
export const DAY_MS = 24 * HOUR_MS;
export const HASH_SHAPE = /^[A-Za-z0-9+/]{43}=$/;
export const BASE64_SHAPE = /^[A-Za-z0-9+/\r\n]*={0,2}\s*$/;
export const ECDSA_SHA256 = ['ecdsa-with-SHA256', '1.2.840.10045.4.3.2', 'ecdsaWithSHA256'];

export interface PipelineRun {
  results: ValidationResults;
  facts?: SubmittedInvoiceFacts;
  xml?: string;
  bodyHash?: string;
  computedHash?: string;
  invoiceBase64?: string;
}

export function parseJsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The request body's `uuid` (a duplicate stored before UUIDs were kept with successes). */
export function bodyUuid(rawBody: string): string | null {
  const uuid = parseJsonObject(rawBody)?.uuid;
  return typeof uuid === 'string' ? uuid.slice(0, 100) : null;
}

/** The CSR as PEM text from `{"csr": base64(PEM)}`; undefined when absent (→ Missing-CSR). */
export function readCsrField(rawBody: string): string | undefined {
  const csr = parseJsonObject(rawBody)?.csr;
  if (typeof csr !== 'string' || csr.trim() === '') return undefined;
  return Buffer.from(csr.trim(), 'base64').toString('utf8');
}
